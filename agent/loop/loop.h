/* The event loop of `osprey run`: ring buffer -> decode -> enrich -> handle, on one thread. */
#ifndef OSP_LOOP_H
#define OSP_LOOP_H

#include <stdio.h>

enum osp_run_mode {
	OSP_RUN_EVENTS,	 /* print every enriched event as JSON (--events) */
	OSP_RUN_DISCARD, /* decode and enrich, print nothing (--discard: benchmarks) */
};

struct osp_run_opts {
	enum osp_run_mode mode;
	int stats_interval; /* seconds between loss-counter reports on stderr (0 = only at exit) */
	FILE *out;
	const char
	    *ready_file; /* written once the probes are attached (tests and probes wait on it) */
};

/* Runs until SIGINT or SIGTERM. Returns the process exit status. */
int osp_run(const struct osp_run_opts *o);

#endif
