/* The pod watcher: one thread that lists, then watches, the pods of this node over HTTPS (libcurl's
 * multi interface, so that a stop request wakes it at once), and the lookup API the event loop calls.
 *
 * State machine of the thread:
 *
 *   LIST (all pages, into a new store; swapped in whole) --ok--> WATCH from the list's resourceVersion
 *   WATCH --stream closed by the server--> WATCH again from the last resourceVersion seen
 *   WATCH/LIST --410 Gone (status or ERROR event)--> LIST
 *   any failure (connect, TLS, 401/403, other status, bad body) --> sleep backoff --> retry the same
 *
 * The backoff doubles from backoff_initial_ms up to backoff_max_ms, with jitter, and resets when a
 * list completes or a watch delivers data. The token file is read again before every request.
 *
 * Locking: w->lock protects w->store only. Writers (this thread) hold it for one upsert/remove or one
 * struct swap; readers for one hash lookup and a bounded copy. Counters are atomics.
 */
#include "k8s/k8s_internal.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef OSPREY_VERSION
#define OSPREY_VERSION "dev"
#endif

#define TOKEN_MAX (64 * 1024)
#define URL_MAX 8192
#define CONT_MAX 4096
#define RV_MAX 64

#define STAT_ADD(w, f, n) __atomic_fetch_add(&(w)->st.f, (n), __ATOMIC_RELAXED)
#define STAT_SET(w, f, v) __atomic_store_n(&(w)->st.f, (v), __ATOMIC_RELAXED)
#define STAT_GET(w, f) __atomic_load_n(&(w)->st.f, __ATOMIC_RELAXED)

/* How a request ended. */
enum req_result {
	RES_OK = 0,	 /* transfer complete, status 200 */
	RES_STOPPED,	 /* k8s_watch_stop() */
	RES_GONE,	 /* 410: resourceVersion too old, re-list */
	RES_ERR_CONNECT, /* connect failed, connection lost, idle watch */
	RES_ERR_TLS,
	RES_ERR_AUTH,
	RES_ERR_HTTP,
	RES_ERR_PARSE,
	RES_ERR_NOMEM,
};

/* Reasons a write callback aborts the transfer. */
enum req_abort {
	ABORT_NONE = 0,
	ABORT_GONE,
	ABORT_ERROR_EVENT,
	ABORT_TOO_LARGE,
	ABORT_NOMEM,
	ABORT_IDLE,
};

struct k8s_watch {
	/* configuration, owned copies */
	char *api_url;
	char *token_path;
	char *ca_path;
	char *node_name;
	struct k8s_config cfg; /* numbers; the strings above */

	pthread_mutex_t lock; /* protects store */
	struct k8s_store store;

	struct k8s_stats st; /* atomics */

	pthread_t thread;
	bool started;
	int stop; /* atomic */
	pthread_mutex_t stop_lock;
	pthread_cond_t stop_cond; /* CLOCK_MONOTONIC */

	/* watcher-thread state */
	CURLM *multi;
	CURL *easy;
	struct k8s_linebuf lb;
	char rv[RV_MAX];
	bool failing; /* last request failed: log only transitions */
	unsigned int seed;
};

struct req {
	struct k8s_watch *w;
	bool watch; /* else list */
	long status;
	bool status_known;
	enum req_abort abort;
	char *body; /* list */
	size_t len, cap;
	uint64_t lines; /* watch: lines seen */
	uint64_t last_data_ms;
	char errmsg[256]; /* the Status message of an ERROR event or of a non-200 body */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init_once(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static bool stopping(struct k8s_watch *w)
{
	return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE) != 0;
}

__attribute__((format(printf, 2, 3))) static void wlog(struct k8s_watch *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->cfg.log)
		w->cfg.log(w->cfg.log_ctx, msg);
	else
		fprintf(stderr, "osprey: k8s: %s\n", msg);
}

/* ---- configuration ---- */

