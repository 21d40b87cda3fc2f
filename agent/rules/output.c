/* Output templates: "%field" placeholders compiled once into segments, rendered per alert. */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "rules/internal.h"

static bool name_start(char c)
{
	return isalpha((unsigned char)c);
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.';
}

static int seg_push(struct ruleset *rs, struct rule *r, size_t *cap, const struct out_seg *s)
{
	if (r->nsegs == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct out_seg *ns = rules_arena_alloc(&rs->arena, ncap * sizeof(*ns));

		if (!ns)
			return -ENOMEM;
		if (r->nsegs)
			memcpy(ns, r->segs, r->nsegs * sizeof(*ns));
		r->segs = ns;
		*cap = ncap;
	}
	r->segs[r->nsegs++] = *s;
	return 0;
}

int rules_output_compile(struct ruleset *rs, struct rule *r)
{
	const char *t = r->output_str;
	size_t len = strlen(t), i = 0, lit = 0, cap = 0, ofcap = 0;
	int errors = 0;

	while (i < len) {
		size_t s, e, nend, argp = 0, arglen = 0;
		struct out_seg seg;
		const char *why = NULL;
		size_t k;

		if (t[i] != '%' || i + 1 >= len || !name_start(t[i + 1])) {
			i++;
			continue;
		}
		if (i > lit) {
			memset(&seg, 0, sizeof(seg));
			seg.lit = t + lit;
			seg.len = i - lit;
			if (seg_push(rs, r, &cap, &seg))
				return -ENOMEM;
		}
		s = i + 1;
		e = s;
		while (e < len && name_char(t[e]))
			e++;
		while (e > s && t[e - 1] == '.') /* "%fd.name." ends a sentence */
			e--;
		nend = e;
		if (e < len && t[e] == '[') {
			size_t c = e + 1;

			while (c < len && t[c] != ']')
				c++;
			if (c < len) {
				argp = e + 1;
				arglen = c - e - 1;
				e = c + 1;
			}
		}
		memset(&seg, 0, sizeof(seg));
		seg.field.f = fields_resolve(t + s, nend - s, argp ? t + argp : NULL, arglen,
					     &seg.field.arg, &why);
		if (!seg.field.f) {
			struct rpos pos = {r->output, i};

			ruleset_diag_at(rs, &pos, false, "%s '%.*s' in output", why, (int)(e - s),
					t + s);
			errors++;
			i = lit = e;
			continue;
		}
		seg.field.type = seg.field.f->type;
		if (seg.field.arg.key) {
			seg.field.arg.key = rules_arena_strndup(&rs->arena, seg.field.arg.key,
								seg.field.arg.keylen);
			if (!seg.field.arg.key)
				return -ENOMEM;
		}
		/* output_fields: each name once */
		for (k = 0; k < r->nofields; k++)
			if (strlen(r->ofields[k]) == e - s && !memcmp(r->ofields[k], t + s, e - s))
				break;
		if (k == r->nofields) {
			if (r->nofields == ofcap) {
				size_t ncap = ofcap ? ofcap * 2 : 16;
				const char **nf = rules_arena_alloc(&rs->arena, ncap * sizeof(*nf));
				struct cfield *nd =
				    rules_arena_alloc(&rs->arena, ncap * sizeof(*nd));

				if (!nf || !nd)
					return -ENOMEM;
				if (r->nofields) {
					memcpy(nf, r->ofields, r->nofields * sizeof(*nf));
					memcpy(nd, r->ofield_defs, r->nofields * sizeof(*nd));
				}
				r->ofields = nf;
				r->ofield_defs = nd;
				ofcap = ncap;
			}
			r->ofields[k] = rules_arena_strndup(&rs->arena, t + s, e - s);
			if (!r->ofields[k])
				return -ENOMEM;
			r->ofield_defs[k] = seg.field;
			r->nofields++;
		}
		seg.outfield = k;
		if (seg_push(rs, r, &cap, &seg))
			return -ENOMEM;
		i = lit = e;
	}
	if (len > lit) {
		struct out_seg seg;

		memset(&seg, 0, sizeof(seg));
		seg.lit = t + lit;
		seg.len = len - lit;
		if (seg_push(rs, r, &cap, &seg))
			return -ENOMEM;
	}
	return errors ? -EINVAL : 0;
}

int rule_output_render(struct ruleset *rs, const struct rule *r, const struct osp_field_ctx *ctx,
		       const struct osp_event *ev, char *buf, size_t size)
{
	size_t off = 0, i;
	bool trunc = false;

	if (!size)
		return -ENOSPC;
	buf[0] = '\0';
	for (i = 0; i < r->nsegs && !trunc; i++) {
		const struct out_seg *s = &r->segs[i];
		size_t n;

		if (s->lit) {
			n = s->len;
			if (n >= size - off) {
				n = size - off - 1;
				trunc = true;
			}
			memcpy(buf + off, s->lit, n);
			off += n;
			buf[off] = '\0';
		} else {
			struct osp_fval v;
			int w;

			if (rules_cfield_get(rs, &s->field, 0, 0, ctx, ev, &v))
				w = fields_format(&v, buf + off, size - off);
			else
				w = fields_format(NULL, buf + off, size - off);
			if (w < 0)
				w = 0;
			if ((size_t)w >= size - off) {
				trunc = true;
				off = size - 1;
			} else {
				off += (size_t)w;
			}
		}
	}
	return trunc ? -ENOSPC : (int)off;
}

size_t rule_output_nfields(const struct rule *r)
{
	return r->nofields;
}

const char *rule_output_field_name(const struct rule *r, size_t i)
{
	return i < r->nofields ? r->ofields[i] : NULL;
}

int rule_output_field_get(const struct rule *r, size_t i, const struct osp_field_ctx *ctx,
			  const struct osp_event *ev, struct osp_fval *v)
{
	if (i >= r->nofields)
		return 0;
	return fields_get(r->ofield_defs[i].f, ctx, ev, &r->ofield_defs[i].arg, v);
}

int rules_output_check_supplied(struct ruleset *rs, struct rule *r)
{
	const char *t = r->output_str;
	int errors = 0;
	size_t k;

	if (!r->active || !r->evt_mask)
		return 0;
	for (k = 0; k < r->nofields; k++) {
		const struct cfield *cf = &r->ofield_defs[k];
		uint32_t sup = fields_supplied(cf->f, &cf->arg);
		const char *at;
		struct rpos pos = {r->output, 0};

		if (sup & r->evt_mask)
			continue;
		/* point at the field in the template: "%name" (name as written) */
		for (at = strchr(t, '%'); at; at = strchr(at + 1, '%'))
			if (!strncmp(at + 1, r->ofields[k], strlen(r->ofields[k])))
				break;
		pos.off = at ? (size_t)(at - t) : 0;
		if (sup || cf->f->supplied_arg) {
			/* we have it for other events (or it is an argument of another syscall, as
			 * evt.arg.oldpath on an open): <NA> here, exactly as in Falco */
			ruleset_diag_at(rs, &pos, true,
					"output field '%s' has no value for the events this rule "
					"matches; it will read <NA>",
					r->ofields[k]);
			continue;
		}
		ruleset_diag_at(rs, &pos, false,
				"output field '%s': no traced event supplies it, so it could only "
				"read <NA>",
				r->ofields[k]);
		errors++;
	}
	return errors ? -EINVAL : 0;
}
