/* The event loop of `osprey run`: ring buffer -> decode -> enrich -> rules -> alerts, on one thread. */
#ifndef OSP_LOOP_H
#define OSP_LOOP_H

#include <stddef.h>
#include <stdio.h>

enum osp_run_mode {
	OSP_RUN_ALERTS,	 /* evaluate the rules, emit alerts (default) */
	OSP_RUN_EVENTS,	 /* print every enriched event as JSON (--events) */
	OSP_RUN_DISCARD, /* decode and enrich, print nothing (--discard: benchmarks) */
};

#define OSP_RUN_MAX_PATHS 32

struct osp_run_opts {
	enum osp_run_mode mode;
	int stats_interval; /* seconds between loss-counter reports on stderr (0 = only at exit) */
	FILE *out;	    /* --events output */
	const char
	    *ready_file; /* written once the probes are attached (tests and probes wait on it) */
	const char *rules[OSP_RUN_MAX_PATHS]; /* --rules: files or directories, in order */
	size_t nrules;
	const char *outputs[OSP_RUN_MAX_PATHS]; /* --output specs; none = stdout */
	size_t noutputs;
	int match_all;	       /* --rule-matching all */
	const char *host_root; /* --host-root, default "/" */
	/* runtime state directories, below host_root; NULL = the runtime's default */
	const char *docker_data_root;	/* --docker-data-root */
	const char *containerd_state;	/* --containerd-state */
	const char *containerd_root;	/* --containerd-root */
	const char *containers_storage; /* --containers-storage (CRI-O, podman) */
};

/* Runs until SIGINT or SIGTERM. Returns the process exit status. */
int osp_run(const struct osp_run_opts *o);

#endif
