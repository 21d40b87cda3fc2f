/* Process table over a fake /proc: a temporary directory of real files and symlinks that host_root
 * points at. Covers parsing of stat/status/cmdline/cgroup/links, malformed and truncated files, the
 * seed, first sight through an open event, tick-granular matching, and user/group names read from
 * the host's or a container's own /etc/passwd and /etc/group. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/suite.h"
#include "proc/procfs.h"
#include "proc/proctable.h"
#include "proc/usercache.h"

static char root[64];
static uint64_t tick_ns;

static void put(const char *rel, const char *data, size_t len)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		return;
	}
	if (len)
		fwrite(data, 1, len, f);
	fclose(f);
}

#define PUTS(rel, s) put(rel, s, strlen(s))
#define PUTL(rel, s) put(rel, s, sizeof(s) - 1) /* a literal, embedded NULs included */

static void dir(const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	mkdir(p, 0755);
}

static void lnk(const char *target, const char *rel)
{
	char p[256];

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	if (symlink(target, p))
		perror(p);
}

static void stat_line(char *buf, size_t size, uint32_t pid, const char *comm, uint32_t ppid,
		      uint32_t pgid, uint32_t sid, uint32_t tty, unsigned long long start)
{
	snprintf(buf, size,
		 "%u (%s) S %u %u %u %u -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 %llu 1000 200 "
		 "18446744073709551615 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n",
		 pid, comm, ppid, pgid, sid, tty, start);
}

/* A well-formed process directory. */
static void fake_proc(uint32_t pid, const char *comm, uint32_t ppid, uint32_t sid, uint32_t tty,
		      unsigned long long start, uint32_t uid, uint32_t euid, const char *nspid,
		      const char *exe, const char *rootdir, const char *pidns)
{
	char rel[64], buf[1024];

	snprintf(rel, sizeof(rel), "proc/%u", pid);
	dir(rel);
	snprintf(rel, sizeof(rel), "proc/%u/ns", pid);
	dir(rel);
	stat_line(buf, sizeof(buf), pid, comm, ppid, pid, sid, tty, start);
	snprintf(rel, sizeof(rel), "proc/%u/stat", pid);
	PUTS(rel, buf);
	snprintf(buf, sizeof(buf),
		 "Name:\t%s\nUmask:\t0022\nState:\tS (sleeping)\nTgid:\t%u\nPid:\t%u\nPPid:\t%u\n"
		 "Uid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nNStgid:\t%s\nNSpid:\t%s\n"
		 "NSpgid:\t%s\nNSsid:\t%s\nCapPrm:\t000001ffffffffff\nCapEff:\t0000000000000400\n",
		 comm, pid, pid, ppid, uid, euid, euid, euid, uid, uid, uid, uid, nspid, nspid,
		 nspid, nspid);
	snprintf(rel, sizeof(rel), "proc/%u/status", pid);
	PUTS(rel, buf);
	snprintf(rel, sizeof(rel), "proc/%u/comm", pid);
	snprintf(buf, sizeof(buf), "%s\n", comm);
	PUTS(rel, buf);
	snprintf(rel, sizeof(rel), "proc/%u/loginuid", pid);
	snprintf(buf, sizeof(buf), "%u", uid ? uid : 4294967295u);
	PUTS(rel, buf);
	snprintf(rel, sizeof(rel), "proc/%u/cmdline", pid);
	snprintf(buf, sizeof(buf), "%s", comm);
	put(rel, buf, strlen(buf) + 1);
	snprintf(rel, sizeof(rel), "proc/%u/cgroup", pid);
	PUTS(rel, "0::/system.slice/x.service\n");
	snprintf(rel, sizeof(rel), "proc/%u/exe", pid);
	lnk(exe, rel);
	snprintf(rel, sizeof(rel), "proc/%u/cwd", pid);
	lnk("/", rel);
	snprintf(rel, sizeof(rel), "proc/%u/root", pid);
	snprintf(buf, sizeof(buf), "%s%s", root, rootdir);
	lnk(buf, rel);
	snprintf(rel, sizeof(rel), "proc/%u/ns/pid", pid);
	lnk(pidns, rel);
}