int k8s_config_from_env(struct k8s_config *cfg, char *url_buf, size_t url_len)
{
	if (!cfg->api_url) {
		const char *host = getenv("KUBERNETES_SERVICE_HOST");
		const char *port = getenv("KUBERNETES_SERVICE_PORT");
		int n;

		if (!host || !*host)
			return -ENOENT;
		if (!port || !*port)
			port = "443";
		n = snprintf(url_buf, url_len,
			     strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host, port);
		if (n < 0 || (size_t)n >= url_len)
			return -ENAMETOOLONG;
		cfg->api_url = url_buf;
	}
	if (!cfg->token_path) {
		cfg->token_path = K8S_DEFAULT_TOKEN_PATH;
		if (access(cfg->token_path, R_OK) != 0)
			return -ENOENT;
	}
	if (!cfg->ca_path)
		cfg->ca_path = K8S_DEFAULT_CA_PATH;
	if (!cfg->node_name) {
		cfg->node_name = getenv("NODE_NAME");
		if (!cfg->node_name || !*cfg->node_name) {
			cfg->node_name = NULL;
			return -EINVAL;
		}
	}
	return 0;
}

static void apply_defaults(struct k8s_config *c)
{
	if (!c->backoff_initial_ms)
		c->backoff_initial_ms = 500;
	if (!c->backoff_max_ms)
		c->backoff_max_ms = 30000;
	if (c->backoff_max_ms < c->backoff_initial_ms)
		c->backoff_max_ms = c->backoff_initial_ms;
	if (!c->connect_timeout_ms)
		c->connect_timeout_ms = 10000;
	if (!c->list_timeout_ms)
		c->list_timeout_ms = 60000;
	if (!c->watch_timeout_s)
		c->watch_timeout_s = 300;
	if (!c->list_page_size)
		c->list_page_size = 500;
	if (!c->max_pods)
		c->max_pods = 8192;
	if (!c->max_line)
		c->max_line = 4u << 20;
	if (!c->max_list_body)
		c->max_list_body = 64u << 20;
}

struct k8s_watch *k8s_watch_new(const struct k8s_config *cfg)
{
	struct k8s_config c = cfg ? *cfg : (struct k8s_config){0};
	pthread_condattr_t ca;
	char url[1024];
	struct k8s_watch *w = NULL;
	int err;

	err = k8s_config_from_env(&c, url, sizeof(url));
	if (err)
		goto cleanup;
	if (strncmp(c.api_url, "https://", 8) != 0 || !*c.node_name) {
		err = -EINVAL;
		goto cleanup;
	}
	pthread_once(&curl_once, curl_init_once);
	if (curl_init_rc != CURLE_OK) {
		err = -ENOMEM;
		goto cleanup;
	}
	apply_defaults(&c);
	w = calloc(1, sizeof(*w));
	if (!w) {
		err = -ENOMEM;
		goto cleanup;
	}
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->stop_lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->stop_cond, &ca);
	pthread_condattr_destroy(&ca);
	k8s_linebuf_init(&w->lb, c.max_line);
	w->cfg = c;
	w->api_url = strdup(c.api_url);
	w->token_path = strdup(c.token_path);
	w->ca_path = strdup(c.ca_path);
	w->node_name = strdup(c.node_name);
	/* A trailing '/' would double the one of the API path. */
	if (w->api_url && w->api_url[0] && w->api_url[strlen(w->api_url) - 1] == '/')
		w->api_url[strlen(w->api_url) - 1] = '\0';
	w->multi = curl_multi_init();
	w->easy = curl_easy_init();
	w->seed = (unsigned int)now_ms() ^ (unsigned int)getpid();
	if (!w->api_url || !w->token_path || !w->ca_path || !w->node_name || !w->multi ||
	    !w->easy || k8s_store_init(&w->store) != 0) {
		err = -ENOMEM;
		goto cleanup;
	}
	return w;
cleanup:
	k8s_watch_free(w);
	errno = -err;
	return NULL;
}

