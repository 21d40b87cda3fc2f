/* The rule engine: Falco-compatible rule files in, matching rules out.
 *
 * Pipeline (DESIGN.md section 4): YAML items (list, macro, rule) -> conditions parsed to an AST ->
 * lists and macros expanded -> compiled once (fields resolved to descriptors, hash sets for `in`,
 * lower-cased values for `icontains`, regexes compiled) -> rules indexed by the event types they can
 * match. Matching an event evaluates only the rules of its event type and allocates nothing.
 *
 * Threading: loading is single-threaded; a loaded ruleset is matched by one thread at a time (it owns
 * the scratch buffers evaluation uses). SIGHUP reload = load a new ruleset, swap, free the old one.
 */
#ifndef OSP_RULES_H
#define OSP_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "event.h"
#include "fields/fields.h"

struct ruleset;
struct rule;

enum rule_matching {
	RULE_MATCH_FIRST = 0, /* Falco's default: stop at the first matching rule (file order) */
	RULE_MATCH_ALL,	      /* every matching rule fires */
};

struct ruleset_opts {
	enum rule_matching matching;
	enum rule_priority
	    min_priority; /* rules less severe are inactive; RULE_PRIO_DEBUG keeps all */
};

/* One diagnostic of a load: "file:line:col: message". line/col are 1-based; 0 when unknown. */
struct rule_diag {
	const char *file;
	uint32_t line;
	uint32_t col;
	bool warning; /* false: an error (the load fails) */
	const char *msg;
};

/* Loads rule files into a new ruleset. paths are files or directories (a directory contributes its
 * *.yaml and *.yml files in name order); they are read in the order given, later items overriding or
 * appending to earlier ones as in Falco. opts may be NULL (first match, all priorities).
 *
 * Returns 0 and *out on success; -EINVAL when any file has an error (*out is still set, so that the
 * caller can print ruleset_diag(); nothing in it is active); -ENOMEM (*out NULL) when memory runs out.
 * Free *out with ruleset_free(). */
int ruleset_load(const char *const *paths, size_t npaths, const struct ruleset_opts *opts,
		 struct ruleset **out);

/* Same, from one in-memory YAML document; name is used in diagnostics. For tests and `rules test`. */
int ruleset_load_string(const char *name, const char *yaml, size_t len,
			const struct ruleset_opts *opts, struct ruleset **out);

/* Frees a ruleset and everything it owns (rules, diagnostics, names). Accepts NULL. */
void ruleset_free(struct ruleset *rs);

/* Diagnostics in the order found. Pointers stay valid until ruleset_free(). */
size_t ruleset_ndiag(const struct ruleset *rs);
const struct rule_diag *ruleset_diag(const struct ruleset *rs, size_t i);
size_t ruleset_nerrors(const struct ruleset *rs);

/* Rules in file order (after overrides). */
size_t ruleset_nrules(const struct ruleset *rs);
const struct rule *ruleset_rule(const struct ruleset *rs, size_t i);
const struct rule *ruleset_find(const struct ruleset *rs, const char *name);

/* Event types (OSP_ETM_*) that at least one active rule can match: what the kernel side must send. */
uint32_t ruleset_evt_mask(const struct ruleset *rs);

/* Event types (OSP_ETM_*) for which some active rule's condition reads a user or group name
 * (descriptor flag OSP_FF_NAMES): for those the caller resolves names before ruleset_match()
 * (proctable_resolve_names()), since evaluation reads them from the cache only. */
uint32_t ruleset_names_mask(const struct ruleset *rs);

/* Called for each matching rule; return nonzero to stop matching this event. */
typedef int (*rule_match_fn)(const struct rule *r, const struct osp_event *ev, void *arg);

/* Evaluates the active rules indexed for ev's event type, in file order, calling cb for each match
 * (only the first one with RULE_MATCH_FIRST). Returns the number of matches. Allocates nothing and does
 * no I/O; not reentrant for one ruleset (it uses the ruleset's scratch buffers). */
int ruleset_match(struct ruleset *rs, const struct osp_field_ctx *ctx, const struct osp_event *ev,
		  rule_match_fn cb, void *arg);

/* Rule properties. Strings are owned by the ruleset. */
const char *rule_name(const struct rule *r);
const char *rule_desc(const struct rule *r);
const char *rule_output(const struct rule *r); /* the template, as written */
const char *rule_source(const struct rule *r); /* "syscall" unless the file says otherwise */
enum rule_priority rule_priority(const struct rule *r);
size_t rule_ntags(const struct rule *r);
const char *rule_tag(const struct rule *r, size_t i);
bool rule_enabled(const struct rule *r);
/* true when the rule is evaluated. When false and why != NULL, *why says why ("disabled", "needs
 * evt.type connect, not traced", ...). */
bool rule_active(const struct rule *r, const char **why);
/* Event types (OSP_ETM_*) the rule is indexed under; 0 for an inactive rule. */
uint32_t rule_evt_mask(const struct rule *r);

/* Renders the rule's output template for ev into buf: each %field replaced by its value, "<NA>" when
 * missing. Always NUL-terminates (when size > 0). Returns the length written, or -ENOSPC when the text
 * was truncated to fit. Allocates nothing; uses the ruleset's scratch (same thread as ruleset_match). */
int rule_output_render(struct ruleset *rs, const struct rule *r, const struct osp_field_ctx *ctx,
		       const struct osp_event *ev, char *buf, size_t size);

/* The fields the output template names, each once, in order of first use (Falco's output_fields). */
size_t rule_output_nfields(const struct rule *r);
/* Name as written ("proc.aname[2]"). */
const char *rule_output_field_name(const struct rule *r, size_t i);
/* Extracts output field i for ev into *v (v->buf/bufsz set by the caller, OSP_FIELD_BUFSZ bytes).
 * Returns 1 when present, 0 when missing. */
int rule_output_field_get(const struct rule *r, size_t i, const struct osp_field_ctx *ctx,
			  const struct osp_event *ev, struct osp_fval *v);

#endif
