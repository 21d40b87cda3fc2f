/* Reading one process from /proc: see procfs.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, fgetpwent_r(): also when built without the Makefile */
#endif
#include "proc/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "path.h"

#define STAT_BUF 1024
#define STATUS_BUF 4096
#define CGROUP_BUF 8192

/* Reads up to size - 1 bytes of dirfd/name into buf and NUL-terminates. Returns 0 or -errno. */
static int read_at(int dirfd, const char *name, char *buf, size_t size, size_t *len)
{
	size_t n = 0;
	int fd, err = 0;

	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	while (n < size - 1) {
		ssize_t r = read(fd, buf + n, size - 1 - n);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			goto cleanup;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	if (len)
		*len = n;
cleanup:
	close(fd);
	return err;
}

/* readlinkat into buf (NUL-terminated). Returns the length or -errno; a full buffer is -ENAMETOOLONG. */
static ssize_t link_at(int dirfd, const char *name, char *buf, size_t size)
{
	ssize_t r = readlinkat(dirfd, name, buf, size - 1);

	if (r < 0)
		return -errno;
	if ((size_t)r >= size - 1)
		return -ENAMETOOLONG;
	buf[r] = '\0';
	return r;
}

uint32_t procfs_kdev(uint64_t dev)
{
	return (uint32_t)((major(dev) & 0xfff) << 20) | (uint32_t)(minor(dev) & 0xfffff);
}

bool procfs_writable(const struct stat *st, bool rdonly, uint32_t euid, uint32_t egid)
{
	if (rdonly)
		return false;
	if (euid == 0)
		return true;
	if (st->st_uid == euid)
		return (st->st_mode & S_IWUSR) != 0;
	if (st->st_gid == egid)
		return (st->st_mode & S_IWGRP) != 0;
	return (st->st_mode & S_IWOTH) != 0;
}

/* Parses one decimal (optionally negative) after blanks; advances *p. Returns 0 or -EINVAL. */
static int next_num(const char **p, long long *v)
{
	char *end;

	errno = 0;
	*v = strtoll(*p, &end, 10);
	if (end == *p || errno)
		return -EINVAL;
	*p = end;
	return 0;
}

int procfs_parse_stat(const char *buf, struct procfs_info *out)
{
	const char *l = strchr(buf, '('), *r = strrchr(buf, ')'), *p;
	long long v[19];
	size_t n;
	int i;

	if (!l || !r || r < l)
		return -EINVAL;
	n = (size_t)(r - l - 1);
	if (n >= OSP_COMM_LEN)
		n = OSP_COMM_LEN - 1;
	memcpy(out->comm, l + 1, n);
	out->comm[n] = '\0';
	p = r + 1;
	while (*p == ' ')
		p++;
	if (*p == '\0' || *p == '\n')
		return -EINVAL;
	p++;			 /* field 3: state */
	for (i = 0; i < 19; i++) /* fields 4 (ppid) .. 22 (starttime) */
		if (next_num(&p, &v[i]))
			return -EINVAL;
	if (v[0] < 0 || v[1] < 0 || v[2] < 0 || v[18] < 0)
		return -EINVAL;
	out->ppid = (uint32_t)v[0];
	out->pgid = (uint32_t)v[1];
	out->sid = (uint32_t)v[2];
	{
		/* tty_nr uses the new_encode_dev() layout; the BPF side reports major << 20 | minor */
		uint32_t t = (uint32_t)v[3];
		uint32_t maj = (t >> 8) & 0xfff, min = (t & 0xff) | ((t >> 12) & 0xfff00);

		out->tty_dev = (maj << 20) | min;
	}
	out->start_ticks = (uint64_t)v[18];
	return 0;
}

/* Parses up to max whitespace-separated unsigned numbers of one status line. Returns how many. */
static int line_nums(const char *p, const char *eol, unsigned long long *v, int max, int base)
{
	int n = 0;

	while (n < max && p < eol) {
		char *end;

		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= eol)
			break;
		errno = 0;
		v[n] = strtoull(p, &end, base);
		if (end == p || errno || end > eol)
			break;
		n++;
		p = end;
	}
	return n;
}

