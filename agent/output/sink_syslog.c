/* syslog[:FACILITY] sink: one datagram per alert to the local syslog socket (output_opts.syslog_socket,
 * default /dev/log), in the format syslog(3) sends: "<PRI>Mmm dd hh:mm:ss ident[pid]: alert", with
 * PRI = facility | the alert's priority. syslog(3) itself cannot be used: it always writes to
 * /dev/log, and openlog() is process-wide, so two syslog sinks (or a test's own socket) were
 * impossible. A stalled syslog daemon blocks only this sink's thread. Nothing is lost silently: an
 * alert that cannot be sent (no daemon listening, the socket gone) is counted in dropped_error, and
 * the socket is reconnected before the next one. */
#include "output/sink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#define SYSLOG_DEFAULT_SOCKET "/dev/log"
#define SYSLOG_HDR_MAX 128 /* "<191>Dec 31 23:59:59 " + ident + "[pid]: " */
#define SYSLOG_SEND_TIMEOUT_S 5

static const struct {
	const char *name;
	int facility;
} facilities[] = {
    {"user", LOG_USER},		{"daemon", LOG_DAEMON}, {"auth", LOG_AUTH},
    {"authpriv", LOG_AUTHPRIV}, {"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
    {"local2", LOG_LOCAL2},	{"local3", LOG_LOCAL3}, {"local4", LOG_LOCAL4},
    {"local5", LOG_LOCAL5},	{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
};

struct syslog_state {
	struct sockaddr_un addr;
	socklen_t addrlen;
	int fd; /* -1 while not connected */
	char *buf;
	size_t bufsz;
	bool down_logged; /* "cannot send" logged for the current outage */
};

/* (Re)connects st->fd to the socket; returns 0 or -errno. */
static int syslog_connect(struct syslog_state *st)
{
	struct timeval tv = {.tv_sec = SYSLOG_SEND_TIMEOUT_S};
	int fd;

	if (st->fd >= 0)
		return 0;
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&st->addr, st->addrlen) < 0) {
		int e = errno;

		close(fd);
		return -e;
	}
	st->fd = fd;
	return 0;
}

int sink_syslog_open(struct sink *s, char *err, size_t errlen)
{
	const char *fac = strchr(s->spec, ':');
	const char *path = s->opts->syslog_socket ? s->opts->syslog_socket : SYSLOG_DEFAULT_SOCKET;
	struct syslog_state *st;
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
	if (strlen(path) >= sizeof(st->addr.sun_path)) {
		snprintf(err, errlen, "output '%s': syslog socket path too long: %s", s->spec,
			 path);
		return -ENAMETOOLONG;
	}
	st = calloc(1, sizeof(*st));
	s->ident = strdup(s->opts->syslog_ident);
	if (st)
		st->bufsz =
		    SYSLOG_HDR_MAX + strlen(s->opts->syslog_ident) + s->opts->max_alert_bytes;
	if (st)
		st->buf = malloc(st->bufsz);
	if (!st || !st->buf || !s->ident) {
		if (st)
			free(st->buf);
		free(st);
		snprintf(err, errlen, "output '%s': out of memory", s->spec);
		return -ENOMEM;
	}
	st->fd = -1;
	st->addr.sun_family = AF_UNIX;
	memcpy(st->addr.sun_path, path, strlen(path) + 1);
	st->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1);
	s->syslog = st;
	/* no daemon yet is not an error: it may start after us; sends count what is lost */
	syslog_connect(st);
	return 0;
}

/* Sends one alert; on failure reconnects once and tries again. Returns 0 or -errno. */
static int send_one(struct sink *s, const struct osq_rec *r)
{
	struct syslog_state *st = s->syslog;
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int hdr, attempt;
	size_t body = r->len - 1; /* r->len counts the '\n', which syslog does not want */

	localtime_r(&now, &tm);
	if (!strftime(stamp, sizeof(stamp), "%b %e %T", &tm))
		stamp[0] = '\0';
	hdr = snprintf(st->buf, st->bufsz, "<%d>%s %s[%d]: ", s->facility | r->prio, stamp,
		       s->ident, (int)getpid());
	if (hdr < 0 || (size_t)hdr + body > st->bufsz)
		return -EMSGSIZE;
	memcpy(st->buf + hdr, r->data, body);
	for (attempt = 0; attempt < 2; attempt++) {
		int rc = syslog_connect(st);

		if (rc == 0) {
			if (send(st->fd, st->buf, (size_t)hdr + body, MSG_NOSIGNAL) >= 0)
				return 0;
			rc = -errno;
			close(st->fd);
			st->fd = -1;
		}
		if (attempt == 1)
			return rc;
	}
	return -EIO;
}

void *sink_syslog_main(void *arg)
{
	struct sink *s = arg;
	struct syslog_state *st = s->syslog;

	for (;;) {
		struct osq_rec r;
		uint64_t end, pos, n, sent = 0, lost = 0;
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
			int rc = send_one(s, &r);

			if (rc == 0) {
				sent++;
				st->down_logged = false;
				continue;
			}
			lost++;
			atomic_fetch_add(&s->errors, 1);
			if (!st->down_logged)
				sink_log(s, LOG_ERR,
					 "cannot send to %s: %s (alerts are counted as lost)",
					 st->addr.sun_path, strerror(-rc));
			st->down_logged = true;
		}
		atomic_fetch_add(&s->sent, sent);
		atomic_fetch_add(&s->dropped_error, lost);
		osq_release(s, pos, sent + lost);
	}
	return NULL;
}

void sink_syslog_close(struct sink *s)
{
	struct syslog_state *st = s->syslog;

	if (st) {
		if (st->fd >= 0)
			close(st->fd);
		free(st->buf);
		free(st);
	}
	s->syslog = NULL;
	free(s->ident);
	s->ident = NULL;
}