#define HOSTNS "pid:[4026531836]"
#define CTRNS "pid:[4026532999]"

static void build_tree(void)
{
	static char longline[12000];
	char buf[1024];
	int n;

	dir("proc");
	dir("etc");
	dir("ctr");
	dir("ctr/etc");
	dir("ctr2");
	dir("ctr2/etc");
	dir("ctr3");
	dir("ctr3/etc");
	PUTS("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nthis line is malformed\n"
			   "alice:x:1000:1000::/home/alice:/bin/sh\n");
	n = snprintf(longline, sizeof(longline), "root:x:0:\nbig:x:20:");
	while (n < 11000)
		n += snprintf(longline + n, sizeof(longline) - (size_t)n, "member%d,", n);
	snprintf(longline + n, sizeof(longline) - (size_t)n, "last\nalice:x:1000:\n");
	PUTS("etc/group", longline);
	PUTS("ctr/etc/passwd", "root:x:0:0::/root:/bin/sh\nctruser:x:1234:1234::/:/bin/sh\n");
	PUTS("ctr/etc/group", "root:x:0:\nctrgrp:x:1234:\n");
	lnk("/etc/real",
	    "ctr2/etc/passwd"); /* absolute: must resolve inside ctr2, not on the host */
	PUTS("ctr2/etc/real", "inside:x:5:5::/:/bin/sh\n");
	snprintf(buf, sizeof(buf), "%s/ctr3/etc/passwd", root);
	mkfifo(buf, 0644); /* must not hang the agent */

	fake_proc(1, "systemd", 0, 1, 0, 5, 0, 0, "1", "/bin/sh", "", HOSTNS);
	put("proc/1/cmdline", "/sbin/init\0splash", sizeof("/sbin/init\0splash"));
	fake_proc(42, "bash", 1, 42, 34816, 12345, 1000, 0, "42", "/bin/sh", "", HOSTNS);
	put("proc/42/cmdline", "-bash", sizeof("-bash"));
	PUTS("proc/42/cgroup", "12:cpu,cpuacct:/\n4:memory:/user.slice/user-1000.slice\n"
			       "0::/user.slice/user-1000.slice/session-1.scope\n");
	{
		char p[128];

		snprintf(p, sizeof(p), "%s/proc/42/cwd", root);
		unlink(p);
		lnk("/home/alice", "proc/42/cwd");
	}
	fake_proc(70, "sleep", 42, 42, 0, 20000, 1234, 1234, "70\t1", "/bin/sh", "/ctr", CTRNS);
	PUTS("proc/70/cgroup", "0::/docker/0123456789ab\n");
	fake_proc(71, "inside", 1, 71, 0, 20001, 5, 5, "71\t1", "/bin/sh", "/ctr2", CTRNS);
	fake_proc(72, "fifo", 1, 72, 0, 20002, 5, 5, "72\t1", "/bin/sh", "/ctr3", CTRNS);

	/* malformed and truncated */
	dir("proc/60");
	PUTS("proc/60/stat", "60 (trunc) S 1 60 60 0 -1 42");
	fake_proc(61, "a) (b c", 1, 61, 0, 777, 0, 0, "61", "/bin/sh", "", HOSTNS);
	dir("proc/62");
	stat_line(buf, sizeof(buf), 62, "nostatus", 1, 62, 62, 0, 1);
	PUTS("proc/62/stat", buf);
	dir("proc/63");
	dir("proc/abc");
	lnk("1", "proc/self");
	fake_proc(64, "noterm", 1, 64, 0, 900, 0, 0, "64", "/bin/sh", "", HOSTNS);
	PUTS("proc/64/cmdline", "noterm");
	fake_proc(65, "badcg", 1, 65, 0, 901, 0, 0, "65", "/bin/sh", "", HOSTNS);
	PUTS("proc/65/cgroup", "nonsense\n::\n0::relative\n5:cpu,memory\n\n3:memoryx:/no\n");
	fake_proc(66, "bigargs", 1, 66, 0, 902, 0, 0, "66", "/bin/sh", "", HOSTNS);
	{
		static char big[10000];

		memset(big, 'a', sizeof(big));
		put("proc/66/cmdline", big, sizeof(big));
	}
	fake_proc(67, "deleted", 1, 67, 0, 903, 0, 0, "67", "/usr/bin/gone (deleted)", "", HOSTNS);
	fake_proc(68, "memfd", 1, 68, 0, 904, 0, 0, "68", "/memfd:evil (deleted)", "", HOSTNS);
	fake_proc(69, "nogid", 1, 69, 0, 905, 0, 0, "69", "/bin/sh", "", HOSTNS);
	PUTS("proc/69/status", "Name:\tnogid\nUid:\t0\t0\t0\t0\n");
	dir("proc/80");
	PUTL("proc/80/stat", "\x01\x02\xff garbage (((");
	dir("proc/81");
	PUTS("proc/81/stat", "81 (neg) S -4 81 81 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 -5 1 1\n");
	PUTS("proc/81/status", "Uid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n");
}

