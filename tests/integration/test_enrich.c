/* Enrichment end to end: the real agent (`osprey run --events`, real BPF) and real containers of
 * every runtime the harness starts (runc with docker state, the CRI-O fixture, podman, dockerd,
 * containerd `ctr run`, a containerd CRI pod). For each container the test runs, through the
 * runtime's own exec (runc exec, docker exec, podman exec, ctr task exec):
 *   - a 1 ms process (/bin/true MARK): its execve must carry container.id/name/image/type (and the
 *     pod's name, namespace, uid and labels for pods) and an ancestry that Falco's
 *     container_entrypoint macro accepts (proc.pname runc, ...), with the runtime in proc.aname;
 *   - the records of that same pid before its exec (runc's child, moved into the container after
 *     its fork on the host: the process table bug this suite guards) name the container too;
 *   - a process as uid 4242: user.name from the container's /etc/passwd (the host has no such user).
 *
 * One agent watches the whole suite. It runs in a private mount namespace (harness/osprey-ns.sh)
 * where a ctr.sh shared state directory appears at the runtimes' default paths, so every kind's
 * state is found with the agent's defaults and nothing of the host's is touched. A runtime that
 * is not installed is a loud skip, and a failure under CI=true.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/suite.h"
#include "lib/agent.h"
#include "lib/harness.h"

#define HARNESS_DIR "tests/integration/harness"
#define MAX_KV 48

enum kind_id { K_DOCKER, K_RUNC_DOCKER, K_RUNC_CRIO, K_PODMAN, K_CTR, K_CRI, K_MAX };

struct kind {
	const char *name;    /* ctr.sh kind */
	const char *runtime; /* what proc.aname must hold: the runtime's process above the exec */
	int status;	     /* 0 ran, 1 not installed, -1 start failed */
	char *out;	     /* harness output, split into kv */
	struct it_kv kv[MAX_KV];
	int n;
};

static struct kind kinds[K_MAX] = {
    /* dockerd first: it must not find the runc fixtures' state in its data root at start */
    [K_DOCKER] = {.name = "docker", .runtime = "containerd-shim"},
    [K_RUNC_DOCKER] = {.name = "runc-docker", .runtime = "runc"},
    [K_RUNC_CRIO] = {.name = "runc-crio", .runtime = "runc"},
    [K_PODMAN] = {.name = "podman", .runtime = "conmon"},
    [K_CTR] = {.name = "ctr", .runtime = "containerd-shim"},
    [K_CRI] = {.name = "cri", .runtime = "containerd-shim"},
};

static struct it_agent agent;
static int collected = -1; /* -1 not yet, 0 done, 1 failed */
static char state_dir[256];

static const char *get(const struct kind *k, const char *key)
{
	return it_kv_get(k->kv, k->n, key);
}

/* Runs "ctr.sh ARGS" (quiet on stdout unless out); returns the exit status, -errno. */
static int harness(const char *args, char **out)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s/ctr.sh %s", HARNESS_DIR, args);
	return it_popen(cmd, out);
}

static void parse_kv(struct kind *k)
{
	k->n = it_kv_parse(k->out, k->kv, MAX_KV);
}

/* Runs CMD... inside k's container with the runtime's exec; output discarded. */
static int exec_in(const struct kind *k, const char *cmd)
{
	char args[1024];

	snprintf(args, sizeof(args), "exec '%s' %s >/dev/null 2>&1", get(k, "dir"), cmd);
	return harness(args, NULL);
}

static void run_kind(struct kind *k)
{
	char args[256], *why = NULL;

	snprintf(args, sizeof(args), "check %s", k->name);
	if (harness(args, &why) != 0) {
		if (why)
			why[strcspn(why, "\n")] = '\0';
		fprintf(stderr, "\n*** enrich: %s containers cannot run here: %s ***\n", k->name,
			why ? why : "harness check failed");
		free(why);
		k->status = 1;
		return;
	}
	free(why);
	snprintf(args, sizeof(args), "start-%s", k->name);
	if (harness(args, &k->out) != 0) {
		fprintf(stderr, "\n*** enrich: ctr.sh start-%s failed ***\n", k->name);
		k->status = -1;
		return;
	}
	parse_kv(k);
	if (!get(k, "dir") || !get(k, "id")) {
		k->status = -1;
		return;
	}
	/* a 1 ms process, exec'd by the runtime into the running container */
	snprintf(args, sizeof(args), "/bin/true osp-e2e-%s", k->name);
	if (exec_in(k, args) != 0)
		fprintf(stderr, "\n*** enrich: exec into %s failed ***\n", k->name);
	/* a user only the container's /etc/passwd knows */
	snprintf(args, sizeof(args), "su -s /bin/sh ospuser -c \"'/bin/true' 'osp-user-%s'\"",
		 k->name);
	if (exec_in(k, args) != 0)
		fprintf(stderr, "\n*** enrich: exec as ospuser into %s failed ***\n", k->name);
	k->status = 0;
}

