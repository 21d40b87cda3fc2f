/* Process table fed with synthetic fork/exec/exit/open sequences (real structs, no /proc behind them:
 * host_root is an empty temporary directory, so nothing can be read and every fact comes from events). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../common/fieldtext.h"
#include "../common/suite.h"
#include "proc/proctable.h"

#define MS 1000000ull

static char empty_root[64];

static int make_empty_root(void)
{
	char p[96];

	snprintf(empty_root, sizeof(empty_root), "/tmp/osp-proc-empty-XXXXXX");
	if (!mkdtemp(empty_root))
		return -1;
	snprintf(p, sizeof(p), "%s/proc", empty_root);
	return mkdir(p, 0755);
}

static void remove_empty_root(void)
{
	char p[96];

	snprintf(p, sizeof(p), "%s/proc", empty_root);
	rmdir(p);
	rmdir(empty_root);
}

/* A decoder-owned exec record: strings live in the struct's own buffers. */
struct exec_rec {
	struct osp_proc p;
	char exe[256], cwd[256], args[9000], cg[256];
};

static void mk_exec(struct exec_rec *r, uint32_t tgid, uint64_t st, uint32_t ppid, uint64_t pst,
		    const char *exe, const char *args, size_t args_len, const char *cwd)
{
	size_t i;

	memset(&r->p, 0, sizeof(r->p));
	r->p.tgid = r->p.vpid = tgid;
	r->p.start_time = st;
	r->p.ppid = ppid;
	r->p.parent_start_time = pst;
	r->p.sid = 1;
	r->p.uid = r->p.euid = 1000;
	r->p.gid = r->p.egid = 1000;
	r->p.loginuid = 1000;
	snprintf(r->exe, sizeof(r->exe), "%s", exe);
	snprintf(r->cwd, sizeof(r->cwd), "%s", cwd);
	snprintf(r->cg, sizeof(r->cg), "/user.slice");
	memcpy(r->args, args, args_len);
	r->p.exepath = (struct osp_str){r->exe, (uint32_t)strlen(r->exe)};
	r->p.filename = r->p.exepath;
	r->p.cwd = (struct osp_str){r->cwd, (uint32_t)strlen(r->cwd)};
	r->p.cgroup = (struct osp_str){r->cg, (uint32_t)strlen(r->cg)};
	r->p.args = (struct osp_str){r->args, (uint32_t)args_len};
	for (i = 0; i < args_len; i++)
		r->p.argc += args[i] == '\0';
	{
		const char *b = strrchr(exe, '/');

		snprintf(r->p.comm, sizeof(r->p.comm), "%s", b ? b + 1 : exe);
	}
}

static const struct osp_proc *apply_exec(struct proctable *pt, struct exec_rec *r)
{
	struct osp_event ev = {.type = OSP_EV_EXEC, .tgid = r->p.tgid, .pid = r->p.tgid};

	ev.proc = &r->p;
	proctable_apply(pt, &ev);
	CU_ASSERT_PTR_NOT_NULL(ev.proc);
	CU_ASSERT_PTR_NOT_EQUAL(ev.proc, &r->p); /* the table's entry, not the decoder's record */
	return ev.proc;
}

static const struct osp_proc *apply_fork(struct proctable *pt, uint32_t child, uint64_t st,
					 uint32_t ppid, uint64_t pst, const char *comm)
{
	struct osp_proc c = {
	    .tgid = child, .ppid = ppid, .start_time = st, .parent_start_time = pst, .uid = 1000};
	struct osp_event ev = {.type = OSP_EV_FORK, .tgid = child, .pid = child, .proc = &c};

	snprintf(c.comm, sizeof(c.comm), "%s", comm);
	proctable_apply(pt, &ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.proc);
	return ev.proc;
}

