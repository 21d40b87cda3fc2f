/* Replay, pass 3: every rule field given extracted from the replayed event and compared with the
 * input, so that a replayed event is exactly what the input describes, or an error says which field
 * disagrees. Fields whose descriptor says IGNORED are accepted without a comparison. */
#include <stdio.h>
#include <string.h>

#include "replay/internal.h"

/* Compares an extracted value with the input; writes what replay gives into got. */
static bool same(const cJSON *want, int present, const struct osp_fval *v, char *got, size_t size)
{
	int64_t i;
	uint64_t u;

	if (!present) {
		snprintf(got, size, "nothing (missing)");
		return cJSON_IsNull(want);
	}
	fields_format(v, got, size);
	switch (v->type) {
	case OSP_FT_INT64:
		return cJSON_IsNumber(want) && !replay_num_i64(want, &i) && i == v->i;
	case OSP_FT_UINT64:
		return cJSON_IsNumber(want) && !replay_num_u64(want, &u) && u == v->u;
	case OSP_FT_BOOL:
		return cJSON_IsBool(want) && cJSON_IsTrue(want) == (v->i != 0);
	default:
		return cJSON_IsString(want) && strlen(want->valuestring) == v->len &&
		       !memcmp(want->valuestring, v->s, v->len);
	}
}

int replay_check(struct replay_build *b)
{
	struct replay_event *re = b->re;
	char got[160];
	size_t g;

	for (g = 0; g < b->ngiven; g++) {
		const struct replay_given *gv = &b->given[g];
		struct osp_farg arg = gv->arg;
		struct osp_fval v = {.buf = b->rp->scratch, .bufsz = sizeof(b->rp->scratch)};
		int present;

		if (fields_part(gv->f, &gv->arg) == OSP_PART_IGNORED)
			continue;
		if (gv->list) {
			const cJSON *it = cJSON_IsArray(gv->item) ? gv->item->child : NULL;

			for (arg.nth = 0;; arg.nth++) {
				present = fields_get(gv->f, &re->ctx, &re->ev, &arg, &v);
				if (!present && !it)
					break;
				if (!it || !same(it, present, &v, got, sizeof(got)))
					return replay_fail(
					    b, gv->item->string,
					    "item %u: the replayed event gives %s%s%s", arg.nth,
					    present ? "'" : "", present ? got : "nothing more",
					    present ? "'" : "");
				it = it->next;
			}
			continue;
		}
		present = fields_get(gv->f, &re->ctx, &re->ev, &arg, &v);
		if (!same(gv->item, present, &v, got, sizeof(got)))
			return replay_fail(
			    b, gv->item->string,
			    "does not follow from the other fields: the replayed event gives "
			    "%s%s%s",
			    present ? "'" : "", got, present ? "'" : "");
	}
	return 0;
}
