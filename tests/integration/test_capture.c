/* Kernel capture, end to end: the real BPF programs under `osprey run --events`, real processes started
 * by this test, a real runc container. Every scenario runs once with one agent; each test then asserts
 * on the exact events of the process it is about. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/suite.h"
#include "lib/agent.h"
#include "lib/harness.h"

static struct it_agent agent;
static int collected = -1; /* -1: not yet, 0: done, 1: failed */
static char dir[64];
static char cgroup[64];
static char runc_dir[64]; /* the runc container's work directory: its state is below it */
static pid_t pid_symlink, pid_rel, pid_long, pid_uid, pid_opens, pid_short;
static int container_status = -1;
static char docker_id[65];
static char docker_cgroup[96];
static int docker_status = -1;

static void opens_child(void)
{
	struct open_how how = {.flags = O_RDONLY};
	int dfd;

	if (chdir(dir))
		_exit(1);
	close(open("rel.txt", O_RDONLY));
	close(open("link-to-target", O_RDONLY));
	close(open("sub/../dotdot.txt", O_RDONLY));
	dfd = open("sub", O_RDONLY | O_DIRECTORY);
	close(openat(dfd, "target", O_RDONLY));
	close(openat(dfd, "nothere", O_RDONLY)); /* fails: relative to the dirfd, not cwd */
	close(dfd);
	close(open("new.txt", O_CREAT | O_WRONLY | O_TRUNC, 0640));
	close(open("missing.txt", O_RDONLY));
	close((int)syscall(SYS_open, "legacy.txt", O_RDONLY));
	close((int)syscall(SYS_creat, "created.txt", 0600));
	close((int)syscall(SYS_openat2, AT_FDCWD, "two.txt", &how, sizeof(how)));
	_exit(0);
}

static pid_t fork_run(void (*fn)(void))
{
	pid_t pid = fork();

	if (pid == 0)
		fn();
	if (pid > 0)
		waitpid(pid, NULL, 0);
	return pid;
}

static void uid_child(void)
{
	if (chdir(dir) || setgid(4321) || setuid(1234))
		_exit(1);
	execle("/bin/true", "true", "as-1234", (char *)NULL,
	       (char *const[]){"OSPREY_IT=1", "GLIBC_TUNABLES=glibc.malloc.check=2", NULL});
	_exit(127);
}

static int collect(void)
{
	char cmd[512], path[128], longarg[100];
	char *long_argv[110];
	int i;

	if (collected >= 0)
		return collected;
	collected = 1;
	snprintf(dir, sizeof(dir), "/tmp/osprey-cap-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(cmd, sizeof(cmd),
		 "cd %s && ln -s /bin/true link-true && cp /bin/true rel-true && mkdir sub && "
		 "echo t > sub/target && ln -s sub/target link-to-target && "
		 "for f in rel dotdot legacy two; do echo x > $f.txt; done",
		 dir);
	if (it_sh(cmd) != 0)
		return 1;
	if (it_agent_start(&agent, NULL))
		return 1;

	snprintf(path, sizeof(path), "%s/link-true", dir);
	pid_symlink = it_run(dir, (char *const[]){path, "arg1", "arg two", NULL});
	pid_rel = it_run(dir, (char *const[]){"./rel-true", NULL});
	memset(longarg, 'a', sizeof(longarg) - 1);
	longarg[sizeof(longarg) - 1] = '\0';
	long_argv[0] = "/bin/true";
	for (i = 1; i < 101; i++) /* 100 x 100 bytes: over OSP_ARGS_MAX (8 KiB) */
		long_argv[i] = longarg;
	long_argv[101] = NULL;
	pid_long = it_run(NULL, long_argv);
	pid_uid = fork_run(uid_child);
	pid_opens = fork_run(opens_child);
	pid_short = it_run(NULL, (char *const[]){"/bin/true", NULL});

	snprintf(cgroup, sizeof(cgroup), "/osprey-it-cap-%d", (int)getpid());
	snprintf(runc_dir, sizeof(runc_dir), "/tmp/osprey-cap-runc-XXXXXX");
	if (!mkdtemp(runc_dir))
		return 1;
	snprintf(cmd, sizeof(cmd),
		 "tests/integration/lib/runc-busybox.sh %s %s cat /etc/passwd >/dev/null; st=$?; "
		 "rm -rf %s; exit $st",
		 runc_dir, cgroup, runc_dir);
	container_status = it_sh(cmd);

	/* a container whose cgroup is named the way Docker's cgroupfs driver names it */
	for (i = 0; i < 64; i++)
		docker_id[i] = "0123456789abcdef"[(getpid() * 7 + i * 13) % 16];
	docker_id[64] = '\0';
	snprintf(docker_cgroup, sizeof(docker_cgroup), "/docker/%s", docker_id);
	snprintf(cmd, sizeof(cmd),
		 "W=$(mktemp -d) && tests/integration/lib/runc-busybox.sh $W %s cat /etc/group "
		 ">/dev/null 2>&1; st=$?; rm -rf $W; rmdir /sys/fs/cgroup/*/docker "
		 "/sys/fs/cgroup/unified/docker 2>/dev/null; exit $st",
		 docker_cgroup);
	docker_status = it_sh(cmd);

	if (it_agent_stop(&agent))
		return 1;
	collected = 0;
	return 0;
}

