/* Container identity and metadata, as the rule fields container.* and k8s.* read it.
 *
 * Contract shared by container/ (which fills it) and agent/fields/ (which reads it). A struct
 * osp_container is owned by the container cache; pointers to it stay valid until the cache evicts it
 * (container_resolve() of another container, when the cache is full), which never happens while an
 * event that points to it is being processed. Strings are NUL-terminated, "" when unknown (fields
 * report an unknown string as missing, never as "").
 */
#ifndef OSP_CONTAINER_H
#define OSP_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OSP_CT_ID_LEN 64

enum osp_runtime {
	OSP_RT_HOST = 0, /* not a container: container.id = "host" */
	OSP_RT_DOCKER,
	OSP_RT_CONTAINERD,
	OSP_RT_CRIO,
	OSP_RT_PODMAN,
	OSP_RT_UNKNOWN_CONTAINER, /* clearly a container cgroup, runtime not recognised */
};

struct osp_kv {
	char *key;
	char *value;
};

/* One mount of a container, as Falco's container.mount* fields give it. Strings NUL-terminated, ""
 * when the runtime records none (mode and propagation often). */
struct osp_mount {
	char *source;	   /* host path (or volume/filesystem name) mounted */
	char *dest;	   /* where it appears in the container */
	char *mode;	   /* docker's mode string ("ro", "z", ...); "" for OCI bundles */
	bool rdwr;	   /* mounted read-write */
	char *propagation; /* "rprivate", "rshared", "rslave", ... or "" */
};

struct osp_container {
	enum osp_runtime runtime;
	char full_id[OSP_CT_ID_LEN + 1]; /* 64 hex; "host" for the host */
	char id[13];			 /* first 12 characters; "host" for the host */
	char *name;
	char *image;		/* as the runtime records it, e.g. "docker.io/library/nginx:1.25" */
	char *image_repository; /* "docker.io/library/nginx" */
	char *image_tag;	/* "1.25" */
	char *image_digest;	/* "sha256:..." where known */
	int privileged;		/* 1, 0, or -1 when unknown */
	struct osp_kv *labels;	/* container labels */
	uint32_t nlabels;
	char *pod_name;
	char *pod_uid;
	char *pod_namespace;
	struct osp_kv *pod_labels;
	uint32_t npod_labels;
	bool metadata_complete;	  /* false while runtime state was not (yet) found */
	char *image_id;		  /* the runtime's image id ("sha256:..."), where known */
	char *sandbox_id;	  /* CRI: the pod sandbox's container id */
	bool is_sandbox;	  /* CRI: this is the pod's sandbox (pause) container */
	struct osp_mount *mounts; /* in the runtime's order; at most OSP_CT_MOUNTS_MAX */
	uint32_t nmounts;
	uint32_t mounts_dropped; /* malformed entries or past OSP_CT_MOUNTS_MAX: not kept */
};

#define OSP_CT_MOUNTS_MAX 256

/* ---- mounts (container.mount*, container.mounts): lookups for the field extractors ----
 * None allocates or does I/O; the returned pointers live as long as c (see above). Matching follows
 * Falco (libsinsp sinsp_container_info::mount_by_source/mount_by_dest): fnmatch(glob, path, 0), the
 * first match in mount order wins. */

/* The idx-th mount (0-based), or NULL when c is NULL or has fewer mounts. */
const struct osp_mount *container_mount_at(const struct osp_container *c, uint32_t idx);

/* The first mount whose source (host path) matches glob, or NULL (also for NULL c or glob). */
const struct osp_mount *container_mount_by_source(const struct osp_container *c, const char *glob);

/* The first mount whose destination (path in the container) matches glob, or NULL. */
const struct osp_mount *container_mount_by_dest(const struct osp_container *c, const char *glob);

/* A field argument X of container.mount*[X] resolved as Falco does: X made only of decimal digits
 * (at most 9) is an index (container_mount_at()); anything else is a glob matched against the
 * source (by_dest false: container.mount, .dest, .mode, .rdwr, .propagation) or against the
 * destination (by_dest true: container.mount.source). NULL when nothing matches. */
