/* The pod watcher: one thread that lists, then watches, the pods of this node over HTTPS (libcurl's
 * multi interface, so that a stop request wakes it at once), and the lookup API the event loop calls. The requests themselves are in k8s_api.c.
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
#include "k8s/watcher.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

pthread_once_t k8s_curl_once = PTHREAD_ONCE_INIT;
CURLcode k8s_curl_init_rc;

void k8s_curl_init_once(void)
{
	k8s_curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

uint64_t k8s_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool k8s_stopping(struct k8s_watch *w)
{
	return __atomic_load_n(&w->stop, __ATOMIC_ACQUIRE) != 0;
}

__attribute__((format(printf, 2, 3))) void k8s_wlog(struct k8s_watch *w, const char *fmt, ...)
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
	pthread_once(&k8s_curl_once, k8s_curl_init_once);
	if (k8s_curl_init_rc != CURLE_OK) {
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
	w->seed = (unsigned int)k8s_now_ms() ^ (unsigned int)getpid();
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

static void *watch_main(void *arg)
{
	struct k8s_watch *w = arg;
	unsigned int backoff_ms = 0;
	bool need_list = true, first = true;

	while (!k8s_stopping(w)) {
		enum req_result res;
		uint64_t lines, started;

		if (!first)
			STAT_ADD(w, reconnects, 1);
		first = false;
		if (need_list) {
			res = k8s_do_list(w);
			if (res == RES_STOPPED)
				break;
			if (res == RES_GONE)
				continue;
			if (res != RES_OK) {
				k8s_backoff_sleep(w, &backoff_ms);
				continue;
			}
			need_list = false;
			backoff_ms = 0;
		}
		started = k8s_now_ms();
		res = k8s_do_watch(w, &lines);
		if (res == RES_STOPPED)
			break;
		if (lines)
			backoff_ms = 0;
		if (res == RES_GONE) {
			STAT_ADD(w, relists, 1);
			need_list = true;
			if (!lines)
				k8s_backoff_sleep(w, &backoff_ms);
			continue;
		}
		/* A clean end (timeoutSeconds) re-watches at once, unless the server closes watches
		 * as soon as they open. */
		if (res != RES_OK || (!lines && k8s_now_ms() - started < 1000))
			k8s_backoff_sleep(w, &backoff_ms);
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
