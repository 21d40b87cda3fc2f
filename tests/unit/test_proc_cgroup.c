/* Process table: a process that changes cgroups between its fork and its exec.
 *
 * runc's child (runc:[1:CHILD]), docker exec, ctr task exec and nsenter-style entries are forked on
 * the host and moved into the container's cgroup before they exec. Fork records carry no cgroup path,
 * only the id; the table must notice the new id on the next record and read /proc/PID/cgroup again,
 * once per change, so that container_resolve() names the container. Runs over a fake /proc of real
 * files in a temporary directory. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/suite.h"
#include "container/container.h"
#include "proc/proctable.h"

#define CID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define CID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static char root[64];
static uint64_t tick_ns;

static void put(const char *rel, const char *data)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		return;
	}
	fputs(data, f);
	fclose(f);
}

/* /proc/PID with stat, status and cgroup: what a cgroup re-read and a first sight need. */
static void fake_proc(uint32_t pid, const char *comm, uint32_t ppid, unsigned long long ticks,
		      const char *cgroup)
{
	char rel[128], buf[512];

	snprintf(rel, sizeof(rel), "%s/proc/%u", root, pid);
	mkdir(rel, 0755);
	snprintf(rel, sizeof(rel), "proc/%u/stat", pid);
	snprintf(buf, sizeof(buf),
		 "%u (%s) S %u %u %u 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %llu 1000 200 0\n",
		 pid, comm, ppid, pid, pid, ticks);
	put(rel, buf);
	snprintf(rel, sizeof(rel), "proc/%u/status", pid);
	snprintf(buf, sizeof(buf), "Name:\t%s\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\nNSpid:\t%u\n",
		 comm, pid);
	put(rel, buf);
	snprintf(rel, sizeof(rel), "proc/%u/cgroup", pid);
	put(rel, cgroup);
}

static uint64_t ns(unsigned long long ticks)
{
	return ticks * tick_ns + 7; /* an exact kernel time inside that tick */
}

static void set_str(struct osp_str *s, const char *v)
{
	s->p = v;
	s->len = (uint32_t)strlen(v);
}

/* Applies an exec of pid (host cgroup, id cgid) with argv long enough to need an arena block
 * when big. */
static void exec_ev(struct proctable *pt, uint32_t pid, uint32_t ppid, unsigned long long ticks,
		    unsigned long long pticks, uint64_t cgid, bool big)
{
	static char args[1200];
	struct osp_proc p = {0};
	struct osp_event ev = {.type = OSP_EV_EXEC, .syscall = OSP_ET_EXECVE, .tgid = pid};

	memset(args, 'a', sizeof(args));
	p.tgid = p.vpid = pid;
	p.ppid = ppid;
	p.start_time = ns(ticks);
	p.parent_start_time = pticks ? ns(pticks) : 0;
	p.cgroup_id = cgid;
	snprintf(p.comm, sizeof(p.comm), "runc");
	set_str(&p.exepath, "/usr/bin/runc");
	set_str(&p.cwd, "/run/containerd/bundle");
	set_str(&p.cgroup, "/");
	set_str(&p.cgroup_v1, "/process_api/af50dc1e3ed24c104914ec72061e70a3");
	p.args.p = args;
	p.args.len = big ? (uint32_t)sizeof(args) : 40;
	args[p.args.len - 1] = '\0';
	p.argc = 1;
	ev.proc = &p;
	proctable_apply(pt, &ev);
}

static const struct osp_proc *fork_ev(struct proctable *pt, uint32_t pid, uint32_t ppid,
				      unsigned long long ticks, unsigned long long pticks,
				      uint64_t cgid, const char *comm)
{
	struct osp_proc p = {0};
	struct osp_event ev = {.type = OSP_EV_FORK, .syscall = OSP_ET_CLONE, .tgid = pid};

	p.tgid = pid;
	p.ppid = ppid;
	p.start_time = ns(ticks);
	p.parent_start_time = ns(pticks);
	p.cgroup_id = cgid;
	snprintf(p.comm, sizeof(p.comm), "%s", comm);
	ev.proc = &p;
	proctable_apply(pt, &ev);
	/* the entry ev.proc now points to */
	return proctable_lookup(pt, pid, ns(ticks));
}

