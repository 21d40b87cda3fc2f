/* Replay, pass 1: every key of the object classified, and typed values read exactly. Which part of
 * the event a value sets comes from the key's descriptor (a rule field's, or a capture key's in
 * agent/fields/capture.c): nothing here knows a field by name. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/internal.h"

int replay_fail(struct replay_build *b, const char *key, const char *fmt, ...)
{
	va_list ap;

	snprintf(b->err->key, sizeof(b->err->key), "%s", key ? key : "");
	va_start(ap, fmt);
	vsnprintf(b->err->msg, sizeof(b->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *replay_json_type_name(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsArray(v))
		return "a list";
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsNull(v))
		return "null";
	return "an invalid value";
}

/* ---- typed values ---- */

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

int replay_num_i64(const cJSON *v, int64_t *out)
{
	const char *t;
	char *end;
	long long x;

	if (!cJSON_IsNumber(v))
		return -EINVAL;
	t = v->valuestring;
	if (!t) {
		double d = v->valuedouble;

		if (d != (double)(int64_t)d || d > 9007199254740992.0 || d < -9007199254740992.0)
			return -EINVAL;
		*out = (int64_t)d;
		return 0;
	}
	if (!all_digits(t[0] == '-' ? t + 1 : t))
		return -EINVAL;
	errno = 0;
	x = strtoll(t, &end, 10);
	if (errno || *end)
		return -ERANGE;
	*out = x;
	return 0;
}

int replay_num_u64(const cJSON *v, uint64_t *out)
{
	const char *t;
	char *end;
	unsigned long long x;
	int64_t i;

	if (!cJSON_IsNumber(v))
		return -EINVAL;
	t = v->valuestring;
	if (!t) {
		if (replay_num_i64(v, &i) || i < 0)
			return -EINVAL;
		*out = (uint64_t)i;
		return 0;
	}
	if (!all_digits(t))
		return -EINVAL;
	errno = 0;
	x = strtoull(t, &end, 10);
	if (errno || *end)
		return -ERANGE;
	*out = x;
	return 0;
}

int replay_get_u64(struct replay_build *b, enum osp_part p, uint64_t *out)
{
	int r = replay_num_u64(b->part[p], out);

	if (r)
		return replay_fail(b, b->part_key[p], "expected an integer from 0 to 2^64-1");
	return 0;
}

int replay_get_u32(struct replay_build *b, enum osp_part p, uint32_t *out)
{
	uint64_t v;
	int r = replay_get_u64(b, p, &v);

	if (r)
		return r;
	if (v > UINT32_MAX)
		return replay_fail(b, b->part_key[p], "%" PRIu64 " does not fit 32 bits", v);
	*out = (uint32_t)v;
	return 0;
}

int replay_get_i64(struct replay_build *b, enum osp_part p, int64_t *out)
{
	if (replay_num_i64(b->part[p], out))
		return replay_fail(b, b->part_key[p], "expected a 64-bit integer");
	return 0;
}

int replay_get_str(struct replay_build *b, const cJSON *v, const char *key, size_t max,
		   const char **out)
{
	size_t n;

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || !v->valuestring)
		return replay_fail(b, key, "expected a string, got %s", replay_json_type_name(v));
	n = strlen(v->valuestring);
	if (n > max)
		return replay_fail(b, key, "%zu bytes, longer than the %zu bytes Osprey captures",
				   n, max);
	*out = v->valuestring;
	return 0;
}

bool replay_is_true(const cJSON *v)
{
	return v && cJSON_IsTrue(v);
}

/* ---- keys ---- */

/* The JSON type of a capture key's values. */
static enum replay_vtype capture_vtype(const struct osp_capture *c)
{
	if (c->kind == OSP_CK_LIST)
		return REPLAY_VT_LIST;
	if (c->kind == OSP_CK_MAP)
		return REPLAY_VT_OBJECT;
	switch (c->type) {
	case OSP_FT_INT64:
	case OSP_FT_UINT64:
		return REPLAY_VT_INT;
	case OSP_FT_BOOL:
		return REPLAY_VT_BOOL;
	default:
		return REPLAY_VT_STRING;
	}
}

static const char *vtype_want(enum replay_vtype t)
{
	switch (t) {
	case REPLAY_VT_INT:
		return "an integer";
	case REPLAY_VT_BOOL:
		return "a boolean";
	case REPLAY_VT_LIST:
		return "a list";
	case REPLAY_VT_OBJECT:
		return "an object";
	default:
		return "a string";
	}
}

