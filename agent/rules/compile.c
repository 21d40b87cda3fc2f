/* Compiler: AST + lists + macros + exceptions -> the evaluable form, once per rule.
 *
 * Each check gets its field descriptor resolved, its operator checked against the field's type, and its
 * values prepared: numbers parsed, `in` sets hashed, `icontains` values lower-cased, regexes compiled.
 * Then each rule's event types are derived from its condition by partial evaluation: for every event
 * type we trace, evt.type checks are decided, and checks on fields that event type cannot supply are
 * false (a missing value never matches, as in Falco). The rule is indexed under the event types for
 * which the condition is not constant false; none means inactive, and we say why.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/internal.h"

struct cctx {
	struct ruleset *rs;
	struct rule *r;
	bool skip_unknown;
	bool unknown; /* an unknown field was met under skip-if-unknown-filter */
	bool failed;
	unsigned int depth;
};

/* A value as written, before list expansion. */
struct vsrc {
	const char *s;
	size_t len;
	struct rpos pos;
	bool may_name_list;
	bool decode; /* quoted in a condition: escapes to decode */
};

struct vvec {
	struct vsrc *v;
	size_t n, cap;
};

static int vvec_push(struct vvec *vv, const struct vsrc *v)
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

static void cerr(struct cctx *cc, const struct rpos *pos, const char *msg)
{
	cc->failed = true;
	ruleset_diag_at(cc->rs, pos, false, "%s", msg);
}

static struct cnode *cnode_new(struct cctx *cc, enum cnode_kind kind)
{
	struct cnode *n = arena_alloc(&cc->rs->arena, sizeof(*n));

	if (!n)
		cc->failed = true;
	else
		n->kind = kind;
	return n;
}

/* ---- fields ---- */

static enum osp_ftype transformed_type(enum osp_ftype t, uint8_t tr)
{
	if (tr == TR_LEN)
		return OSP_FT_INT64;
	if (t == OSP_FT_PATH && tr == TR_BASENAME)
		return OSP_FT_STRING;
	return t == OSP_FT_PATH ? OSP_FT_PATH : OSP_FT_STRING;
}

static int resolve_field(struct ruleset *rs, const char *name, size_t len, const char *arg,
			 size_t arglen, struct cfield *out, const char **why)
{
	const struct osp_field *f;

	memset(out, 0, sizeof(*out));
	f = fields_resolve(name, len, arg, arglen, &out->arg, why);
	if (!f)
		return -EINVAL;
	out->f = f;
	out->type = f->type;
	if (out->arg.key) { /* keep the key beyond the source text */
		out->arg.key = arena_strndup(&rs->arena, out->arg.key, out->arg.keylen);
		if (!out->arg.key)
			return -ENOMEM;
	}
	out->multi = f->type == OSP_FT_LIST || ((f->flags & OSP_FF_ANY_NOARG) && !out->arg.has);
	return 0;
}

int compile_field(struct ruleset *rs, const struct afield *af, struct cfield *out, bool *unknown)
{
	const char *why = NULL;
	uint8_t i;
	int ret;

	*unknown = false;
	ret = resolve_field(rs, af->name.p, af->name.len, af->name.arg,
			    af->name.arg ? af->name.arglen : 0, out, &why);
	if (ret == -EINVAL) {
		char msg[256];
		struct rpos pos = af->name.pos;

		*unknown = !strcmp(why, "unknown field");
		snprintf(msg, sizeof(msg), "%s '%.*s%s%.*s%s'", why, (int)af->name.len, af->name.p,
			 af->name.arg ? "[" : "", (int)(af->name.arg ? af->name.arglen : 0),
			 af->name.arg ? af->name.arg : "", af->name.arg ? "]" : "");
		if (!*unknown)
			ruleset_diag_at(rs, &pos, false, "%s", msg);
		return -EINVAL;
	}
	if (ret)
		return ret;
	for (i = 0; i < af->ntr; i++) {
		out->tr[i] = af->tr[i];
		if ((out->type == OSP_FT_BOOL) ||
		    ((out->type == OSP_FT_INT64 || out->type == OSP_FT_UINT64) &&
		     af->tr[i] != TR_LEN)) {
			struct rpos pos = af->name.pos;

			ruleset_diag_at(rs, &pos, false,
					"transformer cannot be applied to field '%.*s' of type %s",
					(int)af->name.len, af->name.p, fields_type_name(out->type));
			return -EINVAL;
		}
		out->type = transformed_type(out->type, af->tr[i]);
	}
	out->ntr = af->ntr;
	return 0;
}