static struct osp_event apply_simple(struct proctable *pt, uint32_t type, uint32_t tgid,
				     uint64_t st)
{
	static struct osp_proc key;
	struct osp_event ev = {.type = type, .tgid = tgid, .pid = tgid, .proc = &key};

	memset(&key, 0, sizeof(key));
	key.tgid = tgid;
	key.start_time = st;
	snprintf(key.comm, sizeof(key.comm), "k%u", tgid);
	proctable_apply(pt, &ev);
	return ev;
}

#define ARGS(s) s, sizeof(s) /* a literal with its final NUL */

static struct proctable *new_table(uint32_t cap)
{
	struct proctable *pt = proctable_new(cap, empty_root);

	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	return pt;
}

/* init -> bash -> sh -c: ancestry, Falco's inheritance before exec, names and cmdline helpers. */
static void test_ancestry(void)
{
	struct proctable *pt = new_table(64);
	struct exec_rec *r = calloc(1, sizeof(*r));
	const struct osp_proc *p, *c;
	struct osp_field_ctx ctx = {0};
	struct osp_event ev, gp = {0};
	struct osp_fval v = {0};
	char buf[128];

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	mk_exec(r, 1, 10 * MS, 0, 0, "/sbin/init", ARGS("/sbin/init\0splash"), "/");
	p = apply_exec(pt, r);
	CU_ASSERT_EQUAL(p->tgid, 1);
	CU_ASSERT_STRING_EQUAL(p->exepath.p, "/sbin/init");

	c = apply_fork(pt, 100, 200 * MS, 1, 10 * MS, "init");
	/* until it execs, the child is its parent: exe, args, cwd */
	CU_ASSERT_STRING_EQUAL(c->exepath.p, "/sbin/init");
	CU_ASSERT_EQUAL(c->args.len, sizeof("/sbin/init\0splash"));
	CU_ASSERT_EQUAL(c->argc, 2);
	CU_ASSERT_STRING_EQUAL(c->cwd.p, "/");
	CU_ASSERT_EQUAL(c->ppid, 1);
	CU_ASSERT_EQUAL(c->vpid, 100);

	mk_exec(r, 100, 200 * MS, 1, 10 * MS, "/usr/bin/bash", ARGS("-bash"), "/home/a");
	r->p.sid = 100;
	apply_exec(pt, r);
	apply_fork(pt, 200, 300 * MS, 100, 200 * MS, "bash");
	mk_exec(r, 200, 300 * MS, 100, 200 * MS, "/usr/bin/dash", ARGS("sh\0-c\0\0id -u"), "/tmp");
	r->p.sid = 100;
	apply_exec(pt, r);
	memset(r, 0, sizeof(*r)); /* the decoder reuses its record: the table must not care */

	ev = apply_simple(pt, OSP_EV_OPEN, 200, 300 * MS);
	CU_ASSERT_EQUAL(ev.proc->tgid, 200);
	CU_ASSERT_STRING_EQUAL(ev.proc->exepath.p, "/usr/bin/dash");
	CU_ASSERT_STRING_EQUAL(ev.proc->cwd.p, "/tmp");
	CU_ASSERT_STRING_EQUAL(ev.proc->comm, "dash");
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.parent);
	CU_ASSERT_STRING_EQUAL(ev.parent->exepath.p, "/usr/bin/bash");
	CU_ASSERT_PTR_EQUAL(proctable_ancestor(pt, &ev, 1), ev.parent);
	CU_ASSERT_PTR_EQUAL(proctable_ancestor(pt, &ev, 0), ev.proc);
	p = proctable_ancestor(pt, &ev, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->tgid, 1);
	CU_ASSERT_PTR_NULL(proctable_ancestor(pt, &ev, 3));
	CU_ASSERT_PTR_NULL(proctable_ancestor(pt, &ev, 40));

	/* proc.sname: bash (tgid 100) leads session 100 */
	p = proctable_session_leader(pt, &ev);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	CU_ASSERT_EQUAL(p->tgid, 100);

	/* proc.exe, proc.args, proc.cmdline of the table's entries, through the field extractors
	 * (an empty argument kept, as Falco joins them) */
	ctx.pt = pt;
	CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &ev, "proc.exe"), "sh");
	CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &ev, "proc.args"), "-c  id -u");
	CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &ev, "proc.cmdline"), "dash -c  id -u");
	/* cut to fit the extraction buffer, always terminated */
	v.buf = buf;
	v.bufsz = 6;
	CU_ASSERT_EQUAL(fields_get(fields_lookup("proc.cmdline", 12), &ctx, &ev, NULL, &v), 1);
	CU_ASSERT_EQUAL(v.len, strlen("dash "));
	CU_ASSERT_STRING_EQUAL(buf, "dash ");
	p = proctable_ancestor(pt, &ev, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(p);
	gp.type = OSP_EV_OPEN;
	gp.proc = (struct osp_proc *)p;
	CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &gp, "proc.args"), "splash");
	CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &ev, "proc.aexe[2]"), "/sbin/init");

	CU_ASSERT_PTR_EQUAL(proctable_lookup(pt, 100, 200 * MS), ev.parent);
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 100, 201 * MS));
	CU_ASSERT_PTR_EQUAL(proctable_lookup(pt, 100, 0), ev.parent);
	free(r);
	proctable_free(pt);
	proctable_free(NULL);
}

