#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, open_by_handle_at(): also when built without the Makefile */
#endif
#include <stddef.h>
#include <string.h>

#include "proc/internal.h"
#include "proc/procfs.h"

/* ---- events ---- */

static uint32_t ev_exec(struct proctable *pt, struct osp_event *ev)
{
	const struct osp_proc *src = ev->proc;
	struct osp_str strs[PT_NSTR];
	struct procfs_exec_facts fx;
	struct pt_entry *e;
	uint32_t i, old_pidns;
	int k;

	i = proctable_find(pt, src->tgid, src->start_time, false);
	if (i == NIL) {
		pt->st.misses++;
		i = proctable_entry_new(pt, src->tgid, src->start_time, false, NIL, NIL);
		if (i == NIL)
			return NIL;
	}
	e = &pt->e[i];
	old_pidns = e->p.pidns_ino;
	proctable_tree_unlink(pt, i);
	memcpy(&e->p, src, offsetof(struct osp_proc, exepath)); /* every scalar, and comm */
	e->p.comm[OSP_COMM_LEN - 1] = '\0';
	e->p.argc = src->argc;
	e->p.flags &= ~(OSP_PF_EXE_WRITABLE | OSP_PF_SEEDED | OSP_PF_DEAD | OSP_PF_PARTIAL |
			OSP_PF_STR_TRUNC);
	e->approx = 0;
	e->papprox = 0;
	for (k = 0; k < PT_NSTR; k++)
		strs[k] = *proctable_str_field((struct osp_proc *)src, k);
	proctable_strings_set(pt, e, strs);
	/* the new image's exe, while the process still lives: its writability and inode; its root */
	memset(&fx, 0, sizeof(fx));
	if (!procfs_exec_facts(pt->procfd, e->p.tgid, e->p.euid, e->p.egid, &fx)) {
		if (fx.have_exe && fx.writable)
			e->p.flags |= OSP_PF_EXE_WRITABLE;
		if (fx.have_exe && !e->p.exe_ino) {
			e->p.exe_ino = fx.exe_ino;
			e->p.exe_dev = fx.exe_dev;
		}
	}
	if (fx.have_root) {
		proctable_set_root(pt, e, fx.root_dev, fx.root_ino);
	} else if (e->p.pidns_ino != old_pidns) {
		/* gone already (or a zombie), and it entered another pid namespace since its root was
		 * known (runc's child pivots into the container between fork and exec): that root is
		 * not its own; its namespace's is used (name_lookup) */
		e->root = ROOT_UNKNOWN;
	}
	/* a parent never seen (its fork lost, or it was reparented out of sight): it is alive, as
	 * it has a child; read it and its missing ancestors so the ancestry stays whole */
	if (proctable_resolve_parent(pt, i) == NIL && e->p.ppid && e->p.ppid != e->p.tgid &&
	    proctable_load_proc(pt, e->p.ppid, e->p.parent_start_time, false, i, NIL) != NIL &&
	    pt->e[i].state != PT_FREE)
		proctable_load_ancestors(pt, i);
	return i;
}

static uint32_t ev_fork(struct proctable *pt, struct osp_event *ev)
{
	const struct osp_proc *src = ev->proc;
	struct pt_entry *c;
	const struct pt_entry *par;
	uint32_t pi, ci, vpid;

	pi = proctable_find(pt, src->ppid, src->parent_start_time, false);
	if (pi == NIL && src->ppid) {
		pi = proctable_load_proc(pt, src->ppid, src->parent_start_time, false, NIL, NIL);
		if (pi != NIL)
			proctable_load_ancestors(pt, pi);
	}
	ci = proctable_find(pt, src->tgid, src->start_time, false);
	if (ci != NIL) { /* already read from /proc (seeded after the fork): /proc is newer */
		proctable_set_parent(pt, ci, src->ppid, src->parent_start_time, false);
		return ci;
	}
	if (pi == NIL) {
		pt->st.misses++;
		ci = proctable_load_proc(pt, src->tgid, src->start_time, false, NIL, NIL);
		if (ci == NIL)
			ci = proctable_entry_from_event(pt, ev, src->tgid, src->start_time);
		if (ci != NIL)
			proctable_set_parent(pt, ci, src->ppid, src->parent_start_time, false);
		return ci;
	}
	ci = proctable_entry_new(pt, src->tgid, src->start_time, false, pi, NIL);
	if (ci == NIL)
		return NIL;
	c = &pt->e[ci];
	par = &pt->e[pi];
	/* Falco: the child is its parent (exe, args, cwd, ids, ...) until it execs */
	memcpy(&c->p, &par->p, offsetof(struct osp_proc, exepath));
	c->p.argc = par->p.argc;
	c->p.flags &= ~(OSP_PF_DEAD | OSP_PF_SEEDED);
	proctable_strings_copy(pt, c, &par->p);
	c->root = par->root;
	c->root_dev = par->root_dev;
	c->root_ino = par->root_ino;
	c->p.tgid = src->tgid;
	c->p.start_time = src->start_time;
	c->p.uid =
	    src->uid; /* cgroup_id stays the parent's: proctable_apply() compares the fork's */
	if (src->comm[0]) {
		memcpy(c->p.comm, src->comm, sizeof(c->p.comm));
		c->p.comm[OSP_COMM_LEN - 1] = '\0';
	}
	if (par->p.vpid == par->p.tgid) /* parent in the host's pid namespace: so is the child */
		c->p.vpid = src->tgid;
	else if (!procfs_read_vpid(pt->procfd, src->tgid, &vpid))
		c->p.vpid = vpid;
	else
		c->p.vpid = 0;
	c->p.ppid = 0; /* force proctable_set_parent() to link */
	proctable_set_parent(pt, ci, src->ppid, src->parent_start_time, false);
	return ci;
}

