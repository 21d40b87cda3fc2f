/* Unit tests of the Kubernetes pod watcher's pure parts: the JSON parser on captured API text, the
 * watch line splitter, the pod store and the lookup copy. The HTTPS side is in test_k8s_server.c. */
#include "../common/suite.h"

#include "k8s/k8s_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CID_A "0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define CID_B "b1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define CID_I "c1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
#define CID_E "e1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"

/* A pod as the API server returns it (trimmed of managedFields and most of spec). */
static const char pod_json[] =
    "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"nginx-7c5ddbdf54-x8"
    "vq2\",\"generateName\":\"nginx-7c5ddbdf54-\",\"namespace\":\"web\",\"uid\":\"5f0c1b6e-"
    "3c1a-4d2b-9e8f-0a1b2c3d4e5f\",\"resourceVersion\":\"48213\",\"creationTimestamp\":\"2024"
    "-05-02T10:11:12Z\",\"labels\":{\"app\":\"nginx\",\"pod-template-hash\":\"7c5ddbdf54\","
    "\"app.kubernetes.io/part-of\":\"shop\"},\"ownerReferences\":[{\"apiVersion\":\"apps/v1\","
    "\"kind\":\"ReplicaSet\",\"name\":\"nginx-7c5ddbdf54\",\"uid\":\"1d6b\",\"controller\":"
    "true}]},\"spec\":{\"nodeName\":\"node-1\",\"containers\":[{\"name\":\"nginx\",\"image\":"
    "\"nginx:1.25\"},{\"name\":\"sidecar\",\"image\":\"busybox\"}]},\"status\":{\"phase\":"
    "\"Running\",\"podIP\":\"10.244.1.7\",\"initContainerStatuses\":[{\"name\":\"init\","
    "\"containerID\":\"containerd://" CID_I "\",\"ready\":true}],\"containerStatuses\":[{"
    "\"name\":\"nginx\",\"image\":\"docker.io/library/nginx:1.25\",\"containerID\":\""
    "containerd://" CID_A "\",\"ready\":true,\"restartCount\":0},{\"name\":\"sidecar\","
    "\"containerID\":\"containerd://" CID_B "\"},{\"name\":\"pending\",\"state\":{\"waiting\":"
    "{\"reason\":\"ContainerCreating\"}}}],\"ephemeralContainerStatuses\":[{\"name\":\"debug\","
    "\"containerID\":\"containerd://" CID_E "\"}]}}";

static struct k8s_pod *parse_pod(const char *text)
{
	cJSON *root = cJSON_Parse(text);
	struct k8s_pod *p = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL(k8s_pod_from_json(root, &p), 0);
	cJSON_Delete(root);
	return p;
}

static void test_pod_parse(void)
{
	struct k8s_pod *p = parse_pod(pod_json);

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->uid, "5f0c1b6e-3c1a-4d2b-9e8f-0a1b2c3d4e5f");
	CU_ASSERT_STRING_EQUAL(p->name, "nginx-7c5ddbdf54-x8vq2");
	CU_ASSERT_STRING_EQUAL(p->ns, "web");
	CU_ASSERT_EQUAL_FATAL(p->nlabels, 3);
	/* sorted by key */
	CU_ASSERT_STRING_EQUAL(p->labels[0].key, "app");
	CU_ASSERT_STRING_EQUAL(p->labels[0].value, "nginx");
	CU_ASSERT_STRING_EQUAL(p->labels[1].key, "app.kubernetes.io/part-of");
	CU_ASSERT_STRING_EQUAL(p->labels[1].value, "shop");
	CU_ASSERT_STRING_EQUAL(p->labels[2].key, "pod-template-hash");
	/* regular, init and ephemeral; the container without an id is skipped */
	CU_ASSERT_EQUAL_FATAL(p->ncids, 4);
	CU_ASSERT_STRING_EQUAL(p->cids[0].id, CID_A);
	CU_ASSERT_STRING_EQUAL(p->cids[1].id, CID_B);
	CU_ASSERT_STRING_EQUAL(p->cids[2].id, CID_I);
	CU_ASSERT_STRING_EQUAL(p->cids[3].id, CID_E);
	CU_ASSERT_PTR_EQUAL(p->cids[0].pod, p);
	free(p);
}