static void stop_kind(struct kind *k)
{
	char args[512];

	if (!get(k, "dir"))
		return;
	snprintf(args, sizeof(args), "stop '%s' >/dev/null 2>&1", get(k, "dir"));
	if (harness(args, NULL) != 0)
		fprintf(stderr, "\n*** enrich: ctr.sh stop %s failed ***\n", get(k, "dir"));
}

/* Starts the agent inside osprey-ns.sh's namespace, with the shared state directory. */
static int start_agent(void)
{
	char real[PATH_MAX], wrapper[PATH_MAX], *out = NULL;
	const char *bin = getenv("OSPREY_BIN") ? getenv("OSPREY_BIN") : "build/osprey";
	char *saved = getenv("OSPREY_BIN") ? strdup(getenv("OSPREY_BIN")) : NULL;
	int ret = -1;

	if (!realpath(bin, real) || !realpath(HARNESS_DIR "/osprey-ns.sh", wrapper)) {
		fprintf(stderr, "\n*** enrich: %s or the harness not found ***\n", bin);
		goto cleanup;
	}
	if (harness("state-new", &out) != 0 || !out || strncmp(out, "state=", 6) != 0)
		goto cleanup;
	out[strcspn(out, "\n")] = '\0';
	snprintf(state_dir, sizeof(state_dir), "%s", out + 6);
	setenv("OSP_CT_STATE", state_dir, 1);
	setenv("OSP_NS_BIN", real, 1);
	setenv("OSPREY_BIN", wrapper, 1);
	ret = it_agent_start(&agent, NULL);
	if (saved)
		setenv("OSPREY_BIN", saved, 1);
	else
		unsetenv("OSPREY_BIN");
cleanup:
	free(saved);
	free(out);
	return ret;
}

static int collect(void)
{
	char args[512];
	int i;

	if (collected >= 0)
		return collected;
	collected = 1;
	if (access(HARNESS_DIR "/ctr.sh", X_OK) != 0) {
		fprintf(stderr, "\n*** enrich: run from the repository root ***\n");
		return 1;
	}
	if (start_agent() == 0) {
		for (i = 0; i < K_MAX; i++)
			run_kind(&kinds[i]);
		if (it_agent_stop(&agent) == 0)
			collected = 0;
	}
	for (i = K_MAX - 1; i >= 0; i--)
		stop_kind(&kinds[i]);
	if (state_dir[0]) {
		snprintf(args, sizeof(args), "state-stop '%s' >/dev/null 2>&1", state_dir);
		harness(args, NULL);
	}
	unsetenv("OSP_CT_STATE");
	unsetenv("OSP_NS_BIN");
	return collected;
}

/* The kind's results are there to check; otherwise skips (or fails under CI / on a failed start). */
static bool ready(enum kind_id id)
{
	CU_ASSERT_FATAL(collect() == 0);
	if (kinds[id].status == 1) {
		OSP_SKIP("%s container runtime missing (see above)", kinds[id].name);
		return false;
	}
	CU_ASSERT_EQUAL(kinds[id].status, 0);
	return kinds[id].status == 0;
}

static bool array_has(const cJSON *ev, const char *key, const char *want)
{
	const cJSON *a = cJSON_GetObjectItem(ev, key), *it;

	cJSON_ArrayForEach(it, a)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, want) == 0)
			return true;
	}
	return false;
}

/* The execve whose proc.args is args, and which ran in a container (not the harness's own
 * command line, which carries the same words). */
static const cJSON *container_exec(const char *args)
{
	const cJSON *ev;

	cJSON_ArrayForEach(ev, agent.events)
	{
		const char *t = it_str(ev, "evt.type"), *a = it_str(ev, "proc.args");
		const char *cid = it_str(ev, "container.id");

		if (t && a && !strcmp(t, "execve") && !strcmp(a, args) && cid &&
		    strcmp(cid, "host") != 0)
			return ev;
	}
	return NULL;
}

#define EXPECT_FIELD(ev, key, want)                                                                \
	do {                                                                                       \
		const char *got_ = it_str((ev), (key)), *want_ = (want);                           \
		if (!want_)                                                                        \
			break;                                                                     \
		if (!got_ || strcmp(got_, want_) != 0)                                             \
			fprintf(stderr, "\n  %s: %s is \"%s\", expected \"%s\"\n", k->name, (key), \
				got_ ? got_ : "(none)", want_);                                    \
		CU_ASSERT_PTR_NOT_NULL(got_);                                                      \
		if (got_)                                                                          \
			CU_ASSERT_STRING_EQUAL(got_, want_);                                       \
	} while (0)

