#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, open_by_handle_at(): also when built without the Makefile */
#endif
#include <errno.h>
#include <string.h>

#include "proc/internal.h"
#include "proc/procfs.h"

/* ---- strings ---- */

struct osp_str *proctable_str_field(struct osp_proc *p, int k)
{
	/* order = priority when the arena is full: later ones are cut first */
	switch (k) {
	case 0:
		return &p->exepath;
	case 1:
		return &p->args;
	case 2:
		return &p->cwd;
	case 3:
		return &p->cgroup;
	case 4:
		return &p->cgroup_v1;
	default:
		return &p->filename;
	}
}

void proctable_strings_free(struct proctable *pt, struct pt_entry *e)
{
	int k;

	if (e->str_block)
		strarena_free(&pt->arena, e->str_block, e->str_order);
	e->str_block = NULL;
	e->str_order = STRARENA_NONE;
	for (k = 0; k < PT_NSTR; k++)
		*proctable_str_field(&e->p, k) = (struct osp_str){0};
}

/* Replaces e's strings with copies of src[] (absent ones stay absent). src must not point into e. */
void proctable_strings_set(struct proctable *pt, struct pt_entry *e, const struct osp_str *src)
{
	size_t total = 0, room = PT_INLINE, off = 0;
	char *dst = e->inl;
	bool cut = false;
	int k;

	proctable_strings_free(pt, e);
	for (k = 0; k < PT_NSTR; k++)
		if (src[k].p)
			total += (size_t)src[k].len + 1;
	if (total > PT_INLINE) {
		uint8_t order = strarena_order(total);
		char *b = order == STRARENA_NONE ? NULL : strarena_alloc(&pt->arena, order);

		if (b) {
			e->str_block = dst = b;
			e->str_order = order;
			room = (size_t)STRARENA_MIN << order;
		}
	}
	for (k = 0; k < PT_NSTR; k++) {
		struct osp_str *f = proctable_str_field(&e->p, k);
		size_t n = src[k].len;

		if (!src[k].p)
			continue;
		if (off + n + 1 > room) {
			cut = true;
			if (off + 1 > room)
				continue;
			n = room - off - 1;
			if (k == 1) { /* args: keep whole arguments only */
				while (n > 0 && src[k].p[n - 1] != '\0')
					n--;
				e->p.flags |= OSP_F_ARGS_TRUNC;
			}
		}
		memcpy(dst + off, src[k].p, n);
		dst[off + n] = '\0';
		f->p = dst + off;
		f->len = (uint32_t)n;
		off += n + 1;
	}
	if (cut) {
		uint32_t i, argc = 0;

		for (i = 0; i < e->p.args.len; i++)
			argc += e->p.args.p[i] == '\0';
		if (e->p.args.len && e->p.args.p[e->p.args.len - 1] != '\0')
			argc++;
		e->p.argc = argc;
		e->p.flags |= OSP_PF_STR_TRUNC;
		pt->st.str_trunc++;
	}
}

void proctable_strings_copy(struct proctable *pt, struct pt_entry *e, const struct osp_proc *from)
{
	struct osp_str src[PT_NSTR];
	int k;

	for (k = 0; k < PT_NSTR; k++)
		src[k] = *proctable_str_field((struct osp_proc *)from, k);
	proctable_strings_set(pt, e, src);
}

/* ---- lookups ---- */

static uint32_t bucket(const struct proctable *pt, uint32_t tgid)
{
	return (tgid * 2654435761u) & (pt->nbuckets - 1);
}

bool proctable_start_match(const struct proctable *pt, uint64_t a, bool a_approx, uint64_t b,
			   bool b_approx)
{
	if (a == b)
		return true;
	if (!a_approx && !b_approx)
		return false;
	return a / pt->tick_ns == b / pt->tick_ns;
}

/* Index of (tgid, start) or NIL. start 0 = any (the newest). approx: start has tick granularity. */
uint32_t proctable_find(const struct proctable *pt, uint32_t tgid, uint64_t start, bool approx)
{
	uint32_t i;

	for (i = pt->buckets[bucket(pt, tgid)]; i != NIL; i = pt->e[i].hnext) {
		const struct pt_entry *e = &pt->e[i];

		if (e->p.tgid != tgid)
			continue;
		if (!start || proctable_start_match(pt, start, approx, e->p.start_time, e->approx))
			return i;
	}
	return NIL;
}

