/* Internals of the process table, shared by its files: proctable.c (the table: creation, seed,
 * readers), entries.c (entries, their strings, the hash, LRU list and tree; reading a process from
 * /proc), events.c (exec, fork, exit and open events applied), cgroups.c (cgroup paths and ids),
 * names.c (user and group names). Not an API: include proc/proctable.h.
 *
 * Layout: one array of cap entries taken at proctable_new(), never resized. Each entry sits on
 *   - a hash chain keyed by tgid (all start times of one tgid share a chain; newest first),
 *   - the LRU list (touched by every event of the process and of its children),
 *   - the process tree (parent index, first child, siblings) used for ancestry and reparenting,
 * or on the free list. An entry's strings (exepath, args, cwd, cgroup, cgroup_v1, filename) are
 * packed in one place: the entry's inline buffer when they fit, else one block of the string arena
 * (strarena.c), returned on eviction, exec and exit. Nothing here calls malloc after proctable_new()
 * except proctable_seed() (opendir) and name lookups at enrichment (usercache.c, stdio).
 */
#ifndef OSP_PROC_INTERNAL_H
#define OSP_PROC_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "proc/proctable.h"
#include "proc/strarena.h"

struct procfs_info;
struct usercache;

#define NIL UINT32_MAX
#define PT_INLINE 384	/* inline string bytes per entry */
#define PT_EVICT_SCAN 8 /* LRU tail entries looked at for a victim without children */
#define PT_LOAD_DEPTH OSP_ANCESTORS_MAX /* ancestors read from /proc for one unknown process */
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

/* The ancestors of the last event asked for (proctable_ancestor()), walked once: a[0] is the
 * process, a[k] its k-th ancestor; end when the walk met the root. Valid while the event, its
 * process's parent link and the table's epoch (bumped by every change) stay the same. */
struct pt_ancestry {
	const struct osp_event *ev;
	const struct osp_proc *self;
	uint64_t epoch, pstart;
	uint32_t ppid;
	unsigned int n;
	bool end;
	const struct osp_proc *a[OSP_ANCESTORS_MAX + 1];
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
	struct pt_ancestry anc;
	char path[64 + 4096];
};

struct osp_str *proctable_str_field(struct osp_proc *p, int k);
void proctable_strings_free(struct proctable *pt, struct pt_entry *e);
void proctable_strings_set(struct proctable *pt, struct pt_entry *e, const struct osp_str *src);
void proctable_strings_copy(struct proctable *pt, struct pt_entry *e, const struct osp_proc *from);
bool proctable_start_match(const struct proctable *pt, uint64_t a, bool a_approx, uint64_t b,
			   bool b_approx);
uint32_t proctable_find(const struct proctable *pt, uint32_t tgid, uint64_t start, bool approx);
uint32_t proctable_index_of(const struct proctable *pt, const struct osp_proc *p);
void proctable_lru_touch(struct proctable *pt, uint32_t i);
void proctable_tree_unlink(struct proctable *pt, uint32_t i);
void proctable_tree_link(struct proctable *pt, uint32_t i, uint32_t parent);
uint32_t proctable_resolve_parent(struct proctable *pt, uint32_t i);
void proctable_set_parent(struct proctable *pt, uint32_t i, uint32_t ppid, uint64_t pstart,
			  bool approx);
void proctable_entry_free(struct proctable *pt, uint32_t i);
uint32_t proctable_entry_new(struct proctable *pt, uint32_t tgid, uint64_t start, bool approx,
			     uint32_t keep_a, uint32_t keep_b);
void proctable_set_root(struct proctable *pt, struct pt_entry *e, uint64_t dev, uint64_t ino);
uint32_t proctable_load_proc(struct proctable *pt, uint32_t tgid, uint64_t start, bool start_approx,
			     uint32_t keep_a, uint32_t keep_b);
void proctable_load_ancestors(struct proctable *pt, uint32_t i);
uint32_t proctable_entry_from_event(struct proctable *pt, const struct osp_event *ev, uint32_t tgid,
				    uint64_t start);
void proctable_reap_front(struct proctable *pt);
uint64_t proctable_cgroup_id_of(const struct proctable *pt, const char *path);
void proctable_cgroup_check(struct proctable *pt, uint32_t i, uint64_t cgid);
int proctable_open_cgroup2(const char *host_root);

#endif
