/* Process table: see proctable.h and docs/process-table.md.
 *
 * Layout: one array of cap entries taken at proctable_new(), never resized. Each entry sits on
 *   - a hash chain keyed by tgid (all start times of one tgid share a chain; newest first),
 *   - the LRU list (touched by every event of the process and of its children),
 *   - the process tree (parent index, first child, siblings) used for ancestry and reparenting,
 * or on the free list. An entry's strings (exepath, args, cwd, cgroup, cgroup_v1, filename) are
 * packed in one place: the entry's inline buffer when they fit, else one block of the string arena
 * (strarena.c), returned on eviction, exec and exit. Nothing here calls malloc after proctable_new()
 * except proctable_seed() (opendir) and name lookups (usercache.c, stdio).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, fgetpwent_r(): also when built without the Makefile */
#endif
#include "proc/proctable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "proc/procfs.h"
#include "proc/strarena.h"
#include "proc/usercache.h"

#define NIL UINT32_MAX
#define PT_INLINE 384	 /* inline string bytes per entry */
#define PT_EVICT_SCAN 8	 /* LRU tail entries looked at for a victim without children */
#define PT_LOAD_DEPTH 64 /* ancestors read from /proc for one unknown process */
#define PT_WALK_MAX 4096 /* bound on any walk up the tree (a corrupt /proc could loop) */
#define PT_NSTR 6
#define PT_REAPQ 256 /* exited entries kept readable for late records naming them */
#define PT_REAP_GRACE_NS (100ull * 1000 * 1000)
#define PT_NSROOTS 1024 /* pid namespaces whose "/" is remembered (one slot per hash) */

enum { PT_FREE = 0, PT_LIVE, PT_DEAD };
enum { ROOT_UNKNOWN = 0, ROOT_HOST, ROOT_OWN };

struct pt_entry {
	struct osp_proc p; /* first: an entry is found back from &p */
	uint32_t hnext;	   /* hash chain, or free list */
	uint32_t lru_prev, lru_next;
	uint32_t parent, child, sib_prev, sib_next;
	uint8_t state;
	uint8_t approx;	   /* start_time known to a clock tick only (read from /proc) */
	uint8_t papprox;   /* parent_start_time known to a tick only, or 0 = not known */
	uint8_t str_order; /* order of str_block, STRARENA_NONE when strings are inline */
	uint8_t root;	   /* ROOT_* */
	char *str_block;
	uint64_t root_dev, root_ino;
	char inl[PT_INLINE];
};

struct proctable {
	struct pt_entry *e;
	uint32_t cap, nbuckets, *buckets;
	uint32_t free_head, lru_head, lru_tail, nlive;
	/* Exited entries, oldest first, removed PT_REAP_GRACE_NS of event time after their exit: a
	 * parent's exit record can come before its child's exec record that still names it (the
	 * kernel reparents children after the exit tracepoint; runc exec --detach does exactly that). */
	uint32_t reapq[PT_REAPQ];
	uint64_t reap_ktime[PT_REAPQ];
	uint32_t reap_head, reap_n;
	uint64_t tick_ns;
	uint64_t epoch;
	int procfd;
	int cgfd;		/* the cgroup v2 hierarchy under host_root (O_PATH), or -1 */
	uint32_t cg_prefix_len; /* bytes of cgfd's own path in /proc/self/fd/N links */
	bool seeding;
	bool host_root_ok;
	uint64_t host_root_dev, host_root_ino;
	uint32_t host_pidns;
	/* The "/" of a process seen in each container pid namespace (its init preferred): the root
	 * of a process gone before its own could be read (a 1 ms exec) is its namespace's. */
	struct {
		uint32_t pidns, tgid;
		bool init;
		uint64_t dev, ino;
	} nsroot[PT_NSROOTS];
	char *host_root;
	struct strarena arena;
	struct usercache *users;
	struct procfs_info *scratch;
	struct pt_entry
	    fallback; /* ev->proc if no entry could be had (cannot happen with cap >= 4) */
	struct proctable_stats st;
	char path[64 + 4096];
};

/* ---- strings ---- */

static struct osp_str *str_field(struct osp_proc *p, int k)
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

static void strings_free(struct proctable *pt, struct pt_entry *e)
{
	int k;

	if (e->str_block)
		strarena_free(&pt->arena, e->str_block, e->str_order);
	e->str_block = NULL;
	e->str_order = STRARENA_NONE;
	for (k = 0; k < PT_NSTR; k++)
		*str_field(&e->p, k) = (struct osp_str){0};
}

