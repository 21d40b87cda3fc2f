/* Container resolution against REAL runtimes: tests/integration/harness/ctr.sh starts a container
 * (runc with docker / systemd / CRI-O style cgroups and state, podman, dockerd, containerd with ctr
 * and through its CRI plugin), this test reads the container process's /proc/PID/cgroup the way
 * the kernel event gives it (the v2 path, and the v1 memory-hierarchy path) and asserts what
 * container_resolve() makes of it against what the harness says it created.
 *
 * Runs as root (tests/integration/main.c checks). A runtime that is not installed is a loud skip,
 * and a failure under CI=true, where every runtime must be there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/suite.h"
#include "lib/harness.h"
#include "container/container.h"
#include "event.h"

#define MAX_KV 64

struct harness {
	char *out; /* the harness's stdout, split in place into kv */
	struct it_kv kv[MAX_KV];
	int n;
};

static const char *harness_path(void)
{
	const char *p = getenv("OSP_CT_HARNESS");

	return p && *p ? p : "tests/integration/harness/ctr.sh";
}

static const char *get(const struct harness *h, const char *key)
{
	return it_kv_get(h->kv, h->n, key);
}

/* Runs "ctr.sh ARGS" and returns its exit status; stdout into *out (malloc'ed) when out != NULL. */
static int run_harness(const char *args, char **out)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "'%s' %s", harness_path(), args);
	return it_popen(cmd, out);
}

/* Is KIND runnable here? When not, says why loudly; under CI that is a failure. */
static bool available(const char *kind)
{
	char args[128], *why = NULL;
	int r;

	if (access(harness_path(), X_OK) != 0) {
		fprintf(stderr,
			"\n*** container tests: harness %s not found (run from the repo root, or "
			"set OSP_CT_HARNESS) ***\n",
			harness_path());
		CU_FAIL("container harness not found");
		return false;
	}
	snprintf(args, sizeof(args), "check %s", kind);
	r = run_harness(args, &why);
	if (r == 0) {
		free(why);
		return true;
	}
	if (why) {
		why[strcspn(why, "\n")] = '\0';
	}
	OSP_SKIP("%s container test: %s", kind, why ? why : "harness check failed");
	free(why);
	return false;
}

static int start(const char *kind, struct harness *h)
{
	char args[128];
	int r;

	memset(h, 0, sizeof(*h));
	snprintf(args, sizeof(args), "start-%s", kind);
	r = run_harness(args, &h->out);
	if (r != 0 || !h->out) {
		fprintf(stderr, "\n*** ctr.sh start-%s failed (exit %d) ***\n", kind, r);
		return -1;
	}
	h->n = it_kv_parse(h->out, h->kv, MAX_KV);
	return get(h, "dir") && get(h, "pid") && get(h, "id") ? 0 : -1;
}

static void stop(struct harness *h)
{
	const char *dir = get(h, "dir");
	char args[600];

	if (dir) {
		snprintf(args, sizeof(args), "stop '%s'", dir);
		if (run_harness(args, NULL) != 0)
			fprintf(stderr, "\n*** ctr.sh stop %s failed ***\n", dir);
	}
	free(h->out);
	memset(h, 0, sizeof(*h));
}

/* The v2 path ("0::") and the v1 memory-hierarchy path of pid, as the kernel side reports them. */
static int read_cgroups(const char *pid, char *v2, size_t v2sz, char *v1, size_t v1sz)
{
	char path[64], line[4096];
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%s/cgroup", pid);
	fp = fopen(path, "r");
	if (!fp)
		return -errno;
	v2[0] = v1[0] = '\0';
	while (fgets(line, sizeof(line), fp)) {
		char *ctrl, *p;

		line[strcspn(line, "\n")] = '\0';
		ctrl = strchr(line, ':');
		if (!ctrl)
			continue;
		p = strchr(ctrl + 1, ':');
		if (!p)
			continue;
		*p++ = '\0';
		ctrl++;
		if (strncmp(line, "0:", 2) == 0 && *ctrl == '\0')
			snprintf(v2, v2sz, "%s", p);
		else if (strcmp(ctrl, "memory") == 0 || strstr(ctrl, "memory,") ||
			 (strlen(ctrl) > 7 && strcmp(ctrl + strlen(ctrl) - 7, ",memory") == 0))
			snprintf(v1, v1sz, "%s", p);
	}
	fclose(fp);
	return 0;
}

static struct container_cache *cache_for(const struct harness *h)
{
	struct container_cache_config cfg = {
	    .paths =
		{
		    .host_root = "/",
		    .docker_data_root = get(h, "docker_data_root"),
		    .containerd_state = get(h, "containerd_state"),
		    .containerd_root = get(h, "containerd_root"),
		    .containers_storage = get(h, "containers_storage"),
		    .containers_runroot = get(h, "containers_runroot"),
		},
	    .max_entries = 16,
	};

