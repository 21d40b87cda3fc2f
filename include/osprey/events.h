/* Osprey kernel <-> agent ABI: every record the BPF programs put in the ring buffer.
 *
 * Shared verbatim by the BPF programs (bpf/) and the agent. Rules for this file (Tetragon's): fixed-size fields,
 * explicit padding, a size assertion per struct, no pointers, no kernel-only types. Any change to a
 * layout bumps OSP_SCHEMA_VERSION; the agent refuses a BPF object built with another version.
 *
 * Paths travel as "component lists": the names met while walking from the file's dentry up to the
 * process's root, leaf first, each NUL-terminated ("passwd\0etc\0" for /etc/passwd). The kernel never
 * has to move bytes backwards; agent/decode.c reverses them into "/etc/passwd".
 */
#ifndef OSPREY_EVENTS_H
#define OSPREY_EVENTS_H

#ifdef __bpf__
typedef __u8 osp_u8;
typedef __u16 osp_u16;
typedef __u32 osp_u32;
typedef __s32 osp_s32;
typedef __u64 osp_u64;
typedef __s64 osp_s64;
#else
#include <stdint.h>
typedef uint8_t osp_u8;
typedef uint16_t osp_u16;
typedef uint32_t osp_u32;
typedef int32_t osp_s32;
typedef uint64_t osp_u64;
typedef int64_t osp_s64;
#endif

#define OSP_SCHEMA_VERSION 4

#define OSP_COMM_LEN 16
#define OSP_PATH_MAX 4096 /* bytes of a component list or a raw path string, NUL included */
#define OSP_NAME_MAX 256  /* longest single path component read, NUL included */
#define OSP_PATH_DEPTH 64 /* components walked before a path is flagged truncated */
#define OSP_ARGS_MAX 8192 /* argv bytes captured at exec (NUL-separated) */
#define OSP_ENV_MAX 4096  /* environment bytes captured at exec (NUL-separated) */
#define OSP_CGROUP_MAX 1024

enum osp_event_type {
	OSP_EV_EXEC = 1,
	OSP_EV_FORK = 2,
	OSP_EV_EXIT = 3,
	OSP_EV_OPEN = 4,
	OSP_EV_MAX
};

/* The syscall behind an event, in Falco's evt.type vocabulary. */
enum osp_syscall {
	OSP_SC_UNKNOWN = 0,
	OSP_SC_EXECVE,
	OSP_SC_EXECVEAT,
	OSP_SC_CLONE,
	OSP_SC_CLONE3,
	OSP_SC_FORK,
	OSP_SC_VFORK,
	OSP_SC_OPEN,
	OSP_SC_OPENAT,
	OSP_SC_OPENAT2,
	OSP_SC_CREAT,
	OSP_SC_MAX
};

/* Per-CPU loss and degradation counters (map "stats"). Every in-kernel failure increments one. */
enum osp_stat {
	OSP_STAT_RB_FULL = 0,  /* ring buffer full: event lost */
	OSP_STAT_PATH_TRUNC,   /* a path deeper/longer than the buffers: flagged, delivered */
	OSP_STAT_ARGS_TRUNC,   /* argv or environment longer than captured: flagged, delivered */
	OSP_STAT_CGROUP_TRUNC, /* cgroup path too long: flagged, delivered */
	OSP_STAT_READ_FAIL,    /* a user or kernel read failed (e.g. bad user pointer) */
	OSP_STAT_EVENTS,       /* events submitted (all types) */
	OSP_STAT_MAX
};

/* Common header in front of every record. */
struct osp_hdr {
	osp_u32 type;	    /* enum osp_event_type */
	osp_u32 size;	    /* bytes of this record, header included */
	osp_u64 ts;	    /* bpf_ktime_get_boot_ns() */
	osp_u32 tgid;	    /* process id */
	osp_u32 pid;	    /* thread id */
	osp_u64 start_time; /* task->group_leader->start_boottime: with tgid, the process key */
};
_Static_assert(sizeof(struct osp_hdr) == 32, "osp_hdr layout");

/* Path flags (osp_exec_event.flags and osp_open_event.flags). */
#define OSP_F_EXE_TRUNC (1u << 0)      /* exe component list truncated */
#define OSP_F_CWD_TRUNC (1u << 1)      /* cwd component list truncated */
#define OSP_F_ARGS_TRUNC (1u << 2)     /* argv longer than captured */
#define OSP_F_FILENAME_TRUNC (1u << 3) /* filename as invoked truncated */
#define OSP_F_CGROUP_TRUNC (1u << 4)   /* cgroup path truncated */
#define OSP_F_EXE_UPPER (1u << 5)      /* exe lives on an overlayfs upper layer */
#define OSP_F_EXE_MEMFD (1u << 6)      /* exe is a memfd (fileless execution) */
#define OSP_F_EXE_UNLINKED (1u << 7)   /* exe inode has no links left */
#define OSP_F_RAW_TRUNC (1u << 8)      /* open: raw path string truncated */
#define OSP_F_PATH_TRUNC (1u << 9)     /* open: resolved/base component list truncated */
#define OSP_F_RAW_FAULT (1u << 10)     /* open: raw path could not be read from user memory */
#define OSP_F_PATH_IS_FILE (1u << 11)  /* open: path = the opened file (from the new fd) */
#define OSP_F_BASE_TRUNC (1u << 12)    /* open: base (cwd/dirfd) component list truncated */
#define OSP_F_ENV_TRUNC (1u << 13)     /* exec: environment longer than captured */
/* The path is on a detached mount (umount2(MNT_DETACH), or an anonymous mount namespace): it is the
 * file's path inside its own filesystem, not one the process could open. */
