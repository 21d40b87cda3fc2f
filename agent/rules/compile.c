/* Compiler: AST + lists + macros + exceptions -> the evaluable form, once per rule.
 *
 * Each check gets its field descriptor resolved, its operator checked against the field's type, and its
 * values prepared: numbers parsed, `in` sets hashed, `icontains` values lower-cased, regexes compiled.
 * Then each rule's event types are derived from its condition by partial evaluation: for every event
 * type we trace, evt.type checks are decided, and checks on fields that event type cannot supply are
 * false (a missing value never matches, as in Falco). The rule is indexed under the event types for
 * which the condition is not constant false; none means inactive, and we say why.
 * This file: the AST compiled (macros expanded), rules, the ruleset; the checks' values are in
 * compile_values.c, exceptions in compile_exceptions.c, the event-type analysis in compile_types.c.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile.h"

int rules_vvec_push(struct vvec *vv, const struct vsrc *v)
{
	if (vv->n == vv->cap) {
		size_t cap = vv->cap ? vv->cap * 2 : 32;
		struct vsrc *nv = realloc(vv->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		vv->v = nv;
		vv->cap = cap;
	}
	vv->v[vv->n++] = *v;
	return 0;
}

void rules_compile_err(struct cctx *cc, const struct rpos *pos, const char *msg)
{
	cc->failed = true;
	ruleset_diag_at(cc->rs, pos, false, "%s", msg);
}

struct cnode *rules_cnode_new(struct cctx *cc, enum cnode_kind kind)
{
	struct cnode *n = rules_arena_alloc(&cc->rs->arena, sizeof(*n));

	if (!n)
		cc->failed = true;
	else
		n->kind = kind;
	return n;
}

/* ---- AST -> compiled ---- */

static struct cnode *compile_macro(struct cctx *cc, const struct anode *an)
{
	struct rmacro *m = rules_smap_get(&cc->rs->macros, an->name.p, an->name.len);
	struct cnode *n;

	if (!m) {
		char msg[256];

		snprintf(msg, sizeof(msg), "unknown macro '%.*s'", (int)an->name.len, an->name.p);
		rules_compile_err(cc, &an->pos, msg);
		return NULL;
	}
	if (m->expanding || cc->depth > MAX_DEPTH) {
		char msg[256];

		snprintf(msg, sizeof(msg), "macro '%s' %s", m->name,
			 m->expanding ? "refers to itself" : "nests too deep");
		rules_compile_err(cc, &an->pos, msg);
		return NULL;
	}
	if (!m->parsed) {
		const struct rtext *frags[64];
		size_t nf = 0;
		struct rfrag *f;

		for (f = m->cond; f && nf < 64; f = f->next)
			frags[nf++] = f->t;
		m->parsed = true;
		m->ast = rules_cond_parse(cc->rs, frags, nf);
		m->failed = !m->ast;
	}
	if (m->failed) {
		cc->failed = true;
		return NULL;
	}
	m->expanding = true;
	cc->depth++;
	n = rules_compile_node(cc, m->ast);
	cc->depth--;
	m->expanding = false;
	return n;
}

static struct cnode *compile_check(struct cctx *cc, const struct anode *an)
{
	struct cfield lhs;
	struct vsrc *vals = NULL;
	struct cnode *n;
	bool unknown;
	size_t i;
	int ret;

