/* See fieldtext.h. */
#include "fieldtext.h"

#include <stdio.h>
#include <string.h>

const char *osp_test_field(const struct osp_field_ctx *ctx, const struct osp_event *ev,
			   const char *name)
{
	static char scratch[OSP_FIELD_BUFSZ], out[4096];
	struct osp_fval v = {.buf = scratch, .bufsz = sizeof(scratch)};
	const char *why = NULL, *br = strchr(name, '[');
	size_t nlen = br ? (size_t)(br - name) : strlen(name);
	const struct osp_field *f;
	struct osp_farg arg;

	f = fields_resolve(name, nlen, br ? br + 1 : NULL, br ? strlen(br + 1) - 1 : 0, &arg, &why);
	if (!f) {
		snprintf(out, sizeof(out), "ERR %s", why);
		return out;
	}
	fields_format(fields_get(f, ctx, ev, &arg, &v) ? &v : NULL, out, sizeof(out));
	return out;
}
