/* `osprey run`: the options, the stages built from them (rules, outputs, process table,
 * container cache, Kubernetes watcher, probes), and the process's life: signals, SIGHUP reload,
 * the poll loop that hands each record to agent/loop/, the counters at exit. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "container/container.h"
#include "k8s/k8s.h"
#include "loop/loop.h"
#include "loop/probe.h"
#include "output/output.h"
#include "proc/proctable.h"
#include "rules/rules.h"

/* Where `osprey run` looks for rules when no --rules is given, in order. */
#define RUN_RULES_SYSTEM "/etc/osprey/rules.d"
#define RUN_RULES_BESIDE "../rules/osprey_rules.yaml" /* relative to the binary's directory */
#define RUN_MAX_PATHS 32
#define RUN_PROCTABLE_MAX 65536

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

/* `osprey run`'s options. */
struct run_opts {
	enum loop_mode mode;
	int stats_interval; /* seconds between loss-counter reports on stderr (0 = only at exit) */
	FILE *out;	    /* --events output */
	const char
	    *ready_file; /* written once the probes are attached (tests and probes wait on it) */
	const char *rules[RUN_MAX_PATHS]; /* --rules: files or directories, in order */
	size_t nrules;
	const char *outputs[RUN_MAX_PATHS]; /* --output specs; none = stdout */
	size_t noutputs;
	int match_all;	       /* --rule-matching all */
	const char *host_root; /* --host-root, default "/" */
	/* runtime state directories, below host_root; NULL = the runtime's default */
	const char *docker_data_root;	/* --docker-data-root */
	const char *containerd_state;	/* --containerd-state */
	const char *containerd_root;	/* --containerd-root */
	const char *containers_storage; /* --containers-storage (CRI-O, podman) */
};

/* The running agent: the loop and what only the run's setup and teardown touch. */
struct run {
	const struct run_opts *o;
	struct loop l;
	struct k8s_watch *k8s;
};

/* Loads the rule files; prints every diagnostic. Returns the ruleset, or NULL on any error. */
static struct ruleset *load_rules(const struct run_opts *o)
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
static void reload(struct run *c)
{
	struct ruleset *rs;

	output_reopen(c->l.out);
	if (c->o->mode != LOOP_ALERTS)
		return;
	fprintf(stderr, "osprey: SIGHUP: reloading rules\n");
	rs = load_rules(c->o);
	if (!rs) {
		fprintf(stderr, "osprey: keeping the rules loaded before\n");
		return;
	}
	ruleset_free(c->l.rs);
	c->l.rs = rs;
}

/* In a cluster (service-account token, NODE_NAME), pod labels come from the API server: a watcher
 * thread keeps this node's pods; the container cache asks it from memory, never the network. */
static void start_k8s(struct run *c)
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
	k8s_attach_to_containers(c->k8s, c->l.containers);
	fprintf(stderr, "osprey: kubernetes: watching the pods of node %s at %s\n", kc.node_name,
		kc.api_url);
}

static int run(const struct run_opts *o)
{
	static struct run c; /* large buffers: keep them off the stack */
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
	loop_init(&c.l, o->mode, o->out);

	if (o->mode == LOOP_ALERTS) {
		c.l.rs = load_rules(o);
		if (!c.l.rs) {
			status = 1;
			goto cleanup;
		}
		po.enable_open = (ruleset_evt_mask(c.l.rs) & OSP_ETM_OPEN) != 0;
		c.l.out = output_new(o->outputs, o->noutputs, NULL, err, sizeof(err));
		if (!c.l.out) {
			fprintf(stderr, "osprey: output: %s\n", err);
			status = 1;
			goto cleanup;
		}
	}
	c.l.pt = proctable_new(RUN_PROCTABLE_MAX, o->host_root ? o->host_root : "/");
	c.l.containers = container_cache_new(&cc);
	if (!c.l.pt || !c.l.containers) {
		fprintf(stderr,
			"osprey: cannot allocate the process table or container cache: %s\n",
			strerror(errno));
		status = 1;
		goto cleanup;
	}
	c.l.fctx.pt = c.l.pt;
	start_k8s(&c);
	ret = proctable_seed(c.l.pt);
	if (ret < 0)
		fprintf(stderr, "osprey: reading /proc: %s (ancestry of older processes unknown)\n",
			strerror(-ret));
	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGHUP, &hup, NULL);
	signal(SIGPIPE, SIG_IGN);

	ret = probe_open(&probe, &po, loop_record, &c.l, err, sizeof(err));
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

		ret = probe_poll(&probe, 10);
		if (ret < 0 && ret != -EINTR) {
			fprintf(stderr, "osprey: ring buffer: %s\n", strerror(-ret));
			status = 1;
			break;
		}
		if (o->mode == LOOP_EVENTS)
			fflush(o->out);
		if (reload_requested) {
			reload_requested = 0;
			reload(&c);
		}
		now = time(NULL);
		if (o->stats_interval > 0 && now >= next_report) {
			loop_report(&c.l, &probe, last, false);
			next_report = now + o->stats_interval;
		}
		if (now >= next_sync) {
			decode_sync_clock(&c.l.dec);
			next_sync = now + 5;
		}
	}
	/* drain what the kernel already queued before stopping */
	probe_poll(&probe, 0);
	if (o->out)
		fflush(o->out);
	if (c.l.out && output_flush(c.l.out, 5000))
		fprintf(stderr, "osprey: some alerts were still queued after 5 s\n");
	loop_report(&c.l, &probe, last, true);
