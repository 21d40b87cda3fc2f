/* Enrichment throughput on one core: raw ring-buffer records (include/osprey/events.h) through
 * decode_record() + proctable_apply() + container_resolve(), warm, for at least 2 s; counts every
 * malloc/calloc/realloc made while measuring (the hot path must make none).
 *
 *   make OUT=build build/libosprey.a
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -Iagent tests/bench/bench_enrich.c build/libosprey.a \
 *       $(pkg-config --libs libbpf libelf zlib libcjson yaml-0.1 libcurl) -lpthread -lm \
 *       -o build/bench-enrich && build/bench-enrich [seconds]
 *
 * Prints: "enrich: N events/s per core, M mallocs".
 *
 * The mix, per 100 records: 90 opens (a realistic open record: raw path, resolved path), 4 execs
 * (3 of short-lived children, 1 re-exec of a long-lived process), 3 forks, 3 exits. 1 024 long-lived
 * processes, half on the host and half in 64 docker containers whose state sits in a temporary
 * host root. Pids are above pid_max, so the exec path's /proc lookup fails fast: exec is a lower
 * bound (a real exec also stats the new exe). Timestamps advance 1 us per record (1 M events/s).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "decode/decode.h"
#include "proc/proctable.h"

#include "bench_common.h"

#define BASE_PID 5000000u  /* long-lived processes: above any pid_max, never in /proc */
#define CHILD_PID 6000000u /* short-lived children */
#define NPROC 1024
#define NCT 64

struct bench {
	struct osp_decoder dec;
	struct osp_event ev;
	struct proctable *pt;
	struct container_cache *cache;
	struct osp_exec_event exec;
	struct osp_fork_event fork;
	struct osp_exit_event exit;
	struct osp_open_event open;
	uint32_t open_len;
	uint64_t ktime;
	uint32_t child;
	char cgroup[NCT + 1][96];
	char root[64];
};

static void container_id(unsigned int k, char id[65])
{
	unsigned int i;

	for (i = 0; i < 64; i++)
		id[i] = "0123456789abcdef"[(k * 7 + i * 13 + (i * k) / 5) % 16];
	id[64] = '\0';
}

/* docker state for container k under the temporary host root */
static int write_state(const struct bench *b, unsigned int k)
{
	char id[65], path[256];
	FILE *f;

	container_id(k, id);
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s", b->root, id);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers/%s/config.v2.json", b->root, id);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	fprintf(f,
		"{\"ID\":\"%s\",\"Name\":\"/svc-%u\",\"Image\":\"sha256:%s\","
		"\"Config\":{\"Image\":\"registry.example/team/svc-%u:1.%u\","
		"\"Labels\":{\"app\":\"svc-%u\",\"tier\":\"back\"}}}",
		id, k, id, k, k, k);
	fclose(f);
	return 0;
}

/* Copies a path as a component list, leaf first ("/etc/passwd" -> "passwd\0etc\0"). */
static uint16_t components(const char *path, char *out)
{
	const char *end = path + strlen(path);
	uint16_t n = 0;

	while (end > path) {
		const char *s = end;

		while (s > path && s[-1] != '/')
			s--;
		if (end > s) {
			memcpy(out + n, s, (size_t)(end - s));
			n += (uint16_t)(end - s);
			out[n++] = '\0';
		}
		end = s > path ? s - 1 : s;
	}
	return n;
}

static unsigned int container_of(uint32_t pid)
{
	uint32_t i = pid - BASE_PID;

	return i % 2 ? 1 + (i / 2) % NCT : 0; /* odd: in a container; even: the host (0) */
}

static uint64_t cgid_of(unsigned int ct)
{
	return 1000 + ct;
}

static uint64_t start_of(uint32_t pid)
{
	return 1000000000ull + (uint64_t)pid;
}

static void hdr(struct bench *b, struct osp_hdr *h, uint32_t type, uint32_t size, uint32_t pid,
		uint64_t start)
{
	h->type = type;
	h->size = size;
	h->ts = b->ktime += 1000;
	h->tgid = h->pid = pid;
	h->start_time = start;
}

