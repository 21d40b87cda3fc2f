/* Shared by every Osprey BPF object: the ring buffer, the loss counters, the agent filter, and the
 * path walkers. Each object defines these maps; the agent loads exec.bpf.o first and makes the others
 * reuse its "events" and "stats" maps, so there is one ring buffer and one set of counters. */
#ifndef OSP_COMMON_BPF_H
#define OSP_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "osprey/events.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the agent before load. */
const volatile __u32 agent_tgid = 0;
/* Wake the consumer only once this much is pending; a 10 ms poll timer covers the rest. */
const volatile __u64 wakeup_bytes = 256 * 1024;
/* Exported so that the agent can check it against its own build. */
const volatile __u32 schema_version = OSP_SCHEMA_VERSION;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 * 1024 * 1024);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, OSP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void stat_inc(__u32 which)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &which);

	if (v)
		*v += 1;
}

static __always_inline bool is_agent(__u32 tgid)
{
	return agent_tgid && tgid == agent_tgid;
}

/* Copies size bytes of data into the ring buffer. Wakes the consumer only when enough data is pending
 * (a wake-up per record costs microseconds); a full ring is counted, never silent. */
static __always_inline void submit(void *data, __u64 size)
{
	__u64 flags = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= wakeup_bytes)
		flags = BPF_RB_FORCE_WAKEUP;
	if (bpf_ringbuf_output(&events, data, size, flags))
		stat_inc(OSP_STAT_RB_FULL);
	else
		stat_inc(OSP_STAT_EVENTS);
}

/* t must be a BTF-typed task pointer (tp_btf argument or bpf_get_current_task_btf()). */
static __always_inline void fill_hdr(struct osp_hdr *h, __u32 type, __u32 size,
				     struct task_struct *t)
{
	h->type = type;
	h->size = size;
	h->ts = bpf_ktime_get_boot_ns();
	h->tgid = t->tgid;
	h->pid = t->pid;
	h->start_time = t->group_leader->start_boottime;
}

/* Byte offsets into a buffer are masked with this so the verifier can bound every write; each buffer
 * handed to a walker has at least OSP_WALK_MASK + 1 + OSP_NAME_MAX bytes of map value behind its start. */
#define OSP_WALK_MASK (2 * OSP_PATH_MAX - 1)

/* struct mount is reached through container_of(), which leaves the verifier an untyped pointer;
 * bpf_rdonly_cast() types it again (read-only, fault-tolerant), so that every load in the walk is a
 * direct load rather than a bpf_probe_read_kernel() call per field. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

static __always_inline struct mount *real_mount(struct vfsmount *vfsmnt)
{
	return bpf_rdonly_cast((void *)vfsmnt - bpf_core_field_offset(struct mount, mnt),
			       bpf_core_type_id_kernel(struct mount));
}

struct walk_ctx {
	struct dentry *dentry;
	struct vfsmount *vfsmnt;
	struct mount *mnt;
	struct dentry *root_dentry;
	struct vfsmount *root_mnt;
	char *buf;
	__u32 base;
	__u32 limit;
	__u32 off;
	int truncated;
	int detached;
};

/* A mount that umount2(MNT_DETACH) took out of its namespace (mnt_ns NULL), or one in an anonymous
 * namespace (open_tree(OPEN_TREE_CLONE): no inode number). Its files stay usable through open fds:
 * runc re-executes a cloned copy of itself that way. */
static __always_inline bool mnt_detached(struct mount *mnt)
{
	struct mnt_namespace *ns = mnt->mnt_ns;

	return !ns || !ns->ns.inum;
}

/* One step of walk_path(), run under bpf_loop() so that the verifier checks it once. */
static long walk_step(__u32 i, void *arg)
{
	struct walk_ctx *w = arg;
	/* plain locals: BPF_CORE_READ must not relocate the fields of walk_ctx itself */
	struct dentry *dentry = w->dentry, *parent, *mnt_root;
	struct vfsmount *vfsmnt = w->vfsmnt;
	struct mount *mnt = w->mnt;
	const unsigned char *name;
	int last = 0;
	long n;

	if (!dentry || (dentry == w->root_dentry && vfsmnt == w->root_mnt))
		return 1;
	/* direct loads: the walk starts from BTF-typed pointers, which the verifier turns into
	 * fault-tolerant reads far cheaper than a bpf_probe_read_kernel() call per field */
	mnt_root = vfsmnt->mnt_root;
	parent = dentry->d_parent;
	if (w->detached) {
		if (dentry == parent)
			return 1; /* the root of the detached mount's filesystem */
	} else if (dentry == parent && dentry != mnt_root) {
		last = 1; /* a disconnected (pseudo) file, e.g. a memfd: its own name ends the path,
			   * as d_path() gives "/memfd:x" */
	} else if (dentry == mnt_root || dentry == parent) {
		struct mount *mnt_parent = mnt->mnt_parent;

		if (dentry == mnt_root && mnt != mnt_parent && mnt_parent) {
			w->dentry = mnt->mnt_mountpoint;
			w->mnt = mnt_parent;
			w->vfsmnt = &mnt_parent->mnt;
			return 0;
		}
		if (dentry != mnt_root || !mnt_detached(mnt))
			return 1; /* the global root, or an internal mount */
		/* a detached mount: d_path() would say "/", which names nothing. Name the file
		 * by its path inside its own filesystem instead, and say it was detached. */
		w->detached = 1;
		if (dentry == parent)
			return 1;
	}
	if (w->off + OSP_NAME_MAX > w->limit) {
		w->truncated = 1;
		return 1;
	}
	name = dentry->d_name.name;
	n = bpf_probe_read_kernel_str(w->buf + ((w->base + w->off) & OSP_WALK_MASK), OSP_NAME_MAX,
				      name);
	if (n <= 0) {
		stat_inc(OSP_STAT_READ_FAIL);
		w->truncated = 1;
		return 1;
	}
	w->off += n;
	w->dentry = parent;
	if (last)
		return 1;
	if (i == OSP_PATH_DEPTH - 1)
		w->truncated = 1; /* deeper than we walk */
	return 0;
}