/* An open record: the decoder sets tgid, start time, comm and cgroup id only. */
static const struct osp_proc *open_ev(struct proctable *pt, uint32_t pid, unsigned long long ticks,
				      uint64_t cgid)
{
	struct osp_proc p = {0};
	struct osp_event ev = {.type = OSP_EV_OPEN, .syscall = OSP_ET_OPENAT, .tgid = pid};

	p.tgid = pid;
	p.start_time = ns(ticks);
	p.cgroup_id = cgid;
	ev.proc = &p;
	proctable_apply(pt, &ev);
	/* the entry ev.proc now points to */
	return proctable_lookup(pt, pid, ns(ticks));
}

static struct proctable_stats stats(const struct proctable *pt)
{
	struct proctable_stats st;

	proctable_get_stats(pt, &st);
	return st;
}

/* runc:[1:CHILD]: forked by runc on the host, moved into /docker/<id>, then opens files. */
static void test_moved_after_fork(void)
{
	struct proctable *pt = proctable_new(16, root);
	struct container_cache *cache =
	    container_cache_new(&(struct container_cache_config){.paths = {.host_root = root}});
	const struct osp_proc *c;
	const struct osp_container *ct;
	size_t len;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
	exec_ev(pt, 90, 1, 30000, 0, 100, true); /* strings in an arena block */
	c = fork_ev(pt, 91, 90, 30001, 30000, 100, "runc:[1:CHILD]");
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/"); /* the parent's, as the fork says nothing else */
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 0);
	ct = container_resolve(cache, c);
	CU_ASSERT_EQUAL(ct->runtime, OSP_RT_HOST);

	/* in the container now: the next record carries the container cgroup's id */
	c = open_ev(pt, 91, 30001, 200);
	CU_ASSERT_EQUAL(c->tgid, 91);
	CU_ASSERT_EQUAL(c->cgroup_id, 200);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->cgroup.p);
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/docker/" CID);
	CU_ASSERT_STRING_EQUAL(c->cgroup_v1.p, "/docker/" CID);
	CU_ASSERT_EQUAL(c->cgroup.len, strlen("/docker/" CID));
	/* the other strings survive the move */
	CU_ASSERT_STRING_EQUAL(c->exepath.p, "/usr/bin/runc");
	CU_ASSERT_STRING_EQUAL(c->cwd.p, "/run/containerd/bundle");
	CU_ASSERT_EQUAL(c->args.len, 1200);
	CU_ASSERT_STRING_EQUAL(c->comm, "runc:[1:CHILD]");
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 1);
	CU_ASSERT_EQUAL(stats(pt).cgroup_read_fails, 0);
	CU_ASSERT_STRING_EQUAL(container_cgroup_of(c, &len), "/docker/" CID);
	ct = container_resolve(cache, c);
	CU_ASSERT_EQUAL(ct->runtime, OSP_RT_DOCKER);
	CU_ASSERT_STRING_EQUAL(ct->full_id, CID);

	/* same id again: no read */
	c = open_ev(pt, 91, 30001, 200);
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 1);
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/docker/" CID);
	/* the parent did not move */
	c = open_ev(pt, 90, 30000, 100);
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/");
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 1);
	/* an exit record has no cgroup id: nothing read */
	{
		struct osp_proc p = {.tgid = 91, .start_time = ns(30001)};
		struct osp_event ev = {.type = OSP_EV_EXIT, .tgid = 91, .proc = &p};

		proctable_apply(pt, &ev);
		CU_ASSERT_STRING_EQUAL(ev.proc->cgroup.p, "/docker/" CID);
	}
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 1);
	container_cache_free(cache);
	proctable_free(pt);
}

/* Inline strings (short ones), a fork straight into another cgroup (clone3 CLONE_INTO_CGROUP), a
 * second move, and a process gone before its cgroup could be read. */
