/* The event loop: see loop.h. */
#include "loop/loop.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alert/alert.h"
#include "alert/evjson.h"
#include "container/container.h"
#include "output/output.h"
#include "proc/proctable.h"
#include "rules/rules.h"

void loop_init(struct loop *l, enum loop_mode mode, FILE *events)
{
	memset(l, 0, sizeof(*l));
	l->mode = mode;
	l->events = events;
	decode_init(&l->dec);
	if (gethostname(l->hostname, sizeof(l->hostname) - 1))
		snprintf(l->hostname, sizeof(l->hostname), "unknown");
	l->fctx.hostname = l->hostname;
}

static int on_match(const struct rule *r, const struct osp_event *ev, void *arg)
{
	struct loop *l = arg;
	int len;

	proctable_resolve_names(l->pt, ev); /* the output may name the user */
	len = alert_format(l->rs, r, &l->fctx, ev, l->alert, sizeof(l->alert));
	if (len < 0) {
		l->alert_errors++;
		return 0;
	}
	l->alerts++;
	/* Falco's priorities are syslog's severities, in the same order */
	output_submit(l->out, (int)rule_priority(r), l->alert, (size_t)len);
	return 0;
}

int loop_record(void *arg, void *data, size_t len)
{
	struct loop *l = arg;

	if (decode_record(&l->dec, data, len, &l->ev))
		return 0;
	proctable_apply(l->pt, &l->ev);
	l->ev.container = container_resolve(l->containers, l->ev.proc);
	l->fctx.evt_num++;
	switch (l->mode) {
	case LOOP_ALERTS:
		if (ruleset_names_mask(l->rs) & OSP_ETM(vocab_evt_of(&l->ev)))
			proctable_resolve_names(l->pt, &l->ev);
		ruleset_match(l->rs, &l->fctx, &l->ev, on_match, l);
		break;
	case LOOP_EVENTS:
		proctable_resolve_names(l->pt, &l->ev);
		if (evjson_write(l->events, &l->fctx, &l->ev))
			l->out_errors++;
		break;
	case LOOP_DISCARD:
		break;
	}
	return 0;
}

void loop_report(const struct loop *c, const struct osp_probe *p, uint64_t last[OSP_STAT_MAX],
		 bool final)
{
	uint64_t now[OSP_STAT_MAX];
	unsigned int k;
	int any = 0;

	if (probe_stats(p, now))
		return;
	for (k = 0; k < OSP_STAT_MAX; k++) {
		if (k == OSP_STAT_EVENTS || now[k] == last[k])
			continue;
		if (!any)
			fprintf(stderr, "osprey: losses:");
		fprintf(stderr, " %s=%llu(+%llu)", probe_stat_name(k), (unsigned long long)now[k],
			(unsigned long long)(now[k] - last[k]));
		any = 1;
	}
	if (any)
		fputc('\n', stderr);
	if (final) {
		struct proctable_stats ps;
		struct container_cache_stats cs;
		struct output_sink_stats os[32];
		size_t i, ns = c->out ? output_stats(c->out, os, sizeof(os) / sizeof(os[0])) : 0;

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
		for (i = 0; i < ns && i < sizeof(os) / sizeof(os[0]); i++)
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
