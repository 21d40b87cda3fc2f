#include "evjson.h"

#include "container/container.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <string.h>
#include <time.h>

/* RFC 3339 with nanoseconds, UTC: 2026-11-24T21:42:13.123456789Z */
static void fmt_time(uint64_t ns, char *buf, size_t len)
{
	time_t s = (time_t)(ns / 1000000000ULL);
	struct tm tm;
	size_t n;

	gmtime_r(&s, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09lluZ", (unsigned long long)(ns % 1000000000ULL));
}

/* 64-bit integers as exact JSON numbers (cJSON's numbers are doubles) */
static void add_u64(cJSON *o, const char *k, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)v);
	cJSON_AddRawToObject(o, k, buf);
}

static void add_str(cJSON *o, const char *k, const struct osp_str *s)
{
	if (s->p)
		cJSON_AddStringToObject(o, k, s->p);
	else
		cJSON_AddNullToObject(o, k);
}

/* argv[from..] joined with spaces, into buf */
static const char *join_args(const struct osp_proc *p, unsigned int from, char *buf, size_t len)
{
	const char *a = p->args.p, *end = a ? a + p->args.len : NULL;
	size_t o = 0;
	unsigned int i = 0;

	buf[0] = '\0';
	while (a && a < end) {
		size_t l = strnlen(a, (size_t)(end - a));

		if (i++ >= from) {
			if (o && o + 1 < len)
				buf[o++] = ' ';
			if (o + l >= len)
				l = len - o - 1;
			memcpy(buf + o, a, l);
			o += l;
			buf[o] = '\0';
		}
		a += l + 1;
	}
	return buf;
}

static void add_exec(cJSON *o, const struct osp_event *ev)
{
	static char buf[OSP_ARGS_MAX + 2];
	const struct osp_proc *p = ev->proc;
	cJSON *argv = cJSON_AddArrayToObject(o, "proc.argv");
	const char *a = p->args.p, *end = a + p->args.len;

	cJSON_AddNumberToObject(o, "proc.ppid", p->ppid);
	cJSON_AddNumberToObject(o, "proc.vpid", p->vpid);
	cJSON_AddNumberToObject(o, "proc.sid", p->sid);
	cJSON_AddNumberToObject(o, "proc.vpgid", p->vpgid);
	cJSON_AddNumberToObject(o, "proc.tty", p->tty_dev);
	add_str(o, "proc.exepath", &p->exepath);
	add_str(o, "evt.arg.filename", &p->filename);
	while (a && a < end) {
		size_t l = strnlen(a, (size_t)(end - a));

		cJSON_AddItemToArray(argv, cJSON_CreateString(a));
		a += l + 1;
	}
	cJSON_AddStringToObject(o, "proc.exe", p->args.len ? p->args.p : "");
	cJSON_AddStringToObject(o, "proc.args", join_args(p, 1, buf, sizeof(buf)));
	add_str(o, "proc.cwd", &p->cwd);
	cJSON_AddNumberToObject(o, "user.uid", p->euid);
	cJSON_AddNumberToObject(o, "user.ruid", p->uid);
	cJSON_AddNumberToObject(o, "group.gid", p->egid);
	cJSON_AddNumberToObject(o, "group.rgid", p->gid);
	cJSON_AddNumberToObject(o, "user.loginuid", (int32_t)p->loginuid);
	cJSON_AddNumberToObject(o, "proc.pidns_ino", p->pidns_ino);
	add_u64(o, "proc.exe_ino", p->exe_ino);
	cJSON_AddNumberToObject(o, "proc.exe_dev", p->exe_dev);
	cJSON_AddBoolToObject(o, "proc.is_exe_upper_layer", !!(p->flags & OSP_F_EXE_UPPER));
	cJSON_AddBoolToObject(o, "proc.is_exe_from_memfd", !!(p->flags & OSP_F_EXE_MEMFD));
	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)p->cap_effective);
	cJSON_AddStringToObject(o, "thread.cap_effective_raw", buf);
	add_str(o, "proc.cgroup", &p->cgroup);
	add_str(o, "proc.cgroup_v1", &p->cgroup_v1);
	cJSON_AddBoolToObject(o, "proc.args_truncated", !!(ev->flags & OSP_F_ARGS_TRUNC));
}

