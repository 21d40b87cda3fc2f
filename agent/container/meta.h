/* Internal to container/: runtime state readers, bounded file reads and a read-only bolt reader.
 * Exposed in a header so that the unit tests can drive each reader against files they write.
 */
#ifndef OSP_CONTAINER_META_H
#define OSP_CONTAINER_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "container/container.h"

#define CT_FILE_MAX (4u << 20)	 /* largest JSON state file read (containers.json included) */
#define CT_LABELS_MAX 256	 /* labels kept per container or pod; the rest are dropped */
#define CT_VALUE_MAX 4096	 /* longest label value kept */
#define CT_BOLT_MAX (1ull << 30) /* largest bolt database mapped */

/* Every state location, already joined to host_root. Owned by the cache. */
struct ct_paths {
	char *host_root;
	char *containerd_state;
	char *containerd_meta; /* .../io.containerd.metadata.v1.bolt/meta.db */
	char *docker_data_root;
	char *containers_storage;
	char *containers_runroot;
	char *podman_db;
	unsigned int cap_last_cap; /* from <host_root>/proc/sys/kernel/cap_last_cap, default 40 */
};

/* Fills p from cfg (NULL members: defaults). Returns 0 or -ENOMEM; free with container_paths_free(). */
int container_paths_init(struct ct_paths *p, const struct container_paths *cfg);
void container_paths_free(struct ct_paths *p);

/* The "" every unknown string of a struct osp_container points to; never freed. */
extern char container_empty[1];

/* Sets every string of c to "" and every count to 0, privileged to -1 (a fresh, empty container). */
void container_init(struct osp_container *c);
/* Frees what c owns and leaves it as container_init() does. Accepts NULL. */
void container_clear(struct osp_container *c);
/* Replaces *dst by a copy of src (NULL or "" -> container_empty). Returns 0 or -ENOMEM. */
int container_set_str(char **dst, const char *src);
/* Frees n labels and the array. Accepts NULL. */
void container_labels_free(struct osp_kv *kv, uint32_t n);
/* Sets c's image and its parts from ref. Returns 0 or -errno. */
int container_set_image(struct osp_container *c, const char *ref);

/* Reads a whole regular file of at most max bytes into a new NUL-terminated buffer (free()).
 * Returns 0, -ENOENT, -EFBIG when larger than max, or another -errno. */
int container_read_file(const char *path, size_t max, char **buf, size_t *len);
/* container_read_file() + cJSON parse. Returns 0, a read error, or -EBADMSG for malformed JSON. */
int container_json_load(const char *path, cJSON **out);

/* ---- mounts (mount.c) ---- */

/* Appends a mount to c (strings copied; NULL or "" -> ""). A mount without a destination, with a
 * member over CT_VALUE_MAX, or past OSP_CT_MOUNTS_MAX is dropped and counted in c->mounts_dropped,
 * not an error. Returns 0 or -ENOMEM. */
int container_mount_add(struct osp_container *c, const char *source, const char *dest,
			const char *mode, bool rdwr, const char *propagation);
/* Frees n mounts and the array. Accepts NULL. */
void container_mounts_free(struct osp_mount *m, uint32_t n);
/* Docker's config.v2.json "MountPoints" (an object keyed by destination; an array is accepted too):
 * Source, Destination, RW, Mode (config.v2.json: "Relabel"), Propagation. Malformed entries are
 * skipped and counted. Returns 0 or -ENOMEM. */
int container_mounts_from_docker(const cJSON *mount_points, struct osp_container *c);
/* The bind mounts of an OCI runtime config's "mounts" (type "bind" or option bind/rbind; proc,
 * sysfs, tmpfs... are the runtime's own and left out): rdwr unless option "ro", propagation from
 * the options ("rprivate", "rshared", ...), mode "". Malformed entries are skipped and counted.
 * Returns 0 or -ENOMEM. */
int container_mounts_from_oci(const cJSON *oci_config, struct osp_container *c);

/* Runtime readers. Each fills what it finds in c (strings replaced, labels appended to what is
 * there) and returns 0 when the container's state was read, -ENOENT when the runtime has no state
 * for this id, -EBADMSG for malformed state (what could be read is kept), -EFBIG, -ENOMEM. */
int container_meta_docker(const struct ct_paths *p, const char *id, struct osp_container *c);
int container_meta_containerd(const struct ct_paths *p, const char *ns, const char *id,
			      struct osp_container *c);
int container_meta_crio(const struct ct_paths *p, const char *id, struct osp_container *c);
int container_meta_podman(const struct ct_paths *p, const char *id, struct osp_container *c);

/* Read-only view of a bolt (bbolt) database file, as containerd and podman keep their metadata. */
struct ct_bolt;
struct ct_bolt_bucket {
	uint64_t root;		  /* page id, 0 for an inline bucket */
	const uint8_t *inline_pg; /* the inline page, when root == 0 */
	size_t inline_len;
};

/* Maps path read-only. Returns 0 with *out (free with container_bolt_close()), -ENOENT, -EBADMSG when the
 * file is not a valid bolt database, -EFBIG, or another -errno. */
int container_bolt_open(const char *path, struct ct_bolt **out);
void container_bolt_close(struct ct_bolt *db);
/* The top-level bucket of db. */
struct ct_bolt_bucket container_bolt_root(const struct ct_bolt *db);
/* Looks key up in bucket b. Returns 1 with *val and *vlen set (pointing into the map, valid until
 * container_bolt_close()) and *is_bucket telling whether it is a nested bucket, 0 when absent, -EBADMSG. */
int container_bolt_get(const struct ct_bolt *db, const struct ct_bolt_bucket *b, const char *key,
		       const uint8_t **val, size_t *vlen, int *is_bucket);
/* Opens the nested bucket key of b into *out. Returns 1, 0 when absent (or not a bucket), -EBADMSG. */
int container_bolt_bucket(const struct ct_bolt *db, const struct ct_bolt_bucket *b, const char *key,
			  struct ct_bolt_bucket *out);
/* Calls fn for every plain key/value pair of b in key order; stops when fn returns non-zero and
 * returns that value. Returns 0 when done, -EBADMSG for a damaged tree. */
typedef int (*container_bolt_fn)(void *arg, const uint8_t *k, size_t klen, const uint8_t *v,
				 size_t vlen);
int container_bolt_foreach(const struct ct_bolt *db, const struct ct_bolt_bucket *b,
			   container_bolt_fn fn, void *arg);

/* ---- what the runtime readers (runtimes.c) share, meta.c ---- */

/* Sets key=value in the label array (replacing the value of a key already there). Labels past
 * CT_LABELS_MAX and values longer than CT_VALUE_MAX are dropped, not an error. Returns 0 or
 * -ENOMEM. */
int container_label_set(struct osp_kv **kv, uint32_t *n, const char *key, const char *value);
/* Labels kubelet and the CRI runtimes add to every pod or container; not the pod's own labels. */
bool container_is_runtime_label(const char *key);
/* Copies the string members of JSON object obj into the label array; with pod_only, leaves out
 * the runtime's own labels. */
int container_labels_from_json(const cJSON *obj, bool pod_only, struct osp_kv **kv, uint32_t *n);
/* obj[key] when a string (an object), else NULL. */
const char *container_jstr(const cJSON *obj, const char *key);
const cJSON *container_jobj(const cJSON *obj, const char *key);
/* Privileged from an OCI config: every capability of the kernel in the bounding set (what
 * --privileged gives) -> 1, fewer -> 0, no capabilities section -> unchanged. */
void container_oci_privileged(const struct ct_paths *p, const cJSON *cfg, struct osp_container *c);

#endif
