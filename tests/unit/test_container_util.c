/* Helpers for the container tests; see test_container_util.h. */
#include "test_container_util.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *ctt_mkdtemp(void)
{
	const char *t = getenv("TMPDIR");
	char *d = NULL;

	if (asprintf(&d, "%s/osp-ct-XXXXXX", t && *t ? t : "/tmp") < 0)
		return NULL;
	if (!mkdtemp(d)) {
		free(d);
		return NULL;
	}
	return d;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void ctt_rmtree(const char *dir)
{
	if (dir)
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int mkparents(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST) {
			*p = '/';
			return -errno;
		}
		*p = '/';
	}
	return 0;
}

int ctt_write(const char *dir, const char *rel, const char *data, size_t len)
{
	char *path = NULL;
	int fd = -1, err = 0;

	if (asprintf(&path, "%s/%s", dir, rel) < 0)
		return -ENOMEM;
	err = mkparents(path);
	if (err)
		goto cleanup;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		err = -errno;
cleanup:
	if (fd >= 0)
		close(fd);
	free(path);
	return err;
}

int ctt_writes(const char *dir, const char *rel, const char *text)
{
	return ctt_write(dir, rel, text, strlen(text));
}

/* ---- bolt ---- */

#define PS 4096

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

/* Serialises a leaf page of n entries into out (at most cap bytes); returns its size, 0 if too big.
 * big_root: the page id an entry named "big" points to (0: none). */
static size_t leaf(uint8_t *out, size_t cap, const struct ctt_bnode *e, size_t n, uint64_t big_root)
{
	size_t i, data = 16 + n * 16;
	uint8_t *tmp = malloc(PS);

	if (!tmp || data > cap) {
		free(tmp);
		return 0;
	}
	memset(out, 0, data);
	put16(out + 8, 0x02);
	put16(out + 10, (uint16_t)n);
	for (i = 0; i < n; i++) {
		size_t kl = strlen(e[i].key), vl;
		uint8_t *el = out + 16 + i * 16;
		bool bucket = e[i].kids != NULL;

		if (bucket) {
			memset(tmp, 0, 16);
			if (big_root && strcmp(e[i].key, "big") == 0) {
				put64(tmp, big_root);
				vl = 16;
			} else {
				vl = leaf(tmp + 16, PS - 16, e[i].kids, e[i].nkids, 0);
				if (!vl) {
					free(tmp);
					return 0;
				}
				vl += 16;
			}
		} else {
			vl = strlen(e[i].val);
			memcpy(tmp, e[i].val, vl);
		}
		if (data + kl + vl > cap) {
			free(tmp);
			return 0;
		}
		put32(el, bucket ? 1 : 0);
		put32(el + 4, (uint32_t)(data - 16 - i * 16));
		put32(el + 8, (uint32_t)kl);
		put32(el + 12, (uint32_t)vl);
		memcpy(out + data, e[i].key, kl);
		memcpy(out + data + kl, tmp, vl);
		data += kl + vl;
	}
	free(tmp);
	return data;
}

static void meta(uint8_t *pg, uint64_t id, uint64_t txid, uint64_t root, uint64_t npages)
{
	uint8_t *m = pg + 16;
	uint64_t h = 0xcbf29ce484222325ull;
	int i;

	put64(pg, id);
	put16(pg + 8, 0x04);
	put32(m, 0xED0CDAEDu);
	put32(m + 4, 2);
	put32(m + 8, PS);
	put64(m + 16, root);
	put64(m + 32, 2);
	put64(m + 40, npages);
	put64(m + 48, txid);
	for (i = 0; i < 56; i++) {
		h ^= m[i];
		h *= 0x100000001b3ull;
	}
	put64(m + 56, h);
}

int ctt_bolt_write(const char *path, const struct ctt_bnode *top, size_t n)
{
	const struct ctt_bnode *big = NULL;
	uint8_t *f;
	size_t i, npages = 7, half;
	uint64_t big_root = 0;
	FILE *fp;
	int err = 0;

	for (i = 0; i < n; i++) {
		if (strcmp(top[i].key, "big") == 0 && top[i].kids)
			big = &top[i];
	}
	f = calloc(npages, PS);
	if (!f)
		return -ENOMEM;
	/* pages: 0,1 meta; 2 freelist; 3 root leaf; 4 big's branch; 5,6 big's leaves */
	meta(f, 0, 1, 3, npages);
	meta(f + PS, 1, 2, 3, npages);
	put64(f + 2 * PS, 2);
	put16(f + 2 * PS + 8, 0x10);
	if (big) {
		uint8_t *br = f + 4 * PS;

		big_root = 4;
		half = big->nkids / 2;
		put64(br, 4);
		put16(br + 8, 0x01);
		put16(br + 10, 2);
		/* branch elements: pos, ksize, pgid; keys after the two elements */
		put32(br + 16, 32);
		put32(br + 20, (uint32_t)strlen(big->kids[0].key));
		put64(br + 24, 5);
		memcpy(br + 48, big->kids[0].key, strlen(big->kids[0].key));
		put32(br + 32, (uint32_t)(32 - 16 + strlen(big->kids[0].key)));
		put32(br + 36, (uint32_t)strlen(big->kids[half].key));
		put64(br + 40, 6);
		memcpy(br + 48 + strlen(big->kids[0].key), big->kids[half].key,
		       strlen(big->kids[half].key));
		if (!leaf(f + 5 * PS, PS, big->kids, half, 0) ||
		    !leaf(f + 6 * PS, PS, big->kids + half, big->nkids - half, 0)) {
			err = -E2BIG;
			goto cleanup;
		}
		put64(f + 5 * PS, 5);
		put64(f + 6 * PS, 6);
	}
	if (!leaf(f + 3 * PS, PS, top, n, big_root)) {
		err = -E2BIG;
		goto cleanup;
	}
	put64(f + 3 * PS, 3);
	fp = fopen(path, "wb");
	if (!fp) {
		err = -errno;
		goto cleanup;
	}
	if (fwrite(f, PS, npages, fp) != npages)
		err = -EIO;
	if (fclose(fp) != 0 && !err)
		err = -EIO;
cleanup:
	free(f);
	return err;
}
