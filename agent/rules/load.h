/* What the rule loader's files share: loader.c (files and documents, the entry points),
 * load_items.c (the items: lists and macros, and the keys, override and append every item has),
 * load_rule.c (rules), load_exceptions.c (a rule's exceptions). Internal to rules/. */
#ifndef OSP_RULES_LOAD_H
#define OSP_RULES_LOAD_H

#include <stdbool.h>
#include <yaml.h>

#include "rules/internal.h"
#include "rules/yaml.h"

struct loadctx {
	struct ruleset *rs;
	struct rfile *file;
	yaml_document_t *doc;
	size_t *line_start; /* byte offset of each line */
	size_t nlines;
};

/* How an item's key combines with what an earlier item of the same name gave. */
enum merge { MERGE_NEW, MERGE_APPEND, MERGE_REPLACE };

/* ---- positions and diagnostics (loader.c) ---- */

/* The byte index in the file of a libyaml mark (which counts characters; the file is UTF-8). */
size_t rules_load_mark_byte(const struct loadctx *lc, const yaml_mark_t *m);
/* A node's text and position, in the ruleset's arena; NULL on ENOMEM. */
struct rtext *rules_load_text(struct loadctx *lc, const yaml_node_t *n);
/* An error (or a warning) at node n: a diagnostic "file:line:col: message". */
__attribute__((format(printf, 3, 4))) void rules_load_err(struct loadctx *lc, const yaml_node_t *n,
							  const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void rules_load_warn(struct loadctx *lc, const yaml_node_t *n,
							   const char *fmt, ...);

/* ---- YAML nodes (loader.c) ---- */

yaml_node_t *rules_load_node(struct loadctx *lc, int id);
/* The value of key in mapping map (and the key's node in *keynode), or NULL. */
yaml_node_t *rules_load_map_get(struct loadctx *lc, const yaml_node_t *map, const char *key,
				yaml_node_t **keynode);
/* true/yes/on, false/no/off (any case): 0 and *out, or -EINVAL. */
int rules_load_bool(const yaml_node_t *n, bool *out);
char *rules_load_dup_scalar(struct loadctx *lc, const yaml_node_t *n);

/* ---- items ---- */

/* Reads `override: {key: append|replace}` into per-key modes (load_items.c). */
int rules_load_override(struct loadctx *lc, const yaml_node_t *item, const char *kind,
			const char *name, const char *const *keys, const bool *appendable,
			enum merge *modes, size_t nkeys, bool *has);
/* Fails on a key of item not in allowed (NULL-terminated). */
int rules_load_check_keys(struct loadctx *lc, const yaml_node_t *item, const char *kind,
			  const char *const *allowed);
/* Appends a condition fragment. */
int rules_load_add_frag(struct loadctx *lc, struct rfrag **head, struct rfrag **tail,
			const yaml_node_t *n);
/* One item of a rules file: list, macro, rule, required_engine_version, required_plugin_versions. */
void rules_load_item(struct loadctx *lc, const yaml_node_t *item);
int rules_load_rule(struct loadctx *lc, const yaml_node_t *item, const yaml_node_t *namenode);
int rules_load_exceptions(struct loadctx *lc, struct rule *r, const yaml_node_t *excs, bool append);

#endif