static void test_pod_parse_minimal_and_invalid(void)
{
	static const char *const bad[] = {
	    "[]",
	    "{}",
	    "{\"metadata\":{\"name\":\"a\",\"namespace\":\"b\"}}",	     /* no uid */
	    "{\"metadata\":{\"uid\":\"u\",\"namespace\":\"b\"}}",	     /* no name */
	    "{\"metadata\":{\"uid\":\"u\",\"name\":\"a\"}}",		     /* no namespace */
	    "{\"metadata\":{\"uid\":7,\"name\":\"a\",\"namespace\":\"b\"}}", /* uid not a string */
	    "{\"metadata\":{\"uid\":\"\",\"name\":\"a\",\"namespace\":\"b\"}}",
	};
	struct k8s_pod *p;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cJSON *root = cJSON_Parse(bad[i]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(root);
		CU_ASSERT_EQUAL(k8s_pod_from_json(root, &p), -EBADMSG);
		CU_ASSERT_PTR_NULL(p);
		cJSON_Delete(root);
	}
	/* No labels, no status; odd label values and container ids are skipped, not fatal. */
	p = parse_pod(
	    "{\"metadata\":{\"uid\":\"u1\",\"name\":\"a\",\"namespace\":\"b\","
	    "\"labels\":{\"n\":5,\"ok\":\"v\",\"nul\":null}},\"status\":{"
	    "\"containerStatuses\":[{\"containerID\":\"\"},{\"containerID\":\"docker://\"},"
	    "{\"containerID\":\"containerd://has space\"},{\"containerID\":5},"
	    "\"notanobject\",{\"containerID\":\"cri-o://abc\"}],"
	    "\"initContainerStatuses\":{\"not\":\"an array\"}}}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->nlabels, 1);
	CU_ASSERT_STRING_EQUAL(p->labels[0].key, "ok");
	CU_ASSERT_EQUAL_FATAL(p->ncids, 1);
	CU_ASSERT_STRING_EQUAL(p->cids[0].id, "abc");
	free(p);
}

static void test_cid_normalize(void)
{
	char out[K8S_CID_MAX + 1];
	char longid[K8S_CID_MAX + 2];

	CU_ASSERT_EQUAL(k8s_cid_normalize("containerd://" CID_A, out), 0);
	CU_ASSERT_STRING_EQUAL(out, CID_A);
	CU_ASSERT_EQUAL(k8s_cid_normalize(CID_B, out), 0);
	CU_ASSERT_STRING_EQUAL(out, CID_B);
	CU_ASSERT_EQUAL(k8s_cid_normalize("docker://abc", out), 0);
	CU_ASSERT_STRING_EQUAL(out, "abc");
	CU_ASSERT_EQUAL(k8s_cid_normalize("", out), -EINVAL);
	CU_ASSERT_EQUAL(k8s_cid_normalize("containerd://", out), -EINVAL);
	CU_ASSERT_EQUAL(k8s_cid_normalize("x://a/b", out), -EINVAL);
	CU_ASSERT_EQUAL(k8s_cid_normalize(NULL, out), -EINVAL);
	memset(longid, 'a', sizeof(longid) - 1);
	longid[sizeof(longid) - 1] = '\0';
	CU_ASSERT_EQUAL(k8s_cid_normalize(longid, out), -EINVAL);
}

static void test_event_parse(void)
{
	char line[4096];
	struct k8s_event ev;
	int n;

	n = snprintf(line, sizeof(line), "{\"type\":\"ADDED\",\"object\":%s}", pod_json);
	CU_ASSERT_EQUAL_FATAL(k8s_event_parse(line, (size_t)n, &ev), 0);
	CU_ASSERT_EQUAL(ev.type, K8S_EV_ADDED);
	CU_ASSERT_STRING_EQUAL(ev.rv, "48213");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.pod);
	CU_ASSERT_STRING_EQUAL(ev.pod->name, "nginx-7c5ddbdf54-x8vq2");
	free(ev.pod);

	n = snprintf(line, sizeof(line), "{\"type\":\"DELETED\",\"object\":%s}", pod_json);
	CU_ASSERT_EQUAL_FATAL(k8s_event_parse(line, (size_t)n, &ev), 0);
	CU_ASSERT_EQUAL(ev.type, K8S_EV_DELETED);
	free(ev.pod);

	/* The length bounds the parse: trailing bytes beyond it are not read. */
	n = snprintf(line, sizeof(line),
		     "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"apiVersion\":\"v1\","
		     "\"metadata\":{\"resourceVersion\":\"50001\",\"annotations\":{"
		     "\"k8s.io/initial-events-end\":\"true\"}}}}GARBAGE");
	CU_ASSERT_EQUAL_FATAL(k8s_event_parse(line, (size_t)n - 7, &ev), 0);
	CU_ASSERT_EQUAL(ev.type, K8S_EV_BOOKMARK);
	CU_ASSERT_STRING_EQUAL(ev.rv, "50001");
	CU_ASSERT_PTR_NULL(ev.pod);

	n = snprintf(
	    line, sizeof(line),
	    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
	    "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version: "
	    "100 (48213)\",\"reason\":\"Expired\",\"code\":410}}");
	CU_ASSERT_EQUAL_FATAL(k8s_event_parse(line, (size_t)n, &ev), 0);
	CU_ASSERT_EQUAL(ev.type, K8S_EV_ERROR);
	CU_ASSERT_EQUAL(ev.code, 410);
	CU_ASSERT_STRING_EQUAL(ev.message, "too old resource version: 100 (48213)");
}