static void rm_tree(void)
{
	char cmd[128];

	if (!root[0] || strncmp(root, "/tmp/osp-fakeproc-", 18))
		return;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "proc_procfs: could not remove %s\n", root);
}

static struct proctable *seeded(int *n)
{
	struct proctable *pt = proctable_new(64, root);

	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	*n = proctable_seed(pt);
	return pt;
}

static void test_seed_fields(void)
{
	const struct osp_proc *p, *q;
	struct proctable_stats st;
	int n;
	struct proctable *pt = seeded(&n);

	/* 1 42 61 64 65 66 67 68 70 71 72; not 60 62 63 69 80 81 abc self */
	CU_ASSERT_EQUAL(n, 11);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.seeded, 11);
	CU_ASSERT_EQUAL(st.entries, 11);
	CU_ASSERT_EQUAL(st.proc_reads, 0);
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 60, 0));
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 62, 0));
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 63, 0));
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 69, 0));
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 80, 0));
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 81, 0));

	p = proctable_lookup(pt, 42, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->ppid, 1);
	CU_ASSERT_EQUAL(p->pgid, 42);
	CU_ASSERT_EQUAL(p->sid, 42);
	CU_ASSERT_EQUAL(p->tty_dev, 136u << 20); /* /dev/pts/0 */
	CU_ASSERT_EQUAL(p->vpid, 42);
	CU_ASSERT_EQUAL(p->vpgid, 42);
	CU_ASSERT_EQUAL(p->uid, 1000);
	CU_ASSERT_EQUAL(p->euid, 0);
	CU_ASSERT_EQUAL(p->gid, 1000);
	CU_ASSERT_EQUAL(p->loginuid, 1000);
	CU_ASSERT_EQUAL(p->start_time, 12345 * tick_ns);
	CU_ASSERT_EQUAL(p->cap_effective, 0x400);
	CU_ASSERT_EQUAL(p->cap_permitted, 0x1ffffffffffull);
	CU_ASSERT_EQUAL(p->pidns_ino, 4026531836u);
	CU_ASSERT_STRING_EQUAL(p->comm, "bash");
	CU_ASSERT_STRING_EQUAL(p->exepath.p, "/bin/sh");
	CU_ASSERT_EQUAL(p->exepath.len, 7);
	CU_ASSERT_STRING_EQUAL(p->cwd.p, "/home/alice");
	CU_ASSERT_EQUAL(p->args.len, sizeof("-bash"));
	CU_ASSERT_EQUAL(p->argc, 1);
	CU_ASSERT_STRING_EQUAL(p->cgroup.p, "/user.slice/user-1000.slice/session-1.scope");
	CU_ASSERT_STRING_EQUAL(p->cgroup_v1.p, "/user.slice/user-1000.slice");
	CU_ASSERT(p->flags & OSP_PF_SEEDED);
	CU_ASSERT(p->flags & OSP_PF_EXE_WRITABLE); /* euid 0 on a writable filesystem */
	CU_ASSERT(p->exe_ino != 0);
	q = proctable_parent(pt, p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->tgid, 1);
	CU_ASSERT_EQUAL(q->loginuid, UINT32_MAX);
	CU_ASSERT_EQUAL(q->argc, 2);
	CU_ASSERT_PTR_NULL(proctable_parent(pt, q));

	p = proctable_lookup(pt, 70, 0); /* containerised: NSpid's last value */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->vpid, 1);
	CU_ASSERT_EQUAL(p->vpgid, 1);
	CU_ASSERT_EQUAL(p->pidns_ino, 4026532999u);
	CU_ASSERT_STRING_EQUAL(p->cgroup.p, "/docker/0123456789ab");
	CU_ASSERT_PTR_NULL(p->cgroup_v1.p);
	CU_ASSERT_FALSE(p->flags & OSP_PF_EXE_WRITABLE); /* uid 1234 and a root-owned 0755 file */
	q = proctable_parent(pt, p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(q);
	CU_ASSERT_EQUAL(q->tgid, 42);

	p = proctable_lookup(pt, 61, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->comm, "a) (b c");
	CU_ASSERT_EQUAL(p->start_time, 777 * tick_ns);

	p = proctable_lookup(pt, 64, 0); /* cmdline without its final NUL */
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->argc, 1);
	CU_ASSERT_EQUAL(p->args.len, sizeof("noterm"));
	CU_ASSERT_STRING_EQUAL(p->args.p, "noterm");

	p = proctable_lookup(pt, 65, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_PTR_NULL(p->cgroup.p);
	CU_ASSERT_PTR_NULL(p->cgroup_v1.p);

	p = proctable_lookup(pt, 66, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->args.len, OSP_ARGS_MAX);
	CU_ASSERT_EQUAL(p->argc, 1);
	CU_ASSERT(p->flags & OSP_F_ARGS_TRUNC);
	CU_ASSERT_EQUAL(p->args.p[OSP_ARGS_MAX - 1], '\0');

	p = proctable_lookup(pt, 67, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_STRING_EQUAL(p->exepath.p, "/usr/bin/gone");
	CU_ASSERT(p->flags & OSP_F_EXE_UNLINKED);
	CU_ASSERT_FALSE(p->flags & OSP_F_EXE_MEMFD);
	p = proctable_lookup(pt, 68, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT(p->flags & OSP_F_EXE_MEMFD);
	CU_ASSERT_STRING_EQUAL(p->exepath.p, "/memfd:evil");

	/* a second seed finds everything known already */
	CU_ASSERT_EQUAL(proctable_seed(pt), 0);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.entries, 11);
	CU_ASSERT_EQUAL(st.stale, 0);
	proctable_free(pt);
}

/* Seeded start times are ticks: an event's exact ns time in the same tick is the same process. */
static void test_tick_match(void)
{
	struct osp_proc key = {.tgid = 42, .start_time = 12345 * tick_ns + tick_ns / 3};
	struct osp_event ev = {.type = OSP_EV_OPEN, .tgid = 42, .proc = &key};
	const struct osp_proc *seed;
	struct proctable_stats st;
	int n;
	struct proctable *pt = seeded(&n);

	seed = proctable_lookup(pt, 42, 0);
	proctable_apply(pt, &ev);
	CU_ASSERT_PTR_EQUAL(ev.proc, seed);
	CU_ASSERT_PTR_NOT_NULL(ev.parent);

	/* the next tick is another process that reused pid 61 (and is not in this /proc) */
	key = (struct osp_proc){.tgid = 61, .start_time = 778 * tick_ns, .comm = "new"};
	ev = (struct osp_event){.type = OSP_EV_OPEN, .tgid = 61, .proc = &key};
	proctable_apply(pt, &ev);
	CU_ASSERT_STRING_EQUAL(ev.proc->comm, "new");
	CU_ASSERT(ev.proc->flags & OSP_PF_PARTIAL);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.stale, 1);
	CU_ASSERT_EQUAL(st.misses, 1);
	proctable_free(pt);
}

