/* Output stage: spec parsing, the per-sink byte ring, sink threads, counters. The sinks themselves
 * (how a record leaves the process) are in sink_fd.c, sink_syslog.c and sink_http.c.
 *
 * Hot path: output_submit() -> osq_push() per sink: one mutex (never held across I/O), one memcpy.
 */
#include "output/sink.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#define DEF_QUEUE_BYTES (4u << 20)
#define DEF_MAX_ALERT (64u << 10)
#define DEF_FLUSH_MS 5000u
#define DEF_BATCH_MAX 100u
#define DEF_BATCH_BYTES (1u << 20)
#define DEF_LINGER_MS 50u
#define DEF_CONNECT_MS 5000u
#define DEF_TIMEOUT_MS 10000u
#define DEF_BACKOFF_MS 200u
#define DEF_BACKOFF_MAX_MS 30000u

struct output {
	struct output_opts opts; /* defaults filled in */
	size_t nsinks;
	struct sink *sinks;
};

static uint64_t align8(uint64_t n)
{
	return (n + OSQ_ALIGN - 1) & ~(uint64_t)(OSQ_ALIGN - 1);
}

static uint64_t rec_size(size_t len)
{
	return sizeof(struct osq_hdr) + align8((uint64_t)len + 1);
}

/* ---- time ---- */

void ts_now(struct timespec *ts)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
}

void ts_add_ms(struct timespec *ts, uint64_t ms)
{
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	if (a->tv_nsec != b->tv_nsec)
		return a->tv_nsec < b->tv_nsec ? -1 : 1;
	return 0;
}

/* ---- logging ---- */

void sink_log(struct sink *s, int level, const char *fmt, ...)
{
	char msg[512];
	int off;
	va_list ap;

	off = snprintf(msg, sizeof(msg), "output %s: ", s->name ? s->name : "?");
	if (off < 0 || (size_t)off >= sizeof(msg))
		off = 0;
	va_start(ap, fmt);
	vsnprintf(msg + off, sizeof(msg) - (size_t)off, fmt, ap);
	va_end(ap);
	if (s->opts->log)
		s->opts->log(s->opts->log_ctx, level, msg);
	else
		fprintf(stderr, "osprey: %s\n", msg);
}

/* ---- queue ---- */