static void test_event_parse_malformed(void)
{
	static const char *const bad[] = {
	    "",
	    "{",
	    "not json",
	    "{\"type\":\"ADDED\"}",
	    "{\"type\":\"SOMETHING\",\"object\":{}}",
	    "{\"type\":7,\"object\":{}}",
	    "{\"type\":\"ADDED\",\"object\":[]}",
	    "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}",
	    "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"uid\":\"u\",\"name\":\"n\","
	    "\"namespace\":\"d\",\"resourceVersion\":\"1111111111111111111111111111111111111111"
	    "1111111111111111111111111111111111\"}}}", /* rv longer than we keep */
	};
	struct k8s_event ev;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CU_ASSERT_EQUAL(k8s_event_parse(bad[i], strlen(bad[i]), &ev), -EBADMSG);
		CU_ASSERT_PTR_NULL(ev.pod);
	}
}

static const char list_json[] =
    "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"777\","
    "\"continue\":\"eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6Nzc3fQ\"},\"items\":["
    "{\"metadata\":{\"name\":\"a\",\"namespace\":\"default\",\"uid\":\"uid-a\","
    "\"labels\":{\"app\":\"a\"}},\"status\":{\"containerStatuses\":[{\"containerID\":"
    "\"containerd://" CID_A "\"}]}},"
    "{\"metadata\":{\"name\":\"broken\"}},"
    "{\"metadata\":{\"name\":\"b\",\"namespace\":\"default\",\"uid\":\"uid-b\"}}]}";

static void test_list_parse(void)
{
	struct k8s_store s;
	uint64_t bad = 0, dropped = 0;
	char rv[64], cont[128];
	const struct k8s_pod *p;

	CU_ASSERT_EQUAL_FATAL(k8s_store_init(&s), 0);
	CU_ASSERT_EQUAL(k8s_list_parse(list_json, strlen(list_json), &s, 100, rv, sizeof(rv), cont,
				       sizeof(cont), &bad, &dropped),
			0);
	CU_ASSERT_STRING_EQUAL(rv, "777");
	CU_ASSERT_STRING_EQUAL(cont, "eyJ2IjoibWV0YS5rOHMuaW8vdjEiLCJydiI6Nzc3fQ");
	CU_ASSERT_EQUAL(bad, 1);
	CU_ASSERT_EQUAL(dropped, 0);
	CU_ASSERT_EQUAL(s.npods, 2);
	p = k8s_store_find_cid(&s, CID_A);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->name, "a");
	k8s_store_fini(&s);

	/* max_pods: the second valid pod is dropped and counted */
	CU_ASSERT_EQUAL_FATAL(k8s_store_init(&s), 0);
	bad = 0;
	CU_ASSERT_EQUAL(k8s_list_parse(list_json, strlen(list_json), &s, 1, rv, sizeof(rv), cont,
				       sizeof(cont), &bad, &dropped),
			0);
	CU_ASSERT_EQUAL(s.npods, 1);
	CU_ASSERT_EQUAL(dropped, 1);
	/* continue token too long for the caller's buffer */
	CU_ASSERT_EQUAL(k8s_list_parse(list_json, strlen(list_json), &s, 100, rv, sizeof(rv), cont,
				       8, &bad, &dropped),
			-EBADMSG);
	k8s_store_fini(&s);
}