/* A small bound holds: entries stay at capacity, every drop is counted, recent ones survive. */
static void test_eviction(void)
{
	struct proctable *pt = new_table(8);
	struct exec_rec *r = calloc(1, sizeof(*r));
	struct proctable_stats st;
	uint32_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (i = 0; i < 50; i++) {
		mk_exec(r, 1000 + i, (1000 + i) * MS, 1, 10 * MS, "/bin/true", ARGS("true"), "/");
		apply_exec(pt, r);
	}
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.entries, 8);
	CU_ASSERT_EQUAL(st.capacity, 8);
	CU_ASSERT_EQUAL(st.evicted, 42);
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 1000, 0));
	CU_ASSERT_PTR_NOT_NULL(proctable_lookup(pt, 1049, 1049 * MS));
	CU_ASSERT_PTR_NOT_NULL(proctable_lookup(pt, 1042, 1042 * MS));

	/* a parent with children is kept over childless entries (ancestry is the point) */
	mk_exec(r, 2000, 2000 * MS, 1, 10 * MS, "/usr/sbin/sshd", ARGS("sshd"), "/");
	apply_exec(pt, r);
	for (i = 0; i < 20; i++) {
		struct osp_event ev;

		apply_fork(pt, 3000 + i, (3000 + i) * MS, 2000, 2000 * MS, "sshd");
		ev = apply_simple(pt, OSP_EV_OPEN, 3000 + i, (3000 + i) * MS);
		CU_ASSERT_PTR_NOT_NULL(ev.parent);
		if (ev.parent)
			CU_ASSERT_EQUAL(ev.parent->tgid, 2000);
	}
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.entries, 8);
	CU_ASSERT(st.mem_bytes > 0);
	free(r);
	proctable_free(pt);
}