/* First sight through an open event: the process and its missing ancestors come from /proc. */
static void test_open_loads_ancestry(void)
{
	struct proctable *pt = proctable_new(16, root);
	struct osp_proc key = {.tgid = 70, .start_time = 20000 * tick_ns + 1};
	struct osp_event ev = {.type = OSP_EV_OPEN, .tgid = 70, .proc = &key};
	const struct osp_proc *a;
	struct proctable_stats st;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	proctable_apply(pt, &ev);
	CU_ASSERT_EQUAL(ev.proc->tgid, 70);
	CU_ASSERT_EQUAL(ev.proc->start_time, 20000 * tick_ns + 1); /* the exact one now */
	CU_ASSERT_STRING_EQUAL(ev.proc->comm, "sleep");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.parent);
	CU_ASSERT_EQUAL(ev.parent->tgid, 42);
	a = proctable_ancestor(pt, &ev, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->tgid, 1);
	CU_ASSERT_STRING_EQUAL(a->exepath.p, "/bin/sh");
	CU_ASSERT_PTR_NULL(proctable_ancestor(pt, &ev, 3));
	/* session leader: 42 leads session 42, which 70 belongs to */
	a = proctable_session_leader(pt, &ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(a->tgid, 42);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.misses, 1);
	CU_ASSERT_EQUAL(st.proc_reads, 3);
	CU_ASSERT_EQUAL(st.entries, 3);

	/* the wrong start time for a live pid: not that process */
	key = (struct osp_proc){.tgid = 64, .start_time = 5 * tick_ns};
	ev = (struct osp_event){.type = OSP_EV_OPEN, .tgid = 64, .proc = &key};
	proctable_apply(pt, &ev);
	CU_ASSERT(ev.proc->flags & OSP_PF_PARTIAL);
	CU_ASSERT_PTR_NULL(ev.proc->exepath.p);
	proctable_free(pt);
}

