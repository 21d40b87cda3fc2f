/* User and group names of a process (user.name, user.loginname, group.name): from the passwd and
 * group files of the process's own "/", cached (usercache.c). They are read at enrichment
 * (proctable_resolve_names(), called by the event loop before the rules or the outputs need them),
 * and the field extractors read the cache only, so rule evaluation never does I/O. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, fgetpwent_r(): also when built without the Makefile */
#endif
#include <stdio.h>

#include "proc/internal.h"
#include "proc/usercache.h"

/* Where a process's names come from: a root directory to read them in and its identity (the cache
 * key); alt_tgid, when not 0, another live process of the same pid namespace with the same "/", to
 * read through when the process itself is gone. */
struct name_root {
	bool host;
	uint32_t tgid, alt_tgid;
	uint64_t dev, ino;
};

static bool name_root(const struct proctable *pt, const struct osp_event *ev, struct name_root *r)
{
	const struct osp_proc *p = ev->proc;
	uint32_t i = proctable_index_of(pt, p), h;
	const struct pt_entry *e;
	int root;

	if (!p)
		return false;
	if (i == NIL) {
		i = proctable_find(pt, p->tgid, p->start_time, false);
		if (i == NIL)
			return false;
	}
	e = &pt->e[i];
	h = (e->p.pidns_ino * 2654435761u) % PT_NSROOTS;
	*r = (struct name_root){0};
	root = e->root;
	if (root == ROOT_UNKNOWN && e->p.pidns_ino && e->p.pidns_ino != pt->host_pidns) {
		/* root never read: another process of its (container) pid namespace's */
		if (pt->nsroot[h].pidns != e->p.pidns_ino)
			return false;
		r->tgid = pt->nsroot[h].tgid;
		r->dev = pt->nsroot[h].dev;
		r->ino = pt->nsroot[h].ino;
		return true;
	}
	if (root == ROOT_UNKNOWN) /* root never read: decide by pid namespace */
		root =
		    !e->p.pidns_ino || e->p.pidns_ino == pt->host_pidns ? ROOT_HOST : ROOT_UNKNOWN;
	if (root == ROOT_HOST) {
		r->host = true;
		return true;
	}
	if (root != ROOT_OWN)
		return false;
	r->tgid = e->p.tgid;
	r->dev = e->root_dev;
	r->ino = e->root_ino;
	/* gone (a 1 ms process): the same "/" through a live process of its namespace */
	if (e->p.pidns_ino && e->p.pidns_ino != pt->host_pidns &&
	    pt->nsroot[h].pidns == e->p.pidns_ino && pt->nsroot[h].tgid != e->p.tgid &&
	    pt->nsroot[h].dev == e->root_dev && pt->nsroot[h].ino == e->root_ino)
		r->alt_tgid = pt->nsroot[h].tgid;
	return true;
}

static const char *read_name(struct proctable *pt, const struct name_root *r, bool group,
			     uint32_t id)
{
	const char *name;

	if (r->host)
		return usercache_lookup(pt->users, pt->host_root, 0, 0, group, id, pt->epoch);
	snprintf(pt->path, sizeof(pt->path), "%s/proc/%u/root", pt->host_root, r->tgid);
	name = usercache_lookup(pt->users, pt->path, r->dev, r->ino, group, id, pt->epoch);
	if (!name && r->alt_tgid) {
		snprintf(pt->path, sizeof(pt->path), "%s/proc/%u/root", pt->host_root, r->alt_tgid);
		name = usercache_lookup(pt->users, pt->path, r->dev, r->ino, group, id, pt->epoch);
	}
	return name;
}

static const char *name_of(struct proctable *pt, const struct osp_event *ev, bool group,
			   uint32_t id, bool io)
{
	struct name_root r;

	if (id == UINT32_MAX || !name_root(pt, ev, &r))
		return NULL;
	if (io)
		return read_name(pt, &r, group, id);
	return usercache_peek(pt->users, r.host ? 0 : r.dev, r.host ? 0 : r.ino, group, id);
}

const char *proctable_user_name(struct proctable *pt, const struct osp_event *ev, uint32_t uid)
{
	return name_of(pt, ev, false, uid, true);
}

const char *proctable_group_name(struct proctable *pt, const struct osp_event *ev, uint32_t gid)
{
	return name_of(pt, ev, true, gid, true);
}

void proctable_resolve_names(struct proctable *pt, const struct osp_event *ev)
{
	const struct osp_proc *p = ev->proc;

	if (!pt || !p)
		return;
	name_of(pt, ev, false, p->uid, true);
	name_of(pt, ev, true, p->gid, true);
	if (p->loginuid != UINT32_MAX)
		name_of(pt, ev, false, p->loginuid, true);
}

const char *proctable_user_name_cached(struct proctable *pt, const struct osp_event *ev,
				       uint32_t uid)
{
	return name_of(pt, ev, false, uid, false);
}

const char *proctable_group_name_cached(struct proctable *pt, const struct osp_event *ev,
					uint32_t gid)
{
	return name_of(pt, ev, true, gid, false);
}
