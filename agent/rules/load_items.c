/* Rule file items other than rules: lists and macros (with Falco's append and override), the
 * engine version and plugin requirements, and what every item shares: its allowed keys, its
 * override and its condition fragments. */
#include <errno.h>
#include <string.h>

#include "rules/load.h"

/* ---- lists ---- */

static int list_add_items(struct loadctx *lc, struct rlist *l, const yaml_node_t *items)
{
	yaml_node_item_t *it;

	if (rules_yaml_is_null(items))
		return 0;
	if (items->type != YAML_SEQUENCE_NODE) {
		rules_load_err(lc, items, "list '%s': items must be a sequence", l->name);
		return -EINVAL;
	}
	for (it = items->data.sequence.items.start; it < items->data.sequence.items.top; it++) {
		yaml_node_t *v = rules_load_node(lc, *it);
		struct rlist_item *li;

		if (!v || v->type != YAML_SCALAR_NODE) {
			rules_load_err(lc, v ? v : items, "list '%s': every item must be a scalar",
				       l->name);
			return -EINVAL;
		}
		li = rules_arena_alloc(&lc->rs->arena, sizeof(*li));
		if (!li || !(li->t = rules_load_text(lc, v)))
			return -ENOMEM;
		if (l->tail)
			l->tail->next = li;
		else
			l->items = li;
		l->tail = li;
	}
	return 0;
}

/* Reads `override: {key: append|replace}` into per-key modes; checks that the item holds only the
 * name, `override` and the keys it lists. names[] are the keys this item kind may override. */
int rules_load_override(struct loadctx *lc, const yaml_node_t *item, const char *kind,
			const char *name, const char *const *keys, const bool *appendable,
			enum merge *modes, size_t nkeys, bool *has)
{
	yaml_node_t *ov = rules_load_map_get(lc, item, "override", NULL);
	yaml_node_pair_t *p;
	size_t i;

	*has = false;
	for (i = 0; i < nkeys; i++)
		modes[i] = MERGE_NEW;
	if (!ov)
		return 0;
	*has = true;
	if (ov->type != YAML_MAPPING_NODE) {
		rules_load_err(lc, ov, "%s '%s': override must be a mapping of key: append|replace",
			       kind, name);
		return -EINVAL;
	}
	for (p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top; p++) {
		yaml_node_t *k = rules_load_node(lc, p->key), *v = rules_load_node(lc, p->value);
		bool found = false;

		for (i = 0; i < nkeys; i++) {
			if (!rules_yaml_scalar_is(k, keys[i]))
				continue;
			found = true;
			if (rules_yaml_scalar_is(v, "append") && appendable[i]) {
				modes[i] = MERGE_APPEND;
			} else if (rules_yaml_scalar_is(v, "replace")) {
				modes[i] = MERGE_REPLACE;
			} else {
				rules_load_err(lc, v,
					       rules_yaml_scalar_is(v, "append")
						   ? "key '%s' cannot be appended to, only replaced"
						   : "override of '%s' must be append or replace",
					       keys[i]);
				return -EINVAL;
			}
			if (!rules_load_map_get(lc, item, keys[i], NULL)) {
				rules_load_err(lc, k,
					       "override lists '%s' but the item has no such key",
					       keys[i]);
				return -EINVAL;
			}
		}
		if (!found) {
			rules_load_err(lc, k, "key '%s' cannot be overridden in a %s",
				       rules_yaml_scalar(k) ? rules_yaml_scalar(k) : "?", kind);
			return -EINVAL;
		}
	}
	/* every other key of the item must be listed */
	for (p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = rules_load_node(lc, p->key);

		if (rules_yaml_scalar_is(k, kind) || rules_yaml_scalar_is(k, "override"))
			continue;
		for (i = 0; i < nkeys; i++)
			if (rules_yaml_scalar_is(k, keys[i]) && modes[i] != MERGE_NEW)
				break;
		if (i == nkeys) {
			rules_load_err(lc, k, "key '%s' is not listed in override",
				       rules_yaml_scalar(k) ? rules_yaml_scalar(k) : "?");
			return -EINVAL;
		}
	}
	return 0;
}