static void test_user_names(void)
{
	struct osp_event ev = {.type = OSP_EV_OPEN};
	struct osp_proc key = {0};
	const char *a, *b;
	int n;
	struct proctable *pt = seeded(&n);

	ev.proc = &key;
	key.tgid = 42;
	proctable_apply(pt, &ev);
	a = proctable_user_name(pt, &ev, 1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "alice");
	b = proctable_user_name(pt, &ev, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_STRING_EQUAL(b, "root");
	CU_ASSERT_STRING_EQUAL(a, "alice"); /* still valid within the event */
	CU_ASSERT_PTR_NULL(proctable_user_name(pt, &ev, 1234));
	CU_ASSERT_PTR_NULL(proctable_user_name(pt, &ev, UINT32_MAX));
	a = proctable_group_name(pt, &ev, 1000); /* after a line longer than the parse buffer */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "alice");
	a = proctable_group_name(pt, &ev, 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "root");

	ev.proc = &key; /* the container's own files */
	key.tgid = 70;
	proctable_apply(pt, &ev);
	a = proctable_user_name(pt, &ev, 1234);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "ctruser");
	a = proctable_group_name(pt, &ev, 1234);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "ctrgrp");
	CU_ASSERT_PTR_NULL(proctable_user_name(pt, &ev, 1000)); /* alice is the host's */
	a = proctable_user_name(pt, &ev, 1234);			/* cached */
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "ctruser");

	ev.proc = &key; /* /etc/passwd -> /etc/real resolves inside the container's root */
	key.tgid = 71;
	proctable_apply(pt, &ev);
	a = proctable_user_name(pt, &ev, 5);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_STRING_EQUAL(a, "inside");

	ev.proc = &key; /* a FIFO for /etc/passwd: refused, no hang */
	key.tgid = 72;
	proctable_apply(pt, &ev);
	CU_ASSERT_PTR_NULL(proctable_user_name(pt, &ev, 5));
	proctable_free(pt);
}

