/* Rule fields: one table of descriptors (name, type, argument, meaning, which events supply it, how to
 * extract it). The rule engine resolves a field name to a descriptor once, at load; `osprey fields`
 * prints the table; the alert formatter renders output_fields through it.
 *
 * Names and meanings follow Falco's, so that Falco's rules run unchanged where we have the data. A field
 * whose data no traced event supplies (network, other syscalls, Kubernetes audit) is still in the table
 * with supplied_by == 0: rules that need it load, and are reported inactive instead of failing.
 */
#ifndef OSP_FIELDS_H
#define OSP_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "fields/vocab.h"

struct proctable;

enum osp_ftype {
	OSP_FT_STRING = 0,
	OSP_FT_PATH, /* a string holding a file path: pmatch and glob read it as one */
	OSP_FT_INT64,
	OSP_FT_UINT64,
	OSP_FT_BOOL,
	OSP_FT_LIST, /* several strings: the extractor yields one per osp_farg.nth */
};

/* Descriptor flags. */
#define OSP_FF_ARG_INDEX (1u << 0)   /* takes [N] */
#define OSP_FF_ARG_KEY (1u << 1)     /* takes [KEY] */
#define OSP_FF_ARG_REQ (1u << 2)     /* the argument is mandatory */
#define OSP_FF_ARG_DOT (1u << 3)     /* also written NAME.KEY (evt.arg.flags) */
#define OSP_FF_ANY_NOARG (1u << 4)   /* without argument: every ancestor, a check matches on any */
#define OSP_FF_FILTER_ONLY (1u << 5) /* only in conditions (Falco's fd.ip, fd.port, ...) */

/* A field's argument, resolved at load. key is NUL-terminated and owned by the rule that uses it.
 * nth is set by the caller for multi-valued extraction (OSP_FT_LIST, or OSP_FF_ANY_NOARG without an
 * argument): value 0, 1, 2 ... until the extractor reports missing. */
struct osp_farg {
	bool has;
	bool is_index;
	int64_t idx;
	const char *key;
	size_t keylen;
	uint32_t nth;
};

/* One extracted value. The caller provides buf/bufsz (scratch the extractor may format into); every
 * string it returns is NUL-terminated at s[len] and valid until the next extraction into the same buf or
 * the next event. For OSP_FT_BOOL, i is 0 or 1. */
struct osp_fval {
	enum osp_ftype type;
	const char *s;
	size_t len;
	int64_t i;
	uint64_t u;
	char *buf;
	size_t bufsz;
};

/* Scratch needed by the longest extraction (proc.cmdline: comm + argv). */
#define OSP_FIELD_BUFSZ (OSP_ARGS_MAX + 2 * OSP_PATH_MAX)

/* What the event loop passes beside the event. Any member may be NULL/0: fields that need it are
 * then missing. */
struct osp_field_ctx {
	struct proctable *pt; /* ancestors, user and group names */
	const char *hostname; /* evt.hostname */
	uint64_t evt_num;     /* evt.num: sequence number of the event, from 1 */
};

/* Returns 1 and fills *out when the event has a value, 0 when the value is missing (<NA>). */
typedef int (*osp_field_get_fn)(const struct osp_field_ctx *ctx, const struct osp_event *ev,
				const struct osp_farg *arg, struct osp_fval *out);

struct osp_field {
	const char *name;
	enum osp_ftype type;
	uint32_t flags; /* OSP_FF_* */
	uint32_t
	    supplied_by; /* OSP_ETM_* of the event types that can have a value; 0: none traced */
	const char *desc;
	osp_field_get_fn get;
	/* When not NULL, replaces supplied_by for a given argument (evt.arg.KEY). */
	uint32_t (*supplied_arg)(const struct osp_farg *arg);
};

/* The descriptor named exactly name[0..len), or NULL. Binary search over the sorted table. */
const struct osp_field *fields_lookup(const char *name, size_t len);

/* Resolves a field reference as written in a rule: "proc.name", "proc.aname[2]",
 * "container.label[app]", "evt.arg.flags", "evt.arg[flags]". text[0..len) is the name and argp/arglen
 * the text inside brackets (NULL when none). On success fills *arg (key pointing into argp: the caller
 * copies it if it must outlive the text) and returns the descriptor; on failure returns NULL and sets
 * *why to a static message. */
const struct osp_field *fields_resolve(const char *text, size_t len, const char *argp,
				       size_t arglen, struct osp_farg *arg, const char **why);

/* Event types (OSP_ETM_*) for which field f with argument arg can have a value. */
uint32_t fields_supplied(const struct osp_field *f, const struct osp_farg *arg);

/* Extracts field f from ev. out->buf/bufsz must be set by the caller (OSP_FIELD_BUFSZ bytes is always
 * enough). Returns 1 when present, 0 when missing. Never allocates. */
int fields_get(const struct osp_field *f, const struct osp_field_ctx *ctx,
	       const struct osp_event *ev, const struct osp_farg *arg, struct osp_fval *out);

/* Writes a value as text ("<NA>" for v == NULL) into buf (NUL-terminated, truncated to size).
 * Returns the length it would have had, as snprintf does. */
int fields_format(const struct osp_fval *v, char *buf, size_t size);

/* Name of a type as `osprey fields` prints it ("string", "int64", ...). */
const char *fields_type_name(enum osp_ftype t);

/* Prints the table: one field per line, "name type description", grouped by class, sorted. */
void fields_print(FILE *out);

/* The table itself, sorted by name, for iteration (documentation, tests). */
const struct osp_field *fields_table(size_t *n);

#endif
