#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "container/container.h"
#include "decode.h"
#include "evjson.h"
#include "loop/probe.h"
#include "proc/proctable.h"

#define OSP_PROCTABLE_MAX 65536

static volatile sig_atomic_t stop_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

struct loop_ctx {
	const struct osp_run_opts *o;
	struct osp_decoder dec;
	struct osp_event ev;
	struct proctable *pt;
	struct container_cache *containers;
	unsigned long long out_errors;
};

static int on_record(void *arg, void *data, size_t len)
{
	struct loop_ctx *c = arg;

	if (osp_decode(&c->dec, data, len, &c->ev))
		return 0;
	proctable_apply(c->pt, &c->ev);
	c->ev.container = container_resolve(c->containers, c->ev.proc);
	if (c->o->mode == OSP_RUN_EVENTS && osp_evjson_write(c->o->out, &c->ev))
		c->out_errors++;
	return 0;
}

static void report(const struct osp_probe *p, const struct loop_ctx *c, uint64_t last[OSP_STAT_MAX],
		   int final)
{
	uint64_t now[OSP_STAT_MAX];
	unsigned int k;
	int any = 0;

	if (osp_probe_stats(p, now))
		return;
	for (k = 0; k < OSP_STAT_MAX; k++) {
		if (k == OSP_STAT_EVENTS || now[k] == last[k])
			continue;
		if (!any)
			fprintf(stderr, "osprey: losses:");
		fprintf(stderr, " %s=%llu(+%llu)", osp_stat_name(k), (unsigned long long)now[k],
			(unsigned long long)(now[k] - last[k]));
		any = 1;
	}
	if (any)
		fputc('\n', stderr);
	if (final) {
		struct proctable_stats ps;
		struct container_cache_stats cs;

		proctable_get_stats(c->pt, &ps);
		container_cache_get_stats(c->containers, &cs);
		fprintf(stderr,
			"osprey: process table: entries=%llu evicted=%llu seeded=%llu misses=%llu; "
			"containers: entries=%llu evictions=%llu metadata_missing=%llu "
			"metadata_errors=%llu\n",
			(unsigned long long)ps.entries, (unsigned long long)ps.evicted,
			(unsigned long long)ps.seeded, (unsigned long long)ps.misses,
			(unsigned long long)cs.entries, (unsigned long long)cs.evictions,
			(unsigned long long)cs.metadata_missing,
			(unsigned long long)cs.metadata_errors);
		fprintf(stderr,
			"osprey: stopped: events_sent=%llu decoded=%llu malformed=%llu "
			"ringbuf_full=%llu path_too_long=%llu output_errors=%llu\n",
			(unsigned long long)now[OSP_STAT_EVENTS],
			(unsigned long long)c->dec.stats.decoded,
			(unsigned long long)c->dec.stats.malformed,
			(unsigned long long)now[OSP_STAT_RB_FULL],
			(unsigned long long)c->dec.stats.path_too_long, c->out_errors);
	}
	memcpy(last, now, sizeof(now));
}

static int write_ready(const char *path)
{
	int fd;

	if (!path)
		return 0;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	dprintf(fd, "%d\n", (int)getpid());
	close(fd);
	return 0;
}

int osp_run(const struct osp_run_opts *o)
{
	static struct loop_ctx c; /* the decoder's buffers are large: keep them off the stack */
	struct osp_probe probe = {.stats_fd = -1};
	struct osp_probe_opts po = {.agent_tgid = (uint32_t)getpid(), .enable_open = 1};
	struct sigaction sa = {.sa_handler = on_stop};
	uint64_t last[OSP_STAT_MAX] = {0};
	time_t next_report, next_sync;
	char err[256];
	int ret, status = 0;

	memset(&c, 0, sizeof(c));
	c.o = o;
	osp_decoder_init(&c.dec);
	c.pt = proctable_new(OSP_PROCTABLE_MAX, "/");
	c.containers = container_cache_new(NULL);
	if (!c.pt || !c.containers) {
		fprintf(stderr, "osprey: cannot allocate the process table or container cache\n");
		status = 1;
		goto cleanup;
	}
	ret = proctable_seed(c.pt);
	if (ret < 0)
		fprintf(stderr, "osprey: reading /proc: %s (ancestry of older processes unknown)\n",
			strerror(-ret));
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = osp_probe_open(&probe, &po, on_record, &c, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "osprey: %s\n", err);
		status = 1;
		goto cleanup;
	}
	ret = write_ready(o->ready_file);
	if (ret)
		fprintf(stderr, "osprey: cannot write %s: %s\n", o->ready_file, strerror(-ret));
	fprintf(stderr, "osprey: running (pid %d)\n", (int)getpid());

	next_report = time(NULL) + o->stats_interval;
	next_sync = time(NULL) + 5;
	while (!stop_requested) {
		time_t now;

		ret = osp_probe_poll(&probe, 10);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "osprey: ring buffer: %s\n", strerror(-ret));
			status = 1;
			break;
		}
		if (o->mode == OSP_RUN_EVENTS)
			fflush(o->out);
		now = time(NULL);
		if (o->stats_interval > 0 && now >= next_report) {
			report(&probe, &c, last, 0);
			next_report = now + o->stats_interval;
		}
		if (now >= next_sync) {
			osp_decoder_sync_clock(&c.dec);
			next_sync = now + 5;
		}
	}
	/* drain what the kernel already queued before stopping */
	osp_probe_poll(&probe, 0);
	fflush(o->out);
	report(&probe, &c, last, 1);
cleanup:
	osp_probe_close(&probe);
	container_cache_free(c.containers);
	proctable_free(c.pt);
	return status;
}