static bool value_has_type(const cJSON *v, enum replay_vtype t)
{
	switch (t) {
	case REPLAY_VT_INT:
		return cJSON_IsNumber(v);
	case REPLAY_VT_BOOL:
		return cJSON_IsBool(v);
	case REPLAY_VT_LIST:
		return cJSON_IsArray(v);
	case REPLAY_VT_OBJECT:
		return cJSON_IsObject(v);
	default:
		return cJSON_IsString(v);
	}
}

/* Splits "name[arg]" into its parts; returns -1 when the brackets are malformed. */
static int split_key(const char *key, size_t *nlen, const char **argp, size_t *alen)
{
	const char *br = strchr(key, '[');
	size_t n = strlen(key);

	*argp = NULL;
	*alen = 0;
	*nlen = n;
	if (!br)
		return strchr(key, ']') ? -1 : 0;
	if (n < 2 || key[n - 1] != ']' || memchr(br + 1, '[', (size_t)(key + n - 1 - (br + 1))))
		return -1;
	*nlen = (size_t)(br - key);
	*argp = br + 1;
	*alen = (size_t)(key + n - 1 - (br + 1));
	return 0;
}

/* The rule field a key names ("proc.aname[2]", "evt.arg.flags"), with its argument pointing into
 * key; NULL with *why. */
static const struct osp_field *key_field(const char *key, struct osp_farg *arg, const char **why)
{
	const struct osp_field *f;
	const char *argp;
	size_t nlen, alen;
	char name[128];

	*why = NULL;
	if (split_key(key, &nlen, &argp, &alen) || nlen >= sizeof(name))
		return NULL;
	memcpy(name, key, nlen);
	name[nlen] = '\0';
	f = fields_resolve(name, nlen, argp, alen, arg, why);
	/* NAME.KEY: the key points into name, a prefix copy of key: point it at key */
	if (f && arg->key >= name && arg->key < name + sizeof(name))
		arg->key = key + (arg->key - name);
	return f;
}

static enum replay_vtype field_vtype(const struct osp_field *f, const struct osp_farg *arg)
{
	if ((f->flags & OSP_FF_ANY_NOARG) && !arg->has)
		return REPLAY_VT_LIST;
	switch (f->type) {
	case OSP_FT_INT64:
	case OSP_FT_UINT64:
		return REPLAY_VT_INT;
	case OSP_FT_BOOL:
		return REPLAY_VT_BOOL;
	default:
		return REPLAY_VT_STRING;
	}
}

enum replay_vtype replay_key_type(const char *key)
{
	const struct osp_capture *c = fields_capture_lookup(key);
	const struct osp_field *f;
	struct osp_farg arg;
	const char *why;

	if (c)
		return capture_vtype(c);
	f = key_field(key, &arg, &why);
	return f ? field_vtype(f, &arg) : REPLAY_VT_STRING;
}

static int note_label(struct replay_build *b, bool pod, const char *key, const struct osp_farg *arg,
		      const cJSON *v)
{
	struct replay_kv *tab = pod ? b->plab : b->clab;
	size_t *n = pod ? &b->nplab : &b->nclab;

	if (*n >= REPLAY_MAXLABELS)
		return replay_fail(b, key, "more than %d labels", REPLAY_MAXLABELS);
	tab[*n].key = arg->key;
	tab[*n].keylen = arg->keylen;
	tab[*n].val = v;
	(*n)++;
	return 0;
}

static void note_part(struct replay_build *b, enum osp_part p, const char *key, const cJSON *v)
{
	if (cJSON_IsNull(v))
		return;
	b->part[p] = v;
	b->part_key[p] = key;
}

/* The part of the process an ancestor member [0] (the process itself) sets. */
static const enum osp_part anc_self[REPLAY_A_N] = {OSP_PART_NAME, OSP_PART_PID, OSP_PART_EXEPATH,
						   OSP_PART_EXE, OSP_PART_CMDLINE};