static const cJSON *exec_of(pid_t pid)
{
	return it_find(&agent, "execve", pid, NULL, NULL);
}

static void test_exec_through_symlink(void)
{
	const cJSON *ev, *argv;
	char want[128];

	CU_ASSERT_FATAL(collect() == 0);
	ev = exec_of(pid_symlink);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	/* the file the kernel loaded (/bin is a link to usr/bin on Debian 12), not the link's name */
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.exepath"), "/usr/bin/true");
	snprintf(want, sizeof(want), "%s/link-true", dir);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "evt.arg.filename"), want);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.exe"), want);
	argv = cJSON_GetObjectItem(ev, "proc.argv");
	CU_ASSERT_EQUAL_FATAL(cJSON_GetArraySize(argv), 3);
	CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(argv, 1)->valuestring, "arg1");
	CU_ASSERT_STRING_EQUAL(cJSON_GetArrayItem(argv, 2)->valuestring, "arg two");
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.args"), "arg1 arg two");
	CU_ASSERT_EQUAL(it_num(ev, "proc.ppid"), getpid());
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.cwd"), dir);
	CU_ASSERT_EQUAL(it_num(ev, "user.uid"), 0);
	CU_ASSERT_FALSE(it_bool(ev, "proc.args_truncated"));
}

static void test_exec_relative_path(void)
{
	const cJSON *ev;
	char want[128];

	CU_ASSERT_FATAL(collect() == 0);
	ev = exec_of(pid_rel);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	snprintf(want, sizeof(want), "%s/rel-true", dir);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.exepath"), want);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "evt.arg.filename"), "./rel-true");
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.exe"), "./rel-true");
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.name"), "rel-true");
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.cwd"), dir);
}

static void test_exec_long_args_truncated(void)
{
	const cJSON *ev, *argv;
	int n;

	CU_ASSERT_FATAL(collect() == 0);
	ev = exec_of(pid_long);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(it_bool(ev, "proc.args_truncated"));
	argv = cJSON_GetObjectItem(ev, "proc.argv");
	n = cJSON_GetArraySize(argv);
	/* 8 KiB captured: 81 whole arguments of 100 bytes plus a cut one, never more than sent */
	CU_ASSERT(n >= 80 && n <= 83);
	CU_ASSERT_EQUAL(strlen(cJSON_GetArrayItem(argv, 1)->valuestring), 99);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.exepath"), "/usr/bin/true");
}

