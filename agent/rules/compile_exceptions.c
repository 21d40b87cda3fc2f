/* A rule's exceptions compiled into the condition they stand for: for each exception, any row of
 * values whose every field compares true (Falco's semantics); one list for a single field. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile.h"

/* ---- exceptions ---- */

static int parse_op_name(const char *s, size_t len, enum cmp_op *op)
{
	int i;

	if (len == 2 && !memcmp(s, "==", 2)) {
		*op = OP_EQ;
		return 0;
	}
	for (i = 0; i < OP_COUNT; i++) {
		if (strlen(rules_cmp_op_names[i]) == len &&
		    !memcmp(rules_cmp_op_names[i], s, len)) {
			*op = (enum cmp_op)i;
			return 0;
		}
	}
	return -EINVAL;
}

static int field_from_text(struct cctx *cc, const struct rtext *t, struct cfield *cf)
{
	const char *br = memchr(t->s, '[', t->len), *why = NULL;
	size_t nlen = br ? (size_t)(br - t->s) : t->len;
	const char *arg = NULL;
	size_t arglen = 0;
	struct rpos pos = {t, 0};
	int ret;

	if (br) {
		if (t->s[t->len - 1] != ']') {
			rules_compile_err(cc, &pos, "malformed field argument");
			return -EINVAL;
		}
		arg = br + 1;
		arglen = t->len - nlen - 2;
		if (arglen >= 2 && (arg[0] == '"' || arg[0] == '\'') && arg[arglen - 1] == arg[0]) {
			arg++;
			arglen -= 2;
		}
	}
	ret = rules_resolve_field(cc->rs, t->s, nlen, arg, arglen, cf, &why);
	if (ret == -EINVAL) {
		char msg[256];

		if (!strcmp(why, "unknown field") && cc->skip_unknown) {
			cc->unknown = true;
			cc->failed = true;
			return ret;
		}
		snprintf(msg, sizeof(msg), "%s '%s'", why, t->s);
		rules_compile_err(cc, &pos, msg);
	}
	return ret;
}

struct cnode *rules_compile_exception(struct cctx *cc, const struct rexception *e)
{
	struct cfield cf[16];
	enum cmp_op ops[16];
	struct cnode *any;
	size_t k, r;

	if (!e->nrows)
		return NULL;
	if (e->nfields > 16) {
		struct rpos pos = {e->name, 0};

		rules_compile_err(cc, &pos, "an exception may have at most 16 fields");
		return NULL;
	}
	for (k = 0; k < e->nfields; k++) {
		if (field_from_text(cc, e->fields[k], &cf[k]))
			return NULL;
		ops[k] = e->fields_scalar ? OP_IN : OP_EQ;
		if (e->ncomps && parse_op_name(e->comps[k]->s, e->comps[k]->len, &ops[k])) {
			struct rpos pos = {e->comps[k], 0};
			char msg[160];

			snprintf(msg, sizeof(msg), "unknown comparison operator '%s'",
				 e->comps[k]->s);
			rules_compile_err(cc, &pos, msg);
			return NULL;
		}
	}
	any = rules_cnode_new(cc, CN_OR);
	if (!any)
		return NULL;
	any->kids = rules_arena_alloc(&cc->rs->arena, (e->nrows + 1) * sizeof(*any->kids));
	if (!any->kids)
		return NULL;

	if (e->fields_scalar && rules_is_list_op(ops[0])) {
		/* one field, list operator: all values form one list */
		struct vvec vals = {0};
		struct cnode *c;

		for (r = 0; r < e->nrows; r++) {
			const struct rexc_value *v = &e->rows[r][0];
			size_t j;

			if (v->is_list) {
				for (j = 0; j < v->nlist; j++) {
					struct vsrc s = {v->list[j]->s,
							 v->list[j]->len,
							 {v->list[j], 0},
							 true,
							 false};

					if (rules_vvec_push(&vals, &s))
						goto oom;
				}
			} else {
				struct vsrc s = {v->t->s, v->t->len, {v->t, 0}, true, false};

				if (rules_vvec_push(&vals, &s))
					goto oom;
			}
		}
		c = rules_build_check(cc, &cf[0], ops[0], vals.v, vals.n,
				      &(struct rpos){e->name, 0});
		free(vals.v);
		if (!c)
			return NULL;
		any->kids[any->nkids++] = c;
		return any;
	oom:
		free(vals.v);
		cc->failed = true;
		return NULL;
	}

	for (r = 0; r < e->nrows; r++) {
		struct cnode *all = rules_cnode_new(cc, CN_AND);

		if (!all)
			return NULL;
		all->kids =
		    rules_arena_alloc(&cc->rs->arena, (e->rowlen[r] + 1) * sizeof(*all->kids));
		if (!all->kids)
			return NULL;
		for (k = 0; k < e->rowlen[r]; k++) {
			const struct rexc_value *v = &e->rows[r][k];
			struct rpos vpos = {v->t, 0};
			struct vsrc one[1];
			struct vsrc *list = NULL;
			struct cnode *c;
			size_t j;

			if (v->is_list) {
				if (!rules_is_list_op(ops[k])) {
					rules_compile_err(
					    cc, &vpos,
					    "a list of values needs the in, intersects or pmatch "
					    "operator");
					return NULL;
				}
				list = calloc(v->nlist + 1, sizeof(*list));
				if (!list)
					return NULL;
				for (j = 0; j < v->nlist; j++) {
					list[j].s = v->list[j]->s;
					list[j].len = v->list[j]->len;
					list[j].pos = (struct rpos){v->list[j], 0};
					list[j].may_name_list = true;
				}
				c = rules_build_check(cc, &cf[k], ops[k], list, v->nlist, &vpos);
				free(list);
			} else {
				one[0].s = v->t->s;
				one[0].len = v->t->len;
				one[0].pos = vpos;
				one[0].may_name_list = true; /* a list name, for in/pmatch */
				one[0].decode = false;
				c = rules_build_check(cc, &cf[k], ops[k], one, 1, &vpos);
			}
			if (!c)
				return NULL;
			all->kids[all->nkids++] = c;
		}
		any->kids[any->nkids++] = all;
	}
	return any;
}
