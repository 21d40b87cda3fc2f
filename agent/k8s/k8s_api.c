/* The pod watcher's requests to the API server: the list (every page, into a new store swapped in
 * whole) and the watch (one event per line), over libcurl's multi interface so that a stop wakes
 * it; the service-account token read before every request; failures classified, counted and
 * logged on transitions; the backoff between retries. */
#include "k8s/watcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* ---- requests ---- */

/* Reads the token, trimmed of trailing whitespace, into a new "Authorization: Bearer" header string.
 * Returns NULL when the file is unreadable or empty. Free with free_secret(). */
static char *auth_header(const char *path)
{
	static const char prefix[] = "Authorization: Bearer ";
	size_t plen = sizeof(prefix) - 1, n = 0;
	char *buf = NULL;
	int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		goto cleanup;
	buf = malloc(plen + TOKEN_MAX + 1);
	if (!buf)
		goto cleanup;
	memcpy(buf, prefix, plen);
	for (;;) {
		ssize_t r = read(fd, buf + plen + n, TOKEN_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			n = 0;
			break;
		}
		if (r == 0 || n + (size_t)r >= TOKEN_MAX) {
			n += (size_t)r;
			break;
		}
		n += (size_t)r;
	}
	while (n && (buf[plen + n - 1] == '\n' || buf[plen + n - 1] == '\r' ||
		     buf[plen + n - 1] == ' ' || buf[plen + n - 1] == '\t'))
		n--;
	/* Empty, or anything that would end the header line early. */
	if (n == 0 || memchr(buf + plen, '\n', n) || memchr(buf + plen, '\r', n)) {
		explicit_bzero(buf, plen + TOKEN_MAX + 1);
		free(buf);
		buf = NULL;
		goto cleanup;
	}
	buf[plen + n] = '\0';
cleanup:
	if (fd >= 0)
		close(fd);
	return buf;
}

static void free_secret(char *s)
{
	if (!s)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

static int on_watch_line(void *ctx, const char *line, size_t len)
{
	struct req *r = ctx;
	struct k8s_watch *w = r->w;
	struct k8s_pod *old = NULL, *pod;
	struct k8s_event ev;
	int rc;

	r->lines++;
	rc = k8s_event_parse(line, len, &ev);
	if (rc == -ENOMEM)
		return ABORT_NOMEM;
	if (rc) {
		STAT_ADD(w, errors_parse, 1);
		STAT_ADD(w, errors, 1);
		return 0;
	}
	switch (ev.type) {
	case K8S_EV_ERROR:
		snprintf(r->errmsg, sizeof(r->errmsg), "%s", ev.message);
		return ev.code == 410 ? ABORT_GONE : ABORT_ERROR_EVENT;
	case K8S_EV_ADDED:
	case K8S_EV_MODIFIED:
		pthread_mutex_lock(&w->lock);
		if (w->store.npods >= w->cfg.max_pods &&
		    !k8s_store_find_uid(&w->store, ev.pod->uid)) {
			rc = -ENOSPC;
		} else {
			rc = k8s_store_upsert(&w->store, ev.pod, &old);
			if (rc == 0)
				ev.pod = NULL;
		}
		STAT_SET(w, pods, w->store.npods);
		pthread_mutex_unlock(&w->lock);
		free(old);
		free(ev.pod);
		if (rc == -ENOMEM)
			return ABORT_NOMEM;
		if (rc == -ENOSPC)
			STAT_ADD(w, pods_dropped, 1);
		break;
	case K8S_EV_DELETED:
		pthread_mutex_lock(&w->lock);
		pod = k8s_store_remove(&w->store, ev.pod->uid);
		STAT_SET(w, pods, w->store.npods);
		pthread_mutex_unlock(&w->lock);
		free(pod);
		free(ev.pod);
		break;
	case K8S_EV_BOOKMARK:
		break;
	}
	if (ev.rv[0])
		memcpy(w->rv, ev.rv, sizeof(w->rv));
	STAT_ADD(w, watch_events, 1);
	return 0;
}

static size_t on_write(char *data, size_t size, size_t nmemb, void *ud)
{
	struct req *r = ud;
	struct k8s_watch *w = r->w;
	size_t n = size * nmemb;
	int rc;

	r->last_data_ms = k8s_now_ms();
	if (!r->status_known) {
		curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &r->status);
		r->status_known = true;
	}
	if (r->status != 200) {
		/* A metav1.Status body: keep the start of it for the log. */
		size_t have = strlen(r->errmsg), room = sizeof(r->errmsg) - 1 - have;

		memcpy(r->errmsg + have, data, n < room ? n : room);
		r->errmsg[have + (n < room ? n : room)] = '\0';
		return n;
	}
	if (r->watch) {
		rc = k8s_linebuf_feed(&w->lb, data, n, on_watch_line, r);
		STAT_SET(w, lines_oversize, w->lb.oversize);
		if (rc) {
			r->abort = rc == -ENOMEM ? ABORT_NOMEM : (enum req_abort)rc;
			return 0;
		}
		return n;
	}
	if (r->len + n > w->cfg.max_list_body) {
		r->abort = ABORT_TOO_LARGE;
		return 0;
	}
	if (r->len + n + 1 > r->cap) {
		size_t ncap = r->cap ? r->cap : 65536;
		char *nb;

		while (ncap < r->len + n + 1)
			ncap *= 2;
		nb = realloc(r->body, ncap);
		if (!nb) {
			r->abort = ABORT_NOMEM;
			return 0;
		}
		r->body = nb;
		r->cap = ncap;
	}
	memcpy(r->body + r->len, data, n);
	r->len += n;
	return n;
}