static void feed(struct bench *b, const void *rec, size_t len)
{
	if (decode_record(&b->dec, rec, len, &b->ev))
		return;
	proctable_apply(b->pt, &b->ev);
	b->ev.container = container_resolve(b->cache, b->ev.proc);
}

static void exec_rec(struct bench *b, uint32_t pid, uint64_t start, uint32_t ppid, uint64_t pstart,
		     unsigned int ct)
{
	struct osp_exec_event *e = &b->exec;

	hdr(b, &e->hdr, OSP_EV_EXEC, sizeof(*e), pid, start);
	e->parent_start_time = pstart;
	e->ppid = ppid;
	e->cgroup_id = cgid_of(ct);
	e->vpid = pid;
	e->cgroup_len = components(b->cgroup[ct], e->cgroup);
	feed(b, e, sizeof(*e));
}

static void open_rec(struct bench *b, uint32_t pid, uint64_t start, unsigned int ct)
{
	hdr(b, &b->open.hdr, OSP_EV_OPEN, b->open_len, pid, start);
	b->open.cgroup_id = cgid_of(ct);
	feed(b, &b->open, b->open_len);
}

/* One round of 100 records. */
static void round100(struct bench *b, uint32_t *next)
{
	int k, o;

	for (k = 0; k < 3; k++) {
		uint32_t parent = BASE_PID + (*next)++ % NPROC;
		uint32_t child = CHILD_PID + b->child++ % 65536;
		uint64_t cstart = b->ktime + 500;
		unsigned int ct = container_of(parent);

		hdr(b, &b->fork.hdr, OSP_EV_FORK, sizeof(b->fork), child, cstart);
		b->fork.ppid = b->fork.parent_pid = parent;
		b->fork.parent_start_time = start_of(parent);
		b->fork.cgroup_id = cgid_of(ct);
		feed(b, &b->fork, sizeof(b->fork));
		exec_rec(b, child, cstart, parent, start_of(parent), ct);
		for (o = 0; o < 30; o++) {
			uint32_t pid = o % 5 == 0 ? child : BASE_PID + (*next)++ % NPROC;

			open_rec(b, pid, pid == child ? cstart : start_of(pid),
				 pid == child ? ct : container_of(pid));
		}
		hdr(b, &b->exit.hdr, OSP_EV_EXIT, sizeof(b->exit), child, cstart);
		feed(b, &b->exit, sizeof(b->exit));
	}
	{
		uint32_t pid = BASE_PID + (*next)++ % NPROC;

		exec_rec(b, pid, start_of(pid), 1, 0, container_of(pid));
	}
}