int procfs_parse_status(const char *buf, struct procfs_info *out)
{
	const char *p = buf;
	bool have_uid = false, have_gid = false;

	while (*p) {
		const char *eol = strchr(p, '\n');
		unsigned long long v[8];
		int n;

		if (!eol)
			eol = p + strlen(p);
		if (!strncmp(p, "Uid:", 4)) {
			n = line_nums(p + 4, eol, v, 4, 10);
			if (n >= 2 && v[0] <= UINT32_MAX && v[1] <= UINT32_MAX) {
				out->uid = (uint32_t)v[0];
				out->euid = (uint32_t)v[1];
				have_uid = true;
			}
		} else if (!strncmp(p, "Gid:", 4)) {
			n = line_nums(p + 4, eol, v, 4, 10);
			if (n >= 2 && v[0] <= UINT32_MAX && v[1] <= UINT32_MAX) {
				out->gid = (uint32_t)v[0];
				out->egid = (uint32_t)v[1];
				have_gid = true;
			}
		} else if (!strncmp(p, "NSpid:", 6)) {
			n = line_nums(p + 6, eol, v, 8, 10);
			if (n > 0 && v[n - 1] <= UINT32_MAX)
				out->vpid = (uint32_t)v[n - 1];
		} else if (!strncmp(p, "NSpgid:", 7)) {
			n = line_nums(p + 7, eol, v, 8, 10);
			if (n > 0 && v[n - 1] <= UINT32_MAX)
				out->vpgid = (uint32_t)v[n - 1];
		} else if (!strncmp(p, "CapEff:", 7)) {
			if (line_nums(p + 7, eol, v, 1, 16) == 1)
				out->cap_effective = v[0];
		} else if (!strncmp(p, "CapPrm:", 7)) {
			if (line_nums(p + 7, eol, v, 1, 16) == 1)
				out->cap_permitted = v[0];
		}
		p = *eol ? eol + 1 : eol;
	}
	return have_uid && have_gid ? 0 : -EINVAL;
}

/* Whether the comma-separated list [p, end) holds the token tok. */
static bool has_token(const char *p, const char *end, const char *tok)
{
	size_t tl = strlen(tok);

	while (p < end) {
		const char *c = memchr(p, ',', (size_t)(end - p));

		if (!c)
			c = end;
		if ((size_t)(c - p) == tl && !memcmp(p, tok, tl))
			return true;
		p = c + 1;
	}
	return false;
}

static uint32_t copy_path(char *dst, size_t size, const char *src, size_t n, uint32_t *flags)
{
	if (n >= size) {
		n = size - 1;
		*flags |= OSP_F_CGROUP_TRUNC;
	}
	memcpy(dst, src, n);
	dst[n] = '\0';
	return (uint32_t)n;
}

void procfs_parse_cgroup(const char *buf, struct procfs_info *out)
{
	const char *p = buf;

	while (*p) {
		const char *eol = strchr(p, '\n'), *c1, *c2;

		if (!eol)
			eol = p + strlen(p);
		c1 = memchr(p, ':', (size_t)(eol - p));
		c2 = c1 ? memchr(c1 + 1, ':', (size_t)(eol - c1 - 1)) : NULL;
		if (c2 && c2 + 1 < eol && c2[1] == '/') {
			const char *path = c2 + 1;
			size_t n = (size_t)(eol - path);

			if (c1 - p == 1 && *p == '0' && c2 == c1 + 1) {
				out->cgroup_len = copy_path(out->cgroup, sizeof(out->cgroup), path,
							    n, &out->flags);
				out->has_cgroup = true;
			} else if (has_token(c1 + 1, c2, "memory")) {
				out->cgroup_v1_len = copy_path(
				    out->cgroup_v1, sizeof(out->cgroup_v1), path, n, &out->flags);
				out->has_cgroup_v1 = true;
			}
		}
		p = *eol ? eol + 1 : eol;
	}
}

