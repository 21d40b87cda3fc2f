/* The pod watcher against a local HTTPS server that speaks the Kubernetes API's wire format.
 *
 * The API server cannot run here, so the project's one test double plays it: k8s_fake_api.c. Every
 * wait polls against a deadline.
 */
#include "../common/suite.h"
#include "k8s_fake_api.h"

#include "event.h"
#include "k8s/k8s.h"

#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- watcher side ---- */

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static struct k8s_watch *watch_new(struct fake *f, const char *ca, unsigned int page)
{
	char url[64];
	struct k8s_config c = {.api_url = url,
			       .token_path = fake_token_path,
			       .ca_path = ca,
			       .node_name = NODE,
			       .backoff_initial_ms = 20,
			       .backoff_max_ms = 200,
			       .connect_timeout_ms = 2000,
			       .list_page_size = page,
			       .max_line = 16384,
			       .log = quiet};
	struct k8s_watch *w;

	snprintf(url, sizeof(url), "https://127.0.0.1:%u/", f->port);
	w = k8s_watch_new(&c);
	if (w && k8s_watch_start(w) != 0) {
		k8s_watch_free(w);
		w = NULL;
	}
	return w;
}

static struct k8s_stats stats(struct k8s_watch *w)
{
	struct k8s_stats st;

	k8s_watch_stats(w, &st);
	return st;
}

/* Label value of a pod, or "" when the pod or the label is unknown. */
static const char *label(struct k8s_watch *w, const char *uid, const char *key)
{
	static __thread char str[1024];
	static __thread char value[128];
	struct k8s_pod_meta m;
	struct osp_kv kv[16];
	uint32_t i;

	value[0] = '\0';
	if (k8s_pod_labels(w, uid, &m, kv, 16, str, sizeof(str)) != 0)
		return value;
	for (i = 0; i < m.nlabels; i++) {
		if (strcmp(kv[i].key, key) == 0)
			snprintf(value, sizeof(value), "%s", kv[i].value);
	}
	return value;
}

static bool known(struct k8s_watch *w, const char *uid)
{
	struct k8s_pod_meta m;

	return k8s_pod_labels(w, uid, &m, NULL, 0, NULL, 0) == 0;
}

/* The fake server, or the end of a test that was skipped because it cannot have one. */
#define FAKE_OR_SKIP(f)                                                                            \
	do {                                                                                       \
		if (!(f) && fake_certs_failed)                                                     \
			return;                                                                    \
		CU_ASSERT_PTR_NOT_NULL_FATAL(f);                                                   \
	} while (0)

/* Two pods on this node, one on another. */
static struct fake *fake_with_pods(void)
{
	struct fake *f;

	if (!fake_certs()) {
		OSP_SKIP("no TLS certificates for the fake API server: the openssl CLI failed");
		return NULL;
	}
	f = fake_new();
	if (!f)
		return NULL;
	fake_pod_add(f, "uid-a", "web-a", NODE, "{\"app\":\"web\",\"tier\":\"front\"}", CID("a"));
	fake_pod_add(f, "uid-b", "db-b", NODE, "{\"app\":\"db\"}", CID("b"));
	fake_pod_add(f, "uid-x", "elsewhere", "node-2", "{\"app\":\"other\"}", CID("c"));
	return f;
}

