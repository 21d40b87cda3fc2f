/* Process table: every live process, keyed by (tgid, start time), with its ancestry.
 *
 * Contract between proc/ (which implements it), the event loop (which feeds it events) and fields.c
 * (which reads ancestors). Seeded from /proc at start, then kept by exec, fork and exit events.
 * Bounded: when full, the oldest exited-or-least-recently-seen entry is evicted and counted.
 */
#ifndef OSP_PROCTABLE_H
#define OSP_PROCTABLE_H

#include <stdint.h>

#include "event.h"

struct proctable;

struct proctable_stats {
	uint64_t entries;
	uint64_t capacity;
	uint64_t evicted;     /* entries dropped because the table was full */
	uint64_t seeded;      /* entries read from /proc at start */
	uint64_t misses;      /* events for a process the table did not know */
};

/* Returns a new table holding at most max_entries processes, or NULL with errno set.
 * host_root is the host's "/" as seen by the agent ("/" or e.g. "/host"). Free with proctable_free(). */
struct proctable *proctable_new(uint32_t max_entries, const char *host_root);
void proctable_free(struct proctable *pt);

/* Reads every process under <host_root>/proc into the table. Returns the number read, or -errno. */
int proctable_seed(struct proctable *pt);

/* Applies one decoded event to the table and points ev->proc / ev->parent at the table's entries
 * (for an open event, at the entry of the opening process, creating it from /proc if unknown).
 * After this call ev->proc is never NULL. Does not allocate once the table is warm. */
void proctable_apply(struct proctable *pt, struct osp_event *ev);

/* The n-th ancestor of ev's process: 1 = parent, 2 = grandparent ...; NULL when unknown or past init. */
const struct osp_proc *proctable_ancestor(const struct proctable *pt, const struct osp_event *ev,
					  unsigned int n);

/* User and group names for ev's process: from the container's /etc/passwd and /etc/group (through
 * /proc/PID/root) for a containerised process, else the host's. Cached. NULL when unknown. */
const char *proctable_user_name(struct proctable *pt, const struct osp_event *ev, uint32_t uid);
const char *proctable_group_name(struct proctable *pt, const struct osp_event *ev, uint32_t gid);

void proctable_get_stats(const struct proctable *pt, struct proctable_stats *out);

#endif