	return container_cache_new(&cfg);
}

static void set_proc(struct osp_proc *p, const char *v2, const char *v1)
{
	memset(p, 0, sizeof(*p));
	p->cgroup.p = v2;
	p->cgroup.len = (uint32_t)strlen(v2);
	p->cgroup_v1.p = v1;
	p->cgroup_v1.len = (uint32_t)strlen(v1);
}

static const char *kv_find(const struct osp_kv *kv, uint32_t n, const char *key)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	}
	return NULL;
}

#define EXPECT_STR(what, got, want)                                                                \
	do {                                                                                       \
		if (!(want)) {                                                                     \
			break;                                                                     \
		}                                                                                  \
		if (strcmp((got), (want)) != 0)                                                    \
			fprintf(stderr, "\n  %s: %s is \"%s\", expected \"%s\"\n", kind, what,     \
				(got), (want));                                                    \
		CU_ASSERT_STRING_EQUAL((got), (want));                                             \
	} while (0)

/* Checks c against every key the harness printed. */
static void expect(const char *kind, const struct harness *h, const struct osp_container *c)
{
	const char *v;
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	EXPECT_STR("container.id", c->full_id, get(h, "id"));
	EXPECT_STR("container.type", osp_runtime_name(c->runtime), get(h, "runtime"));
	if (!c->metadata_complete)
		fprintf(stderr, "\n  %s: metadata incomplete\n", kind);
	CU_ASSERT_TRUE(c->metadata_complete);
	EXPECT_STR("container.name", c->name, get(h, "name"));
	EXPECT_STR("container.image", c->image, get(h, "image"));
	EXPECT_STR("k8s.pod.name", c->pod_name, get(h, "pod_name"));
	EXPECT_STR("k8s.ns.name", c->pod_namespace, get(h, "pod_namespace"));
	EXPECT_STR("k8s.pod.uid", c->pod_uid, get(h, "pod_uid"));
	EXPECT_STR("sandbox id", c->sandbox_id, get(h, "sandbox_id"));
	if ((v = get(h, "privileged")))
		CU_ASSERT_EQUAL(c->privileged, atoi(v));
	/* OSP_CT_BIND=1: a host directory bind-mounted read-write */
	if ((v = get(h, "mount.dest"))) {
		const struct osp_mount *m = container_mount_by_dest(c, v);

		if (!m)
			fprintf(stderr, "\n  %s: no mount at %s among %u\n", kind, v, c->nmounts);
		CU_ASSERT_PTR_NOT_NULL_FATAL(m);
		EXPECT_STR("container.mount.source[dest]", m->source, get(h, "mount.source"));
		EXPECT_STR("container.mount.dest[source]", m->dest, v);
		CU_ASSERT_EQUAL(m->rdwr, strcmp(get(h, "mount.rdwr"), "true") == 0);
		CU_ASSERT_PTR_EQUAL(container_mount_select(c, get(h, "mount.source"), false), m);
		CU_ASSERT_PTR_NULL(container_mount_by_source(c, "/proc*"));
	}
	for (i = 0; i < h->n; i++) {
		const char *k = h->kv[i].k, *got = NULL;

		if (strncmp(k, "label.", 6) == 0)
			got = kv_find(c->labels, c->nlabels, k + 6);
		else if (strncmp(k, "pod_label.", 10) == 0)
			got = kv_find(c->pod_labels, c->npod_labels, k + 10);
		else
			continue;
		if (!got || strcmp(got, h->kv[i].v) != 0)
			fprintf(stderr, "\n  %s: %s is %s, expected %s\n", kind, k,
				got ? got : "(none)", h->kv[i].v);
		CU_ASSERT_PTR_NOT_NULL(got);
		if (got)
			CU_ASSERT_STRING_EQUAL(got, h->kv[i].v);
	}
}

