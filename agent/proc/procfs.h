/* Reading one process from <host_root>/proc: internal to proc/.
 *
 * Every file is read relative to a directory fd of /proc/PID: once the process is gone (even if its pid
 * is reused meanwhile) reads under that fd fail, so a record is never a mix of two processes. Only open,
 * read, readlink and fstat are used: no allocation.
 */
#ifndef OSP_PROC_PROCFS_H
#define OSP_PROC_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "osprey/events.h"

/* One process as /proc shows it. Strings are NUL-terminated; *_len excludes the NUL except args_len,
 * which counts every byte read from cmdline (the final NUL included). has_* say whether the file could
 * be read at all (kernel threads have no exe, no cwd for a zombie ...). */
struct procfs_info {
	uint32_t tgid, ppid, pgid, sid;
	uint32_t
	    tty_dev; /* kernel dev_t layout (major << 20 | minor), as the BPF side reports it */
	uint32_t vpid, vpgid;
	uint32_t uid, gid, euid, egid;
	uint32_t loginuid;
	uint32_t pidns_ino;
	uint32_t exe_dev; /* kernel dev_t layout */
	uint32_t flags;	  /* OSP_F_EXE_MEMFD / OSP_F_EXE_UNLINKED / OSP_F_ARGS_TRUNC */
	uint64_t start_ticks;
	uint64_t cap_effective, cap_permitted;
	uint64_t exe_ino;
	uint64_t root_dev, root_ino; /* identity of the process's "/" (stat of /proc/PID/root) */
	bool has_exe, has_args, has_cwd, has_cgroup, has_cgroup_v1, has_root, exe_writable;
	char comm[OSP_COMM_LEN];
	char exepath[OSP_PATH_MAX];
	char cwd[OSP_PATH_MAX];
	char args[OSP_ARGS_MAX + 1];
	char cgroup[OSP_CGROUP_MAX];
	char cgroup_v1[OSP_CGROUP_MAX];
	uint32_t exepath_len, cwd_len, args_len, argc, cgroup_len, cgroup_v1_len;
};

/* Reads process tgid under procfd (an fd of <host_root>/proc). stat and status are required; every
 * other file is optional. Returns 0, -ENOENT/-ESRCH when the process is gone, -EINVAL when stat or status
 * cannot be parsed. out is fully overwritten either way. */
int procfs_read(int procfd, uint32_t tgid, struct procfs_info *out);

/* Reads only the start time (field 22 of stat, in ticks) of tgid. Returns 0 or -errno. */
int procfs_read_start(int procfd, uint32_t tgid, uint64_t *ticks);

/* Reads only what a cgroup change needs: the cgroup paths (cgroup, cgroup_v1, has_*) and, after them,
 * the start time (start_ticks) through one directory fd of /proc/PID, so the caller can check that the
 * pid still names the same process. Other members of out are reset. Returns 0, -ENOENT/-ESRCH when
 * the process is gone, -EINVAL when stat cannot be parsed. */
int procfs_read_cgroup(int procfd, uint32_t tgid, struct procfs_info *out);

/* Reads the last NSpid value of tgid's status (its pid in its own namespace). Returns 0 or -errno. */
int procfs_read_vpid(int procfd, uint32_t tgid, uint32_t *vpid);

/* What an exec needs from a live process, with one lookup of /proc/PID: through /proc/PID/exe the
 * exe's inode, device and writability by (euid, egid); through /proc/PID/root the identity of its "/".
 * Returns 0 or -errno when the process is gone; *have_exe / *have_root say which parts were read. */
struct procfs_exec_facts {
	bool have_exe, have_root, writable;
	uint32_t exe_dev;
	uint64_t exe_ino;
	uint64_t root_dev, root_ino;
};
int procfs_exec_facts(int procfd, uint32_t tgid, uint32_t euid, uint32_t egid,
		      struct procfs_exec_facts *out);

/* Parsers over a NUL-terminated buffer, exposed for tests. Each returns 0 or -EINVAL. */
int procfs_parse_stat(const char *buf, struct procfs_info *out);
int procfs_parse_status(const char *buf, struct procfs_info *out);
void procfs_parse_cgroup(const char *buf, struct procfs_info *out);

/* Whether a file with st (on a filesystem read-only when rdonly) is writable by euid/egid, following
 * DAC permission bits (root writes anything on a writable filesystem). */
bool procfs_writable(const struct stat *st, bool rdonly, uint32_t euid, uint32_t egid);

/* Kernel dev_t layout (major << 20 | minor) of a userspace dev_t. */
uint32_t procfs_kdev(uint64_t dev);

#endif