int rules_load_check_keys(struct loadctx *lc, const yaml_node_t *item, const char *kind,
			  const char *const *allowed)
{
	yaml_node_pair_t *p;
	size_t i;

	for (p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = rules_load_node(lc, p->key);

		for (i = 0; allowed[i]; i++)
			if (rules_yaml_scalar_is(k, allowed[i]))
				break;
		if (!allowed[i]) {
			rules_load_err(lc, k, "unknown key '%s' in a %s",
				       rules_yaml_scalar(k) ? rules_yaml_scalar(k) : "?", kind);
			return -EINVAL;
		}
	}
	return 0;
}

static int load_list(struct loadctx *lc, const yaml_node_t *item, const yaml_node_t *namenode)
{
	static const char *const allowed[] = {"list", "items", "append", "override", NULL};
	static const char *const okeys[] = {"items"};
	static const bool oappend[] = {true};
	struct ruleset *rs = lc->rs;
	enum merge mode[1];
	yaml_node_t *items = rules_load_map_get(lc, item, "items", NULL), *app;
	struct rlist *l;
	const char *name = rules_yaml_scalar(namenode);
	bool has_ov, append = false;

	if (!name || !*name) {
		rules_load_err(lc, namenode, "list name must be a non-empty string");
		return -EINVAL;
	}
	if (rules_load_check_keys(lc, item, "list", allowed))
		return -EINVAL;
	if (rules_load_override(lc, item, "list", name, okeys, oappend, mode, 1, &has_ov))
		return -EINVAL;
	app = rules_load_map_get(lc, item, "append", NULL);
	if (app && rules_load_bool(app, &append)) {
		rules_load_err(lc, app, "append must be true or false");
		return -EINVAL;
	}
	if (!items && !has_ov) {
		rules_load_err(lc, item, "list '%s' has no items", name);
		return -EINVAL;
	}
	l = rules_smap_get(&rs->lists, name, strlen(name));
	if (append || (has_ov && mode[0] == MERGE_APPEND)) {
		if (!l) {
			rules_load_err(lc, namenode,
				       "list '%s': append to a list that is not defined", name);
			return -EINVAL;
		}
		return list_add_items(lc, l, items);
	}
	if (has_ov && !l) {
		rules_load_err(lc, namenode, "list '%s': override of a list that is not defined",
			       name);
		return -EINVAL;
	}
	if (!l) {
		l = rules_arena_alloc(&rs->arena, sizeof(*l));
		if (!l || !(l->name = rules_load_dup_scalar(lc, namenode)))
			return -ENOMEM;
		if (rules_smap_put(&rs->lists, l->name, strlen(l->name), l))
			return -ENOMEM;
	}
	l->pos = rules_load_text(lc, namenode);
	l->items = l->tail = NULL;
	return list_add_items(lc, l, items);
}

/* ---- macros ---- */

int rules_load_add_frag(struct loadctx *lc, struct rfrag **head, struct rfrag **tail,
			const yaml_node_t *n)
{
	struct rfrag *f = rules_arena_alloc(&lc->rs->arena, sizeof(*f));

	if (!f || !(f->t = rules_load_text(lc, n)))
		return -ENOMEM;
	if (*tail)
		(*tail)->next = f;
	else
		*head = f;
	*tail = f;
	return 0;
}