static int osq_push(struct sink *s, int prio, const char *line, size_t len)
{
	uint64_t need = rec_size(len), pos, to_end, total;
	struct osq_hdr h = {.len = (uint32_t)len + 1, .prio = (uint16_t)prio, .flags = 0};

	pthread_mutex_lock(&s->mu);
	pos = s->head % s->cap;
	to_end = s->cap - pos;
	total = to_end < need ? to_end + need : need;
	if (s->cap - (s->head - s->tail) < total) {
		pthread_mutex_unlock(&s->mu);
		atomic_fetch_add_explicit(&s->dropped_full, 1, memory_order_relaxed);
		return -ENOBUFS;
	}
	if (to_end < need) {
		/* to_end >= 8: positions and cap are multiples of 8 */
		struct osq_hdr pad = {.len = 0, .prio = 0, .flags = OSQ_PAD};

		memcpy(s->buf + pos, &pad, sizeof(pad));
		s->head += to_end;
		pos = 0;
	}
	memcpy(s->buf + pos, &h, sizeof(h));
	memcpy(s->buf + pos + sizeof(h), line, len);
	s->buf[pos + sizeof(h) + len] = '\n';
	s->head += need;
	s->count++;
	atomic_store_explicit(&s->depth, s->count, memory_order_relaxed);
	atomic_store_explicit(&s->depth_bytes, s->head - s->tail, memory_order_relaxed);
	if (s->waiting)
		pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

uint64_t osq_wait(struct sink *s, uint64_t want, const struct timespec *deadline, uint64_t *end,
		  bool *stopping, bool *kicked)
{
	uint64_t n;

	pthread_mutex_lock(&s->mu);
	while (s->count < want && !s->stop && !s->kick) {
		int rc;

		s->waiting = true;
		if (deadline)
			rc = pthread_cond_timedwait(&s->cv, &s->mu, deadline);
		else
			rc = pthread_cond_wait(&s->cv, &s->mu);
		if (rc == ETIMEDOUT)
			break;
	}
	s->waiting = false;
	*end = s->head;
	n = s->count;
	*stopping = s->stop;
	*kicked = s->kick;
	s->kick = false;
	pthread_mutex_unlock(&s->mu);
	return n;
}

bool osq_next(struct sink *s, uint64_t *pos, uint64_t end, struct osq_rec *r)
{
	while (*pos < end) {
		uint64_t idx = *pos % s->cap;
		struct osq_hdr h;

		memcpy(&h, s->buf + idx, sizeof(h));
		if (h.flags & OSQ_PAD) {
			*pos += s->cap - idx;
			continue;
		}
		r->data = (const char *)s->buf + idx + sizeof(h);
		r->len = h.len;
		r->prio = h.prio;
		*pos += sizeof(h) + align8(h.len);
		return true;
	}
	return false;
}

void osq_release(struct sink *s, uint64_t new_tail, uint64_t nrecs)
{
	pthread_mutex_lock(&s->mu);
	s->tail = new_tail;
	s->count -= nrecs;
	atomic_store_explicit(&s->depth, s->count, memory_order_relaxed);
	atomic_store_explicit(&s->depth_bytes, s->head - s->tail, memory_order_relaxed);
	if (s->count == 0 && s->flush_waiters)
		pthread_cond_broadcast(&s->idle_cv);
	pthread_mutex_unlock(&s->mu);
}

bool sink_sleep_until(struct sink *s, const struct timespec *deadline)
{
	bool was, now;

	pthread_mutex_lock(&s->mu);
	was = s->stop;
	while (s->stop == was) {
		if (pthread_cond_timedwait(&s->cv, &s->mu, deadline) == ETIMEDOUT)
			break;
	}
	now = s->stop;
	pthread_mutex_unlock(&s->mu);
	return now;
}

void sink_report_drops(struct sink *s, uint64_t queued)
{
	uint64_t full = atomic_load_explicit(&s->dropped_full, memory_order_relaxed);
	uint64_t big = atomic_load_explicit(&s->dropped_oversize, memory_order_relaxed);

	if (full > s->seen_full) {
		if (!s->full_episode)
			sink_log(s, LOG_WARNING,
				 "queue full (%llu bytes): dropping alerts (%llu dropped so far)",
				 (unsigned long long)s->cap, (unsigned long long)full);
		s->full_episode = true;
		s->seen_full = full;
	} else if (queued == 0 && s->full_episode) {
		sink_log(s, LOG_NOTICE, "queue drained; %llu alerts dropped in total while full",
			 (unsigned long long)full);
		s->full_episode = false;
	}
	if (big > s->seen_oversize) {
		if (s->seen_oversize == 0)
			sink_log(s, LOG_WARNING,
				 "alerts longer than %zu bytes are dropped (%llu so far)",
				 s->opts->max_alert_bytes, (unsigned long long)big);
		s->seen_oversize = big;
	}
}

/* ---- specs ---- */

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int parse_kind(const char *spec, enum sink_kind *kind)
{
	if (!strcmp(spec, "stdout"))
		*kind = SINK_STDOUT;
	else if (!strncmp(spec, "file:", 5))
		*kind = SINK_FILE;
	else if (!strcmp(spec, "syslog") || !strncmp(spec, "syslog:", 7))
		*kind = SINK_SYSLOG;
	else if (!strncasecmp(spec, "http://", 7) || !strncasecmp(spec, "https://", 8))
		*kind = SINK_HTTP;
	else
		return -EINVAL;
	return 0;
}

static void fill_defaults(struct output_opts *o)
{
#define DEF(f, v)                                                                                  \
	do {                                                                                       \
		if (!o->f)                                                                         \
			o->f = (v);                                                                \
	} while (0)
	DEF(queue_bytes, DEF_QUEUE_BYTES);
	DEF(max_alert_bytes, DEF_MAX_ALERT);
	DEF(flush_timeout_ms, DEF_FLUSH_MS);
	DEF(syslog_ident, "osprey");
	DEF(http_batch_max, DEF_BATCH_MAX);
	DEF(http_batch_bytes, DEF_BATCH_BYTES);
	DEF(http_linger_ms, DEF_LINGER_MS);
	DEF(http_connect_timeout_ms, DEF_CONNECT_MS);
	DEF(http_timeout_ms, DEF_TIMEOUT_MS);
	DEF(http_backoff_initial_ms, DEF_BACKOFF_MS);
	DEF(http_backoff_max_ms, DEF_BACKOFF_MAX_MS);
#undef DEF
	if (o->http_backoff_max_ms < o->http_backoff_initial_ms)
		o->http_backoff_max_ms = o->http_backoff_initial_ms;
	o->queue_bytes = align8(o->queue_bytes);
}

static int check_opts(const struct output_opts *o, char *err, size_t errlen)
{
	if (o->max_alert_bytes > UINT32_MAX / 2) {
		set_err(err, errlen, "output: max_alert_bytes %zu is too large",
			o->max_alert_bytes);
		return -EINVAL;
	}
	if (o->queue_bytes < 2 * rec_size(o->max_alert_bytes)) {
		set_err(err, errlen,
			"output: queue_bytes %zu must be at least twice max_alert_bytes (%zu) plus "
			"headers",
			o->queue_bytes, o->max_alert_bytes);
		return -EINVAL;
	}
	if (o->http_batch_bytes < o->max_alert_bytes + 1) {
		set_err(err, errlen,
			"output: http_batch_bytes %zu is smaller than max_alert_bytes %zu",
			o->http_batch_bytes, o->max_alert_bytes);
		return -EINVAL;
	}
	return 0;
}

static int sink_init(struct sink *s, const char *spec, const struct output_opts *opts)
{
	pthread_condattr_t ca;
	int err = 0;

	s->opts = opts;
	s->fd = -1;
	s->spec = strdup(spec);
	s->name = strdup(spec);
	if (!s->spec || !s->name)
		return -ENOMEM;
	s->cap = opts->queue_bytes;
	s->buf = malloc(s->cap);
	if (!s->buf)
		return -ENOMEM;
	if (pthread_condattr_init(&ca))
		return -ENOMEM;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_mutex_init(&s->mu, NULL)) {
		err = -ENOMEM;
		goto cleanup;
	}
	s->mu_init = true;
	if (pthread_cond_init(&s->cv, &ca) || pthread_cond_init(&s->idle_cv, &ca)) {
		err = -ENOMEM;
		goto cleanup;
	}
	s->cv_init = true;
cleanup:
	pthread_condattr_destroy(&ca);
	return err;
}

