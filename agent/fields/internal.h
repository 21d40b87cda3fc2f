/* Internals of agent/fields/, shared by the class files (proc.c, user.c, fd.c, evt.c, container.c)
 * and the registry (table.c). Not an API: the rest of the agent includes fields/fields.h.
 *
 * A class file holds, for the fields whose names start with its prefixes, the extractors and one
 * table of descriptors sorted by name (test_fields checks the order). Adding a field is one line in
 * its class's table, beside its extractor: see docs/adding-a-field.md.
 */
#ifndef OSP_FIELDS_INTERNAL_H
#define OSP_FIELDS_INTERNAL_H

#include <stdbool.h>
#include <string.h>

#include "fields/fields.h"

/* ---- the classes (libsinsp's filterchecks): one descriptor table each, sorted by name ---- */

struct fields_class {
	const char *prefix; /* the name up to its first '.' */
	const struct osp_field *fields;
	const size_t *n;
};

#define FIELDS_CLASS(pfx, table)                                                                   \
	static const size_t table##_n = sizeof(table) / sizeof(table[0]);                          \
	const struct fields_class fields_class_##pfx = {#pfx, table, &table##_n}

extern const struct fields_class fields_class_container, fields_class_evt, fields_class_fd,
    fields_class_fs, fields_class_group, fields_class_k8s, fields_class_proc, fields_class_thread,
    fields_class_user;

/* ---- descriptor shorthands, for the class tables ---- */

#define S OSP_FT_STRING
#define P OSP_FT_PATH
#define I OSP_FT_INT64
#define U OSP_FT_UINT64
#define B OSP_FT_BOOL
#define L OSP_FT_LIST
#define A_IDX (OSP_FF_ARG_INDEX | OSP_FF_ARG_REQ)
#define A_ANC (OSP_FF_ARG_INDEX | OSP_FF_ANY_NOARG)
#define A_KEY (OSP_FF_ARG_KEY | OSP_FF_ARG_REQ)
#define A_OKEY OSP_FF_ARG_KEY
#define A_DOT (OSP_FF_ARG_KEY | OSP_FF_ARG_INDEX | OSP_FF_ARG_REQ | OSP_FF_ARG_DOT)
#define ALL OSP_ETM_ALL
#define EXEC OSP_ETM_EXEC
#define OPEN OSP_ETM_OPEN
#define NONE 0u

/* What replay does with a recorded value (the last argument of F; omitted for a field no traced
 * event supplies): SETS(PART) the part of the event it sets, SETS_FLAG(bit) a bit of osp_proc.flags,
 * CHECKED nothing (the value must be what the other fields give), IGNORED (what the value depends
 * on is not recorded: accepted, not compared). */
#define SETS(p) .part = OSP_PART_##p
#define SETS_FLAG(bit) .part = OSP_PART_PROC_FLAG, .part_bit = (bit)
#define CHECKED .part = OSP_PART_CHECKED
#define IGNORED .part = OSP_PART_IGNORED

/* name, type, flags (OSP_FF_*), event types that supply it, meaning, extractor, what replay does */
#define F(n, t, fl, sup, d, g, ...)                                                                \
	{                                                                                          \
		.name = (n), .type = (t), .flags = (fl), .supplied_by = (sup), .desc = (d),        \
		.get = (g), __VA_ARGS__                                                            \
	}
/* the same for a field whose event types and replay part depend on its argument (evt.arg[KEY]) */
#define FA(n, t, fl, sup, d, g, sa, pa)                                                            \
	{                                                                                          \
		.name = (n), .type = (t), .flags = (fl), .supplied_by = (sup), .desc = (d),        \
		.get = (g), .supplied_arg = (sa), .part = OSP_PART_CHECKED, .part_arg = (pa)       \
	}

/* the extractor of fields we know by name but whose data no traced event has */
int fields_get_none(const struct osp_field_ctx *c, const struct osp_event *ev,
		    const struct osp_farg *a, struct osp_fval *o);

/* ---- value helpers: every extractor returns through these ---- */

static inline int fields_set_str(struct osp_fval *out, const char *s, size_t len)
{
	out->s = s;
	out->len = len;
	return 1;
}

/* A NUL-terminated string; NULL or "" is missing. */
static inline int fields_set_cstr(struct osp_fval *out, const char *s)
{
	if (!s || !*s)
		return 0;
	return fields_set_str(out, s, strlen(s));
}

/* A counted string; absent or empty is missing. */
static inline int fields_set_ostr(struct osp_fval *out, const struct osp_str *s)
{
	if (!s->p || !s->len)
		return 0;
	return fields_set_str(out, s->p, s->len);
}

static inline int fields_set_int(struct osp_fval *out, int64_t v)
{
	out->i = v;
	out->u = (uint64_t)v;
	return 1;
}

static inline int fields_set_uint(struct osp_fval *out, uint64_t v)
{
	out->u = v;
	out->i = (int64_t)v;
	return 1;
}

static inline int fields_set_bool(struct osp_fval *out, bool v)
{
	out->i = v ? 1 : 0;
	out->u = (uint64_t)out->i;
	return 1;
}

/* Formats into the scratch buffer; truncates cleanly. */
__attribute__((format(printf, 2, 3))) int fields_set_fmt(struct osp_fval *out, const char *fmt,
							 ...);

/* Copies s[0..len) into the scratch buffer (for slices that are not NUL-terminated). */
int fields_set_copy(struct osp_fval *out, const char *s, size_t len);

/* ---- process values other classes format too (evt.arg of an exec), proc.c ---- */

int fields_proc_argv0(const struct osp_proc *p, struct osp_fval *out);
int fields_proc_args(const struct osp_proc *p, struct osp_fval *out);
int fields_proc_comm(const struct osp_proc *p, struct osp_fval *out);
/* Capabilities as Falco prints them: "CAP_CHOWN CAP_SYS_ADMIN". */
int fields_caps_string(uint64_t caps, struct osp_fval *out);

#endif
