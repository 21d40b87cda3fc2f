/* Capture keys: what `osprey run --events` writes beside the rule fields (what the kernel captured
 * that no rule field gives as such: start times, cgroup paths, argv as a list, raw flags, truncation
 * flags, label maps), so that agent/replay rebuilds the event exactly. One table, read by both. */
#include <stdint.h>

#include "container/container.h"
#include "fields/internal.h"

#define SELF(ev) ((ev)->proc)
#define CT(ev) ((ev)->container)

static int get_start_time(const struct osp_field_ctx *c, const struct osp_event *ev,
			  const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_uint(o, SELF(ev)->start_time) : 0;
}

static int get_parent_start_time(const struct osp_field_ctx *c, const struct osp_event *ev,
				 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_uint(o, SELF(ev)->parent_start_time) : 0;
}

static int get_cgroup_id(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_uint(o, SELF(ev)->cgroup_id) : 0;
}

/* present whenever known, even empty */
static int known(const struct osp_str *s, struct osp_fval *o)
{
	return s->p ? fields_set_str(o, s->p, s->len) : 0;
}

static int get_cgroup(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? known(&SELF(ev)->cgroup, o) : 0;
}

static int get_cgroup_v1(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? known(&SELF(ev)->cgroup_v1, o) : 0;
}

static int get_pidns_ino(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_uint(o, SELF(ev)->pidns_ino) : 0;
}

static int get_ruid(const struct osp_field_ctx *c, const struct osp_event *ev,
		    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_uint(o, SELF(ev)->uid) : 0;
}

static int get_rgid(const struct osp_field_ctx *c, const struct osp_event *ev,
		    const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? fields_set_uint(o, SELF(ev)->gid) : 0;
}

/* argv[nth], exactly as captured (a list: the caller asks nth = 0, 1, ... until missing) */
static int get_argv(const struct osp_field_ctx *c, const struct osp_event *ev,
		    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *p = SELF(ev);
	const char *s, *end;
	uint32_t n;

	if (!p || !p->args.p)
		return 0;
	s = p->args.p;
	end = s + p->args.len;
	for (n = 0; s < end; n++) {
		size_t l = strnlen(s, (size_t)(end - s));

		if (n == (a ? a->nth : 0))
			return fields_set_str(o, s, l);
		s += l + 1;
	}
	return 0;
}

static int get_filename(const struct osp_field_ctx *c, const struct osp_event *ev,
			const struct osp_farg *a, struct osp_fval *o)
{
	return SELF(ev) ? known(&SELF(ev)->filename, o) : 0;
}

static int get_args_truncated(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_bool(o, ev->flags & OSP_F_ARGS_TRUNC);
}

static int get_flags_raw(const struct osp_field_ctx *c, const struct osp_event *ev,
			 const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_uint(o, ev->open.flags);
}

static int get_mode(const struct osp_field_ctx *c, const struct osp_event *ev,
		    const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_uint(o, ev->open.mode);
}

static int get_dirfd(const struct osp_field_ctx *c, const struct osp_event *ev,
		     const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_int(o, ev->open.dirfd);
}

static int get_name_truncated(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_bool(o, ev->open.eflags &
				      (OSP_F_RAW_TRUNC | OSP_F_PATH_TRUNC | OSP_F_BASE_TRUNC));
}

static int get_status(const struct osp_field_ctx *c, const struct osp_event *ev,
		      const struct osp_farg *a, struct osp_fval *o)
{
	return fields_set_int(o, ev->exit_code);
}

/* a container's labels, also when it has none; none for a host process */
static int container_labels(const struct osp_event *ev, const struct osp_kv **kv, uint32_t *n)
{
	if (!CT(ev) || CT(ev)->runtime == OSP_RT_HOST)
		return 0;
	*kv = CT(ev)->labels;
	*n = CT(ev)->nlabels;
	return 1;
}

/* a pod's labels, also when it has none; none outside a pod */
static int pod_labels(const struct osp_event *ev, const struct osp_kv **kv, uint32_t *n)
{
	if (!CT(ev) || CT(ev)->runtime == OSP_RT_HOST || !CT(ev)->pod_uid || !*CT(ev)->pod_uid)
		return 0;
	*kv = CT(ev)->pod_labels;
	*n = CT(ev)->npod_labels;
	return 1;
}

#define V(n, t, sup, part, g)                                                                      \
	{                                                                                          \
		(n), (t), OSP_CK_VALUE, (sup), OSP_PART_##part, (g), NULL                          \
	}

/* In the order --events writes them. */
static const struct osp_capture captures[] = {
    V("proc.start_time", U, ALL, START, get_start_time),
    V("proc.parent_start_time", U, ALL, PSTART, get_parent_start_time),
    V("proc.cgroup_id", U, ALL, CGROUP_ID, get_cgroup_id),
    V("proc.cgroup", S, ALL, CGROUP, get_cgroup),
    V("proc.cgroup_v1", S, ALL, CGROUP_V1, get_cgroup_v1),
    V("proc.pidns_ino", U, ALL, PIDNS, get_pidns_ino),
    V("user.ruid", U, ALL, UID, get_ruid),
    V("group.rgid", U, ALL, GID, get_rgid),
    {"proc.argv", S, OSP_CK_LIST, EXEC, OSP_PART_ARGV, get_argv, NULL},
    V("evt.arg.filename", S, EXEC, FILENAME, get_filename),
    V("proc.args_truncated", B, EXEC, ARGS_TRUNC, get_args_truncated),
    V("evt.arg.flags_raw", U, OPEN, FLAGS_RAW, get_flags_raw),
    V("evt.arg.mode", U, OPEN, MODE, get_mode),
    V("evt.arg.dirfd", I, OPEN, DIRFD, get_dirfd),
    V("fd.name_truncated", B, OPEN, NAME_TRUNC, get_name_truncated),
    V("evt.arg.status", I, OSP_ETM_EXIT, STATUS, get_status),
    {"container.labels", S, OSP_CK_MAP, ALL, OSP_PART_CT_LABELS, NULL, container_labels},
    {"k8s.pod.labels", S, OSP_CK_MAP, ALL, OSP_PART_POD_LABELS, NULL, pod_labels},
};
#undef V

#define NCAPTURES (sizeof(captures) / sizeof(captures[0]))

size_t fields_ncaptures(void)
{
	return NCAPTURES;
}

const struct osp_capture *fields_capture_at(size_t i)
{
	return i < NCAPTURES ? &captures[i] : NULL;
}

const struct osp_capture *fields_capture_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < NCAPTURES; i++)
		if (!strcmp(captures[i].name, name))
			return &captures[i];
	return NULL;
}