#define OSP_F_EXE_DETACHED (1u << 14)  /* exec: exe */
#define OSP_F_CWD_DETACHED (1u << 15)  /* exec: cwd */
#define OSP_F_PATH_DETACHED (1u << 16) /* open: the opened file */
#define OSP_F_BASE_DETACHED (1u << 17) /* open: cwd/dirfd of a relative path */

/* exec: one record per successful execve/execveat, sent from sched_process_exec. */
struct osp_exec_event {
	struct osp_hdr hdr;
	osp_u64 parent_start_time;
	osp_u64 cgroup_id; /* cgroup v2 id (bpf_get_current_cgroup_id) */
	osp_u64 cap_effective;
	osp_u64 cap_permitted;
	osp_u64 exe_ino;
	osp_u64 exe_ctime; /* exe inode's ctime and mtime, ns since the epoch */
	osp_u64 exe_mtime;
	osp_u32 exe_dev;
	osp_u32 ppid;
	osp_u32 uid, gid, euid, egid;
	osp_u32 loginuid;
	osp_u32 sessionid; /* audit session id */
	osp_u32 sid;	   /* session leader tgid (host ns) */
	osp_u32 pgid;	   /* process group (host ns) */
	osp_u32 vpid;	   /* tgid in its own pid namespace */
	osp_u32 vpgid;	   /* process group in its own pid namespace */
	osp_u32 pidns_ino;
	osp_u32 tty_dev; /* controlling tty as (major << 20 | minor), 0 if none */
	osp_u32 old_pid; /* thread id that called exec (differs after a non-leader exec) */
	osp_u32 flags;	 /* OSP_F_* */
	osp_u16 syscall; /* OSP_SC_EXECVE or OSP_SC_EXECVEAT */
	osp_u16 exe_len; /* bytes used in exe[] */
	osp_u16 cwd_len;
	osp_u16 filename_len;
	osp_u16 args_len;
	osp_u16 cgroup_len;
	osp_u16 cgroup_v1_len;
	osp_u16 env_len;
	char comm[OSP_COMM_LEN];
	char exe[OSP_PATH_MAX];	     /* component list: the file the kernel loaded (bprm->file) */
	char cwd[OSP_PATH_MAX];	     /* component list */
	char filename[OSP_PATH_MAX]; /* string: the path as the caller passed it (bprm->filename) */
	char args[OSP_ARGS_MAX];     /* argv, NUL-separated */
	char cgroup[OSP_CGROUP_MAX]; /* component list: cgroup v2 path */
	/* component list: v1 "memory" hierarchy path (hybrid hosts) */
	char cgroup_v1[OSP_CGROUP_MAX];
	char env[OSP_ENV_MAX]; /* environment, NUL-separated */
};
_Static_assert(sizeof(struct osp_exec_event) % 8 == 0, "osp_exec_event padding");

/* fork: a new process (not a thread), sent from sched_process_fork. hdr.tgid/pid/start_time = child. */
struct osp_fork_event {
	struct osp_hdr hdr;
	osp_u64 parent_start_time;
	osp_u64 cgroup_id;
	osp_u32 ppid; /* parent tgid */
	osp_u32 parent_pid;
	osp_u32 uid;
	osp_u16 syscall; /* OSP_SC_CLONE/CLONE3/FORK/VFORK */
	osp_u16 pad0;
	char comm[OSP_COMM_LEN];
};
_Static_assert(sizeof(struct osp_fork_event) == 80, "osp_fork_event layout");

/* exit: the thread-group leader exited, sent from sched_process_exit. */
struct osp_exit_event {
	struct osp_hdr hdr;
	osp_s32 exit_code; /* raw wait status: (code << 8) | signal */
	osp_u32 pad0;
	char comm[OSP_COMM_LEN];
};
_Static_assert(sizeof(struct osp_exit_event) == 56, "osp_exit_event layout");

/* open: one record per open/openat/openat2/creat return, success or failure.
 * data[] holds, back to back: raw_len bytes of the raw path as passed (NUL included); path_len bytes of
 * the opened file's component list (success only, OSP_F_PATH_IS_FILE); base_len bytes of the component
 * list of the directory a relative raw path was relative to (cwd or dirfd, captured at that moment).
 * Only the header and the bytes used are sent. */
struct osp_open_event {
	struct osp_hdr hdr;
	osp_s64 ret; /* fd or -errno */
	osp_u64 cgroup_id;
	osp_u64 ino; /* opened file's inode, 0 on failure */
	osp_u32 dev; /* opened file's device (kernel dev_t), 0 on failure */
	osp_u32 open_flags;
	osp_u32 mode;
	osp_s32 dirfd;
	osp_u32 flags; /* OSP_F_* */
	osp_u16 syscall;
	osp_u16 raw_len;
	osp_u16 path_len;
	osp_u16 base_len;
	osp_u32 pad0;
	char comm[OSP_COMM_LEN];
	char data[2 * OSP_PATH_MAX];
};
#define OSP_OPEN_FIXED_SIZE ((osp_u32) __builtin_offsetof(struct osp_open_event, data))
_Static_assert(OSP_OPEN_FIXED_SIZE == 104, "osp_open_event layout");

#endif