static void sink_destroy(struct sink *s)
{
	switch (s->kind) {
	case SINK_STDOUT:
	case SINK_FILE:
		sink_fd_close(s);
		break;
	case SINK_SYSLOG:
		sink_syslog_close(s);
		break;
	case SINK_HTTP:
		sink_http_close(s);
		break;
	}
	if (s->cv_init) {
		pthread_cond_destroy(&s->cv);
		pthread_cond_destroy(&s->idle_cv);
	}
	if (s->mu_init)
		pthread_mutex_destroy(&s->mu);
	free(s->buf);
	free(s->spec);
	free(s->name);
}

static int sink_start(struct sink *s)
{
	void *(*fn)(void *) = NULL;
	sigset_t all, old;
	int rc;

	switch (s->kind) {
	case SINK_STDOUT:
	case SINK_FILE:
		fn = sink_fd_main;
		break;
	case SINK_SYSLOG:
		fn = sink_syslog_main;
		break;
	case SINK_HTTP:
		fn = sink_http_main;
		break;
	}
	/* Signals (SIGHUP, SIGTERM, SIGPIPE from a closed stdout) belong to the main thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = pthread_create(&s->thread, NULL, fn, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return -rc;
	s->started = true;
	return 0;
}

static void sink_stop(struct sink *s, const struct timespec *deadline)
{
	pthread_mutex_lock(&s->mu);
	s->deadline = *deadline;
	atomic_store(&s->stop_flag, true);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

struct output *output_new(const char *const *specs, size_t n, const struct output_opts *opts,
			  char *err, size_t errlen)
{
	static const char *const def_specs[] = {"stdout"};
	struct output *o;
	size_t i, j;
	int rc = 0;

	if (err && errlen)
		err[0] = '\0';
	if (n && !specs) {
		set_err(err, errlen, "output: no specs given");
		errno = EINVAL;
		return NULL;
	}
	if (!n) {
		specs = def_specs;
		n = 1;
	}
	o = calloc(1, sizeof(*o));
	if (!o) {
		set_err(err, errlen, "output: out of memory");
		errno = ENOMEM;
		return NULL;
	}
	if (opts)
		o->opts = *opts;
	/* Only read during output_new(); the sinks keep their own copies. */
	o->opts.http_ca_file = NULL;
	o->opts.http_headers = NULL;
	fill_defaults(&o->opts);
	rc = check_opts(&o->opts, err, errlen);
	if (rc)
		goto cleanup;
	o->sinks = calloc(n, sizeof(*o->sinks));
	if (!o->sinks) {
		rc = -ENOMEM;
		set_err(err, errlen, "output: out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		struct sink *s = &o->sinks[i];
		const char *spec = specs[i];

		if (!spec || !*spec) {
			rc = -EINVAL;
			set_err(err, errlen,
				"output: empty output spec (expected stdout, file:PATH, "
				"syslog[:FACILITY], http://URL or https://URL)");
			goto cleanup;
		}
		if (parse_kind(spec, &s->kind)) {
			rc = -EINVAL;
			set_err(err, errlen,
				"output '%s': unknown sink (expected stdout, file:PATH, "
				"syslog[:FACILITY], http://URL or https://URL)",
				spec);
			goto cleanup;
		}
		for (j = 0; j < i; j++) {
			if (!strcmp(specs[j], spec)) {
				rc = -EINVAL;
				set_err(err, errlen, "output '%s': given twice", spec);
				goto cleanup;
			}
		}
		o->nsinks = i + 1;
		rc = sink_init(s, spec, &o->opts);
		if (rc) {
			set_err(err, errlen, "output '%s': %s", spec, strerror(-rc));
			goto cleanup;
		}
		switch (s->kind) {
		case SINK_STDOUT:
		case SINK_FILE:
			rc = sink_fd_open(s, err, errlen);
			break;
		case SINK_SYSLOG:
			rc = sink_syslog_open(s, err, errlen);
			break;
		case SINK_HTTP: {
			struct output_opts full = o->opts;

			full.http_ca_file = opts ? opts->http_ca_file : NULL;
			full.http_headers = opts ? opts->http_headers : NULL;
			s->opts = &full;
			rc = sink_http_open(s, err, errlen);
			s->opts = &o->opts;
			break;
		}
		}
		if (rc)
			goto cleanup;
	}
	for (i = 0; i < o->nsinks; i++) {
		rc = sink_start(&o->sinks[i]);
		if (rc) {
			set_err(err, errlen, "output '%s': cannot start thread: %s",
				o->sinks[i].spec, strerror(-rc));
			goto cleanup;
		}
	}
	return o;
cleanup:
	output_free(o);
	errno = -rc;
	return NULL;
}

int output_submit(struct output *o, int priority, const char *line, size_t len)
{
	size_t i;
	int ret = 0;

	if (!o || !line)
		return -EINVAL;
	if (len && line[len - 1] == '\n')
		len--;
	if (len > o->opts.max_alert_bytes) {
		for (i = 0; i < o->nsinks; i++)
			atomic_fetch_add_explicit(&o->sinks[i].dropped_oversize, 1,
						  memory_order_relaxed);
		return -EMSGSIZE;
	}
	if (memchr(line, '\n', len))
		return -EINVAL;
	if (priority < LOG_EMERG)
		priority = LOG_EMERG;
	if (priority > LOG_DEBUG)
		priority = LOG_DEBUG;
	for (i = 0; i < o->nsinks; i++) {
		if (osq_push(&o->sinks[i], priority, line, len))
			ret = -ENOBUFS;
	}
	return ret;
}

void output_reopen(struct output *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];

		if (s->kind != SINK_FILE)
			continue;
		pthread_mutex_lock(&s->mu);
		s->kick = true;
		pthread_cond_signal(&s->cv);
		pthread_mutex_unlock(&s->mu);
	}
}

