#include "loop.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alert/alert.h"
#include "container/container.h"
#include "decode/decode.h"
#include "alert/evjson.h"
#include "fields/fields.h"
#include "k8s/k8s.h"
#include "loop/probe.h"
#include "output/output.h"
#include "proc/proctable.h"
#include "rules/rules.h"

#define OSP_PROCTABLE_MAX 65536
#define OSP_ALERT_MAX (64 * 1024)

static volatile sig_atomic_t stop_requested, reload_requested;

static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void on_hup(int sig)
{
	(void)sig;
	reload_requested = 1;
}

struct loop_ctx {
	const struct osp_run_opts *o;
	struct osp_decoder dec;
	struct osp_event ev;
	struct osp_field_ctx fctx;
	struct proctable *pt;
	struct container_cache *containers;
	struct ruleset *rs;
	struct output *out;
	struct k8s_watch *k8s;
	char hostname[256];
	char alert[OSP_ALERT_MAX];
	unsigned long long out_errors, alerts, alert_errors;
};

static int on_match(const struct rule *r, const struct osp_event *ev, void *arg)
{
	struct loop_ctx *c = arg;
	int len;

	proctable_resolve_names(c->pt, ev); /* the output may name the user */
	len = osp_alert_format(c->rs, r, &c->fctx, ev, c->alert, sizeof(c->alert));

	if (len < 0) {
		c->alert_errors++;
		return 0;
	}
	c->alerts++;
	/* Falco's priorities are syslog's severities, in the same order */
	output_submit(c->out, (int)rule_priority(r), c->alert, (size_t)len);
	return 0;
}

static int on_record(void *arg, void *data, size_t len)
{
	struct loop_ctx *c = arg;

	if (osp_decode(&c->dec, data, len, &c->ev))
		return 0;
	proctable_apply(c->pt, &c->ev);
	c->ev.container = container_resolve(c->containers, c->ev.proc);
	c->fctx.evt_num++;
	switch (c->o->mode) {
	case OSP_RUN_ALERTS:
		if (ruleset_names_mask(c->rs) & OSP_ETM(vocab_evt_of(&c->ev)))
			proctable_resolve_names(c->pt, &c->ev);
		ruleset_match(c->rs, &c->fctx, &c->ev, on_match, c);
		break;
	case OSP_RUN_EVENTS:
		proctable_resolve_names(c->pt, &c->ev);
		if (osp_evjson_write(c->o->out, &c->fctx, &c->ev))
			c->out_errors++;
		break;
	case OSP_RUN_DISCARD:
		break;
	}
	return 0;
}

/* Loads the rule files; prints every diagnostic. Returns the ruleset, or NULL on any error. */
static struct ruleset *load_rules(const struct osp_run_opts *o)
{
	struct ruleset_opts ro = {.matching = o->match_all ? RULE_MATCH_ALL : RULE_MATCH_FIRST,
				  .min_priority = RULE_PRIO_DEBUG};
	struct ruleset *rs = NULL;
	size_t i, active = 0;
	int ret = ruleset_load(o->rules, o->nrules, &ro, &rs);

	for (i = 0; rs && i < ruleset_ndiag(rs); i++) {
		const struct rule_diag *d = ruleset_diag(rs, i);

		fprintf(stderr, "%s:%u:%u: %s%s\n", d->file, d->line, d->col,
			d->warning ? "warning: " : "", d->msg);
	}
	if (ret) {
		fprintf(stderr, "osprey: rules not loaded: %s\n",
			ret == -EINVAL ? "errors above" : strerror(-ret));
		ruleset_free(rs);
		return NULL;
	}
	for (i = 0; i < ruleset_nrules(rs); i++)
		active += rule_active(ruleset_rule(rs, i), NULL);
	fprintf(stderr, "osprey: %zu rules loaded, %zu active\n", ruleset_nrules(rs), active);
	return rs;
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
		struct output_sink_stats os[OSP_RUN_MAX_PATHS];
		size_t i, ns = c->out ? output_stats(c->out, os, OSP_RUN_MAX_PATHS) : 0;