static void read_exe(int pd, struct procfs_info *out)
{
	static const char deleted[] = " (deleted)";
	const size_t dl = sizeof(deleted) - 1;
	ssize_t n = link_at(pd, "exe", out->exepath, sizeof(out->exepath));

	if (n < 0)
		return;
	if ((size_t)n > dl && !memcmp(out->exepath + n - dl, deleted, dl)) {
		n -= (ssize_t)dl;
		out->exepath[n] = '\0';
		out->flags |= OSP_F_EXE_UNLINKED;
	}
	if (!strncmp(out->exepath, "/memfd:", 7))
		out->flags |= OSP_F_EXE_MEMFD;
	/* d_path() of a file on a detached mount is "/", a directory no one executes; the kernel's
	 * exec record names it, /proc cannot */
	if (n == 1 && out->exepath[0] == '/') {
		n = snprintf(out->exepath, sizeof(out->exepath), "%s", OSP_DETACHED_PREFIX);
		out->flags |= OSP_F_EXE_DETACHED;
	}
	out->exepath_len = (uint32_t)n;
	out->has_exe = true;
}

static int exe_facts_at(int pd, uint32_t euid, uint32_t egid, bool *writable, uint64_t *ino,
			uint32_t *dev)
{
	struct statvfs vfs;
	struct stat st;
	int fd, err = 0;

	fd = openat(pd, "exe", O_PATH | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto cleanup;
	}
	*writable =
	    procfs_writable(&st, fstatvfs(fd, &vfs) == 0 && (vfs.f_flag & ST_RDONLY), euid, egid);
	*ino = st.st_ino;
	*dev = procfs_kdev(st.st_dev);
cleanup:
	close(fd);
	return err;
}

