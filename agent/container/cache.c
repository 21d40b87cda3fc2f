/* The container cache: container id -> struct osp_container, filled from runtime state once.
 *
 * A fixed array of entries (allocated at creation, never moved, so pointers into it stay valid) with
 * a chained hash index over the 64-hex id. A known id costs a hash lookup and no allocation or I/O;
 * an entry whose runtime state was not found is re-read at most every retry_interval_ms. When the
 * array is full the least recently resolved entry is evicted (counted).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "container/meta.h"

#define DEFAULT_ENTRIES 4096
#define DEFAULT_RETRY_MS 5000
#define NIL (-1)

struct ct_entry {
	struct osp_container c; /* first: the pointer handed out */
	struct container_ref ref;
	uint64_t last_use_ms;
	uint64_t next_retry_ms;
	int32_t next; /* hash chain, or free list */
	bool used;
	bool pod_labels_pending; /* pod uid known, the provider did not know the pod yet */
};

struct container_cache {
	struct ct_paths paths;
	struct ct_entry *e;
	int32_t *buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t cap;
	uint32_t n;
	int32_t free_head;
	uint64_t retry_ms;
	container_pod_labels_fn pod_labels_fn;
	void *pod_labels_arg;
	struct container_cache_stats st;
	struct osp_container host;
};

/* Falco's container.type names, by runtime; OSP_RT_UNKNOWN_CONTAINER has none. */
static const char *const runtime_names[] = {
    [OSP_RT_HOST] = "host",  [OSP_RT_DOCKER] = "docker", [OSP_RT_CONTAINERD] = "containerd",
    [OSP_RT_CRIO] = "cri-o", [OSP_RT_PODMAN] = "podman",
};
#define NRUNTIME_NAMES (sizeof(runtime_names) / sizeof(runtime_names[0]))

const char *container_runtime_name(enum osp_runtime rt)
{
	return (unsigned int)rt < NRUNTIME_NAMES && runtime_names[rt] ? runtime_names[rt]
								      : "unknown";
}