const struct osp_mount *container_mount_select(const struct osp_container *c, const char *arg,
					       bool by_dest);

/* Formats m as Falco's container.mount: "source:dest:mode:true|false:propagation", into buf of size
 * len (always NUL-terminated when len > 0). Returns the length the whole text needs, like
 * snprintf(): a result >= len means it was truncated. -EINVAL for NULL m. */
int container_mount_format(const struct osp_mount *m, char *buf, size_t len);

/* Formats every mount of c as Falco's container.mounts: the container_mount_format() texts joined by
 * ",", "" when c has none. Same buffer and return contract as container_mount_format(). */
int container_mounts_format(const struct osp_container *c, char *buf, size_t len);

/* Runtime name as Falco's container.type gives it: "docker", "containerd", "cri-o", "podman", "host";
 * "unknown" for OSP_RT_UNKNOWN_CONTAINER and out of range. */
const char *container_runtime_name(enum osp_runtime rt);
/* The runtime named name (one of the names above but "unknown"): 0 and *rt, or -1. */
int container_runtime_lookup(const char *name, enum osp_runtime *rt);

/* ---- container/ module API (cgroup parsing, runtime metadata, cache) ---- */

struct osp_proc; /* event.h */

#define OSP_CT_NS_LEN 63      /* longest containerd namespace kept */
#define OSP_CT_POD_UID_LEN 63 /* longest pod uid kept (normally 36, or 32 for static pods) */

/* What a cgroup path says about its process, before any runtime state is read. */
struct container_ref {
	enum osp_runtime runtime;   /* OSP_RT_HOST when the path names no container */
	char id[OSP_CT_ID_LEN + 1]; /* 64 lowercase hex, or "host" */
	char ns[OSP_CT_NS_LEN + 1]; /* containerd namespace of "/<ns>/<id>", else "" */
	/* pod uid from a kubepods path ('_' read as '-'), else "" */
	char pod_uid[OSP_CT_POD_UID_LEN + 1];
};

/* Parses a cgroup path (not necessarily NUL-terminated: len bytes are read) into a container reference.
 * Recognised (each with a 64-hex id; sub-cgroups below the container's own are the same container):
 *   /docker/<id>, .../docker-<id>.scope                                   -> docker
 *   /<namespace>/<id>, .../cri-containerd-<id>.scope                        -> containerd
 *   /kubepods[/<qos>]/pod<uid>/<id>                                         -> containerd (or cri-dockerd,
 *                                                                              told apart by runtime state)
 *   .../crio-<id>.scope, .../crio-<id>                                      -> cri-o
 *   .../libpod-<id>.scope, /libpod_parent/libpod-<id>                        -> podman
 * Anything else (the root, conmon cgroups, /process_api/<32hex>, short or non-hex ids, junk after the
 * id, paths of 4 KiB or more) is the host: out->runtime = OSP_RT_HOST, out->id = "host".
 * When several components match, the one nearest the root wins: a container may create cgroups below
 * its own, but cannot move above it, so it cannot pass itself off as another container.
 * Never allocates. Returns 0, or -EINVAL when out is NULL (path may be NULL only with len 0). */
int container_id_from_cgroup(const char *path, size_t len, struct container_ref *out);

/* The path container_resolve() parses: p->cgroup (v2), unless it is absent or "/", then p->cgroup_v1.
 * Sets *len; returns NULL (and *len = 0) when neither is set. */
const char *container_cgroup_of(const struct osp_proc *p, size_t *len);

/* An image reference split into its parts; every string malloc()ed (free with container_image_clear()).
 * "localhost:5000/x:1" -> repository "localhost:5000/x", tag "1"; "nginx" -> tag "latest";
 * "repo@sha256:..." -> digest "sha256:...", tag "" (no tag was given; none is implied). */
