#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, open_by_handle_at(): also when built without the Makefile */
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "proc/internal.h"
#include "proc/procfs.h"

/* The cgroup v2 id of path (a "0::" path from /proc/PID/cgroup): the inode number of its directory in
 * the v2 hierarchy, which is the id bpf_get_current_cgroup_id() reports. 0 when unknown. */
uint64_t proctable_cgroup_id_of(const struct proctable *pt, const char *path)
{
	struct stat st;

	if (pt->cgfd < 0 || !path || path[0] != '/')
		return 0;
	while (*path == '/')
		path++;
	if (fstatat(pt->cgfd, *path ? path : ".", &st, 0))
		return 0;
	return st.st_ino;
}

/* Replaces e's two cgroup strings with in's, keeping its other strings. */
static void strings_set_cgroups(struct proctable *pt, struct pt_entry *e,
				const struct procfs_info *in)
{
	struct osp_str src[PT_NSTR];
	char inl[PT_INLINE], *old = e->str_block;
	uint8_t old_order = e->str_order;
	int k;

	for (k = 0; k < PT_NSTR; k++) {
		src[k] = *proctable_str_field(&e->p, k);
		/* proctable_strings_set() writes the inline buffer it would read from: read a copy instead */
		if (!old && src[k].p)
			src[k].p = inl + (src[k].p - e->inl);
	}
	if (old) { /* keep the old block until the strings are copied out of it */
		e->str_block = NULL;
		e->str_order = STRARENA_NONE;
	} else {
		memcpy(inl, e->inl, sizeof(inl));
	}
	src[3] =
	    in->has_cgroup ? (struct osp_str){in->cgroup, in->cgroup_len} : (struct osp_str){0};
	src[4] = in->has_cgroup_v1 ? (struct osp_str){in->cgroup_v1, in->cgroup_v1_len}
				   : (struct osp_str){0};
	proctable_strings_set(pt, e, src);
	if (old)
		strarena_free(&pt->arena, old, old_order);
}

/* The v2 path of cgroup cgid, from the id alone (the process may be gone, its cgroup is not): a
 * kernfs file handle of the id, opened on the v2 hierarchy, and the link of that fd. Fills
 * in->cgroup and clears the v1 path (an id says nothing of it). Returns 0 or -errno. */
static int cgroup_path_of_id(struct proctable *pt, uint64_t cgid, struct procfs_info *in)
{
	union {
		struct file_handle fh;
		char raw[sizeof(struct file_handle) + sizeof(uint64_t)];
	} h;
	char link[32];
	ssize_t n;
	int fd, err = 0;

	if (pt->cgfd < 0)
		return -ENOTSUP;
	h.fh.handle_bytes = sizeof(uint64_t);
	h.fh.handle_type = 0xfe; /* FILEID_KERNFS: the 64-bit kernfs node id, the cgroup id */
	memcpy(h.fh.f_handle, &cgid, sizeof(cgid));
	fd = open_by_handle_at(pt->cgfd, &h.fh, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, pt->path, sizeof(pt->path) - 1);
	if (n < (ssize_t)pt->cg_prefix_len || (size_t)n - pt->cg_prefix_len >= sizeof(in->cgroup)) {
		err = n < 0 ? -errno : -ENAMETOOLONG;
		goto cleanup;
	}
	pt->path[n] = '\0';
	in->cgroup_len = (uint32_t)((size_t)n - pt->cg_prefix_len);
	memcpy(in->cgroup, pt->path + pt->cg_prefix_len, in->cgroup_len + 1);
	if (!in->cgroup_len) {
		in->cgroup[0] = '/';
		in->cgroup[1] = '\0';
		in->cgroup_len = 1;
	}
	in->has_cgroup = true;
	in->has_cgroup_v1 = false;
	in->cgroup_v1_len = 0;
cleanup:
	close(fd);
	return err;
}

/* An event of entry i ran in cgroup cgid (0 = the record does not say). Fork records carry no
 * cgroup path, so a process moved into another cgroup after its fork (runc's child joining the
 * container, docker exec, ctr task exec, nsenter) would keep its parent's paths until it execs:
 * when the id changes, the paths are read again from /proc/PID/cgroup, once per change. */
void proctable_cgroup_check(struct proctable *pt, uint32_t i, uint64_t cgid)
{
	struct pt_entry *e = &pt->e[i];
	struct procfs_info *in = pt->scratch;
	uint64_t known = e->p.cgroup_id;

	if (!cgid || known == cgid)
		return;
	e->p.cgroup_id = cgid;
	if (!known) /* never known (no v2 hierarchy, or it was not readable): adopt the kernel's */
		return;
	pt->st.cgroup_reads++;
	if (procfs_read_cgroup(pt->procfd, e->p.tgid, in) ||
	    !proctable_start_match(pt, e->p.start_time, e->approx, in->start_ticks * pt->tick_ns,
				   true)) {
		/* gone already (short-lived, or another process under that pid now): the cgroup
		 * usually still exists, and its id names it */
		memset(in, 0, offsetof(struct procfs_info, comm));
		if (cgroup_path_of_id(pt, cgid, in)) {
			pt->st.cgroup_read_fails++; /* keep what we had */
			return;
		}
		pt->st.cgroup_by_id++;
	}
	strings_set_cgroups(pt, e, in);
}

/* The cgroup v2 hierarchy under host_root: /sys/fs/cgroup (unified host) or /sys/fs/cgroup/unified
 * (hybrid host). -1 when there is none (v1-only host). */
int proctable_open_cgroup2(const char *host_root)
{
	static const char *const where[] = {"sys/fs/cgroup", "sys/fs/cgroup/unified"};
	char path[4096];
	struct statfs sf;
	size_t k;

	for (k = 0; k < sizeof(where) / sizeof(where[0]); k++) {
		int fd;

		snprintf(path, sizeof(path), "%s/%s", host_root, where[k]);
		/* not O_PATH: open_by_handle_at() refuses an O_PATH fd as its mount fd */
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (!fstatfs(fd, &sf) && sf.f_type == CGROUP2_SUPER_MAGIC)
			return fd;
		close(fd);
	}
	return -1;
}
