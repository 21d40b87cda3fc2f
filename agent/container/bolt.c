/* A read-only reader of bolt (bbolt) database files: containerd's meta.db and podman's bolt_state.db
 * hold the labels that the OCI bundles do not (a CRI pod's labels, podman --label).
 *
 * Layout (go.etcd.io/bbolt, little-endian): pages of page_size bytes; a page starts with
 *   id u64, flags u16, count u16, overflow u32
 * followed by count elements. Pages 0 and 1 are meta pages (the valid one with the larger txid is
 * current): magic u32 0xED0CDAED, version u32 2, page_size u32, flags u32, root bucket {root u64,
 * sequence u64}, freelist u64, pgid u64, txid u64, checksum u64 (FNV-1a 64 of the 56 bytes before).
 * Branch element: pos u32, ksize u32, pgid u64. Leaf element: flags u32 (1 = bucket), pos u32,
 * ksize u32, vsize u32; pos counts from the element itself. A bucket value is {root u64, sequence
 * u64}, and when root is 0 the bucket's single page follows inline.
 *
 * The file is mapped, never written, and the owner keeps writing it: every offset is bounds-checked
 * and a damaged or moving tree gives -EBADMSG, never a crash. Bolt only ever grows its file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/meta.h"

#define BOLT_MAGIC 0xED0CDAEDu
#define BOLT_VERSION 2
#define PG_HDR 16
#define PG_BRANCH 0x01
#define PG_LEAF 0x02
#define LEAF_BUCKET 0x01
#define ELEM_SIZE 16
#define MAX_DEPTH 32
#define MAX_PAGES_WALKED 65536 /* a damaged tree whose branches loop stops here */

struct ct_bolt {
	const uint8_t *map;
	size_t size;
	uint32_t page_size;
	uint64_t root;
};

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static bool meta_valid(const uint8_t *m, size_t avail)
{
	uint64_t h = 0xcbf29ce484222325ull;
	size_t i;

	if (avail < 64 || rd32(m) != BOLT_MAGIC || rd32(m + 4) != BOLT_VERSION)
		return false;
	for (i = 0; i < 56; i++) {
		h ^= m[i];
		h *= 0x100000001b3ull;
	}
	return h == rd64(m + 56);
}

void container_bolt_close(struct ct_bolt *db)
{
	if (!db)
		return;
	if (db->map)
		munmap((void *)db->map, db->size);
	free(db);
}

int container_bolt_open(const char *path, struct ct_bolt **out)
{
	struct ct_bolt *db = NULL;
	struct stat st;
	const uint8_t *m0, *m1 = NULL, *best = NULL;
	int fd = -1, err = 0;
	uint32_t ps;
	void *map;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		err = -errno;
		goto cleanup;
	}
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode) || st.st_size < 2 * 512) {
		err = -EBADMSG;
		goto cleanup;
	}
	if ((uint64_t)st.st_size > CT_BOLT_MAX) {
		err = -EFBIG;
		goto cleanup;
	}
	db = calloc(1, sizeof(*db));
	if (!db) {
		err = -ENOMEM;
		goto cleanup;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED) {
		err = -errno;
		goto cleanup;
	}
	db->map = map;
	db->size = (size_t)st.st_size;
	m0 = db->map + PG_HDR;
	ps = meta_valid(m0, db->size - PG_HDR) ? rd32(m0 + 8) : 4096;
	if (ps >= 512 && ps <= 65536 && (size_t)ps * 2 <= db->size)
		m1 = db->map + ps + PG_HDR;
	if (meta_valid(m0, db->size - PG_HDR))
		best = m0;
	if (m1 && meta_valid(m1, db->size - ps - PG_HDR) &&
	    (!best || rd64(m1 + 48) > rd64(m0 + 48)))
		best = m1;
	if (!best || rd32(best + 8) < 512 || rd32(best + 8) > 65536) {
		err = -EBADMSG;
		goto cleanup;
	}
	db->page_size = rd32(best + 8);
	db->root = rd64(best + 16);
	*out = db;
	db = NULL;
cleanup:
	container_bolt_close(db);
	if (fd >= 0)
		close(fd);
	return err;
}

struct ct_bolt_bucket container_bolt_root(const struct ct_bolt *db)
{
	struct ct_bolt_bucket b = {.root = db->root};

	return b;
}

/* The page pgid as (pointer, bytes available), bounds-checked; NULL when out of the file. */
static const uint8_t *page_at(const struct ct_bolt *db, uint64_t pgid, size_t *avail)
{
	uint64_t off = pgid * db->page_size;
	uint32_t overflow;

	if (pgid < 2 || pgid > db->size / db->page_size || off + PG_HDR > db->size)
		return NULL;
	overflow = rd32(db->map + off + 12);
	if (overflow > db->size / db->page_size ||
	    off + ((uint64_t)overflow + 1) * db->page_size > db->size)
		return NULL;
	*avail = ((size_t)overflow + 1) * db->page_size;
	return db->map + off;
}

/* The root page of bucket b. */
static const uint8_t *bucket_page(const struct ct_bolt *db, const struct ct_bolt_bucket *b,
				  size_t *avail)
{
	if (b->root == 0) {
		if (!b->inline_pg || b->inline_len < PG_HDR)
			return NULL;
		*avail = b->inline_len;
		return b->inline_pg;
	}
	return page_at(db, b->root, avail);
}

/* Element i of page pg (avail bytes): the key and, for a leaf, value and flags; for a branch, the
 * child page. Returns false when any part lies outside the page. */
