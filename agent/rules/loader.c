/* Rule file loader: YAML (libyaml) -> lists, macros and rules, with Falco's override/append semantics.
 *
 * Every file is read completely, so that any node's position maps back to file:line:col. Items are
 * merged in file order (later definitions replace earlier ones, `override`/`append` extend them); the
 * conditions are parsed and compiled only once everything is loaded (compile.c), because a macro may
 * use a list or macro that a later file defines.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#include "rules/internal.h"

struct loadctx {
	struct ruleset *rs;
	struct rfile *file;
	yaml_document_t *doc;
	size_t *line_start; /* byte offset of each line */
	size_t nlines;
};

/* ---- positions ---- */

/* libyaml marks count characters; the file is UTF-8: convert (line, column) to a byte index. */
static size_t mark_byte(const struct loadctx *lc, const yaml_mark_t *m)
{
	size_t i, col = 0;

	if (m->line >= lc->nlines)
		return lc->file->len;
	i = lc->line_start[m->line];
	while (i < lc->file->len && col < m->column && lc->file->buf[i] != '\n') {
		i++;
		while (i < lc->file->len && ((unsigned char)lc->file->buf[i] & 0xc0) == 0x80)
			i++;
		col++;
	}
	return i;
}

static struct rtext *mk_text(struct loadctx *lc, const yaml_node_t *n)
{
	struct rtext *t = arena_alloc(&lc->rs->arena, sizeof(*t));

	if (!t)
		return NULL;
	t->file = lc->file;
	if (n->type == YAML_SCALAR_NODE) {
		t->s = arena_strndup(&lc->rs->arena, (const char *)n->data.scalar.value,
				     n->data.scalar.length);
		t->len = n->data.scalar.length;
		t->style = n->data.scalar.style;
	} else {
		t->s = "";
		t->len = 0;
		t->style = YAML_PLAIN_SCALAR_STYLE;
	}
	if (!t->s)
		return NULL;
	t->src_start = mark_byte(lc, &n->start_mark);
	t->src_end = mark_byte(lc, &n->end_mark);
	if (t->src_end <= t->src_start)
		t->src_end = lc->file->len;
	t->line = (uint32_t)n->start_mark.line + 1;
	t->col = (uint32_t)n->start_mark.column + 1;
	return t;
}

static void err_node(struct loadctx *lc, const yaml_node_t *n, const char *fmt, const char *a,
		     const char *b)
{
	struct rtext *t = mk_text(lc, n);
	struct rpos pos = {t, 0};
	char msg[512];

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	snprintf(msg, sizeof(msg), fmt, a ? a : "", b ? b : ""); /* fmt: a literal of this file */
#pragma GCC diagnostic pop
	ruleset_diag_at(lc->rs, &pos, false, "%s", msg);
}

static void warn_node(struct loadctx *lc, const yaml_node_t *n, const char *msg)
{
	struct rtext *t = mk_text(lc, n);
	struct rpos pos = {t, 0};

	ruleset_diag_at(lc->rs, &pos, true, "%s", msg);
}

/* ---- YAML helpers ---- */

static yaml_node_t *node(struct loadctx *lc, int id)
{
	return yaml_document_get_node(lc->doc, id);
}

static bool scalar_is(const yaml_node_t *n, const char *s)
{
	return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
	       memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* YAML's null: an empty plain scalar, "~" or "null". */
static bool is_null(const yaml_node_t *n)
{
	return !n ||
	       (n->type == YAML_SCALAR_NODE && n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
		(n->data.scalar.length == 0 || scalar_is(n, "~") || scalar_is(n, "null")));
}

static yaml_node_t *map_get(struct loadctx *lc, const yaml_node_t *map, const char *key,
			    yaml_node_t **keynode)
{
	yaml_node_pair_t *p;

	for (p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(lc, p->key);

		if (scalar_is(k, key)) {
			if (keynode)
				*keynode = k;
			return node(lc, p->value);
		}
	}
	return NULL;
}

static int parse_bool(const yaml_node_t *n, bool *out)
{
	static const char *const yes[] = {"true", "yes", "on"};
	static const char *const no[] = {"false", "no", "off"};
	const char *s = scalar(n);
	size_t i;

	if (!s)
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	}
	return -EINVAL;
}

static char *dup_scalar(struct loadctx *lc, const yaml_node_t *n)
{
	return arena_strndup(&lc->rs->arena, (const char *)n->data.scalar.value,
			     n->data.scalar.length);
}

/* ---- lists ---- */

