/* The read-only bolt reader against files the test writes, including damaged ones. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/suite.h"
#include "container/meta.h"
#include "test_container_util.h"

static const struct ctt_bnode labels[] = {{"app", "web", NULL, 0}, {"team", "sec", NULL, 0}};
static const struct ctt_bnode inner[] = {{"image", "localhost/x:1", NULL, 0},
					 {"labels", NULL, labels, 2}};
static const struct ctt_bnode bigkids[] = {
    {"a", "1", NULL, 0}, {"b", "2", NULL, 0}, {"c", "3", NULL, 0},
    {"m", "4", NULL, 0}, {"n", "5", NULL, 0}, {"z", "6", NULL, 0},
};
static const struct ctt_bnode top[] = {
    {"big", NULL, bigkids, 6},
    {"ctr", NULL, inner, 2},
    {"plain", "value", NULL, 0},
};

struct collect {
	char buf[256];
	int n;
};

static int collect(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	struct collect *c = arg;
	size_t used = strlen(c->buf);

	snprintf(c->buf + used, sizeof(c->buf) - used, "%.*s=%.*s;", (int)kn, (const char *)k,
		 (int)vn, (const char *)v);
	c->n++;
	return 0;
}

static int stop_at_two(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	struct collect *c = arg;

	(void)k;
	(void)kn;
	(void)v;
	(void)vn;
	return ++c->n == 2 ? 42 : 0;
}

static void test_bolt_read(void)
{
	char *dir = ctt_mkdtemp(), path[512];
	struct ct_bolt *db = NULL;
	struct ct_bolt_bucket root, b, l;
	struct collect col = {"", 0};
	const uint8_t *v;
	size_t vn;
	int isb = -1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(path, sizeof(path), "%s/x.db", dir);
	CU_ASSERT_EQUAL_FATAL(ctt_bolt_write(path, top, 3), 0);
	CU_ASSERT_EQUAL_FATAL(container_bolt_open(path, &db), 0);
	root = container_bolt_root(db);
	CU_ASSERT_EQUAL(container_bolt_get(db, &root, "plain", &v, &vn, &isb), 1);
	CU_ASSERT_EQUAL(isb, 0);
	CU_ASSERT_EQUAL(vn, 5);
	CU_ASSERT_NSTRING_EQUAL(v, "value", 5);
	CU_ASSERT_EQUAL(container_bolt_get(db, &root, "nope", &v, &vn, &isb), 0);
	CU_ASSERT_EQUAL(container_bolt_get(db, &root, "plai", &v, &vn, &isb), 0);
	/* a value is not a bucket */
	CU_ASSERT_EQUAL(container_bolt_bucket(db, &root, "plain", &b), 0);
	/* inline buckets, nested */
	CU_ASSERT_EQUAL_FATAL(container_bolt_bucket(db, &root, "ctr", &b), 1);
	CU_ASSERT_EQUAL(b.root, 0);
	CU_ASSERT_EQUAL(container_bolt_get(db, &b, "image", &v, &vn, &isb), 1);
	CU_ASSERT_NSTRING_EQUAL(v, "localhost/x:1", vn);
	CU_ASSERT_EQUAL_FATAL(container_bolt_bucket(db, &b, "labels", &l), 1);
	CU_ASSERT_EQUAL(container_bolt_foreach(db, &l, collect, &col), 0);
	CU_ASSERT_STRING_EQUAL(col.buf, "app=web;team=sec;");
	/* foreach skips nested buckets */
	memset(&col, 0, sizeof(col));
	CU_ASSERT_EQUAL(container_bolt_foreach(db, &b, collect, &col), 0);
	CU_ASSERT_STRING_EQUAL(col.buf, "image=localhost/x:1;");
	/* a bucket with its own pages: branch over two leaves */
	CU_ASSERT_EQUAL_FATAL(container_bolt_bucket(db, &root, "big", &b), 1);
	CU_ASSERT_EQUAL(b.root, 4);
	CU_ASSERT_EQUAL(container_bolt_get(db, &b, "a", &v, &vn, &isb), 1);
	CU_ASSERT_NSTRING_EQUAL(v, "1", 1);
	CU_ASSERT_EQUAL(container_bolt_get(db, &b, "c", &v, &vn, &isb), 1);
	CU_ASSERT_NSTRING_EQUAL(v, "3", 1);
	CU_ASSERT_EQUAL(container_bolt_get(db, &b, "m", &v, &vn, &isb), 1);
	CU_ASSERT_NSTRING_EQUAL(v, "4", 1);
	CU_ASSERT_EQUAL(container_bolt_get(db, &b, "z", &v, &vn, &isb), 1);
	CU_ASSERT_NSTRING_EQUAL(v, "6", 1);
	CU_ASSERT_EQUAL(container_bolt_get(db, &b, "d", &v, &vn, &isb), 0);
	CU_ASSERT_EQUAL(container_bolt_get(db, &b, "0", &v, &vn, &isb), 0);
	memset(&col, 0, sizeof(col));
	CU_ASSERT_EQUAL(container_bolt_foreach(db, &b, collect, &col), 0);
	CU_ASSERT_STRING_EQUAL(col.buf, "a=1;b=2;c=3;m=4;n=5;z=6;");
	memset(&col, 0, sizeof(col));
	CU_ASSERT_EQUAL(container_bolt_foreach(db, &b, stop_at_two, &col), 42);
	container_bolt_close(db);
	container_bolt_close(NULL);
	ctt_rmtree(dir);
	free(dir);
}