static bool elem(const uint8_t *pg, size_t avail, unsigned int i, bool leaf, const uint8_t **k,
		 size_t *klen, const uint8_t **v, size_t *vlen, uint32_t *flags, uint64_t *child)
{
	size_t eo = PG_HDR + (size_t)i * ELEM_SIZE, ko;
	const uint8_t *e;

	if (eo + ELEM_SIZE > avail)
		return false;
	e = pg + eo;
	if (leaf) {
		*flags = rd32(e);
		ko = eo + rd32(e + 4);
		*klen = rd32(e + 8);
		*vlen = rd32(e + 12);
		if (ko > avail || *klen > avail - ko || *vlen > avail - ko - *klen)
			return false;
		*k = pg + ko;
		*v = pg + ko + *klen;
	} else {
		ko = eo + rd32(e);
		*klen = rd32(e + 4);
		*child = rd64(e + 8);
		if (ko > avail || *klen > avail - ko)
			return false;
		*k = pg + ko;
	}
	return true;
}

static int keycmp(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	int r = memcmp(a, b, an < bn ? an : bn);

	if (r)
		return r;
	return an < bn ? -1 : an > bn;
}

static int lookup(const struct ct_bolt *db, const uint8_t *pg, size_t avail, const uint8_t *key,
		  size_t keylen, const uint8_t **val, size_t *vlen, uint32_t *vflags, int depth)
{
	uint16_t flags, count;
	unsigned int i;
	const uint8_t *k, *v;
	size_t kn, vn;
	uint32_t ef;
	uint64_t child = 0, pick = 0;

	if (!pg || depth > MAX_DEPTH || avail < PG_HDR)
		return -EBADMSG;
	flags = rd16(pg + 8);
	count = rd16(pg + 10);
	if (flags & PG_LEAF) {
		for (i = 0; i < count; i++) {
			if (!elem(pg, avail, i, true, &k, &kn, &v, &vn, &ef, &child))
				return -EBADMSG;
			if (keycmp(k, kn, key, keylen) == 0) {
				*val = v;
				*vlen = vn;
				*vflags = ef;
				return 1;
			}
		}
		return 0;
	}
	if (!(flags & PG_BRANCH) || count == 0)
		return -EBADMSG;
	/* the last child whose first key is <= key */
	for (i = 0; i < count; i++) {
		if (!elem(pg, avail, i, false, &k, &kn, &v, &vn, &ef, &child))
			return -EBADMSG;
		if (i > 0 && keycmp(k, kn, key, keylen) > 0)
			break;
		pick = child;
	}
	pg = page_at(db, pick, &avail);
	return lookup(db, pg, avail, key, keylen, val, vlen, vflags, depth + 1);
}

int container_bolt_get(const struct ct_bolt *db, const struct ct_bolt_bucket *b, const char *key,
		       const uint8_t **val, size_t *vlen, int *is_bucket)
{
	const uint8_t *pg;
	size_t avail = 0;
	uint32_t vf = 0;
	int r;

	pg = bucket_page(db, b, &avail);
	r = lookup(db, pg, avail, (const uint8_t *)key, strlen(key), val, vlen, &vf, 0);
	if (r == 1 && is_bucket)
		*is_bucket = (vf & LEAF_BUCKET) != 0;
	return r;
}

int container_bolt_bucket(const struct ct_bolt *db, const struct ct_bolt_bucket *b, const char *key,
			  struct ct_bolt_bucket *out)
{
	const uint8_t *v;
	size_t vn;
	int isb = 0, r;

	r = container_bolt_get(db, b, key, &v, &vn, &isb);
	if (r != 1)
		return r;
	if (!isb)
		return 0;
	if (vn < 16)
		return -EBADMSG;
	memset(out, 0, sizeof(*out));
	out->root = rd64(v);
	if (out->root == 0) {
		out->inline_pg = v + 16;
		out->inline_len = vn - 16;
	}
	return 1;
}

static int walk(const struct ct_bolt *db, const uint8_t *pg, size_t avail, container_bolt_fn fn,
		void *arg, int depth, unsigned int *budget)
{
	uint16_t flags, count;
	unsigned int i;
	const uint8_t *k, *v;
	size_t kn, vn, cavail;
	uint32_t ef;
	uint64_t child = 0;
	int r;

	if (!pg || depth > MAX_DEPTH || avail < PG_HDR || *budget == 0)
		return -EBADMSG;
	(*budget)--;
	flags = rd16(pg + 8);
	count = rd16(pg + 10);
	for (i = 0; i < count; i++) {
		bool leaf = (flags & PG_LEAF) != 0;

		if (!leaf && !(flags & PG_BRANCH))
			return -EBADMSG;
		if (!elem(pg, avail, i, leaf, &k, &kn, &v, &vn, &ef, &child))
			return -EBADMSG;
		if (leaf) {
			if (ef & LEAF_BUCKET)
				continue;
			r = fn(arg, k, kn, v, vn);
		} else {
			const uint8_t *cp = page_at(db, child, &cavail);

			r = walk(db, cp, cavail, fn, arg, depth + 1, budget);
		}
		if (r)
			return r;
	}
	return 0;
}

int container_bolt_foreach(const struct ct_bolt *db, const struct ct_bolt_bucket *b,
			   container_bolt_fn fn, void *arg)
{
	const uint8_t *pg;
	size_t avail = 0;
	unsigned int budget = MAX_PAGES_WALKED;

	pg = bucket_page(db, b, &avail);
	return walk(db, pg, avail, fn, arg, 0, &budget);
}