/* Index of the entry p is embedded in, or NIL when p is not one of this table's entries. */
uint32_t proctable_index_of(const struct proctable *pt, const struct osp_proc *p)
{
	uintptr_t a = (uintptr_t)p, base = (uintptr_t)pt->e;
	size_t i;

	if (!p || a < base || a >= base + (uintptr_t)pt->cap * sizeof(struct pt_entry))
		return NIL;
	i = (a - base) / sizeof(struct pt_entry);
	if (&pt->e[i].p != p || pt->e[i].state == PT_FREE)
		return NIL;
	return (uint32_t)i;
}

/* ---- lists ---- */

static void lru_del(struct proctable *pt, uint32_t i)
{
	struct pt_entry *e = &pt->e[i];

	if (e->lru_prev != NIL)
		pt->e[e->lru_prev].lru_next = e->lru_next;
	else
		pt->lru_head = e->lru_next;
	if (e->lru_next != NIL)
		pt->e[e->lru_next].lru_prev = e->lru_prev;
	else
		pt->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NIL;
}

static void lru_push(struct proctable *pt, uint32_t i)
{
	struct pt_entry *e = &pt->e[i];

	e->lru_prev = NIL;
	e->lru_next = pt->lru_head;
	if (pt->lru_head != NIL)
		pt->e[pt->lru_head].lru_prev = i;
	else
		pt->lru_tail = i;
	pt->lru_head = i;
}

void proctable_lru_touch(struct proctable *pt, uint32_t i)
{
	if (pt->lru_head == i)
		return;
	lru_del(pt, i);
	lru_push(pt, i);
}

void proctable_tree_unlink(struct proctable *pt, uint32_t i)
{
	struct pt_entry *e = &pt->e[i];

	if (e->parent == NIL)
		return;
	if (e->sib_prev != NIL)
		pt->e[e->sib_prev].sib_next = e->sib_next;
	else
		pt->e[e->parent].child = e->sib_next;
	if (e->sib_next != NIL)
		pt->e[e->sib_next].sib_prev = e->sib_prev;
	e->parent = e->sib_prev = e->sib_next = NIL;
}

void proctable_tree_link(struct proctable *pt, uint32_t i, uint32_t parent)
{
	struct pt_entry *e = &pt->e[i], *p = &pt->e[parent];

	proctable_tree_unlink(pt, i);
	if (parent == i)
		return;
	e->parent = parent;
	e->sib_prev = NIL;
	e->sib_next = p->child;
	if (p->child != NIL)
		pt->e[p->child].sib_prev = i;
	p->child = i;
}

/* Parent index of i, linking it when it is in the table but not linked yet. NIL when unknown. */
uint32_t proctable_resolve_parent(struct proctable *pt, uint32_t i)
{
	struct pt_entry *e = &pt->e[i];
	uint32_t pi;

	if (e->parent != NIL)
		return e->parent;
	if (!e->p.ppid)
		return NIL;
	pi = proctable_find(pt, e->p.ppid, e->p.parent_start_time, e->papprox);
	if (pi == NIL || pi == i)
		return NIL;
	if (!e->p.parent_start_time) {
		e->p.parent_start_time = pt->e[pi].p.start_time;
		e->papprox = pt->e[pi].approx;
	}
	proctable_tree_link(pt, i, pi);
	return pi;
}

/* Points i at (ppid, pstart) as its parent, relinking when that changed. */
void proctable_set_parent(struct proctable *pt, uint32_t i, uint32_t ppid, uint64_t pstart,
			  bool approx)
{
	struct pt_entry *e = &pt->e[i];

	if (e->p.ppid != ppid || e->p.parent_start_time != pstart || e->parent == NIL) {
		proctable_tree_unlink(pt, i);
		e->p.ppid = ppid;
		e->p.parent_start_time = pstart;
		e->papprox = approx;
	}
	proctable_resolve_parent(pt, i);
}

/* ---- entry life ---- */

