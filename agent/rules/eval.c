/* Evaluation of compiled conditions against one event. Allocates nothing: values are extracted into the
 * ruleset's scratch buffers (slots 0/1 for the left-hand field, 2/3 for val(field)). */
#include <ctype.h>
#include <fnmatch.h>
#include <string.h>

#include "rules/internal.h"

#define MAX_VALUES OSP_ANCESTORS_MAX /* values visited for a multi-valued field (ancestors) */

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+' || c == '-')
		return 62;
	if (c == '/' || c == '_')
		return 63;
	return -1;
}

static int b64_decode(const char *s, size_t len, char *out, size_t size, size_t *outlen)
{
	uint32_t acc = 0;
	size_t i, n = 0;
	int bits = 0;

	for (i = 0; i < len; i++) {
		int v;

		if (s[i] == '=')
			break;
		v = b64val(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n + 1 >= size)
				return -1;
			out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

/* Applies transformer tr to v, writing into `other` when it needs a copy. */
static int transform(uint8_t tr, struct osp_fval *v, char *other)
{
	size_t i, n;

	if (v->type == OSP_FT_INT64 || v->type == OSP_FT_UINT64) {
		if (tr != TR_LEN)
			return 0;
		return 1; /* len of a number: unsupported by compile; keep the value */
	}
	switch (tr) {
	case TR_TOLOWER:
	case TR_TOUPPER:
		n = v->len < OSP_FIELD_BUFSZ - 1 ? v->len : OSP_FIELD_BUFSZ - 1;
		for (i = 0; i < n; i++)
			other[i] = (char)(tr == TR_TOLOWER ? tolower((unsigned char)v->s[i])
							   : toupper((unsigned char)v->s[i]));
		other[n] = '\0';
		v->s = other;
		v->len = n;
		v->type = v->type == OSP_FT_PATH ? OSP_FT_PATH : OSP_FT_STRING;
		return 1;
	case TR_BASENAME: {
		const char *sl = memrchr(v->s, '/', v->len);

		if (sl) {
			v->len -= (size_t)(sl + 1 - v->s);
			v->s = sl + 1;
		}
		v->type = OSP_FT_STRING;
		return 1;
	}
	case TR_LEN:
		v->i = (int64_t)v->len;
		v->u = (uint64_t)v->len;
		v->type = OSP_FT_INT64;
		return 1;
	case TR_B64:
		if (b64_decode(v->s, v->len, other, OSP_FIELD_BUFSZ, &n))
			return 0;
		v->s = other;
		v->len = n;
		v->type = OSP_FT_STRING;
		return 1;
	default:
		return 0;
	}
}

int rules_cfield_get(struct ruleset *rs, const struct cfield *cf, uint32_t nth, int slot,
		     const struct osp_field_ctx *ctx, const struct osp_event *ev,
		     struct osp_fval *v)
{
	struct osp_farg a = cf->arg;
	uint8_t i;
	int cur = slot;

	if (nth > 0 && !cf->multi)
		return 0;
	a.nth = nth;
	v->buf = rs->scratch[slot];
	v->bufsz = OSP_FIELD_BUFSZ;
	if (!fields_get(cf->f, ctx, ev, &a, v))
		return 0;
	for (i = 0; i < cf->ntr; i++) {
		/* write into whichever buffer of the pair does not hold the value */
		int other = (v->s >= rs->scratch[cur] && v->s < rs->scratch[cur] + OSP_FIELD_BUFSZ)
				? (cur ^ 1)
				: cur;

		if (!transform(cf->tr[i], v, rs->scratch[other]))
			return 0;
		cur = other;
	}
	return 1;
}

static bool icontains(const char *h, size_t hl, const char *lower, size_t nl)
{
	size_t i, j;

	if (nl == 0)
		return true;
	if (hl < nl)
		return false;
	for (i = 0; i + nl <= hl; i++) {
		for (j = 0; j < nl; j++)
			if (tolower((unsigned char)h[i + j]) != lower[j])
				break;
		if (j == nl)
			return true;
	}
	return false;
}

static bool pmatch(const struct cnode *n, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < n->npaths; i++) {
		size_t pl = n->plens[i];

		if (pl > len || memcmp(s, n->paths[i], pl) != 0)
			continue;
		if (pl == len || s[pl] == '/' || (pl == 1 && n->paths[i][0] == '/'))
			return true;
	}
	return false;
}

static bool int_in(const struct cnode *n, int64_t v)
{
	size_t lo = 0, hi = n->nints;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (n->ints[mid] == v)
			return true;
		if (n->ints[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int cmp_num(const struct osp_fval *v, int64_t w)
{
	if (v->type == OSP_FT_UINT64) {
		if (w < 0 || v->u > (uint64_t)INT64_MAX)
			return 1;
		return v->u < (uint64_t)w ? -1 : v->u > (uint64_t)w;
	}
	return v->i < w ? -1 : v->i > w;
}

static bool num_op(enum cmp_op op, int c)
{
	switch (op) {
	case OP_EQ:
		return c == 0;
	case OP_NE:
		return c != 0;
	case OP_LT:
		return c < 0;
	case OP_LE:
		return c <= 0;
	case OP_GT:
		return c > 0;
	case OP_GE:
		return c >= 0;
	default:
		return false;
	}
}

static int cmp_str(const char *a, size_t al, const char *b, size_t bl)
{
	int c = memcmp(a, b, al < bl ? al : bl);

	if (c)
		return c;
	return al < bl ? -1 : al > bl;
}

/* String comparison against a dynamic value (val(field)). */
static bool str_op_dynamic(enum cmp_op op, const struct osp_fval *v, const struct osp_fval *w)
{
	switch (op) {
	case OP_EQ:
	case OP_NE:
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		return num_op(op, cmp_str(v->s, v->len, w->s, w->len));
	case OP_CONTAINS:
		return memmem(v->s, v->len, w->s, w->len) != NULL;
	case OP_ICONTAINS:
		return strcasestr(v->s, w->s) != NULL;
	case OP_STARTSWITH:
		return v->len >= w->len && !memcmp(v->s, w->s, w->len);
	case OP_ENDSWITH:
		return v->len >= w->len && !memcmp(v->s + v->len - w->len, w->s, w->len);
	case OP_GLOB:
		return fnmatch(w->s, v->s, 0) == 0;
	case OP_IGLOB:
		return fnmatch(w->s, v->s, FNM_CASEFOLD) == 0;
	default:
		return false;
	}
}

bool rules_check_value(struct ruleset *rs, const struct cnode *n, const struct osp_fval *v,
		       const struct osp_field_ctx *ctx, const struct osp_event *ev)
{
	bool numeric =
	    v->type == OSP_FT_INT64 || v->type == OSP_FT_UINT64 || v->type == OSP_FT_BOOL;

	if (n->op == OP_EXISTS)
		return true;
	if (n->rhs) {
		struct osp_fval w;

		if (!ev || !rules_cfield_get(rs, n->rhs, 0, 2, ctx, ev, &w))
			return false;
		if (numeric)
			return num_op(n->op, cmp_num(v, w.i));
		return str_op_dynamic(n->op, v, &w);
	}
	if (numeric) {
		if (n->op == OP_IN || n->op == OP_INTERSECTS) {
			if (v->type == OSP_FT_UINT64 && v->u > (uint64_t)INT64_MAX)
				return false;
			return int_in(n, v->i);
		}
		return num_op(n->op, cmp_num(v, n->i));
	}
	switch (n->op) {
	case OP_EQ:
		return v->len == n->len && !memcmp(v->s, n->s, n->len);
	case OP_NE:
		return !(v->len == n->len && !memcmp(v->s, n->s, n->len));
	case OP_LT:
	case OP_LE:
	case OP_GT:
	case OP_GE:
		return num_op(n->op, cmp_str(v->s, v->len, n->s, n->len));
	case OP_CONTAINS:
	case OP_BCONTAINS:
		return memmem(v->s, v->len, n->s, n->len) != NULL;
	case OP_ICONTAINS:
		return icontains(v->s, v->len, n->lower, n->len);
	case OP_STARTSWITH:
	case OP_BSTARTSWITH:
		return v->len >= n->len && !memcmp(v->s, n->s, n->len);
	case OP_ENDSWITH:
		return v->len >= n->len && !memcmp(v->s + v->len - n->len, n->s, n->len);
	case OP_GLOB:
		return fnmatch(n->s, v->s, 0) == 0;
	case OP_IGLOB:
		return fnmatch(n->s, v->s, FNM_CASEFOLD) == 0;
	case OP_IN:
	case OP_INTERSECTS:
		return rules_smap_get(n->set, v->s, v->len) != NULL;
	case OP_PMATCH:
		return pmatch(n, v->s, v->len);
	case OP_REGEX:
		return regexec(n->re, v->s, 0, NULL, 0) == 0;
	default:
		return false;
	}
}

static bool eval_check(struct ruleset *rs, const struct cnode *n, const struct osp_field_ctx *ctx,
		       const struct osp_event *ev)
{
	struct osp_fval v;
	uint32_t nth;
	bool all = n->op == OP_IN && n->lhs.f->type == OSP_FT_LIST, any = false;

	for (nth = 0; nth < MAX_VALUES; nth++) {
		if (!rules_cfield_get(rs, &n->lhs, nth, 0, ctx, ev, &v))
			break;
		if (rules_check_value(rs, n, &v, ctx, ev)) {
			if (!all)
				return true;
			any = true;
		} else if (all) {
			return false;
		}
		if (!n->lhs.multi)
			break;
	}
	return any;
}

bool rules_cnode_eval(struct ruleset *rs, const struct cnode *n, const struct osp_field_ctx *ctx,
		      const struct osp_event *ev)
{
	size_t i;

	switch (n->kind) {
	case CN_AND:
		for (i = 0; i < n->nkids; i++)
			if (!rules_cnode_eval(rs, n->kids[i], ctx, ev))
				return false;
		return true;
	case CN_OR:
		for (i = 0; i < n->nkids; i++)
			if (rules_cnode_eval(rs, n->kids[i], ctx, ev))
				return true;
		return false;
	case CN_NOT:
		return !rules_cnode_eval(rs, n->kids[0], ctx, ev);
	case CN_CHECK:
		return eval_check(rs, n, ctx, ev);
	case CN_TRUE:
		return true;
	case CN_FALSE:
		return false;
	}
	return false;
}

int ruleset_match(struct ruleset *rs, const struct osp_field_ctx *ctx, const struct osp_event *ev,
		  rule_match_fn cb, void *arg)
{
	int et = vocab_evt_of(ev), matches = 0;
	size_t i;

	if (!rs || et < 0)
		return 0;
	for (i = 0; i < rs->nby_type[et]; i++) {
		const struct rule *r = rs->by_type[et][i];

		if (!rules_cnode_eval(rs, r->root, ctx, ev))
			continue;
		matches++;
		if (cb && cb(r, ev, arg))
			break;
		if (rs->opts.matching == RULE_MATCH_FIRST)
			break;
	}
	return matches;
}
