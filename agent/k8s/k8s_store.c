/* The pod set: chained hash tables by pod uid and by container id, with intrusive nodes (the pod and
 * its k8s_cid_node array are one allocation), so an insert or a removal allocates nothing except when a
 * table doubles. Not locked here: k8s_watch.c serialises writers and readers with its mutex.
 */
#include "k8s/k8s_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define STORE_INITIAL_BUCKETS 64

/* FNV-1a, 32 bit. */
static uint32_t str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s) {
		h ^= (unsigned char)*s++;
		h *= 16777619u;
	}
	return h;
}

int k8s_store_init(struct k8s_store *s)
{
	memset(s, 0, sizeof(*s));
	s->uid_buckets = calloc(STORE_INITIAL_BUCKETS, sizeof(*s->uid_buckets));
	s->cid_buckets = calloc(STORE_INITIAL_BUCKETS, sizeof(*s->cid_buckets));
	if (!s->uid_buckets || !s->cid_buckets) {
		free(s->uid_buckets);
		free(s->cid_buckets);
		memset(s, 0, sizeof(*s));
		return -ENOMEM;
	}
	s->uid_nbuckets = s->cid_nbuckets = STORE_INITIAL_BUCKETS;
	return 0;
}

void k8s_store_fini(struct k8s_store *s)
{
	uint32_t i;

	if (!s)
		return;
	for (i = 0; i < s->uid_nbuckets; i++) {
		struct k8s_pod *p = s->uid_buckets[i];

		while (p) {
			struct k8s_pod *next = p->next;

			free(p);
			p = next;
		}
	}
	free(s->uid_buckets);
	free(s->cid_buckets);
	memset(s, 0, sizeof(*s));
}

static int grow_uid(struct k8s_store *s)
{
	uint32_t n = s->uid_nbuckets * 2, i;
	struct k8s_pod **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (i = 0; i < s->uid_nbuckets; i++) {
		struct k8s_pod *p = s->uid_buckets[i];

		while (p) {
			struct k8s_pod *next = p->next;
			uint32_t b = str_hash(p->uid) & (n - 1);

			p->next = nb[b];
			nb[b] = p;
			p = next;
		}
	}
	free(s->uid_buckets);
	s->uid_buckets = nb;
	s->uid_nbuckets = n;
	return 0;
}

static int grow_cid(struct k8s_store *s)
{
	uint32_t n = s->cid_nbuckets * 2, i;
	struct k8s_cid_node **nb = calloc(n, sizeof(*nb));

	if (!nb)
		return -ENOMEM;
	for (i = 0; i < s->cid_nbuckets; i++) {
		struct k8s_cid_node *c = s->cid_buckets[i];

		while (c) {
			struct k8s_cid_node *next = c->next;
			uint32_t b = str_hash(c->id) & (n - 1);

			c->next = nb[b];
			nb[b] = c;
			c = next;
		}
	}
	free(s->cid_buckets);
	s->cid_buckets = nb;
	s->cid_nbuckets = n;
	return 0;
}

static void unlink_cids(struct k8s_store *s, struct k8s_pod *p)
{
	uint32_t i;

	for (i = 0; i < p->ncids; i++) {
		struct k8s_cid_node **pp =
		    &s->cid_buckets[str_hash(p->cids[i].id) & (s->cid_nbuckets - 1)];

		while (*pp && *pp != &p->cids[i])
			pp = &(*pp)->next;
		if (*pp) {
			*pp = p->cids[i].next;
			s->ncids--;
		}
		p->cids[i].next = NULL;
	}
}

struct k8s_pod *k8s_store_remove(struct k8s_store *s, const char *uid)
{
	struct k8s_pod **pp = &s->uid_buckets[str_hash(uid) & (s->uid_nbuckets - 1)];
	struct k8s_pod *p;

	while (*pp && strcmp((*pp)->uid, uid) != 0)
		pp = &(*pp)->next;
	p = *pp;
	if (!p)
		return NULL;
	*pp = p->next;
	p->next = NULL;
	s->npods--;
	unlink_cids(s, p);
	return p;
}

int k8s_store_upsert(struct k8s_store *s, struct k8s_pod *pod, struct k8s_pod **old)
{
	uint32_t b, i;

	*old = NULL;
	/* Grow first, so that a failure leaves the store unchanged. */
	if (s->npods + 1 > s->uid_nbuckets && grow_uid(s) != 0)
		return -ENOMEM;
	while (s->ncids + pod->ncids > s->cid_nbuckets) {
		if (grow_cid(s) != 0)
			return -ENOMEM;
	}
	*old = k8s_store_remove(s, pod->uid);
	b = str_hash(pod->uid) & (s->uid_nbuckets - 1);
	pod->next = s->uid_buckets[b];
	s->uid_buckets[b] = pod;
	s->npods++;
	for (i = 0; i < pod->ncids; i++) {
		struct k8s_cid_node *c = &pod->cids[i];

		b = str_hash(c->id) & (s->cid_nbuckets - 1);
		c->pod = pod;
		c->next = s->cid_buckets[b];
		s->cid_buckets[b] = c;
		s->ncids++;
	}
	return 0;
}

const struct k8s_pod *k8s_store_find_uid(const struct k8s_store *s, const char *uid)
{
	const struct k8s_pod *p;

	if (!s->uid_nbuckets)
		return NULL;
	p = s->uid_buckets[str_hash(uid) & (s->uid_nbuckets - 1)];
	while (p && strcmp(p->uid, uid) != 0)
		p = p->next;
	return p;
}

const struct k8s_pod *k8s_store_find_cid(const struct k8s_store *s, const char *cid)
{
	char id[K8S_CID_MAX + 1];
	const struct k8s_cid_node *c;

	if (!s->cid_nbuckets || k8s_cid_normalize(cid, id) != 0)
		return NULL;
	c = s->cid_buckets[str_hash(id) & (s->cid_nbuckets - 1)];
	while (c && strcmp(c->id, id) != 0)
		c = c->next;
	return c ? c->pod : NULL;
}

static void copy_trunc(char *dst, size_t dst_len, const char *src)
{
	size_t n = strlen(src);

	if (n >= dst_len)
		n = dst_len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

void k8s_pod_copy_out(const struct k8s_pod *p, struct k8s_pod_meta *meta, struct osp_kv *kv,
		      uint32_t kv_cap, char *str, size_t str_cap)
{
	size_t used = 0;
	uint32_t i;

	copy_trunc(meta->uid, sizeof(meta->uid), p->uid);
	copy_trunc(meta->name, sizeof(meta->name), p->name);
	copy_trunc(meta->ns, sizeof(meta->ns), p->ns);
	meta->labels_total = p->nlabels;
	meta->labels_bytes = p->label_bytes;
	meta->nlabels = 0;
	if (!kv || !str)
		return;
	for (i = 0; i < p->nlabels && i < kv_cap; i++) {
		size_t kl = strlen(p->labels[i].key) + 1;
		size_t vl = strlen(p->labels[i].value) + 1;

		if (str_cap - used < kl + vl)
			break;
		kv[i].key = memcpy(str + used, p->labels[i].key, kl);
		used += kl;
		kv[i].value = memcpy(str + used, p->labels[i].value, vl);
		used += vl;
		meta->nlabels++;
	}
}