static int note_ancestor(struct replay_build *b, const char *key, int member,
			 const struct osp_farg *arg, const cJSON *v)
{
	if (!b->anc_key[member])
		b->anc_key[member] = key;
	if (!arg->has) { /* the list, parent first */
		const cJSON *it;
		unsigned int k = 0;

		cJSON_ArrayForEach(it, v)
		{
			if (++k > OSP_ANCESTORS_MAX)
				return replay_fail(b, key, "more than %d ancestors",
						   OSP_ANCESTORS_MAX);
			b->anc[k][member] = it;
		}
		if (k > b->nanc)
			b->nanc = k;
		return 0;
	}
	if (!arg->is_index)
		return replay_fail(b, key, "the argument must be an ancestor number");
	if (arg->idx > OSP_ANCESTORS_MAX)
		return replay_fail(b, key, "ancestor %" PRId64 " is beyond the %d Osprey follows",
				   arg->idx, OSP_ANCESTORS_MAX);
	if (arg->idx == 0) {
		if (!b->part[anc_self[member]]) {
			b->part[anc_self[member]] = v;
			b->part_key[anc_self[member]] = key;
		}
		return 0;
	}
	b->anc[arg->idx][member] = v;
	if ((unsigned int)arg->idx > b->nanc)
		b->nanc = (unsigned int)arg->idx;
	return 0;
}

/* What a rule field's value sets, once its type is known to be right. */
static int note_field(struct replay_build *b, const char *key, const struct osp_field *f,
		      const struct osp_farg *arg, const cJSON *it)
{
	enum osp_part p = fields_part(f, arg);

	switch (p) {
	case OSP_PART_NONE:
	case OSP_PART_CHECKED:
	case OSP_PART_IGNORED:
		return 0;
	case OSP_PART_PROC_FLAG:
		if (!arg->has && replay_is_true(it))
			b->proc_flags |= f->part_bit;
		return 0;
	case OSP_PART_ANC_NAME:
	case OSP_PART_ANC_PID:
	case OSP_PART_ANC_EXEPATH:
	case OSP_PART_ANC_EXE:
	case OSP_PART_ANC_CMDLINE:
		return note_ancestor(b, key, (int)(p - OSP_PART_ANC_NAME), arg, it);
	case OSP_PART_CT_LABEL:
	case OSP_PART_POD_LABEL:
		/* [KEY]: one label; without a key ("k:v, k:v") the value is only checked */
		if (arg->has && !arg->is_index)
			return note_label(b, p == OSP_PART_POD_LABEL, key, arg, it);
		return 0;
	default:
		break;
	}
	if (f->part_arg && arg->has) { /* evt.arg[KEY]: the first of the forms that set it */
		if (!b->part[p])
			note_part(b, p, key, it);
	} else if (!arg->has) {
		note_part(b, p, key, it);
	}
	return 0;
}

int replay_classify(struct replay_build *b, const cJSON *obj)
{
	const cJSON *it, *o2;

	cJSON_ArrayForEach(it, obj)
	{
		const char *key = it->string, *why = NULL;
		const struct osp_capture *c;
		const struct osp_field *f;
		struct osp_farg arg;
		enum replay_vtype want;

		if (!key || !*key)
			return replay_fail(b, "", "an empty key");
		for (o2 = obj->child; o2 != it; o2 = o2->next)
			if (!strcmp(o2->string, key))
				return replay_fail(b, key, "given twice");
		if (b->ngiven >= REPLAY_MAXKEYS)
			return replay_fail(b, key, "more than %d keys", REPLAY_MAXKEYS);
		c = fields_capture_lookup(key);
		if (c && value_has_type(it, capture_vtype(c))) {
			note_part(b, c->part, key, it);
			continue;
		}
		f = key_field(key, &arg, &why);
		if (!f) {
			if (c)
				return replay_fail(b, key, "expected %s, got %s",
						   vtype_want(capture_vtype(c)),
						   replay_json_type_name(it));
			return replay_fail(b, key, "%s", why ? why : "unknown field");
		}
		if (!fields_supplied(f, &arg))
			return replay_fail(b, key, "no event Osprey traces supplies this field");
		if (!(fields_supplied(f, &arg) & OSP_ETM(b->et)))
			return replay_fail(b, key, "%s events do not supply this field",
					   vocab_evt_name(b->et));
		want = field_vtype(f, &arg);
		if (!cJSON_IsNull(it) && !value_has_type(it, want))
			return replay_fail(b, key, "expected %s, got %s", vtype_want(want),
					   replay_json_type_name(it));
		b->given[b->ngiven].item = it;
		b->given[b->ngiven].f = f;
		b->given[b->ngiven].arg = arg;
		b->given[b->ngiven].list = want == REPLAY_VT_LIST;
		b->ngiven++;
		if (cJSON_IsNull(it))
			continue;
		if (note_field(b, key, f, &arg, it))
			return -EINVAL;
	}
	return 0;
}