static void test_parsers(void)
{
	struct procfs_info *in = calloc(1, sizeof(*in));
	char path[128], name[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT_EQUAL(procfs_parse_stat("", in), -EINVAL);
	CU_ASSERT_EQUAL(procfs_parse_stat("1 (x", in), -EINVAL);
	CU_ASSERT_EQUAL(procfs_parse_stat("1 x) S 1 2 3", in), -EINVAL);
	CU_ASSERT_EQUAL(procfs_parse_stat("1 (x) ", in), -EINVAL);
	CU_ASSERT_EQUAL(
	    procfs_parse_stat("1 (averyveryverylongcommname) S 2 3 4 1025 -1 0 0 0 0 0 0 "
			      "0 0 0 20 0 1 0 99",
			      in),
	    0);
	CU_ASSERT_STRING_EQUAL(in->comm, "averyveryverylo");
	CU_ASSERT_EQUAL(in->ppid, 2);
	CU_ASSERT_EQUAL(in->tty_dev, (4u << 20) | 1); /* tty_nr 1025 = /dev/tty1 */
	CU_ASSERT_EQUAL(in->start_ticks, 99);
	CU_ASSERT_EQUAL(procfs_parse_status("Uid:\t1\t2\t3\t4\n", in), -EINVAL);
	CU_ASSERT_EQUAL(procfs_parse_status("Uid:\t1\nGid:\t1\t2\n", in), -EINVAL);
	CU_ASSERT_EQUAL(procfs_parse_status("Uid:\t1\t2\nGid:\t3\t4", in), 0);
	CU_ASSERT_EQUAL(in->egid, 4);
	memset(in, 0, sizeof(*in));
	procfs_parse_cgroup("1:name=systemd:/a\n2:memory,cpu:/m\n0::/u", in);
	CU_ASSERT_STRING_EQUAL(in->cgroup, "/u");
	CU_ASSERT_STRING_EQUAL(in->cgroup_v1, "/m");
	CU_ASSERT_EQUAL(procfs_read(-1, 1, in), -EBADF);
	snprintf(path, sizeof(path), "%s/proc", root);
	{
		int fd = open(path, O_PATH | O_DIRECTORY);

		CU_ASSERT(fd >= 0);
		CU_ASSERT_EQUAL(procfs_read(fd, 99999, in), -ENOENT);
		CU_ASSERT_EQUAL(procfs_read(fd, 62, in), -ENOENT); /* no status */
		CU_ASSERT_EQUAL(procfs_read(fd, 69, in), -EINVAL);
		CU_ASSERT_EQUAL(procfs_read(fd, 42, in), 0);
		close(fd);
	}
	CU_ASSERT_EQUAL(usercache_read(root, 0, 0, false, 424242, name, sizeof(name)), -ENOENT);
	CU_ASSERT_EQUAL(usercache_read(root, 1, 1, false, 0, name, sizeof(name)), -ESTALE);
	/* a root that is not there (its process gone) is unreadable, never "no such user" */
	CU_ASSERT_EQUAL(usercache_read("/nonexistent-osp", 0, 0, true, 0, name, sizeof(name)),
			-ESRCH);
	free(in);
}

OSP_SUITE(proc_procfs)
{
	long hz = sysconf(_SC_CLK_TCK);

	tick_ns = 1000000000ull / (uint64_t)(hz > 0 ? hz : 100);
	snprintf(root, sizeof(root), "/tmp/osp-fakeproc-XXXXXX");
	if (!mkdtemp(root)) {
		perror("proc_procfs: temp dir");
		return;
	}
	build_tree();
	atexit(rm_tree);
	OSP_TEST(suite, test_seed_fields);
	OSP_TEST(suite, test_tick_match);
	OSP_TEST(suite, test_open_loads_ancestry);
	OSP_TEST(suite, test_user_names);
	OSP_TEST(suite, test_parsers);
}