	ret = rules_compile_field(cc->rs, &an->lhs, &lhs, &unknown);
	if (ret) {
		if (unknown) {
			if (cc->skip_unknown) {
				cc->unknown = true;
			} else {
				char msg[256];
				struct rpos pos = an->lhs.name.pos;

				snprintf(msg, sizeof(msg), "unknown field '%.*s'",
					 (int)an->lhs.name.len, an->lhs.name.p);
				rules_compile_err(cc, &pos, msg);
			}
		}
		cc->failed = true;
		return NULL;
	}
	if (an->nvals == 1 && an->vals[0].kind == AV_FIELD) {
		struct cfield *rhs = rules_arena_alloc(&cc->rs->arena, sizeof(*rhs));

		if (!rhs)
			return NULL;
		if (rules_compile_field(cc->rs, &an->vals[0].field, rhs, &unknown)) {
			if (unknown) {
				char msg[256];
				struct rpos pos = an->vals[0].field.name.pos;

				snprintf(msg, sizeof(msg), "unknown field '%.*s'",
					 (int)an->vals[0].field.name.len, an->vals[0].field.name.p);
				rules_compile_err(cc, &pos, msg);
			}
			cc->failed = true;
			return NULL;
		}
		if (rules_is_numeric_type(lhs.type) != rules_is_numeric_type(rhs->type) ||
		    (lhs.type == OSP_FT_BOOL) != (rhs->type == OSP_FT_BOOL) ||
		    rules_is_list_op(an->op) || an->op == OP_REGEX || an->op == OP_BCONTAINS ||
		    an->op == OP_BSTARTSWITH || !rules_op_allowed(an->op, lhs.type)) {
			char msg[256];

			snprintf(msg, sizeof(msg),
				 "operator '%s' cannot compare field '%s' (%s) with val(%s) (%s)",
				 rules_cmp_op_names[an->op], lhs.f->name,
				 fields_type_name(lhs.type), rhs->f->name,
				 fields_type_name(rhs->type));
			rules_compile_err(cc, &an->oppos, msg);
			return NULL;
		}
		n = rules_cnode_new(cc, CN_CHECK);
		if (!n)
			return NULL;
		n->lhs = lhs;
		n->op = an->op;
		n->rhs = rhs;
		return n;
	}
	if (an->nvals) {
		vals = calloc(an->nvals, sizeof(*vals));
		if (!vals) {
			cc->failed = true;
			return NULL;
		}
	}
	for (i = 0; i < an->nvals; i++) {
		const struct aval *av = &an->vals[i];

		if (av->kind == AV_FIELD) {
			rules_compile_err(cc, &av->tok.pos, "val() cannot be used inside a list");
			free(vals);
			return NULL;
		}
		vals[i].s = av->tok.p;
		vals[i].len = av->tok.len;
		vals[i].pos = av->tok.pos;
		vals[i].may_name_list = av->kind == AV_WORD;
		vals[i].decode = av->kind == AV_STRING;
	}
	n = rules_build_check(cc, &lhs, an->op, vals, an->nvals, &an->oppos);
	free(vals);
	return n;
}

/* Flattens a chain of AND (or OR) into one n-ary node. */
static int collect(struct cctx *cc, const struct anode *an, enum anode_kind kind,
		   struct cnode ***kids, size_t *n, size_t *cap)
{
	struct cnode *c;

	if (an->kind == kind) {
		if (collect(cc, an->a, kind, kids, n, cap))
			return -EINVAL;
		return collect(cc, an->b, kind, kids, n, cap);
	}
	c = rules_compile_node(cc, an);
	if (!c)
		return -EINVAL;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct cnode **nk = rules_arena_alloc(&cc->rs->arena, ncap * sizeof(*nk));

		if (!nk)
			return -ENOMEM;
		if (*n)
			memcpy(nk, *kids, *n * sizeof(*nk));
		*kids = nk;
		*cap = ncap;
	}
	(*kids)[(*n)++] = c;
	return 0;
}

struct cnode *rules_compile_node(struct cctx *cc, const struct anode *an)
{
	struct cnode *n;
	size_t cap = 0;

	if (cc->depth > 4 * MAX_DEPTH) {
		rules_compile_err(cc, &an->pos, "condition nests too deep");
		return NULL;
	}
	switch (an->kind) {
	case AN_AND:
	case AN_OR:
		n = rules_cnode_new(cc, an->kind == AN_AND ? CN_AND : CN_OR);
		if (!n)
			return NULL;
		cc->depth++;
		if (collect(cc, an, an->kind, &n->kids, &n->nkids, &cap)) {
			cc->depth--;
			return NULL;
		}
		cc->depth--;
		return n;
	case AN_NOT:
		n = rules_cnode_new(cc, CN_NOT);
		if (!n)
			return NULL;
		n->kids = rules_arena_alloc(&cc->rs->arena, sizeof(*n->kids));
		if (!n->kids)
			return NULL;
		cc->depth++;
		n->kids[0] = rules_compile_node(cc, an->a);
		cc->depth--;
		n->nkids = 1;
		return n->kids[0] ? n : NULL;
	case AN_MACRO:
		return compile_macro(cc, an);
	case AN_CHECK:
		return compile_check(cc, an);
	}
	return NULL;
}

/* Whether a condition reads a field whose descriptor has flag ff (in a check, or in val()). */
static bool uses_flag(const struct cnode *n, uint32_t ff)
{
	size_t i;

	if (n->kind == CN_CHECK)
		return (n->lhs.f->flags & ff) || (n->rhs && (n->rhs->f->flags & ff));
	for (i = 0; i < n->nkids; i++)
		if (uses_flag(n->kids[i], ff))
			return true;
	return false;
}

/* ---- rules ---- */

