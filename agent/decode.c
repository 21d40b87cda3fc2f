#include "decode.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "path.h"

static const char *const type_names[OSP_SC_MAX] = {
    [OSP_SC_UNKNOWN] = "unknown", [OSP_SC_EXECVE] = "execve", [OSP_SC_EXECVEAT] = "execveat",
    [OSP_SC_CLONE] = "clone",	  [OSP_SC_CLONE3] = "clone3", [OSP_SC_FORK] = "fork",
    [OSP_SC_VFORK] = "vfork",	  [OSP_SC_OPEN] = "open",     [OSP_SC_OPENAT] = "openat",
    [OSP_SC_OPENAT2] = "openat2", [OSP_SC_CREAT] = "creat",
};

const char *osp_event_type_name(const struct osp_event *ev)
{
	if (ev->type == OSP_EV_EXIT)
		return "procexit";
	if (ev->syscall < OSP_SC_MAX && type_names[ev->syscall])
		return type_names[ev->syscall];
	return "unknown";
}

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void osp_decoder_sync_clock(struct osp_decoder *d)
{
	d->boot_to_wall = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
}

void osp_decoder_init(struct osp_decoder *d)
{
	memset(d, 0, sizeof(*d));
	osp_decoder_sync_clock(d);
}

static void set_str(struct osp_str *s, const char *p, int len)
{
	s->p = len >= 0 ? p : NULL;
	s->len = len >= 0 ? (uint32_t)len : 0;
}

/* Rebuilds a component list into buf; counts and reports a path that does not fit. A path on a
 * detached mount (the kernel's OSP_F_*_DETACHED) names the file inside its own filesystem, not a
 * path the process could open: it gets OSP_DETACHED_PREFIX, so that it never passes for one. */
static void comp_path(struct osp_decoder *d, struct osp_str *s, const char *list, size_t len,
		      char *buf, size_t bufsz, bool detached)
{
	size_t pre = detached ? sizeof(OSP_DETACHED_PREFIX) - 1 : 0;
	int n;

	memcpy(buf, OSP_DETACHED_PREFIX, pre);
	n = osp_path_from_components(list, len, buf + pre, bufsz - pre);
	if (n < 0)
		d->stats.path_too_long++;
	set_str(s, buf, n < 0 ? n : n + (int)pre);
}

/* Copies at most len bytes of a NUL-terminated (or truncated) kernel string into buf. */
static int copy_str(const char *src, size_t len, char *buf, size_t bufsz)
{
	const char *nul = memchr(src, '\0', len);
	size_t n = nul ? (size_t)(nul - src) : len;

	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, src, n);
	buf[n] = '\0';
	return (int)n;
}

static void common(struct osp_decoder *d, const struct osp_hdr *h, struct osp_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = h->type;
	ev->ktime = h->ts;
	ev->ts = (uint64_t)((int64_t)h->ts + d->boot_to_wall);
	ev->tgid = h->tgid;
	ev->pid = h->pid;
	ev->proc = &d->proc;
	memset(&d->proc, 0, sizeof(d->proc));
	d->proc.tgid = h->tgid;
	d->proc.start_time = h->start_time;
}

static int decode_exec(struct osp_decoder *d, const struct osp_exec_event *e, struct osp_event *ev)
{
	struct osp_proc *p = &d->proc;
	size_t alen;

	ev->syscall = e->syscall;
	ev->flags = e->flags;
	p->ppid = e->ppid;
	p->vpid = e->vpid;
	p->sid = e->sid;
	p->pgid = e->pgid;
	p->vpgid = e->vpgid;
	p->uid = e->uid;
	p->gid = e->gid;
	p->euid = e->euid;
	p->egid = e->egid;
	p->loginuid = e->loginuid;
	p->tty_dev = e->tty_dev;
	p->pidns_ino = e->pidns_ino;
	p->exe_dev = e->exe_dev;
	p->exe_ino = e->exe_ino;
	p->exe_ctime = e->exe_ctime;
	p->exe_mtime = e->exe_mtime;
	p->flags = e->flags &
		   (OSP_F_EXE_UPPER | OSP_F_EXE_MEMFD | OSP_F_EXE_UNLINKED | OSP_F_EXE_DETACHED);
	p->parent_start_time = e->parent_start_time;
	p->cgroup_id = e->cgroup_id;
	p->cap_effective = e->cap_effective;
	p->cap_permitted = e->cap_permitted;
	copy_str(e->comm, sizeof(e->comm), p->comm, sizeof(p->comm));
	comp_path(d, &p->exepath, e->exe, e->exe_len < OSP_PATH_MAX ? e->exe_len : OSP_PATH_MAX,
		  d->exepath, sizeof(d->exepath), e->flags & OSP_F_EXE_DETACHED);
	comp_path(d, &p->cwd, e->cwd, e->cwd_len < OSP_PATH_MAX ? e->cwd_len : OSP_PATH_MAX, d->cwd,
		  sizeof(d->cwd), e->flags & OSP_F_CWD_DETACHED);
	comp_path(d, &p->cgroup, e->cgroup,
		  e->cgroup_len < OSP_CGROUP_MAX ? e->cgroup_len : OSP_CGROUP_MAX, d->cgroup,
		  sizeof(d->cgroup), false);
	comp_path(d, &p->cgroup_v1, e->cgroup_v1,
		  e->cgroup_v1_len < OSP_CGROUP_MAX ? e->cgroup_v1_len : OSP_CGROUP_MAX,
		  d->cgroup_v1, sizeof(d->cgroup_v1), false);
	set_str(&p->filename, d->filename,
		copy_str(e->filename,
			 e->filename_len < OSP_PATH_MAX ? e->filename_len : OSP_PATH_MAX,
			 d->filename, sizeof(d->filename)));

	/* argv: NUL-separated; a truncated last argument gets its terminator here */
	alen = e->args_len < OSP_ARGS_MAX ? e->args_len : OSP_ARGS_MAX;
	memcpy(d->args, e->args, alen);
	if (alen > 0 && d->args[alen - 1] != '\0')
		d->args[alen++] = '\0';
	d->args[alen] = '\0';
	p->argc = 0;
	for (size_t i = 0; i < alen; i++)
		p->argc += d->args[i] == '\0';
	p->args.p = d->args;
	p->args.len = (uint32_t)alen;

	/* the environment, the same way; it travels with the exec event only */
	alen = e->env_len < OSP_ENV_MAX ? e->env_len : OSP_ENV_MAX;
	memcpy(d->env, e->env, alen);
	if (alen > 0 && d->env[alen - 1] != '\0')
		d->env[alen++] = '\0';
	d->env[alen] = '\0';
	ev->exec_env.p = d->env;
	ev->exec_env.len = (uint32_t)alen;
	return 0;
}