static void test_inline_clone_into_and_gone(void)
{
	struct proctable *pt = proctable_new(16, root);
	const struct osp_proc *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	exec_ev(pt, 90, 1, 30000, 0, 100, false);
	/* born in another cgroup than its parent's: the fork record's id differs */
	c = fork_ev(pt, 93, 90, 30003, 30000, 200, "sh");
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/system.slice/docker-" CID2 ".scope");
	CU_ASSERT_PTR_NULL(c->cgroup_v1.p); /* that file has no memory line */
	CU_ASSERT_STRING_EQUAL(c->exepath.p, "/usr/bin/runc");
	CU_ASSERT_EQUAL(c->args.len, 40);
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 1);
	/* moved again, /proc says so */
	put("proc/93/cgroup", "0::/docker/" CID "\n");
	c = open_ev(pt, 93, 30003, 300);
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 2);
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/docker/" CID);
	CU_ASSERT_STRING_EQUAL(c->cwd.p, "/run/containerd/bundle");
	put("proc/93/cgroup", "1:cpu:/\n0::/system.slice/docker-" CID2 ".scope\n");

	/* gone before the agent read it: the old paths stay, the id is taken, counted once */
	c = fork_ev(pt, 94, 90, 30004, 30000, 100, "gone");
	c = open_ev(pt, 94, 30004, 200);
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/");
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 3);
	CU_ASSERT_EQUAL(stats(pt).cgroup_read_fails, 1);
	c = open_ev(pt, 94, 30004, 200);
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 3);

	/* pid reused: /proc/95 is another process (other start tick): its cgroup is not taken */
	c = fork_ev(pt, 95, 90, 30005, 30000, 100, "old");
	c = open_ev(pt, 95, 30005, 200);
	CU_ASSERT_STRING_EQUAL(c->cgroup.p, "/");
	CU_ASSERT_EQUAL(stats(pt).cgroup_read_fails, 2);
	proctable_free(pt);
}

/* An entry first read from /proc, whose cgroup id is unknown (no cgroup v2 hierarchy under this
 * host_root): it adopts the first id it sees without reading /proc again. */
static void test_unknown_id_adopted(void)
{
	struct proctable *pt = proctable_new(16, root);
	const struct osp_proc *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	c = open_ev(pt, 93, 30003, 500);
	CU_ASSERT_EQUAL(c->cgroup_id, 500);
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 0);
	CU_ASSERT_EQUAL(stats(pt).proc_reads, 3); /* 93 and its ancestors 90 and 1 */
	c = open_ev(pt, 93, 30003, 501);
	CU_ASSERT_EQUAL(stats(pt).cgroup_reads, 1);
	proctable_free(pt);
}

static void rm_tree(void)
{
	char cmd[128];

	if (!root[0] || strncmp(root, "/tmp/osp-cgproc-", 16))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "proc_cgroup: could not remove %s\n", root);
}

OSP_SUITE(proc_cgroup)
{
	long hz = sysconf(_SC_CLK_TCK);
	char p[128];

	tick_ns = 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
	snprintf(root, sizeof(root), "/tmp/osp-cgproc-XXXXXX");
	if (!mkdtemp(root)) {
		perror("proc_cgroup: temp dir");
		return;
	}
	atexit(rm_tree);
	snprintf(p, sizeof(p), "%s/proc", root);
	mkdir(p, 0755);
	fake_proc(1, "init", 0, 1, "0::/init.scope\n");
	fake_proc(90, "runc", 1, 30000, "0::/\n4:memory:/process_api/x\n");
	fake_proc(91, "runc:[1:CHILD]", 90, 30001,
		  "9:name=systemd:/\n4:memory:/docker/" CID "\n0::/docker/" CID "\n");
	fake_proc(93, "sh", 90, 30003, "1:cpu:/\n0::/system.slice/docker-" CID2 ".scope\n");
	fake_proc(95, "new", 1, 40000, "0::/docker/" CID "\n");
	/* the proc_procfs suite's fake tree has its own host passwd; this one needs none */
	OSP_TEST(suite, test_moved_after_fork);
	OSP_TEST(suite, test_inline_clone_into_and_gone);
	OSP_TEST(suite, test_unknown_id_adopted);
}