static void test_list_parse_empty_and_invalid(void)
{
	static const char *const bad[] = {
	    "",
	    "{\"kind\":\"Status\",\"metadata\":{},\"code\":403}",
	    "{\"kind\":\"PodList\",\"items\":[]}", /* no metadata.resourceVersion */
	    "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":{}}",
	    "{\"kind\":\"PodList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[",
	};
	const char *empty = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"metadata\":{"
			    "\"resourceVersion\":\"12\"},\"items\":null}";
	struct k8s_store s;
	uint64_t nbad = 0, dropped = 0;
	char rv[64], cont[64];
	size_t i;

	CU_ASSERT_EQUAL_FATAL(k8s_store_init(&s), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_EQUAL(k8s_list_parse(bad[i], strlen(bad[i]), &s, 10, rv, sizeof(rv), cont,
					       sizeof(cont), &nbad, &dropped),
				-EBADMSG);
	CU_ASSERT_EQUAL(k8s_list_parse(empty, strlen(empty), &s, 10, rv, sizeof(rv), cont,
				       sizeof(cont), &nbad, &dropped),
			0);
	CU_ASSERT_STRING_EQUAL(rv, "12");
	CU_ASSERT_STRING_EQUAL(cont, "");
	CU_ASSERT_EQUAL(s.npods, 0);
	k8s_store_fini(&s);
}

/* ---- line splitter ---- */

struct lines {
	char got[8][64];
	int n;
	int stop_at; /* return 99 on this line (1-based); 0: never */
};

static int collect(void *ctx, const char *line, size_t len)
{
	struct lines *l = ctx;

	if (l->n < 8)
		snprintf(l->got[l->n], sizeof(l->got[0]), "%.*s", (int)len, line);
	l->n++;
	return l->n == l->stop_at ? 99 : 0;
}

static void test_linebuf_split(void)
{
	struct k8s_linebuf lb;
	struct lines l = {0};
	const char *stream = "{\"a\":1}\n{\"b\":\r\n\n2}\r\n{\"c\":3}\n";
	size_t i;

	/* byte by byte: every line crosses chunk boundaries */
	k8s_linebuf_init(&lb, 64);
	for (i = 0; i < strlen(stream); i++)
		CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, stream + i, 1, collect, &l), 0);
	CU_ASSERT_EQUAL(l.n, 4);
	CU_ASSERT_STRING_EQUAL(l.got[0], "{\"a\":1}");
	CU_ASSERT_STRING_EQUAL(l.got[1], "{\"b\":");
	CU_ASSERT_STRING_EQUAL(l.got[2], "2}");
	CU_ASSERT_STRING_EQUAL(l.got[3], "{\"c\":3}");
	CU_ASSERT_EQUAL(lb.oversize, 0);

	/* whole stream in one chunk, plus a partial line kept for the next chunk */
	memset(&l, 0, sizeof(l));
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, stream, strlen(stream), collect, &l), 0);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, "{\"d\"", 4, collect, &l), 0);
	CU_ASSERT_EQUAL(l.n, 4);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, ":4}\n", 4, collect, &l), 0);
	CU_ASSERT_EQUAL(l.n, 5);
	CU_ASSERT_STRING_EQUAL(l.got[4], "{\"d\":4}");

	/* a callback's non-zero return stops the feed and is returned */
	memset(&l, 0, sizeof(l));
	l.stop_at = 2;
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, stream, strlen(stream), collect, &l), 99);
	CU_ASSERT_EQUAL(l.n, 2);
	k8s_linebuf_fini(&lb);
	k8s_linebuf_fini(&lb); /* idempotent */
}