static void test_list_and_lookup(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	struct k8s_pod_meta m;
	struct osp_kv kv[4];
	char str[256];

	FAKE_OR_SKIP(f);
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 2);
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(k8s_pod_labels(w, "uid-a", &m, kv, 4, str, sizeof(str)), 0);
	CU_ASSERT_STRING_EQUAL(m.name, "web-a");
	CU_ASSERT_STRING_EQUAL(m.ns, "default");
	CU_ASSERT_EQUAL(m.nlabels, 2);
	CU_ASSERT_STRING_EQUAL(kv[0].key, "app");
	CU_ASSERT_STRING_EQUAL(kv[0].value, "web");
	CU_ASSERT_STRING_EQUAL(kv[1].key, "tier");
	CU_ASSERT_STRING_EQUAL(kv[1].value, "front");
	/* by container id, bare or with the runtime scheme */
	CU_ASSERT_EQUAL(k8s_pod_by_container(w, &CID("b")[strlen("containerd://")], &m, kv, 4, str,
					     sizeof(str)),
			0);
	CU_ASSERT_STRING_EQUAL(m.uid, "uid-b");
	CU_ASSERT_EQUAL(k8s_pod_by_container(w, CID("a"), &m, NULL, 0, NULL, 0), 0);
	CU_ASSERT_STRING_EQUAL(m.uid, "uid-a");
	/* the other node's pod was filtered out by the field selector */
	CU_ASSERT_FALSE(known(w, "uid-x"));
	CU_ASSERT_EQUAL(k8s_pod_by_container(w, CID("c"), &m, NULL, 0, NULL, 0), -ENOENT);
	pthread_mutex_lock(&f->mu);
	CU_ASSERT_STRING_EQUAL(f->selector, "spec.nodeName=" NODE);
	CU_ASSERT_EQUAL(f->unauthorized, 0);
	pthread_mutex_unlock(&f->mu);
	/* and a watch is open */
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).errors, 0);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_list_pages(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	fake_pod_add(f, "uid-c", "cache-c", NODE, "{\"app\":\"cache\"}", CID("d"));
	w = watch_new(f, fake_ca_path, 1);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 3);
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(fake_count(f, &f->lists), 1);
	CU_ASSERT_EQUAL(fake_count(f, &f->list_pages_continued), 2);
	CU_ASSERT_STRING_EQUAL(label(w, "uid-c", "app"), "cache");
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_watch_events(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	uint64_t events;

	FAKE_OR_SKIP(f);
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));

	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"new\"}", CID("e"));
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "new") == 0, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 3);

	fake_pod_relabel(f, "uid-a", "{\"app\":\"web\",\"tier\":\"back\",\"canary\":\"yes\"}");
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-a", "tier"), "back") == 0, WAIT_MS));
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "canary"), "yes");

	fake_pod_delete(f, "uid-b");
	CU_ASSERT(WAIT_UNTIL(!known(w, "uid-b"), WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).pods, 2);

	events = stats(w).watch_events;
	CU_ASSERT(events >= 3);
	fake_bookmark(f);
	CU_ASSERT(WAIT_UNTIL(stats(w).watch_events == events + 1, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(stats(w).errors, 0);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_gone_relists(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));
	fake_expire(f);
	CU_ASSERT(WAIT_UNTIL(stats(w).relists >= 1 && stats(w).lists >= 2, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->lists) >= 2, WAIT_MS));
	/* data survives the re-list, and the new watch delivers */
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"after-410\"}", CID("e"));
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "after-410") == 0, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).errors, 0);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_bearer_token(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	CU_ASSERT_EQUAL_FATAL(fake_write_file(fake_token_path, "expired-token\n"), 0);
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	/* 401: counted and retried with backoff, no data */
	CU_ASSERT(WAIT_UNTIL(stats(w).errors_auth >= 2, WAIT_MS));
	CU_ASSERT(fake_count(f, &f->unauthorized) >= 2);
	CU_ASSERT_FALSE(stats(w).synced);
	CU_ASSERT_EQUAL(stats(w).pods, 0);
	CU_ASSERT(stats(w).reconnects >= 1);
	/* the token rotates: the file is read again before the next request */
	CU_ASSERT_EQUAL(fake_write_file(fake_token_path, TOKEN "\n"), 0);
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
out:
	k8s_watch_free(w);
	fake_free(f);
	fake_write_file(fake_token_path, TOKEN "\n");
}

static void test_wrong_ca(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;

	FAKE_OR_SKIP(f);
	w = watch_new(f, fake_ca2_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).errors_tls >= 2, WAIT_MS));
	CU_ASSERT_FALSE(stats(w).synced);
	CU_ASSERT_EQUAL(stats(w).lists, 0);
	CU_ASSERT_EQUAL(stats(w).pods, 0);
	CU_ASSERT_FALSE(known(w, "uid-a"));
	/* the token never reached a server it could not verify */
	CU_ASSERT_EQUAL(fake_count(f, &f->lists), 0);
	CU_ASSERT_EQUAL(fake_count(f, &f->unauthorized), 0);
	k8s_watch_free(w);

	/* the right CA, same server */
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).errors_tls, 0);
	CU_ASSERT(known(w, "uid-a"));
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_server_goes_away(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	uint64_t reconnects;

	FAKE_OR_SKIP(f);
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));
	reconnects = stats(w).reconnects;

	fake_stop(f);
	CU_ASSERT(WAIT_UNTIL(stats(w).errors_connect >= 2 && stats(w).reconnects >= reconnects + 2,
			     WAIT_MS));
	/* the last known data keeps being served */
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
	CU_ASSERT_EQUAL(stats(w).pods, 2);

	/* a pod appears while the server is away; the resumed watch brings it */
	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"back\"}", CID("e"));
	CU_ASSERT_EQUAL_FATAL(fake_start(f), 0);
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "back") == 0, WAIT_MS));
	/* resumed from the last resourceVersion: no second list was needed */
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(fake_count(f, &f->lists), 1);
out:
	k8s_watch_free(w);
	fake_free(f);
}