/* Same tgid, new start time: the old entry is stale (its exit was lost) and must go. */
static void test_pid_reuse(void)
{
	struct proctable *pt = new_table(16);
	struct exec_rec *r = calloc(1, sizeof(*r));
	struct proctable_stats st;
	const struct osp_proc *p;
	struct osp_event ev;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	mk_exec(r, 1, 1 * MS, 0, 0, "/sbin/init", ARGS("init"), "/");
	apply_exec(pt, r);
	mk_exec(r, 300, 100 * MS, 1, 1 * MS, "/usr/bin/old", ARGS("old"), "/");
	apply_exec(pt, r);
	/* no exit for the old one; pid 300 comes back as a fork child */
	p = apply_fork(pt, 300, 900 * MS, 1, 1 * MS, "init");
	CU_ASSERT_EQUAL(p->start_time, 900 * MS);
	CU_ASSERT_STRING_EQUAL(p->exepath.p, "/sbin/init");
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 300, 100 * MS));
	CU_ASSERT_PTR_EQUAL(proctable_lookup(pt, 300, 900 * MS), p);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.stale, 1);
	CU_ASSERT_EQUAL(st.entries, 2);

	/* and again, through an exec whose fork we never saw */
	mk_exec(r, 300, 950 * MS, 1, 1 * MS, "/usr/bin/new", ARGS("new"), "/");
	apply_exec(pt, r);
	ev = apply_simple(pt, OSP_EV_OPEN, 300, 950 * MS);
	CU_ASSERT_STRING_EQUAL(ev.proc->exepath.p, "/usr/bin/new");
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.stale, 2);
	CU_ASSERT_EQUAL(st.entries, 2);
	free(r);
	proctable_free(pt);
}

/* Exit: still readable during its own event, gone at the next; children go to init. */
static void test_exit_reap(void)
{
	struct proctable *pt = new_table(16);
	struct exec_rec *r = calloc(1, sizeof(*r));
	struct proctable_stats st;
	struct osp_event ev;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	mk_exec(r, 1, 1 * MS, 0, 0, "/sbin/init", ARGS("init"), "/");
	apply_exec(pt, r);
	apply_fork(pt, 100, 100 * MS, 1, 1 * MS, "init");
	mk_exec(r, 100, 100 * MS, 1, 1 * MS, "/usr/bin/bash", ARGS("bash"), "/");
	apply_exec(pt, r);
	apply_fork(pt, 200, 200 * MS, 100, 100 * MS, "bash");

	ev = apply_simple(pt, OSP_EV_EXIT, 100, 100 * MS);
	CU_ASSERT_EQUAL(ev.proc->tgid, 100);
	CU_ASSERT_STRING_EQUAL(ev.proc->exepath.p, "/usr/bin/bash");
	CU_ASSERT(ev.proc->flags & OSP_PF_DEAD);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.parent);
	CU_ASSERT_EQUAL(ev.parent->tgid, 1);
	CU_ASSERT_PTR_NOT_NULL(proctable_lookup(pt, 100, 100 * MS));

	ev = apply_simple(pt, OSP_EV_OPEN, 200, 200 * MS);
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 100, 100 * MS));
	CU_ASSERT_EQUAL(ev.proc->ppid, 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.parent);
	CU_ASSERT_EQUAL(ev.parent->tgid, 1);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.reaped, 1);
	CU_ASSERT_EQUAL(st.entries, 2);

	/* exit of a process never seen: still a usable ev->proc, then gone */
	ev = apply_simple(pt, OSP_EV_EXIT, 777, 5 * MS);
	CU_ASSERT_EQUAL(ev.proc->tgid, 777);
	CU_ASSERT_STRING_EQUAL(ev.proc->comm, "k777");
	apply_simple(pt, OSP_EV_OPEN, 200, 200 * MS);
	CU_ASSERT_PTR_NULL(proctable_lookup(pt, 777, 0));
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.reaped, 2);
	CU_ASSERT_EQUAL(st.misses,
			2); /* the exec of pid 1 (never forked here) and the exit of 777 */
	free(r);
	proctable_free(pt);
}