static void add_open(cJSON *o, const struct osp_event *ev)
{
	const struct osp_open_info *f = &ev->open;

	add_str(o, "fd.name", &f->name);
	add_str(o, "fd.nameraw", &f->nameraw);
	add_str(o, "fd.realpath", &f->realpath);
	if (f->res >= 0)
		cJSON_AddNumberToObject(o, "fd.num", (double)f->res);
	cJSON_AddNumberToObject(o, "evt.rawres", (double)f->res);
	cJSON_AddBoolToObject(o, "evt.failed", f->res < 0);
	cJSON_AddNumberToObject(o, "evt.arg.flags_raw", f->flags);
	cJSON_AddNumberToObject(o, "evt.arg.mode", f->mode);
	cJSON_AddNumberToObject(o, "evt.arg.dirfd", f->dirfd);
	add_u64(o, "fd.ino", f->ino);
	cJSON_AddNumberToObject(o, "fd.dev", f->dev);
	cJSON_AddBoolToObject(
	    o, "fd.name_truncated",
	    !!(f->eflags & (OSP_F_RAW_TRUNC | OSP_F_PATH_TRUNC | OSP_F_BASE_TRUNC)));
}

static void add_opt(cJSON *o, const char *k, const char *v)
{
	if (v && *v)
		cJSON_AddStringToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void add_container(cJSON *o, const struct osp_container *c)
{
	if (!c)
		return;
	cJSON_AddStringToObject(o, "container.id", c->id);
	cJSON_AddStringToObject(o, "container.type", osp_runtime_name(c->runtime));
	if (c->runtime == OSP_RT_HOST)
		return;
	cJSON_AddStringToObject(o, "container.full_id", c->full_id);
	add_opt(o, "container.name", c->name);
	add_opt(o, "container.image", c->image);
	add_opt(o, "container.image.repository", c->image_repository);
	add_opt(o, "container.image.tag", c->image_tag);
	add_opt(o, "k8s.pod.name", c->pod_name);
	add_opt(o, "k8s.ns.name", c->pod_namespace);
	add_opt(o, "k8s.pod.uid", c->pod_uid);
}

int osp_evjson_write(FILE *out, const struct osp_event *ev)
{
	static char line[64 * 1024];
	char ts[64];
	cJSON *o = cJSON_CreateObject();
	int ret = 0;

	if (!o)
		return -ENOMEM;
	fmt_time(ev->ts, ts, sizeof(ts));
	cJSON_AddStringToObject(o, "evt.type", osp_event_type_name(ev));
	cJSON_AddStringToObject(o, "evt.time", ts);
	add_u64(o, "evt.rawtime", ev->ts);
	cJSON_AddNumberToObject(o, "proc.pid", ev->tgid);
	cJSON_AddNumberToObject(o, "thread.tid", ev->pid);
	add_u64(o, "proc.start_time", ev->proc->start_time);
	cJSON_AddStringToObject(o, "proc.name", ev->proc->comm);
	add_u64(o, "proc.cgroup_id", ev->proc->cgroup_id);
	if (ev->parent) {
		cJSON_AddStringToObject(o, "proc.pname", ev->parent->comm);
		add_str(o, "proc.pexepath", &ev->parent->exepath);
	}
	if (ev->type == OSP_EV_OPEN) {
		cJSON_AddNumberToObject(o, "proc.ppid", ev->proc->ppid);
		add_str(o, "proc.exepath", &ev->proc->exepath);
	}
	add_container(o, ev->container);
	switch (ev->type) {
	case OSP_EV_EXEC:
		add_exec(o, ev);
		break;
	case OSP_EV_OPEN:
		add_open(o, ev);
		break;
	case OSP_EV_FORK:
		cJSON_AddNumberToObject(o, "proc.ppid", ev->proc->ppid);
		cJSON_AddNumberToObject(o, "user.ruid", ev->proc->uid);
		break;
	case OSP_EV_EXIT:
		cJSON_AddNumberToObject(o, "evt.arg.status", ev->exit_code);
		break;
	default:
		break;
	}
	if (!cJSON_PrintPreallocated(o, line, sizeof(line) - 1, 0))
		ret = -ENOMEM;
	else if (fprintf(out, "%s\n", line) < 0)
		ret = -EIO;
	cJSON_Delete(o);
	return ret;
}