void proctable_entry_free(struct proctable *pt, uint32_t i)
{
	struct pt_entry *e = &pt->e[i];
	uint32_t *pp = &pt->buckets[bucket(pt, e->p.tgid)];

	while (*pp != NIL && *pp != i)
		pp = &pt->e[*pp].hnext;
	if (*pp == i)
		*pp = e->hnext;
	lru_del(pt, i);
	proctable_tree_unlink(pt, i);
	while (e->child != NIL)
		proctable_tree_unlink(pt, e->child);
	proctable_strings_free(pt, e);
	e->state = PT_FREE;
	e->hnext = pt->free_head;
	pt->free_head = i;
	pt->nlive--;
}

/* An LRU victim other than keep_a/keep_b, preferring one without children (ancestors are what the
 * table is for). NIL only when nothing else is left. */
static uint32_t pick_victim(const struct proctable *pt, uint32_t keep_a, uint32_t keep_b)
{
	uint32_t i, first = NIL;
	int n = 0;

	for (i = pt->lru_tail; i != NIL; i = pt->e[i].lru_prev) {
		if (i == keep_a || i == keep_b)
			continue;
		if (pt->e[i].child == NIL)
			return i;
		if (first == NIL)
			first = i;
		if (++n >= PT_EVICT_SCAN)
			break;
	}
	return first;
}

/* A new live entry for (tgid, start), evicting if full (never keep_a/keep_b). Drops any older
 * entry for tgid with another start time: that pid was reused, its exit was missed. */
uint32_t proctable_entry_new(struct proctable *pt, uint32_t tgid, uint64_t start, bool approx,
			     uint32_t keep_a, uint32_t keep_b)
{
	struct pt_entry *e;
	uint32_t i, h;

	for (i = pt->buckets[bucket(pt, tgid)]; i != NIL;) {
		uint32_t next = pt->e[i].hnext;

		if (pt->e[i].p.tgid == tgid && i != keep_a && i != keep_b &&
		    !proctable_start_match(pt, start, approx, pt->e[i].p.start_time,
					   pt->e[i].approx)) {
			proctable_entry_free(pt, i);
			pt->st.stale++;
		}
		i = next;
	}
	if (pt->free_head == NIL) {
		i = pick_victim(pt, keep_a, keep_b);
		if (i == NIL)
			return NIL;
		proctable_entry_free(pt, i);
		pt->st.evicted++;
	}
	i = pt->free_head;
	e = &pt->e[i];
	pt->free_head = e->hnext;
	memset(&e->p, 0, sizeof(e->p));
	e->p.tgid = tgid;
	e->p.vpid = tgid;
	e->p.start_time = start;
	e->p.loginuid = UINT32_MAX;
	e->parent = e->child = e->sib_prev = e->sib_next = NIL;
	e->state = PT_LIVE;
	e->approx = approx;
	e->papprox = 0;
	e->str_order = STRARENA_NONE;
	e->str_block = NULL;
	e->root = ROOT_UNKNOWN;
	e->root_dev = e->root_ino = 0;
	h = bucket(pt, tgid);
	e->hnext = pt->buckets[h];
	pt->buckets[h] = i;
	lru_push(pt, i);
	pt->nlive++;
	return i;
}

void proctable_set_root(struct proctable *pt, struct pt_entry *e, uint64_t dev, uint64_t ino)
{
	e->root_dev = dev;
	e->root_ino = ino;
	e->root = pt->host_root_ok && dev == pt->host_root_dev && ino == pt->host_root_ino
		      ? ROOT_HOST
		      : ROOT_OWN;
	if (e->root == ROOT_OWN && e->p.pidns_ino && e->p.pidns_ino != pt->host_pidns) {
		uint32_t h = (e->p.pidns_ino * 2654435761u) % PT_NSROOTS;
		bool init = e->p.vpid == 1;

		/* a namespace's init keeps its slot against others' processes: it lives longest */
		if (init || !pt->nsroot[h].init) {
			pt->nsroot[h].pidns = e->p.pidns_ino;
			pt->nsroot[h].tgid = e->p.tgid;
			pt->nsroot[h].init = init;
			pt->nsroot[h].dev = dev;
			pt->nsroot[h].ino = ino;
		}
	}
}

/* Reads tgid from /proc into a new entry. start: the expected start time (0 = whatever is there).
 * Returns the index or NIL (gone, another process under that pid, unreadable). */