static enum req_result classify_curl(CURLcode cc)
{
	switch (cc) {
	case CURLE_OK:
		return RES_OK;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
	case CURLE_USE_SSL_FAILED:
		return RES_ERR_TLS;
	case CURLE_OUT_OF_MEMORY:
		return RES_ERR_NOMEM;
	default:
		return RES_ERR_CONNECT;
	}
}

/* Runs one request to completion, a stop request, an abort from the callbacks, or (watch) an idle
 * stream. */
static enum req_result run_request(struct k8s_watch *w, struct req *r, const char *url)
{
	struct curl_slist *hdrs = NULL, *h;
	enum req_result res = RES_ERR_CONNECT;
	CURLcode cc = CURLE_OK;
	uint64_t idle_ms = ((uint64_t)w->cfg.watch_timeout_s + 60) * 1000;
	char *auth = NULL;
	bool added = false;
	CURLMsg *msg;
	int running = 1, left;

	r->w = w;
	r->last_data_ms = k8s_now_ms();
	auth = auth_header(w->token_path);
	if (!auth) {
		res = RES_ERR_AUTH;
		snprintf(r->errmsg, sizeof(r->errmsg), "cannot read token file %s", w->token_path);
		goto cleanup;
	}
	h = curl_slist_append(hdrs, auth);
	if (!h) {
		res = RES_ERR_NOMEM;
		goto cleanup;
	}
	hdrs = h;
	h = curl_slist_append(hdrs, "Accept: application/json");
	if (!h) {
		res = RES_ERR_NOMEM;
		goto cleanup;
	}
	hdrs = h;

