/* Process table: every live process, keyed by (tgid, start time), with its ancestry.
 *
 * Contract between proc/ (which implements it), the event loop (which feeds it events) and
 * agent/fields/ (which reads ancestors). Seeded from /proc at start, then kept by exec, fork and exit events.
 * Bounded: when full, the oldest exited-or-least-recently-seen entry is evicted and counted.
 * Not thread-safe: the event loop owns the table and makes every call. See docs/process-table.md.
 */
#ifndef OSP_PROCTABLE_H
#define OSP_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct proctable;

struct proctable_stats {
	uint64_t entries;
	uint64_t capacity;
	uint64_t evicted;    /* entries dropped because the table was full */
	uint64_t seeded;     /* entries read from /proc at start */
	uint64_t misses;     /* events for a process the table did not know */
	uint64_t reaped;     /* entries removed after their exit event */
	uint64_t stale;	     /* entries dropped because their pid came back with a new start time */
	uint64_t proc_reads; /* processes read from /proc after the seed (first sightings) */
	uint64_t str_trunc;  /* entries whose strings were shortened: string arena full */
	uint64_t cgroup_reads; /* /proc/PID/cgroup reads because an event's cgroup id changed */
	uint64_t cgroup_by_id; /* of those, the process was gone: path found from the id */
	uint64_t cgroup_read_fails; /* process and cgroup both gone: the old paths were kept */
	uint64_t arena_bytes;	    /* string arena size */
	uint64_t arena_used;	    /* bytes of it in use */
	uint64_t mem_bytes;	    /* upper bound of the table's memory, everything included */
};

/* Returns a new table holding at most max_entries processes, or NULL with errno set.
 * host_root is the host's "/" as seen by the agent ("/" or e.g. "/host"). Free with proctable_free(). */
struct proctable *proctable_new(uint32_t max_entries, const char *host_root);

/* As proctable_new(), with the string arena's size chosen (0 = default, PROCTABLE_ARENA_PER_ENTRY bytes
 * per entry). Strings that fit neither an entry's inline buffer nor the arena are shortened and counted
 * (stats.str_trunc), never allocated. max_entries must be at least 2. */
#define PROCTABLE_ARENA_PER_ENTRY 1024
struct proctable *proctable_new_sized(uint32_t max_entries, size_t arena_bytes,
				      const char *host_root);

/* Frees the table and everything it owns. NULL is accepted. */
void proctable_free(struct proctable *pt);

/* Reads every process under <host_root>/proc into the table. Returns the number read, or -errno. */
int proctable_seed(struct proctable *pt);

/* Applies one decoded event to the table and points ev->proc / ev->parent at the table's entries
 * (for an open event, at the entry of the opening process, creating it from /proc if unknown).
 * After this call ev->proc is never NULL. Does not allocate once the table is warm.
 *
 * Input: the process key is (ev->proc->tgid, ev->proc->start_time) when the decoder sets ev->proc
 * (it must for exec, fork and exit; for open it may leave ev->proc NULL, and then ev->tgid is used
 * with "any start time"). Exec: ev->proc is everything the exec captured, copied into the entry.
 * Fork: ev->proc is the child (tgid, ppid, start_time, parent_start_time, comm, cgroup_id, uid); the
 * child inherits the rest (exe, args, cwd, ...) from its parent until it execs, as in Falco. Exit: the
 * entry is flagged OSP_PF_DEAD and stays readable (and findable, as the parent named by a late child's
 * record) until a call whose event is 100 ms (ev->ktime) younger, or when 256 exits are pending (an
 * event with ktime 0 removes every pending one); it is then removed and its children handed to the
 * nearest pid-namespace init among its ancestors (pid 1 on the host).
 *
 * Cgroup moves: a fork or open record whose ev->proc->cgroup_id differs from the entry's means the
 * process changed cgroups since its paths were known (a runtime moving its child into a container
 * before exec: runc init, docker exec, ctr task exec, nsenter). The entry then takes the new id and
 * its cgroup paths are read again from /proc/PID/cgroup: one read per change, counted in
 * stats.cgroup_reads. When the process is already gone (a 1 ms process, read after the fact) the
 * v2 path is found from the id itself (open_by_handle_at on the v2 hierarchy; stats.cgroup_by_id;
 * the v1 path is then unknown); when the cgroup is gone too the old paths stay
 * (stats.cgroup_read_fails).
 * Exec records carry the paths themselves; exit records carry no cgroup id.
 *
 * Lifetime: the entries and strings ev->proc, ev->parent, proctable_ancestor(), proctable_lookup()
 * and proctable_session_leader() point to stay valid until the next proctable_apply() or
 * proctable_seed(). */
