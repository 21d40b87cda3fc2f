/* User and group name cache: see usercache.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, fgetpwent_r(): also when built without the Makefile */
#endif
#include "proc/usercache.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct uc_entry {
	uint64_t root_dev, root_ino;
	uint64_t epoch; /* last event that was handed this name: not replaced during it */
	uint64_t used;	/* LRU stamp */
	int64_t expires;
	uint32_t id;
	uint8_t kind; /* 0 empty, 1 user, 2 group */
	uint8_t found;
	char name[USERCACHE_NAME];
};

struct usercache {
	uint64_t tick;
	uint64_t
	    now_epoch; /* the epoch of the last lookup, and the clock then: one read per event */
	int64_t now;
	struct uc_entry e[USERCACHE_SETS][USERCACHE_WAYS];
};

struct usercache *usercache_new(void)
{
	return calloc(1, sizeof(struct usercache));
}

void usercache_free(struct usercache *c)
{
	free(c);
}

size_t usercache_bytes(void)
{
	return sizeof(struct usercache);
}

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

/* Opens dir/rel for reading, resolving every component inside dir. Returns an fd or -errno. */
static int open_in_root(const char *dir, uint64_t dev, uint64_t ino, const char *rel)
{
	struct stat st;
	struct open_how how = {
	    .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	int dfd, fd;

	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) /* /proc/PID/root of a process gone: unreadable, not "no such user" */
		return errno == ENOENT ? -ESRCH : -errno;
	if ((dev || ino) && (fstat(dfd, &st) < 0 || st.st_dev != dev || st.st_ino != ino)) {
		close(dfd);
		return -ESTALE;
	}
	fd = (int)syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd < 0 && errno == ENOSYS) /* before 5.6: at least refuse a symlinked final component */
		fd = openat(dfd, rel, (int)how.flags | O_NOFOLLOW);
	if (fd < 0)
		fd = -errno;
	close(dfd);
	return fd;
}

/* Skips the rest of the current line (after fgetpwent_r() refused it with ERANGE). */
static void skip_line(FILE *f)
{
	int ch;

	do
		ch = getc(f);
	while (ch != EOF && ch != '\n');
}

int usercache_read(const char *root_path, uint64_t root_dev, uint64_t root_ino, bool group,
		   uint32_t id, char *name, size_t size)
{
	char buf[4096];
	struct stat st;
	FILE *f = NULL;
	unsigned int lines;
	int fd, err = -ENOENT;

	fd = open_in_root(root_path, root_dev, root_ino, group ? "etc/group" : "etc/passwd");
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > (off_t)USERCACHE_FILE_MAX) {
		err = -EINVAL; /* a FIFO or a device would block or never end */
		goto cleanup;
	}
	f = fdopen(fd, "r");
	if (!f) {
		err = -errno;
		goto cleanup;
	}
	fd = -1;
	for (lines = 0; lines < USERCACHE_LINES; lines++) {
		const char *found = NULL;
		int r;

		if (group) {
			struct group gr, *res = NULL;

			r = fgetgrent_r(f, &gr, buf, sizeof(buf), &res);
			if (!r && res && gr.gr_gid == id)
				found = gr.gr_name;
		} else {
			struct passwd pw, *res = NULL;

			r = fgetpwent_r(f, &pw, buf, sizeof(buf), &res);
			if (!r && res && pw.pw_uid == id)
				found = pw.pw_name;
		}
		if (r == ERANGE) { /* a line longer than buf (huge member list): not ours to read */
			skip_line(f);
			continue;
		}
		if (r)
			break; /* ENOENT: end of file */
		if (found) {
			snprintf(name, size, "%s", found);
			err = 0;
			break;
		}
	}
cleanup:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	return err;
}

/* The set an (root, id, kind) key lives in. */
static unsigned int set_of(uint64_t root_dev, uint64_t root_ino, uint32_t id, uint8_t kind)
{
	uint64_t h = (root_dev * 0x9e3779b97f4a7c15ull) ^ (root_ino * 0xc2b2ae3d27d4eb4full) ^
		     ((uint64_t)id * 0x165667b19e3779f9ull) ^ kind;

	return (unsigned int)((h ^ (h >> 29)) % USERCACHE_SETS);
}

const char *usercache_lookup(struct usercache *c, const char *root_path, uint64_t root_dev,
			     uint64_t root_ino, bool group, uint32_t id, uint64_t epoch)
{
	uint8_t kind = group ? 2 : 1;
	struct uc_entry *set = c->e[set_of(root_dev, root_ino, id, kind)], *victim = NULL;
	int64_t now;
	char name[USERCACHE_NAME];
	bool refresh = false;
	int i, err;

	if (c->now_epoch != epoch || !c->now) {
		c->now = now_s();
		c->now_epoch = epoch;
	}
	now = c->now;
	for (i = 0; i < USERCACHE_WAYS; i++) {
		struct uc_entry *e = &set[i];

		if (e->kind != kind || e->id != id || e->root_dev != root_dev ||
		    e->root_ino != root_ino)
			continue;
		if (e->expires > now || e->epoch == epoch) {
			e->epoch = epoch;
			e->used = ++c->tick;
			return e->found ? e->name : NULL;
		}
		victim = e; /* expired and not pinned: refresh in place */
		refresh = true;
		break;
	}
	err = usercache_read(root_path, root_dev, root_ino, group, id, name, sizeof(name));
	if (err && err != -ENOENT)
		return NULL; /* unreadable: do not remember, the next event may do better */
	for (i = 0; !refresh && !victim && i < USERCACHE_WAYS; i++) {
		struct uc_entry *e = &set[i];

		if (e->kind == 0) {
			victim = e;
			break;
		}
	}
	for (i = 0; !refresh && (!victim || victim->kind != 0) && i < USERCACHE_WAYS; i++) {
		/* least recently used among those not pinned by this event */
		if (set[i].epoch != epoch && (!victim || set[i].used < victim->used))
			victim = &set[i];
	}
	if (!victim)
		return NULL; /* every way pinned by this very event: cannot hand out a stable pointer */
	victim->root_dev = root_dev;
	victim->root_ino = root_ino;
	victim->id = id;
	victim->kind = kind;
	victim->found = err == 0;
	victim->expires = now + (err ? USERCACHE_TTL_MISS : USERCACHE_TTL_HIT);
	victim->epoch = epoch;
	victim->used = ++c->tick;
	snprintf(victim->name, sizeof(victim->name), "%s", err ? "" : name);
	return victim->found ? victim->name : NULL;
}

const char *usercache_peek(const struct usercache *c, uint64_t root_dev, uint64_t root_ino,
			   bool group, uint32_t id)
{
	uint8_t kind = group ? 2 : 1;
	const struct uc_entry *set = c->e[set_of(root_dev, root_ino, id, kind)];
	int i;

	for (i = 0; i < USERCACHE_WAYS; i++) {
		const struct uc_entry *e = &set[i];

		if (e->kind == kind && e->id == id && e->root_dev == root_dev &&
		    e->root_ino == root_ino)
			return e->found ? e->name : NULL;
	}
	return NULL;
}