static int load_macro(struct loadctx *lc, const yaml_node_t *item, const yaml_node_t *namenode)
{
	static const char *const allowed[] = {"macro",	  "condition", "append",
					      "override", "source",    NULL};
	static const char *const okeys[] = {"condition"};
	static const bool oappend[] = {true};
	struct ruleset *rs = lc->rs;
	enum merge mode[1];
	yaml_node_t *cond = rules_load_map_get(lc, item, "condition", NULL), *app;
	struct rmacro *m;
	const char *name = rules_yaml_scalar(namenode);
	bool has_ov, append = false;

	if (!name || !*name) {
		rules_load_err(lc, namenode, "macro name must be a non-empty string");
		return -EINVAL;
	}
	if (rules_load_check_keys(lc, item, "macro", allowed))
		return -EINVAL;
	if (rules_load_override(lc, item, "macro", name, okeys, oappend, mode, 1, &has_ov))
		return -EINVAL;
	app = rules_load_map_get(lc, item, "append", NULL);
	if (app && rules_load_bool(app, &append)) {
		rules_load_err(lc, app, "append must be true or false");
		return -EINVAL;
	}
	if (!cond || cond->type != YAML_SCALAR_NODE) {
		rules_load_err(lc, cond ? cond : item, "macro '%s' needs a condition (a string)",
			       name);
		return -EINVAL;
	}
	m = rules_smap_get(&rs->macros, name, strlen(name));
	if (append || (has_ov && mode[0] == MERGE_APPEND)) {
		if (!m) {
			rules_load_err(lc, namenode,
				       "macro '%s': append to a macro that is not defined", name);
			return -EINVAL;
		}
		return rules_load_add_frag(lc, &m->cond, &m->cond_tail, cond);
	}
	if (has_ov && !m) {
		rules_load_err(lc, namenode, "macro '%s': override of a macro that is not defined",
			       name);
		return -EINVAL;
	}
	if (!m) {
		m = rules_arena_alloc(&rs->arena, sizeof(*m));
		if (!m || !(m->name = rules_load_dup_scalar(lc, namenode)))
			return -ENOMEM;
		if (rules_smap_put(&rs->macros, m->name, strlen(m->name), m))
			return -ENOMEM;
		if (rs->macro_tail)
			rs->macro_tail->next_def = m;
		else
			rs->macro_head = m;
		rs->macro_tail = m;
	}
	m->pos = rules_load_text(lc, namenode);
	m->cond = m->cond_tail = NULL;
	return rules_load_add_frag(lc, &m->cond, &m->cond_tail, cond);
}

/* ---- engine version and plugins ---- */

static int load_plugins(struct loadctx *lc, const yaml_node_t *val)
{
	yaml_node_item_t *it;

	if (val->type != YAML_SEQUENCE_NODE) {
		rules_load_err(lc, val, "required_plugin_versions must be a sequence");
		return -EINVAL;
	}
	for (it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
		yaml_node_t *p = rules_load_node(lc, *it), *name;

		if (!p || p->type != YAML_MAPPING_NODE ||
		    !(name = rules_load_map_get(lc, p, "name", NULL)) || !rules_yaml_scalar(name) ||
		    !rules_load_map_get(lc, p, "version", NULL)) {
			rules_load_err(lc, p ? p : val,
				       "a required plugin needs a name and a version");
			return -EINVAL;
		}
		if (rules_yaml_scalar_is(name, "container"))
			continue; /* container metadata is native */
		rules_load_warn(
		    lc, name,
		    "plugin '%s' is not available: rules of its event source are inactive",
		    rules_yaml_scalar(name));
	}
	return 0;
}

/* ---- items ---- */

void rules_load_item(struct loadctx *lc, const yaml_node_t *item)
{
	static const char *const kinds[] = {"list", "macro", "rule", "required_engine_version",
					    "required_plugin_versions"};
	yaml_node_t *val = NULL, *key = NULL;
	size_t i;

	if (item->type != YAML_MAPPING_NODE) {
		rules_load_err(lc, item,
			       "expected an item (list, macro, rule, required_engine_version or "
			       "required_plugin_versions)");
		return;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((val = rules_load_map_get(lc, item, kinds[i], &key)))
			break;
	if (!val) {
		yaml_node_t *k0 = item->data.mapping.pairs.start < item->data.mapping.pairs.top
				      ? rules_load_node(lc, item->data.mapping.pairs.start->key)
				      : NULL;

		rules_load_err(
		    lc, k0 ? k0 : item,
		    "unknown item '%s': expected list, macro, rule, required_engine_version or "
		    "required_plugin_versions",
		    k0 && rules_yaml_scalar(k0) ? rules_yaml_scalar(k0) : "");
		return;
	}
	switch (i) {
	case 0:
		load_list(lc, item, val);
		break;
	case 1:
		load_macro(lc, item, val);
		break;
	case 2:
		rules_load_rule(lc, item, val);
		break;
	case 3:
		if (val->type != YAML_SCALAR_NODE)
			rules_load_err(lc, val, "required_engine_version must be a version string");
		break;
	default:
		load_plugins(lc, val);
		break;
	}
}