static void test_bad_lines(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	char *big;

	FAKE_OR_SKIP(f);
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(fake_count(f, &f->watches) >= 1, WAIT_MS));

	/* a line over max_line (16 KiB here): a huge label value */
	big = malloc(40000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, 'v', 39999);
	big[39999] = '\0';
	{
		static const char head[] =
		    "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"labels\":{\"k\":\"";

		memcpy(big, head, sizeof(head) - 1);
	}
	fake_raw(f, big);
	free(big);
	fake_raw(f, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"no-uid\"}}}");
	fake_raw(f, "this is not json");
	fake_raw(f, "{\"type\":\"ADDED\",\"object\":{\"metadata\":");
	fake_pod_add(f, "uid-n", "new-n", NODE, "{\"app\":\"still-here\"}", CID("e"));
	CU_ASSERT(WAIT_UNTIL(strcmp(label(w, "uid-n", "app"), "still-here") == 0, WAIT_MS));
	CU_ASSERT_EQUAL(stats(w).lines_oversize, 1);
	CU_ASSERT_EQUAL(stats(w).errors_parse, 3);
	CU_ASSERT_EQUAL(stats(w).lists, 1);
	CU_ASSERT_EQUAL(stats(w).errors_connect, 0);
	CU_ASSERT_STRING_EQUAL(label(w, "uid-a", "app"), "web");
out:
	k8s_watch_free(w);
	fake_free(f);
}

/* The container cache's provider hook: heap copies, beyond the stack buffer it tries first. */
static void test_labels_dup(void)
{
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	struct osp_kv *kv = NULL;
	char labels[8192], value[61];
	uint32_t n = 0, i;
	size_t off;

	FAKE_OR_SKIP(f);
	memset(value, 'v', 60);
	value[60] = '\0';
	off = (size_t)snprintf(labels, sizeof(labels), "{");
	for (i = 0; i < 60; i++)
		off += (size_t)snprintf(labels + off, sizeof(labels) - off,
					"%s\"label-%02u\":\"%s\"", i ? "," : "", i, value);
	snprintf(labels + off, sizeof(labels) - off, "}");
	fake_pod_add(f, "uid-m", "many-labels", NODE, labels, CID("f"));
	fake_pod_add(f, "uid-z", "no-labels", NODE, "{}", CID("9"));
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w)
		goto out;
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-a", &kv, &n), 0);
	CU_ASSERT_EQUAL(n, 2);
	if (n == 2) {
		CU_ASSERT_STRING_EQUAL(kv[0].key, "app");
		CU_ASSERT_STRING_EQUAL(kv[1].value, "front");
	}
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-m", &kv, &n), 0);
	CU_ASSERT_EQUAL(n, 60);
	if (n == 60) {
		CU_ASSERT_STRING_EQUAL(kv[59].key, "label-59");
		CU_ASSERT_STRING_EQUAL(kv[59].value, value);
	}
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-z", &kv, &n), 0);
	CU_ASSERT_EQUAL(n, 0);
	CU_ASSERT_PTR_NULL(kv);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-nope", &kv, &n), -ENOENT);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-x", &kv, &n), -ENOENT);
	CU_ASSERT_EQUAL(k8s_pod_labels_dup(w, "uid-a", NULL, &n), -EINVAL);
out:
	k8s_watch_free(w);
	fake_free(f);
}

/* A containerd CRI container (bundle config.json under <root>/run/containerd, no meta.db: the
 * runtime state names the pod but has none of its labels) in pod uid, with cgroup path into *p. */
static void cri_bundle(const char *root, const char *id, const char *uid, char *cg, size_t cgsz,
		       struct osp_proc *p)
{
	char cmd[1024];

	snprintf(
	    cmd, sizeof(cmd),
	    "d='%s/run/containerd/io.containerd.runtime.v2.task/k8s.io/%s' && mkdir -p \"$d\" && "
	    "printf '%%s' '{\"ociVersion\":\"1.0.2\",\"annotations\":{"
	    "\"io.kubernetes.cri.container-type\":\"container\","
	    "\"io.kubernetes.cri.container-name\":\"app\","
	    "\"io.kubernetes.cri.image-name\":\"docker.io/library/nginx:1.25\","
	    "\"io.kubernetes.cri.sandbox-name\":\"web-0\","
	    "\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
	    "\"io.kubernetes.cri.sandbox-uid\":\"%s\"}}' >\"$d/config.json\"",
	    root, id, uid);
	CU_ASSERT_EQUAL(system(cmd), 0);
	snprintf(cg, cgsz, "/kubepods/besteffort/pod%s/%s", uid, id);
	memset(p, 0, sizeof(*p));
	p->cgroup.p = cg;
	p->cgroup.len = (uint32_t)strlen(cg);
}

