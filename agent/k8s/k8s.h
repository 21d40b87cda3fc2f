/* Pod metadata from the Kubernetes API: list and watch the pods of this node, off the event loop.
 *
 * One watcher thread lists the pods of the node (GET /api/v1/pods?fieldSelector=spec.nodeName=<node>),
 * then watches them from the list's resourceVersion, over HTTPS with the cluster CA and the
 * service-account bearer token. It keeps, per pod uid, the name, namespace, labels and the ids of the
 * pod's containers. The event loop asks with k8s_pod_labels() / k8s_pod_by_container(): these never
 * touch the network; they hold a mutex only for a hash lookup and a bounded copy.
 *
 * Lifecycle: k8s_watch_new() -> k8s_watch_start() -> lookups from any thread -> k8s_watch_free().
 */
#ifndef OSP_K8S_H
#define OSP_K8S_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "container/container.h" /* struct osp_kv */

#define K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
#define K8S_DEFAULT_TOKEN_PATH K8S_SA_DIR "/token"
#define K8S_DEFAULT_CA_PATH K8S_SA_DIR "/ca.crt"
#define K8S_DEFAULT_NS_PATH K8S_SA_DIR "/namespace"

/* Field sizes as the API bounds them (uid is a 36-char UUID; names are DNS subdomains, <= 253;
 * namespaces are DNS labels, <= 63), plus the NUL. Longer values are rejected by the parser. */
#define K8S_UID_MAX 64
#define K8S_NAME_MAX 254
#define K8S_NS_MAX 64
#define K8S_CID_MAX 64 /* container id without the "containerd://" scheme: 64 hex */

/* Watcher settings. A NULL string or a 0 number means "the default", which for the four strings is the
 * in-cluster environment: api_url from KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT, token and CA
 * from the service-account directory, node_name from NODE_NAME. Strings are copied by k8s_watch_new(). */
struct k8s_config {
	const char *api_url;		 /* "https://10.96.0.1:443" */
	const char *token_path;		 /* re-read before every request: tokens rotate */
	const char *ca_path;		 /* PEM bundle that signs the API server's certificate */
	const char *node_name;		 /* spec.nodeName to select */
	unsigned int backoff_initial_ms; /* first retry delay; default 500 */
	unsigned int backoff_max_ms;	 /* cap of the exponential backoff; default 30000 */
	unsigned int connect_timeout_ms; /* TCP+TLS connect; default 10000 */
	unsigned int list_timeout_ms;	 /* one list page, whole transfer; default 60000 */
	unsigned int watch_timeout_s;	 /* timeoutSeconds asked of the server; default 300 */
	unsigned int list_page_size;	 /* limit= per list page; default 500 */
	unsigned int max_pods;		 /* pods kept; more are counted and dropped; default 8192 */
	size_t max_line;		 /* longest watch line accepted; default 4 MiB */
	size_t max_list_body;		 /* largest list page accepted; default 64 MiB */
	/* Where state changes are reported (first failure after success, recovery; never the token).
	 * NULL: stderr. Called from the watcher thread. */
	void (*log)(void *ctx, const char *msg);
	void *log_ctx;
};

/* Counters, all monotonic except pods/synced. Read with k8s_watch_stats(). */
struct k8s_stats {
	uint64_t lists;		 /* complete lists (all pages) that replaced the pod set */
	uint64_t watch_events;	 /* ADDED, MODIFIED, DELETED and BOOKMARK events applied */
	uint64_t relists;	 /* lists forced by 410 Gone (HTTP status or ERROR event) */
	uint64_t reconnects;	 /* requests made again after a failure or a closed watch */
	uint64_t errors;	 /* every failure below, summed */
	uint64_t errors_connect; /* could not connect / connection lost mid-stream */
	uint64_t errors_tls;	 /* certificate verification or handshake failed */
	uint64_t errors_auth;	 /* 401/403 from the server, or the token file unreadable */
	uint64_t errors_http;	 /* any other unexpected HTTP status */
	uint64_t errors_parse; /* malformed JSON lines/bodies or objects missing required fields */
	uint64_t lines_oversize; /* watch lines longer than max_line, skipped */
	uint64_t pods_dropped;	 /* pods not kept because max_pods was reached */
	uint64_t pods;		 /* pods known now */
	bool synced;		 /* a list has completed at least once: lookups are meaningful */
};

