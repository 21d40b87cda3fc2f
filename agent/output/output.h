/* Alert output: a bounded queue and a thread per sink, so that a slow or dead sink never stalls the
 * event loop.
 *
 * The event loop hands each finished alert (one JSON object as text, no newline) to output_submit().
 * output_submit() copies it into every sink's preallocated byte ring and returns: it never blocks on
 * I/O and never allocates. Each sink's own thread drains its ring:
 *
 *   stdout            one line per alert on fd 1 (the default when no spec is given)
 *   file:PATH         append to PATH (O_APPEND|O_CLOEXEC, created 0640); output_reopen() reopens it
 *   syslog[:FACILITY] a datagram per alert to the local syslog socket, as syslog(3) sends it;
 *                     severity from the alert's priority; FACILITY as in syslog.conf (user,
 *                     daemon, auth, authpriv, local0..local7; default user)
 *   http://URL        POST batches of alerts as newline-delimited JSON (libcurl), with retries and
 *   https://URL       exponential backoff; TLS peer and host verification always on
 *
 * A full ring drops the new alert and counts it for that sink (dropped_full). Nothing else is lost
 * silently: every drop is in output_stats().
 *
 * Threads: output_submit(), output_reopen() and output_stats() may be called from any thread, also
 * concurrently; output_new() and output_free() from one thread, with no call in flight.
 */
#ifndef OSP_OUTPUT_H
#define OSP_OUTPUT_H

#include <stddef.h>
#include <stdint.h>

struct output;

/* Tunables. Zero in any field means "the default" given in its comment, so that
 * `struct output_opts o = {0};` (or a NULL pointer) gives a working configuration. */
struct output_opts {
	size_t queue_bytes; /* ring size per sink, default 4 MiB; at least 2 * max_alert_bytes */
	size_t
	    max_alert_bytes; /* longest alert accepted, default 64 KiB; longer: dropped_oversize */
	unsigned int
	    flush_timeout_ms; /* output_free(): how long sinks may take to drain, default 5000 */

	const char *syslog_ident;  /* default "osprey" */
	const char *syslog_socket; /* the local syslog socket (datagram), default "/dev/log" */

	const char *http_ca_file; /* PEM bundle to verify the server with, default: system CAs */
	const char *const *http_headers; /* extra "Name: value" headers, NULL-terminated, or NULL */
	unsigned int http_batch_max;	 /* alerts per request, default 100 */
	size_t http_batch_bytes;     /* body bytes per request, default 1 MiB, >= max_alert_bytes */
	unsigned int http_linger_ms; /* wait this long for a batch to fill, default 50 */
	unsigned int http_connect_timeout_ms; /* default 5000 */
	unsigned int http_timeout_ms;	      /* whole request, default 10000 */
	unsigned int
	    http_backoff_initial_ms;	  /* first retry delay, default 200; doubles per failure */
	unsigned int http_backoff_max_ms; /* cap of the retry delay, default 30000 */
	unsigned int http_max_retries;	  /* retries of one batch before it is dropped (counted in
					      * dropped_error); default 0 = retry until delivered or the
					      * queue overflows */

	/* Where the output stage reports its own problems (sink errors, first drop of a kind).
	 * NULL: a line on stderr. Called from sink threads as well; must be thread-safe. */
	void (*log)(void *ctx, int level, const char *msg);
	void *log_ctx;
};

/* Counters of one sink; all are totals since output_new() except the two depth values. */
struct output_sink_stats {
	const char *name;      /* the spec, with any URL password removed; owned by the output */
	uint64_t sent;	       /* alerts handed to the sink and accepted by it */
	uint64_t dropped_full; /* rejected by output_submit() because the ring was full */
	uint64_t dropped_oversize; /* rejected because longer than max_alert_bytes */
	uint64_t dropped_error;	   /* lost to a sink error: write failure, retries exhausted, HTTP
				    * 4xx other than 408/429, or still queued when output_free()
				    * gave up */
	uint64_t retries;	   /* HTTP requests repeated after a failure */
	uint64_t errors;	   /* failed write / send attempts (each attempt counts once) */
	uint64_t queue_depth;	   /* alerts queued now (for HTTP: including the batch in flight) */
	uint64_t queue_bytes;	   /* ring bytes used now */
};

/* Creates the output stage with one sink per spec in specs[0..n-1] (n == 0: one "stdout" sink) and
 * starts one thread per sink, with every signal blocked in those threads. opts may be NULL.
 * Files are opened and URLs parsed here, so that a bad spec fails at start-up: on error returns NULL,
 * sets errno and writes a one-line message naming the spec to err (if errlen > 0).
 * Returns a new output; free it with output_free(). */
struct output *output_new(const char *const *specs, size_t n, const struct output_opts *opts,
			  char *err, size_t errlen);

/* Queues one alert for every sink. line[0..len-1] is the alert without the trailing newline (one
 * trailing '\n' is tolerated and removed); it must not contain another newline. priority is the
 * syslog severity of the alert (LOG_EMERG 0 .. LOG_DEBUG 7, which are Falco's priorities in order);
 * values outside 0..7 are clamped. Never blocks on I/O, never allocates.
 * Returns 0 when every sink queued the alert; -ENOBUFS when at least one sink's ring was full (the
 * others queued it; the drop is counted per sink); -EMSGSIZE when len exceeds max_alert_bytes
 * (counted in every sink); -EINVAL for a NULL argument or an embedded newline. */
int output_submit(struct output *o, int priority, const char *line, size_t len);

/* Asks every file sink to reopen its path before writing the next alert (the agent calls this on
 * SIGHUP, after logrotate has renamed the file). Does not block: the sink thread reopens. If the
 * reopen fails, the sink keeps writing to the old file and logs why. NULL is a no-op. */
void output_reopen(struct output *o);

/* Waits until every sink's queue is empty (delivered or dropped) or timeout_ms has passed.
 * Returns 0 when all are empty, -ETIMEDOUT otherwise. Does not stop anything. */
int output_flush(struct output *o, unsigned int timeout_ms);

/* Copies the counters of up to max sinks, in spec order, into st. Returns the number of sinks
 * (which may be more than max). st may be NULL when max is 0. */
size_t output_stats(const struct output *o, struct output_sink_stats *st, size_t max);

/* Maps a Falco priority name ("CRITICAL", "Warning", "info", ...) to its syslog severity 0..7.
 * Returns -EINVAL for an unknown name. */
int output_priority_parse(const char *name);

/* Stops the output stage: every sink drains its queue (HTTP sinks keep retrying for at most
 * flush_timeout_ms; what is left then is counted in dropped_error and logged), then the threads are
 * joined and everything is freed. Blocks for at most about flush_timeout_ms plus one request timeout
 * for HTTP sinks; stdout and file sinks finish their queued writes. Accepts NULL. */
void output_free(struct output *o);

#endif