static void test_exec_ids(void)
{
	const cJSON *ev;

	CU_ASSERT_FATAL(collect() == 0);
	ev = exec_of(pid_uid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL(it_num(ev, "user.uid"), 1234);
	CU_ASSERT_EQUAL(it_num(ev, "user.ruid"), 1234);
	CU_ASSERT_EQUAL(it_num(ev, "group.gid"), 4321);
	CU_ASSERT_EQUAL(it_num(ev, "proc.ppid"), getpid());
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.args"), "as-1234");
	/* the new image's environment, exactly (Falco's proc.env: what GLIBC_TUNABLES rules read) */
	CU_ASSERT_PTR_NOT_NULL_FATAL(it_str(ev, "proc.env"));
	CU_ASSERT_STRING_EQUAL(it_str(ev, "proc.env"),
			       "OSPREY_IT=1 GLIBC_TUNABLES=glibc.malloc.check=2");
}

/* the open event of pid_opens whose raw path is raw */
static const cJSON *open_of(const char *raw)
{
	const cJSON *ev = it_find(&agent, NULL, pid_opens, "fd.nameraw", raw);

	if (!ev)
		fprintf(stderr, "\nno open event for '%s' from pid %d\n", raw, (int)pid_opens);
	return ev;
}

static void expect_open(const char *raw, const char *type, const char *name, const char *real,
			int res)
{
	const cJSON *ev = open_of(raw);
	char want[192];

	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "evt.type"), type);
	snprintf(want, sizeof(want), "%s/%s", dir, name);
	CU_ASSERT_STRING_EQUAL(it_str(ev, "fd.name"), want);
	if (real) {
		snprintf(want, sizeof(want), "%s/%s", dir, real);
		CU_ASSERT_PTR_NOT_NULL_FATAL(it_str(ev, "fd.realpath"));
		CU_ASSERT_STRING_EQUAL(it_str(ev, "fd.realpath"), want);
		CU_ASSERT(it_num(ev, "evt.rawres") >= 0);
	} else {
		CU_ASSERT_PTR_NULL(it_str(ev, "fd.realpath"));
		CU_ASSERT_EQUAL(it_num(ev, "evt.rawres"), res);
	}
}

static void test_open_relative(void)
{
	CU_ASSERT_FATAL(collect() == 0);
	expect_open("rel.txt", "openat", "rel.txt", "rel.txt", 0);
}

static void test_open_symlink(void)
{
	CU_ASSERT_FATAL(collect() == 0);
	/* fd.name keeps the link (Falco's meaning); fd.realpath is what the kernel opened */
	expect_open("link-to-target", "openat", "link-to-target", "sub/target", 0);
}

static void test_open_dotdot(void)
{
	CU_ASSERT_FATAL(collect() == 0);
	expect_open("sub/../dotdot.txt", "openat", "dotdot.txt", "dotdot.txt", 0);
}

static void test_open_dirfd(void)
{
	const cJSON *ev;

	CU_ASSERT_FATAL(collect() == 0);
	expect_open("target", "openat", "sub/target", "sub/target", 0);
	/* a failed open relative to a dirfd is resolved against that directory, not cwd */
	expect_open("nothere", "openat", "sub/nothere", NULL, -ENOENT);
	ev = open_of("nothere");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT(it_num(ev, "evt.arg.dirfd") >= 0);
}

static void test_open_create_flags(void)
{
	const cJSON *ev;

	CU_ASSERT_FATAL(collect() == 0);
	expect_open("new.txt", "openat", "new.txt", "new.txt", 0);
	ev = open_of("new.txt");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_EQUAL((int)it_num(ev, "evt.arg.flags_raw") & (O_CREAT | O_WRONLY | O_TRUNC),
			O_CREAT | O_WRONLY | O_TRUNC);
	CU_ASSERT_EQUAL(it_num(ev, "evt.arg.mode"), 0640);
}

static void test_open_enoent(void)
{
	const cJSON *ev;

	CU_ASSERT_FATAL(collect() == 0);
	expect_open("missing.txt", "openat", "missing.txt", NULL, -ENOENT);
	ev = open_of("missing.txt");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev);
	CU_ASSERT_TRUE(it_bool(ev, "evt.failed"));
}

static void test_open_syscall_variants(void)
{
	CU_ASSERT_FATAL(collect() == 0);
	expect_open("legacy.txt", "open", "legacy.txt", "legacy.txt", 0);
	expect_open("created.txt", "creat", "created.txt", "created.txt", 0);
	expect_open("two.txt", "openat2", "two.txt", "two.txt", 0);
}

