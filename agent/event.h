/* The decoded, enriched event: what the rule engine, the --events printer and the alert formatter read.
 *
 * Produced by agent/decode/ from one ring-buffer record, then enriched by the process table (proc/)
 * and the container resolver (container/). Every string points into storage owned by the decoder or
 * by the process table and stays valid until the next event is decoded: readers never free and never
 * keep.
 */
#ifndef OSP_EVENT_H
#define OSP_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "osprey/events.h"

/* Ancestors followed at most: by the proc.a* fields and their "any ancestor" form, the rules'
 * multi-valued checks, --events lists, replay, and the process table's /proc reads. */
#define OSP_ANCESTORS_MAX 64

/* A counted string; p is NUL-terminated as well. len == 0 with p == NULL means "absent". */
struct osp_str {
	const char *p;
	uint32_t len;
};

/* Bits of osp_proc.flags set by proc/ (the high end; events.h's OSP_F_* use the low bits).
 *   EXE_WRITABLE  proc.is_exe_writable: the exe was writable by the process's euid/egid at exec/seed
 *   SEEDED        read from /proc (by the seed, or on first sight through an event)
 *   DEAD          exit seen; the entry goes away at the next proctable_apply()
 *   PARTIAL       built from an event alone: exe, args, cwd unknown
 *   STR_TRUNC     strings shortened because the string arena was full */
#define OSP_PF_EXE_WRITABLE (1u << 31)
#define OSP_PF_SEEDED (1u << 30)
#define OSP_PF_DEAD (1u << 29)
#define OSP_PF_PARTIAL (1u << 28)
#define OSP_PF_STR_TRUNC (1u << 27)

/* What is known about one process. Filled from an exec event, from /proc, or both. */
struct osp_proc {
	uint32_t tgid;
	uint32_t ppid;
	uint32_t vpid;
	uint32_t sid;
	uint32_t pgid;
	uint32_t vpgid;
	uint32_t uid, gid, euid, egid;
	uint32_t loginuid;
	uint32_t tty_dev;
	uint32_t pidns_ino;
	uint32_t exe_dev;
	uint32_t flags; /* OSP_F_EXE_* from events.h, OSP_PF_* above */
	uint64_t start_time;
	uint64_t parent_start_time;
	uint64_t cgroup_id;
	uint64_t cap_effective;
	uint64_t cap_permitted;
	uint64_t exe_ino;
	uint64_t exe_ctime; /* ns since the epoch; 0 when unknown */
	uint64_t exe_mtime;
	char comm[OSP_COMM_LEN];
	struct osp_str exepath;	 /* the executable the kernel loaded */
	struct osp_str filename; /* the path as passed to execve */
	struct osp_str args;	 /* argv[0..argc-1], NUL-separated, args.len bytes */
	uint32_t argc;
	struct osp_str cwd;	  /* at exec time */
	struct osp_str cgroup;	  /* cgroup v2 path, "/" for the root */
	struct osp_str cgroup_v1; /* v1 memory-hierarchy path, when the host is hybrid */
};

/* The opened file, for OSP_EV_OPEN. */
struct osp_open_info {
	int64_t res;	/* fd or -errno */
	uint32_t flags; /* open(2) flags */
	uint32_t mode;
	int32_t dirfd;
	uint32_t eflags; /* OSP_F_* from events.h */
	uint64_t ino;
	uint32_t dev;
	struct osp_str name;	 /* fd.name: raw path joined to cwd/dirfd, normalised as text */
	struct osp_str nameraw;	 /* fd.nameraw: as passed */
	struct osp_str realpath; /* fd.realpath: the file the kernel opened (success only) */
};

struct osp_container; /* container/container.h */

struct osp_event {
	uint32_t type;	  /* enum osp_event_type */
	uint32_t syscall; /* enum osp_evt, as the record says: read it with vocab_evt_of() */
	uint64_t ktime;	  /* boot-time ns, as the kernel stamped it */
	uint64_t ts;	  /* wall clock ns since the epoch */
	uint32_t tgid;
	uint32_t pid;
	int32_t exit_code;	       /* OSP_EV_EXIT */
	uint32_t flags;		       /* OSP_F_* of the record */
	struct osp_proc *proc;	       /* the subject process (for fork: the child); never NULL */
	const struct osp_proc *parent; /* NULL when unknown */
	struct osp_open_info open;     /* OSP_EV_OPEN only */
	const struct osp_container *container; /* NULL until resolved; see container/ */
	struct osp_str exec_env; /* OSP_EV_EXEC: the new image's environment, NUL-separated */
};

#endif
