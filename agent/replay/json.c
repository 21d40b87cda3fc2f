/* JSON with exact integers: cJSON keeps numbers as doubles; every number item here also keeps its
 * text (in valuestring), so that 64-bit values replay exactly. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/internal.h"

/* The next number token of a JSON text at or after *cur (strings skipped). */
static const char *next_number(const char **cur, const char *end, size_t *len)
{
	const char *p = *cur;

	while (p < end) {
		if (*p == '"') {
			for (p++; p < end && *p != '"'; p++)
				if (*p == '\\')
					p++;
			p++;
			continue;
		}
		if (*p == '-' || (*p >= '0' && *p <= '9')) {
			const char *s = p;

			while (p < end && strchr("0123456789+-.eE", *p))
				p++;
			*len = (size_t)(p - s);
			*cur = p;
			return s;
		}
		p++;
	}
	return NULL;
}

static int keep_numbers(cJSON *item, const char **cur, const char *end)
{
	for (; item; item = item->next) {
		if (cJSON_IsNumber(item)) {
			size_t n;
			const char *s = next_number(cur, end, &n);

			if (!s)
				return -EINVAL;
			item->valuestring = strndup(s, n);
			if (!item->valuestring)
				return -ENOMEM;
		}
		if (item->child) {
			int r = keep_numbers(item->child, cur, end);

			if (r)
				return r;
		}
	}
	return 0;
}

cJSON *replay_parse_json(const char *text, size_t len, struct replay_err *err)
{
	const char *end = NULL, *cur = text;
	cJSON *root;
	int r;

	err->key[0] = err->msg[0] = '\0';
	root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		const char *at = cJSON_GetErrorPtr();

		snprintf(err->msg, sizeof(err->msg), "not JSON (at byte %td)",
			 at && at >= text && at <= text + len ? at - text : (ptrdiff_t)0);
		return NULL;
	}
	while (end && end < text + len && strchr(" \t\r\n", *end))
		end++;
	if (end && end < text + len && *end) {
		snprintf(err->msg, sizeof(err->msg), "text after the JSON value (at byte %td)",
			 end - text);
		cJSON_Delete(root);
		return NULL;
	}
	r = keep_numbers(root, &cur, text + len);
	if (r) {
		snprintf(err->msg, sizeof(err->msg), "%s",
			 r == -ENOMEM ? "out of memory" : "numbers out of step");
		cJSON_Delete(root);
		return NULL;
	}
	return root;
}

int replay_json(struct replay *rp, const char *text, size_t len, struct replay_event **out,
		struct replay_err *err)
{
	struct replay_err dummy;
	cJSON *root;
	int ret;

	*out = NULL;
	if (!err)
		err = &dummy;
	root = replay_parse_json(text, len, err);
	if (!root)
		return -EINVAL;
	ret = replay_object(rp, root, out, err);
	cJSON_Delete(root);
	return ret;
}