/* container.* and k8s.* of ev against what the harness made. */
static void expect_identity(const struct kind *k, const cJSON *ev)
{
	char short_id[13];
	const cJSON *labels;
	int i;

	snprintf(short_id, sizeof(short_id), "%.12s", get(k, "id"));
	EXPECT_FIELD(ev, "container.id", short_id);
	EXPECT_FIELD(ev, "container.full_id", get(k, "id"));
	EXPECT_FIELD(ev, "container.type", get(k, "runtime"));
	EXPECT_FIELD(ev, "container.name", get(k, "name"));
	EXPECT_FIELD(ev, "container.image", get(k, "image"));
	EXPECT_FIELD(ev, "k8s.pod.name", get(k, "pod_name"));
	EXPECT_FIELD(ev, "k8s.ns.name", get(k, "pod_namespace"));
	EXPECT_FIELD(ev, "k8s.pod.uid", get(k, "pod_uid"));
	labels = cJSON_GetObjectItem(ev, "k8s.pod.labels");
	for (i = 0; i < k->n; i++) {
		const cJSON *v;

		if (strncmp(k->kv[i].k, "pod_label.", 10) != 0)
			continue;
		v = cJSON_GetObjectItem(labels, k->kv[i].k + 10);
		if (!cJSON_IsString(v) || strcmp(v->valuestring, k->kv[i].v) != 0)
			fprintf(stderr, "\n  %s: k8s.pod.labels[%s] missing or wrong\n", k->name,
				k->kv[i].k + 10);
		CU_ASSERT_TRUE(cJSON_IsString(v));
		if (cJSON_IsString(v))
			CU_ASSERT_STRING_EQUAL(v->valuestring, k->kv[i].v);
	}
}

/* Falco's container_entrypoint macro: the parents it accepts for a process entering a container. */
static bool entrypoint_parent(const char *pname)
{
	static const char *const ok[] = {
	    "runc:[0:PARENT]", "runc:[1:CHILD]",  "runc",    "docker-runc", "exe",
	    "docker-runc-cur", "containerd-shim", "systemd", "crio",	    "conmon"};
	size_t i;

	for (i = 0; pname && i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (strcmp(pname, ok[i]) == 0)
			return true;
	}
	return false;
}