int container_runtime_lookup(const char *name, enum osp_runtime *rt)
{
	size_t i;

	for (i = 0; name && i < NRUNTIME_NAMES; i++)
		if (runtime_names[i] && !strcmp(runtime_names[i], name)) {
			*rt = (enum osp_runtime)i;
			return 0;
		}
	return -1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t hash_id(const char *id)
{
	uint32_t h = 2166136261u;

	for (; *id; id++) {
		h ^= (uint8_t)*id;
		h *= 16777619u;
	}
	return h;
}

struct container_cache *container_cache_new(const struct container_cache_config *cfg)
{
	struct container_cache *cache;
	uint32_t i, cap;
	int err;

	cache = calloc(1, sizeof(*cache));
	if (!cache) {
		errno = ENOMEM;
		return NULL;
	}
	cap = cfg && cfg->max_entries ? cfg->max_entries : DEFAULT_ENTRIES;
	if (cap > (1u << 24)) {
		err = -EINVAL;
		goto cleanup;
	}
	cache->retry_ms = cfg && cfg->retry_interval_ms ? cfg->retry_interval_ms : DEFAULT_RETRY_MS;
	err = container_paths_init(&cache->paths, cfg ? &cfg->paths : NULL);
	if (err)
		goto cleanup;
	cache->cap = cap;
	for (cache->nbuckets = 16; cache->nbuckets < cap * 2; cache->nbuckets <<= 1)
		;
	cache->e = calloc(cap, sizeof(*cache->e));
	cache->buckets = malloc(cache->nbuckets * sizeof(*cache->buckets));
	if (!cache->e || !cache->buckets) {
		err = -ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < cache->nbuckets; i++)
		cache->buckets[i] = NIL;
	for (i = 0; i < cap; i++)
		cache->e[i].next = i + 1 < cap ? (int32_t)(i + 1) : NIL;
	cache->free_head = 0;
	cache->st.capacity = cap;
	container_init(&cache->host);
	cache->host.runtime = OSP_RT_HOST;
	memcpy(cache->host.full_id, "host", sizeof("host"));
	memcpy(cache->host.id, "host", sizeof("host"));
	cache->host.metadata_complete = true;
	return cache;
cleanup:
	container_cache_free(cache);
	errno = -err;
	return NULL;
}

void container_cache_free(struct container_cache *cache)
{
	uint32_t i;

	if (!cache)
		return;
	for (i = 0; cache->e && i < cache->cap; i++) {
		if (cache->e[i].used)
			container_clear(&cache->e[i].c);
	}
	free(cache->e);
	free(cache->buckets);
	container_paths_free(&cache->paths);
	free(cache);
}

void container_cache_set_pod_labels_provider(struct container_cache *cache,
					     container_pod_labels_fn fn, void *arg)
{
	if (!cache)
		return;
	cache->pod_labels_fn = fn;
	cache->pod_labels_arg = arg;
}

static struct ct_entry *find(const struct container_cache *cache, const char *id)
{
	int32_t i = cache->buckets[hash_id(id) & (cache->nbuckets - 1)];

	while (i != NIL) {
		if (strcmp(cache->e[i].c.full_id, id) == 0)
			return &cache->e[i];
		i = cache->e[i].next;
	}
	return NULL;
}

static void unlink_entry(struct container_cache *cache, struct ct_entry *ent)
{
	int32_t idx = (int32_t)(ent - cache->e);
	int32_t *pp = &cache->buckets[hash_id(ent->c.full_id) & (cache->nbuckets - 1)];

	while (*pp != NIL && *pp != idx)
		pp = &cache->e[*pp].next;
	if (*pp == idx)
		*pp = ent->next;
	container_clear(&ent->c);
	memset(ent, 0, sizeof(*ent));
	ent->next = cache->free_head;
	cache->free_head = idx;
	cache->n--;
}

/* Asks the provider for the pod's labels when the runtime state gave none. */
static void fill_pod_labels(struct container_cache *cache, struct ct_entry *ent)
{
	struct osp_kv *kv = NULL;
	uint32_t n = 0;
	int r;

	ent->pod_labels_pending = false;
	if (!cache->pod_labels_fn || !ent->c.pod_uid[0] || ent->c.npod_labels)
		return;
	r = cache->pod_labels_fn(cache->pod_labels_arg, ent->c.pod_uid, &kv, &n);
	if (r == 0) {
		ent->c.pod_labels = kv;
		ent->c.npod_labels = kv ? n : 0;
	} else if (r == -ENOENT) {
		ent->pod_labels_pending = true;
	}
}

/* Reads the runtime state of ent's container afresh. */
static void load_metadata(struct container_cache *cache, struct ct_entry *ent, uint64_t now)
{
	struct osp_container *c = &ent->c;
	const struct container_ref *ref = &ent->ref;
	int r = -ENOENT;

	container_clear(c);
	c->runtime = ref->runtime;
	switch (ref->runtime) {
	case OSP_RT_DOCKER:
		r = container_meta_docker(&cache->paths, ref->id, c);
		break;
	case OSP_RT_CONTAINERD:
		r = container_meta_containerd(&cache->paths, ref->ns, ref->id, c);
		if (r == -ENOENT) {
			/* the same cgroup shapes come from cri-dockerd or docker --cgroup-parent */
			container_clear(c);
			r = container_meta_docker(&cache->paths, ref->id, c);
			if (r == 0)
				c->runtime = OSP_RT_DOCKER;
		}
		break;
	case OSP_RT_CRIO:
		r = container_meta_crio(&cache->paths, ref->id, c);
		break;
	case OSP_RT_PODMAN:
		r = container_meta_podman(&cache->paths, ref->id, c);
		break;
	case OSP_RT_HOST:
	case OSP_RT_UNKNOWN_CONTAINER:
		break;
	}
	cache->st.mounts_dropped += c->mounts_dropped;
	if (r == 0) {
		c->metadata_complete = true;
	} else {
		if (r == -ENOENT)
			cache->st.metadata_missing++;
		else
			cache->st.metadata_errors++;
		ent->next_retry_ms = now + cache->retry_ms;
	}
	if (!c->pod_uid[0] && ref->pod_uid[0])
		container_set_str(&c->pod_uid, ref->pod_uid);
	fill_pod_labels(cache, ent);
	if (ent->pod_labels_pending)
		ent->next_retry_ms = now + cache->retry_ms;
}

static struct ct_entry *evict_lru(struct container_cache *cache)
{
	struct ct_entry *old = NULL;
	uint32_t i;

	for (i = 0; i < cache->cap; i++) {
		if (cache->e[i].used && (!old || cache->e[i].last_use_ms < old->last_use_ms))
			old = &cache->e[i];
	}
	if (old) {
		unlink_entry(cache, old);
		cache->st.evictions++;
	}
	return old;
}

const struct osp_container *container_resolve_ref(struct container_cache *cache,
						  const struct container_ref *ref)
{
	struct ct_entry *ent;
	uint64_t now;
	uint32_t b;
	int32_t idx;

	if (!cache || !ref)
		return NULL;
	if (ref->runtime == OSP_RT_HOST) {
		cache->st.host++;
		return &cache->host;
	}
	now = now_ms();
	ent = find(cache, ref->id);
	if (ent) {
		cache->st.hits++;
		ent->last_use_ms = now;
		if ((!ent->c.metadata_complete || ent->pod_labels_pending) &&
		    now >= ent->next_retry_ms) {
			cache->st.retries++;
			if (ent->c.metadata_complete)
				fill_pod_labels(cache, ent);
			else
				load_metadata(cache, ent, now);
			if (ent->pod_labels_pending)
				ent->next_retry_ms = now + cache->retry_ms;
		}
		return &ent->c;
	}
	cache->st.misses++;
	if (cache->free_head == NIL)
		evict_lru(cache);
	idx = cache->free_head;
	ent = &cache->e[idx];
	cache->free_head = ent->next;
	memset(ent, 0, sizeof(*ent));
	ent->used = true;
	ent->ref = *ref;
	ent->last_use_ms = now;
	container_init(&ent->c);
	memcpy(ent->c.full_id, ref->id, sizeof(ent->c.full_id));
	memcpy(ent->c.id, ref->id, 12);
	ent->c.id[12] = '\0';
	b = hash_id(ent->c.full_id) & (cache->nbuckets - 1);
	ent->next = cache->buckets[b];
	cache->buckets[b] = idx;
	cache->n++;
	load_metadata(cache, ent, now);
	return &ent->c;
}

const char *container_cgroup_of(const struct osp_proc *p, size_t *len)
{
	*len = 0;
	if (!p)
		return NULL;
	if (p->cgroup.p && p->cgroup.len && !(p->cgroup.len == 1 && p->cgroup.p[0] == '/')) {
		*len = p->cgroup.len;
		return p->cgroup.p;
	}
	if (p->cgroup_v1.p && p->cgroup_v1.len) {
		*len = p->cgroup_v1.len;
		return p->cgroup_v1.p;
	}
	if (p->cgroup.p) {
		*len = p->cgroup.len;
		return p->cgroup.p;
	}
	return NULL;
}

const struct osp_container *container_resolve(struct container_cache *cache,
					      const struct osp_proc *p)
{
	struct container_ref ref;
	const char *path;
	size_t len;

	if (!cache || !p)
		return NULL;
	path = container_cgroup_of(p, &len);
	container_id_from_cgroup(path, len, &ref);
	return container_resolve_ref(cache, &ref);
}

void container_cache_get_stats(const struct container_cache *cache,
			       struct container_cache_stats *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!cache)
		return;
	*out = cache->st;
	out->entries = cache->n;
	out->capacity = cache->cap;
}