int output_flush(struct output *o, unsigned int timeout_ms)
{
	struct timespec deadline;
	size_t i;
	int ret = 0;

	if (!o)
		return 0;
	ts_now(&deadline);
	ts_add_ms(&deadline, timeout_ms);
	for (i = 0; i < o->nsinks; i++) {
		struct sink *s = &o->sinks[i];

		pthread_mutex_lock(&s->mu);
		s->flush_waiters++;
		while (s->count) {
			if (pthread_cond_timedwait(&s->idle_cv, &s->mu, &deadline) == ETIMEDOUT)
				break;
		}
		if (s->count)
			ret = -ETIMEDOUT;
		s->flush_waiters--;
		pthread_mutex_unlock(&s->mu);
	}
	return ret;
}

size_t output_stats(const struct output *o, struct output_sink_stats *st, size_t max)
{
	size_t i;

	if (!o)
		return 0;
	for (i = 0; i < o->nsinks && i < max; i++) {
		const struct sink *s = &o->sinks[i];

		st[i].name = s->name;
		st[i].sent = atomic_load_explicit(&s->sent, memory_order_relaxed);
		st[i].dropped_full = atomic_load_explicit(&s->dropped_full, memory_order_relaxed);
		st[i].dropped_oversize =
		    atomic_load_explicit(&s->dropped_oversize, memory_order_relaxed);
		st[i].dropped_error = atomic_load_explicit(&s->dropped_error, memory_order_relaxed);
		st[i].retries = atomic_load_explicit(&s->retries, memory_order_relaxed);
		st[i].errors = atomic_load_explicit(&s->errors, memory_order_relaxed);
		st[i].queue_depth = atomic_load_explicit(&s->depth, memory_order_relaxed);
		st[i].queue_bytes = atomic_load_explicit(&s->depth_bytes, memory_order_relaxed);
	}
	return o->nsinks;
}

