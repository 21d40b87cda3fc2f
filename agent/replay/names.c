/* Replay's user and group names: <dir>/proc/<pid>/root -> <dir>/roots/<n>, which holds etc/passwd
 * and etc/group with exactly the names the event gives, where the process table reads a process's
 * names (nothing in agent/proc is special-cased for replay). One root per distinct content. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "replay/internal.h"

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text), off = 0;
	int ret = 0;

	if (fd < 0)
		return -errno;
	while (off < n) {
		ssize_t w = write(fd, text + off, n - off);

		if (w < 0) {
			ret = -errno;
			break;
		}
		off += (size_t)w;
	}
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

static int valid_name(struct replay_build *b, enum osp_part s, const char **out)
{
	int r = replay_get_str(b, b->part[s], b->part_key[s], REPLAY_NAME_MAX, out);

	if (r || !*out)
		return r;
	if (!**out || strpbrk(*out, ":\n"))
		return replay_fail(b, b->part_key[s], "not a valid user or group name");
	return 0;
}

/* The root holding exactly these names: made once per distinct content. Returns its number. */
static int name_root(struct replay_build *b, const struct osp_proc *p, int *out)
{
	struct replay *rp = b->rp;
	const char *user = NULL, *group = NULL, *login = NULL;
	char passwd[256], grp[128], sig[400], path[4200];
	size_t i;
	int r, n;

	if ((r = valid_name(b, OSP_PART_USER_NAME, &user)) ||
	    (r = valid_name(b, OSP_PART_GROUP_NAME, &group)) ||
	    (r = valid_name(b, OSP_PART_LOGINNAME, &login)))
		return r;
	if (user && login && p->loginuid == p->uid && strcmp(user, login))
		return replay_fail(b, b->part_key[OSP_PART_LOGINNAME],
				   "'%s' and user.name '%s' name the same uid %u", login, user,
				   p->uid);
	n = 0;
	passwd[0] = '\0';
	if (user)
		n = snprintf(passwd, sizeof(passwd), "%s:x:%u:%u::/:/bin/false\n", user, p->uid,
			     p->gid);
	if (login && p->loginuid != UINT32_MAX && !(user && p->loginuid == p->uid))
		snprintf(passwd + n, sizeof(passwd) - (size_t)n, "%s:x:%u:%u::/:/bin/false\n",
			 login, p->loginuid, p->gid);
	grp[0] = '\0';
	if (group)
		snprintf(grp, sizeof(grp), "%s:x:%u:\n", group, p->gid);
	snprintf(sig, sizeof(sig), "%s|%s", passwd, grp);
	for (i = 0; i < rp->nsigs; i++)
		if (!strcmp(rp->sigs[i], sig)) {
			*out = (int)i;
			return 0;
		}
	if (rp->nsigs == rp->capsigs) {
		size_t nc = rp->capsigs ? rp->capsigs * 2 : 16;
		char **ns = realloc(rp->sigs, nc * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		rp->sigs = ns;
		rp->capsigs = nc;
	}
	snprintf(path, sizeof(path), "%s/roots/%zu", rp->dir, rp->nsigs);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/roots/%zu/etc", rp->dir, rp->nsigs);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/roots/%zu/etc/passwd", rp->dir, rp->nsigs);
	if ((r = write_file(path, passwd)))
		return r;
	snprintf(path, sizeof(path), "%s/roots/%zu/etc/group", rp->dir, rp->nsigs);
	if ((r = write_file(path, grp)))
		return r;
	rp->sigs[rp->nsigs] = strdup(sig);
	if (!rp->sigs[rp->nsigs])
		return -ENOMEM;
	*out = (int)rp->nsigs++;
	return 0;
}

/* Points <dir>/proc/<tgid>/root at the root holding p's names (read by the table at exec). */
int replay_place_names(struct replay_build *b, const struct osp_proc *p)
{
	char path[4200], target[4200], cur[4200];
	ssize_t len;
	int r, n = 0;

	if ((r = name_root(b, p, &n)))
		return r;
	snprintf(path, sizeof(path), "%s/proc/%u", b->rp->dir, p->tgid);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/proc/%u/root", b->rp->dir, p->tgid);
	snprintf(target, sizeof(target), "%s/roots/%d", b->rp->dir, n);
	len = readlink(path, cur, sizeof(cur) - 1);
	if (len > 0 && (size_t)len == strlen(target) && !memcmp(cur, target, (size_t)len))
		return 0; /* already there (symlink() is slow on some file systems) */
	if (unlink(path) && errno != ENOENT)
		return -errno;
	if (symlink(target, path))
		return -errno;
	return 0;
}
