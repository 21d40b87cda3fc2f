/* The registry of field classes and what reads a field through its descriptor: lookup and
 * resolution of a name as written in a rule, extraction, formatting, `osprey fields`. See fields.h
 * for the contract; the descriptors themselves are in the class files (proc.c, user.c, fd.c, evt.c,
 * container.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fields/internal.h"

/* Sorted by prefix, so that iterating the classes in order visits every name in sorted order. */
static const struct fields_class *const classes[] = {
    &fields_class_container, &fields_class_evt,	   &fields_class_fd,
    &fields_class_fs,	     &fields_class_group,  &fields_class_k8s,
    &fields_class_proc,	     &fields_class_thread, &fields_class_user,
};
#define NCLASSES (sizeof(classes) / sizeof(classes[0]))

size_t fields_count(void)
{
	size_t i, n = 0;

	for (i = 0; i < NCLASSES; i++)
		n += *classes[i]->n;
	return n;
}

const struct osp_field *fields_at(size_t idx)
{
	size_t i;

	for (i = 0; i < NCLASSES; i++) {
		if (idx < *classes[i]->n)
			return &classes[i]->fields[idx];
		idx -= *classes[i]->n;
	}
	return NULL;
}

int fields_get_none(const struct osp_field_ctx *c, const struct osp_event *ev,
		    const struct osp_farg *a, struct osp_fval *o)
{
	return 0;
}

int fields_set_fmt(struct osp_fval *out, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!out->buf || !out->bufsz)
		return 0;
	va_start(ap, fmt);
	n = vsnprintf(out->buf, out->bufsz, fmt, ap);
	va_end(ap);
	if (n < 0)
		return 0;
	if ((size_t)n >= out->bufsz)
		n = (int)out->bufsz - 1;
	return fields_set_str(out, out->buf, (size_t)n);
}

int fields_set_copy(struct osp_fval *out, const char *s, size_t len)
{
	if (!out->buf || !out->bufsz)
		return 0;
	if (len >= out->bufsz)
		len = out->bufsz - 1;
	memcpy(out->buf, s, len);
	out->buf[len] = '\0';
	return fields_set_str(out, out->buf, len);
}

static int cmp_name(const char *name, size_t len, const char *entry)
{
	int r = strncmp(name, entry, len);

	if (r)
		return r;
	return entry[len] ? -1 : 0;
}

/* The class of a name: its prefix up to the first '.', or NULL. */
static const struct fields_class *class_of(const char *name, size_t len)
{
	const char *dot = memchr(name, '.', len);
	size_t plen = dot ? (size_t)(dot - name) : len, i;

	for (i = 0; i < NCLASSES; i++)
		if (strlen(classes[i]->prefix) == plen && !memcmp(classes[i]->prefix, name, plen))
			return classes[i];
	return NULL;
}

