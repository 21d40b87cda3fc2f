/* A rule's exceptions: names, fields, comparison operators and value rows, with Falco's append
 * (more values for an exception already defined). Compiled with the rule (compile.c). */
#include <errno.h>
#include <string.h>

#include "rules/load.h"

/* ---- exceptions ---- */

static int texts_of(struct loadctx *lc, const yaml_node_t *n, struct rtext ***out, size_t *nout)
{
	yaml_node_item_t *it;
	size_t i = 0, cnt;

	if (n->type == YAML_SCALAR_NODE) {
		*out = rules_arena_alloc(&lc->rs->arena, sizeof(**out));
		if (!*out || !((*out)[0] = rules_load_text(lc, n)))
			return -ENOMEM;
		*nout = 1;
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return -EINVAL;
	cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	*out = rules_arena_alloc(&lc->rs->arena, (cnt ? cnt : 1) * sizeof(**out));
	if (!*out)
		return -ENOMEM;
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = rules_load_node(lc, *it);

		if (!v || v->type != YAML_SCALAR_NODE)
			return -EINVAL;
		if (!((*out)[i++] = rules_load_text(lc, v)))
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

	if (rules_yaml_is_null(values))
		return 0;
	if (values->type != YAML_SEQUENCE_NODE) {
		rules_load_err(lc, values, "rule '%s': exception values must be a sequence", rname);
		return -EINVAL;
	}
	cnt = e->nrows +
	      (size_t)(values->data.sequence.items.top - values->data.sequence.items.start);
	{
		struct rexc_value **rows =
		    rules_arena_alloc(&lc->rs->arena, (cnt + 1) * sizeof(*rows));
		size_t *rowlen = rules_arena_alloc(&lc->rs->arena, (cnt + 1) * sizeof(*rowlen));
		struct rtext **rowpos =
		    rules_arena_alloc(&lc->rs->arena, (cnt + 1) * sizeof(*rowpos));

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
		yaml_node_t *row = rules_load_node(lc, *it);
		struct rexc_value *vals;
		size_t n, j;

		if (!row)
			return -EINVAL;
		if (e->fields_scalar) {
			/* one field: each value is a scalar (or a list of them) */
			n = 1;
		} else {
			if (row->type != YAML_SEQUENCE_NODE) {
				rules_load_err(
				    lc, row,
				    "rule '%s': exception '%s': each value must be a sequence "
				    "with one item per field",
				    rname, e->name->s);
				return -EINVAL;
			}
			n = (size_t)(row->data.sequence.items.top - row->data.sequence.items.start);
			if (n != e->nfields) {
				rules_load_err(
				    lc, row, "exception '%s': a value has %zu items for %zu fields",
				    e->name->s, n, e->nfields);
				return -EINVAL;
			}
		}
		vals = rules_arena_alloc(&lc->rs->arena, (n ? n : 1) * sizeof(*vals));
		if (!vals)
			return -ENOMEM;
		for (j = 0; j < n; j++) {
			yaml_node_t *v =
			    e->fields_scalar
				? row
				: rules_load_node(lc, row->data.sequence.items.start[j]);

			if (!v)
				return -EINVAL;
			if (v->type == YAML_SEQUENCE_NODE) {
				vals[j].is_list = true;
				if (texts_of(lc, v, &vals[j].list, &vals[j].nlist)) {
					rules_load_err(
					    lc, v, "exception '%s': a value list must hold scalars",
					    e->name->s);
					return -EINVAL;
				}
				vals[j].t = rules_load_text(lc, v);
			} else if (v->type == YAML_SCALAR_NODE) {
				vals[j].t = rules_load_text(lc, v);
			} else {
				rules_load_err(lc, v,
					       "exception '%s': a value must be a scalar or a list",
					       e->name->s);
				return -EINVAL;
			}
			if (!vals[j].t)
				return -ENOMEM;
		}
		e->rows[r] = vals;
		e->rowlen[r] = n;
		e->rowpos[r] = rules_load_text(lc, row);
		r++;
	}
	e->nrows = r;
	return 0;
}

int rules_load_exceptions(struct loadctx *lc, struct rule *r, const yaml_node_t *excs, bool append)
{
	static const char *const allowed[] = {"name", "fields", "comps", "values", NULL};
	yaml_node_item_t *it;

	if (rules_yaml_is_null(excs))
		return 0;
	if (excs->type != YAML_SEQUENCE_NODE) {
		rules_load_err(lc, excs, "rule '%s': exceptions must be a sequence", r->name);
		return -EINVAL;
	}
	if (!append)
		r->exc = NULL;
	for (it = excs->data.sequence.items.start; it < excs->data.sequence.items.top; it++) {
		yaml_node_t *en = rules_load_node(lc, *it), *name, *fields, *comps, *values;
		struct rexception *e, **tailp;

		if (!en || en->type != YAML_MAPPING_NODE) {
			rules_load_err(lc, en ? en : excs,
				       "rule '%s': each exception must be a mapping", r->name);
			return -EINVAL;
		}
		if (rules_load_check_keys(lc, en, "exception", allowed))
			return -EINVAL;
		name = rules_load_map_get(lc, en, "name", NULL);
		if (!name || !rules_yaml_scalar(name) || !*rules_yaml_scalar(name)) {
			rules_load_err(lc, en, "rule '%s': an exception needs a name", r->name);
			return -EINVAL;
		}
		fields = rules_load_map_get(lc, en, "fields", NULL);
		comps = rules_load_map_get(lc, en, "comps", NULL);
		values = rules_load_map_get(lc, en, "values", NULL);
		for (e = r->exc; e; e = e->next)
			if (!strcmp(e->name->s, rules_yaml_scalar(name)))
				break;
		if (e && append) {
			if (fields || comps) {
				rules_load_err(
				    lc, fields ? fields : comps,
				    "exception '%s' exists: an append may only add values",
				    e->name->s);
				return -EINVAL;
			}
			if (exc_add_values(lc, e, values, r->name))
				return -EINVAL;
			continue;
		}
		if (e) {
			rules_load_err(lc, name, "rule '%s': exception '%s' is defined twice",
				       r->name, e->name->s);
			return -EINVAL;
		}
		if (!fields) {
			rules_load_err(lc, en, "exception '%s' has no fields",
				       rules_yaml_scalar(name));
			return -EINVAL;
		}
		e = rules_arena_alloc(&lc->rs->arena, sizeof(*e));
		if (!e || !(e->name = rules_load_text(lc, name)))
			return -ENOMEM;
		e->fields_scalar = fields->type == YAML_SCALAR_NODE;
		if (texts_of(lc, fields, &e->fields, &e->nfields) || !e->nfields) {
			rules_load_err(lc, fields,
				       "exception '%s': fields must be a field or a list of fields",
				       rules_yaml_scalar(name));
			return -EINVAL;
		}
		if (comps) {
			if ((comps->type == YAML_SCALAR_NODE) != e->fields_scalar ||
			    texts_of(lc, comps, &e->comps, &e->ncomps) || e->ncomps != e->nfields) {
				rules_load_err(
				    lc, comps,
				    "exception '%s': comps must match fields (one operator per "
				    "field)",
				    rules_yaml_scalar(name));
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