		proctable_get_stats(c->pt, &ps);
		container_cache_get_stats(c->containers, &cs);
		fprintf(stderr,
			"osprey: process table: entries=%llu evicted=%llu seeded=%llu misses=%llu "
			"cgroup_reads=%llu cgroup_by_id=%llu cgroup_read_fails=%llu; "
			"containers: entries=%llu evictions=%llu metadata_missing=%llu "
			"metadata_errors=%llu\n",
			(unsigned long long)ps.entries, (unsigned long long)ps.evicted,
			(unsigned long long)ps.seeded, (unsigned long long)ps.misses,
			(unsigned long long)ps.cgroup_reads, (unsigned long long)ps.cgroup_by_id,
			(unsigned long long)ps.cgroup_read_fails, (unsigned long long)cs.entries,
			(unsigned long long)cs.evictions, (unsigned long long)cs.metadata_missing,
			(unsigned long long)cs.metadata_errors);
		for (i = 0; i < ns && i < OSP_RUN_MAX_PATHS; i++)
			fprintf(stderr,
				"osprey: output %s: sent=%llu dropped_full=%llu dropped_error=%llu "
				"dropped_oversize=%llu\n",
				os[i].name, (unsigned long long)os[i].sent,
				(unsigned long long)os[i].dropped_full,
				(unsigned long long)os[i].dropped_error,
				(unsigned long long)os[i].dropped_oversize);
		fprintf(stderr,
			"osprey: stopped: events_sent=%llu decoded=%llu malformed=%llu "
			"ringbuf_full=%llu path_too_long=%llu output_errors=%llu alerts=%llu "
			"alert_errors=%llu\n",
			(unsigned long long)now[OSP_STAT_EVENTS],
			(unsigned long long)c->dec.stats.decoded,
			(unsigned long long)c->dec.stats.malformed,
			(unsigned long long)now[OSP_STAT_RB_FULL],
			(unsigned long long)c->dec.stats.path_too_long, c->out_errors, c->alerts,
			c->alert_errors);
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

/* SIGHUP: new rules replace the old ones only when they load without error; file sinks reopen. */
static void reload(struct loop_ctx *c)
{
	struct ruleset *rs;

	output_reopen(c->out);
	if (c->o->mode != OSP_RUN_ALERTS)
		return;
	fprintf(stderr, "osprey: SIGHUP: reloading rules\n");
	rs = load_rules(c->o);
	if (!rs) {
		fprintf(stderr, "osprey: keeping the rules loaded before\n");
		return;
	}
	ruleset_free(c->rs);
	c->rs = rs;
}

/* In a cluster (service-account token, NODE_NAME), pod labels come from the API server: a watcher
 * thread keeps this node's pods; the container cache asks it from memory, never the network. */
static void start_k8s(struct loop_ctx *c)
{
	static char url[512];
	struct k8s_config kc = {0};
	int ret = k8s_config_from_env(&kc, url, sizeof(url));

	if (ret == -ENOENT)
		return; /* not in a cluster */
	if (ret) {
		fprintf(stderr,
			"osprey: kubernetes: in a cluster but %s; pod labels come only from "
			"runtime state\n",
			ret == -EINVAL ? "NODE_NAME is not set" : strerror(-ret));
		return;
	}
	c->k8s = k8s_watch_new(&kc);
	if (!c->k8s || k8s_watch_start(c->k8s)) {
		fprintf(stderr, "osprey: kubernetes: cannot start the pod watcher: %s\n",
			strerror(errno));
		k8s_watch_free(c->k8s);
		c->k8s = NULL;
		return;
	}
	k8s_attach_to_containers(c->k8s, c->containers);
	fprintf(stderr, "osprey: kubernetes: watching the pods of node %s at %s\n", kc.node_name,
		kc.api_url);
}

int osp_run(const struct osp_run_opts *o)
{
	static struct loop_ctx c; /* large buffers: keep them off the stack */
	struct osp_probe probe = {.stats_fd = -1};
	struct osp_probe_opts po = {.agent_tgid = (uint32_t)getpid(), .enable_open = 1};
	struct container_cache_config cc = {.paths = {.host_root = o->host_root,
						      .docker_data_root = o->docker_data_root,
						      .containerd_state = o->containerd_state,
						      .containerd_root = o->containerd_root,
						      .containers_storage = o->containers_storage}};
	struct sigaction stop = {.sa_handler = on_stop}, hup = {.sa_handler = on_hup};
	uint64_t last[OSP_STAT_MAX] = {0};
	time_t next_report, next_sync;
	char err[256];
	int ret, status = 0;

	memset(&c, 0, sizeof(c));
	c.o = o;
	osp_decoder_init(&c.dec);
	if (gethostname(c.hostname, sizeof(c.hostname) - 1))
		snprintf(c.hostname, sizeof(c.hostname), "unknown");
	c.fctx.hostname = c.hostname;

	if (o->mode == OSP_RUN_ALERTS) {
		c.rs = load_rules(o);
		if (!c.rs) {
			status = 1;
			goto cleanup;
		}
		po.enable_open = (ruleset_evt_mask(c.rs) & OSP_ETM_OPEN) != 0;
		c.out = output_new(o->outputs, o->noutputs, NULL, err, sizeof(err));
		if (!c.out) {
			fprintf(stderr, "osprey: output: %s\n", err);
			status = 1;
			goto cleanup;
		}
	}
	c.pt = proctable_new(OSP_PROCTABLE_MAX, o->host_root ? o->host_root : "/");
	c.containers = container_cache_new(&cc);
	if (!c.pt || !c.containers) {
		fprintf(stderr,
			"osprey: cannot allocate the process table or container cache: %s\n",
			strerror(errno));
		status = 1;
		goto cleanup;
	}
	c.fctx.pt = c.pt;
	start_k8s(&c);
	ret = proctable_seed(c.pt);
	if (ret < 0)
		fprintf(stderr, "osprey: reading /proc: %s (ancestry of older processes unknown)\n",
			strerror(-ret));
	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGHUP, &hup, NULL);
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
		if (reload_requested) {
			reload_requested = 0;
			reload(&c);
		}
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
	if (o->out)
		fflush(o->out);
	if (c.out && output_flush(c.out, 5000))
		fprintf(stderr, "osprey: some alerts were still queued after 5 s\n");
	report(&probe, &c, last, 1);
cleanup:
	osp_probe_close(&probe);
	output_free(c.out); /* flushes queued alerts */
	ruleset_free(c.rs);
	if (c.k8s && c.containers)
		k8s_attach_to_containers(NULL, c.containers);
	k8s_watch_free(c.k8s);
	container_cache_free(c.containers);
	proctable_free(c.pt);
	return status;
}