cleanup:
	probe_close(&probe);
	output_free(c.l.out); /* flushes queued alerts */
	ruleset_free(c.l.rs);
	if (c.k8s && c.l.containers)
		k8s_attach_to_containers(NULL, c.l.containers);
	k8s_watch_free(c.k8s);
	container_cache_free(c.l.containers);
	proctable_free(c.l.pt);
	return status;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The default rules: /etc/osprey/rules.d, else the rules/ directory beside the build. */
static const char *default_rules(char *buf, size_t len)
{
	char exe[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (stat(RUN_RULES_SYSTEM, &st) == 0)
		return RUN_RULES_SYSTEM;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	snprintf(buf, len, "%s/%s", dirname(exe), RUN_RULES_BESIDE);
	return stat(buf, &st) == 0 ? buf : NULL;
}

int cli_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"events", no_argument, NULL, 'e'},
	    {"discard", no_argument, NULL, 'd'},
	    {"rules", required_argument, NULL, 'R'},
	    {"output", required_argument, NULL, 'o'},
	    {"rule-matching", required_argument, NULL, 'm'},
	    {"host-root", required_argument, NULL, 'H'},
	    {"docker-data-root", required_argument, NULL, 'D'},
	    {"containerd-state", required_argument, NULL, 'C'},
	    {"containerd-root", required_argument, NULL, 'N'},
	    {"containers-storage", required_argument, NULL, 'S'},
	    {"stats-interval", required_argument, NULL, 's'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct run_opts o;
	static char rules_buf[PATH_MAX];
	int c;

	memset(&o, 0, sizeof(o));
	o.mode = LOOP_ALERTS;
	o.stats_interval = 10;
	o.out = stdout;
	o.host_root = "/";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			o.mode = LOOP_EVENTS;
			break;
		case 'd':
			o.mode = LOOP_DISCARD;
			break;
		case 'R':
		case 'o':
			if ((c == 'R' ? o.nrules : o.noutputs) >= RUN_MAX_PATHS) {
				fprintf(stderr, "osprey run: at most %d --%s\n", RUN_MAX_PATHS,
					c == 'R' ? "rules" : "output");
				return 2;
			}
			if (c == 'R')
				o.rules[o.nrules++] = optarg;
			else
				o.outputs[o.noutputs++] = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "first") && strcmp(optarg, "all")) {
				fprintf(stderr, "osprey run: --rule-matching takes first or all\n");
				return 2;
			}
			o.match_all = !strcmp(optarg, "all");
			break;
		case 'H':
			o.host_root = optarg;
			break;
		case 'D':
			o.docker_data_root = optarg;
			break;
		case 'C':
			o.containerd_state = optarg;
			break;
		case 'N':
			o.containerd_root = optarg;
			break;
		case 'S':
			o.containers_storage = optarg;
			break;
		case 's':
			if (parse_int(optarg, 0, 86400, &o.stats_interval)) {
				fprintf(stderr,
					"osprey run: --stats-interval takes 0..86400 seconds\n");
				return 2;
			}
			break;
		case 'r':
			o.ready_file = optarg;
			break;
		case 'h':
			cli_usage(stdout);
			return 0;
		default:
			cli_usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "osprey run: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o.mode == LOOP_ALERTS && o.nrules == 0) {
		const char *def = default_rules(rules_buf, sizeof(rules_buf));

		if (!def) {
			fprintf(stderr,
				"osprey run: no rules: found neither %s nor %s beside the "
				"binary; pass --rules PATH\n",
				RUN_RULES_SYSTEM, RUN_RULES_BESIDE);
			return 2;
		}
		o.rules[o.nrules++] = def;
	}
	return run(&o);
}
