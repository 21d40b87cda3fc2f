/* Internals of the output stage, shared by output.c (queue, threads, specs) and the sink_*.c files.
 * Nothing here is part of the agent's API: include output/output.h instead.
 *
 * The queue is a byte ring of records with many producers and one consumer (the sink thread).
 * A record is a struct osq_hdr followed by the alert and its '\n', padded to 8 bytes; a record never
 * wraps: when it does not fit before the end of the ring a pad record fills the rest and the record
 * starts at offset 0. Producers copy under the mutex; the consumer takes the mutex only to learn how
 * far it may read and to give space back, and reads the records in place (a producer never writes
 * between tail and head). So no lock is ever held across I/O.
 */
#ifndef OSP_OUTPUT_SINK_H
#define OSP_OUTPUT_SINK_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "output/output.h"

#define OSQ_ALIGN 8u
#define OSQ_PAD 0x1u /* osq_hdr.flags: skip to the start of the ring */

struct osq_hdr {
	uint32_t len; /* data bytes, '\n' included; for a pad record: unused */
	uint16_t prio;
	uint16_t flags;
};
_Static_assert(sizeof(struct osq_hdr) == OSQ_ALIGN, "record header is one alignment unit");

enum sink_kind { SINK_STDOUT, SINK_FILE, SINK_SYSLOG, SINK_HTTP };

/* A record as the consumer sees it, in place in the ring. */
struct osq_rec {
	const char *data; /* the alert, then '\n' */
	uint32_t len;	  /* bytes of data, '\n' included */
	int prio;
};

struct sink {
	enum sink_kind kind;
	char *spec; /* as given */
	char *name; /* for stats and logs: spec without URL credentials */
	const struct output_opts *opts;
	pthread_t thread;
	bool started;

	/* queue */
	pthread_mutex_t mu;
	pthread_cond_t cv;	/* consumer wake-up: data, stop, kick */
	pthread_cond_t idle_cv; /* output_flush() waiters: queue empty */
	uint8_t *buf;
	uint64_t cap;
	uint64_t head, tail; /* byte positions, only ever growing; index = pos % cap */
	uint64_t count;	     /* records between tail and head, pads not counted */
	bool waiting;	     /* consumer sleeps on cv */
	unsigned int flush_waiters;
	bool stop;
	_Atomic bool stop_flag; /* stop, readable without mu (curl's progress callback) */
	bool kick;		/* reopen requested */
	bool mu_init, cv_init;
	struct timespec deadline; /* CLOCK_MONOTONIC; valid once stop is set */

	/* counters, read lock-free by output_stats() */
	_Atomic uint64_t sent, dropped_full, dropped_oversize, dropped_error, retries, errors;
	_Atomic uint64_t depth, depth_bytes;
	/* consumer-only: what sink_report_drops() has already logged */
	uint64_t seen_full, seen_oversize;
	bool full_episode;

	/* kind-specific state */
	int fd;			     /* stdout, file */
	char *path;		     /* file */
	int facility;		     /* syslog */
	char *ident;		     /* syslog */
	struct syslog_state *syslog; /* sink_syslog.c */
	void *http;		     /* struct http_state *, sink_http.c */
};

/* ---- queue, output.c ---- */

/* Waits until at least want records are queued, stop is set, a kick is pending, or deadline
 * (CLOCK_MONOTONIC, may be NULL) passes. Returns the snapshot: *end the head position, the count of
 * records as return value. *stopping and *kicked report (and clear, for kick) the flags. */
uint64_t osq_wait(struct sink *s, uint64_t want, const struct timespec *deadline, uint64_t *end,
		  bool *stopping, bool *kicked);

/* Reads the record at *pos (< end), skipping pad records; advances *pos past it.
 * Returns false when *pos reached end. */
bool osq_next(struct sink *s, uint64_t *pos, uint64_t end, struct osq_rec *r);

/* Gives the space up to new_tail back to producers; nrecs records were consumed. */
void osq_release(struct sink *s, uint64_t new_tail, uint64_t nrecs);

/* Logs, from the sink thread, the first drop of each overflow episode and the first oversize drop;
 * queued is the current queue depth (0 ends an overflow episode). */
void sink_report_drops(struct sink *s, uint64_t queued);

/* Sleeps until deadline (CLOCK_MONOTONIC) or until stop is requested during the sleep; returns true
 * if stop is set. */
bool sink_sleep_until(struct sink *s, const struct timespec *deadline);

/* ---- helpers, output.c ---- */
void sink_log(struct sink *s, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ts_add_ms(struct timespec *ts, uint64_t ms);
int ts_cmp(const struct timespec *a, const struct timespec *b);
void ts_now(struct timespec *ts);

/* ---- sinks ---- Each open() runs in output_new() (errors go to err), main() is the thread body,
 * close() runs after the thread has been joined (or was never started) and accepts a half-opened
 * sink. */
int sink_fd_open(struct sink *s, char *err, size_t errlen);
void *sink_fd_main(void *arg);
void sink_fd_close(struct sink *s);

int sink_syslog_open(struct sink *s, char *err, size_t errlen);
void *sink_syslog_main(void *arg);
void sink_syslog_close(struct sink *s);

int sink_http_open(struct sink *s, char *err, size_t errlen);
void *sink_http_main(void *arg);
void sink_http_close(struct sink *s);

#endif
