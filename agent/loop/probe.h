/* Loading and attaching the BPF programs (bpf/) and reading their loss counters. */
#ifndef OSP_PROBE_H
#define OSP_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "osprey/events.h"

struct ring_buffer;
typedef int (*probe_record_fn)(void *ctx, void *data, size_t len);

struct osp_probe {
	struct exec_bpf *exec;
	struct open_bpf *open;
	struct ring_buffer *rb;
	int stats_fd;
	int ncpus;
};

struct osp_probe_opts {
	uint32_t agent_tgid;   /* filtered out in the kernel; 0 = filter nothing */
	uint64_t wakeup_bytes; /* 0 = default */
	int enable_open;       /* attach the open hooks */
};

/* Checks that this process has what the agent needs: CAP_BPF and CAP_PERFMON (or CAP_SYS_ADMIN,
 * which covers both), CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, and CAP_SYS_ADMIN when tracefs must be
 * mounted (need_tracefs). Returns 0, or -EPERM with one line in err naming what is missing.
 * probe_open() calls it before libbpf runs. */
int probe_check_privileges(bool need_tracefs, char *err, size_t errlen);

/* Loads, verifies and attaches every program; records are delivered to fn(ctx, ...) from
 * probe_poll(). On failure returns -errno and writes a one-line reason to err. The probe must be
 * zeroed before the call; probe_close() accepts a half-opened probe. */
int probe_open(struct osp_probe *p, const struct osp_probe_opts *o, probe_record_fn fn, void *ctx,
	       char *err, size_t errlen);

/* Waits up to timeout_ms for the kernel's wake-up, then drains every pending record (records written
 * without a wake-up are drained too). Returns records consumed or -errno (-EINTR on a signal). */
int probe_poll(struct osp_probe *p, int timeout_ms);

/* Sums the per-CPU counters into out[OSP_STAT_MAX]. Returns 0 or -errno. */
int probe_stats(const struct osp_probe *p, uint64_t out[OSP_STAT_MAX]);

/* Human name of a counter ("ringbuf_full", ...). */
const char *probe_stat_name(unsigned int which);

void probe_close(struct osp_probe *p);

#endif
