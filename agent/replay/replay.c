/* Replay: JSON object -> struct osp_event. See replay.h for the contract and internal.h for the
 * passes; here the context (its process table and private root) and the driver. */
#include "replay/replay.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/proctable.h"
#include "replay/internal.h"

/* ---- per-event storage ---- */

char *replay_store_alloc(struct replay_store **st, size_t n)
{
	struct replay_store *b = *st;
	char *p;

	n = (n + 7) &
	    ~(size_t)7; /* every block stays 8-byte aligned: labels and containers live here */
	if (!b || b->size - b->used < n) {
		size_t sz = n > 8192 ? n : 8192;

		b = malloc(sizeof(*b) + sz);
		if (!b)
			return NULL;
		b->next = *st;
		b->used = 0;
		b->size = sz;
		*st = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

char *replay_store_str(struct replay_store **st, const char *s, size_t len)
{
	char *p = replay_store_alloc(st, len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

static void store_free(struct replay_store *st)
{
	while (st) {
		struct replay_store *n = st->next;

		free(st);
		st = n;
	}
}

int replay_object(struct replay *rp, const cJSON *obj, struct replay_event **out,
		  struct replay_err *err)
{
	struct replay_err dummy;
	struct replay_build *b = NULL;
	struct replay_event *re = NULL;
	int ret;

	*out = NULL;
	if (!err)
		err = &dummy;
	err->key[0] = err->msg[0] = '\0';
	if (!rp || !obj || !cJSON_IsObject(obj)) {
		snprintf(err->msg, sizeof(err->msg), "an event is a JSON object");
		return -EINVAL;
	}
	b = calloc(1, sizeof(*b));
	re = calloc(1, sizeof(*re));
	if (!b || !re || !(b->given = calloc(REPLAY_MAXKEYS, sizeof(*b->given)))) {
		ret = -ENOMEM;
		goto cleanup;
	}
	b->rp = rp;
	b->re = re;
	b->err = err;
	ret = replay_build_event(b, obj);
	if (ret == -ENOMEM && !err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "out of memory");
	else if (ret < 0 && !err->msg[0])
		snprintf(err->msg, sizeof(err->msg), "%s", strerror(-ret));
	if (!ret) {
		*out = re;
		re = NULL;
	}
cleanup:
	if (b)
		free(b->given);
	free(b);
	replay_event_free(re);
	return ret;
}

void replay_event_prepare(struct replay_event *re)
{
	if (re)
		proctable_resolve_names(re->ctx.pt, &re->ev);
}

void replay_event_free(struct replay_event *re)
{
	if (!re)
		return;
	store_free(re->store);
	free(re);
}

static int rm_tree(int dfd, const char *name, int depth)
{
	struct stat st;
	int fd, ret = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0) ? -errno : 0;
	if (depth > 8)
		return -ELOOP;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd >= 0) {
		DIR *d = fdopendir(fd);
		struct dirent *de;

		if (!d) {
			close(fd);
			return -errno;
		}
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				int r = rm_tree(dirfd(d), de->d_name, depth + 1);

				if (r)
					ret = r;
			}
		closedir(d);
	}
	return unlinkat(dfd, name, AT_REMOVEDIR) ? -errno : ret;
}

struct replay *replay_new(uint32_t max_procs)
{
	struct replay *rp = calloc(1, sizeof(*rp));
	char path[4200];
	const char *tmp = getenv("TMPDIR");
	int err = 0;

	if (!rp)
		return NULL;
	snprintf(path, sizeof(path), "%s/osprey-replay-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(path)) {
		err = -errno;
		goto cleanup;
	}
	rp->dir = strdup(path);
	if (!rp->dir) {
		rmdir(path);
		err = -ENOMEM;
		goto cleanup;
	}
	snprintf(path, sizeof(path), "%s/proc", rp->dir);
	if (mkdir(path, 0755)) {
		err = -errno;
		goto cleanup;
	}
	snprintf(path, sizeof(path), "%s/roots", rp->dir);
	if (mkdir(path, 0755)) {
		err = -errno;
		goto cleanup;
	}
	rp->next_pid = REPLAY_SYNTH_PID;
	rp->pt = proctable_new(max_procs ? max_procs : 65536, rp->dir);
	if (!rp->pt) {
		err = -errno;
		goto cleanup;
	}
	return rp;
cleanup:
	replay_free(rp);
	errno = -err;
	return NULL;
}

void replay_free(struct replay *rp)
{
	size_t i;

	if (!rp)
		return;
	proctable_free(rp->pt);
	if (rp->dir)
		rm_tree(AT_FDCWD, rp->dir, 0);
	for (i = 0; i < rp->nsigs; i++)
		free(rp->sigs[i]);
	free(rp->sigs);
	free(rp->dir);
	free(rp);
}