static void test_short_lived_process(void)
{
	const cJSON *ex, *end;
	double lived;

	CU_ASSERT_FATAL(collect() == 0);
	ex = exec_of(pid_short);
	end = it_find(&agent, "procexit", pid_short, NULL, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_PTR_NOT_NULL_FATAL(end);
	/* everything was captured in the kernel, although the process was gone long before the agent
	 * read its records */
	CU_ASSERT_STRING_EQUAL(it_str(ex, "proc.exepath"), "/usr/bin/true");
	CU_ASSERT_STRING_EQUAL(it_str(ex, "proc.cwd"), getcwd((char[256]){0}, 256));
	CU_ASSERT_EQUAL(it_num(ex, "proc.ppid"), getpid());
	CU_ASSERT_PTR_NOT_NULL(it_str(ex, "proc.cgroup"));
	CU_ASSERT_EQUAL(it_num(end, "evt.arg.status"), 0);
	lived = (cJSON_GetObjectItem(end, "evt.rawtime")->valuedouble -
		 cJSON_GetObjectItem(ex, "evt.rawtime")->valuedouble) /
		1e6;
	fprintf(stderr, " [lived %.3f ms] ", lived);
	CU_ASSERT(lived >= 0 && lived < 50);
}

static void test_runc_container(void)
{
	const cJSON *ex, *op, *host;
	int cpid;

	CU_ASSERT_FATAL(collect() == 0);
	if (container_status == 90)
		CU_FAIL_FATAL("runc or busybox-static missing: run 'make deps'");
	CU_ASSERT_EQUAL_FATAL(container_status, 0);
	/* the container's command, found by its argv in the container's cgroup: runc's own re-exec
	 * (see test_runc_cloned_binary) may come first in that cgroup, or not */
	ex = it_find_kv(&agent, "evt.type", "execve", "proc.cgroup", cgroup, "proc.cmdline",
			"cat /etc/passwd", (const char *)NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	CU_ASSERT_STRING_EQUAL(it_str(ex, "proc.name"), "cat");
	/* busybox, resolved relative to the container's root, not the bundle path on the host */
	CU_ASSERT_STRING_EQUAL(it_str(ex, "proc.exepath"), "/bin/busybox");
	CU_ASSERT_STRING_EQUAL(it_str(ex, "proc.cwd"), "/");
	CU_ASSERT_EQUAL(it_num(ex, "proc.vpid"), 1);
	host = exec_of(pid_short);
	CU_ASSERT_PTR_NOT_NULL_FATAL(host);
	CU_ASSERT_NOT_EQUAL(it_num(ex, "proc.cgroup_id"), it_num(host, "proc.cgroup_id"));
	CU_ASSERT_NOT_EQUAL(it_num(ex, "proc.pidns_ino"), it_num(host, "proc.pidns_ino"));
	cpid = (int)it_num(ex, "proc.pid");
	op = it_find(&agent, NULL, cpid, "fd.nameraw", "/etc/passwd");
	CU_ASSERT_PTR_NOT_NULL_FATAL(op);
	CU_ASSERT_STRING_EQUAL(it_str(op, "fd.name"), "/etc/passwd");
	CU_ASSERT_STRING_EQUAL(it_str(op, "fd.realpath"), "/etc/passwd");
}

/* Debian's runc 1.1.5 re-executes a read-only copy of itself, which it reaches only through a
 * mount it has detached (umount2 MNT_DETACH), before the container's command: on every container
 * start and exec of every Docker or Kubernetes node. d_path() says "/" for it; proc.exepath names the
 * file inside its filesystem and says it was detached. */
static void test_runc_cloned_binary(void)
{
	const cJSON *ev, *found = NULL;
	char statedir[128], want[PATH_MAX + 16], real[PATH_MAX], *runc = NULL;

	CU_ASSERT_FATAL(collect() == 0);
	CU_ASSERT_EQUAL_FATAL(container_status, 0);
	CU_ASSERT_EQUAL_FATAL(it_popen("command -v runc", &runc), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(runc);
	runc[strcspn(runc, "\n")] = '\0';
	CU_ASSERT_PTR_NOT_NULL_FATAL(realpath(runc, real));
	free(runc);
	/* runc init of this test's container: its state directory is below runc_dir */
	snprintf(statedir, sizeof(statedir), "_LIBCONTAINER_STATEDIR=%s/state/", runc_dir);
	cJSON_ArrayForEach(ev, agent.events)
	{
		const char *t = it_str(ev, "evt.type"), *cmd = it_str(ev, "proc.cmdline");
		const char *env = it_str(ev, "proc.env");

		if (t && cmd && env && !strcmp(t, "execve") && !strcmp(cmd, "runc init") &&
		    strstr(env, statedir) && strstr(env, "_LIBCONTAINER_CLONED_BINARY=1")) {
			found = ev;
			break;
		}
	}
	if (!found)
		fprintf(stderr, "\n  no exec of runc's cloned binary with %s\n", statedir);
	CU_ASSERT_PTR_NOT_NULL_FATAL(found);
	snprintf(want, sizeof(want), "(detached)%s", real);
	CU_ASSERT_STRING_EQUAL(it_str(found, "proc.exepath"), want);
	CU_ASSERT_STRING_EQUAL(it_str(found, "proc.name"), "runc");
}

static void test_container_identity(void)
{
	const cJSON *ex, *op, *host;
	char short_id[13];

	CU_ASSERT_FATAL(collect() == 0);
	CU_ASSERT_EQUAL_FATAL(docker_status, 0);
	ex = it_find_kv(&agent, "evt.type", "execve", "proc.cgroup", docker_cgroup, "proc.cmdline",
			"cat /etc/group", (const char *)NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex);
	memcpy(short_id, docker_id, 12);
	short_id[12] = '\0';
	CU_ASSERT_STRING_EQUAL(it_str(ex, "container.id"), short_id);
	CU_ASSERT_STRING_EQUAL(it_str(ex, "container.full_id"), docker_id);
	CU_ASSERT_STRING_EQUAL(it_str(ex, "container.type"), "docker");
	/* cat is the container's pid 1: the container started when it did */
	CU_ASSERT(it_num(ex, "container.start_ts") > 0);
	CU_ASSERT(fabs(it_num(ex, "container.start_ts") - it_num(ex, "evt.rawtime")) < 1e9);
	/* cat's open of /etc/group (after the exec; runc's own child reads it too, before) carries the
	 * same identity, from the process table */
	op = NULL;
	cJSON_ArrayForEach(op, agent.events)
	{
		const char *raw = it_str(op, "fd.nameraw"), *name = it_str(op, "proc.name");

		if (raw && name && !strcmp(raw, "/etc/group") && !strcmp(name, "cat") &&
		    (int)it_num(op, "proc.pid") == (int)it_num(ex, "proc.pid"))
			break;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(op);
	CU_ASSERT_STRING_EQUAL(it_str(op, "container.id"), short_id);
	CU_ASSERT_STRING_EQUAL(it_str(op, "proc.exepath"), "/bin/busybox");
	/* host processes are "host", although this machine puts them in a v1 cgroup of their own */
	host = exec_of(pid_short);
	CU_ASSERT_PTR_NOT_NULL_FATAL(host);
	CU_ASSERT_STRING_EQUAL(it_str(host, "container.id"), "host");
	CU_ASSERT_STRING_EQUAL(it_str(host, "proc.pname"),
			       it_str(exec_of(pid_symlink), "proc.pname"));
}

static void test_agent_filtered_and_lossless(void)
{
	const cJSON *ev;

	CU_ASSERT_FATAL(collect() == 0);
	/* the agent's own opens (its stdout file, /proc) are filtered in the kernel */
	ev = it_find(&agent, NULL, agent.ran_pid, NULL, NULL);
	CU_ASSERT_PTR_NULL(ev);
	CU_ASSERT_PTR_NOT_NULL(strstr(agent.err_tail, "ringbuf_full=0 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(agent.err_tail, "malformed=0 "));
}

OSP_SUITE(capture)
{
	OSP_TEST(suite, test_exec_through_symlink);
	OSP_TEST(suite, test_exec_relative_path);
	OSP_TEST(suite, test_exec_long_args_truncated);
	OSP_TEST(suite, test_exec_ids);
	OSP_TEST(suite, test_open_relative);
	OSP_TEST(suite, test_open_symlink);
	OSP_TEST(suite, test_open_dotdot);
	OSP_TEST(suite, test_open_dirfd);
	OSP_TEST(suite, test_open_create_flags);
	OSP_TEST(suite, test_open_enoent);
	OSP_TEST(suite, test_open_syscall_variants);
	OSP_TEST(suite, test_short_lived_process);
	OSP_TEST(suite, test_runc_container);
	OSP_TEST(suite, test_runc_cloned_binary);
	OSP_TEST(suite, test_container_identity);
	OSP_TEST(suite, test_agent_filtered_and_lossless);
}