static void test_linebuf_oversize(void)
{
	struct k8s_linebuf lb;
	struct lines l = {0};
	char big[100];

	memset(big, 'x', sizeof(big));
	k8s_linebuf_init(&lb, 16);
	/* oversize inside one chunk */
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, big, 40, collect, &l), 0);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, "\nok1\n", 5, collect, &l), 0);
	CU_ASSERT_EQUAL(lb.oversize, 1);
	/* oversize across many chunks, counted once, the line after it intact */
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, big, 10, collect, &l), 0);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, big, 10, collect, &l), 0);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, big, 10, collect, &l), 0);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, "yy\nok2\n", 7, collect, &l), 0);
	CU_ASSERT_EQUAL(lb.oversize, 2);
	/* a complete oversize line within one chunk, with an empty buffer */
	memcpy(big + 50, "\nok3\n", 5);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, big, 55, collect, &l), 0);
	CU_ASSERT_EQUAL(lb.oversize, 3);
	/* exactly max is accepted */
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, "0123456789abcdef\n", 17, collect, &l), 0);
	CU_ASSERT_EQUAL(lb.oversize, 3);
	CU_ASSERT_EQUAL_FATAL(l.n, 4);
	CU_ASSERT_STRING_EQUAL(l.got[0], "ok1");
	CU_ASSERT_STRING_EQUAL(l.got[1], "ok2");
	CU_ASSERT_STRING_EQUAL(l.got[2], "ok3");
	CU_ASSERT_STRING_EQUAL(l.got[3], "0123456789abcdef");
	/* reset drops a partial line */
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, "part", 4, collect, &l), 0);
	k8s_linebuf_reset(&lb);
	CU_ASSERT_EQUAL(k8s_linebuf_feed(&lb, "ial\n", 4, collect, &l), 0);
	CU_ASSERT_STRING_EQUAL(l.got[4], "ial");
	k8s_linebuf_fini(&lb);
}

/* ---- store ---- */

static struct k8s_pod *make_pod(const char *uid, const char *app, const char *cid)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "{\"metadata\":{\"uid\":\"%s\",\"name\":\"pod-%s\",\"namespace\":\"ns\","
		 "\"labels\":{\"app\":\"%s\",\"tier\":\"backend\"}},\"status\":{"
		 "\"containerStatuses\":[{\"containerID\":\"containerd://%s\"}]}}",
		 uid, uid, app, cid);
	return parse_pod(text);
}

static void test_store_upsert_remove(void)
{
	struct k8s_store s;
	struct k8s_pod *old;
	const struct k8s_pod *p;

	CU_ASSERT_EQUAL_FATAL(k8s_store_init(&s), 0);
	CU_ASSERT_EQUAL(k8s_store_upsert(&s, make_pod("u1", "v1", CID_A), &old), 0);
	CU_ASSERT_PTR_NULL(old);
	p = k8s_store_find_uid(&s, "u1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->labels[0].value, "v1");
	CU_ASSERT_PTR_EQUAL(k8s_store_find_cid(&s, CID_A), p);
	CU_ASSERT_PTR_EQUAL(k8s_store_find_cid(&s, "containerd://" CID_A), p);

	/* MODIFIED: new labels and a new container id; the old id no longer resolves */
	CU_ASSERT_EQUAL(k8s_store_upsert(&s, make_pod("u1", "v2", CID_B), &old), 0);
	CU_ASSERT_PTR_EQUAL(old, p);
	free(old);
	CU_ASSERT_EQUAL(s.npods, 1);
	CU_ASSERT_EQUAL(s.ncids, 1);
	p = k8s_store_find_uid(&s, "u1");
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->labels[0].value, "v2");
	CU_ASSERT_PTR_NULL(k8s_store_find_cid(&s, CID_A));
	CU_ASSERT_PTR_EQUAL(k8s_store_find_cid(&s, CID_B), p);

	old = k8s_store_remove(&s, "u1");
	CU_ASSERT_PTR_EQUAL(old, p);
	free(old);
	CU_ASSERT_PTR_NULL(k8s_store_remove(&s, "u1"));
	CU_ASSERT_PTR_NULL(k8s_store_find_uid(&s, "u1"));
	CU_ASSERT_PTR_NULL(k8s_store_find_cid(&s, CID_B));
	CU_ASSERT_PTR_NULL(k8s_store_find_cid(&s, "bad id!"));
	CU_ASSERT_EQUAL(s.npods, 0);
	CU_ASSERT_EQUAL(s.ncids, 0);
	k8s_store_fini(&s);
	k8s_store_fini(&s); /* zeroed: harmless */
}

