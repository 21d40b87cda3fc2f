/* Process table against the real system: seeding from /proc, a real child found after the seed, exe
 * writability from a real exec, names for uid 0, and user names inside a real runc container read from
 * the container's own /etc/passwd. Needs root; every test says SKIPPED loudly when it cannot run. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/suite.h"
#include "proc/proctable.h"

#define CTR_UID 1234
#define CTR_USER "ospreyctr"
#define CTR_GROUP "ospreygrp"

static uint64_t tick_ns(void)
{
	long hz = sysconf(_SC_CLK_TCK);

	return 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
}

static int need_root(const char *test)
{
	if (geteuid() == 0)
		return 0;
	OSP_SKIP("proc_live/%s needs root", test);
	return -1;
}

/* Field 22 of /proc/PID/stat, or 0. */
static uint64_t start_ticks(pid_t pid)
{
	char path[64], buf[1024], *r;
	unsigned long long v = 0;
	ssize_t n;
	int fd, i;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	r = strrchr(buf, ')');
	if (!r)
		return 0;
	for (i = 2; i < 22 && r; i++)
		r = strchr(r + 1, ' ');
	if (r)
		v = strtoull(r + 1, NULL, 10);
	return v;
}

static pid_t stat_ppid(pid_t pid)
{
	char path[64], buf[1024], *r;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	r = strrchr(buf, ')');
	return r ? (pid_t)strtol(r + 4, NULL, 10) : -1;
}

static void test_seed_self_chain(void)
{
	struct proctable *pt;
	struct proctable_stats st;
	const struct osp_proc *p;
	char exe[4096];
	ssize_t n;
	int depth = 0, seeded;

	if (need_root(__func__))
		return;
	pt = proctable_new(65536, "/");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	seeded = proctable_seed(pt);
	CU_ASSERT(seeded > 1);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.seeded, (uint64_t)seeded);
	CU_ASSERT_EQUAL(st.evicted, 0);

	p = proctable_lookup(pt, (uint32_t)getpid(), start_ticks(getpid()) * tick_ns());
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	CU_ASSERT_FATAL(n > 0);
	exe[n] = '\0';
	CU_ASSERT_PTR_NOT_NULL_FATAL(p->exepath.p);
	CU_ASSERT_STRING_EQUAL(p->exepath.p, exe);
	CU_ASSERT(p->argc >= 1);
	CU_ASSERT(p->cwd.p && p->cwd.p[0] == '/');
	CU_ASSERT(p->cgroup.p && p->cgroup.p[0] == '/');
	CU_ASSERT_EQUAL(p->uid, 0);
	CU_ASSERT(proctable_exe_writable(p));
	/* the whole parent chain, as the kernel has it, up to pid 1 */
	while (p && p->tgid != 1 && depth < 64) {
		const struct osp_proc *q = proctable_parent(pt, p);

		CU_ASSERT_EQUAL((pid_t)p->ppid, stat_ppid((pid_t)p->tgid));
		CU_ASSERT_PTR_NOT_NULL(q);
		if (q)
			CU_ASSERT_EQUAL(q->tgid, p->ppid);
		p = q;
		depth++;
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->tgid, 1);
	CU_ASSERT_PTR_NULL(proctable_parent(pt, p));
	CU_ASSERT(depth >= 1);
	proctable_free(pt);
}

/* Starts argv as uid (when uid >= 0) with stdout/stderr to /dev/null; waits until it has exec'd. */
static pid_t spawn(char *const argv[], int uid)
{
	char path[64], exe[4096];
	pid_t pid = fork();
	int i;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		if (uid >= 0 && (setgid((gid_t)uid) || setuid((uid_t)uid)))
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	for (i = 0; i < 200; i++) { /* until the exe link shows the new image */
		ssize_t n = readlink(path, exe, sizeof(exe) - 1);

		if (n > 0) {
			exe[n] = '\0';
			if (strstr(exe, "sleep") || strstr(exe, "osp-proc-exe"))
				break;
		}
		usleep(10000);
	}
	return pid;
}

