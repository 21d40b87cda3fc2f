/* The event loop's straight line: one ring-buffer record -> decode -> process table -> container
 * -> rules and alerts (or an --events line), on one thread. agent/cli/run.c builds the stages,
 * owns the process's life (signals, reload, the poll loop) and hands each record here. */
#ifndef OSP_LOOP_H
#define OSP_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "decode/decode.h"
#include "fields/fields.h"
#include "loop/probe.h"

enum loop_mode {
	LOOP_ALERTS,  /* evaluate the rules, emit alerts (default) */
	LOOP_EVENTS,  /* print every enriched event as JSON (--events) */
	LOOP_DISCARD, /* decode and enrich, print nothing (--discard: benchmarks) */
};

#define LOOP_ALERT_MAX (64 * 1024) /* longest alert formatted */

struct container_cache;
struct output;
struct proctable;
struct ruleset;

/* The stages one record goes through, and the loop's own counters. The caller creates the stages
 * (pt and containers always; rs and out for LOOP_ALERTS) and frees them after the last record. */
struct loop {
	enum loop_mode mode;
	FILE *events; /* LOOP_EVENTS: where the lines go */
	struct osp_decoder dec;
	struct osp_event ev;
	struct osp_field_ctx fctx;
	struct proctable *pt;
	struct container_cache *containers;
	struct ruleset *rs;
	struct output *out;
	char hostname[256];
	char alert[LOOP_ALERT_MAX];
	unsigned long long out_errors, alerts, alert_errors;
};

/* Prepares l (large: keep it off the stack) for mode, with the machine's host name for
 * evt.hostname. Cannot fail. */
void loop_init(struct loop *l, enum loop_mode mode, FILE *events);

/* The probe's record callback (arg: the struct loop): one record through every stage. A malformed
 * record is counted by the decoder and dropped. Returns 0 (keep consuming). */
int loop_record(void *arg, void *data, size_t len);

/* Prints on stderr the loss counters that changed since last[] (then updates last[]); with final,
 * also every stage's counters: process table, containers, outputs, decoder, alerts. */
void loop_report(const struct loop *l, const struct osp_probe *p, uint64_t last[OSP_STAT_MAX],
		 bool final);

#endif