static int setup(struct bench *b)
{
	char path[160], args[] = "/usr/bin/python3\0-m\0http.server\0";
	unsigned int k;
	uint32_t i;
	char id[65];

	snprintf(b->root, sizeof(b->root), "/tmp/osp-bench-enrich-XXXXXX");
	if (!mkdtemp(b->root))
		return -errno;
	snprintf(path, sizeof(path), "%s/var", b->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/lib", b->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/lib/docker", b->root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/var/lib/docker/containers", b->root);
	mkdir(path, 0755);
	snprintf(b->cgroup[0], sizeof(b->cgroup[0]), "/");
	for (k = 1; k <= NCT; k++) {
		if (write_state(b, k))
			return -EIO;
		container_id(k, id);
		snprintf(b->cgroup[k], sizeof(b->cgroup[k]), "/docker/%s", id);
	}
	decode_init(&b->dec);
	b->pt = proctable_new(NPROC * 8, "/");
	b->cache = container_cache_new(&(struct container_cache_config){
	    .paths = {.host_root = b->root}, .max_entries = 256, .retry_interval_ms = 5000});
	if (!b->pt || !b->cache)
		return -ENOMEM;
	/* the exec template: exe, cwd, argv; ids and cgroup set per record */
	b->exec.syscall = OSP_ET_EXECVE;
	snprintf(b->exec.comm, sizeof(b->exec.comm), "python3");
	b->exec.exe_len = components("/usr/bin/python3", b->exec.exe);
	b->exec.cwd_len = components("/srv/app", b->exec.cwd);
	snprintf(b->exec.filename, sizeof(b->exec.filename), "/usr/bin/python3");
	b->exec.filename_len = (uint16_t)strlen(b->exec.filename) + 1;
	memcpy(b->exec.args, args, sizeof(args));
	b->exec.args_len = (uint16_t)(sizeof(args) - 1);
	b->exec.loginuid = UINT32_MAX;
	/* the open template: openat("/etc/passwd") = 3 */
	b->open.syscall = OSP_ET_OPENAT;
	b->open.ret = 3;
	b->open.dirfd = -100;
	b->open.flags = OSP_F_PATH_IS_FILE;
	b->open.ino = 1234;
	snprintf(b->open.comm, sizeof(b->open.comm), "python3");
	memcpy(b->open.data, "/etc/passwd", 12);
	b->open.raw_len = 12;
	b->open.path_len = components("/etc/passwd", b->open.data + 12);
	b->open_len = OSP_OPEN_FIXED_SIZE + b->open.raw_len + b->open.path_len;
	b->fork.syscall = OSP_ET_CLONE;
	snprintf(b->fork.comm, sizeof(b->fork.comm), "python3");
	b->ktime = 2000000000ull;
	/* every long-lived process starts with an exec */
	for (i = 0; i < NPROC; i++)
		exec_rec(b, BASE_PID + i, start_of(BASE_PID + i), 1, 0, container_of(BASE_PID + i));
	return 0;
}

int main(int argc, char **argv)
{
	static struct bench b;
	double secs = argc > 1 ? atof(argv[1]) : 2.0;
	uint64_t t0, t1, n = 0;
	unsigned long a0, a1;
	uint32_t next = 0;
	cpu_set_t set;
	char cmd[128];
	int r, i;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu() >= 0 ? sched_getcpu() : 0, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		perror("sched_setaffinity");
	if (secs < 2.0)
		secs = 2.0;
	r = setup(&b);
	if (r) {
		fprintf(stderr, "bench_enrich: setup: %s\n", strerror(-r));
		return 1;
	}
	for (i = 0; i < 20000; i++) /* warm: 2 M records */
		round100(&b, &next);
	a0 = allocs;
	t0 = now_ns();
	do {
		for (i = 0; i < 100; i++)
			round100(&b, &next);
		n += 100 * 100;
		t1 = now_ns();
	} while (t1 - t0 < (uint64_t)(secs * 1e9));
	a1 = allocs;
	{
		struct proctable_stats ps;
		struct container_cache_stats cs;

		proctable_get_stats(b.pt, &ps);
		container_cache_get_stats(b.cache, &cs);
		fprintf(stderr,
			"bench_enrich: %llu records in %.2f s; table %llu entries, %llu misses, "
			"%llu cgroup reads; containers %llu, hits %llu, misses %llu, retries %llu, "
			"decode errors %llu\n",
			(unsigned long long)n, (double)(t1 - t0) / 1e9,
			(unsigned long long)ps.entries, (unsigned long long)ps.misses,
			(unsigned long long)ps.cgroup_reads, (unsigned long long)cs.entries,
			(unsigned long long)cs.hits, (unsigned long long)cs.misses,
			(unsigned long long)cs.retries, (unsigned long long)b.dec.stats.malformed);
	}
	printf("enrich: %.0f events/s per core, %lu mallocs\n", (double)n * 1e9 / (double)(t1 - t0),
	       a1 - a0);
	container_cache_free(b.cache);
	proctable_free(b.pt);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b.root);
	if (system(cmd) != 0)
		fprintf(stderr, "bench_enrich: could not remove %s\n", b.root);
	return 0;
}