static void reap_child(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_child_after_seed(void)
{
	char *argv[] = {"/bin/sleep", "30", NULL};
	struct proctable *pt;
	struct osp_proc key = {0};
	struct osp_event ev = {.type = OSP_EV_OPEN};
	char buf[256];
	pid_t child;

	if (need_root(__func__))
		return;
	pt = proctable_new(65536, "/");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	CU_ASSERT(proctable_seed(pt) > 0);
	child = spawn(argv, -1);
	CU_ASSERT_FATAL(child > 0);

	/* first seen through an event after the seed: read from /proc, exact start time kept */
	key.tgid = (uint32_t)child;
	key.start_time = start_ticks(child) * tick_ns() + 1234;
	ev.tgid = key.tgid;
	ev.proc = &key;
	proctable_apply(pt, &ev);
	CU_ASSERT_EQUAL(ev.proc->tgid, (uint32_t)child);
	CU_ASSERT_FALSE(ev.proc->flags & OSP_PF_PARTIAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.proc->exepath.p);
	CU_ASSERT_PTR_NOT_NULL(strstr(ev.proc->exepath.p, "sleep"));
	CU_ASSERT_STRING_EQUAL(ev.proc->comm, "sleep");
	CU_ASSERT_EQUAL(ev.proc->argc, 2);
	CU_ASSERT_EQUAL(proctable_fmt_cmdline(ev.proc, buf, sizeof(buf)), strlen("sleep 30"));
	CU_ASSERT_STRING_EQUAL(buf, "sleep 30");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.parent);
	CU_ASSERT_EQUAL(ev.parent->tgid, (uint32_t)getpid());

	/* and by a second seed in a fresh table */
	proctable_free(pt);
	pt = proctable_new(65536, "/");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	CU_ASSERT(proctable_seed(pt) > 0);
	CU_ASSERT_PTR_NOT_NULL(proctable_lookup(pt, (uint32_t)child, 0));

	/* exit: visible during its own event, gone after */
	reap_child(child);
	key.start_time = 0;
	ev = (struct osp_event){.type = OSP_EV_EXIT, .tgid = key.tgid, .proc = &key};
	key.start_time = proctable_lookup(pt, (uint32_t)child, 0)->start_time;
	proctable_apply(pt, &ev);
	CU_ASSERT(ev.proc->flags & OSP_PF_DEAD);
	ev = (struct osp_event){.type = OSP_EV_OPEN, .tgid = (uint32_t)getpid()};
	proctable_apply(pt, &ev);
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, (uint32_t)child, 0));
	proctable_free(pt);
}

