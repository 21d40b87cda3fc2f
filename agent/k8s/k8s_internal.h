/* Internals of the Kubernetes pod watcher, shared by its files and its unit tests only.
 *
 * k8s_parse.c: JSON (cJSON) -> struct k8s_pod, list pages and watch events; the watch line splitter.
 * k8s_store.c: the pod set, indexed by uid and by container id. Not locked: k8s_watch.c locks it.
 * k8s_watch.c: the thread, its state machine, and the public lookup API (watcher.h: its state).
 * k8s_api.c: the requests to the API server (libcurl), failures, backoff.
 */
#ifndef OSP_K8S_INTERNAL_H
#define OSP_K8S_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "k8s/k8s.h"

struct cJSON;
struct k8s_pod;
struct k8s_store;

/* One container id of a pod, also the node of the store's container-id index. */
struct k8s_cid_node {
	char id[K8S_CID_MAX + 1];
	struct k8s_pod *pod;
	struct k8s_cid_node *next; /* bucket chain */
};

/* A pod, in one allocation: the struct, then labels[], cids[], then the strings. Free with free(). */
struct k8s_pod {
	struct k8s_pod *next; /* uid bucket chain */
	const char *uid;
	const char *name;
	const char *ns;
	struct osp_kv *labels; /* sorted by key */
	uint32_t nlabels;
	uint32_t ncids;
	struct k8s_cid_node *cids;
	size_t label_bytes; /* sum of key and value lengths + NULs: what a full copy needs */
};

/* ---- parser ---- */

/* Builds a pod from a v1 Pod object. Requires metadata.uid, metadata.name, metadata.namespace (strings
 * within the K8S_*_MAX bounds); labels that are not strings and container ids that are empty, too long
 * or without "scheme://" are skipped. Returns 0 and a new pod in *out (free()), -EBADMSG when a
 * required field is missing or invalid, -ENOMEM. */
int k8s_pod_from_json(const struct cJSON *obj, struct k8s_pod **out);

/* Strips "scheme://" from a container id as the API gives it ("containerd://<64hex>") and copies the
 * id into out[K8S_CID_MAX + 1]. A bare id (no scheme) is accepted too. Returns 0 or -EINVAL (empty,
 * too long, or characters outside [0-9A-Za-z._-]). */
int k8s_cid_normalize(const char *in, char *out);

enum k8s_event_type {
	K8S_EV_ADDED = 1,
	K8S_EV_MODIFIED,
	K8S_EV_DELETED,
	K8S_EV_BOOKMARK,
	K8S_EV_ERROR,
};

/* One parsed watch event. pod is set for ADDED/MODIFIED/DELETED (the caller owns it); rv is the
 * object's metadata.resourceVersion ("" when absent); code/message are an ERROR's Status fields. */
struct k8s_event {
	enum k8s_event_type type;
	struct k8s_pod *pod;
	char rv[64];
	int code;
	char message[256];
};

/* Parses one watch line {"type":..., "object":{...}}. Returns 0, -EBADMSG on malformed JSON, an
 * unknown type, or a pod event whose object is not a valid pod, -ENOMEM. On error nothing is owned. */
int k8s_event_parse(const char *line, size_t len, struct k8s_event *ev);

/* Parses one PodList page into store (items that are not valid pods are counted in *bad and skipped;
 * pods beyond max_pods are counted in *dropped). Copies metadata.resourceVersion into rv[rv_len] and
 * metadata.continue into cont[cont_len] ("" when absent). Returns 0, -EBADMSG when the body is not a
 * PodList or rv/continue do not fit, -ENOMEM. */
int k8s_list_parse(const char *body, size_t len, struct k8s_store *store, uint32_t max_pods,
		   char *rv, size_t rv_len, char *cont, size_t cont_len, uint64_t *bad,
		   uint64_t *dropped);

/* ---- watch line splitter ---- */

/* Splits a byte stream into '\n'-terminated lines ("\r\n" too; empty lines ignored), holding at most
 * max bytes of one line; a longer line is skipped up to its end and counted in oversize. */
struct k8s_linebuf {
	char *buf;
	size_t len;
	size_t cap;
	size_t max;
	bool skipping;
	uint64_t oversize;
};

/* Called per complete line (without the terminator; not NUL-terminated). A non-zero return stops the
 * feed and is returned by k8s_linebuf_feed(). */
typedef int (*k8s_line_fn)(void *ctx, const char *line, size_t len);

void k8s_linebuf_init(struct k8s_linebuf *lb, size_t max);
/* Feeds n bytes. Returns 0, the first non-zero on_line return, or -ENOMEM. */
int k8s_linebuf_feed(struct k8s_linebuf *lb, const char *data, size_t n, k8s_line_fn on_line,
		     void *ctx);
/* Drops a partial line (after a reconnect). */
void k8s_linebuf_reset(struct k8s_linebuf *lb);
/* Frees the buffer; accepts a zeroed or already-freed linebuf. */
void k8s_linebuf_fini(struct k8s_linebuf *lb);

/* ---- store ---- */

struct k8s_store {
	struct k8s_pod **uid_buckets;
	struct k8s_cid_node **cid_buckets;
	uint32_t uid_nbuckets; /* power of two */
	uint32_t cid_nbuckets; /* power of two */
	uint32_t npods;
	uint32_t ncids;
};

/* Initialises an empty store. Returns 0 or -ENOMEM. */
int k8s_store_init(struct k8s_store *s);
/* Frees every pod and the indexes; accepts a zeroed store. */
void k8s_store_fini(struct k8s_store *s);
/* Inserts pod (ownership passes to the store) replacing the pod with the same uid, which is unlinked
 * and returned in *old for the caller to free() (after dropping its lock), or NULL. Returns 0, or
 * -ENOMEM (pod not inserted, still the caller's). */
int k8s_store_upsert(struct k8s_store *s, struct k8s_pod *pod, struct k8s_pod **old);
/* Unlinks the pod with this uid and returns it (caller free()s), or NULL. */
struct k8s_pod *k8s_store_remove(struct k8s_store *s, const char *uid);
const struct k8s_pod *k8s_store_find_uid(const struct k8s_store *s, const char *uid);
/* Accepts a bare id or "scheme://id". */
const struct k8s_pod *k8s_store_find_cid(const struct k8s_store *s, const char *cid);

/* Copies a pod into lookup results, as k8s_pod_labels() documents. */
void k8s_pod_copy_out(const struct k8s_pod *p, struct k8s_pod_meta *meta, struct osp_kv *kv,
		      uint32_t kv_cap, char *str, size_t str_cap);

#endif
