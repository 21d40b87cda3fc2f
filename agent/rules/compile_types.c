/* The event types a compiled rule can match: for every event type we trace, the condition is
 * partially evaluated (evt.type checks decided, checks on fields that event type cannot supply
 * false, as a missing value never matches); none left means inactive, and why is said. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rules/compile.h"

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
		return rules_check_value(rs, n, &v, NULL, NULL) ? T_TRUE : T_FALSE;
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

void rules_set_inactive(struct ruleset *rs, struct rule *r, const char *why)
{
	r->active = false;
	r->why = rules_arena_strndup(&rs->arena, why, strlen(why));
	if (!r->why)
		r->why = "inactive";
}

void rules_analyse(struct ruleset *rs, struct rule *r)
{
	uint32_t mask, tmask;
	char why[512];

	mask = evt_mask_of(rs, r->root, true);
	if (mask) {
		r->evt_mask = mask;
		r->active = r->enabled && r->priority <= rs->opts.min_priority;
		if (!r->enabled)
			rules_set_inactive(rs, r, "disabled");
		else if (!r->active)
			rules_set_inactive(rs, r, "priority below the configured minimum");
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
	rules_set_inactive(rs, r, why);
}