	curl_easy_reset(w->easy);
	curl_easy_setopt(w->easy, CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500 /* 7.85 */
	curl_easy_setopt(w->easy, CURLOPT_PROTOCOLS_STR, "https");
#else
	curl_easy_setopt(w->easy, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
#if LIBCURL_VERSION_NUM >=                                                                         \
    0x075700 /* 7.87: the parsed CA bundle is cached; the cluster CA rotates */
	curl_easy_setopt(w->easy, CURLOPT_CA_CACHE_TIMEOUT, 600L);
#endif
	curl_easy_setopt(w->easy, CURLOPT_CAINFO, w->ca_path);
	curl_easy_setopt(w->easy, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(w->easy, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(w->easy, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(w->easy, CURLOPT_USERAGENT, "osprey/" OSPREY_VERSION);
	curl_easy_setopt(w->easy, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(w->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(w->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)w->cfg.connect_timeout_ms);
	curl_easy_setopt(w->easy, CURLOPT_TIMEOUT_MS, r->watch ? 0L : (long)w->cfg.list_timeout_ms);
	curl_easy_setopt(w->easy, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(w->easy, CURLOPT_TCP_KEEPIDLE, 30L);
	curl_easy_setopt(w->easy, CURLOPT_TCP_KEEPINTVL, 10L);
	curl_easy_setopt(w->easy, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(w->easy, CURLOPT_WRITEDATA, r);
	if (curl_multi_add_handle(w->multi, w->easy) != CURLM_OK) {
		res = RES_ERR_NOMEM;
		goto cleanup;
	}
	added = true;

	while (running) {
		if (k8s_stopping(w)) {
			res = RES_STOPPED;
			goto cleanup;
		}
		if (curl_multi_perform(w->multi, &running) != CURLM_OK)
			break;
		if (r->abort)
			break;
		if (r->watch && k8s_now_ms() - r->last_data_ms > idle_ms) {
			r->abort = ABORT_IDLE;
			break;
		}
		if (running)
			curl_multi_poll(w->multi, NULL, 0, 1000, NULL);
	}
	while ((msg = curl_multi_info_read(w->multi, &left))) {
		if (msg->msg == CURLMSG_DONE)
			cc = msg->data.result;
	}
	if (!r->status_known)
		curl_easy_getinfo(w->easy, CURLINFO_RESPONSE_CODE, &r->status);

	switch (r->abort) {
	case ABORT_GONE:
		res = RES_GONE;
		goto cleanup;
	case ABORT_ERROR_EVENT:
		res = RES_ERR_HTTP;
		goto cleanup;
	case ABORT_TOO_LARGE:
		res = RES_ERR_PARSE;
		snprintf(r->errmsg, sizeof(r->errmsg), "list page larger than %zu bytes",
			 w->cfg.max_list_body);
		goto cleanup;
	case ABORT_NOMEM:
		res = RES_ERR_NOMEM;
		goto cleanup;
	case ABORT_IDLE:
		res = RES_ERR_CONNECT;
		snprintf(r->errmsg, sizeof(r->errmsg), "watch idle for %llu s",
			 (unsigned long long)(idle_ms / 1000));
		goto cleanup;
	case ABORT_NONE:
		break;
	}
	if (r->status == 401 || r->status == 403) {
		res = RES_ERR_AUTH;
	} else if (r->status == 410) {
		res = RES_GONE;
	} else if (r->status != 0 && r->status != 200) {
		res = RES_ERR_HTTP;
	} else {
		res = classify_curl(cc);
		if (res == RES_OK && r->status != 200)
			res = RES_ERR_CONNECT;
		if (res != RES_OK)
			snprintf(r->errmsg, sizeof(r->errmsg), "%s", curl_easy_strerror(cc));
	}
cleanup:
	if (added)
		curl_multi_remove_handle(w->multi, w->easy);
	/* Do not leave the token in curl's copy of the header list or ours. */
	for (h = hdrs; h; h = h->next)
		explicit_bzero(h->data, strlen(h->data));
	curl_slist_free_all(hdrs);
	free_secret(auth);
	return res;
}

/* Counts a failed request and logs it if it is the first failure after a success. */
static void count_failure(struct k8s_watch *w, enum req_result res, const struct req *r,
			  const char *what)
{
	static const char *const names[] = {
	    [RES_ERR_CONNECT] = "connection", [RES_ERR_TLS] = "TLS",
	    [RES_ERR_AUTH] = "authorization", [RES_ERR_HTTP] = "HTTP",
	    [RES_ERR_PARSE] = "response",     [RES_ERR_NOMEM] = "memory",
	};

	switch (res) {
	case RES_ERR_CONNECT:
		STAT_ADD(w, errors_connect, 1);
		break;
	case RES_ERR_TLS:
		STAT_ADD(w, errors_tls, 1);
		break;
	case RES_ERR_AUTH:
		STAT_ADD(w, errors_auth, 1);
		break;
	case RES_ERR_HTTP:
		STAT_ADD(w, errors_http, 1);
		break;
	case RES_ERR_PARSE:
		STAT_ADD(w, errors_parse, 1);
		break;
	default:
		break;
	}
	STAT_ADD(w, errors, 1);
	if (!w->failing && res >= RES_ERR_CONNECT && res <= RES_ERR_NOMEM)
		k8s_wlog(w, "%s of pods failed (%s error, status %ld): %.200s; retrying", what,
			 names[res], r->status, r->errmsg);
	w->failing = true;
}

static void recovered(struct k8s_watch *w)
{
	if (w->failing)
		k8s_wlog(w, "watching pods of node %s again", w->node_name);
	w->failing = false;
}

static int build_url(struct k8s_watch *w, char *url, size_t len, bool watch, const char *cont)
{
	char sel[512];
	char *esel = NULL, *ecur = NULL;
	int n, err = -ENOMEM;

	n = snprintf(sel, sizeof(sel), "spec.nodeName=%s", w->node_name);
	if (n < 0 || (size_t)n >= sizeof(sel))
		return -ENAMETOOLONG;
	esel = curl_easy_escape(w->easy, sel, 0);
	ecur = curl_easy_escape(w->easy, watch ? w->rv : cont, 0);
	if (!esel || !ecur)
		goto cleanup;
	if (watch)
		n = snprintf(url, len,
			     "%s/api/v1/pods?fieldSelector=%s&watch=1&resourceVersion=%s"
			     "&allowWatchBookmarks=true&timeoutSeconds=%u",
			     w->api_url, esel, ecur, w->cfg.watch_timeout_s);
	else
		n = snprintf(url, len, "%s/api/v1/pods?fieldSelector=%s&limit=%u%s%s", w->api_url,
			     esel, w->cfg.list_page_size, *ecur ? "&continue=" : "", ecur);
	err = (n < 0 || (size_t)n >= len) ? -ENAMETOOLONG : 0;
cleanup:
	curl_free(esel);
	curl_free(ecur);
	return err;
}

/* Lists every page into a new store and swaps it in. */
enum req_result k8s_do_list(struct k8s_watch *w)
{
	struct k8s_store fresh, old;
	enum req_result res = RES_OK;
	char *url = NULL, *cont = NULL;
	char rv[RV_MAX] = "";
	uint64_t bad = 0, dropped = 0;
	bool have_store = false;
	struct req r;

	url = malloc(URL_MAX);
	cont = calloc(1, CONT_MAX);
	if (!url || !cont || k8s_store_init(&fresh) != 0) {
		res = RES_ERR_NOMEM;
		goto cleanup;
	}
	have_store = true;
	for (;;) {
		bool paged = cont[0] != '\0';
		int rc;

		if (k8s_stopping(w)) {
			res = RES_STOPPED;
			goto cleanup;
		}
		if (build_url(w, url, URL_MAX, false, cont) != 0) {
			res = RES_ERR_PARSE;
			goto cleanup;
		}
		memset(&r, 0, sizeof(r));
		r.watch = false;
		res = run_request(w, &r, url);
		if (res == RES_OK) {
			rc = k8s_list_parse(r.body ? r.body : "", r.len, &fresh, w->cfg.max_pods,
					    rv, sizeof(rv), cont, CONT_MAX, &bad, &dropped);
			if (rc == -ENOMEM)
				res = RES_ERR_NOMEM;
			else if (rc)
				res = RES_ERR_PARSE;
			if (rc)
				snprintf(r.errmsg, sizeof(r.errmsg), "malformed PodList");
		}
		free(r.body);
		if (res == RES_GONE && paged) {
			/* The continue token expired between pages: start the list over. */
			STAT_ADD(w, relists, 1);
			cont[0] = '\0';
			bad = dropped = 0;
			k8s_store_fini(&fresh);
			have_store = false;
			if (k8s_store_init(&fresh) != 0) {
				res = RES_ERR_NOMEM;
				goto cleanup;
			}
			have_store = true;
			continue;
		}
		if (res == RES_GONE)
			res = RES_ERR_HTTP; /* a list from scratch cannot be too old */
		if (res != RES_OK) {
			if (res != RES_STOPPED)
				count_failure(w, res, &r, "list");
			goto cleanup;
		}
		if (!cont[0])
			break;
	}
	if (bad) {
		STAT_ADD(w, errors_parse, bad);
		STAT_ADD(w, errors, bad);
	}
	STAT_ADD(w, pods_dropped, dropped);
	pthread_mutex_lock(&w->lock);
	old = w->store;
	w->store = fresh;
	STAT_SET(w, pods, w->store.npods);
	pthread_mutex_unlock(&w->lock);
	have_store = false;
	k8s_store_fini(&old);
	memcpy(w->rv, rv, sizeof(w->rv));
	STAT_ADD(w, lists, 1);
	STAT_SET(w, synced, true);
	recovered(w);
cleanup:
	if (have_store)
		k8s_store_fini(&fresh);
	free(url);
	free(cont);
	return res;
}

enum req_result k8s_do_watch(struct k8s_watch *w, uint64_t *lines)
{
	enum req_result res;
	struct req r;
	char *url;

	*lines = 0;
	url = malloc(URL_MAX);
	if (!url)
		return RES_ERR_NOMEM;
	if (build_url(w, url, URL_MAX, true, NULL) != 0) {
		free(url);
		return RES_ERR_PARSE;
	}
	memset(&r, 0, sizeof(r));
	r.watch = true;
	k8s_linebuf_reset(&w->lb);
	res = run_request(w, &r, url);
	*lines = r.lines;
	if (r.lines)
		recovered(w);
	if (res != RES_OK && res != RES_STOPPED && res != RES_GONE)
		count_failure(w, res, &r, "watch");
	free(url);
	return res;
}

/* Sleeps for the next backoff step, or until stopped. */
void k8s_backoff_sleep(struct k8s_watch *w, unsigned int *backoff_ms)
{
	unsigned int b = *backoff_ms, delay;
	struct timespec ts;

	b = b ? b * 2 : w->cfg.backoff_initial_ms;
	if (b > w->cfg.backoff_max_ms)
		b = w->cfg.backoff_max_ms;
	*backoff_ms = b;
	/* Equal jitter: somewhere in [b/2, b], so that agents restarted together spread out. */
	delay = b / 2 + (unsigned int)rand_r(&w->seed) % (b - b / 2 + 1);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += delay / 1000;
	ts.tv_nsec += (long)(delay % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&w->stop_lock);
	while (!k8s_stopping(w)) {
		if (pthread_cond_timedwait(&w->stop_cond, &w->stop_lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&w->stop_lock);
}