static int list_add_items(struct loadctx *lc, struct rlist *l, const yaml_node_t *items)
{
	yaml_node_item_t *it;

	if (is_null(items))
		return 0;
	if (items->type != YAML_SEQUENCE_NODE) {
		err_node(lc, items, "list '%s': items must be a sequence%s", l->name, NULL);
		return -EINVAL;
	}
	for (it = items->data.sequence.items.start; it < items->data.sequence.items.top; it++) {
		yaml_node_t *v = node(lc, *it);
		struct rlist_item *li;

		if (!v || v->type != YAML_SCALAR_NODE) {
			err_node(lc, v ? v : items, "list '%s': every item must be a scalar%s",
				 l->name, NULL);
			return -EINVAL;
		}
		li = arena_alloc(&lc->rs->arena, sizeof(*li));
		if (!li || !(li->t = mk_text(lc, v)))
			return -ENOMEM;
		if (l->tail)
			l->tail->next = li;
		else
			l->items = li;
		l->tail = li;
	}
	return 0;
}

enum merge { MERGE_NEW, MERGE_APPEND, MERGE_REPLACE };

/* Reads `override: {key: append|replace}` into per-key modes; checks that the item holds only the
 * name, `override` and the keys it lists. names[] are the keys this item kind may override. */
static int read_override(struct loadctx *lc, const yaml_node_t *item, const char *kind,
			 const char *name, const char *const *keys, const bool *appendable,
			 enum merge *modes, size_t nkeys, bool *has)
{
	yaml_node_t *ov = map_get(lc, item, "override", NULL);
	yaml_node_pair_t *p;
	size_t i;

	*has = false;
	for (i = 0; i < nkeys; i++)
		modes[i] = MERGE_NEW;
	if (!ov)
		return 0;
	*has = true;
	if (ov->type != YAML_MAPPING_NODE) {
		err_node(lc, ov, "%s '%s': override must be a mapping of key: append|replace", kind,
			 name);
		return -EINVAL;
	}
	for (p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(lc, p->key), *v = node(lc, p->value);
		bool found = false;

		for (i = 0; i < nkeys; i++) {
			if (!scalar_is(k, keys[i]))
				continue;
			found = true;
			if (scalar_is(v, "append") && appendable[i]) {
				modes[i] = MERGE_APPEND;
			} else if (scalar_is(v, "replace")) {
				modes[i] = MERGE_REPLACE;
			} else {
				err_node(lc, v,
					 scalar_is(v, "append")
					     ? "key '%s' cannot be appended to, only replaced%s"
					     : "override of '%s' must be append or replace%s",
					 keys[i], NULL);
				return -EINVAL;
			}
			if (!map_get(lc, item, keys[i], NULL)) {
				err_node(lc, k,
					 "override lists '%s' but the item has no such key%s",
					 keys[i], NULL);
				return -EINVAL;
			}
		}
		if (!found) {
			err_node(lc, k, "key '%s' cannot be overridden in a %s",
				 scalar(k) ? scalar(k) : "?", kind);
			return -EINVAL;
		}
	}
	/* every other key of the item must be listed */
	for (p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(lc, p->key);

		if (scalar_is(k, kind) || scalar_is(k, "override"))
			continue;
		for (i = 0; i < nkeys; i++)
			if (scalar_is(k, keys[i]) && modes[i] != MERGE_NEW)
				break;
		if (i == nkeys) {
			err_node(lc, k, "key '%s' is not listed in override%s",
				 scalar(k) ? scalar(k) : "?", NULL);
			return -EINVAL;
		}
	}
	return 0;
}

