// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* File opens: open, openat, openat2 and creat, at syscall exit.
 *
 * Only the exit tracepoints are used: the arguments are read back from the task's saved user registers,
 * so there is no enter/exit pairing map. For a successful open the path sent is the one of the new fd's
 * struct file (symlinks, "..", relative paths and dirfds all resolved by the kernel, relative to the
 * process's root as d_path() gives it). For a failed open of a relative path, the directory it was
 * relative to (cwd or dirfd) is sent, and the agent joins the two as text. */
#include "common.bpf.h"

#define AT_FDCWD -100
#define O_WRONLY 01
#define O_CREAT 0100
#define O_TRUNC 01000

struct open_scratch {
	struct osp_open_event ev;
	char slack[OSP_NAME_MAX];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct open_scratch);
} open_heap SEC(".maps");

/* the struct file behind fd in task t, or NULL */
static __always_inline struct file *fd_file(struct task_struct *t, long fd)
{
	struct fdtable *fdt = t->files->fdt;
	struct file *f = NULL;

	if (fd < 0 || !fdt || fd >= fdt->max_fds)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd & 0xfffff]);
	return bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
}

static __always_inline int handle_open_exit(long ret, __u16 sc)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(t);
	struct open_scratch *s;
	struct osp_open_event *e;
	const char *upath;
	struct dentry *dentry = NULL;
	struct vfsmount *vfsmnt = NULL;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	__u32 zero = 0, raw_len, size, w;
	long n;

	if (is_agent(t->tgid))
		return 0;
	s = bpf_map_lookup_elem(&open_heap, &zero);
	if (!s)
		return 0;
	e = &s->ev;
	e->ret = ret;
	e->syscall = sc;
	e->flags = 0;
	e->ino = 0;
	e->dev = 0;
	e->mode = 0;
	e->dirfd = AT_FDCWD;
	switch (sc) {
	case OSP_SC_OPEN:
		upath = (const char *)regs->di;
		e->open_flags = regs->si;
		e->mode = regs->dx;
		break;
	case OSP_SC_CREAT:
		upath = (const char *)regs->di;
		e->open_flags = O_CREAT | O_WRONLY | O_TRUNC;
		e->mode = regs->si;
		break;
	case OSP_SC_OPENAT2: {
		struct open_how how = {};

		e->dirfd = regs->di;
		upath = (const char *)regs->si;
		bpf_probe_read_user(&how, sizeof(how), (void *)regs->dx);
		e->open_flags = how.flags;
		e->mode = how.mode;
		break;
	}
	default:
		e->dirfd = regs->di;
		upath = (const char *)regs->si;
		e->open_flags = regs->dx;
		e->mode = regs->r10;
		break;
	}

	n = bpf_probe_read_user_str(e->data, OSP_PATH_MAX, upath);
	if (n <= 0) {
		e->flags |= OSP_F_RAW_FAULT;
		e->data[0] = '\0';
		n = 1;
	} else if (n >= OSP_PATH_MAX) {
		e->flags |= OSP_F_RAW_TRUNC;
		stat_inc(OSP_STAT_PATH_TRUNC);
	}
	raw_len = n & (OSP_PATH_MAX - 1);
	if (!raw_len)
		raw_len = OSP_PATH_MAX;
	e->raw_len = raw_len;
	e->path_len = 0;

	e->base_len = 0;
	root_dentry = t->fs->root.dentry;
	root_mnt = t->fs->root.mnt;
	if (ret >= 0) {
		struct file *f = fd_file(t, ret);

		if (f) {
			struct inode *inode = f->f_inode;

			e->ino = inode->i_ino;
			e->dev = inode->i_sb->s_dev;
			e->flags |= OSP_F_PATH_IS_FILE;
			w = walk_path(f->f_path.dentry, f->f_path.mnt, root_dentry, root_mnt,
				      e->data, raw_len, 2 * OSP_PATH_MAX - raw_len, &e->path_len);
			if (w & OSP_WALK_TRUNC)
				e->flags |= OSP_F_PATH_TRUNC;
			if (w & OSP_WALK_DETACHED)
				e->flags |= OSP_F_PATH_DETACHED;
		}
	}
	if (!(e->flags & OSP_F_RAW_FAULT) && e->data[0] != '/') {
		struct file *dir = NULL;
		__u32 used = raw_len + e->path_len;

		if (e->dirfd != AT_FDCWD && sc != OSP_SC_OPEN && sc != OSP_SC_CREAT)
			dir = fd_file(t, e->dirfd);
		if (dir) {
			dentry = dir->f_path.dentry;
			vfsmnt = dir->f_path.mnt;
		} else {
			dentry = t->fs->pwd.dentry;
			vfsmnt = t->fs->pwd.mnt;
		}
		if (used < 2 * OSP_PATH_MAX) {
			w = walk_path(dentry, vfsmnt, root_dentry, root_mnt, e->data, used,
				      2 * OSP_PATH_MAX - used, &e->base_len);
			if (w & OSP_WALK_TRUNC)
				e->flags |= OSP_F_BASE_TRUNC;
			if (w & OSP_WALK_DETACHED)
				e->flags |= OSP_F_BASE_DETACHED;
		}
	}

	e->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	fill_hdr(&e->hdr, OSP_EV_OPEN, 0, t);
	size = OSP_OPEN_FIXED_SIZE + raw_len + e->path_len + e->base_len;
	if (size > sizeof(*e))
		size = sizeof(*e);
	e->hdr.size = size;
	submit(e, size);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_open")
int handle_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return handle_open_exit(ctx->ret, OSP_SC_OPEN);
}

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return handle_open_exit(ctx->ret, OSP_SC_OPENAT);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return handle_open_exit(ctx->ret, OSP_SC_OPENAT2);
}

SEC("tracepoint/syscalls/sys_exit_creat")
int handle_exit_creat(struct trace_event_raw_sys_exit *ctx)
{
	return handle_open_exit(ctx->ret, OSP_SC_CREAT);
}