struct container_image {
	char *repository;
	char *tag;
	char *digest;
};

/* Splits ref into *out. Returns 0, -EINVAL for NULL or empty ref, -ENOMEM. On error *out is empty. */
int container_image_parse(const char *ref, struct container_image *out);
void container_image_clear(struct container_image *img);

/* Where each runtime keeps its state on the host. NULL members take the default; every path is taken
 * below host_root ("/" on the host, e.g. "/host" in a DaemonSet that mounts the host's / there). */
struct container_paths {
	const char *host_root; /* default "/" */
	const char
	    *containerd_state; /* default /run/containerd: <state>/io.containerd.runtime.v2.task/ */
	const char *
	    containerd_root; /* default /var/lib/containerd: io.containerd.metadata.v1.bolt/meta.db */
	const char *docker_data_root; /* default /var/lib/docker: containers/<id>/config.v2.json */
	const char *containers_storage; /* default /var/lib/containers/storage (CRI-O, podman) */
	const char *containers_runroot; /* default /run/containers/storage (CRI-O bundles) */
	const char *podman_db;		/* default <containers_storage>/libpod/bolt_state.db */
};

struct container_cache_config {
	struct container_paths paths;
	uint32_t max_entries; /* containers kept; default 4096 */
	uint32_t
	    retry_interval_ms; /* least time between two metadata reads of one container; default 5000 */
};

struct container_cache_stats {
	uint64_t entries;
	uint64_t capacity;
	uint64_t hits;	    /* resolves of a known container id */
	uint64_t misses;    /* first sight of a container id (metadata read) */
	uint64_t host;	    /* resolves that found the host */
	uint64_t evictions; /* entries dropped because the cache was full */
	uint64_t retries;   /* metadata re-reads of incomplete entries */
	uint64_t
	    metadata_missing; /* reads that found no state for the id (gone, or not yet there) */
	uint64_t metadata_errors; /* reads that found malformed or unreadable state */
	uint64_t mounts_dropped;  /* mounts not kept (malformed, or past OSP_CT_MOUNTS_MAX) */
};

struct container_cache;

/* Fills pod labels for the pod with uid pod_uid. On success returns 0 with *labels an array of *nlabels
 * entries, the array and every key and value malloc()ed: the cache takes ownership. Returns -ENOENT
 * when the pod is not known (yet; the cache asks again later), another -errno on failure. Called on
 * the event loop: it must answer from memory (e.g. a Kubernetes watcher's cache), never block. */
typedef int (*container_pod_labels_fn)(void *arg, const char *pod_uid, struct osp_kv **labels,
				       uint32_t *nlabels);

/* Returns a new cache, or NULL with errno set. cfg may be NULL (all defaults); its strings are copied.
 * Free with container_cache_free(). */
struct container_cache *container_cache_new(const struct container_cache_config *cfg);
void container_cache_free(struct container_cache *cache);

/* Sets (fn != NULL) or removes the pod-labels provider. Pod labels already found in runtime state
 * (CRI-O sandbox, containerd sandbox) are kept; the provider fills them where they are missing. */
void container_cache_set_pod_labels_provider(struct container_cache *cache,
					     container_pod_labels_fn fn, void *arg);

/* The container of process p, never NULL for a non-NULL cache and p: the host's static entry for a
 * host process. On first sight of a container id reads its runtime state (a few small files); a known
 * id is a hash lookup that neither allocates nor does I/O, except that an entry whose metadata is
 * incomplete (state not found yet, or already gone) is re-read at most every retry_interval_ms.
 * The pointer stays valid until an eviction removes the entry. */
const struct osp_container *container_resolve(struct container_cache *cache,
					      const struct osp_proc *p);

/* Same, from a parsed reference. */
const struct osp_container *container_resolve_ref(struct container_cache *cache,
						  const struct container_ref *ref);

void container_cache_get_stats(const struct container_cache *cache,
			       struct container_cache_stats *out);

#endif