/* Replaces e's strings with copies of src[] (absent ones stay absent). src must not point into e. */
static void strings_set(struct proctable *pt, struct pt_entry *e, const struct osp_str *src)
{
	size_t total = 0, room = PT_INLINE, off = 0;
	char *dst = e->inl;
	bool cut = false;
	int k;

	strings_free(pt, e);
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
		struct osp_str *f = str_field(&e->p, k);
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

static void strings_copy(struct proctable *pt, struct pt_entry *e, const struct osp_proc *from)
{
	struct osp_str src[PT_NSTR];
	int k;

	for (k = 0; k < PT_NSTR; k++)
		src[k] = *str_field((struct osp_proc *)from, k);
	strings_set(pt, e, src);
}

/* ---- lookups ---- */

static uint32_t bucket(const struct proctable *pt, uint32_t tgid)
{
	return (tgid * 2654435761u) & (pt->nbuckets - 1);
}

static bool start_match(const struct proctable *pt, uint64_t a, bool a_approx, uint64_t b,
			bool b_approx)
{
	if (a == b)
		return true;
	if (!a_approx && !b_approx)
		return false;
	return a / pt->tick_ns == b / pt->tick_ns;
}

/* Index of (tgid, start) or NIL. start 0 = any (the newest). approx: start has tick granularity. */
static uint32_t find(const struct proctable *pt, uint32_t tgid, uint64_t start, bool approx)
{
	uint32_t i;

	for (i = pt->buckets[bucket(pt, tgid)]; i != NIL; i = pt->e[i].hnext) {
		const struct pt_entry *e = &pt->e[i];

		if (e->p.tgid != tgid)
			continue;
		if (!start || start_match(pt, start, approx, e->p.start_time, e->approx))
			return i;
	}
	return NIL;
}

/* Index of the entry p is embedded in, or NIL when p is not one of this table's entries. */
static uint32_t index_of(const struct proctable *pt, const struct osp_proc *p)
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

static void lru_touch(struct proctable *pt, uint32_t i)
{
	if (pt->lru_head == i)
		return;
	lru_del(pt, i);
	lru_push(pt, i);
}

static void tree_unlink(struct proctable *pt, uint32_t i)
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

static void tree_link(struct proctable *pt, uint32_t i, uint32_t parent)
{
	struct pt_entry *e = &pt->e[i], *p = &pt->e[parent];

	tree_unlink(pt, i);
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
static uint32_t resolve_parent(struct proctable *pt, uint32_t i)
{
	struct pt_entry *e = &pt->e[i];
	uint32_t pi;

	if (e->parent != NIL)
		return e->parent;
	if (!e->p.ppid)
		return NIL;
	pi = find(pt, e->p.ppid, e->p.parent_start_time, e->papprox);
	if (pi == NIL || pi == i)
		return NIL;
	if (!e->p.parent_start_time) {
		e->p.parent_start_time = pt->e[pi].p.start_time;
		e->papprox = pt->e[pi].approx;
	}
	tree_link(pt, i, pi);
	return pi;
}

/* Points i at (ppid, pstart) as its parent, relinking when that changed. */
static void set_parent(struct proctable *pt, uint32_t i, uint32_t ppid, uint64_t pstart,
		       bool approx)
{
	struct pt_entry *e = &pt->e[i];

	if (e->p.ppid != ppid || e->p.parent_start_time != pstart || e->parent == NIL) {
		tree_unlink(pt, i);
		e->p.ppid = ppid;
		e->p.parent_start_time = pstart;
		e->papprox = approx;
	}
	resolve_parent(pt, i);
}

/* ---- entry life ---- */

static void entry_free(struct proctable *pt, uint32_t i)
{
	struct pt_entry *e = &pt->e[i];
	uint32_t *pp = &pt->buckets[bucket(pt, e->p.tgid)];

	while (*pp != NIL && *pp != i)
		pp = &pt->e[*pp].hnext;
	if (*pp == i)
		*pp = e->hnext;
	lru_del(pt, i);
	tree_unlink(pt, i);
	while (e->child != NIL)
		tree_unlink(pt, e->child);
	strings_free(pt, e);
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
static uint32_t entry_new(struct proctable *pt, uint32_t tgid, uint64_t start, bool approx,
			  uint32_t keep_a, uint32_t keep_b)
{
	struct pt_entry *e;
	uint32_t i, h;

	for (i = pt->buckets[bucket(pt, tgid)]; i != NIL;) {
		uint32_t next = pt->e[i].hnext;

		if (pt->e[i].p.tgid == tgid && i != keep_a && i != keep_b &&
		    !start_match(pt, start, approx, pt->e[i].p.start_time, pt->e[i].approx)) {
			entry_free(pt, i);
			pt->st.stale++;
		}
		i = next;
	}
	if (pt->free_head == NIL) {
		i = pick_victim(pt, keep_a, keep_b);
		if (i == NIL)
			return NIL;
		entry_free(pt, i);
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

static void set_root(struct proctable *pt, struct pt_entry *e, uint64_t dev, uint64_t ino)
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

/* The cgroup v2 id of path (a "0::" path from /proc/PID/cgroup): the inode number of its directory in
 * the v2 hierarchy, which is the id bpf_get_current_cgroup_id() reports. 0 when unknown. */
static uint64_t cgroup_id_of(const struct proctable *pt, const char *path)
{
	struct stat st;

	if (pt->cgfd < 0 || !path || path[0] != '/')
		return 0;
	while (*path == '/')
		path++;
	if (fstatat(pt->cgfd, *path ? path : ".", &st, 0))
		return 0;
	return st.st_ino;
}

/* Replaces e's two cgroup strings with in's, keeping its other strings. */
static void strings_set_cgroups(struct proctable *pt, struct pt_entry *e,
				const struct procfs_info *in)
{
	struct osp_str src[PT_NSTR];
	char inl[PT_INLINE], *old = e->str_block;
	uint8_t old_order = e->str_order;
	int k;

	for (k = 0; k < PT_NSTR; k++) {
		src[k] = *str_field(&e->p, k);
		/* strings_set() writes the inline buffer it would read from: read a copy instead */
		if (!old && src[k].p)
			src[k].p = inl + (src[k].p - e->inl);
	}
	if (old) { /* keep the old block until the strings are copied out of it */
		e->str_block = NULL;
		e->str_order = STRARENA_NONE;
	} else {
		memcpy(inl, e->inl, sizeof(inl));
	}
	src[3] =
	    in->has_cgroup ? (struct osp_str){in->cgroup, in->cgroup_len} : (struct osp_str){0};
	src[4] = in->has_cgroup_v1 ? (struct osp_str){in->cgroup_v1, in->cgroup_v1_len}
				   : (struct osp_str){0};
	strings_set(pt, e, src);
	if (old)
		strarena_free(&pt->arena, old, old_order);
}

/* The v2 path of cgroup cgid, from the id alone (the process may be gone, its cgroup is not): a
 * kernfs file handle of the id, opened on the v2 hierarchy, and the link of that fd. Fills
 * in->cgroup and clears the v1 path (an id says nothing of it). Returns 0 or -errno. */
static int cgroup_path_of_id(struct proctable *pt, uint64_t cgid, struct procfs_info *in)
{
	union {
		struct file_handle fh;
		char raw[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char link[32];
	ssize_t n;
	int fd, err = 0;

	if (pt->cgfd < 0)
		return -ENOTSUP;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS: the 64-bit kernfs node id, the cgroup id */
	memcpy(h.fh.f_handle, &cgid, sizeof(cgid));
	fd = open_by_handle_at(pt->cgfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, pt->path, sizeof(pt->path) - 1);
	if (n < (ssize_t)pt->cg_prefix_len || (size_t)n - pt->cg_prefix_len >= sizeof(in->cgroup)) {
		err = n < 0 ? -errno : -ENAMETOOLONG;
		goto cleanup;
	}
	pt->path[n] = '\0';
	in->cgroup_len = (uint32_t)((size_t)n - pt->cg_prefix_len);
	memcpy(in->cgroup, pt->path + pt->cg_prefix_len, in->cgroup_len + 1);
	if (!in->cgroup_len) {
		in->cgroup[0] = '/';
		in->cgroup[1] = '\0';
		in->cgroup_len = 1;
	}
	in->has_cgroup = true;
	in->has_cgroup_v1 = false;
	in->cgroup_v1_len = 0;
cleanup:
	close(fd);
	return err;
}

/* An event of entry i ran in cgroup cgid (0 = the record does not say). Fork records carry no
 * cgroup path, so a process moved into another cgroup after its fork (runc's child joining the
 * container, docker exec, ctr task exec, nsenter) would keep its parent's paths until it execs:
 * when the id changes, the paths are read again from /proc/PID/cgroup, once per change. */
static void cgroup_check(struct proctable *pt, uint32_t i, uint64_t cgid)
{
	struct pt_entry *e = &pt->e[i];
	struct procfs_info *in = pt->scratch;
	uint64_t known = e->p.cgroup_id;

	if (!cgid || known == cgid)
		return;
	e->p.cgroup_id = cgid;
	if (!known) /* never known (no v2 hierarchy, or it was not readable): adopt the kernel's */
		return;
	pt->st.cgroup_reads++;
	if (procfs_read_cgroup(pt->procfd, e->p.tgid, in) ||
	    !start_match(pt, e->p.start_time, e->approx, in->start_ticks * pt->tick_ns, true)) {
		/* gone already (short-lived, or another process under that pid now): the cgroup
		 * usually still exists, and its id names it */
		memset(in, 0, offsetof(struct procfs_info, comm));
		if (cgroup_path_of_id(pt, cgid, in)) {
			pt->st.cgroup_read_fails++; /* keep what we had */
			return;
		}
		pt->st.cgroup_by_id++;
	}
	strings_set_cgroups(pt, e, in);
}

/* Reads tgid from /proc into a new entry. start: the expected start time (0 = whatever is there).
 * Returns the index or NIL (gone, another process under that pid, unreadable). */
static uint32_t load_proc(struct proctable *pt, uint32_t tgid, uint64_t start, bool start_approx,
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
	if (start && !start_match(pt, start, start_approx, pst, true))
		return NIL;
	if (start && !start_approx)
		i = entry_new(pt, tgid, start, false, keep_a, keep_b);
	else
		i = entry_new(pt, tgid, pst, true, keep_a, keep_b);
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
	strings_set(pt, e, src);
	if (in->has_cgroup)
		e->p.cgroup_id = cgroup_id_of(pt, in->cgroup);
	if (in->has_root)
		set_root(pt, e, in->root_dev, in->root_ino);
	return i;
}

/* Reads the missing ancestors of i from /proc, up to PT_LOAD_DEPTH of them. */
static void load_ancestors(struct proctable *pt, uint32_t i)
{
	uint32_t self = i;
	int d;

	for (d = 0; d < PT_LOAD_DEPTH; d++) {
		struct pt_entry *c = &pt->e[i];
		uint32_t pi;

		if (!c->p.ppid || c->p.ppid == c->p.tgid)
			break;
		pi = resolve_parent(pt, i);
		if (pi == NIL) {
			pi = load_proc(pt, c->p.ppid, c->p.parent_start_time, c->papprox, self, i);
			if (pi == NIL || pt->e[i].state == PT_FREE)
				break;
			resolve_parent(pt, i);
		}
		i = pi;
	}
}

/* A bare entry from what the event itself says (process gone from /proc, or no /proc). */
static uint32_t entry_from_event(struct proctable *pt, const struct osp_event *ev, uint32_t tgid,
				 uint64_t start)
{
	const struct osp_proc *src = ev->proc;
	struct pt_entry *e;
	uint32_t i = entry_new(pt, tgid, start, false, NIL, NIL);

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

/* ---- events ---- */

static uint32_t ev_exec(struct proctable *pt, struct osp_event *ev)
{
	const struct osp_proc *src = ev->proc;
	struct osp_str strs[PT_NSTR];
	struct procfs_exec_facts fx;
	struct pt_entry *e;
	uint32_t i, old_pidns;
	int k;

	i = find(pt, src->tgid, src->start_time, false);
	if (i == NIL) {
		pt->st.misses++;
		i = entry_new(pt, src->tgid, src->start_time, false, NIL, NIL);
		if (i == NIL)
			return NIL;
	}
	e = &pt->e[i];
	old_pidns = e->p.pidns_ino;
	tree_unlink(pt, i);
	memcpy(&e->p, src, offsetof(struct osp_proc, exepath)); /* every scalar, and comm */
	e->p.comm[OSP_COMM_LEN - 1] = '\0';
	e->p.argc = src->argc;
	e->p.flags &= ~(OSP_PF_EXE_WRITABLE | OSP_PF_SEEDED | OSP_PF_DEAD | OSP_PF_PARTIAL |
			OSP_PF_STR_TRUNC);
	e->approx = 0;
	e->papprox = 0;
	for (k = 0; k < PT_NSTR; k++)
		strs[k] = *str_field((struct osp_proc *)src, k);
	strings_set(pt, e, strs);
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
		set_root(pt, e, fx.root_dev, fx.root_ino);
	} else if (e->p.pidns_ino != old_pidns) {
		/* gone already (or a zombie), and it entered another pid namespace since its root was
		 * known (runc's child pivots into the container between fork and exec): that root is
		 * not its own; its namespace's is used (name_lookup) */
		e->root = ROOT_UNKNOWN;
	}
	/* a parent never seen (its fork lost, or it was reparented out of sight): it is alive, as
	 * it has a child; read it and its missing ancestors so the ancestry stays whole */
	if (resolve_parent(pt, i) == NIL && e->p.ppid && e->p.ppid != e->p.tgid &&
	    load_proc(pt, e->p.ppid, e->p.parent_start_time, false, i, NIL) != NIL &&
	    pt->e[i].state != PT_FREE)
		load_ancestors(pt, i);
	return i;
}

static uint32_t ev_fork(struct proctable *pt, struct osp_event *ev)
{
	const struct osp_proc *src = ev->proc;
	struct pt_entry *c;
	const struct pt_entry *par;
	uint32_t pi, ci, vpid;

	pi = find(pt, src->ppid, src->parent_start_time, false);
	if (pi == NIL && src->ppid) {
		pi = load_proc(pt, src->ppid, src->parent_start_time, false, NIL, NIL);
		if (pi != NIL)
			load_ancestors(pt, pi);
	}
	ci = find(pt, src->tgid, src->start_time, false);
	if (ci != NIL) { /* already read from /proc (seeded after the fork): /proc is newer */
		set_parent(pt, ci, src->ppid, src->parent_start_time, false);
		return ci;
	}
	if (pi == NIL) {
		pt->st.misses++;
		ci = load_proc(pt, src->tgid, src->start_time, false, NIL, NIL);
		if (ci == NIL)
			ci = entry_from_event(pt, ev, src->tgid, src->start_time);
		if (ci != NIL)
			set_parent(pt, ci, src->ppid, src->parent_start_time, false);
		return ci;
	}
	ci = entry_new(pt, src->tgid, src->start_time, false, pi, NIL);
	if (ci == NIL)
		return NIL;
	c = &pt->e[ci];
	par = &pt->e[pi];
	/* Falco: the child is its parent (exe, args, cwd, ids, ...) until it execs */
	memcpy(&c->p, &par->p, offsetof(struct osp_proc, exepath));
	c->p.argc = par->p.argc;
	c->p.flags &= ~(OSP_PF_DEAD | OSP_PF_SEEDED);
	strings_copy(pt, c, &par->p);
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
	c->p.ppid = 0; /* force set_parent() to link */
	set_parent(pt, ci, src->ppid, src->parent_start_time, false);
	return ci;
}

static void reap_front(struct proctable *pt);

static uint32_t ev_exit(struct proctable *pt, struct osp_event *ev, uint32_t tgid, uint64_t start)
{
	uint32_t i = find(pt, tgid, start, false);

	if (i == NIL) {
		pt->st.misses++;
		i = entry_from_event(pt, ev, tgid, start);
		if (i == NIL)
			return NIL;
	}
	if (pt->e[i].state == PT_DEAD) /* queued already */
		return i;
	pt->e[i].state = PT_DEAD;
	pt->e[i].p.flags |= OSP_PF_DEAD;
	if (pt->reap_n == PT_REAPQ)
		reap_front(pt);
	pt->reapq[(pt->reap_head + pt->reap_n) % PT_REAPQ] = i;
	pt->reap_ktime[(pt->reap_head + pt->reap_n) % PT_REAPQ] = ev->ktime;
	pt->reap_n++;
	return i;
}

static uint32_t ev_other(struct proctable *pt, struct osp_event *ev, uint32_t tgid, uint64_t start)
{
	uint32_t i = find(pt, tgid, start, false);

	if (i != NIL)
		return i;
	pt->st.misses++;
	i = load_proc(pt, tgid, start, false, NIL, NIL);
	if (i == NIL)
		return entry_from_event(pt, ev, tgid, start);
	load_ancestors(pt, i);
	return i;
}

/* Removes the oldest exited entry (if still dead); its children go to the nearest pid-namespace
 * init above it (what the kernel does, short of child subreapers, which we cannot see). */
static void reap_front(struct proctable *pt)
{
	uint32_t i = pt->reapq[pt->reap_head], r, a;
	int d;

	pt->reap_head = (pt->reap_head + 1) % PT_REAPQ;
	pt->reap_n--;
	if (pt->e[i].state != PT_DEAD)
		return;
	r = NIL;
	for (a = resolve_parent(pt, i), d = 0; a != NIL && d < PT_WALK_MAX;
	     a = resolve_parent(pt, a), d++) {
		if (pt->e[a].p.vpid == 1) {
			r = a;
			break;
		}
	}
	if (r == NIL)
		r = find(pt, 1, 0, false);
	if (r == i)
		r = NIL;
	while (pt->e[i].child != NIL) {
		uint32_t c = pt->e[i].child;

		tree_unlink(pt, c);
		if (r != NIL) {
			pt->e[c].p.ppid = pt->e[r].p.tgid;
			pt->e[c].p.parent_start_time = pt->e[r].p.start_time;
			pt->e[c].papprox = pt->e[r].approx;
			tree_link(pt, c, r);
		} else {
			pt->e[c].p.ppid = 1;
			pt->e[c].p.parent_start_time = 0;
		}
	}
	entry_free(pt, i);
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
		reap_front(pt);
	if (!tgid)
		tgid = ev->tgid;
	i = index_of(pt, ev->proc);
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
	cgroup_check(pt, i, cgid);
out:
	lru_touch(pt, i);
	pi = resolve_parent(pt, i);
	if (pi != NIL)
		lru_touch(pt, pi);
	ev->proc = &pt->e[i].p;
	ev->parent = pi != NIL ? &pt->e[pi].p : NULL;
}

/* ---- table ---- */

static uint32_t read_pidns(int procfd, const char *name)
{
	char buf[64];
	ssize_t n = readlinkat(procfd, name, buf, sizeof(buf) - 1);
	unsigned long long v;

	if (n <= 5)
		return 0;
	buf[n] = '\0';
	if (sscanf(buf, "pid:[%llu]", &v) != 1 || v > UINT32_MAX)
		return 0;
	return (uint32_t)v;
}

/* The cgroup v2 hierarchy under host_root: /sys/fs/cgroup (unified host) or /sys/fs/cgroup/unified
 * (hybrid host). -1 when there is none (v1-only host). */
static int open_cgroup2(const char *host_root)
{
	static const char *const where[] = {"sys/fs/cgroup", "sys/fs/cgroup/unified"};
	char path[4096];
	struct statfs sf;
	size_t k;

	for (k = 0; k < sizeof(where) / sizeof(where[0]); k++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", host_root, where[k]);
		/* not O_PATH: open_by_handle_at() refuses an O_PATH fd as its mount fd */
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!fstatfs(fd, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC)
			return fd;
		close(fd);
	}
	return -1;
}

struct proctable *proctable_new_sized(uint32_t max_entries, size_t arena_bytes,
				      const char *host_root)
{
	struct proctable *pt = NULL;
	char path[4096];
	struct stat st;
	ssize_t n;
	long hz;
	uint32_t i;
	int err;

	if (max_entries < 4 || max_entries > (1u << 24) || !host_root || !*host_root) {
		errno = EINVAL;
		return NULL;
	}
	pt = calloc(1, sizeof(*pt));
	if (!pt)
		return NULL;
	pt->procfd = -1;
	pt->cgfd = -1;
	pt->cap = max_entries;
	for (pt->nbuckets = 1; pt->nbuckets < max_entries; pt->nbuckets <<= 1)
		;
	pt->e = calloc(pt->cap, sizeof(*pt->e));
	pt->buckets = malloc(pt->nbuckets * sizeof(*pt->buckets));
	pt->scratch = malloc(sizeof(*pt->scratch));
	pt->users = usercache_new();
	pt->host_root = strdup(host_root);
	if (!pt->e || !pt->buckets || !pt->scratch || !pt->users || !pt->host_root) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (!arena_bytes)
		arena_bytes = (size_t)max_entries * PROCTABLE_ARENA_PER_ENTRY;
	err = strarena_init(&pt->arena, arena_bytes);
	if (err)
		goto cleanup;
	for (i = 0; i < pt->nbuckets; i++)
		pt->buckets[i] = NIL;
	for (i = 0; i < pt->cap; i++) {
		pt->e[i].hnext = i + 1 < pt->cap ? i + 1 : NIL;
		pt->e[i].lru_prev = pt->e[i].lru_next = NIL;
		pt->e[i].parent = pt->e[i].child = pt->e[i].sib_prev = pt->e[i].sib_next = NIL;
		pt->e[i].str_order = STRARENA_NONE;
	}
	pt->free_head = 0;
	pt->lru_head = pt->lru_tail = NIL;
	pt->epoch = 1;
	hz = sysconf(_SC_CLK_TCK);
	pt->tick_ns = hz > 0 && hz <= 1000000000 ? 1000000000ull / (uint64_t)hz : 10000000ull;
	snprintf(path, sizeof(path), "%s/proc", host_root);
	pt->procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (pt->procfd < 0) {
		err = -errno;
		goto cleanup;
	}
	/* the host's "/": pid 1's root, or host_root itself when pid 1 cannot be read */
	if (!fstatat(pt->procfd, "1/root", &st, 0) || !stat(host_root, &st)) {
		pt->host_root_ok = true;
		pt->host_root_dev = st.st_dev;
		pt->host_root_ino = st.st_ino;
	}
	pt->host_pidns = read_pidns(pt->procfd, "1/ns/pid");
	pt->cgfd = open_cgroup2(host_root);
	if (pt->cgfd >= 0) {
		snprintf(path, sizeof(path), "/proc/self/fd/%d", pt->cgfd);
		n = readlink(path, pt->path, sizeof(pt->path));
		if (n > 0 && (size_t)n < sizeof(pt->path))
			pt->cg_prefix_len = (uint32_t)(pt->path[n - 1] == '/' ? n - 1 : n);
		else
			pt->cg_prefix_len = UINT32_MAX; /* no id -> path lookups */
	}
	pt->st.capacity = pt->cap;
	pt->st.arena_bytes = pt->arena.size;
	pt->st.mem_bytes = sizeof(*pt) + (uint64_t)pt->cap * sizeof(*pt->e) +
			   (uint64_t)pt->nbuckets * sizeof(*pt->buckets) + sizeof(*pt->scratch) +
			   pt->arena.size + pt->arena.nmin + usercache_bytes() + strlen(host_root) +
			   1;
	return pt;
cleanup:
	proctable_free(pt);
	errno = -err;
	return NULL;
}

struct proctable *proctable_new(uint32_t max_entries, const char *host_root)
{
	return proctable_new_sized(max_entries, 0, host_root);
}

void proctable_free(struct proctable *pt)
{
	if (!pt)
		return;
	if (pt->procfd >= 0)
		close(pt->procfd);
	if (pt->cgfd >= 0)
		close(pt->cgfd);
	strarena_fini(&pt->arena);
	usercache_free(pt->users);
	free(pt->scratch);
	free(pt->buckets);
	free(pt->e);
	free(pt->host_root);
	free(pt);
}

int proctable_seed(struct proctable *pt)
{
	struct dirent *de;
	DIR *d;
	int fd, n = 0;
	uint32_t i;

	fd = openat(pt->procfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		int err = -errno;

		close(fd);
		return err;
	}
	while (pt->reap_n)
		reap_front(pt);
	pt->seeding = true;
	while ((de = readdir(d))) {
		char *end;
		unsigned long v;
		uint64_t ticks;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		errno = 0;
		v = strtoul(de->d_name, &end, 10);
		if (*end || errno || v > UINT32_MAX)
			continue;
		i = find(pt, (uint32_t)v, 0, false);
		if (i != NIL && !procfs_read_start(pt->procfd, (uint32_t)v, &ticks) &&
		    start_match(pt, ticks * pt->tick_ns, true, pt->e[i].p.start_time,
				pt->e[i].approx))
			continue; /* known already */
		if (load_proc(pt, (uint32_t)v, 0, false, NIL, NIL) != NIL)
			n++;
	}
	pt->seeding = false;
	closedir(d);
	for (i = pt->lru_head; i != NIL; i = pt->e[i].lru_next)
		resolve_parent(pt, i);
	pt->st.seeded += (uint64_t)n;
	return n;
}

/* ---- readers ---- */

void proctable_get_stats(const struct proctable *pt, struct proctable_stats *out)
{
	*out = pt->st;
	out->entries = pt->nlive;
	out->arena_used = pt->arena.used;
}

const struct osp_proc *proctable_lookup(const struct proctable *pt, uint32_t tgid,
					uint64_t start_time)
{
	uint32_t i = find(pt, tgid, start_time, false);

	return i == NIL ? NULL : &pt->e[i].p;
}

const struct osp_proc *proctable_parent(const struct proctable *pt, const struct osp_proc *p)
{
	uint32_t i = index_of(pt, p), pi;

	if (!p || !p->ppid)
		return NULL;
	if (i != NIL && pt->e[i].parent != NIL)
		return &pt->e[pt->e[i].parent].p;
	pi = find(pt, p->ppid, p->parent_start_time, i != NIL && pt->e[i].papprox);
	if (pi == NIL || pi == i)
		return NULL;
	return &pt->e[pi].p;
}

const struct osp_proc *proctable_ancestor(const struct proctable *pt, const struct osp_event *ev,
					  unsigned int n)
{
	const struct osp_proc *p = ev->proc;

	while (p && n-- > 0)
		p = proctable_parent(pt, p);
	return p;
}

const struct osp_proc *proctable_session_leader(const struct proctable *pt,
						const struct osp_event *ev)
{
	const struct osp_proc *p = ev->proc, *s = p, *a = p;
	int d;

	if (!p)
		return NULL;
	for (d = 0; d < PT_WALK_MAX && s->tgid != p->sid; d++) {
		a = proctable_parent(pt, a);
		if (!a || a->sid != p->sid)
			break;
		s = a;
	}
	return s;
}

static const char *name_lookup(struct proctable *pt, const struct osp_event *ev, bool group,
			       uint32_t id)
{
	const struct osp_proc *p = ev->proc;
	uint32_t i = index_of(pt, p);
	const struct pt_entry *e;
	const char *name;
	int root;

	if (!p || id == UINT32_MAX)
		return NULL;
	if (i == NIL) {
		i = find(pt, p->tgid, p->start_time, false);
		if (i == NIL)
			return NULL;
	}
	e = &pt->e[i];
	root = e->root;
	if (root == ROOT_UNKNOWN && e->p.pidns_ino && e->p.pidns_ino != pt->host_pidns) {
		/* root never read: another process of its (container) pid namespace's */
		uint32_t h = (e->p.pidns_ino * 2654435761u) % PT_NSROOTS;

		if (pt->nsroot[h].pidns != e->p.pidns_ino)
			return NULL;
		snprintf(pt->path, sizeof(pt->path), "%s/proc/%u/root", pt->host_root,
			 pt->nsroot[h].tgid);
		return usercache_lookup(pt->users, pt->path, pt->nsroot[h].dev, pt->nsroot[h].ino,
					group, id, pt->epoch);
	}
	if (root == ROOT_UNKNOWN) /* root never read: decide by pid namespace */
		root =
		    !e->p.pidns_ino || e->p.pidns_ino == pt->host_pidns ? ROOT_HOST : ROOT_UNKNOWN;
	if (root == ROOT_HOST)
		return usercache_lookup(pt->users, pt->host_root, 0, 0, group, id, pt->epoch);
	if (root != ROOT_OWN)
		return NULL;
	snprintf(pt->path, sizeof(pt->path), "%s/proc/%u/root", pt->host_root, e->p.tgid);
	name =
	    usercache_lookup(pt->users, pt->path, e->root_dev, e->root_ino, group, id, pt->epoch);
	if (!name && e->p.pidns_ino && e->p.pidns_ino != pt->host_pidns) {
		/* gone (a 1 ms process): the same "/" through a live process of its namespace */
		uint32_t h = (e->p.pidns_ino * 2654435761u) % PT_NSROOTS;

		if (pt->nsroot[h].pidns == e->p.pidns_ino && pt->nsroot[h].tgid != e->p.tgid &&
		    pt->nsroot[h].dev == e->root_dev && pt->nsroot[h].ino == e->root_ino) {
			snprintf(pt->path, sizeof(pt->path), "%s/proc/%u/root", pt->host_root,
				 pt->nsroot[h].tgid);
			name = usercache_lookup(pt->users, pt->path, e->root_dev, e->root_ino,
						group, id, pt->epoch);
		}
	}
	return name;
}

const char *proctable_user_name(struct proctable *pt, const struct osp_event *ev, uint32_t uid)
{
	return name_lookup(pt, ev, false, uid);
}

const char *proctable_group_name(struct proctable *pt, const struct osp_event *ev, uint32_t gid)
{
	return name_lookup(pt, ev, true, gid);
}

/* ---- Falco string fields ---- */

struct osp_str proctable_exe(const struct osp_proc *p)
{
	if (!p->args.p || !p->args.len)
		return (struct osp_str){0};
	return (struct osp_str){p->args.p, (uint32_t)strnlen(p->args.p, p->args.len)};
}

/* Appends n bytes of s at *pos in buf (cut to fit), always counting them. */
static void put(char *buf, size_t size, size_t *pos, const char *s, size_t n)
{
	if (*pos + 1 < size) {
		size_t room = size - 1 - *pos;

		memcpy(buf + *pos, s, n < room ? n : room);
	}
	*pos += n;
}

/* Writes argv[1..] at pos, each preceded by a space (lead) or separated by spaces (!lead). */
static size_t fmt_args(const struct osp_proc *p, char *buf, size_t size, size_t pos, bool lead)
{
	const char *a = p->args.p;
	size_t len = p->args.len, i, first;

	if (!a || !len)
		return pos;
	if (a[len - 1] == '\0')
		len--; /* the final NUL closes the last argument, it does not start another */
	first = strnlen(a, len);
	for (i = first; i < len;) {
		size_t n;

		i++; /* the NUL in front of this argument */
		n = strnlen(a + i, len - i);
		if (lead)
			put(buf, size, &pos, " ", 1);
		lead = true;
		put(buf, size, &pos, a + i, n);
		i += n;
	}
	return pos;
}

size_t proctable_fmt_args(const struct osp_proc *p, char *buf, size_t size)
{
	size_t n = fmt_args(p, buf, size, 0, false);

	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}

size_t proctable_fmt_cmdline(const struct osp_proc *p, char *buf, size_t size)
{
	size_t pos = 0, n;

	put(buf, size, &pos, p->comm, strnlen(p->comm, OSP_COMM_LEN));
	n = fmt_args(p, buf, size, pos, true);
	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}
