#include "alert/alert.h"
#include "alert/fieldjson.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const alert_extra_fields[] = {
    "container.id",
    "container.name",
    "container.image.repository",
    "container.image.tag",
    "k8s.pod.name",
    "k8s.ns.name",
    NULL,
};

/* An extra field's value, unless the template already named it. */
static void add_extra(cJSON *fields, const char *name, const struct osp_field_ctx *ctx,
		      const struct osp_event *ev, struct osp_fval *v)
{
	const struct osp_field *f;
	struct osp_farg arg = {0};

	if (cJSON_GetObjectItemCaseSensitive(fields, name))
		return;
	f = fields_lookup(name, strlen(name));
	if (f && fields_get(f, ctx, ev, &arg, v))
		cJSON_AddItemToObject(fields, name, fieldjson_fval(v));
	else
		cJSON_AddNullToObject(fields, name);
}

int alert_format(struct ruleset *rs, const struct rule *r, const struct osp_field_ctx *ctx,
		 const struct osp_event *ev, char *buf, size_t size)
{
	static char rendered[16384], output[16384 + 64], scratch[OSP_FIELD_BUFSZ];
	struct osp_fval v = {.buf = scratch, .bufsz = sizeof(scratch)};
	time_t secs = (time_t)(ev->ts / 1000000000ULL);
	unsigned long ns = (unsigned long)(ev->ts % 1000000000ULL);
	char stamp[64], clock[32];
	cJSON *o, *tags, *fields;
	struct tm tm;
	size_t i, n;
	int ret;

	gmtime_r(&secs, &tm);
	strftime(clock, sizeof(clock), "%H:%M:%S", &tm);
	n = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(stamp + n, sizeof(stamp) - n, ".%09luZ", ns);
	/* a template longer than the buffer is cut, not dropped: the alert still goes out */
	rule_output_render(rs, r, ctx, ev, rendered, sizeof(rendered));
	snprintf(output, sizeof(output), "%s.%09lu: %s %s", clock, ns,
		 vocab_priority_name(rule_priority(r)), rendered);

	o = cJSON_CreateObject();
	if (!o)
		return -ENOMEM;
	cJSON_AddStringToObject(o, "time", stamp);
	cJSON_AddStringToObject(o, "rule", rule_name(r));
	cJSON_AddStringToObject(o, "priority", vocab_priority_name(rule_priority(r)));
	cJSON_AddStringToObject(o, "source", rule_source(r));
	cJSON_AddStringToObject(o, "hostname", ctx->hostname ? ctx->hostname : "");
	cJSON_AddItemToObject(o, "output", fieldjson_str(output, strlen(output)));
	tags = cJSON_AddArrayToObject(o, "tags");
	for (i = 0; i < rule_ntags(r); i++)
		cJSON_AddItemToArray(tags, cJSON_CreateString(rule_tag(r, i)));
	fields = cJSON_AddObjectToObject(o, "output_fields");
	n = rule_output_nfields(r);
	for (i = 0; i < n; i++) {
		const char *name = rule_output_field_name(r, i);

		if (rule_output_field_get(r, i, ctx, ev, &v))
			cJSON_AddItemToObject(fields, name, fieldjson_fval(&v));
		else
			cJSON_AddNullToObject(fields, name);
	}
	for (i = 0; alert_extra_fields[i]; i++)
		add_extra(fields, alert_extra_fields[i], ctx, ev, &v);

	ret = cJSON_PrintPreallocated(o, buf, (int)size, 0) ? (int)strlen(buf) : -ENOSPC;
	cJSON_Delete(o);
	return ret;
}