static void test_store_grow(void)
{
	struct k8s_store s;
	struct k8s_pod *old;
	char uid[32], cid[65];
	int i, found = 0;

	CU_ASSERT_EQUAL_FATAL(k8s_store_init(&s), 0);
	for (i = 0; i < 1000; i++) {
		snprintf(uid, sizeof(uid), "uid-%d", i);
		snprintf(cid, sizeof(cid), "%064x", i);
		CU_ASSERT_EQUAL(k8s_store_upsert(&s, make_pod(uid, "x", cid), &old), 0);
		CU_ASSERT_PTR_NULL(old);
	}
	CU_ASSERT_EQUAL(s.npods, 1000);
	CU_ASSERT(s.uid_nbuckets >= 1000);
	for (i = 0; i < 1000; i += 2)
		free(k8s_store_remove(&s, (snprintf(uid, sizeof(uid), "uid-%d", i), uid)));
	for (i = 0; i < 1000; i++) {
		const struct k8s_pod *p;

		snprintf(cid, sizeof(cid), "%064x", i);
		p = k8s_store_find_cid(&s, cid);
		if (p) {
			found++;
			snprintf(uid, sizeof(uid), "uid-%d", i);
			CU_ASSERT_STRING_EQUAL(p->uid, uid);
		}
	}
	CU_ASSERT_EQUAL(found, 500);
	k8s_store_fini(&s);
}

static void test_copy_out_bounded(void)
{
	struct k8s_pod *p = make_pod("u9", "web", CID_A);
	struct k8s_pod_meta m;
	struct osp_kv kv[4];
	char str[64], tiny[12];

	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	memset(&m, 0x55, sizeof(m));
	k8s_pod_copy_out(p, &m, kv, 4, str, sizeof(str));
	CU_ASSERT_STRING_EQUAL(m.uid, "u9");
	CU_ASSERT_STRING_EQUAL(m.name, "pod-u9");
	CU_ASSERT_STRING_EQUAL(m.ns, "ns");
	CU_ASSERT_EQUAL(m.nlabels, 2);
	CU_ASSERT_EQUAL(m.labels_total, 2);
	CU_ASSERT_STRING_EQUAL(kv[0].key, "app");
	CU_ASSERT_STRING_EQUAL(kv[0].value, "web");
	CU_ASSERT_STRING_EQUAL(kv[1].key, "tier");
	CU_ASSERT_STRING_EQUAL(kv[1].value, "backend");
	/* too few kv slots */
	k8s_pod_copy_out(p, &m, kv, 1, str, sizeof(str));
	CU_ASSERT_EQUAL(m.nlabels, 1);
	CU_ASSERT_EQUAL(m.labels_total, 2);
	/* too little string space: "app\0web\0" fits (8), "tier\0backend\0" does not */
	k8s_pod_copy_out(p, &m, kv, 4, tiny, sizeof(tiny));
	CU_ASSERT_EQUAL(m.nlabels, 1);
	CU_ASSERT_STRING_EQUAL(kv[0].value, "web");
	/* identity only */
	k8s_pod_copy_out(p, &m, NULL, 0, NULL, 0);
	CU_ASSERT_EQUAL(m.nlabels, 0);
	CU_ASSERT_EQUAL(m.labels_total, 2);
	free(p);
}