int output_priority_parse(const char *name)
{
	static const struct {
		const char *name;
		int level;
	} map[] = {
	    {"emergency", LOG_EMERG}, {"emerg", LOG_EMERG},	   {"alert", LOG_ALERT},
	    {"critical", LOG_CRIT},   {"crit", LOG_CRIT},	   {"error", LOG_ERR},
	    {"err", LOG_ERR},	      {"warning", LOG_WARNING},	   {"warn", LOG_WARNING},
	    {"notice", LOG_NOTICE},   {"informational", LOG_INFO}, {"info", LOG_INFO},
	    {"debug", LOG_DEBUG},
	};
	size_t i;

	if (!name)
		return -EINVAL;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (!strcasecmp(name, map[i].name))
			return map[i].level;
	}
	return -EINVAL;
}

void output_free(struct output *o)
{
	struct timespec deadline;
	size_t i;

	if (!o)
		return;
	ts_now(&deadline);
	ts_add_ms(&deadline, o->opts.flush_timeout_ms);
	for (i = 0; i < o->nsinks; i++) {
		if (o->sinks[i].started)
			sink_stop(&o->sinks[i], &deadline);
	}
	for (i = 0; i < o->nsinks; i++) {
		if (o->sinks[i].started)
			pthread_join(o->sinks[i].thread, NULL);
	}
	for (i = 0; i < o->nsinks; i++)
		sink_destroy(&o->sinks[i]);
	free(o->sinks);
	free(o);
}
