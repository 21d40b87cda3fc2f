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

#define OSP_EVJSON_MAX_LIST 64 /* ancestors and list values printed per field */

static void add_u64(cJSON *o, const char *k, uint64_t v)
{
	cJSON_AddItemToObject(o, k, osp_json_u64(v));
}

static void add_s64(cJSON *o, const char *k, int64_t v)
{
	cJSON_AddItemToObject(o, k, osp_json_s64(v));
}

static void add_str(cJSON *o, const char *k, const struct osp_str *s)
{
	if (s->p)
		cJSON_AddItemToObject(o, k, osp_json_str(s->p, s->len));
}

static cJSON *labels_json(const struct osp_kv *kv, uint32_t n)
{
	cJSON *o = cJSON_CreateObject();
	uint32_t i;

	for (i = 0; o && i < n; i++) {
		static char key[1024]; /* label keys come from whoever made the container too */

		cJSON_AddItemToObject(
		    o, osp_utf8_clean(kv[i].key, strlen(kv[i].key), key, sizeof(key)),
		    osp_json_str(kv[i].value ? kv[i].value : "",
				 kv[i].value ? strlen(kv[i].value) : 0));
	}
	return o;
}

/* Fields --events leaves out: label maps are printed as objects below, and the ancestors' command
 * lines and argv[0]s are rebuilt for up to 64 ancestors per event, which costs more than the rest of
 * the line; proc.aname, proc.apid and proc.aexepath identify the ancestors. */
static bool skipped(const struct osp_field *f)
{
	static const char *const skip[] = {"container.labels", "k8s.pod.labels", "proc.acmdline",
					   "proc.aexe", NULL};
	size_t i;

	if (f->flags & (OSP_FF_ARG_REQ | OSP_FF_FILTER_ONLY))
		return true;
	for (i = 0; skip[i]; i++)
		if (!strcmp(f->name, skip[i]))
			return true;
	return false;
}

/* Per event type, the table fields it can have: computed once, not scanned per event. */
static const struct osp_field *per_type[OSP_ET_COUNT][256];
static size_t nper_type[OSP_ET_COUNT];

static void index_fields(void)
{
	const struct osp_field *tab;
	struct osp_farg none = {0};
	size_t i, n;
	int et;

	tab = fields_table(&n);
	for (et = 0; et < OSP_ET_COUNT; et++)
		for (i = 0; i < n; i++)
			if (!skipped(&tab[i]) && (fields_supplied(&tab[i], &none) & OSP_ETM(et)) &&
			    nper_type[et] < sizeof(per_type[et]) / sizeof(per_type[et][0]))
				per_type[et][nper_type[et]++] = &tab[i];
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

			for (arg.nth = 0; arg.nth < OSP_EVJSON_MAX_LIST; arg.nth++) {
				if (!fields_get(f, ctx, ev, &arg, &v))
					break;
				if (!a) {
					a = cJSON_CreateArray();
					/* table names are static: no copy of the key */
					cJSON_AddItemToObjectCS(o, f->name, a);
				}
				cJSON_AddItemToArray(a, osp_json_fval(&v));
			}
			continue;
		}
		if (fields_get(f, ctx, ev, &arg, &v))
			cJSON_AddItemToObjectCS(o, f->name, osp_json_fval(&v));
	}
}

/* What the kernel captured that is not a rule field: for debugging and exact fixtures. */
static void add_capture(cJSON *o, const struct osp_event *ev)
{
	const struct osp_proc *p = ev->proc;
	const struct osp_container *c = ev->container;

	add_u64(o, "proc.start_time", p->start_time);
	add_u64(o, "proc.parent_start_time", p->parent_start_time);
	add_u64(o, "proc.cgroup_id", p->cgroup_id);
	add_str(o, "proc.cgroup", &p->cgroup);
	add_str(o, "proc.cgroup_v1", &p->cgroup_v1);
	add_u64(o, "proc.pidns_ino", p->pidns_ino);
	add_u64(o, "user.ruid", p->uid);
	add_u64(o, "group.rgid", p->gid);
	if (ev->type == OSP_EV_EXEC) {
		cJSON *argv = cJSON_AddArrayToObject(o, "proc.argv");
		const char *a = p->args.p, *end = a ? a + p->args.len : NULL;

		while (a && a < end) {
			size_t l = strnlen(a, (size_t)(end - a));

			cJSON_AddItemToArray(argv, osp_json_str(a, l));
			a += l + 1;
		}
		add_str(o, "evt.arg.filename", &p->filename);
		cJSON_AddBoolToObject(o, "proc.args_truncated", !!(ev->flags & OSP_F_ARGS_TRUNC));
	}
	if (ev->type == OSP_EV_OPEN) {
		const struct osp_open_info *f = &ev->open;

		add_u64(o, "evt.arg.flags_raw", f->flags);
		add_u64(o, "evt.arg.mode", f->mode);
		add_s64(o, "evt.arg.dirfd", f->dirfd);
		cJSON_AddBoolToObject(
		    o, "fd.name_truncated",
		    !!(f->eflags & (OSP_F_RAW_TRUNC | OSP_F_PATH_TRUNC | OSP_F_BASE_TRUNC)));
	}
	if (ev->type == OSP_EV_EXIT)
		add_s64(o, "evt.arg.status", ev->exit_code);
	if (c && c->runtime != OSP_RT_HOST) {
		cJSON_AddItemToObject(o, "container.labels", labels_json(c->labels, c->nlabels));
		if (c->pod_uid && *c->pod_uid) /* a pod's container: its labels, even when none */
			cJSON_AddItemToObject(o, "k8s.pod.labels",
					      labels_json(c->pod_labels, c->npod_labels));
	}
}

int osp_evjson_write(FILE *out, const struct osp_field_ctx *ctx, const struct osp_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	char *line;
	int ret = 0;

	if (!o)
		return -ENOMEM;
	add_fields(o, ctx, ev);
	add_capture(o, ev);
	line = cJSON_PrintUnformatted(o);
	if (!line)
		ret = -ENOMEM;
	else if (fprintf(out, "%s\n", line) < 0)
		ret = -EIO;
	cJSON_free(line);
	cJSON_Delete(o);
	return ret;
}