static void test_config_from_env(void)
{
	struct k8s_config c = {0};
	char url[128];
	char *saved_host = getenv("KUBERNETES_SERVICE_HOST");

	/* Not in a cluster. */
	unsetenv("KUBERNETES_SERVICE_HOST");
	CU_ASSERT_EQUAL(k8s_config_from_env(&c, url, sizeof(url)), -ENOENT);
	CU_ASSERT_PTR_NULL(k8s_watch_new(&c));
	CU_ASSERT_EQUAL(errno, ENOENT);

	/* Everything given: the environment is not needed. */
	c = (struct k8s_config){.api_url = "https://127.0.0.1:6443",
				.token_path = "/nonexistent/token",
				.ca_path = "/nonexistent/ca.crt",
				.node_name = "node-1"};
	CU_ASSERT_EQUAL(k8s_config_from_env(&c, url, sizeof(url)), 0);
	CU_ASSERT_STRING_EQUAL(c.api_url, "https://127.0.0.1:6443");

	/* URL from the service env, IPv6 bracketed; node name required. */
	setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
	setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
	unsetenv("NODE_NAME");
	c = (struct k8s_config){.token_path = "/nonexistent/token"};
	CU_ASSERT_EQUAL(k8s_config_from_env(&c, url, sizeof(url)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(url, "https://[fd00::1]:6443");
	setenv("NODE_NAME", "worker-3", 1);
	c = (struct k8s_config){.token_path = "/nonexistent/token"};
	CU_ASSERT_EQUAL(k8s_config_from_env(&c, url, sizeof(url)), 0);
	CU_ASSERT_STRING_EQUAL(c.node_name, "worker-3");
	CU_ASSERT_STRING_EQUAL(c.ca_path, K8S_DEFAULT_CA_PATH);
	c = (struct k8s_config){.token_path = "/nonexistent/token"};
	CU_ASSERT_EQUAL(k8s_config_from_env(&c, url, 10), -ENAMETOOLONG);
	/* Plain http is refused: the token must not travel in clear. */
	c = (struct k8s_config){.api_url = "http://127.0.0.1:8080", .token_path = "/t"};
	CU_ASSERT_PTR_NULL(k8s_watch_new(&c));
	CU_ASSERT_EQUAL(errno, EINVAL);

	unsetenv("KUBERNETES_SERVICE_PORT");
	unsetenv("NODE_NAME");
	if (saved_host)
		setenv("KUBERNETES_SERVICE_HOST", saved_host, 1);
	else
		unsetenv("KUBERNETES_SERVICE_HOST");
}

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static void test_watch_lifecycle_offline(void)
{
	struct k8s_config c = {.api_url = "https://127.0.0.1:1/",
			       .token_path = "/nonexistent/token",
			       .ca_path = "/nonexistent/ca.crt",
			       .node_name = "node-1",
			       .backoff_initial_ms = 60000,
			       .log = quiet};
	struct k8s_watch *w = k8s_watch_new(&c);
	struct k8s_pod_meta m;
	struct k8s_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_EQUAL(k8s_pod_labels(w, "nope", &m, NULL, 0, NULL, 0), -ENOENT);
	CU_ASSERT_EQUAL(k8s_pod_by_container(w, CID_A, &m, NULL, 0, NULL, 0), -ENOENT);
	CU_ASSERT_EQUAL(k8s_pod_labels(w, NULL, &m, NULL, 0, NULL, 0), -EINVAL);
	CU_ASSERT_EQUAL(k8s_pod_labels(NULL, "x", &m, NULL, 0, NULL, 0), -EINVAL);
	k8s_watch_stats(w, &st);
	CU_ASSERT_FALSE(st.synced);
	CU_ASSERT_EQUAL(st.pods, 0);
	/* start/stop twice; stop never waits out a backoff */
	CU_ASSERT_EQUAL(k8s_watch_start(w), 0);
	CU_ASSERT_EQUAL(k8s_watch_start(w), -EALREADY);
	k8s_watch_stop(w);
	k8s_watch_stop(w);
	k8s_watch_free(w);
	k8s_watch_free(NULL);
}

OSP_SUITE(k8s)
{
	OSP_TEST(suite, test_pod_parse);
	OSP_TEST(suite, test_pod_parse_minimal_and_invalid);
	OSP_TEST(suite, test_cid_normalize);
	OSP_TEST(suite, test_event_parse);
	OSP_TEST(suite, test_event_parse_malformed);
	OSP_TEST(suite, test_list_parse);
	OSP_TEST(suite, test_list_parse_empty_and_invalid);
	OSP_TEST(suite, test_linebuf_split);
	OSP_TEST(suite, test_linebuf_oversize);
	OSP_TEST(suite, test_store_upsert_remove);
	OSP_TEST(suite, test_store_grow);
	OSP_TEST(suite, test_copy_out_bounded);
	OSP_TEST(suite, test_config_from_env);
	OSP_TEST(suite, test_watch_lifecycle_offline);
}