void proctable_apply(struct proctable *pt, struct osp_event *ev);

/* The n-th ancestor of ev's process: 1 = parent, 2 = grandparent ...; NULL when unknown or past init.
 * The walk is kept for the event (up to OSP_ANCESTORS_MAX), so that asking n = 1, 2, 3 ... in turn
 * (proc.aname without an index: any ancestor) costs one walk, not one per n. */
const struct osp_proc *proctable_ancestor(struct proctable *pt, const struct osp_event *ev,
					  unsigned int n);

/* User and group names for ev's process: from the container's /etc/passwd and /etc/group (through
 * /proc/PID/root) for a containerised process, else the host's. Cached: a name not cached (or whose
 * cache entry expired) is read from the file here, so these run at enrichment, never during rule
 * evaluation (the field extractors read the cache only: proctable_*_name_cached()). NULL when
 * unknown.
 *
 * "Containerised" means: the process's "/" (stat of /proc/PID/root, taken at seed/exec and inherited
 * at fork) is not the host's "/" (stat of <host_root>/proc/1/root). That is exactly the question of
 * which /etc/passwd the process sees, so it also covers chroots and --pid=host containers. When the
 * root could not be read (the process was gone), a pid namespace other than pid 1's counts as
 * "container, root unknown" (NULL) and the same one as the host's. Files are opened with
 * RESOLVE_IN_ROOT (a container's symlinks cannot lead outside it), must be regular and at most
 * 16 MiB. The returned string stays valid until the next proctable_apply(). Also serves
 * user.loginname (pass ev->proc->loginuid; 4294967295 gives NULL). */
const char *proctable_user_name(struct proctable *pt, const struct osp_event *ev, uint32_t uid);
const char *proctable_group_name(struct proctable *pt, const struct osp_event *ev, uint32_t gid);

/* The enrichment step for names: looks up the names of ev's process's uid, gid and loginuid
 * (user.name, group.name, user.loginname) as proctable_user_name() and proctable_group_name() do,
 * so that the cache holds them while ev is processed. The event loop calls it after
 * proctable_apply() when a rule or an output will read a name. NULL pt or ev->proc is a no-op. */
void proctable_resolve_names(struct proctable *pt, const struct osp_event *ev);

/* The names of ev's process from the cache only: never any I/O (what rule evaluation reads). NULL
 * when not cached, unknown, or id is 4294967295. Valid until the next proctable_apply(). */
const char *proctable_user_name_cached(struct proctable *pt, const struct osp_event *ev,
				       uint32_t uid);
const char *proctable_group_name_cached(struct proctable *pt, const struct osp_event *ev,
					uint32_t gid);

/* Fills *out with the counters and sizes above. */
void proctable_get_stats(const struct proctable *pt, struct proctable_stats *out);

/* The table's entry for (tgid, start_time), or NULL. start_time 0 matches any start time (the newest
 * entry for tgid); a seeded entry matches any start_time in the same clock tick. */
const struct osp_proc *proctable_lookup(const struct proctable *pt, uint32_t tgid,
					uint64_t start_time);

/* Parent of p (an entry of this table, or any osp_proc with ppid/parent_start_time set), or NULL. */
const struct osp_proc *proctable_parent(const struct proctable *pt, const struct osp_proc *p);

/* Falco's session leader of ev's process (for proc.sname): the eldest consecutive ancestor sharing its
 * session id, stopping at the one whose tgid is the session id. ev's own process when no ancestor
 * shares it; NULL only when ev->proc is NULL. */
const struct osp_proc *proctable_session_leader(const struct proctable *pt,
						const struct osp_event *ev);

#endif