/* osp_path_normalize() of a path that may carry OSP_DETACHED_PREFIX: the prefix is kept, the rest
 * normalised. */
static int normalize_detached(const char *path, char *out, size_t outsz)
{
	size_t pre = sizeof(OSP_DETACHED_PREFIX) - 1;
	int n;

	if (strncmp(path, OSP_DETACHED_PREFIX, pre))
		return osp_path_normalize(NULL, path, out, outsz);
	memcpy(out, path, pre);
	n = osp_path_normalize(NULL, path + pre, out + pre, outsz - pre);
	return n < 0 ? n : n + (int)pre;
}

static int decode_open(struct osp_decoder *d, const struct osp_open_event *e, size_t len,
		       struct osp_event *ev)
{
	struct osp_open_info *o = &ev->open;
	size_t raw = e->raw_len, path = e->path_len, base = e->base_len;
	const char *basep = NULL;
	size_t pre;
	int n;

	if (raw + path + base > len - OSP_OPEN_FIXED_SIZE || raw == 0)
		return -EINVAL;
	ev->syscall = e->syscall;
	ev->flags = e->flags;
	d->proc.cgroup_id = e->cgroup_id;
	copy_str(e->comm, sizeof(e->comm), d->proc.comm, sizeof(d->proc.comm));
	o->res = e->ret;
	o->flags = e->open_flags;
	o->mode = e->mode;
	o->dirfd = e->dirfd;
	o->eflags = e->flags;
	o->ino = e->ino;
	o->dev = e->dev;
	set_str(&o->nameraw, d->nameraw, copy_str(e->data, raw, d->nameraw, sizeof(d->nameraw)));
	if (e->flags & OSP_F_PATH_IS_FILE)
		comp_path(d, &o->realpath, e->data + raw, path, d->realpath, sizeof(d->realpath),
			  e->flags & OSP_F_PATH_DETACHED);
	if (base) {
		n = osp_path_from_components(e->data + raw + path, base, d->base, sizeof(d->base));
		if (n >= 0)
			basep = d->base;
	}
	if ((e->flags & OSP_F_RAW_FAULT) || (d->nameraw[0] != '/' && !basep && o->realpath.p)) {
		/* the caller's pointer was bad, or a relative path lost its base (truncated): what
		 * the kernel opened is the best name left, if it opened anything */
		if (o->realpath.p)
			set_str(&o->name, d->name,
				normalize_detached(o->realpath.p, d->name, sizeof(d->name)));
		return 0;
	}
	/* a relative path below a detached cwd/dirfd is named inside that filesystem, marked */
	pre = basep && (e->flags & OSP_F_BASE_DETACHED) ? sizeof(OSP_DETACHED_PREFIX) - 1 : 0;
	memcpy(d->name, OSP_DETACHED_PREFIX, pre);
	n = osp_path_normalize(basep, d->nameraw, d->name + pre, sizeof(d->name) - pre);
	if (n < 0)
		d->stats.path_too_long++;
	set_str(&o->name, d->name, n < 0 ? n : n + (int)pre);
	return 0;
}

int osp_decode(struct osp_decoder *d, const void *rec, size_t len, struct osp_event *ev)
{
	const struct osp_hdr *h = rec;
	int err = -EINVAL;

	if (len < sizeof(*h) || h->size > len)
		goto bad;
	common(d, h, ev);
	switch (h->type) {
	case OSP_EV_EXEC:
		if (len < sizeof(struct osp_exec_event))
			goto bad;
		err = decode_exec(d, rec, ev);
		break;
	case OSP_EV_FORK: {
		const struct osp_fork_event *f = rec;

		if (len < sizeof(*f))
			goto bad;
		ev->syscall = f->syscall;
		d->proc.ppid = f->ppid;
		d->proc.parent_start_time = f->parent_start_time;
		d->proc.cgroup_id = f->cgroup_id;
		d->proc.uid = f->uid;
		copy_str(f->comm, sizeof(f->comm), d->proc.comm, sizeof(d->proc.comm));
		err = 0;
		break;
	}
	case OSP_EV_EXIT: {
		const struct osp_exit_event *x = rec;

		if (len < sizeof(*x))
			goto bad;
		ev->exit_code = x->exit_code;
		copy_str(x->comm, sizeof(x->comm), d->proc.comm, sizeof(d->proc.comm));
		err = 0;
		break;
	}
	case OSP_EV_OPEN:
		if (len < OSP_OPEN_FIXED_SIZE)
			goto bad;
		err = decode_open(d, rec, len, ev);
		break;
	default:
		break;
	}
	if (err)
		goto bad;
	d->stats.decoded++;
	return 0;
bad:
	d->stats.malformed++;
	return -EINVAL;
}
