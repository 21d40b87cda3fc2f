/* Rule engine benchmark: events per second per core through ruleset_match(), and every allocation made
 * while measuring.
 *
 *   make OUT=build build/libosprey.a
 *   gcc -O2 -std=gnu11 -D_GNU_SOURCE -Iinclude -Iagent tests/bench/bench_rules.c build/libosprey.a \
 *       $(pkg-config --libs libbpf libelf zlib libcjson yaml-0.1 libcurl) -lpthread -lm \
 *       -o build/bench-rules
 *   build/bench-rules [-e EVENTS.jsonl] [-r RULES]... [-t SECONDS]
 *
 * Defaults: events tests/bench/events.jsonl (recorded with `osprey run --events`: builds, shell loops,
 * package-manager queries, file reads), rules rules/osprey_rules.yaml plus Falco's stable rules from
 * $OSP_ANCHORS (default ../shared/anchors)/falco_rules.yaml when present; when they are absent it says
 * so loudly and measures ours alone. Run from the repository root.
 *
 * Every line is replayed (agent/replay) into an event before the clock starts; the timed loop then
 * matches them, in order, again and again for at least -t seconds (default 2) on one pinned core.
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
#include <time.h>
#include <unistd.h>

#include "replay/replay.h"
#include "rules/rules.h"

#include "bench_common.h"

static int count_match(const struct rule *r, const struct osp_event *ev, void *arg)
{
	(*(unsigned long *)arg)++;
	return 0;
}

/* One event as the agent's loop handles it: names resolved first when a rule's condition reads
 * them (the enrichment step), then matched. */
static void match(struct ruleset *rs, struct replay_event *re, unsigned long *matches)
{
	if (ruleset_names_mask(rs) & OSP_ETM(vocab_evt_of(&re->ev)))
		replay_event_prepare(re);
	ruleset_match(rs, &re->ctx, &re->ev, count_match, matches);
}

/* Replays every line of path into *evs. Returns the number of events, or -errno. */
static long load_events(struct replay *rp, const char *path, struct replay_event ***evs)
{
	FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t cap = 0, n = 0, room = 0, lineno = 0, bad = 0;
	ssize_t len;
	long ret;

	if (!f)
		return -errno;
	*evs = NULL;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct replay_event *re;
		struct replay_err err;
		int r;

		lineno++;
		if (len <= 1)
			continue;
		r = replay_json(rp, line, (size_t)len, &re, &err);
		if (r) {
			if (bad++ < 5)
				fprintf(stderr, "%s:%zu: %s%s%s\n", path, lineno, err.key,
					err.key[0] ? ": " : "", err.msg);
			continue;
		}
		if (n == room) {
			size_t nr = room ? room * 2 : 1024;
			struct replay_event **ne = realloc(*evs, nr * sizeof(*ne));

			if (!ne) {
				replay_event_free(re);
				ret = -ENOMEM;
				goto out;
			}
			*evs = ne;
			room = nr;
		}
		(*evs)[n++] = re;
	}
	if (bad)
		fprintf(stderr, "bench-rules: %zu of %zu lines did not replay (skipped)\n", bad,
			lineno);
	ret = (long)n;
out:
	free(line);
	fclose(f);
	return ret;
}

int main(int argc, char **argv)
{
	const char *events = "tests/bench/events.jsonl", *anchors = getenv("OSP_ANCHORS");
	const char *rules[16];
	char falco[4096];
	size_t nrules = 0, i, active = 0;
	struct ruleset *rs = NULL;
	struct replay *rp = NULL;
	struct replay_event **evs = NULL;
	double seconds = 2.0;
	long nev = 0;
	unsigned long matches = 0, a0, a1;
	uint64_t t0, t1, done = 0;
	cpu_set_t cpus;
	int c, ret = 1;

	while ((c = getopt(argc, argv, "e:r:t:")) != -1) {
		switch (c) {
		case 'e':
			events = optarg;
			break;
		case 'r':
			if (nrules < sizeof(rules) / sizeof(rules[0]))
				rules[nrules++] = optarg;
			break;
		case 't':
			seconds = atof(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-e EVENTS.jsonl] [-r RULES]... [-t SECONDS]\n",
				argv[0]);
			return 2;
		}
	}
	if (!nrules) {
		rules[nrules++] = "rules/osprey_rules.yaml";
		snprintf(falco, sizeof(falco), "%s/falco_rules.yaml",
			 anchors && *anchors ? anchors : "../shared/anchors");
		if (access(falco, R_OK) == 0) {
			rules[nrules++] = falco;
		} else {
			fprintf(stderr,
				"\n*** bench-rules: %s not found: measuring Osprey's rules ONLY, "
				"without Falco's ***\n\n",
				falco);
		}
	}
	if (ruleset_load(rules, nrules, NULL, &rs)) {
		for (i = 0; rs && i < ruleset_ndiag(rs); i++) {
			const struct rule_diag *d = ruleset_diag(rs, i);

			if (!d->warning)
				fprintf(stderr, "%s:%u:%u: %s\n", d->file, d->line, d->col, d->msg);
		}
		fprintf(stderr, "bench-rules: the rules did not load\n");
		goto cleanup;
	}
	for (i = 0; i < ruleset_nrules(rs); i++)
		active += rule_active(ruleset_rule(rs, i), NULL);
	rp = replay_new(0);
	if (!rp) {
		perror("bench-rules: replay_new");
		goto cleanup;
	}
	nev = load_events(rp, events, &evs);
	if (nev <= 0) {
		fprintf(stderr, "bench-rules: no event from %s (%s)\n", events,
			nev ? strerror((int)-nev) : "empty");
		goto cleanup;
	}
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu() > 0 ? sched_getcpu() : 0, &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		perror("bench-rules: sched_setaffinity (not pinned)");
	/* warm-up: one pass, so that caches (and any lazy allocation) are settled */
	for (i = 0; i < (size_t)nev; i++)
		match(rs, evs[i], &matches);
	matches = 0;
	a0 = allocs;
	t0 = now_ns();
	do {
		for (i = 0; i < (size_t)nev; i++)
			match(rs, evs[i], &matches);
		done += (uint64_t)nev;
		t1 = now_ns();
	} while ((double)(t1 - t0) < seconds * 1e9);
	a1 = allocs;
	printf("rules: %.0f events/s per core (rules loaded: %zu active)\n",
	       (double)done * 1e9 / (double)(t1 - t0), active);
	printf("rules: %ld distinct events, %llu evaluated, %.1f ns per event, %lu allocations "
	       "while measuring\n",
	       nev, (unsigned long long)done, (double)(t1 - t0) / (double)done, a1 - a0);
	printf("rules: alerts per pass %.2f (rule files:",
	       (double)matches * (double)nev / (double)done);
	for (i = 0; i < nrules; i++)
		printf(" %s", rules[i]);
	printf(")\n");
	ret = 0;
cleanup:
	for (i = 0; evs && i < (size_t)nev; i++)
		replay_event_free(evs[i]);
	free(evs);
	replay_free(rp);
	ruleset_free(rs);
	return ret;
}