void k8s_watch_free(struct k8s_watch *w)
{
	if (!w)
		return;
	k8s_watch_stop(w);
	if (w->easy)
		curl_easy_cleanup(w->easy);
	if (w->multi)
		curl_multi_cleanup(w->multi);
	k8s_store_fini(&w->store);
	k8s_linebuf_fini(&w->lb);
	pthread_cond_destroy(&w->stop_cond);
	pthread_mutex_destroy(&w->stop_lock);
	pthread_mutex_destroy(&w->lock);
	free(w->api_url);
	free(w->token_path);
	free(w->ca_path);
	free(w->node_name);
	free(w);
}

/* ---- lookups ---- */

int k8s_pod_labels(struct k8s_watch *w, const char *pod_uid, struct k8s_pod_meta *meta,
		   struct osp_kv *kv, uint32_t kv_cap, char *str, size_t str_cap)
{
	const struct k8s_pod *p;

	if (!w || !pod_uid || !meta)
		return -EINVAL;
	pthread_mutex_lock(&w->lock);
	p = k8s_store_find_uid(&w->store, pod_uid);
	if (p)
		k8s_pod_copy_out(p, meta, kv, kv_cap, str, str_cap);
	pthread_mutex_unlock(&w->lock);
	return p ? 0 : -ENOENT;
}

int k8s_pod_by_container(struct k8s_watch *w, const char *container_id, struct k8s_pod_meta *meta,
			 struct osp_kv *kv, uint32_t kv_cap, char *str, size_t str_cap)
{
	const struct k8s_pod *p;

	if (!w || !container_id || !meta)
		return -EINVAL;
	pthread_mutex_lock(&w->lock);
	p = k8s_store_find_cid(&w->store, container_id);
	if (p)
		k8s_pod_copy_out(p, meta, kv, kv_cap, str, str_cap);
	pthread_mutex_unlock(&w->lock);
	return p ? 0 : -ENOENT;
}

static void kv_free(struct osp_kv *kv, uint32_t n)
{
	uint32_t i;

	if (!kv)
		return;
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

int k8s_attach_to_containers(struct k8s_watch *w, struct container_cache *cache)
{
	if (!cache)
		return -EINVAL;
	container_cache_set_pod_labels_provider(cache, w ? k8s_pod_labels_dup : NULL, w);
	return 0;
}

int k8s_pod_labels_dup(void *arg, const char *pod_uid, struct osp_kv **labels, uint32_t *nlabels)
{
	struct k8s_watch *w = arg;
	struct osp_kv small_kv[32], *kv = small_kv, *out = NULL;
	char small_str[4096], *str = small_str;
	uint32_t kv_cap = 32, i;
	size_t str_cap = sizeof(small_str);
	struct k8s_pod_meta m;
	int err, tries;

	if (!labels || !nlabels)
		return -EINVAL;
	*labels = NULL;
	*nlabels = 0;
	/* Copy under the lock into a bounded buffer; a pod with more labels than the stack buffer
	 * holds is copied again into heap buffers sized from the first answer (allocated unlocked). */
	for (tries = 0;; tries++) {
		err = k8s_pod_labels(w, pod_uid, &m, kv, kv_cap, str, str_cap);
		if (err || m.nlabels == m.labels_total)
			break;
		if (tries == 3) {
			err = -EAGAIN; /* the pod keeps growing under us: ask again later */
			break;
		}
		if (kv != small_kv)
			free(kv);
		if (str != small_str)
			free(str);
		kv_cap = m.labels_total;
		str_cap = m.labels_bytes;
		kv = malloc(kv_cap * sizeof(*kv));
		str = malloc(str_cap);
		if (!kv || !str) {
			err = -ENOMEM;
			break;
		}
	}
	if (err || m.nlabels == 0)
		goto cleanup;
	out = calloc(m.nlabels, sizeof(*out));
	if (!out) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < m.nlabels; i++) {
		out[i].key = strdup(kv[i].key);
		out[i].value = strdup(kv[i].value);
		if (!out[i].key || !out[i].value) {
			kv_free(out, i + 1);
			out = NULL;
			err = -ENOMEM;
			goto cleanup;
		}
	}
	*labels = out;
	*nlabels = m.nlabels;
cleanup:
	if (kv != small_kv)
		free(kv);
	if (str != small_str)
		free(str);
	return err;
}