/* ---- values ---- */

static bool is_numeric_type(enum osp_ftype t)
{
	return t == OSP_FT_INT64 || t == OSP_FT_UINT64;
}

static bool op_allowed(enum cmp_op op, enum osp_ftype t)
{
	switch (t) {
	case OSP_FT_INT64:
	case OSP_FT_UINT64:
		return op <= OP_GE || op == OP_IN || op == OP_INTERSECTS || op == OP_EXISTS;
	case OSP_FT_BOOL:
		return op == OP_EQ || op == OP_NE || op == OP_IN || op == OP_INTERSECTS ||
		       op == OP_EXISTS;
	default:
		return true;
	}
}

/* Decodes a quoted condition string: \" \' \\ \n \t \r \b \f; other escapes stay as written. */
static char *decode_str(struct arena *a, const char *s, size_t len, size_t *outlen)
{
	char *o = arena_alloc(a, len + 1);
	size_t i, n = 0;

	if (!o)
		return NULL;
	for (i = 0; i < len; i++) {
		if (s[i] == '\\' && i + 1 < len) {
			char c = s[i + 1], d = 0;

			switch (c) {
			case '"':
			case '\'':
			case '\\':
				d = c;
				break;
			case 'n':
				d = '\n';
				break;
			case 't':
				d = '\t';
				break;
			case 'r':
				d = '\r';
				break;
			case 'b':
				d = '\b';
				break;
			case 'f':
				d = '\f';
				break;
			default:
				break;
			}
			if (d) {
				o[n++] = d;
				i++;
				continue;
			}
		}
		o[n++] = s[i];
	}
	o[n] = '\0';
	*outlen = n;
	return o;
}

static int parse_int(const char *s, size_t len, int64_t *out)
{
	char buf[32], *end;
	long long v;
	unsigned long long u;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	errno = 0;
	if (buf[0] == '-') {
		v = strtoll(buf, &end, 0);
		if (errno || *end)
			return -EINVAL;
		*out = v;
		return 0;
	}
	u = strtoull(buf, &end, 0);
	if (errno || *end || !isdigit((unsigned char)buf[buf[0] == '+' ? 1 : 0]))
		return -EINVAL;
	*out = (int64_t)u;
	return 0;
}