/* Identity of a pod as a lookup returns it. Labels go into caller storage (see k8s_pod_labels()). */
struct k8s_pod_meta {
	char uid[K8S_UID_MAX];
	char name[K8S_NAME_MAX];
	char ns[K8S_NS_MAX];
	/* labels copied into the caller's array */
	uint32_t nlabels;
	/* labels the pod has: more than nlabels when the caller's storage was too small */
	uint32_t labels_total;
	/* str bytes that a copy of all the labels needs (keys, values and their NULs) */
	size_t labels_bytes;
};

struct k8s_watch;

/* Fills every unset string of *cfg from the in-cluster environment (see struct k8s_config). The URL is
 * written into url_buf[url_len]; the other strings point into the environment or are constants, so
 * they live as long as the environment is not changed. Returns 0 when the result is complete, -ENOENT
 * when not running in a cluster (KUBERNETES_SERVICE_HOST unset, or the default token file missing),
 * -EINVAL when NODE_NAME is unset and no node_name was given, -ENAMETOOLONG when the URL does not
 * fit. Not thread-safe (getenv). */
int k8s_config_from_env(struct k8s_config *cfg, char *url_buf, size_t url_len);

/* Creates a watcher (no thread, no network yet). Unset fields are resolved as k8s_config_from_env()
 * does. Returns NULL with errno set: ENOENT when not in a cluster, EINVAL on a bad config, ENOMEM.
 * Free with k8s_watch_free(). */
struct k8s_watch *k8s_watch_new(const struct k8s_config *cfg);

/* Starts the watcher thread. Returns 0, -EALREADY if started, or -errno from pthread_create. */
int k8s_watch_start(struct k8s_watch *w);

/* Stops the watcher thread and waits for it (promptly: it never sleeps through a stop request).
 * Known pods stay available to lookups. Safe to call when not started and more than once; not
 * concurrently with k8s_watch_start() or k8s_watch_free(). */
void k8s_watch_stop(struct k8s_watch *w);

/* Stops the thread if running and frees everything. Accepts NULL. No lookup may run concurrently. */
void k8s_watch_free(struct k8s_watch *w);

/* Looks up a pod by uid. Fills *meta, and copies up to kv_cap labels (sorted by key) into kv[], their
 * strings into str[0..str_cap); kv/str may be NULL with a 0 cap for identity only. kv[] pointers are
 * into str and stay valid as long as the caller's buffer does. Returns 0, -ENOENT when the pod is not
 * known, -EINVAL on bad arguments. Thread-safe; never blocks on the network; allocates nothing. */
int k8s_pod_labels(struct k8s_watch *w, const char *pod_uid, struct k8s_pod_meta *meta,
		   struct osp_kv *kv, uint32_t kv_cap, char *str, size_t str_cap);

/* Like k8s_pod_labels(), by the id of one of the pod's containers (regular, init or ephemeral): the
 * 64-hex id, or the API's "containerd://<id>" form. Same returns and guarantees. */
int k8s_pod_by_container(struct k8s_watch *w, const char *container_id, struct k8s_pod_meta *meta,
			 struct osp_kv *kv, uint32_t kv_cap, char *str, size_t str_cap);

/* Pod labels in the form the container cache's provider hook wants (container_pod_labels_fn in
 * container/container.h): arg is the struct k8s_watch. On success returns 0 with *labels a malloc()ed
 * array of *nlabels entries whose keys and values are each malloc()ed: the caller owns and frees them
 * (NULL and 0 for a pod without labels). Returns -ENOENT when the pod is not known (not listed yet, or
 * gone), -EAGAIN when the pod kept changing while being copied, -EINVAL, -ENOMEM. Thread-safe; never
 * blocks on the network; allocates outside the lock.
 * Wire it with container_cache_set_pod_labels_provider(cache, k8s_pod_labels_dup, watch). */
int k8s_pod_labels_dup(void *arg, const char *pod_uid, struct osp_kv **labels, uint32_t *nlabels);

struct container_cache;

/* Makes w the pod-labels provider of cache (k8s_pod_labels_dup): a container whose pod uid the
 * runtime state gave, but not its labels (containerd without its sandbox's labels), gets them from
 * the watcher's memory, asked again after the cache's retry interval while the pod is unknown.
 * w NULL detaches (do that before k8s_watch_free() when the cache outlives the watcher). Call on the
 * thread that owns the cache. Returns 0, or -EINVAL when cache is NULL. */
int k8s_attach_to_containers(struct k8s_watch *w, struct container_cache *cache);

/* Copies a consistent-enough snapshot of the counters (each read atomically). Thread-safe. */
void k8s_watch_stats(struct k8s_watch *w, struct k8s_stats *out);

#endif