/* proc.is_exe_writable from a real exec: stat through /proc/PID/exe with the process's ids. */
static void test_exe_writable(void)
{
	char dir[] = "/tmp/osp-proc-exe-XXXXXX", exe[128];
	char *argv[] = {exe, "30", NULL};
	struct proctable *pt;
	int mode, in = -1, out = -1;

	if (need_root(__func__))
		return;
	CU_ASSERT_FATAL(mkdtemp(dir) != NULL);
	chmod(dir, 0755);
	snprintf(exe, sizeof(exe), "%s/osp-proc-exe-sleep", dir);
	in = open("/bin/sleep", O_RDONLY);
	out = open(exe, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	CU_ASSERT_FATAL(in >= 0 && out >= 0);
	for (;;) {
		char b[65536];
		ssize_t n = read(in, b, sizeof(b));

		if (n <= 0 || write(out, b, (size_t)n) != n)
			break;
	}
	close(in);
	close(out);
	pt = proctable_new(1024, "/");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	for (mode = 0; mode < 2; mode++) {
		struct osp_proc rec = {0};
		struct osp_event ev = {.type = OSP_EV_EXEC};
		pid_t child;

		chmod(exe, mode ? 0757 : 0755); /* others may write, or not */
		child = spawn(argv, 65534);
		CU_ASSERT_FATAL(child > 0);
		rec.tgid = rec.vpid = (uint32_t)child;
		rec.start_time = start_ticks(child) * tick_ns();
		rec.ppid = (uint32_t)getpid();
		rec.uid = rec.euid = rec.gid = rec.egid = 65534;
		rec.exepath = (struct osp_str){exe, (uint32_t)strlen(exe)};
		snprintf(rec.comm, sizeof(rec.comm), "osp-proc-exe-sl");
		ev.tgid = rec.tgid;
		ev.proc = &rec;
		proctable_apply(pt, &ev);
		CU_ASSERT_EQUAL(proctable_exe_writable(ev.proc), mode);
		CU_ASSERT(ev.proc->exe_ino != 0);
		reap_child(child);
	}
	proctable_free(pt);
	unlink(exe);
	rmdir(dir);
}

static void test_root_names(void)
{
	struct proctable *pt;
	struct osp_event ev = {.type = OSP_EV_OPEN, .tgid = (uint32_t)getpid()};
	const char *u, *g;

	if (need_root(__func__))
		return;
	pt = proctable_new(1024, "/");
	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	proctable_apply(pt, &ev);
	u = proctable_user_name(pt, &ev, 0);
	g = proctable_group_name(pt, &ev, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(u);
	CU_ASSERT_PTR_NOT_NULL_FATAL(g);
	CU_ASSERT_STRING_EQUAL(u, "root");
	CU_ASSERT_STRING_EQUAL(g, "root");
	CU_ASSERT_PTR_NULL(proctable_user_name(pt, &ev, ev.proc->loginuid)); /* unset: -1 */
	proctable_free(pt);
}

/* ---- a real runc container whose /etc/passwd knows uid 1234 ---- */

struct ctr {
	char dir[64];
	char id[64];
	pid_t pid;
};

static int write_str(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	err = fputs(s, f) < 0 ? -EIO : 0;
	if (fclose(f))
		err = -EIO;
	return err;
}

static int copy_file(const char *from, const char *to, mode_t mode)
{
	char b[65536];
	int in = open(from, O_RDONLY), out = -1, err = 0;

	if (in < 0)
		return -errno;
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (out < 0) {
		err = -errno;
		goto cleanup;
	}
	for (;;) {
		ssize_t n = read(in, b, sizeof(b));

		if (n < 0 || (n > 0 && write(out, b, (size_t)n) != n)) {
			err = -EIO;
			break;
		}
		if (n == 0)
			break;
	}
cleanup:
	close(in);
	if (out >= 0)
		close(out);
	return err;
}

static int ctr_start(struct ctr *c)
{
	static const char config[] =
	    "{\"ociVersion\":\"1.0.2\",\n"
	    " \"process\":{\"terminal\":false,\"user\":{\"uid\":1234,\"gid\":1234},\n"
	    "  \"args\":[\"/bin/sleep\",\"60\"],\"env\":[\"PATH=/bin\"],\"cwd\":\"/\",\n"
	    "  \"noNewPrivileges\":true},\n"
	    " \"root\":{\"path\":\"rootfs\",\"readonly\":true},\n"
	    " \"hostname\":\"osp-proc-test\",\n"
	    " \"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},\n"
	    "  {\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\",\n"
	    "   \"options\":[\"nosuid\",\"mode=755\",\"size=1024k\"]}],\n"
	    " \"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"ipc\"}"
	    ",\n"
	    "  {\"type\":\"uts\"}]}}\n";
	static const char *dirs[] = {"rootfs",	   "rootfs/bin", "rootfs/etc", "rootfs/proc",
				     "rootfs/dev", "rootfs/tmp", "state"};
	char p[256];
	size_t i;

	snprintf(c->dir, sizeof(c->dir), "/tmp/osp-proc-ctr-XXXXXX");
	if (!mkdtemp(c->dir))
		return -errno;
	snprintf(c->id, sizeof(c->id), "osp-proc-test-%d", (int)getpid());
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(p, sizeof(p), "%s/%s", c->dir, dirs[i]);
		if (mkdir(p, 0755))
			return -errno;
	}
	snprintf(p, sizeof(p), "%s/rootfs/bin/busybox", c->dir);
	if (copy_file("/bin/busybox", p, 0755))
		return -ENOENT;
	snprintf(p, sizeof(p), "%s/rootfs/bin/sleep", c->dir);
	if (symlink("busybox", p))
		return -errno;
	snprintf(p, sizeof(p), "%s/rootfs/etc/passwd", c->dir);
	if (write_str(p, "root:x:0:0:root:/root:/bin/sh\n" CTR_USER ":x:1234:1234::/:/bin/sh\n"))
		return -EIO;
	snprintf(p, sizeof(p), "%s/rootfs/etc/group", c->dir);
	if (write_str(p, "root:x:0:\n" CTR_GROUP ":x:1234:\n"))
		return -EIO;
	snprintf(p, sizeof(p), "%s/config.json", c->dir);
	if (write_str(p, config))
		return -EIO;
	return 0;
}

/* Runs the prepared bundle detached; the container's init pid lands in c->pid. */
static int ctr_run(struct ctr *c)
{
	char cmd[1024], p[256], pidbuf[32];
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "runc --root %s/state run -d --pid-file %s/pid --bundle %s %s "
		 "</dev/null >/dev/null 2>%s/runc.err",
		 c->dir, c->dir, c->dir, c->id, c->dir);
	if (system(cmd) != 0)
		return -EIO;
	snprintf(p, sizeof(p), "%s/pid", c->dir);
	f = fopen(p, "r");
	if (!f)
		return -errno;
	if (!fgets(pidbuf, sizeof(pidbuf), f)) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	c->pid = (pid_t)strtol(pidbuf, NULL, 10);
	return c->pid > 0 ? 0 : -EIO;
}

static void ctr_stop(struct ctr *c)
{
	char cmd[1024];

	if (!c->dir[0])
		return;
	snprintf(cmd, sizeof(cmd),
		 "runc --root %s/state kill %s KILL >/dev/null 2>&1; sleep 0.2; "
		 "runc --root %s/state delete -f %s >/dev/null 2>&1; rm -rf '%s'",
		 c->dir, c->id, c->dir, c->id, c->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "proc_live: cleanup of %s failed\n", c->dir);
}

