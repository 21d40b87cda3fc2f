// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Process lifecycle: exec, fork and exit, from BTF-enabled scheduler tracepoints.
 *
 * exec is sent from sched_process_exec, after the new image is in place: argv is read from the new mm,
 * the executable from bprm->file (the file the kernel loaded, not the string the caller passed, which is
 * sent as well). Everything a rule needs is captured here, so a process that lives 1 ms is described
 * completely even though it is gone before the agent reads the record. */
#include "common.bpf.h"

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

/* struct osp_exec_event is ~26 KiB: built in a per-CPU scratch value (per-CPU values are limited to
 * 32 KiB). Every masked write stays inside the record: exe and cwd come first, with more than
 * OSP_WALK_MASK + OSP_NAME_MAX bytes behind them, and the cgroup walks have env[] behind them. */
struct exec_scratch {
	struct osp_exec_event ev;
	char slack[OSP_NAME_MAX];
};
_Static_assert(sizeof(struct exec_scratch) <= 32768, "per-CPU map values are limited to 32 KiB");
_Static_assert(__builtin_offsetof(struct osp_exec_event, cwd) + OSP_WALK_MASK + OSP_NAME_MAX <=
		   sizeof(struct osp_exec_event),
	       "cwd walk must stay inside the record");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_heap SEC(".maps");

static __always_inline __u32 syscall_nr(struct task_struct *t)
{
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);

	return (__u32)BPF_CORE_READ(regs, orig_ax);
}

static __always_inline __u32 pid_nr_level(struct pid *pid, __u32 level)
{
	struct upid up;

	if (!pid)
		return 0;
	if (bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[level & 31]))
		return 0;
	return (__u32)up.nr;
}

static __always_inline void fill_ids(struct osp_exec_event *e, struct task_struct *t)
{
	const struct cred *cred = BPF_CORE_READ(t, cred);
	struct pid *tpid = BPF_CORE_READ(t, thread_pid);
	struct pid *pgrp = BPF_CORE_READ(t, signal, pids[PIDTYPE_PGID]);
	struct pid *sess = BPF_CORE_READ(t, signal, pids[PIDTYPE_SID]);
	__u32 level = BPF_CORE_READ(tpid, level);
	struct pid_namespace *ns;
	struct tty_struct *tty;

	e->uid = BPF_CORE_READ(cred, uid.val);
	e->gid = BPF_CORE_READ(cred, gid.val);
	e->euid = BPF_CORE_READ(cred, euid.val);
	e->egid = BPF_CORE_READ(cred, egid.val);
	e->cap_effective = BPF_CORE_READ(cred, cap_effective.val);
	e->cap_permitted = BPF_CORE_READ(cred, cap_permitted.val);
	e->loginuid = BPF_CORE_READ(t, loginuid.val);
	e->sessionid = BPF_CORE_READ(t, sessionid);
	e->ppid = BPF_CORE_READ(t, real_parent, tgid);
	e->parent_start_time = BPF_CORE_READ(t, real_parent, group_leader, start_boottime);
	e->vpid = pid_nr_level(tpid, level);
	e->pgid = pid_nr_level(pgrp, 0);
	e->vpgid = pid_nr_level(pgrp, level);
	e->sid = pid_nr_level(sess, 0);
	ns = BPF_CORE_READ(tpid, numbers[level & 31].ns);
	e->pidns_ino = ns ? BPF_CORE_READ(ns, ns.inum) : 0;
	tty = BPF_CORE_READ(t, signal, tty);
	if (tty) {
		__u32 major = BPF_CORE_READ(tty, driver, major);
		__u32 minor = BPF_CORE_READ(tty, driver, minor_start) + BPF_CORE_READ(tty, index);

		e->tty_dev = (major << 20) | (minor & 0xfffff);
	}
}

static __always_inline void fill_exe_flags(struct osp_exec_event *e, struct file *file)
{
	struct inode *inode = BPF_CORE_READ(file, f_inode);
	struct super_block *sb = BPF_CORE_READ(inode, i_sb);
	const unsigned char *name;
	char pfx[7] = {}; /* "memfd:" and one more byte */

	e->exe_ino = BPF_CORE_READ(inode, i_ino);
	/* bit 31 of i_ctime_nsec is a flag on multigrain-timestamp kernels (I_CTIME_QUERIED) */
	e->exe_ctime = BPF_CORE_READ(inode, i_ctime_sec) * 1000000000ULL +
		       (BPF_CORE_READ(inode, i_ctime_nsec) & 0x7fffffff);
	e->exe_mtime =
	    BPF_CORE_READ(inode, i_mtime_sec) * 1000000000ULL + BPF_CORE_READ(inode, i_mtime_nsec);
	e->exe_dev = BPF_CORE_READ(sb, s_dev);
	if (BPF_CORE_READ(inode, __i_nlink) == 0)
		e->flags |= OSP_F_EXE_UNLINKED;
	if (BPF_CORE_READ(sb, s_magic) == OVERLAYFS_SUPER_MAGIC) {
		struct ovl_inode *oi = container_of(inode, struct ovl_inode, vfs_inode);

		if (BPF_CORE_READ(oi, __upperdentry))
			e->flags |= OSP_F_EXE_UPPER;
	}
	/* memfd_create() names its files "memfd:<name>" on an internal shmem mount */
	name = BPF_CORE_READ(file, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel_str(pfx, sizeof(pfx), name) == sizeof(pfx) && pfx[0] == 'm' &&
	    pfx[1] == 'e' && pfx[2] == 'm' && pfx[3] == 'f' && pfx[4] == 'd' && pfx[5] == ':')
		e->flags |= OSP_F_EXE_MEMFD;
}