static int check_keys(struct loadctx *lc, const yaml_node_t *item, const char *kind,
		      const char *const *allowed)
{
	yaml_node_pair_t *p;
	size_t i;

	for (p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top; p++) {
		yaml_node_t *k = node(lc, p->key);

		for (i = 0; allowed[i]; i++)
			if (scalar_is(k, allowed[i]))
				break;
		if (!allowed[i]) {
			err_node(lc, k, "unknown key '%s' in a %s", scalar(k) ? scalar(k) : "?",
				 kind);
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
	yaml_node_t *items = map_get(lc, item, "items", NULL), *app;
	struct rlist *l;
	const char *name = scalar(namenode);
	bool has_ov, append = false;

	if (!name || !*name) {
		err_node(lc, namenode, "list name must be a non-empty string%s%s", NULL, NULL);
		return -EINVAL;
	}
	if (check_keys(lc, item, "list", allowed))
		return -EINVAL;
	if (read_override(lc, item, "list", name, okeys, oappend, mode, 1, &has_ov))
		return -EINVAL;
	app = map_get(lc, item, "append", NULL);
	if (app && parse_bool(app, &append)) {
		err_node(lc, app, "append must be true or false%s%s", NULL, NULL);
		return -EINVAL;
	}
	if (!items && !has_ov) {
		err_node(lc, item, "list '%s' has no items%s", name, NULL);
		return -EINVAL;
	}
	l = smap_get(&rs->lists, name, strlen(name));
	if (append || (has_ov && mode[0] == MERGE_APPEND)) {
		if (!l) {
			err_node(lc, namenode, "list '%s': append to a list that is not defined%s",
				 name, NULL);
			return -EINVAL;
		}
		return list_add_items(lc, l, items);
	}
	if (has_ov && !l) {
		err_node(lc, namenode, "list '%s': override of a list that is not defined%s", name,
			 NULL);
		return -EINVAL;
	}
	if (!l) {
		l = arena_alloc(&rs->arena, sizeof(*l));
		if (!l || !(l->name = dup_scalar(lc, namenode)))
			return -ENOMEM;
		if (smap_put(&rs->lists, l->name, strlen(l->name), l))
			return -ENOMEM;
	}
	l->pos = mk_text(lc, namenode);
	l->items = l->tail = NULL;
	return list_add_items(lc, l, items);
}

/* ---- macros ---- */

static int add_frag(struct loadctx *lc, struct rfrag **head, struct rfrag **tail,
		    const yaml_node_t *n)
{
	struct rfrag *f = arena_alloc(&lc->rs->arena, sizeof(*f));

	if (!f || !(f->t = mk_text(lc, n)))
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
	yaml_node_t *cond = map_get(lc, item, "condition", NULL), *app;
	struct rmacro *m;
	const char *name = scalar(namenode);
	bool has_ov, append = false;

	if (!name || !*name) {
		err_node(lc, namenode, "macro name must be a non-empty string%s%s", NULL, NULL);
		return -EINVAL;
	}
	if (check_keys(lc, item, "macro", allowed))
		return -EINVAL;
	if (read_override(lc, item, "macro", name, okeys, oappend, mode, 1, &has_ov))
		return -EINVAL;
	app = map_get(lc, item, "append", NULL);
	if (app && parse_bool(app, &append)) {
		err_node(lc, app, "append must be true or false%s%s", NULL, NULL);
		return -EINVAL;
	}
	if (!cond || cond->type != YAML_SCALAR_NODE) {
		err_node(lc, cond ? cond : item, "macro '%s' needs a condition (a string)%s", name,
			 NULL);
		return -EINVAL;
	}
	m = smap_get(&rs->macros, name, strlen(name));
	if (append || (has_ov && mode[0] == MERGE_APPEND)) {
		if (!m) {
			err_node(lc, namenode,
				 "macro '%s': append to a macro that is not defined%s", name, NULL);
			return -EINVAL;
		}
		return add_frag(lc, &m->cond, &m->cond_tail, cond);
	}
	if (has_ov && !m) {
		err_node(lc, namenode, "macro '%s': override of a macro that is not defined%s",
			 name, NULL);
		return -EINVAL;
	}
	if (!m) {
		m = arena_alloc(&rs->arena, sizeof(*m));
		if (!m || !(m->name = dup_scalar(lc, namenode)))
			return -ENOMEM;
		if (smap_put(&rs->macros, m->name, strlen(m->name), m))
			return -ENOMEM;
		if (rs->macro_tail)
			rs->macro_tail->next_def = m;
		else
			rs->macro_head = m;
		rs->macro_tail = m;
	}
	m->pos = mk_text(lc, namenode);
	m->cond = m->cond_tail = NULL;
	return add_frag(lc, &m->cond, &m->cond_tail, cond);
}

/* ---- exceptions ---- */

static int texts_of(struct loadctx *lc, const yaml_node_t *n, struct rtext ***out, size_t *nout)
{
	yaml_node_item_t *it;
	size_t i = 0, cnt;

	if (n->type == YAML_SCALAR_NODE) {
		*out = arena_alloc(&lc->rs->arena, sizeof(**out));
		if (!*out || !((*out)[0] = mk_text(lc, n)))
			return -ENOMEM;
		*nout = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return -EINVAL;
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = arena_alloc(&lc->rs->arena, (cnt ? cnt : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = node(lc, *it);

		if (!v || v->type != YAML_SCALAR_NODE)
			return -EINVAL;
		if (!((*out)[i++] = mk_text(lc, v)))
			return -ENOMEM;
	}
	*nout = cnt;
	return 0;
}

static int exc_add_values(struct loadctx *lc, struct rexception *e, const yaml_node_t *values,
			  const char *rname)
{
	yaml_node_item_t *it;
	size_t cnt, r;

	if (is_null(values))
		return 0;
	if (values->type != YAML_SEQUENCE_NODE) {
		err_node(lc, values, "rule '%s': exception values must be a sequence%s", rname,
			 NULL);
		return -EINVAL;
	}
	cnt = e->nrows +
	      (size_t)(values->data.sequence.items.top - values->data.sequence.items.start);
	{
		struct rexc_value **rows = arena_alloc(&lc->rs->arena, (cnt + 1) * sizeof(*rows));
		size_t *rowlen = arena_alloc(&lc->rs->arena, (cnt + 1) * sizeof(*rowlen));
		struct rtext **rowpos = arena_alloc(&lc->rs->arena, (cnt + 1) * sizeof(*rowpos));

		if (!rows || !rowlen || !rowpos)
			return -ENOMEM;
		if (e->nrows) {
			memcpy(rows, e->rows, e->nrows * sizeof(*rows));
			memcpy(rowlen, e->rowlen, e->nrows * sizeof(*rowlen));
			memcpy(rowpos, e->rowpos, e->nrows * sizeof(*rowpos));
		}
		e->rows = rows;
		e->rowlen = rowlen;
		e->rowpos = rowpos;
	}
	r = e->nrows;
	for (it = values->data.sequence.items.start; it < values->data.sequence.items.top; it++) {
		yaml_node_t *row = node(lc, *it);
		struct rexc_value *vals;
		size_t n, j;

		if (!row)
			return -EINVAL;
		if (e->fields_scalar) {
			/* one field: each value is a scalar (or a list of them) */
			n = 1;
		} else {
			if (row->type != YAML_SEQUENCE_NODE) {
				err_node(lc, row,
					 "rule '%s': exception '%s': each value must be a sequence "
					 "with one item per field",
					 rname, e->name->s);
				return -EINVAL;
			}
			n = (size_t)(row->data.sequence.items.top - row->data.sequence.items.start);
			if (n != e->nfields) {
				char msg[64];

				snprintf(msg, sizeof(msg), "%zu items for %zu fields", n,
					 e->nfields);
				err_node(lc, row, "exception '%s': a value has %s", e->name->s,
					 msg);
				return -EINVAL;
			}
		}
		vals = arena_alloc(&lc->rs->arena, (n ? n : 1) * sizeof(*vals));
		if (!vals)
			return -ENOMEM;
		for (j = 0; j < n; j++) {
			yaml_node_t *v =
			    e->fields_scalar ? row : node(lc, row->data.sequence.items.start[j]);

			if (!v)
				return -EINVAL;
			if (v->type == YAML_SEQUENCE_NODE) {
				vals[j].is_list = true;
				if (texts_of(lc, v, &vals[j].list, &vals[j].nlist)) {
					err_node(lc, v,
						 "exception '%s': a value list must hold scalars%s",
						 e->name->s, NULL);
					return -EINVAL;
				}
				vals[j].t = mk_text(lc, v);
			} else if (v->type == YAML_SCALAR_NODE) {
				vals[j].t = mk_text(lc, v);
			} else {
				err_node(lc, v,
					 "exception '%s': a value must be a scalar or a list%s",
					 e->name->s, NULL);
				return -EINVAL;
			}
			if (!vals[j].t)
				return -ENOMEM;
		}
		e->rows[r] = vals;
		e->rowlen[r] = n;
		e->rowpos[r] = mk_text(lc, row);
		r++;
	}
	e->nrows = r;
	return 0;
}

static int load_exceptions(struct loadctx *lc, struct rule *r, const yaml_node_t *excs, bool append)
{
	static const char *const allowed[] = {"name", "fields", "comps", "values", NULL};
	yaml_node_item_t *it;

	if (is_null(excs))
		return 0;
	if (excs->type != YAML_SEQUENCE_NODE) {
		err_node(lc, excs, "rule '%s': exceptions must be a sequence%s", r->name, NULL);
		return -EINVAL;
	}
	if (!append)
		r->exc = NULL;
	for (it = excs->data.sequence.items.start; it < excs->data.sequence.items.top; it++) {
		yaml_node_t *en = node(lc, *it), *name, *fields, *comps, *values;
		struct rexception *e, **tailp;

		if (!en || en->type != YAML_MAPPING_NODE) {
			err_node(lc, en ? en : excs,
				 "rule '%s': each exception must be a mapping%s", r->name, NULL);
			return -EINVAL;
		}
		if (check_keys(lc, en, "exception", allowed))
			return -EINVAL;
		name = map_get(lc, en, "name", NULL);
		if (!name || !scalar(name) || !*scalar(name)) {
			err_node(lc, en, "rule '%s': an exception needs a name%s", r->name, NULL);
			return -EINVAL;
		}
		fields = map_get(lc, en, "fields", NULL);
		comps = map_get(lc, en, "comps", NULL);
		values = map_get(lc, en, "values", NULL);
		for (e = r->exc; e; e = e->next)
			if (!strcmp(e->name->s, scalar(name)))
				break;
		if (e && append) {
			if (fields || comps) {
				err_node(lc, fields ? fields : comps,
					 "exception '%s' exists: an append may only add values%s",
					 e->name->s, NULL);
				return -EINVAL;
			}
			if (exc_add_values(lc, e, values, r->name))
				return -EINVAL;
			continue;
		}
		if (e) {
			err_node(lc, name, "rule '%s': exception '%s' is defined twice", r->name,
				 e->name->s);
			return -EINVAL;
		}
		if (!fields) {
			err_node(lc, en, "exception '%s' has no fields%s", scalar(name), NULL);
			return -EINVAL;
		}
		e = arena_alloc(&lc->rs->arena, sizeof(*e));
		if (!e || !(e->name = mk_text(lc, name)))
			return -ENOMEM;
		e->fields_scalar = fields->type == YAML_SCALAR_NODE;
		if (texts_of(lc, fields, &e->fields, &e->nfields) || !e->nfields) {
			err_node(lc, fields,
				 "exception '%s': fields must be a field or a list of fields%s",
				 scalar(name), NULL);
			return -EINVAL;
		}
		if (comps) {
			if ((comps->type == YAML_SCALAR_NODE) != e->fields_scalar ||
			    texts_of(lc, comps, &e->comps, &e->ncomps) || e->ncomps != e->nfields) {
				err_node(
				    lc, comps,
				    "exception '%s': comps must match fields (one operator per "
				    "field)%s",
				    scalar(name), NULL);
				return -EINVAL;
			}
		}
		if (exc_add_values(lc, e, values, r->name))
			return -EINVAL;
		for (tailp = &r->exc; *tailp; tailp = &(*tailp)->next)
			;
		*tailp = e;
	}
	return 0;
}

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

	if (is_null(tags)) {
		if (!append)
			r->ntags = 0;
		return 0;
	}
	if (tags->type != YAML_SEQUENCE_NODE) {
		err_node(lc, tags, "rule '%s': tags must be a sequence%s", r->name, NULL);
		return -EINVAL;
	}
	n = (size_t)(tags->data.sequence.items.top - tags->data.sequence.items.start);
	nt = arena_alloc(&lc->rs->arena, (n + r->ntags + 1) * sizeof(*nt));
	if (!nt)
		return -ENOMEM;
	if (append && r->ntags) {
		memcpy(nt, r->tags, r->ntags * sizeof(*nt));
		i = r->ntags;
	}
	for (it = tags->data.sequence.items.start; it < tags->data.sequence.items.top; it++) {
		yaml_node_t *v = node(lc, *it);
		size_t j;

		if (!v || v->type != YAML_SCALAR_NODE) {
			err_node(lc, v ? v : tags, "rule '%s': every tag must be a string%s",
				 r->name, NULL);
			return -EINVAL;
		}
		for (j = 0; j < i; j++)
			if (!strcmp(nt[j], scalar(v)))
				break;
		if (j < i)
			continue;
		if (!(nt[i++] = dup_scalar(lc, v)))
			return -ENOMEM;
	}
	r->tags = nt;
	r->ntags = i;
	return 0;
}

static struct rtext *concat_text(struct loadctx *lc, const struct rtext *a, const yaml_node_t *b)
{
	struct rtext *t = mk_text(lc, b);
	char *s;

	if (!t || !a)
		return t;
	s = arena_alloc(&lc->rs->arena, a->len + 1 + t->len + 1);
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

static int load_rule(struct loadctx *lc, const yaml_node_t *item, const yaml_node_t *namenode)
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
	const char *name = scalar(namenode);
	struct rule *r;
	bool has_ov, append = false, is_new = false;
	size_t i;
	int ret;

	if (!name || !*name) {
		err_node(lc, namenode, "rule name must be a non-empty string%s%s", NULL, NULL);
		return -EINVAL;
	}
	if (check_keys(lc, item, "rule", allowed))
		return -EINVAL;
	if (read_override(lc, item, "rule", name, okeys, oappend, mode, RK_COUNT, &has_ov))
		return -EINVAL;
	for (i = 0; i < RK_COUNT; i++)
		v[i] = map_get(lc, item, okeys[i], NULL);
	app = map_get(lc, item, "append", NULL);
	if (app && parse_bool(app, &append)) {
		err_node(lc, app, "append must be true or false%s%s", NULL, NULL);
		return -EINVAL;
	}
	src = map_get(lc, item, "source", NULL);
	r = smap_get(&rs->rules_by_name, name, strlen(name));

	if (append) {
		if (!r) {
			err_node(lc, namenode, "rule '%s': append to a rule that is not defined%s",
				 name, NULL);
			return -EINVAL;
		}
		if (!v[RK_CONDITION] && !v[RK_EXCEPTIONS]) {
			err_node(lc, item, "rule '%s': an append needs a condition or exceptions%s",
				 name, NULL);
			return -EINVAL;
		}
		for (i = 0; i < RK_COUNT; i++)
			mode[i] = v[i] ? (i == RK_CONDITION || i == RK_EXCEPTIONS ? MERGE_APPEND
										  : MERGE_REPLACE)
				       : MERGE_NEW;
		has_ov = true;
	}
	if (has_ov && !r) {
		err_node(lc, namenode, "rule '%s': override of a rule that is not defined%s", name,
			 NULL);
		return -EINVAL;
	}
	if (!has_ov && r && !v[RK_CONDITION] && v[RK_ENABLED] && !v[RK_OUTPUT]) {
		/* enable/disable an existing rule (Falco's short form) */
		if (parse_bool(v[RK_ENABLED], &r->enabled)) {
			err_node(lc, v[RK_ENABLED], "enabled must be true or false%s%s", NULL,
				 NULL);
			return -EINVAL;
		}
		return 0;
	}
	if (!has_ov) {
		static const char *const required[] = {"condition", "output", "desc", "priority"};
		static const enum rkey rk[] = {RK_CONDITION, RK_OUTPUT, RK_DESC, RK_PRIORITY};

		for (i = 0; i < 4; i++) {
			if (!v[rk[i]]) {
				err_node(lc, item, "rule '%s' has no %s", name, required[i]);
				return -EINVAL;
			}
		}
		if (!r) {
			r = arena_alloc(&rs->arena, sizeof(*r));
			if (!r || !(r->name = dup_scalar(lc, namenode)))
				return -ENOMEM;
			if (smap_put(&rs->rules_by_name, r->name, strlen(r->name), r) ||
			    rules_push(rs, r))
				return -ENOMEM;
		}
		is_new = true;
		r->pos = mk_text(lc, namenode);
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
		if (!scalar(src) || !(r->source = dup_scalar(lc, src)))
			return -EINVAL;
	}

	for (i = 0; i < RK_COUNT; i++) {
		bool add = mode[i] == MERGE_APPEND;

		if (mode[i] == MERGE_NEW)
			continue;
		if (i != RK_TAGS && i != RK_EXCEPTIONS && v[i]->type != YAML_SCALAR_NODE) {
			err_node(lc, v[i], "rule '%s': %s must be a string", name, okeys[i]);
			return -EINVAL;
		}
		switch ((enum rkey)i) {
		case RK_CONDITION:
			if (!add)
				r->cond = r->cond_tail = NULL;
			if ((ret = add_frag(lc, &r->cond, &r->cond_tail, v[i])))
				return ret;
			break;
		case RK_OUTPUT:
			r->output = add ? concat_text(lc, r->output, v[i]) : mk_text(lc, v[i]);
			if (!r->output)
				return -ENOMEM;
			break;
		case RK_DESC:
			r->desc = add ? concat_text(lc, r->desc, v[i]) : mk_text(lc, v[i]);
			if (!r->desc)
				return -ENOMEM;
			break;
		case RK_PRIORITY: {
			int prio = vocab_priority_parse(scalar(v[i]), v[i]->data.scalar.length);

			if (prio < 0) {
				err_node(
				    lc, v[i],
				    "unknown priority '%s' (expected EMERGENCY, ALERT, CRITICAL, "
				    "ERROR, WARNING, NOTICE, INFO or DEBUG)%s",
				    scalar(v[i]), NULL);
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
			if ((ret = load_exceptions(lc, r, v[i], add)))
				return ret;
			break;
		case RK_ENABLED:
		case RK_WARN_EVTTYPES:
		case RK_SKIP_UNKNOWN: {
			bool b;

			if (parse_bool(v[i], &b)) {
				err_node(lc, v[i], "%s must be true or false%s", okeys[i], NULL);
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

/* ---- engine version and plugins ---- */

static int load_plugins(struct loadctx *lc, const yaml_node_t *val)
{
	yaml_node_item_t *it;

	if (val->type != YAML_SEQUENCE_NODE) {
		err_node(lc, val, "required_plugin_versions must be a sequence%s%s", NULL, NULL);
		return -EINVAL;
	}
	for (it = val->data.sequence.items.start; it < val->data.sequence.items.top; it++) {
		yaml_node_t *p = node(lc, *it), *name;
		char msg[256];

		if (!p || p->type != YAML_MAPPING_NODE || !(name = map_get(lc, p, "name", NULL)) ||
		    !scalar(name) || !map_get(lc, p, "version", NULL)) {
			err_node(lc, p ? p : val,
				 "a required plugin needs a name and a version%s%s", NULL, NULL);
			return -EINVAL;
		}
		if (scalar_is(name, "container"))
			continue; /* container metadata is native */
		snprintf(msg, sizeof(msg),
			 "plugin '%s' is not available: rules of its event source are inactive",
			 scalar(name));
		warn_node(lc, name, msg);
	}
	return 0;
}

/* ---- items ---- */

static void load_item(struct loadctx *lc, const yaml_node_t *item)
{
	static const char *const kinds[] = {"list", "macro", "rule", "required_engine_version",
					    "required_plugin_versions"};
	yaml_node_t *val = NULL, *key = NULL;
	size_t i;

	if (item->type != YAML_MAPPING_NODE) {
		err_node(lc, item,
			 "expected an item (list, macro, rule, required_engine_version or "
			 "required_plugin_versions)%s%s",
			 NULL, NULL);
		return;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if ((val = map_get(lc, item, kinds[i], &key)))
			break;
	if (!val) {
		yaml_node_t *k0 = item->data.mapping.pairs.start < item->data.mapping.pairs.top
				      ? node(lc, item->data.mapping.pairs.start->key)
				      : NULL;

		err_node(
		    lc, k0 ? k0 : item,
		    "unknown item '%s': expected list, macro, rule, required_engine_version or "
		    "required_plugin_versions%s",
		    k0 && scalar(k0) ? scalar(k0) : "", NULL);
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
		load_rule(lc, item, val);
		break;
	case 3:
		if (val->type != YAML_SCALAR_NODE)
			err_node(lc, val, "required_engine_version must be a version string%s%s",
				 NULL, NULL);
		break;
	default:
		load_plugins(lc, val);
		break;
	}
}

static int read_all(const char *path, char **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 65536, n = 0, r;
	char *b = NULL, *nb;
	int ret = 0;

	if (!f)
		return -errno;
	b = malloc(cap);
	if (!b) {
		ret = -ENOMEM;
		goto cleanup;
	}
	while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
		n += r;
		if (cap - n - 1 == 0) {
			if (cap > (64u << 20)) {
				ret = -EFBIG;
				goto cleanup;
			}
			nb = realloc(b, cap * 2);
			if (!nb) {
				ret = -ENOMEM;
				goto cleanup;
			}
			b = nb;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		ret = -EIO;
		goto cleanup;
	}
	b[n] = '\0';
	*buf = b;
	*len = n;
	b = NULL;
cleanup:
	free(b);
	fclose(f);
	return ret;
}

static int add_file(struct ruleset *rs, const char *path, char *buf, size_t len, struct rfile **out)
{
	struct rfile *f = calloc(1, sizeof(*f)), **nf;

	if (!f)
		return -ENOMEM;
	f->path = strdup(path);
	nf = realloc(rs->files, (rs->nfiles + 1) * sizeof(*nf));
	if (!f->path || !nf) {
		free(f->path);
		free(f);
		if (nf)
			rs->files = nf;
		return -ENOMEM;
	}
	rs->files = nf;
	f->buf = buf;
	f->len = len;
	rs->files[rs->nfiles++] = f;
	*out = f;
	return 0;
}

/* Parses one file's text. Takes ownership of buf. */
static int load_text(struct ruleset *rs, const char *path, char *buf, size_t len)
{
	struct loadctx lc;
	yaml_parser_t parser;
	yaml_document_t doc;
	bool parser_ok = false, doc_ok = false;
	size_t i, nl = 1;
	int ret = 0;

	memset(&lc, 0, sizeof(lc));
	lc.rs = rs;
	if ((ret = add_file(rs, path, buf, len, &lc.file))) {
		free(buf);
		return ret;
	}
	for (i = 0; i < len; i++)
		nl += buf[i] == '\n';
	lc.line_start = malloc(nl * sizeof(*lc.line_start));
	if (!lc.line_start) {
		ret = -ENOMEM;
		goto cleanup;
	}
	lc.line_start[0] = 0;
	lc.nlines = 1;
	for (i = 0; i < len; i++)
		if (buf[i] == '\n')
			lc.line_start[lc.nlines++] = i + 1;

	if (!yaml_parser_initialize(&parser)) {
		ret = -ENOMEM;
		goto cleanup;
	}
	parser_ok = true;
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	for (;;) {
		yaml_node_t *root;

		if (!yaml_parser_load(&parser, &doc)) {
			struct rtext t = {
			    .file = lc.file, .s = "", .style = YAML_PLAIN_SCALAR_STYLE};
			struct rpos pos = {&t, 0};
			yaml_mark_t m = parser.problem_mark;

			t.src_start = mark_byte(&lc, &m);
			t.src_end = len;
			ruleset_diag_at(rs, &pos, false, "YAML syntax error: %s%s%s",
					parser.problem ? parser.problem : "invalid document",
					parser.context ? " " : "",
					parser.context ? parser.context : "");
			ret = -EINVAL;
			goto cleanup;
		}
		doc_ok = true;
		root = yaml_document_get_root_node(&doc);
		if (!root) /* end of stream */
			break;
		lc.doc = &doc;
		if (root->type == YAML_SEQUENCE_NODE) {
			yaml_node_item_t *it;

			for (it = root->data.sequence.items.start;
			     it < root->data.sequence.items.top; it++)
				load_item(&lc, yaml_document_get_node(&doc, *it));
		} else if (!is_null(root)) {
			err_node(&lc, root, "a rules file must be a sequence of items%s%s", NULL,
				 NULL);
		}
		yaml_document_delete(&doc);
		doc_ok = false;
	}
cleanup:
	if (doc_ok)
		yaml_document_delete(&doc);
	if (parser_ok)
		yaml_parser_delete(&parser);
	free(lc.line_start);
	return ret;
}

static int load_path(struct ruleset *rs, const char *path);

static int yaml_name(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && ((n > 5 && !strcmp(d->d_name + n - 5, ".yaml")) ||
				       (n > 4 && !strcmp(d->d_name + n - 4, ".yml")));
}

static int load_dir(struct ruleset *rs, const char *path)
{
	struct dirent **ents = NULL;
	int n, i, ret = 0;

	n = scandir(path, &ents, yaml_name, alphasort);
	if (n < 0) {
		ret = -errno;
		ruleset_diag_file(rs, path, "cannot read directory: %s", strerror(errno));
		return ret;
	}
	for (i = 0; i < n; i++) {
		char full[4096];

		if (!ret) {
			if (snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name) >=
			    (int)sizeof(full)) {
				ruleset_diag_file(rs, path, "path too long");
			} else {
				int r = load_path(rs, full);

				if (r == -ENOMEM)
					ret = r;
			}
		}
		free(ents[i]);
	}
	free(ents);
	return ret;
}

static int load_path(struct ruleset *rs, const char *path)
{
	struct stat st;
	char *buf = NULL;
	size_t len = 0;
	int ret;

	if (stat(path, &st)) {
		ret = -errno;
		ruleset_diag_file(rs, path, "cannot open: %s", strerror(errno));
		return ret;
	}
	if (S_ISDIR(st.st_mode))
		return load_dir(rs, path);
	ret = read_all(path, &buf, &len);
	if (ret) {
		ruleset_diag_file(rs, path, "cannot read: %s", strerror(-ret));
		return ret;
	}
	return load_text(rs, path, buf, len);
}

/* ---- public entry points ---- */

static struct ruleset *ruleset_new(const struct ruleset_opts *opts)
{
	struct ruleset *rs = calloc(1, sizeof(*rs));
	size_t i;

	if (!rs)
		return NULL;
	rs->opts.matching = RULE_MATCH_FIRST;
	rs->opts.min_priority = RULE_PRIO_DEBUG;
	if (opts)
		rs->opts = *opts;
	for (i = 0; i < SCRATCH_N; i++) {
		rs->scratch[i] = malloc(OSP_FIELD_BUFSZ);
		if (!rs->scratch[i]) {
			ruleset_free(rs);
			return NULL;
		}
	}
	return rs;
}

static int finish(struct ruleset *rs, struct ruleset **out)
{
	size_t i;
	int ret;

	ret = ruleset_compile(rs);
	/* the file texts were only needed for positions */
	for (i = 0; i < rs->nfiles; i++) {
		free(rs->files[i]->buf);
		rs->files[i]->buf = NULL;
		rs->files[i]->len = 0;
	}
	if (ret == -ENOMEM) {
		ruleset_free(rs);
		*out = NULL;
		return ret;
	}
	*out = rs;
	return rs->nerrors ? -EINVAL : 0;
}

int ruleset_load(const char *const *paths, size_t npaths, const struct ruleset_opts *opts,
		 struct ruleset **out)
{
	struct ruleset *rs = ruleset_new(opts);
	size_t i;

	*out = NULL;
	if (!rs)
		return -ENOMEM;
	for (i = 0; i < npaths; i++) {
		if (load_path(rs, paths[i]) == -ENOMEM) {
			ruleset_free(rs);
			return -ENOMEM;
		}
	}
	return finish(rs, out);
}

int ruleset_load_string(const char *name, const char *yaml, size_t len,
			const struct ruleset_opts *opts, struct ruleset **out)
{
	struct ruleset *rs = ruleset_new(opts);
	char *buf;

	*out = NULL;
	if (!rs)
		return -ENOMEM;
	buf = malloc(len + 1);
	if (!buf) {
		ruleset_free(rs);
		return -ENOMEM;
	}
	memcpy(buf, yaml, len);
	buf[len] = '\0';
	if (load_text(rs, name, buf, len) == -ENOMEM) {
		ruleset_free(rs);
		return -ENOMEM;
	}
	return finish(rs, out);
}

void ruleset_free(struct ruleset *rs)
{
	size_t i;

	if (!rs)
		return;
	for (i = 0; i < rs->nregexes; i++) {
		regfree(rs->regexes[i]);
	}
	free(rs->regexes);
	for (i = 0; i < rs->nsets; i++)
		smap_free(rs->sets[i]);
	free(rs->sets);
	for (i = 0; i < rs->nfiles; i++) {
		free(rs->files[i]->buf);
		free(rs->files[i]->path);
		free(rs->files[i]);
	}
	free(rs->files);
	for (i = 0; i < OSP_ET_COUNT; i++)
		free(rs->by_type[i]);
	for (i = 0; i < SCRATCH_N; i++)
		free(rs->scratch[i]);
	smap_free(&rs->lists);
	smap_free(&rs->macros);
	smap_free(&rs->rules_by_name);
	free(rs->rules);
	free(rs->diag_index);
	arena_free(&rs->arena);
	free(rs);
}