static uint32_t ev_exit(struct proctable *pt, struct osp_event *ev, uint32_t tgid, uint64_t start)
{
	uint32_t i = proctable_find(pt, tgid, start, false);

	if (i == NIL) {
		pt->st.misses++;
		i = proctable_entry_from_event(pt, ev, tgid, start);
		if (i == NIL)
			return NIL;
	}
	if (pt->e[i].state == PT_DEAD) /* queued already */
		return i;
	pt->e[i].state = PT_DEAD;
	pt->e[i].p.flags |= OSP_PF_DEAD;
	if (pt->reap_n == PT_REAPQ)
		proctable_reap_front(pt);
	pt->reapq[(pt->reap_head + pt->reap_n) % PT_REAPQ] = i;
	pt->reap_ktime[(pt->reap_head + pt->reap_n) % PT_REAPQ] = ev->ktime;
	pt->reap_n++;
	return i;
}

static uint32_t ev_other(struct proctable *pt, struct osp_event *ev, uint32_t tgid, uint64_t start)
{
	uint32_t i = proctable_find(pt, tgid, start, false);

	if (i != NIL)
		return i;
	pt->st.misses++;
	i = proctable_load_proc(pt, tgid, start, false, NIL, NIL);
	if (i == NIL)
		return proctable_entry_from_event(pt, ev, tgid, start);
	proctable_load_ancestors(pt, i);
	return i;
}

/* Removes the oldest exited entry (if still dead); its children go to the nearest pid-namespace
 * init above it (what the kernel does, short of child subreapers, which we cannot see). */
void proctable_reap_front(struct proctable *pt)
{
	uint32_t i = pt->reapq[pt->reap_head], r, a;
	int d;

	pt->reap_head = (pt->reap_head + 1) % PT_REAPQ;
	pt->reap_n--;
	if (pt->e[i].state != PT_DEAD)
		return;
	r = NIL;
	for (a = proctable_resolve_parent(pt, i), d = 0; a != NIL && d < PT_WALK_MAX;
	     a = proctable_resolve_parent(pt, a), d++) {
		if (pt->e[a].p.vpid == 1) {
			r = a;
			break;
		}
	}
	if (r == NIL)
		r = proctable_find(pt, 1, 0, false);
	if (r == i)
		r = NIL;
	while (pt->e[i].child != NIL) {
		uint32_t c = pt->e[i].child;

		proctable_tree_unlink(pt, c);
		if (r != NIL) {
			pt->e[c].p.ppid = pt->e[r].p.tgid;
			pt->e[c].p.parent_start_time = pt->e[r].p.start_time;
			pt->e[c].papprox = pt->e[r].approx;
			proctable_tree_link(pt, c, r);
		} else {
			pt->e[c].p.ppid = 1;
			pt->e[c].p.parent_start_time = 0;
		}
	}
	proctable_entry_free(pt, i);
	pt->st.reaped++;
}

void proctable_apply(struct proctable *pt, struct osp_event *ev)
{
	uint32_t tgid = ev->proc ? ev->proc->tgid : ev->tgid, i, pi;
	uint64_t start = ev->proc ? ev->proc->start_time : 0;
	uint64_t cgid = ev->proc && ev->type != OSP_EV_EXEC ? ev->proc->cgroup_id : 0;

	pt->epoch++;
	/* events without a time (tests, replays) reap at once */
	while (pt->reap_n &&
	       (!ev->ktime || pt->reap_ktime[pt->reap_head] + PT_REAP_GRACE_NS <= ev->ktime))
		proctable_reap_front(pt);
	if (!tgid)
		tgid = ev->tgid;
	i = proctable_index_of(pt, ev->proc);
	if (i != NIL) /* already one of ours (applied twice): nothing to copy */
		goto out;
	switch (ev->type) {
	case OSP_EV_EXEC:
		i = ev->proc ? ev_exec(pt, ev) : ev_other(pt, ev, tgid, start);
		break;
	case OSP_EV_FORK:
		i = ev->proc ? ev_fork(pt, ev) : ev_other(pt, ev, tgid, start);
		break;
	case OSP_EV_EXIT:
		i = ev_exit(pt, ev, tgid, start);
		break;
	default:
		i = ev_other(pt, ev, tgid, start);
		break;
	}
	if (i == NIL) {
		struct pt_entry *f = &pt->fallback;

		memset(&f->p, 0, sizeof(f->p));
		f->p.tgid = f->p.vpid = tgid;
		f->p.start_time = start;
		f->p.loginuid = UINT32_MAX;
		f->p.flags = OSP_PF_PARTIAL;
		if (ev->proc)
			memcpy(f->p.comm, ev->proc->comm, sizeof(f->p.comm));
		f->p.comm[OSP_COMM_LEN - 1] = '\0';
		ev->proc = &f->p;
		ev->parent = NULL;
		return;
	}
	proctable_cgroup_check(pt, i, cgid);
out:
	proctable_lru_touch(pt, i);
	pi = proctable_resolve_parent(pt, i);
	if (pi != NIL)
		proctable_lru_touch(pt, pi);
	ev->proc = &pt->e[i].p;
	ev->parent = pi != NIL ? &pt->e[pi].p : NULL;
}
