/* Rule items: every key of a rule, with Falco's override, append and the enable/disable short
 * form; conditions are kept as fragments and compiled once every file is loaded (compile.c). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/load.h"

/* ---- rules ---- */

enum rkey {
	RK_CONDITION = 0,
	RK_OUTPUT,
	RK_DESC,
	RK_PRIORITY,
	RK_TAGS,
	RK_EXCEPTIONS,
	RK_ENABLED,
	RK_WARN_EVTTYPES,
	RK_SKIP_UNKNOWN,
	RK_COUNT
};

static int set_tags(struct loadctx *lc, struct rule *r, const yaml_node_t *tags, bool append)
{
	yaml_node_item_t *it;
	size_t n, i = 0;
	char **nt;

	if (rules_yaml_is_null(tags)) {
		if (!append)
			r->ntags = 0;
		return 0;
	}
	if (tags->type != YAML_SEQUENCE_NODE) {
		rules_load_err(lc, tags, "rule '%s': tags must be a sequence", r->name);
		return -EINVAL;
	}
	n = (size_t)(tags->data.sequence.items.top - tags->data.sequence.items.start);
	nt = rules_arena_alloc(&lc->rs->arena, (n + r->ntags + 1) * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	if (append && r->ntags) {
		memcpy(nt, r->tags, r->ntags * sizeof(*nt));
		i = r->ntags;
	}
	for (it = tags->data.sequence.items.start; it < tags->data.sequence.items.top; it++) {
		yaml_node_t *v = rules_load_node(lc, *it);
		size_t j;

		if (!v || v->type != YAML_SCALAR_NODE) {
			rules_load_err(lc, v ? v : tags, "rule '%s': every tag must be a string",
				       r->name);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(nt[j], rules_yaml_scalar(v)))
				break;
		if (j < i)
			continue;
		if (!(nt[i++] = rules_load_dup_scalar(lc, v)))
			return -ENOMEM;
	}
	r->tags = nt;
	r->ntags = i;
	return 0;
}

static struct rtext *concat_text(struct loadctx *lc, const struct rtext *a, const yaml_node_t *b)
{
	struct rtext *t = rules_load_text(lc, b);
	char *s;

	if (!t || !a)
		return t;
	s = rules_arena_alloc(&lc->rs->arena, a->len + 1 + t->len + 1);
	if (!s)
		return NULL;
	memcpy(s, a->s, a->len);
	s[a->len] = ' ';
	memcpy(s + a->len + 1, t->s, t->len);
	*t = *a; /* keep the first part's position */
	t->s = s;
	t->len = a->len + 1 + strlen(s + a->len + 1);
	return t;
}

static int rules_push(struct ruleset *rs, struct rule *r)
{
	if (rs->nrules == rs->caprules) {
		size_t cap = rs->caprules ? rs->caprules * 2 : 64;
		struct rule **nr = realloc(rs->rules, cap * sizeof(*nr));

		if (!nr)
			return -ENOMEM;
		rs->rules = nr;
		rs->caprules = cap;
	}
	rs->rules[rs->nrules++] = r;
	return 0;
}

int rules_load_rule(struct loadctx *lc, const yaml_node_t *item, const yaml_node_t *namenode)
{
	static const char *const allowed[] = {
	    "rule",   "condition",  "output",	"desc",		 "priority",
	    "tags",   "exceptions", "enabled",	"warn_evttypes", "skip-if-unknown-filter",
	    "source", "append",	    "override", "capture",	 "capture_duration",
	    NULL};
	static const char *const okeys[RK_COUNT] = {
	    "condition", "output",	  "desc",
	    "priority",	 "tags",	  "exceptions",
	    "enabled",	 "warn_evttypes", "skip-if-unknown-filter"};
	static const bool oappend[RK_COUNT] = {true, true,  true,  false, true,
					       true, false, false, false};
	struct ruleset *rs = lc->rs;
	enum merge mode[RK_COUNT];
	yaml_node_t *v[RK_COUNT], *app, *src;
	const char *name = rules_yaml_scalar(namenode);
	struct rule *r;
	bool has_ov, append = false, is_new = false;
	size_t i;
	int ret;

	if (!name || !*name) {
		rules_load_err(lc, namenode, "rule name must be a non-empty string");
		return -EINVAL;
	}
	if (rules_load_check_keys(lc, item, "rule", allowed))
		return -EINVAL;
	if (rules_load_override(lc, item, "rule", name, okeys, oappend, mode, RK_COUNT, &has_ov))
		return -EINVAL;
	for (i = 0; i < RK_COUNT; i++)
		v[i] = rules_load_map_get(lc, item, okeys[i], NULL);
	app = rules_load_map_get(lc, item, "append", NULL);
	if (app && rules_load_bool(app, &append)) {
		rules_load_err(lc, app, "append must be true or false");
		return -EINVAL;
	}
	src = rules_load_map_get(lc, item, "source", NULL);
	r = rules_smap_get(&rs->rules_by_name, name, strlen(name));

	if (append) {
		if (!r) {
			rules_load_err(lc, namenode,
				       "rule '%s': append to a rule that is not defined", name);
			return -EINVAL;
		}
		if (!v[RK_CONDITION] && !v[RK_EXCEPTIONS]) {
			rules_load_err(
			    lc, item, "rule '%s': an append needs a condition or exceptions", name);
			return -EINVAL;
		}
		for (i = 0; i < RK_COUNT; i++)
			mode[i] = v[i] ? (i == RK_CONDITION || i == RK_EXCEPTIONS ? MERGE_APPEND
										  : MERGE_REPLACE)
				       : MERGE_NEW;
		has_ov = true;
	}
	if (has_ov && !r) {
		rules_load_err(lc, namenode, "rule '%s': override of a rule that is not defined",
			       name);
		return -EINVAL;
	}
	if (!has_ov && r && !v[RK_CONDITION] && v[RK_ENABLED] && !v[RK_OUTPUT]) {
		/* enable/disable an existing rule (Falco's short form) */
		if (rules_load_bool(v[RK_ENABLED], &r->enabled)) {
			rules_load_err(lc, v[RK_ENABLED], "enabled must be true or false");
			return -EINVAL;
		}
		return 0;
	}
	if (!has_ov) {
		static const char *const required[] = {"condition", "output", "desc", "priority"};
		static const enum rkey rk[] = {RK_CONDITION, RK_OUTPUT, RK_DESC, RK_PRIORITY};

		for (i = 0; i < 4; i++) {
			if (!v[rk[i]]) {
				rules_load_err(lc, item, "rule '%s' has no %s", name, required[i]);
				return -EINVAL;
			}
		}
		if (!r) {
			r = rules_arena_alloc(&rs->arena, sizeof(*r));
			if (!r || !(r->name = rules_load_dup_scalar(lc, namenode)))
				return -ENOMEM;
			if (rules_smap_put(&rs->rules_by_name, r->name, strlen(r->name), r) ||
			    rules_push(rs, r))
				return -ENOMEM;
		}
		is_new = true;
		r->pos = rules_load_text(lc, namenode);
		r->cond = r->cond_tail = NULL;
		r->exc = NULL;
		r->ntags = 0;
		r->enabled = true;
		r->warn_evttypes = true;
		r->skip_unknown = false;
		r->source = "syscall";
		for (i = 0; i < RK_COUNT; i++)
			mode[i] = v[i] ? MERGE_REPLACE : MERGE_NEW;
	}
	if (src && is_new) {
		if (!rules_yaml_scalar(src) || !(r->source = rules_load_dup_scalar(lc, src)))
			return -EINVAL;
	}

	for (i = 0; i < RK_COUNT; i++) {
		bool add = mode[i] == MERGE_APPEND;

		if (mode[i] == MERGE_NEW)
			continue;
		if (i != RK_TAGS && i != RK_EXCEPTIONS && v[i]->type != YAML_SCALAR_NODE) {
			rules_load_err(lc, v[i], "rule '%s': %s must be a string", name, okeys[i]);
			return -EINVAL;
		}
		switch ((enum rkey)i) {
		case RK_CONDITION:
			if (!add)
				r->cond = r->cond_tail = NULL;
			if ((ret = rules_load_add_frag(lc, &r->cond, &r->cond_tail, v[i])))
				return ret;
			break;
		case RK_OUTPUT:
			r->output =
			    add ? concat_text(lc, r->output, v[i]) : rules_load_text(lc, v[i]);
			if (!r->output)
				return -ENOMEM;
			break;
		case RK_DESC:
			r->desc = add ? concat_text(lc, r->desc, v[i]) : rules_load_text(lc, v[i]);
			if (!r->desc)
				return -ENOMEM;
			break;
		case RK_PRIORITY: {
			int prio =
			    vocab_priority_parse(rules_yaml_scalar(v[i]), v[i]->data.scalar.length);

			if (prio < 0) {
				rules_load_err(
				    lc, v[i],
				    "unknown priority '%s' (expected EMERGENCY, ALERT, CRITICAL, "
				    "ERROR, WARNING, NOTICE, INFO or DEBUG)",
				    rules_yaml_scalar(v[i]));
				return -EINVAL;
			}
			r->priority = (enum rule_priority)prio;
			r->has_priority = true;
			break;
		}
		case RK_TAGS:
			if ((ret = set_tags(lc, r, v[i], add)))
				return ret;
			break;
		case RK_EXCEPTIONS:
			if ((ret = rules_load_exceptions(lc, r, v[i], add)))
				return ret;
			break;
		case RK_ENABLED:
		case RK_WARN_EVTTYPES:
		case RK_SKIP_UNKNOWN: {
			bool b;

			if (rules_load_bool(v[i], &b)) {
				rules_load_err(lc, v[i], "%s must be true or false", okeys[i]);
				return -EINVAL;
			}
			if (i == RK_ENABLED)
				r->enabled = b;
			else if (i == RK_WARN_EVTTYPES)
				r->warn_evttypes = b;
			else
				r->skip_unknown = b;
			break;
		}
		default:
			break;
		}
	}
	return 0;
}