/* An open from a process unknown to the table and absent from /proc: a bare entry, never NULL. */
static void test_open_unknown(void)
{
	struct proctable *pt = new_table(4);
	struct osp_event ev = {.type = OSP_EV_OPEN, .tgid = 4242, .pid = 4243};
	struct proctable_stats st;
	int i;

	proctable_apply(pt, &ev); /* no ev->proc at all */
	CU_ASSERT_PTR_NOT_NULL_FATAL(ev.proc);
	CU_ASSERT_EQUAL(ev.proc->tgid, 4242);
	CU_ASSERT(ev.proc->flags & OSP_PF_PARTIAL);
	CU_ASSERT_PTR_NULL(ev.parent);
	CU_ASSERT_PTR_NULL(ev.proc->exepath.p);
	CU_ASSERT_STRING_EQUAL(osp_test_field(NULL, &ev, "proc.exe"), "<NA>");
	for (i = 0; i < 3; i++) {
		ev = apply_simple(pt, OSP_EV_OPEN, 5000, 7 * MS);
		CU_ASSERT_STRING_EQUAL(ev.proc->comm, "k5000");
	}
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.misses, 2);
	CU_ASSERT_EQUAL(st.entries, 2);
	CU_ASSERT_PTR_NULL(proctable_user_name(pt, &ev, UINT32_MAX));
	proctable_free(pt);
}

/* Long strings go to the arena intact; when it is full they are cut and counted; space comes back. */
static void test_arena(void)
{
	struct proctable *pt = proctable_new_sized(64, 32768, empty_root);
	struct exec_rec *r = calloc(1, sizeof(*r));
	struct proctable_stats st;
	const struct osp_proc *p;
	static char big[8000];
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(pt);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	for (i = 0; i < sizeof(big); i++)
		big[i] = (i % 100) == 99 ? '\0' : (char)('a' + i % 26);
	big[sizeof(big) - 1] = '\0';
	mk_exec(r, 1, 1 * MS, 0, 0, "/sbin/init", ARGS("init"), "/");
	apply_exec(pt, r);
	for (i = 0; i < 6; i++) {
		mk_exec(r, 10 + (uint32_t)i, (10 + i) * MS, 1, 1 * MS, "/usr/bin/java", big,
			sizeof(big), "/srv");
		p = apply_exec(pt, r);
		if (i < 4) { /* 32 KiB arena: four 8 KiB blocks */
			CU_ASSERT_EQUAL(p->args.len, sizeof(big));
			CU_ASSERT(memcmp(p->args.p, big, sizeof(big)) == 0);
			CU_ASSERT_EQUAL(p->argc, 80);
			CU_ASSERT_FALSE(p->flags & OSP_PF_STR_TRUNC);
		} else {
			CU_ASSERT(p->flags & OSP_PF_STR_TRUNC);
			CU_ASSERT(p->flags & OSP_F_ARGS_TRUNC);
			CU_ASSERT_STRING_EQUAL(p->exepath.p, "/usr/bin/java");
			CU_ASSERT(p->args.len < 384);
			CU_ASSERT_EQUAL(p->args.p[p->args.len - 1],
					'\0'); /* whole arguments only */
			CU_ASSERT_EQUAL(p->argc, p->args.len / 100);
			CU_ASSERT_EQUAL(memcmp(p->args.p, big, p->args.len), 0);
		}
	}
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.str_trunc, 2);
	CU_ASSERT_EQUAL(st.arena_bytes, 32768);
	CU_ASSERT_EQUAL(st.arena_used, 32768);
	/* every exit gives its block back (reaped at the following event) */
	for (i = 0; i < 6; i++)
		apply_simple(pt, OSP_EV_EXIT, 10 + (uint32_t)i, (10 + i) * MS);
	apply_simple(pt, OSP_EV_OPEN, 1, 1 * MS);
	proctable_get_stats(pt, &st);
	CU_ASSERT_EQUAL(st.arena_used, 0);
	/* and the arena is whole again: a 32 KiB block (args + exe + cwd > 16 KiB) fits */
	{
		static char huge[OSP_ARGS_MAX];

		memset(huge, 'x', sizeof(huge));
		huge[sizeof(huge) - 1] = '\0';
		mk_exec(r, 20, 20 * MS, 1, 1 * MS, "/usr/bin/java", huge, sizeof(huge), "/srv");
		memset(r->exe, 'e', sizeof(r->exe) - 1);
		r->exe[sizeof(r->exe) - 1] = '\0';
		r->p.exepath.len = sizeof(r->exe) - 1;
		p = apply_exec(pt, r);
		CU_ASSERT_EQUAL(p->args.len, sizeof(huge));
		CU_ASSERT_FALSE(p->flags & OSP_PF_STR_TRUNC);
	}
	free(r);
	proctable_free(pt);
}