static void test_container_names(void)
{
	struct ctr c = {0};
	struct proctable *pt = NULL;
	struct osp_proc key = {0};
	struct osp_event ev = {.type = OSP_EV_OPEN};
	const struct osp_proc *self;
	const char *u, *g;
	int pass;

	if (need_root(__func__))
		return;
	if (access("/usr/sbin/runc", X_OK) && access("/usr/bin/runc", X_OK)) {
		OSP_SKIP("runc not installed (apt-get install runc)");
		return;
	}
	if (access("/bin/busybox", X_OK)) {
		OSP_SKIP("/bin/busybox missing (apt-get install busybox-static)");
		return;
	}
	CU_ASSERT_PTR_NULL(getpwnam(CTR_USER)); /* the host must not know the name */
	if (ctr_start(&c) || ctr_run(&c)) {
		char p[256], err[512] = "";
		FILE *f;

		snprintf(p, sizeof(p), "%s/runc.err", c.dir);
		f = fopen(p, "r");
		if (f) {
			size_t n = fread(err, 1, sizeof(err) - 1, f);

			err[n] = '\0';
			fclose(f);
		}
		fprintf(stderr, "proc_live: runc failed: %s\n", err);
		CU_FAIL("could not start the runc container");
		ctr_stop(&c);
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		/* pass 0: found by the seed; pass 1: first seen through an event */
		pt = proctable_new(65536, "/");
		CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
		if (pass == 0)
			CU_ASSERT(proctable_seed(pt) > 0);
		key.tgid = (uint32_t)c.pid;
		key.start_time = start_ticks(c.pid) * tick_ns();
		ev = (struct osp_event){.type = OSP_EV_OPEN, .tgid = key.tgid, .proc = &key};
		proctable_apply(pt, &ev);
		CU_ASSERT_EQUAL(ev.proc->tgid, (uint32_t)c.pid);
		CU_ASSERT_EQUAL(ev.proc->vpid, 1);
		CU_ASSERT_EQUAL(ev.proc->uid, CTR_UID);
		self = proctable_lookup(pt, (uint32_t)getpid(), 0);
		if (self)
			CU_ASSERT_NOT_EQUAL(ev.proc->pidns_ino, self->pidns_ino);
		u = proctable_user_name(pt, &ev, CTR_UID);
		g = proctable_group_name(pt, &ev, CTR_UID);
		CU_ASSERT_PTR_NOT_NULL(u);
		CU_ASSERT_PTR_NOT_NULL(g);
		if (u)
			CU_ASSERT_STRING_EQUAL(u, CTR_USER);
		if (g)
			CU_ASSERT_STRING_EQUAL(g, CTR_GROUP);
		u = proctable_user_name(pt, &ev, 0);
		CU_ASSERT_PTR_NOT_NULL(u);
		if (u)
			CU_ASSERT_STRING_EQUAL(u, "root");
		/* the host's own processes do not see the container's names */
		ev = (struct osp_event){.type = OSP_EV_OPEN, .tgid = (uint32_t)getpid()};
		proctable_apply(pt, &ev);
		CU_ASSERT_PTR_NULL(proctable_user_name(pt, &ev, CTR_UID));
		proctable_free(pt);
	}
	ctr_stop(&c);
}

/* Processes that come and go while the seed reads them: no crash, no half-read entries. */
static void test_seed_churn(void)
{
	pid_t churner;
	int round;

	if (need_root(__func__))
		return;
	churner = fork();
	CU_ASSERT_FATAL(churner >= 0);
	if (churner == 0) {
		for (;;) {
			pid_t k = fork();

			if (k == 0)
				_exit(0);
			if (k > 0)
				waitpid(k, NULL, 0);
		}
	}
	for (round = 0; round < 20; round++) {
		struct proctable *pt = proctable_new(512, "/");
		uint32_t pid;

		CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
		CU_ASSERT(proctable_seed(pt) > 0);
		for (pid = 1; pid < 65536; pid++) {
			const struct osp_proc *p = proctable_lookup(pt, pid, 0);

			if (!p)
				continue;
			CU_ASSERT_EQUAL(p->tgid, pid);
			CU_ASSERT(p->start_time != 0 || pid <= 2);
			if (p->exepath.p)
				CU_ASSERT(p->exepath.p[0] == '/');
		}
		proctable_free(pt);
	}
	reap_child(churner);
}

OSP_SUITE(proc_live)
{
	OSP_TEST(suite, test_seed_self_chain);
	OSP_TEST(suite, test_child_after_seed);
	OSP_TEST(suite, test_exe_writable);
	OSP_TEST(suite, test_root_names);
	OSP_TEST(suite, test_container_names);
	OSP_TEST(suite, test_seed_churn);
}