void k8s_watch_stats(struct k8s_watch *w, struct k8s_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (!w)
		return;
	out->lists = STAT_GET(w, lists);
	out->watch_events = STAT_GET(w, watch_events);
	out->relists = STAT_GET(w, relists);
	out->reconnects = STAT_GET(w, reconnects);
	out->errors = STAT_GET(w, errors);
	out->errors_connect = STAT_GET(w, errors_connect);
	out->errors_tls = STAT_GET(w, errors_tls);
	out->errors_auth = STAT_GET(w, errors_auth);
	out->errors_http = STAT_GET(w, errors_http);
	out->errors_parse = STAT_GET(w, errors_parse);
	out->lines_oversize = STAT_GET(w, lines_oversize);
	out->pods_dropped = STAT_GET(w, pods_dropped);
	out->pods = STAT_GET(w, pods);
	out->synced = STAT_GET(w, synced);
}

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

	r->last_data_ms = now_ms();
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
	r->last_data_ms = now_ms();
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
		if (stopping(w)) {
			res = RES_STOPPED;
			goto cleanup;
		}
		if (curl_multi_perform(w->multi, &running) != CURLM_OK)
			break;
		if (r->abort)
			break;
		if (r->watch && now_ms() - r->last_data_ms > idle_ms) {
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
		wlog(w, "%s of pods failed (%s error, status %ld): %.200s; retrying", what,
		     names[res], r->status, r->errmsg);
	w->failing = true;
}

static void recovered(struct k8s_watch *w)
{
	if (w->failing)
		wlog(w, "watching pods of node %s again", w->node_name);
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
static enum req_result do_list(struct k8s_watch *w)
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

		if (stopping(w)) {
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

static enum req_result do_watch(struct k8s_watch *w, uint64_t *lines)
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
static void backoff_sleep(struct k8s_watch *w, unsigned int *backoff_ms)
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
	while (!stopping(w)) {
		if (pthread_cond_timedwait(&w->stop_cond, &w->stop_lock, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&w->stop_lock);
}

static void *watch_main(void *arg)
{
	struct k8s_watch *w = arg;
	unsigned int backoff_ms = 0;
	bool need_list = true, first = true;

	while (!stopping(w)) {
		enum req_result res;
		uint64_t lines, started;

		if (!first)
			STAT_ADD(w, reconnects, 1);
		first = false;
		if (need_list) {
			res = do_list(w);
			if (res == RES_STOPPED)
				break;
			if (res == RES_GONE)
				continue;
			if (res != RES_OK) {
				backoff_sleep(w, &backoff_ms);
				continue;
			}
			need_list = false;
			backoff_ms = 0;
		}
		started = now_ms();
		res = do_watch(w, &lines);
		if (res == RES_STOPPED)
			break;
		if (lines)
			backoff_ms = 0;
		if (res == RES_GONE) {
			STAT_ADD(w, relists, 1);
			need_list = true;
			if (!lines)
				backoff_sleep(w, &backoff_ms);
			continue;
		}
		/* A clean end (timeoutSeconds) re-watches at once, unless the server closes watches
		 * as soon as they open. */
		if (res != RES_OK || (!lines && now_ms() - started < 1000))
			backoff_sleep(w, &backoff_ms);
	}
	return NULL;
}

int k8s_watch_start(struct k8s_watch *w)
{
	int err;

	if (!w)
		return -EINVAL;
	if (w->started)
		return -EALREADY;
	__atomic_store_n(&w->stop, 0, __ATOMIC_RELEASE);
	err = pthread_create(&w->thread, NULL, watch_main, w);
	if (err)
		return -err;
	w->started = true;
	return 0;
}

void k8s_watch_stop(struct k8s_watch *w)
{
	if (!w || !w->started)
		return;
	pthread_mutex_lock(&w->stop_lock);
	__atomic_store_n(&w->stop, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->stop_cond);
	pthread_mutex_unlock(&w->stop_lock);
	curl_multi_wakeup(w->multi);
	pthread_join(w->thread, NULL);
	w->started = false;
}
