#include "alert/fieldjson.h"

#include <stdbool.h>

#include "alert/utf8.h"

cJSON *fieldjson_str(const char *s, size_t len)
{
	static char clean[3 * OSP_FIELD_BUFSZ + 1]; /* each bad byte may become 3 */

	return cJSON_CreateString(utf8_clean(s, len, clean, sizeof(clean)));
}

/* decimal text of v into buf (24 bytes): snprintf costs more than the rest of a field */
static const char *u64_text(uint64_t v, bool neg, char *buf)
{
	char *p = buf + 23;

	*p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	if (neg)
		*--p = '-';
	return p;
}

cJSON *fieldjson_u64(uint64_t v)
{
	char buf[24];

	return cJSON_CreateRaw(u64_text(v, false, buf));
}

cJSON *fieldjson_s64(int64_t v)
{
	char buf[24];

	return cJSON_CreateRaw(u64_text(v < 0 ? 0 - (uint64_t)v : (uint64_t)v, v < 0, buf));
}

cJSON *fieldjson_fval(const struct osp_fval *v)
{
	switch (v->type) {
	case OSP_FT_INT64:
		return fieldjson_s64(v->i);
	case OSP_FT_UINT64:
		return fieldjson_u64(v->u);
	case OSP_FT_BOOL:
		return cJSON_CreateBool(v->i != 0);
	default:
		return v->s ? fieldjson_str(v->s, v->len) : cJSON_CreateString("");
	}
}