static int parse_boolv(const char *s, size_t len, int64_t *out)
{
	if (len == 4 && !strncasecmp(s, "true", 4)) {
		*out = 1;
		return 0;
	}
	if (len == 5 && !strncasecmp(s, "false", 5)) {
		*out = 0;
		return 0;
	}
	return -EINVAL;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Expands list names into their items (recursively) and decodes strings. */
static int expand_value(struct cctx *cc, const struct vsrc *v, struct vvec *out, bool listop,
			unsigned int depth)
{
	struct rlist *l = NULL;
	struct rlist_item *it;
	int ret = 0;

	if (listop && v->may_name_list)
		l = smap_get(&cc->rs->lists, v->s, v->len);
	if (!l) {
		struct vsrc d = *v;

		if (v->decode) {
			d.s = decode_str(&cc->rs->arena, v->s, v->len, &d.len);
			if (!d.s)
				return -ENOMEM;
			d.decode = false;
		}
		return vvec_push(out, &d);
	}
	if (depth > MAX_DEPTH || l->expanding) {
		cerr(cc, &v->pos, l->expanding ? "list refers to itself" : "lists nested too deep");
		return -EINVAL;
	}
	l->expanding = true;
	for (it = l->items; it && !ret; it = it->next) {
		struct vsrc iv = {.s = it->t->s,
				  .len = it->t->len,
				  .pos = {it->t, 0},
				  .may_name_list = true,
				  .decode = false};

		ret = expand_value(cc, &iv, out, true, depth + 1);
	}
	l->expanding = false;
	return ret;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int track_regex(struct ruleset *rs, regex_t *re)
{
	if (rs->nregexes == rs->capregexes) {
		size_t cap = rs->capregexes ? rs->capregexes * 2 : 16;
		regex_t **n = realloc(rs->regexes, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rs->regexes = n;
		rs->capregexes = cap;
	}
	rs->regexes[rs->nregexes++] = re;
	return 0;
}

static int track_set(struct ruleset *rs, struct smap *m)
{
	if (rs->nsets == rs->capsets) {
		size_t cap = rs->capsets ? rs->capsets * 2 : 16;
		struct smap **n = realloc(rs->sets, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		rs->sets = n;
		rs->capsets = cap;
	}
	rs->sets[rs->nsets++] = m;
	return 0;
}

static void type_error(struct cctx *cc, const struct vsrc *v, const struct cfield *cf,
		       const char *expect)
{
	char msg[320];

	snprintf(msg, sizeof(msg), "'%.*s' is not %s (field '%s' is %s)",
		 (int)(v->len > 80 ? 80 : v->len), v->s, expect, cf->f->name,
		 fields_type_name(cf->type));
	cerr(cc, &v->pos, msg);
}

/* Fills a check's single value. */
static int set_single(struct cctx *cc, struct cnode *n, const struct vsrc *v)
{
	struct arena *a = &cc->rs->arena;
	size_t i;

	if (is_numeric_type(n->lhs.type)) {
		if (parse_int(v->s, v->len, &n->i)) {
			type_error(cc, v, &n->lhs, "a number");
			return -EINVAL;
		}
		return 0;
	}
	if (n->lhs.type == OSP_FT_BOOL) {
		if (parse_boolv(v->s, v->len, &n->i)) {
			type_error(cc, v, &n->lhs, "true or false");
			return -EINVAL;
		}
		return 0;
	}
	n->s = arena_strndup(a, v->s, v->len);
	n->len = v->len;
	if (!n->s)
		return -ENOMEM;
	switch (n->op) {
	case OP_ICONTAINS: {
		char *l = arena_strndup(a, v->s, v->len);

		if (!l)
			return -ENOMEM;
		for (i = 0; i < v->len; i++)
			l[i] = (char)tolower((unsigned char)l[i]);
		n->lower = l;
		break;
	}
	case OP_BCONTAINS:
	case OP_BSTARTSWITH: {
		char *b = arena_alloc(a, v->len / 2 + 1);

		if (!b)
			return -ENOMEM;
		if (v->len % 2) {
			type_error(cc, v, &n->lhs, "hex bytes (an even number of hex digits)");
			return -EINVAL;
		}
		for (i = 0; i < v->len; i += 2) {
			int h = hexval(v->s[i]), l = hexval(v->s[i + 1]);

			if (h < 0 || l < 0) {
				type_error(cc, v, &n->lhs, "hex bytes");
				return -EINVAL;
			}
			b[i / 2] = (char)(h * 16 + l);
		}
		n->s = b;
		n->len = v->len / 2;
		break;
	}
	case OP_REGEX: {
		regex_t *re = arena_alloc(a, sizeof(*re));
		char *pat = arena_alloc(a, v->len + 5);
		int rc;

		if (!re || !pat)
			return -ENOMEM;
		/* Falco matches the whole value (RE2 ANCHOR_BOTH) */
		snprintf(pat, v->len + 5, "^(%.*s)$", (int)v->len, v->s);
		rc = regcomp(re, pat, REG_EXTENDED | REG_NOSUB);
		if (rc) {
			char eb[128], msg[256];

			regerror(rc, re, eb, sizeof(eb));
			snprintf(msg, sizeof(msg), "invalid regular expression: %s", eb);
			cerr(cc, &v->pos, msg);
			return -EINVAL;
		}
		if (track_regex(cc->rs, re)) {
			regfree(re);
			return -ENOMEM;
		}
		n->re = re;
		break;
	}
	default:
		break;
	}
	return 0;
}

/* Fills a check's value set (in, intersects, pmatch). */
static int set_multi(struct cctx *cc, struct cnode *n, const struct vvec *vals)
{
	struct arena *a = &cc->rs->arena;
	size_t i;

	if (is_numeric_type(n->lhs.type) || n->lhs.type == OSP_FT_BOOL) {
		if (n->op == OP_PMATCH) {
			cerr(cc, vals->n ? &vals->v[0].pos : NULL, "pmatch needs a string field");
			return -EINVAL;
		}
		n->ints = arena_alloc(a, (vals->n + 1) * sizeof(*n->ints));
		if (!n->ints)
			return -ENOMEM;
		for (i = 0; i < vals->n; i++) {
			int r = n->lhs.type == OSP_FT_BOOL
				    ? parse_boolv(vals->v[i].s, vals->v[i].len, &n->ints[i])
				    : parse_int(vals->v[i].s, vals->v[i].len, &n->ints[i]);

			if (r) {
				type_error(cc, &vals->v[i], &n->lhs,
					   n->lhs.type == OSP_FT_BOOL ? "true or false"
								      : "a number");
				return -EINVAL;
			}
		}
		n->nints = vals->n;
		qsort(n->ints, n->nints, sizeof(*n->ints), cmp_i64);
		return 0;
	}
	if (n->op == OP_PMATCH) {
		n->paths = arena_alloc(a, (vals->n + 1) * sizeof(*n->paths));
		n->plens = arena_alloc(a, (vals->n + 1) * sizeof(*n->plens));
		if (!n->paths || !n->plens)
			return -ENOMEM;
		for (i = 0; i < vals->n; i++) {
			size_t len = vals->v[i].len;

			while (len > 1 && vals->v[i].s[len - 1] == '/')
				len--; /* "/etc/" and "/etc" mean the same directory */
			n->paths[i] = arena_strndup(a, vals->v[i].s, len);
			if (!n->paths[i])
				return -ENOMEM;
			n->plens[i] = len;
		}
		n->npaths = vals->n;
		return 0;
	}
	n->set = arena_alloc(a, sizeof(*n->set));
	if (!n->set || track_set(cc->rs, n->set))
		return -ENOMEM;
	for (i = 0; i < vals->n; i++) {
		char *k = arena_strndup(a, vals->v[i].s, vals->v[i].len);

		if (!k || smap_put(n->set, k, vals->v[i].len, k))
			return -ENOMEM;
	}
	return 0;
}

static bool is_list_op(enum cmp_op op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

/* Builds a check node from a resolved field, an operator and written values. */
static struct cnode *build_check(struct cctx *cc, const struct cfield *lhs, enum cmp_op op,
				 const struct vsrc *vals, size_t nvals, const struct rpos *oppos)
{
	struct cnode *n = cnode_new(cc, CN_CHECK);
	struct vvec ex = {0};
	size_t i;
	int ret = 0;

	if (!n)
		return NULL;
	n->lhs = *lhs;
	n->op = op;
	if (!op_allowed(op, lhs->type)) {
		char msg[256];

		snprintf(msg, sizeof(msg), "operator '%s' cannot be used with field '%s' (%s)",
			 cmp_op_names[op], lhs->f->name, fields_type_name(lhs->type));
		cerr(cc, oppos, msg);
		return NULL;
	}
	if (op == OP_EXISTS)
		return n;
	for (i = 0; i < nvals && !ret; i++)
		ret = expand_value(cc, &vals[i], &ex, is_list_op(op), 0);
	if (!ret) {
		if (is_list_op(op))
			ret = set_multi(cc, n, &ex);
		else if (ex.n != 1)
			cerr(cc, oppos, "operator needs exactly one value"), ret = -EINVAL;
		else
			ret = set_single(cc, n, &ex.v[0]);
	}
	free(ex.v);
	if (ret) {
		cc->failed = true;
		return NULL;
	}
	return n;
}

/* ---- AST -> compiled ---- */

static struct cnode *compile_node(struct cctx *cc, const struct anode *an);

static struct cnode *compile_macro(struct cctx *cc, const struct anode *an)
{
	struct rmacro *m = smap_get(&cc->rs->macros, an->name.p, an->name.len);
	struct cnode *n;

	if (!m) {
		char msg[256];

		snprintf(msg, sizeof(msg), "unknown macro '%.*s'", (int)an->name.len, an->name.p);
		cerr(cc, &an->pos, msg);
		return NULL;
	}
	if (m->expanding || cc->depth > MAX_DEPTH) {
		char msg[256];

		snprintf(msg, sizeof(msg), "macro '%s' %s", m->name,
			 m->expanding ? "refers to itself" : "nests too deep");
		cerr(cc, &an->pos, msg);
		return NULL;
	}
	if (!m->parsed) {
		const struct rtext *frags[64];
		size_t nf = 0;
		struct rfrag *f;

		for (f = m->cond; f && nf < 64; f = f->next)
			frags[nf++] = f->t;
		m->parsed = true;
		m->ast = cond_parse(cc->rs, frags, nf);
		m->failed = !m->ast;
	}
	if (m->failed) {
		cc->failed = true;
		return NULL;
	}
	m->expanding = true;
	cc->depth++;
	n = compile_node(cc, m->ast);
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

	ret = compile_field(cc->rs, &an->lhs, &lhs, &unknown);
	if (ret) {
		if (unknown) {
			if (cc->skip_unknown) {
				cc->unknown = true;
			} else {
				char msg[256];
				struct rpos pos = an->lhs.name.pos;

				snprintf(msg, sizeof(msg), "unknown field '%.*s'",
					 (int)an->lhs.name.len, an->lhs.name.p);
				cerr(cc, &pos, msg);
			}
		}
		cc->failed = true;
		return NULL;
	}
	if (an->nvals == 1 && an->vals[0].kind == AV_FIELD) {
		struct cfield *rhs = arena_alloc(&cc->rs->arena, sizeof(*rhs));

		if (!rhs)
			return NULL;
		if (compile_field(cc->rs, &an->vals[0].field, rhs, &unknown)) {
			if (unknown) {
				char msg[256];
				struct rpos pos = an->vals[0].field.name.pos;

				snprintf(msg, sizeof(msg), "unknown field '%.*s'",
					 (int)an->vals[0].field.name.len, an->vals[0].field.name.p);
				cerr(cc, &pos, msg);
			}
			cc->failed = true;
			return NULL;
		}
		if (is_numeric_type(lhs.type) != is_numeric_type(rhs->type) ||
		    (lhs.type == OSP_FT_BOOL) != (rhs->type == OSP_FT_BOOL) || is_list_op(an->op) ||
		    an->op == OP_REGEX || an->op == OP_BCONTAINS || an->op == OP_BSTARTSWITH ||
		    !op_allowed(an->op, lhs.type)) {
			char msg[256];

			snprintf(msg, sizeof(msg),
				 "operator '%s' cannot compare field '%s' (%s) with val(%s) (%s)",
				 cmp_op_names[an->op], lhs.f->name, fields_type_name(lhs.type),
				 rhs->f->name, fields_type_name(rhs->type));
			cerr(cc, &an->oppos, msg);
			return NULL;
		}
		n = cnode_new(cc, CN_CHECK);
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
			cerr(cc, &av->tok.pos, "val() cannot be used inside a list");
			free(vals);
			return NULL;
		}
		vals[i].s = av->tok.p;
		vals[i].len = av->tok.len;
		vals[i].pos = av->tok.pos;
		vals[i].may_name_list = av->kind == AV_WORD;
		vals[i].decode = av->kind == AV_STRING;
	}
	n = build_check(cc, &lhs, an->op, vals, an->nvals, &an->oppos);
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
	c = compile_node(cc, an);
	if (!c)
		return -EINVAL;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 4;
		struct cnode **nk = arena_alloc(&cc->rs->arena, ncap * sizeof(*nk));

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

static struct cnode *compile_node(struct cctx *cc, const struct anode *an)
{
	struct cnode *n;
	size_t cap = 0;

	if (cc->depth > 4 * MAX_DEPTH) {
		cerr(cc, &an->pos, "condition nests too deep");
		return NULL;
	}
	switch (an->kind) {
	case AN_AND:
	case AN_OR:
		n = cnode_new(cc, an->kind == AN_AND ? CN_AND : CN_OR);
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
		n = cnode_new(cc, CN_NOT);
		if (!n)
			return NULL;
		n->kids = arena_alloc(&cc->rs->arena, sizeof(*n->kids));
		if (!n->kids)
			return NULL;
		cc->depth++;
		n->kids[0] = compile_node(cc, an->a);
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

/* ---- exceptions ---- */

static int parse_op_name(const char *s, size_t len, enum cmp_op *op)
{
	int i;

	if (len == 2 && !memcmp(s, "==", 2)) {
		*op = OP_EQ;
		return 0;
	}
	for (i = 0; i < OP_COUNT; i++) {
		if (strlen(cmp_op_names[i]) == len && !memcmp(cmp_op_names[i], s, len)) {
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
			cerr(cc, &pos, "malformed field argument");
			return -EINVAL;
		}
		arg = br + 1;
		arglen = t->len - nlen - 2;
		if (arglen >= 2 && (arg[0] == '"' || arg[0] == '\'') && arg[arglen - 1] == arg[0]) {
			arg++;
			arglen -= 2;
		}
	}
	ret = resolve_field(cc->rs, t->s, nlen, arg, arglen, cf, &why);
	if (ret == -EINVAL) {
		char msg[256];

		if (!strcmp(why, "unknown field") && cc->skip_unknown) {
			cc->unknown = true;
			cc->failed = true;
			return ret;
		}
		snprintf(msg, sizeof(msg), "%s '%s'", why, t->s);
		cerr(cc, &pos, msg);
	}
	return ret;
}

static struct cnode *compile_exception(struct cctx *cc, const struct rexception *e)
{
	struct cfield cf[16];
	enum cmp_op ops[16];
	struct cnode *any;
	size_t k, r;

	if (!e->nrows)
		return NULL;
	if (e->nfields > 16) {
		struct rpos pos = {e->name, 0};

		cerr(cc, &pos, "an exception may have at most 16 fields");
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
			cerr(cc, &pos, msg);
			return NULL;
		}
	}
	any = cnode_new(cc, CN_OR);
	if (!any)
		return NULL;
	any->kids = arena_alloc(&cc->rs->arena, (e->nrows + 1) * sizeof(*any->kids));
	if (!any->kids)
		return NULL;

	if (e->fields_scalar && is_list_op(ops[0])) {
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

					if (vvec_push(&vals, &s))
						goto oom;
				}
			} else {
				struct vsrc s = {v->t->s, v->t->len, {v->t, 0}, true, false};

				if (vvec_push(&vals, &s))
					goto oom;
			}
		}
		c = build_check(cc, &cf[0], ops[0], vals.v, vals.n, &(struct rpos){e->name, 0});
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
		struct cnode *all = cnode_new(cc, CN_AND);

		if (!all)
			return NULL;
		all->kids = arena_alloc(&cc->rs->arena, (e->rowlen[r] + 1) * sizeof(*all->kids));
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
				if (!is_list_op(ops[k])) {
					cerr(cc, &vpos,
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
				c = build_check(cc, &cf[k], ops[k], list, v->nlist, &vpos);
				free(list);
			} else {
				one[0].s = v->t->s;
				one[0].len = v->t->len;
				one[0].pos = vpos;
				one[0].may_name_list = true; /* a list name, for in/pmatch */
				one[0].decode = false;
				c = build_check(cc, &cf[k], ops[k], one, 1, &vpos);
			}
			if (!c)
				return NULL;
			all->kids[all->nkids++] = c;
		}
		any->kids[any->nkids++] = all;
	}
	return any;
}

/* ---- event types ---- */

/* Partial evaluation for one event type. T_TAINT: the outcome depends on a field we never supply, read
 * under `not`: evaluating it with "missing" would fire where Falco would not, so the rule cannot be run
 * faithfully for that event type. (Under no negation a missing value only makes the check false.) */
enum tri { T_FALSE = 0, T_TRUE, T_UNKNOWN, T_TAINT };

static enum tri fold(struct ruleset *rs, const struct cnode *n, int et, bool use_fields, bool neg,
		     bool lenient)
{
	size_t i;

	lenient = lenient || n->lenient;
	switch (n->kind) {
	case CN_TRUE:
		return T_TRUE;
	case CN_FALSE:
		return T_FALSE;
	case CN_NOT: {
		enum tri t = fold(rs, n->kids[0], et, use_fields, !neg, lenient);

		if (t == T_TRUE)
			return T_FALSE;
		if (t == T_FALSE)
			return T_TRUE;
		return t;
	}
	case CN_AND:
	case CN_OR: {
		enum tri stop = n->kind == CN_AND ? T_FALSE : T_TRUE;
		bool taint = false, unknown = false;

		for (i = 0; i < n->nkids; i++) {
			enum tri t = fold(rs, n->kids[i], et, use_fields, neg, lenient);

			if (t == stop)
				return stop;
			taint |= t == T_TAINT;
			unknown |= t == T_UNKNOWN;
		}
		if (taint)
			return T_TAINT;
		if (unknown)
			return T_UNKNOWN;
		return n->kind == CN_AND ? T_TRUE : T_FALSE;
	}
	case CN_CHECK:
		break;
	}
	if (!strcmp(n->lhs.f->name, "evt.type") && !n->lhs.ntr && !n->rhs) {
		struct osp_fval v = {0};
		const char *name = et >= 0 ? vocab_evt_name(et) : "\x01untraced";

		v.type = OSP_FT_STRING;
		v.s = name;
		v.len = strlen(name);
		return check_value(rs, n, &v, NULL, NULL) ? T_TRUE : T_FALSE;
	}
	if (use_fields && et >= 0) {
		uint32_t l = fields_supplied(n->lhs.f, &n->lhs.arg);
		uint32_t r = n->rhs ? fields_supplied(n->rhs->f, &n->rhs->arg) : OSP_ETM_ALL;

		if ((!l || !r) && neg && !lenient)
			return T_TAINT;
		if (!(l & OSP_ETM(et)) || !(r & OSP_ETM(et)))
			return T_FALSE;
	}
	return T_UNKNOWN;
}

static uint32_t evt_mask_of(struct ruleset *rs, const struct cnode *root, bool use_fields)
{
	uint32_t m = 0;
	int et;

	for (et = 0; et < OSP_ET_COUNT; et++) {
		enum tri t = fold(rs, root, et, use_fields, false, false);

		if (t == T_TRUE || t == T_UNKNOWN)
			m |= OSP_ETM(et);
	}
	return m;
}

struct namebuf {
	char buf[256];
	size_t len;
	unsigned int count;
};

static void namebuf_add(struct namebuf *nb, const char *s, size_t len)
{
	const char *p = nb->buf;
	int w;

	/* skip duplicates */
	while (p && *p) {
		const char *e = strstr(p, ", ");
		size_t l = e ? (size_t)(e - p) : strlen(p);

		if (l == len && !memcmp(p, s, len))
			return;
		p = e ? e + 2 : NULL;
	}
	if (nb->count >= 6) {
		if (nb->count == 6 && nb->len + 5 < sizeof(nb->buf)) {
			memcpy(nb->buf + nb->len, ", ...", 6);
			nb->len += 5;
		}
		nb->count++;
		return;
	}
	w = snprintf(nb->buf + nb->len, sizeof(nb->buf) - nb->len, "%s%.*s", nb->len ? ", " : "",
		     (int)len, s);
	if (w > 0 && (size_t)w < sizeof(nb->buf) - nb->len) {
		nb->len += (size_t)w;
		nb->count++;
	}
}

/* Names of event types the rule's evt.type checks mention that we do not trace. */
static void untraced_types(const struct cnode *n, struct namebuf *nb)
{
	size_t i;

	if (n->kind != CN_CHECK) {
		for (i = 0; i < n->nkids; i++)
			untraced_types(n->kids[i], nb);
		return;
	}
	if (strcmp(n->lhs.f->name, "evt.type"))
		return;
	if (n->s && vocab_evt_lookup(n->s, n->len) < 0)
		namebuf_add(nb, n->s, n->len);
	if (n->set)
		for (i = 0; i < n->set->cap; i++)
			if (n->set->slots[i].key &&
			    vocab_evt_lookup(n->set->slots[i].key, n->set->slots[i].len) < 0)
				namebuf_add(nb, n->set->slots[i].key, n->set->slots[i].len);
}

/* Fields the rule uses that none of the event types in `mask` supplies. */
static void unsupplied_fields(const struct cnode *n, uint32_t mask, struct namebuf *nb)
{
	size_t i;

	if (n->kind != CN_CHECK) {
		for (i = 0; i < n->nkids; i++)
			unsupplied_fields(n->kids[i], mask, nb);
		return;
	}
	if (!(fields_supplied(n->lhs.f, &n->lhs.arg) & mask)) {
		char name[160];

		snprintf(name, sizeof(name), "%s%s%s%s", n->lhs.f->name, n->lhs.arg.key ? "[" : "",
			 n->lhs.arg.key ? n->lhs.arg.key : "", n->lhs.arg.key ? "]" : "");
		namebuf_add(nb, name, strlen(name));
	}
}

static void set_inactive(struct ruleset *rs, struct rule *r, const char *why)
{
	r->active = false;
	r->why = arena_strndup(&rs->arena, why, strlen(why));
	if (!r->why)
		r->why = "inactive";
}

static void analyse(struct ruleset *rs, struct rule *r)
{
	uint32_t mask, tmask;
	char why[512];

	mask = evt_mask_of(rs, r->root, true);
	if (mask) {
		r->evt_mask = mask;
		r->active = r->enabled && r->priority <= rs->opts.min_priority;
		if (!r->enabled)
			set_inactive(rs, r, "disabled");
		else if (!r->active)
			set_inactive(rs, r, "priority below the configured minimum");
		if (r->warn_evttypes && fold(rs, r->root, -1, false, false, false) != T_FALSE) {
			struct rpos pos = {r->pos, 0};

			ruleset_diag_at(rs, &pos, true,
					"rule '%s' does not restrict evt.type: it is evaluated for "
					"every event",
					r->name);
		}
		return;
	}
	tmask = evt_mask_of(rs, r->root, false);
	if (!tmask) {
		struct namebuf nb = {{0}, 0, 0};

		untraced_types(r->root, &nb);
		if (nb.len)
			snprintf(why, sizeof(why), "needs evt.type %s, not traced", nb.buf);
		else
			snprintf(why, sizeof(why), "matches no event type we trace");
	} else {
		struct namebuf nb = {{0}, 0, 0};

		unsupplied_fields(r->root, tmask, &nb);
		snprintf(why, sizeof(why), "needs %s, which no traced event (%s%s) supplies",
			 nb.len ? nb.buf : "fields", vocab_evt_name(__builtin_ctz(tmask)),
			 (tmask & (tmask - 1)) ? ", ..." : "");
	}
	set_inactive(rs, r, why);
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

	r->file = r->pos->file->path;
	r->line = r->pos->line;
	r->output_str = r->output ? r->output->s : "";
	r->active = false;
	r->evt_mask = 0;
	if (strcmp(r->source, "syscall")) {
		char why[160];

		snprintf(why, sizeof(why), "source '%s' is not served (only syscall)", r->source);
		set_inactive(rs, r, why);
		return;
	}
	for (f = r->cond; f && nf < 64; f = f->next)
		frags[nf++] = f->t;
	ast = cond_parse(rs, frags, nf);
	if (!ast) {
		set_inactive(rs, r, "condition has errors");
		return;
	}
	root = compile_node(&cc, ast);
	for (e = r->exc; e && root; e = e->next) {
		struct cnode *x = compile_exception(&cc, e);

		if (cc.failed)
			break;
		if (!x)
			continue;
		x->lenient = true;
		if (!excs) {
			excs = cnode_new(&cc, CN_OR);
			if (!excs ||
			    !(excs->kids = arena_alloc(&rs->arena, 64 * sizeof(*excs->kids))))
				break;
		}
		if (excs->nkids < 64)
			excs->kids[excs->nkids++] = x;
	}
	if (root && excs && !cc.failed) {
		struct cnode *not = cnode_new(&cc, CN_NOT), *and = cnode_new(&cc, CN_AND);

		if (not &&and) {
			not ->kids = arena_alloc(&rs->arena, sizeof(*not ->kids));
			and->kids = arena_alloc(&rs->arena, 2 * sizeof(*and->kids));
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
		set_inactive(rs, r, "uses a field we do not know (skip-if-unknown-filter)");
		return;
	}
	if (!root || cc.failed) {
		set_inactive(rs, r, "condition has errors");
		return;
	}
	r->root = root;
	if (output_compile(rs, r)) {
		set_inactive(rs, r, "output has errors");
		return;
	}
	analyse(rs, r);
	if (output_check_supplied(rs, r))
		set_inactive(rs, r, "output names a field we cannot supply");
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
		m->ast = cond_parse(rs, frags, nf);
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