static int open_pid(int procfd, uint32_t tgid)
{
	char name[16];
	int fd;

	snprintf(name, sizeof(name), "%u", tgid);
	fd = openat(procfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int procfs_exec_facts(int procfd, uint32_t tgid, uint32_t euid, uint32_t egid,
		      struct procfs_exec_facts *out)
{
	struct stat st;
	int pd = open_pid(procfd, tgid);

	memset(out, 0, sizeof(*out));
	if (pd < 0)
		return pd;
	out->have_exe = !exe_facts_at(pd, euid, egid, &out->writable, &out->exe_ino, &out->exe_dev);
	if (!fstatat(pd, "root", &st, 0)) {
		out->have_root = true;
		out->root_dev = st.st_dev;
		out->root_ino = st.st_ino;
	}
	close(pd);
	return 0;
}

int procfs_read_start(int procfd, uint32_t tgid, uint64_t *ticks)
{
	struct procfs_info tmp;
	char name[24], buf[STAT_BUF];
	int err;

	snprintf(name, sizeof(name), "%u/stat", tgid);
	err = read_at(procfd, name, buf, sizeof(buf), NULL);
	if (err)
		return err;
	err = procfs_parse_stat(buf, &tmp);
	if (!err)
		*ticks = tmp.start_ticks;
	return err;
}

int procfs_read_vpid(int procfd, uint32_t tgid, uint32_t *vpid)
{
	struct procfs_info tmp = {0};
	char name[24], buf[STATUS_BUF];
	int err;

	snprintf(name, sizeof(name), "%u/status", tgid);
	err = read_at(procfd, name, buf, sizeof(buf), NULL);
	if (err)
		return err;
	procfs_parse_status(buf, &tmp);
	if (!tmp.vpid)
		return -ENOENT;
	*vpid = tmp.vpid;
	return 0;
}

static void reset(struct procfs_info *out, uint32_t tgid)
{
	/* the scalar head and the flags; the big buffers only need their first byte cleared */
	memset(out, 0, offsetof(struct procfs_info, comm));
	out->comm[0] = out->exepath[0] = out->cwd[0] = out->args[0] = '\0';
	out->cgroup[0] = out->cgroup_v1[0] = '\0';
	out->exepath_len = out->cwd_len = out->args_len = out->argc = 0;
	out->cgroup_len = out->cgroup_v1_len = 0;
	out->tgid = tgid;
	out->loginuid = UINT32_MAX;
}

int procfs_read_cgroup(int procfd, uint32_t tgid, struct procfs_info *out)
{
	char buf[CGROUP_BUF];
	int pd, err;

	reset(out, tgid);
	pd = open_pid(procfd, tgid);
	if (pd < 0)
		return pd;
	err = read_at(pd, "cgroup", buf, sizeof(buf), NULL);
	if (err)
		goto cleanup;
	procfs_parse_cgroup(buf, out);
	/* after the cgroup: a pid reused in between shows another start time, never a mix */
	err = read_at(pd, "stat", buf, STAT_BUF, NULL);
	if (err)
		goto cleanup;
	err = procfs_parse_stat(buf, out);
cleanup:
	close(pd);
	return err;
}

static void read_args(int pd, struct procfs_info *out)
{
	size_t n, i;

	if (read_at(pd, "cmdline", out->args, OSP_ARGS_MAX + 1, &n) || n == 0)
		return;
	if (n >= OSP_ARGS_MAX) { /* buffer full: possibly cut */
		n = OSP_ARGS_MAX;
		out->flags |= OSP_F_ARGS_TRUNC;
	}
	if (out->args[n - 1] !=
	    '\0') { /* cut, or rewritten by setproctitle(): close the last one */
		if (n == OSP_ARGS_MAX)
			n--;
		out->args[n++] = '\0';
	}
	out->args[n] = '\0';
	for (i = 0; i < n; i++)
		out->argc += out->args[i] == '\0';
	out->args_len = (uint32_t)n;
	out->has_args = true;
}

int procfs_read(int procfd, uint32_t tgid, struct procfs_info *out)
{
	char buf[CGROUP_BUF], *end;
	unsigned long long v;
	ssize_t n;
	size_t len;
	int pd, err;

	reset(out, tgid);
	pd = open_pid(procfd, tgid);
	if (pd < 0)
		return pd;
	err = read_at(pd, "stat", buf, STAT_BUF, NULL);
	if (err)
		goto cleanup;
	err = procfs_parse_stat(buf, out);
	if (err)
		goto cleanup;
	out->vpid = tgid;
	out->vpgid = out->pgid;
	err = read_at(pd, "status", buf, STATUS_BUF, NULL);
	if (err)
		goto cleanup;
	err = procfs_parse_status(buf, out);
	if (err)
		goto cleanup;

	if (!read_at(pd, "comm", buf, OSP_COMM_LEN + 1, &len) && len > 0) {
		if (buf[len - 1] == '\n')
			buf[--len] = '\0';
		if (len >= OSP_COMM_LEN)
			len = OSP_COMM_LEN - 1;
		memcpy(out->comm, buf, len);
		out->comm[len] = '\0';
	}
	if (!read_at(pd, "loginuid", buf, 32, NULL)) {
		errno = 0;
		v = strtoull(buf, &end, 10);
		if (end != buf && !errno && v <= UINT32_MAX)
			out->loginuid = (uint32_t)v;
	}
	read_exe(pd, out);
	if (out->has_exe && exe_facts_at(pd, out->euid, out->egid, &out->exe_writable,
					 &out->exe_ino, &out->exe_dev))
		out->exe_writable = false;
	n = link_at(pd, "cwd", out->cwd, sizeof(out->cwd));
	if (n >= 0) {
		out->cwd_len = (uint32_t)n;
		out->has_cwd = true;
	}
	read_args(pd, out);
	if (!read_at(pd, "cgroup", buf, CGROUP_BUF, NULL))
		procfs_parse_cgroup(buf, out);
	if (link_at(pd, "ns/pid", buf, 64) > 0 && !strncmp(buf, "pid:[", 5)) {
		errno = 0;
		v = strtoull(buf + 5, &end, 10);
		if (end != buf + 5 && *end == ']' && !errno && v <= UINT32_MAX)
			out->pidns_ino = (uint32_t)v;
	}
	{
		struct stat st;

		if (!fstatat(pd, "root", &st, 0)) {
			out->root_dev = st.st_dev;
			out->root_ino = st.st_ino;
			out->has_root = true;
		}
	}
	/* Still there? If the process went away mid-read the optional files above may be missing or
	 * half-read: throw the whole record away rather than keep a mix. */
	err = read_at(pd, "stat", buf, STAT_BUF, NULL);
cleanup:
	close(pd);
	return err;
}