/* Starts KIND, resolves its process by the v2 path and by the v1 memory path alone, stops it. */
static void run_kind(const char *kind)
{
	struct container_cache *cache = NULL, *cache_v1 = NULL;
	struct container_cache_stats st;
	struct harness h;
	struct osp_proc p;
	const struct osp_container *c;
	char v2[4096], v1[4096];

	if (!available(kind))
		return;
	if (start(kind, &h) != 0) {
		CU_FAIL("harness start failed (see stderr)");
		stop(&h);
		return;
	}
	CU_ASSERT_EQUAL_FATAL(read_cgroups(get(&h, "pid"), v2, sizeof(v2), v1, sizeof(v1)), 0);
	cache = cache_for(&h);
	cache_v1 = cache_for(&h);
	CU_ASSERT_PTR_NOT_NULL(cache);
	CU_ASSERT_PTR_NOT_NULL(cache_v1);
	if (!cache || !cache_v1)
		goto cleanup;
	/* the v2 path, as a cgroup-v2 (or hybrid with v2 in use) host gives it */
	set_proc(&p, v2, v1);
	c = container_resolve(cache, &p);
	if (strcmp(v2, "/") == 0 || v2[0] == '\0')
		fprintf(stderr, "\n  %s: v2 path is \"%s\"; resolved through v1 \"%s\"\n", kind, v2,
			v1);
	expect(kind, &h, c);
	/* again: a hit, the same entry */
	CU_ASSERT_PTR_EQUAL(container_resolve(cache, &p), c);
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.misses, 1);
	CU_ASSERT_EQUAL(st.hits, 1);
	CU_ASSERT_EQUAL(st.metadata_errors, 0);
	/* the v1 memory path alone (v2 at the root), as on a v1-only or hybrid host */
	if (v1[0]) {
		set_proc(&p, "/", v1);
		expect(kind, &h, container_resolve(cache_v1, &p));
	}
	/* the CRI pod's sandbox is the same pod */
	if (get(&h, "sandbox_pid")) {
		CU_ASSERT_EQUAL(
		    read_cgroups(get(&h, "sandbox_pid"), v2, sizeof(v2), v1, sizeof(v1)), 0);
		set_proc(&p, v2, v1);
		c = container_resolve(cache, &p);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		EXPECT_STR("sandbox container.id", c->full_id, get(&h, "sandbox_id"));
		CU_ASSERT_TRUE(c->is_sandbox);
		EXPECT_STR("sandbox k8s.pod.name", c->pod_name, get(&h, "pod_name"));
		EXPECT_STR("sandbox k8s.pod.uid", c->pod_uid, get(&h, "pod_uid"));
		CU_ASSERT_PTR_NOT_NULL(kv_find(c->pod_labels, c->npod_labels, "team"));
	}
cleanup:
	container_cache_free(cache);
	container_cache_free(cache_v1);
	stop(&h);
}

/* run_kind() with OSP_CT_BIND=1: the container also bind-mounts a host directory at /data. */
static void run_kind_bind(const char *kind)
{
	setenv("OSP_CT_BIND", "1", 1);
	run_kind(kind);
	unsetenv("OSP_CT_BIND");
}

static void test_runc_docker_bind(void)
{
	run_kind_bind("runc-docker");
}

static void test_runc_crio_bind(void)
{
	run_kind_bind("runc-crio");
}

static void test_podman_bind(void)
{
	run_kind_bind("podman");
}

static void test_docker_bind(void)
{
	run_kind_bind("docker");
}

static void test_runc_docker_cgroupfs(void)
{
	run_kind("runc-docker");
}

static void test_runc_docker_systemd(void)
{
	run_kind("runc-docker-systemd");
}

static void test_runc_crio(void)
{
	run_kind("runc-crio");
}

static void test_podman(void)
{
	run_kind("podman");
}

static void test_docker(void)
{
	run_kind("docker");
}

static void test_docker_cri_dockerd(void)
{
	run_kind("docker-k8s");
}

static void test_containerd_ctr(void)
{
	run_kind("ctr");
}

static void test_containerd_cri(void)
{
	run_kind("cri");
}

/* This very process is on the host, whatever memory cgroup the machine put it in. */
static void test_host_process(void)
{
	struct container_cache *cache = container_cache_new(NULL);
	struct osp_proc p;
	const struct osp_container *c;
	char pid[16], v2[4096], v1[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	CU_ASSERT_EQUAL_FATAL(read_cgroups(pid, v2, sizeof(v2), v1, sizeof(v1)), 0);
	set_proc(&p, v2, v1);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (c->runtime != OSP_RT_HOST)
		fprintf(stderr,
			"\n  host process (v2 \"%s\", v1 memory \"%s\") resolved as %s %s\n", v2,
			v1, osp_runtime_name(c->runtime), c->full_id);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_HOST);
	CU_ASSERT_STRING_EQUAL(c->full_id, "host");
	container_cache_free(cache);
}

OSP_SUITE(container_runtimes)
{
	OSP_TEST(suite, test_host_process);
	OSP_TEST(suite, test_runc_docker_cgroupfs);
	OSP_TEST(suite, test_runc_docker_systemd);
	OSP_TEST(suite, test_runc_crio);
	OSP_TEST(suite, test_podman);
	OSP_TEST(suite, test_docker);
	OSP_TEST(suite, test_docker_cri_dockerd);
	OSP_TEST(suite, test_containerd_ctr);
	OSP_TEST(suite, test_containerd_cri);
	OSP_TEST(suite, test_runc_docker_bind);
	OSP_TEST(suite, test_runc_crio_bind);
	OSP_TEST(suite, test_podman_bind);
	OSP_TEST(suite, test_docker_bind);
}
