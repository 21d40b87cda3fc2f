/* syslog[:FACILITY] sink: syslog(3), one message per alert, severity = the alert's priority.
 * syslog(3) may block (a stalled journald or rsyslog), which is why it has its own thread. */
#include "output/sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

static const struct {
	const char *name;
	int facility;
} facilities[] = {
    {"user", LOG_USER},		{"daemon", LOG_DAEMON}, {"auth", LOG_AUTH},
    {"authpriv", LOG_AUTHPRIV}, {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2},	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5},	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

int sink_syslog_open(struct sink *s, char *err, size_t errlen)
{
	const char *fac = strchr(s->spec, ':');
	size_t i;

	s->facility = LOG_USER;
	if (fac) {
		fac++;
		for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++) {
			if (!strcmp(fac, facilities[i].name))
				break;
		}
		if (i == sizeof(facilities) / sizeof(facilities[0])) {
			snprintf(
			    err, errlen,
			    "output '%s': unknown syslog facility '%s' (expected user, daemon, "
			    "auth, authpriv or local0..local7)",
			    s->spec, fac);
			return -EINVAL;
		}
		s->facility = facilities[i].facility;
	}
	s->ident = strdup(s->opts->syslog_ident);
	if (!s->ident) {
		snprintf(err, errlen, "output '%s': out of memory", s->spec);
		return -ENOMEM;
	}
	openlog(s->ident, LOG_PID, s->facility);
	return 0;
}

void *sink_syslog_main(void *arg)
{
	struct sink *s = arg;

	for (;;) {
		struct osq_rec r;
		uint64_t end, pos, n, k = 0;
		bool stopping, kicked;

		n = osq_wait(s, 1, NULL, &end, &stopping, &kicked);
		sink_report_drops(s, n);
		if (!n) {
			if (stopping)
				break;
			continue;
		}
		pos = s->tail;
		while (osq_next(s, &pos, end, &r)) {
			/* r.len counts the '\n', which syslog does not want */
			syslog(s->facility | r.prio, "%.*s", (int)(r.len - 1), r.data);
			k++;
		}
		atomic_fetch_add(&s->sent, k);
		osq_release(s, pos, k);
	}
	return NULL;
}

void sink_syslog_close(struct sink *s)
{
	if (s->ident)
		closelog();
	free(s->ident);
	s->ident = NULL;
}
