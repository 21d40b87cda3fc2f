#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, open_by_handle_at(): also when built without the Makefile */
#endif
#include "proc/proctable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/internal.h"
#include "proc/procfs.h"
#include "proc/usercache.h"

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
	pt->cgfd = proctable_open_cgroup2(host_root);
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
		proctable_reap_front(pt);
	pt->epoch++; /* the table changes: what was read from it for an event is stale */
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
		i = proctable_find(pt, (uint32_t)v, 0, false);
		if (i != NIL && !procfs_read_start(pt->procfd, (uint32_t)v, &ticks) &&
		    proctable_start_match(pt, ticks * pt->tick_ns, true, pt->e[i].p.start_time,
					  pt->e[i].approx))
			continue; /* known already */
		if (proctable_load_proc(pt, (uint32_t)v, 0, false, NIL, NIL) != NIL)
			n++;
	}
	pt->seeding = false;
	closedir(d);
	for (i = pt->lru_head; i != NIL; i = pt->e[i].lru_next)
		proctable_resolve_parent(pt, i);
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
	uint32_t i = proctable_find(pt, tgid, start_time, false);

	return i == NIL ? NULL : &pt->e[i].p;
}

const struct osp_proc *proctable_parent(const struct proctable *pt, const struct osp_proc *p)
{
	uint32_t i = proctable_index_of(pt, p), pi;

	if (!p || !p->ppid)
		return NULL;
	if (i != NIL && pt->e[i].parent != NIL)
		return &pt->e[pt->e[i].parent].p;
	pi = proctable_find(pt, p->ppid, p->parent_start_time, i != NIL && pt->e[i].papprox);
	if (pi == NIL || pi == i)
		return NULL;
	return &pt->e[pi].p;
}

const struct osp_proc *proctable_ancestor(struct proctable *pt, const struct osp_event *ev,
					  unsigned int n)
{
	struct pt_ancestry *m = &pt->anc;
	const struct osp_proc *p = ev->proc;

	if (!p)
		return NULL;
	/* one walk per event: proc.a*[N] for N = 1, 2, ... and "any ancestor" reuse it */
	if (m->ev != ev || m->self != p || m->epoch != pt->epoch || m->ppid != p->ppid ||
	    m->pstart != p->parent_start_time) {
		m->ev = ev;
		m->self = p;
		m->epoch = pt->epoch;
		m->ppid = p->ppid;
		m->pstart = p->parent_start_time;
		m->a[0] = p;
		m->n = 1;
		m->end = false;
	}
	while (m->n <= n && m->n <= OSP_ANCESTORS_MAX && !m->end) {
		const struct osp_proc *q = proctable_parent(pt, m->a[m->n - 1]);

		if (!q)
			m->end = true;
		else
			m->a[m->n++] = q;
	}
	if (n < m->n)
		return m->a[n];
	if (m->end)
		return NULL;
	/* deeper than the walk keeps: on from its last */
	p = m->a[m->n - 1];
	for (n -= m->n - 1; p && n > 0; n--)
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
