/* Compiling one check: its field resolved (with transformers), its operator checked against the
 * field's type, its values prepared: lists expanded, strings decoded, numbers parsed, `in` sets
 * hashed, `icontains` values lower-cased, hex bytes decoded, regexes compiled. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile.h"

/* ---- fields ---- */

static enum osp_ftype transformed_type(enum osp_ftype t, uint8_t tr)
{
	if (tr == TR_LEN)
		return OSP_FT_INT64;
	if (t == OSP_FT_PATH && tr == TR_BASENAME)
		return OSP_FT_STRING;
	return t == OSP_FT_PATH ? OSP_FT_PATH : OSP_FT_STRING;
}

int rules_resolve_field(struct ruleset *rs, const char *name, size_t len, const char *arg,
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
		out->arg.key = rules_arena_strndup(&rs->arena, out->arg.key, out->arg.keylen);
		if (!out->arg.key)
			return -ENOMEM;
	}
	out->multi = f->type == OSP_FT_LIST || ((f->flags & OSP_FF_ANY_NOARG) && !out->arg.has);
	return 0;
}

int rules_compile_field(struct ruleset *rs, const struct afield *af, struct cfield *out,
			bool *unknown)
{
	const char *why = NULL;
	uint8_t i;
	int ret;

	*unknown = false;
	ret = rules_resolve_field(rs, af->name.p, af->name.len, af->name.arg,
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

bool rules_is_numeric_type(enum osp_ftype t)
{
	return t == OSP_FT_INT64 || t == OSP_FT_UINT64;
}

bool rules_op_allowed(enum cmp_op op, enum osp_ftype t)
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
	char *o = rules_arena_alloc(a, len + 1);
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
		l = rules_smap_get(&cc->rs->lists, v->s, v->len);
	if (!l) {
		struct vsrc d = *v;

		if (v->decode) {
			d.s = decode_str(&cc->rs->arena, v->s, v->len, &d.len);
			if (!d.s)
				return -ENOMEM;
			d.decode = false;
		}
		return rules_vvec_push(out, &d);
	}
	if (depth > MAX_DEPTH || l->expanding) {
		rules_compile_err(cc, &v->pos,
				  l->expanding ? "list refers to itself" : "lists nested too deep");
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
	rules_compile_err(cc, &v->pos, msg);
}

/* Fills a check's single value. */
static int set_single(struct cctx *cc, struct cnode *n, const struct vsrc *v)
{
	struct arena *a = &cc->rs->arena;
	size_t i;

	if (rules_is_numeric_type(n->lhs.type)) {
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
	n->s = rules_arena_strndup(a, v->s, v->len);
	n->len = v->len;
	if (!n->s)
		return -ENOMEM;
	switch (n->op) {
	case OP_ICONTAINS: {
		char *l = rules_arena_strndup(a, v->s, v->len);

		if (!l)
			return -ENOMEM;
		for (i = 0; i < v->len; i++)
			l[i] = (char)tolower((unsigned char)l[i]);
		n->lower = l;
		break;
	}
	case OP_BCONTAINS:
	case OP_BSTARTSWITH: {
		char *b = rules_arena_alloc(a, v->len / 2 + 1);

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
		regex_t *re = rules_arena_alloc(a, sizeof(*re));
		char *pat = rules_arena_alloc(a, v->len + 5);
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
			rules_compile_err(cc, &v->pos, msg);
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

	if (rules_is_numeric_type(n->lhs.type) || n->lhs.type == OSP_FT_BOOL) {
		if (n->op == OP_PMATCH) {
			rules_compile_err(cc, vals->n ? &vals->v[0].pos : NULL,
					  "pmatch needs a string field");
			return -EINVAL;
		}
		n->ints = rules_arena_alloc(a, (vals->n + 1) * sizeof(*n->ints));
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
		n->paths = rules_arena_alloc(a, (vals->n + 1) * sizeof(*n->paths));
		n->plens = rules_arena_alloc(a, (vals->n + 1) * sizeof(*n->plens));
		if (!n->paths || !n->plens)
			return -ENOMEM;
		for (i = 0; i < vals->n; i++) {
			size_t len = vals->v[i].len;

			while (len > 1 && vals->v[i].s[len - 1] == '/')
				len--; /* "/etc/" and "/etc" mean the same directory */
			n->paths[i] = rules_arena_strndup(a, vals->v[i].s, len);
			if (!n->paths[i])
				return -ENOMEM;
			n->plens[i] = len;
		}
		n->npaths = vals->n;
		return 0;
	}
	n->set = rules_arena_alloc(a, sizeof(*n->set));
	if (!n->set || track_set(cc->rs, n->set))
		return -ENOMEM;
	for (i = 0; i < vals->n; i++) {
		char *k = rules_arena_strndup(a, vals->v[i].s, vals->v[i].len);

		if (!k || rules_smap_put(n->set, k, vals->v[i].len, k))
			return -ENOMEM;
	}
	return 0;
}

bool rules_is_list_op(enum cmp_op op)
{
	return op == OP_IN || op == OP_INTERSECTS || op == OP_PMATCH;
}

/* Builds a check node from a resolved field, an operator and written values. */
struct cnode *rules_build_check(struct cctx *cc, const struct cfield *lhs, enum cmp_op op,
				const struct vsrc *vals, size_t nvals, const struct rpos *oppos)
{
	struct cnode *n = rules_cnode_new(cc, CN_CHECK);
	struct vvec ex = {0};
	size_t i;
	int ret = 0;

	if (!n)
		return NULL;
	n->lhs = *lhs;
	n->op = op;
	if (!rules_op_allowed(op, lhs->type)) {
		char msg[256];

		snprintf(msg, sizeof(msg), "operator '%s' cannot be used with field '%s' (%s)",
			 rules_cmp_op_names[op], lhs->f->name, fields_type_name(lhs->type));
		rules_compile_err(cc, oppos, msg);
		return NULL;
	}
	if (op == OP_EXISTS)
		return n;
	for (i = 0; i < nvals && !ret; i++)
		ret = expand_value(cc, &vals[i], &ex, rules_is_list_op(op), 0);
	if (!ret) {
		if (rules_is_list_op(op))
			ret = set_multi(cc, n, &ex);
		else if (ex.n != 1)
			rules_compile_err(cc, oppos, "operator needs exactly one value"),
			    ret = -EINVAL;
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
