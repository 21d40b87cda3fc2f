/* Process table micro-benchmark: ns per proctable_apply() for open events once warm, and for a
 * fork + exec + exit + open cycle; counts every malloc/calloc/realloc made while measuring.
 *
 *   gcc -O2 -Iinclude -Iagent agent/proc/[a-z]*.c tests/bench/bench_proc.c -o /tmp/bench_proc
 *   /tmp/bench_proc [host_root] [processes] [events]
 *
 * The table is seeded from the real /proc (root sees everything), then fed synthetic processes
 * whose pids are above pid_max, so that /proc never has them: the exec path's /proc lookups fail
 * fast, which makes the cycle figure a lower bound for exec (a real exec also stats its exe). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proc/proctable.h"

#include "bench_common.h"

#define BASE_PID 5000000u /* above any pid_max (4194304): never in /proc */

static char exe[] = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java";
static char cwd[] = "/srv/app";
static char cg[] =
    "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0a1b2c3d_4e5f_4a6b"
    "_8c7d_9e0f1a2b3c4d.slice/cri-containerd-0123456789abcdef0123456789abcdef0123"
    "456789abcdef0123456789abcdef.scope";
static char args[] = "java\0-Xmx2g\0-jar\0/srv/app/app.jar\0--spring.profiles.active=prod";

static void exec_rec(struct osp_proc *r, uint32_t tgid, uint64_t st)
{
	memset(r, 0, sizeof(*r));
	r->tgid = r->vpid = tgid;
	r->start_time = st;
	r->ppid = 1;
	r->uid = r->euid = r->gid = r->egid = 1000;
	r->loginuid = UINT32_MAX;
	snprintf(r->comm, sizeof(r->comm), "java");
	r->exepath = (struct osp_str){exe, sizeof(exe) - 1};
	r->filename = r->exepath;
	r->cwd = (struct osp_str){cwd, sizeof(cwd) - 1};
	r->cgroup = (struct osp_str){cg, sizeof(cg) - 1};
	r->cgroup_v1 = r->cgroup;
	r->args = (struct osp_str){args, sizeof(args)};
	r->argc = 5;
}

int main(int argc, char **argv)
{
	const char *root = argc > 1 ? argv[1] : "/";
	uint32_t nproc = argc > 2 ? (uint32_t)strtoul(argv[2], NULL, 10) : 1000;
	uint64_t nev = argc > 3 ? strtoull(argv[3], NULL, 10) : 10000000ull;
	struct proctable *pt = proctable_new(65536, root);
	struct proctable_stats st;
	struct osp_proc rec, key;
	struct osp_event ev;
	unsigned long a0;
	uint64_t t0, t1, i, sink = 0;
	uint32_t k;
	int seeded;

	if (!pt || nproc == 0) {
		perror("proctable_new");
		return 1;
	}
	seeded = proctable_seed(pt);
	for (k = 0; k < nproc; k++) { /* the population: one exec each */
		exec_rec(&rec, BASE_PID + k, 1000000ull * (k + 1));
		ev = (struct osp_event){.type = OSP_EV_EXEC, .tgid = rec.tgid, .proc = &rec};
		proctable_apply(pt, &ev);
	}
	for (k = 0; k < nproc; k++) { /* warm: every process opened once */
		key = (struct osp_proc){.tgid = BASE_PID + k, .start_time = 1000000ull * (k + 1)};
		ev = (struct osp_event){.type = OSP_EV_OPEN, .tgid = key.tgid, .proc = &key};
		proctable_apply(pt, &ev);
	}

	a0 = allocs;
	t0 = now_ns();
	for (i = 0; i < nev; i++) {
		k = (uint32_t)((i * 2654435761u) % nproc); /* scattered, not sequential */
		key.tgid = BASE_PID + k;
		key.start_time = 1000000ull * (k + 1);
		ev = (struct osp_event){.type = OSP_EV_OPEN, .tgid = key.tgid, .proc = &key};
		proctable_apply(pt, &ev);
		sink += ev.proc->exepath.len + (ev.parent ? 1 : 0);
	}
	t1 = now_ns();
	printf(
	    "open:  %.1f ns/event over %llu events, %u processes (+%d seeded), %lu allocations\n",
	    (double)(t1 - t0) / (double)nev, (unsigned long long)nev, nproc, seeded, allocs - a0);

	/* fork + exec + exit (+ the open that reaps it), steady state */
	{
		uint64_t cycles = nev / 20, st0 = 1000000ull * (nproc + 10);

		a0 = allocs;
		t0 = now_ns();
		for (i = 0; i < cycles; i++) {
			struct osp_proc child = {.tgid = BASE_PID + nproc + (uint32_t)(i % 50000),
						 .ppid = BASE_PID,
						 .start_time = st0 + i,
						 .parent_start_time = 1000000ull,
						 .uid = 1000};

			ev = (struct osp_event){
			    .type = OSP_EV_FORK, .tgid = child.tgid, .proc = &child};
			proctable_apply(pt, &ev);
			exec_rec(&rec, child.tgid, child.start_time);
			rec.ppid = BASE_PID;
			rec.parent_start_time = 1000000ull;
			ev =
			    (struct osp_event){.type = OSP_EV_EXEC, .tgid = rec.tgid, .proc = &rec};
			proctable_apply(pt, &ev);
			key = (struct osp_proc){.tgid = child.tgid, .start_time = child.start_time};
			ev =
			    (struct osp_event){.type = OSP_EV_EXIT, .tgid = key.tgid, .proc = &key};
			proctable_apply(pt, &ev);
			key = (struct osp_proc){.tgid = BASE_PID, .start_time = 1000000ull};
			ev =
			    (struct osp_event){.type = OSP_EV_OPEN, .tgid = key.tgid, .proc = &key};
			proctable_apply(pt, &ev);
			sink += ev.proc->tgid;
		}
		t1 = now_ns();
		printf("cycle: %.1f ns per fork+exec+exit+open over %llu cycles, %lu allocations\n",
		       (double)(t1 - t0) / (double)cycles, (unsigned long long)cycles, allocs - a0);
	}
	proctable_get_stats(pt, &st);
	printf("table: %llu entries / %llu, evicted %llu, memory bound %.1f MiB (arena %.1f MiB, "
	       "%llu B used)\n",
	       (unsigned long long)st.entries, (unsigned long long)st.capacity,
	       (unsigned long long)st.evicted, (double)st.mem_bytes / 1048576.0,
	       (double)st.arena_bytes / 1048576.0, (unsigned long long)st.arena_used);
	proctable_free(pt);
	return sink == 42 ? 2 : 0;
}