const struct osp_field *fields_lookup(const char *name, size_t len)
{
	const struct fields_class *c = class_of(name, len);
	size_t lo = 0, hi = c ? *c->n : 0;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int r = cmp_name(name, len, c->fields[mid].name);

		if (!r)
			return &c->fields[mid];
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

static int parse_index(const char *p, size_t n, int64_t *out)
{
	int64_t v = 0;
	size_t i;

	if (!n || n > 9)
		return -1;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

const struct osp_field *fields_resolve(const char *text, size_t len, const char *argp,
				       size_t arglen, struct osp_farg *arg, const char **why)
{
	const struct osp_field *f = fields_lookup(text, len);
	size_t i;

	memset(arg, 0, sizeof(*arg));
	if (!f) {
		/* NAME.KEY for fields that take a dotted argument: evt.arg.flags */
		for (i = len; i > 0; i--) {
			if (text[i - 1] != '.')
				continue;
			f = fields_lookup(text, i - 1);
			if (f && (f->flags & OSP_FF_ARG_DOT) && !argp) {
				argp = text + i;
				arglen = len - i;
				break;
			}
			f = NULL;
		}
		if (!f) {
			*why = "unknown field";
			return NULL;
		}
	}
	if (argp) {
		if (!(f->flags & (OSP_FF_ARG_INDEX | OSP_FF_ARG_KEY))) {
			*why = "field takes no argument";
			return NULL;
		}
		if (!arglen) {
			*why = "empty field argument";
			return NULL;
		}
		arg->has = true;
		if ((f->flags & OSP_FF_ARG_INDEX) && parse_index(argp, arglen, &arg->idx) == 0) {
			arg->is_index = true;
		} else if (f->flags & OSP_FF_ARG_KEY) {
			arg->key = argp;
			arg->keylen = arglen;
		} else {
			*why = "field argument must be a number";
			return NULL;
		}
	} else if (f->flags & OSP_FF_ARG_REQ) {
		*why = "field needs an argument";
		return NULL;
	}
	return f;
}

uint32_t fields_supplied(const struct osp_field *f, const struct osp_farg *arg)
{
	if (f->supplied_arg)
		return f->supplied_arg(arg);
	return f->supplied_by;
}

enum osp_part fields_part(const struct osp_field *f, const struct osp_farg *arg)
{
	if (f->part_arg && arg && arg->has)
		return f->part_arg(arg);
	return (enum osp_part)f->part;
}

int fields_get(const struct osp_field *f, const struct osp_field_ctx *ctx,
	       const struct osp_event *ev, const struct osp_farg *arg, struct osp_fval *out)
{
	out->type = f->type == OSP_FT_LIST ? OSP_FT_STRING : f->type;
	out->s = NULL;
	out->len = 0;
	out->i = 0;
	out->u = 0;
	return f->get(ctx, ev, arg, out) ? 1 : 0;
}

int fields_format(const struct osp_fval *v, char *buf, size_t size)
{
	if (!v)
		return snprintf(buf, size, "<NA>");
	switch (v->type) {
	case OSP_FT_INT64:
		return snprintf(buf, size, "%" PRId64, v->i);
	case OSP_FT_UINT64:
		return snprintf(buf, size, "%" PRIu64, v->u);
	case OSP_FT_BOOL:
		return snprintf(buf, size, "%s", v->i ? "true" : "false");
	default:
		return snprintf(buf, size, "%.*s", (int)v->len, v->s ? v->s : "");
	}
}

const char *fields_type_name(enum osp_ftype t)
{
	switch (t) {
	case OSP_FT_STRING:
		return "string";
	case OSP_FT_PATH:
		return "path";
	case OSP_FT_INT64:
		return "int64";
	case OSP_FT_UINT64:
		return "uint64";
	case OSP_FT_BOOL:
		return "bool";
	case OSP_FT_LIST:
		return "list";
	}
	return "?";
}

void fields_print(FILE *out)
{
	const char *prev = NULL;
	size_t i, plen = 0;

	for (i = 0; i < fields_count(); i++) {
		const struct osp_field *f = fields_at(i);
		const char *dot = strchr(f->name, '.');
		size_t clen = dot ? (size_t)(dot - f->name) : strlen(f->name);
		char name[64];
		const char *argform = "";

		if (!prev || clen != plen || memcmp(prev, f->name, clen) != 0) {
			fprintf(out, "%s%.*s fields\n", prev ? "\n" : "", (int)clen, f->name);
			prev = f->name;
			plen = clen;
		}
		if (f->flags & OSP_FF_ARG_DOT)
			argform = "[KEY]";
		else if ((f->flags & OSP_FF_ARG_INDEX) && (f->flags & OSP_FF_ANY_NOARG))
			argform = "[N]";
		else if (f->flags & OSP_FF_ARG_INDEX)
			argform = "[N]";
		else if (f->flags & OSP_FF_ARG_KEY)
			argform = "[KEY]";
		snprintf(name, sizeof(name), "%s%s", f->name, argform);
		fprintf(out, "  %-44s %-7s %s%s\n", name, fields_type_name(f->type), f->desc,
			fields_supplied(f, NULL) || f->supplied_arg ? "" : " [no traced event]");
	}
}