#define OSP_WALK_TRUNC 1u    /* walk_path(): the path was cut (counted) */
#define OSP_WALK_DETACHED 2u /* walk_path(): the file is on a detached mount */

/* Walks (dentry, vfsmnt) up to the process's root (root_dentry, root_mnt), crossing mount points the way
 * the kernel's d_path() does, and writes the component list leaf first at buf[base...], using at most
 * limit bytes. A file on a detached mount is named by its path inside its own filesystem. Stores the
 * bytes written in *len. Returns OSP_WALK_* bits: 0 for a whole path below the process's root. */
static __always_inline __u32 walk_path(struct dentry *dentry, struct vfsmount *vfsmnt,
				       struct dentry *root_dentry, struct vfsmount *root_mnt,
				       char *buf, __u32 base, __u32 limit, __u16 *len)
{
	struct walk_ctx w = {
	    .dentry = dentry,
	    .vfsmnt = vfsmnt,
	    .mnt = real_mount(vfsmnt),
	    .root_dentry = root_dentry,
	    .root_mnt = root_mnt,
	    .buf = buf,
	    .base = base,
	    .limit = limit,
	};

	bpf_loop(OSP_PATH_DEPTH, walk_step, &w, 0);
	*len = w.off;
	if (w.truncated)
		stat_inc(OSP_STAT_PATH_TRUNC);
	return (w.truncated ? OSP_WALK_TRUNC : 0) | (w.detached ? OSP_WALK_DETACHED : 0);
}

/* kernfs_node::parent became __parent in 6.15: read whichever this kernel has. */
struct kernfs_node___old {
	struct kernfs_node *parent;
} __attribute__((preserve_access_index));

static __always_inline struct kernfs_node *kn_parent(struct kernfs_node *kn)
{
	if (bpf_core_field_exists(kn->__parent))
		return BPF_CORE_READ(kn, __parent);
	return BPF_CORE_READ((struct kernfs_node___old *)kn, parent);
}

#define OSP_CGROUP_DEPTH 24
#define OSP_CGROUP_MASK (OSP_CGROUP_MAX - 1)

struct cgwalk_ctx {
	struct kernfs_node *kn;
	char *buf;
	__u32 off;
	int truncated;
};

static long cgwalk_step(__u32 i, void *arg)
{
	struct cgwalk_ctx *w = arg;
	struct kernfs_node *kn = w->kn, *parent;
	const char *name;
	long n;

	if (!kn)
		return 1;
	parent = kn_parent(kn);
	if (!parent)
		return 1; /* the hierarchy's root contributes no name */
	if (w->off + OSP_NAME_MAX > OSP_CGROUP_MAX) {
		w->truncated = 1;
		return 1;
	}
	name = BPF_CORE_READ(kn, name);
	n = bpf_probe_read_kernel_str(w->buf + (w->off & OSP_CGROUP_MASK), OSP_NAME_MAX, name);
	if (n <= 0) {
		stat_inc(OSP_STAT_READ_FAIL);
		w->truncated = 1;
		return 1;
	}
	w->off += n;
	w->kn = parent;
	if (i == OSP_CGROUP_DEPTH - 1)
		w->truncated = 1;
	return 0;
}

/* Writes the cgroup's path as a component list, leaf first (an empty list is "/"). Returns 0, or 1 if
 * truncated (counted). buf must have OSP_CGROUP_MAX + OSP_NAME_MAX bytes of map value behind it. */
static __always_inline int walk_cgroup(struct cgroup *cg, char *buf, __u16 *len)
{
	struct cgwalk_ctx w = {.kn = BPF_CORE_READ(cg, kn), .buf = buf};

	bpf_loop(OSP_CGROUP_DEPTH, cgwalk_step, &w, 0);
	*len = w.off;
	if (w.truncated)
		stat_inc(OSP_STAT_CGROUP_TRUNC);
	return w.truncated;
}

#endif