static __always_inline void fill_args(struct osp_exec_event *e, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	unsigned long end = BPF_CORE_READ(mm, arg_end);
	unsigned long len = end - start;

	if (end <= start)
		return;
	if (len > OSP_ARGS_MAX) {
		len = OSP_ARGS_MAX;
		e->flags |= OSP_F_ARGS_TRUNC;
		stat_inc(OSP_STAT_ARGS_TRUNC);
	}
	if (bpf_probe_read_user(e->args, len & (OSP_ARGS_MAX - 1) ?: OSP_ARGS_MAX, (void *)start)) {
		stat_inc(OSP_STAT_READ_FAIL);
		return;
	}
	e->args_len = len; /* the agent counts the arguments */
}

/* The environment of the new image (Falco's proc.env), as argv: bounded, flagged when cut. */
static __always_inline void fill_env(struct osp_exec_event *e, struct task_struct *t)
{
	struct mm_struct *mm = BPF_CORE_READ(t, mm);
	unsigned long start = BPF_CORE_READ(mm, env_start);
	unsigned long end = BPF_CORE_READ(mm, env_end);
	unsigned long len = end - start;

	e->env_len = 0;
	if (end <= start)
		return;
	if (len > OSP_ENV_MAX) {
		len = OSP_ENV_MAX;
		e->flags |= OSP_F_ENV_TRUNC;
		stat_inc(OSP_STAT_ARGS_TRUNC);
	}
	if (bpf_probe_read_user(e->env, len & (OSP_ENV_MAX - 1) ?: OSP_ENV_MAX, (void *)start)) {
		stat_inc(OSP_STAT_READ_FAIL);
		return;
	}
	e->env_len = len;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct exec_scratch *s;
	struct osp_exec_event *e;
	struct file *file;
	struct fs_struct *fs;
	struct cgroup *cg;
	__u32 zero = 0, memcg = bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id);
	long n;
	__u32 w;

	if (is_agent(p->tgid))
		return 0;
	s = bpf_map_lookup_elem(&exec_heap, &zero);
	if (!s)
		return 0;
	e = &s->ev;
	fill_hdr(&e->hdr, OSP_EV_EXEC, sizeof(*e), p);
	e->flags = 0;
	e->tty_dev = 0;
	e->old_pid = old_pid;
	e->syscall = syscall_nr(p) == 322 ? OSP_SC_EXECVEAT : OSP_SC_EXECVE;
	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fill_ids(e, p);

	fs = p->fs;
	file = bprm->file;
	fill_exe_flags(e, file);
	w = walk_path(file->f_path.dentry, file->f_path.mnt, fs->root.dentry, fs->root.mnt, e->exe,
		      0, OSP_PATH_MAX, &e->exe_len);
	if (w & OSP_WALK_TRUNC)
		e->flags |= OSP_F_EXE_TRUNC;
	if (w & OSP_WALK_DETACHED)
		e->flags |= OSP_F_EXE_DETACHED;
	w = walk_path(fs->pwd.dentry, fs->pwd.mnt, fs->root.dentry, fs->root.mnt, e->cwd, 0,
		      OSP_PATH_MAX, &e->cwd_len);
	if (w & OSP_WALK_TRUNC)
		e->flags |= OSP_F_CWD_TRUNC;
	if (w & OSP_WALK_DETACHED)
		e->flags |= OSP_F_CWD_DETACHED;

	n = bpf_probe_read_kernel_str(e->filename, sizeof(e->filename),
				      BPF_CORE_READ(bprm, filename));
	e->filename_len = n > 0 ? n : 0;
	if (n >= (long)sizeof(e->filename))
		e->flags |= OSP_F_FILENAME_TRUNC;

	e->args_len = 0;
	fill_args(e, p);
	fill_env(e, p);

	cg = BPF_CORE_READ(p, cgroups, dfl_cgrp);
	if (walk_cgroup(cg, e->cgroup, &e->cgroup_len))
		e->flags |= OSP_F_CGROUP_TRUNC;
	cg = BPF_CORE_READ(p, cgroups, subsys[memcg & 15], cgroup);
	if (walk_cgroup(cg, e->cgroup_v1, &e->cgroup_v1_len))
		e->flags |= OSP_F_CGROUP_TRUNC;

	submit(e, sizeof(*e));
	return 0;
}

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	struct osp_fork_event e = {};
	__u32 nr;

	if (child->pid != child->tgid)
		return 0; /* a new thread, not a new process */
	if (is_agent(parent->tgid))
		return 0;
	fill_hdr(&e.hdr, OSP_EV_FORK, sizeof(e), child);
	e.parent_start_time = BPF_CORE_READ(parent, group_leader, start_boottime);
	e.cgroup_id = bpf_get_current_cgroup_id();
	e.ppid = parent->tgid;
	e.parent_pid = parent->pid;
	e.uid = BPF_CORE_READ(child, cred, uid.val);
	nr = syscall_nr(parent);
	e.syscall = nr == 57	? OSP_SC_FORK
		    : nr == 58	? OSP_SC_VFORK
		    : nr == 435 ? OSP_SC_CLONE3
				: OSP_SC_CLONE;
	BPF_CORE_READ_STR_INTO(&e.comm, child, comm);
	submit(&e, sizeof(e));
	return 0;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	struct osp_exit_event e = {};

	/* one record per process: when its last thread goes (the leader's start time is the key) */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	if (is_agent(p->tgid))
		return 0;
	fill_hdr(&e.hdr, OSP_EV_EXIT, sizeof(e), p);
	e.exit_code = BPF_CORE_READ(p, exit_code);
	BPF_CORE_READ_STR_INTO(&e.comm, p, comm);
	submit(&e, sizeof(e));
	return 0;
}