static void test_new_invalid(void)
{
	CU_ASSERT_PTR_NULL(proctable_new(1, empty_root));
	CU_ASSERT_PTR_NULL(proctable_new(64, ""));
	CU_ASSERT_PTR_NULL(proctable_new(64, "/nonexistent-osprey-root"));
}

/* A deep ancestry: every ancestor by index, and proc.aname's "any ancestor" over all of them, from
 * one walk the table keeps for the event; a change to the table (or to the event) starts a new one. */
static void test_deep_ancestry(void)
{
	struct proctable *pt = new_table(256);
	struct exec_rec *r = calloc(1, sizeof(*r));
	struct osp_field_ctx ctx = {0};
	struct osp_event ev;
	const struct osp_proc *p;
	unsigned int k;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	/* pid 1, then 1000 (parent 1), 1001 (parent 1000) ... 1079 */
	mk_exec(r, 1, 1 * MS, 0, 0, "/sbin/init", ARGS("init"), "/");
	apply_exec(pt, r);
	for (k = 0; k < 80; k++) {
		char exe[32];

		snprintf(exe, sizeof(exe), "/bin/p%u", k);
		mk_exec(r, 1000 + k, (10 + k) * MS, k ? 999 + k : 1, k ? (9 + k) * MS : 1 * MS, exe,
			ARGS("x"), "/");
		apply_exec(pt, r);
	}
	ev = apply_simple(pt, OSP_EV_OPEN, 1079, (10 + 79) * MS);
	for (k = 1; k <= 79; k++) {
		p = proctable_ancestor(pt, &ev, k);
		CU_ASSERT_PTR_NOT_NULL_FATAL(p);
		CU_ASSERT_EQUAL(p->tgid, 1079 - k);
	}
	CU_ASSERT_EQUAL(proctable_ancestor(pt, &ev, 80)->tgid, 1); /* past the kept walk */
	CU_ASSERT_PTR_NULL(proctable_ancestor(pt, &ev, 81));
	CU_ASSERT_EQUAL(proctable_ancestor(pt, &ev, 3)->tgid, 1076); /* back inside it */
	ctx.pt = pt;
	CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &ev, "proc.aname[64]"), "p15");
	CU_ASSERT_STRING_EQUAL(osp_test_field(&ctx, &ev, "proc.aname[65]"), "<NA>"); /* the bound */
	/* a new exec of the process, under another parent: the same event struct, a new walk */
	mk_exec(r, 1079, (10 + 79) * MS, 1, 1 * MS, "/bin/p79", ARGS("x"), "/");
	apply_exec(pt, r);
	ev = apply_simple(pt, OSP_EV_OPEN, 1079, (10 + 79) * MS);
	CU_ASSERT_EQUAL(proctable_ancestor(pt, &ev, 1)->tgid, 1);
	CU_ASSERT_PTR_NULL(proctable_ancestor(pt, &ev, 2));
	free(r);
	proctable_free(pt);
}

OSP_SUITE(proc_table)
{
	if (make_empty_root()) {
		perror("proc_table: temp dir");
		return;
	}
	atexit(remove_empty_root);
	OSP_TEST(suite, test_ancestry);
	OSP_TEST(suite, test_deep_ancestry);
	OSP_TEST(suite, test_eviction);
	OSP_TEST(suite, test_pid_reuse);
	OSP_TEST(suite, test_exit_reap);
	OSP_TEST(suite, test_open_unknown);
	OSP_TEST(suite, test_arena);
	OSP_TEST(suite, test_new_invalid);
}
