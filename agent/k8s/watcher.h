/* The pod watcher's state and what its two files share: k8s_watch.c (the watcher: configuration,
 * lookups, the thread and its state machine) and k8s_api.c (the requests to the API server: list,
 * watch, authentication, failures, backoff). Internal to k8s/; its tests use k8s_internal.h. */
#ifndef OSP_K8S_WATCHER_H
#define OSP_K8S_WATCHER_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "k8s/k8s_internal.h"

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

extern pthread_once_t k8s_curl_once;
extern CURLcode k8s_curl_init_rc;
void k8s_curl_init_once(void);
/* CLOCK_MONOTONIC in ms. */
uint64_t k8s_now_ms(void);
/* Whether k8s_watch_stop() was asked. */
bool k8s_stopping(struct k8s_watch *w);
/* One line for the log (cfg.log, else stderr). */
__attribute__((format(printf, 2, 3))) void k8s_wlog(struct k8s_watch *w, const char *fmt, ...);

/* The requests (k8s_api.c). The list: every page into a new store, swapped in whole. */
enum req_result k8s_do_list(struct k8s_watch *w);
/* The watch from the last resourceVersion; *lines: events seen. */
enum req_result k8s_do_watch(struct k8s_watch *w, uint64_t *lines);
/* Sleeps the backoff (doubled, jittered, capped) or until a stop; updates *backoff_ms. */
void k8s_backoff_sleep(struct k8s_watch *w, unsigned int *backoff_ms);

#endif