uint32_t proctable_load_proc(struct proctable *pt, uint32_t tgid, uint64_t start, bool start_approx,
			     uint32_t keep_a, uint32_t keep_b)
{
	struct procfs_info *in = pt->scratch;
	struct osp_str src[PT_NSTR] = {{0}};
	struct pt_entry *e;
	uint64_t pst;
	uint32_t i;

	if (procfs_read(pt->procfd, tgid, in))
		return NIL;
	if (!pt->seeding)
		pt->st.proc_reads++;
	pst = in->start_ticks * pt->tick_ns;
	if (start && !proctable_start_match(pt, start, start_approx, pst, true))
		return NIL;
	if (start && !start_approx)
		i = proctable_entry_new(pt, tgid, start, false, keep_a, keep_b);
	else
		i = proctable_entry_new(pt, tgid, pst, true, keep_a, keep_b);
	if (i == NIL)
		return NIL;
	e = &pt->e[i];
	e->p.ppid = in->ppid;
	e->p.vpid = in->vpid;
	e->p.sid = in->sid;
	e->p.pgid = in->pgid;
	e->p.vpgid = in->vpgid;
	e->p.uid = in->uid;
	e->p.gid = in->gid;
	e->p.euid = in->euid;
	e->p.egid = in->egid;
	e->p.loginuid = in->loginuid;
	e->p.tty_dev = in->tty_dev;
	e->p.pidns_ino = in->pidns_ino;
	e->p.exe_dev = in->exe_dev;
	e->p.exe_ino = in->exe_ino;
	e->p.cap_effective = in->cap_effective;
	e->p.cap_permitted = in->cap_permitted;
	e->p.flags = in->flags | OSP_PF_SEEDED | (in->exe_writable ? OSP_PF_EXE_WRITABLE : 0);
	e->p.argc = in->argc;
	memcpy(e->p.comm, in->comm, sizeof(e->p.comm));
	if (in->has_exe)
		src[0] = (struct osp_str){in->exepath, in->exepath_len};
	if (in->has_args)
		src[1] = (struct osp_str){in->args, in->args_len};
	if (in->has_cwd)
		src[2] = (struct osp_str){in->cwd, in->cwd_len};
	if (in->has_cgroup)
		src[3] = (struct osp_str){in->cgroup, in->cgroup_len};
	if (in->has_cgroup_v1)
		src[4] = (struct osp_str){in->cgroup_v1, in->cgroup_v1_len};
	proctable_strings_set(pt, e, src);
	if (in->has_cgroup)
		e->p.cgroup_id = proctable_cgroup_id_of(pt, in->cgroup);
	if (in->has_root)
		proctable_set_root(pt, e, in->root_dev, in->root_ino);
	return i;
}

/* Reads the missing ancestors of i from /proc, up to PT_LOAD_DEPTH of them. */
void proctable_load_ancestors(struct proctable *pt, uint32_t i)
{
	uint32_t self = i;
	int d;

	for (d = 0; d < PT_LOAD_DEPTH; d++) {
		struct pt_entry *c = &pt->e[i];
		uint32_t pi;

		if (!c->p.ppid || c->p.ppid == c->p.tgid)
			break;
		pi = proctable_resolve_parent(pt, i);
		if (pi == NIL) {
			pi = proctable_load_proc(pt, c->p.ppid, c->p.parent_start_time, c->papprox,
						 self, i);
			if (pi == NIL || pt->e[i].state == PT_FREE)
				break;
			proctable_resolve_parent(pt, i);
		}
		i = pi;
	}
}

/* A bare entry from what the event itself says (process gone from /proc, or no /proc). */
uint32_t proctable_entry_from_event(struct proctable *pt, const struct osp_event *ev, uint32_t tgid,
				    uint64_t start)
{
	const struct osp_proc *src = ev->proc;
	struct pt_entry *e;
	uint32_t i = proctable_entry_new(pt, tgid, start, false, NIL, NIL);

	if (i == NIL)
		return NIL;
	e = &pt->e[i];
	e->p.flags = OSP_PF_PARTIAL;
	if (src) {
		memcpy(e->p.comm, src->comm, sizeof(e->p.comm));
		e->p.comm[OSP_COMM_LEN - 1] = '\0';
		e->p.cgroup_id = src->cgroup_id;
		e->p.uid = e->p.euid = src->uid;
		e->p.ppid = src->ppid;
		e->p.parent_start_time = src->parent_start_time;
	}
	return i;
}
