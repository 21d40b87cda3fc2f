#include "alert/evjson.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "container/container.h"
#include "alert/fieldjson.h"
#include "alert/utf8.h"

static cJSON *labels_json(const struct osp_kv *kv, uint32_t n)
{
	cJSON *o = cJSON_CreateObject();
	uint32_t i;

	for (i = 0; o && i < n; i++) {
		static char key[1024]; /* label keys come from whoever made the container too */

		cJSON_AddItemToObject(o, utf8_clean(kv[i].key, strlen(kv[i].key), key, sizeof(key)),
				      fieldjson_str(kv[i].value ? kv[i].value : "",
						    kv[i].value ? strlen(kv[i].value) : 0));
	}
	return o;
}

/* Fields --events leaves out: those that need an argument, those only conditions read, and those
 * marked OSP_FF_NO_EVENTS (label maps, printed as objects below; the ancestors' command lines and
 * argv[0]s, rebuilt for up to OSP_ANCESTORS_MAX ancestors per event, which costs more than the rest of the line:
 * proc.aname, proc.apid and proc.aexepath identify the ancestors). */
static bool skipped(const struct osp_field *f)
{
	return f->flags & (OSP_FF_ARG_REQ | OSP_FF_FILTER_ONLY | OSP_FF_NO_EVENTS);
}

/* Per event type, the table fields it can have: computed once, not scanned per event. */
static const struct osp_field *per_type[OSP_ET_COUNT][256];
static size_t nper_type[OSP_ET_COUNT];

static void index_fields(void)
{
	struct osp_farg none = {0};
	size_t i, n = fields_count();
	int et;

	for (et = 0; et < OSP_ET_COUNT; et++)
		for (i = 0; i < n; i++) {
			const struct osp_field *f = fields_at(i);

			if (!skipped(f) && (fields_supplied(f, &none) & OSP_ETM(et)) &&
			    nper_type[et] < sizeof(per_type[et]) / sizeof(per_type[et][0]))
				per_type[et][nper_type[et]++] = f;
		}
}

/* Every rule field the event has a value for, as the rule engine would read it. */
static void add_fields(cJSON *o, const struct osp_field_ctx *ctx, const struct osp_event *ev)
{
	static char scratch[OSP_FIELD_BUFSZ];
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	int et = vocab_evt_of(ev);
	size_t i;

	pthread_once(&once, index_fields);
	if (et < 0 || et >= OSP_ET_COUNT)
		return;
	for (i = 0; i < nper_type[et]; i++) {
		const struct osp_field *f = per_type[et][i];
		struct osp_farg arg = {0};
		struct osp_fval v = {.buf = scratch, .bufsz = sizeof(scratch)};

		if (f->type == OSP_FT_LIST || (f->flags & OSP_FF_ANY_NOARG)) {
			cJSON *a = NULL;

			for (arg.nth = 0; arg.nth < OSP_ANCESTORS_MAX; arg.nth++) {
				if (!fields_get(f, ctx, ev, &arg, &v))
					break;
				if (!a) {
					a = cJSON_CreateArray();
					/* table names are static: no copy of the key */
					cJSON_AddItemToObjectCS(o, f->name, a);
				}
				cJSON_AddItemToArray(a, fieldjson_fval(&v));
			}
			continue;
		}
		if (fields_get(f, ctx, ev, &arg, &v))
			cJSON_AddItemToObjectCS(o, f->name, fieldjson_fval(&v));
	}
}

/* What the kernel captured that is not a rule field (the capture keys, agent/fields/capture.c): for
 * debugging and exact fixtures. */
static void add_capture(cJSON *o, const struct osp_field_ctx *ctx, const struct osp_event *ev)
{
	static char scratch[OSP_FIELD_BUFSZ];
	int et = vocab_evt_of(ev);
	size_t i;

	if (et < 0)
		return;
	for (i = 0; i < fields_ncaptures(); i++) {
		const struct osp_capture *c = fields_capture_at(i);
		struct osp_farg arg = {0};
		struct osp_fval v = {.type = c->type, .buf = scratch, .bufsz = sizeof(scratch)};
		const struct osp_kv *kv = NULL;
		uint32_t n = 0;
		cJSON *a;

		if (!(c->supplied_by & OSP_ETM(et)))
			continue;
		switch (c->kind) {
		case OSP_CK_VALUE:
			if (c->get(ctx, ev, &arg, &v))
				cJSON_AddItemToObjectCS(o, c->name, fieldjson_fval(&v));
			break;
		case OSP_CK_LIST:
			a = cJSON_CreateArray();
			for (arg.nth = 0; a && c->get(ctx, ev, &arg, &v); arg.nth++)
				cJSON_AddItemToArray(a, fieldjson_fval(&v));
			cJSON_AddItemToObjectCS(o, c->name, a);
			break;
		case OSP_CK_MAP:
			if (c->map(ev, &kv, &n))
				cJSON_AddItemToObjectCS(o, c->name, labels_json(kv, n));
			break;
		}
	}
}

int evjson_write(FILE *out, const struct osp_field_ctx *ctx, const struct osp_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	char *line;
	int ret = 0;

	if (!o)
		return -ENOMEM;
	add_fields(o, ctx, ev);
	add_capture(o, ctx, ev);
	line = cJSON_PrintUnformatted(o);
	if (!line)
		ret = -ENOMEM;
	else if (fprintf(out, "%s\n", line) < 0)
		ret = -EIO;
	cJSON_free(line);
	cJSON_Delete(o);
	return ret;
}