static const char *pod_label(const struct osp_container *c, const char *key)
{
	uint32_t i;

	for (i = 0; c && i < c->npod_labels; i++) {
		if (strcmp(c->pod_labels[i].key, key) == 0)
			return c->pod_labels[i].value;
	}
	return NULL;
}

/* k8s_attach_to_containers(): pod labels known only to the watcher reach container_resolve(),
 * also for a pod the API server shows only after the container was first seen. */
static void test_attach_to_containers(void)
{
#define UID1 "0b6a1c1e-1111-4222-8333-444455556666"
#define UID2 "0b6a1c1e-1111-4222-8333-777788889999"
#define ID1 "1111111111111111111111111111111111111111111111111111111111111111"
#define ID2 "2222222222222222222222222222222222222222222222222222222222222222"
	struct fake *f = fake_with_pods();
	struct k8s_watch *w = NULL;
	struct container_cache *cache = NULL;
	const struct osp_container *c;
	struct osp_proc p1, p2;
	char root[64], cg1[160], cg2[160], cmd[128];

	FAKE_OR_SKIP(f);
	snprintf(root, sizeof(root), "/tmp/osp-k8sattach-XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(root));
	cri_bundle(root, ID1, UID1, cg1, sizeof(cg1), &p1);
	cri_bundle(root, ID2, UID2, cg2, sizeof(cg2), &p2);
	fake_pod_add(f, UID1, "web-0", NODE, "{\"app\":\"k8s-only\",\"team\":\"sec\"}", CID("1"));
	cache = container_cache_new(&(struct container_cache_config){.paths = {.host_root = root},
								     .retry_interval_ms = 20});
	CU_ASSERT_PTR_NOT_NULL(cache);
	w = watch_new(f, fake_ca_path, 0);
	CU_ASSERT_PTR_NOT_NULL(w);
	if (!w || !cache)
		goto out;
	CU_ASSERT_EQUAL(k8s_attach_to_containers(w, NULL), -EINVAL);
	CU_ASSERT_EQUAL(k8s_attach_to_containers(w, cache), 0);
	CU_ASSERT(WAIT_UNTIL(stats(w).synced, WAIT_MS));

	c = container_resolve(cache, &p1);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_CONTAINERD);
	CU_ASSERT_STRING_EQUAL(c->pod_name, "web-0");
	CU_ASSERT_STRING_EQUAL(c->pod_uid, UID1);
	CU_ASSERT_EQUAL(c->npod_labels, 2);
	CU_ASSERT_STRING_EQUAL(pod_label(c, "app"), "k8s-only");
	CU_ASSERT_STRING_EQUAL(pod_label(c, "team"), "sec");

	/* a pod the API server does not show yet: no labels, asked again after the retry interval */
	c = container_resolve(cache, &p2);
	CU_ASSERT_EQUAL(c->npod_labels, 0);
	fake_pod_add(f, UID2, "web-1", NODE, "{\"app\":\"late\"}", CID("2"));
	CU_ASSERT(WAIT_UNTIL(known(w, UID2), WAIT_MS));
	CU_ASSERT(WAIT_UNTIL(pod_label(container_resolve(cache, &p2), "app") != NULL, WAIT_MS));
	CU_ASSERT_STRING_EQUAL(pod_label(container_resolve(cache, &p2), "app"), "late");

	/* detached: the cache no longer asks (and may outlive the watcher) */
	CU_ASSERT_EQUAL(k8s_attach_to_containers(NULL, cache), 0);
out:
	container_cache_free(cache);
	k8s_watch_free(w);
	fake_free(f);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "k8s_server: could not remove %s\n", root);
}

static void test_cleanup(void)
{
	fake_cleanup();
}

OSP_SUITE(k8s_server)
{
	OSP_TEST(suite, test_list_and_lookup);
	OSP_TEST(suite, test_list_pages);
	OSP_TEST(suite, test_watch_events);
	OSP_TEST(suite, test_gone_relists);
	OSP_TEST(suite, test_bearer_token);
	OSP_TEST(suite, test_wrong_ca);
	OSP_TEST(suite, test_server_goes_away);
	OSP_TEST(suite, test_bad_lines);
	OSP_TEST(suite, test_labels_dup);
	OSP_TEST(suite, test_attach_to_containers);
	OSP_TEST(suite, test_cleanup);
}
