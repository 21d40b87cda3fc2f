/* Decoding of ring-buffer records into struct osp_event (agent/event.h).
 *
 * One decoder per event loop. It owns the text buffers the decoded event points into; they are reused
 * for every record, so decoding allocates nothing. Every record is checked against its declared and
 * actual size before a byte of it is read. */
#ifndef OSP_DECODE_H
#define OSP_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"

struct osp_decoder_stats {
	uint64_t decoded;
	uint64_t malformed;	/* records shorter than their type needs, or of unknown type */
	uint64_t path_too_long; /* a rebuilt path did not fit its buffer */
};

struct osp_decoder {
	struct osp_proc proc; /* the subject of exec/fork/exit records */
	int64_t boot_to_wall; /* add to a boot-time stamp to get wall-clock ns */
	struct osp_decoder_stats stats;
	char exepath[OSP_PATH_MAX + 1];
	char cwd[OSP_PATH_MAX + 1];
	char filename[OSP_PATH_MAX + 1];
	char args[OSP_ARGS_MAX + 1];
	char env[OSP_ENV_MAX + 1];
	char cgroup[OSP_CGROUP_MAX + 1];
	char cgroup_v1[OSP_CGROUP_MAX + 1];
	char nameraw[OSP_PATH_MAX + 1];
	char realpath[OSP_PATH_MAX + 1];
	char base[OSP_PATH_MAX + 1];
	char name[2 * OSP_PATH_MAX + 2];
};

/* Prepares d (which the caller owns, e.g. static or heap: it is ~40 KiB). Cannot fail. */
void decode_init(struct osp_decoder *d);

/* Re-reads the offset between the boot-time and wall clocks (call every few seconds: NTP steps). */
void decode_sync_clock(struct osp_decoder *d);

/* Decodes one record of len bytes into ev. Returns 0, or -EINVAL for a malformed record (counted).
 * ev's strings point into d and stay valid until the next call. ev->proc points to d->proc for
 * exec/fork/exit records; for open records it is d->proc with only tgid/pid/comm/cgroup_id set
 * (the process table replaces it with its own entry). */
int decode_record(struct osp_decoder *d, const void *rec, size_t len, struct osp_event *ev);

#endif