static void compile_rule(struct ruleset *rs, struct rule *r)
{
	struct cctx cc = {.rs = rs, .r = r, .skip_unknown = r->skip_unknown};
	const struct rtext *frags[64];
	struct anode *ast;
	struct rfrag *f;
	struct rexception *e;
	struct cnode *root, *excs = NULL;
	size_t nf = 0;

	r->output_str = r->output ? r->output->s : "";
	r->active = false;
	r->evt_mask = 0;
	if (strcmp(r->source, "syscall")) {
		char why[160];

		snprintf(why, sizeof(why), "source '%s' is not served (only syscall)", r->source);
		rules_set_inactive(rs, r, why);
		return;
	}
	for (f = r->cond; f && nf < 64; f = f->next)
		frags[nf++] = f->t;
	ast = rules_cond_parse(rs, frags, nf);
	if (!ast) {
		rules_set_inactive(rs, r, "condition has errors");
		return;
	}
	root = rules_compile_node(&cc, ast);
	for (e = r->exc; e && root; e = e->next) {
		struct cnode *x = rules_compile_exception(&cc, e);

		if (cc.failed)
			break;
		if (!x)
			continue;
		x->lenient = true;
		if (!excs) {
			excs = rules_cnode_new(&cc, CN_OR);
			if (!excs ||
			    !(excs->kids = rules_arena_alloc(&rs->arena, 64 * sizeof(*excs->kids))))
				break;
		}
		if (excs->nkids < 64)
			excs->kids[excs->nkids++] = x;
	}
	if (root && excs && !cc.failed) {
		struct cnode *not = rules_cnode_new(&cc, CN_NOT),
			     *and = rules_cnode_new(&cc, CN_AND);

		if (not &&and) {
			not ->kids = rules_arena_alloc(&rs->arena, sizeof(*not ->kids));
			and->kids = rules_arena_alloc(&rs->arena, 2 * sizeof(*and->kids));
		}
		if (not &&and&&not ->kids && and->kids) {
			not ->kids[0] = excs;
			not ->nkids = 1;
			and->kids[0] = root;
			and->kids[1] = not ;
			and->nkids = 2;
			root = and;
		} else {
			cc.failed = true;
		}
	}
	if (cc.unknown) {
		rules_set_inactive(rs, r, "uses a field we do not know (skip-if-unknown-filter)");
		return;
	}
	if (!root || cc.failed) {
		rules_set_inactive(rs, r, "condition has errors");
		return;
	}
	r->root = root;
	if (rules_output_compile(rs, r)) {
		rules_set_inactive(rs, r, "output has errors");
		return;
	}
	rules_analyse(rs, r);
	if (rules_output_check_supplied(rs, r))
		rules_set_inactive(rs, r, "output names a field we cannot supply");
}

int ruleset_compile(struct ruleset *rs)
{
	struct rmacro *m;
	size_t i, t;

	/* syntax errors in every macro, used or not */
	for (m = rs->macro_head; m; m = m->next_def) {
		const struct rtext *frags[64];
		size_t nf = 0;
		struct rfrag *f;

		if (m->parsed)
			continue;
		for (f = m->cond; f && nf < 64; f = f->next)
			frags[nf++] = f->t;
		m->parsed = true;
		m->ast = rules_cond_parse(rs, frags, nf);
		m->failed = !m->ast;
	}
	for (i = 0; i < rs->nrules; i++)
		compile_rule(rs, rs->rules[i]);

	/* event types whose conditions read user or group names: the loop resolves them first */
	for (i = 0; i < rs->nrules; i++)
		if (rs->rules[i]->active && uses_flag(rs->rules[i]->root, OSP_FF_NAMES))
			rs->names_mask |= rs->rules[i]->evt_mask;
	/* index by event type, file order */
	for (t = 0; t < OSP_ET_COUNT; t++) {
		size_t n = 0;

		for (i = 0; i < rs->nrules; i++)
			if (rs->rules[i]->active && (rs->rules[i]->evt_mask & OSP_ETM(t)))
				n++;
		rs->nby_type[t] = 0;
		if (!n)
			continue;
		rs->by_type[t] = calloc(n, sizeof(*rs->by_type[t]));
		if (!rs->by_type[t])
			return -ENOMEM;
		for (i = 0; i < rs->nrules; i++)
			if (rs->rules[i]->active && (rs->rules[i]->evt_mask & OSP_ETM(t)))
				rs->by_type[t][rs->nby_type[t]++] = rs->rules[i];
		rs->evt_mask |= OSP_ETM(t);
	}
	if (rs->nerrors) {
		/* a ruleset with errors runs nothing */
		for (t = 0; t < OSP_ET_COUNT; t++)
			rs->nby_type[t] = 0;
		rs->evt_mask = 0;
		rs->names_mask = 0;
	}
	return 0;
}