static void check_kind(enum kind_id id)
{
	struct kind *k = &kinds[id];
	char args[128], short_id[13];
	const cJSON *ex, *ev;
	int pid, before = 0;

	if (!ready(id))
		return;
	snprintf(short_id, sizeof(short_id), "%.12s", get(k, "id"));

	/* the 1 ms process: fully enriched although it was gone before the agent read its records */
	snprintf(args, sizeof(args), "osp-e2e-%s", k->name);
	ex = container_exec(args);
	if (!ex)
		fprintf(stderr, "\n  %s: no execve of /bin/true %s in the container\n", k->name,
			args);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	expect_identity(k, ex);
	EXPECT_FIELD(ex, "proc.exepath", "/bin/busybox");

	/* entered through the runtime: Falco's container_entrypoint holds, the runtime is an ancestor */
	if (!entrypoint_parent(it_str(ex, "proc.pname")))
		fprintf(stderr, "\n  %s: proc.pname \"%s\" is not a container entrypoint parent\n",
			k->name, it_str(ex, "proc.pname") ? it_str(ex, "proc.pname") : "(none)");
	if (!entrypoint_parent(it_str(ex, "proc.pname"))) {
		const cJSON *p;
		int ppid = (int)it_num(ex, "proc.ppid");

		cJSON_ArrayForEach(p, agent.events)
		{
			if ((int)it_num(p, "proc.pid") == ppid &&
			    strncmp(it_str(p, "evt.type"), "open", 4))
				fprintf(stderr, "    parent %d: %s %s ppid %d start %.0f\n", ppid,
					it_str(p, "evt.type"), it_str(p, "proc.name"),
					(int)it_num(p, "proc.ppid"), it_num(p, "proc.start_time"));
		}
		fprintf(stderr, "    exec: ppid %d pstart %.0f num %.0f\n", ppid,
			it_num(ex, "proc.parent_start_time"), it_num(ex, "evt.num"));
	}
	CU_ASSERT_TRUE(entrypoint_parent(it_str(ex, "proc.pname")));
	if (!array_has(ex, "proc.aname", k->runtime))
		fprintf(stderr, "\n  %s: proc.aname lacks %s\n", k->name, k->runtime);
	CU_ASSERT_TRUE(array_has(ex, "proc.aname", k->runtime));

	/* the same pid before its exec: runc's child, forked on the host and moved into the container;
	 * every record of it already names the container */
	pid = (int)it_num(ex, "proc.pid");
	cJSON_ArrayForEach(ev, agent.events)
	{
		const char *name = it_str(ev, "proc.name"), *cid = it_str(ev, "container.id");

		/* only once in the container's cgroup: its first records are still the host's */
		if ((int)it_num(ev, "proc.pid") != pid || ev == ex ||
		    it_num(ev, "proc.cgroup_id") != it_num(ex, "proc.cgroup_id"))
			continue;
		if (name && !strncmp(name, "runc:[", 6)) {
			before++;
			if (!cid || strcmp(cid, short_id) != 0)
				fprintf(stderr, "\n  %s: %s %s of %s: container.id %s\n", k->name,
					it_str(ev, "evt.type"),
					it_str(ev, "fd.name") ? it_str(ev, "fd.name") : "", name,
					cid ? cid : "(none)");
			CU_ASSERT_PTR_NOT_NULL(cid);
			if (cid)
				CU_ASSERT_STRING_EQUAL(cid, short_id);
		}
	}
	CU_ASSERT(before > 0);

	/* user.name from the container's /etc/passwd */
	snprintf(args, sizeof(args), "osp-user-%s", k->name);
	ex = container_exec(args);
	if (!ex)
		fprintf(stderr, "\n  %s: no execve as ospuser in the container\n", k->name);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	if (!it_str(ex, "user.name"))
		fprintf(stderr,
			"\n  %s: uid %.0f pid %.0f vpid %.0f pidns %.0f aname0 %s pname %s\n",
			k->name, it_num(ex, "user.uid"), it_num(ex, "proc.pid"),
			it_num(ex, "proc.vpid"), it_num(ex, "proc.pidns_ino"),
			it_str(ex, "proc.name"), it_str(ex, "proc.pname"));
	if (!it_str(ex, "user.name")) {
		const cJSON *p;

		cJSON_ArrayForEach(p, agent.events)
		{
			if (it_num(p, "proc.pid") == it_num(ex, "proc.pid") &&
			    !strcmp(it_str(p, "evt.type"), "execve"))
				fprintf(stderr, "    %s uid %.0f user %s\n", it_str(p, "proc.name"),
					it_num(p, "user.uid"),
					it_str(p, "user.name") ? it_str(p, "user.name") : "-");
			if (it_num(p, "proc.vpid") == 1 &&
			    it_num(p, "proc.pidns_ino") == it_num(ex, "proc.pidns_ino") &&
			    !strcmp(it_str(p, "evt.type"), "execve"))
				fprintf(stderr, "    init %s pid %.0f\n", it_str(p, "proc.name"),
					it_num(p, "proc.pid"));
		}
	}
	CU_ASSERT_EQUAL(it_num(ex, "user.uid"), 4242);
	EXPECT_FIELD(ex, "user.name", "ospuser");
	EXPECT_FIELD(ex, "container.id", short_id);
}

static void test_docker(void)
{
	check_kind(K_DOCKER);
}

static void test_runc_docker(void)
{
	check_kind(K_RUNC_DOCKER);
}

static void test_runc_crio(void)
{
	check_kind(K_RUNC_CRIO);
}

static void test_podman(void)
{
	check_kind(K_PODMAN);
}

static void test_containerd_ctr(void)
{
	check_kind(K_CTR);
}

static void test_containerd_cri(void)
{
	check_kind(K_CRI);
}

/* Host processes stay "host"; the agent lost nothing while the containers came and went. */
static void test_host_and_losses(void)
{
	const cJSON *ev;

	CU_ASSERT_FATAL(collect() == 0);
	ev = container_exec("osp-e2e-none"); /* never run: only container execs match */
	CU_ASSERT_PTR_NULL(ev);
	ev = it_find(&agent, "execve", -1, "proc.name", "ctr.sh");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "container.id"), "host");
	if (!strstr(agent.err_tail, "ringbuf_full=0 "))
		fprintf(stderr, "\n  agent: %s\n", agent.err_tail);
	CU_ASSERT_PTR_NOT_NULL(strstr(agent.err_tail, "ringbuf_full=0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(agent.err_tail, "malformed=0 "));
}

static int enrich_cleanup(void)
{
	int i;

	for (i = 0; i < K_MAX; i++)
		free(kinds[i].out);
	it_agent_free(&agent);
	return 0;
}

OSP_SUITE(enrich)
{
	suite->pCleanupFunc = enrich_cleanup;
	OSP_TEST(suite, test_docker);
	OSP_TEST(suite, test_runc_docker);
	OSP_TEST(suite, test_runc_crio);
	OSP_TEST(suite, test_podman);
	OSP_TEST(suite, test_containerd_ctr);
	OSP_TEST(suite, test_containerd_cri);
	OSP_TEST(suite, test_host_and_losses);
}