/* Damage every byte range that matters: the reader answers -EBADMSG or 0/1, never crashes. */
static void test_bolt_damaged(void)
{
	char *dir = ctt_mkdtemp(), path[512];
	struct ct_bolt *db = NULL;
	struct ct_bolt_bucket root, b;
	struct collect col;
	FILE *fp;
	long off;
	unsigned int seed = 1;
	int round;

	CU_ASSERT_PTR_NOT_NULL_FATAL(dir);
	snprintf(path, sizeof(path), "%s/x.db", dir);
	/* not a bolt file, too short, missing */
	CU_ASSERT_EQUAL(ctt_writes(dir, "x.db", "{\"json\": true}"), 0);
	CU_ASSERT_EQUAL(container_bolt_open(path, &db), -EBADMSG);
	CU_ASSERT_PTR_NULL(db);
	snprintf(path, sizeof(path), "%s/missing.db", dir);
	CU_ASSERT_EQUAL(container_bolt_open(path, &db), -ENOENT);
	snprintf(path, sizeof(path), "%s/x.db", dir);
	for (round = 0; round < 300; round++) {
		int i, r;

		CU_ASSERT_EQUAL_FATAL(ctt_bolt_write(path, top, 3), 0);
		fp = fopen(path, "r+b");
		CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
		for (i = 0; i < 8; i++) {
			/* mostly the root page and big's pages, sometimes the metas */
			off =
			    (long)(rand_r(&seed) % 4 == 0 ? rand_r(&seed) % 8192
							  : 3 * 4096 + rand_r(&seed) % (4 * 4096));
			fseek(fp, off, SEEK_SET);
			fputc(rand_r(&seed) & 0xff, fp);
		}
		fclose(fp);
		r = container_bolt_open(path, &db);
		if (r) {
			CU_ASSERT_EQUAL(r, -EBADMSG);
			continue;
		}
		root = container_bolt_root(db);
		memset(&col, 0, sizeof(col));
		container_bolt_foreach(db, &root, collect, &col);
		if (container_bolt_bucket(db, &root, "big", &b) == 1) {
			memset(&col, 0, sizeof(col));
			container_bolt_foreach(db, &b, collect, &col);
		}
		if (container_bolt_bucket(db, &root, "ctr", &b) == 1 &&
		    container_bolt_bucket(db, &b, "labels", &b) == 1) {
			memset(&col, 0, sizeof(col));
			container_bolt_foreach(db, &b, collect, &col);
		}
		container_bolt_close(db);
		db = NULL;
	}
	ctt_rmtree(dir);
	free(dir);
}

OSP_SUITE(container_bolt)
{
	OSP_TEST(suite, test_bolt_read);
	OSP_TEST(suite, test_bolt_damaged);
}
