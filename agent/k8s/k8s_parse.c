/* Kubernetes API wire format -> pods: v1 Pod objects, PodList pages, watch events, and the splitter
 * that turns a chunked watch stream into lines.
 *
 * Everything here is pure (no I/O, no locks), so the unit tests drive it with captured JSON text.
 */
#include "k8s/k8s_internal.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_lists[] = {"containerStatuses", "initContainerStatuses",
					   "ephemeralContainerStatuses"};

static const char *json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static const cJSON *array_or_null(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsArray(it) ? it : NULL;
}

static int cid_char_ok(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       c == '.' || c == '_' || c == '-';
}

int k8s_cid_normalize(const char *in, char *out)
{
	const char *sep;
	size_t i, n;

	if (!in)
		return -EINVAL;
	sep = strstr(in, "://");
	if (sep)
		in = sep + 3;
	n = strlen(in);
	if (n == 0 || n > K8S_CID_MAX)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (!cid_char_ok(in[i]))
			return -EINVAL;
	}
	memcpy(out, in, n + 1);
	return 0;
}

static int kv_cmp(const void *a, const void *b)
{
	const struct osp_kv *x = a, *y = b;

	return strcmp(x->key, y->key);
}

/* Copies s into the arena at *pos and returns the copy. */
static char *arena_put(char **pos, const char *s)
{
	size_t n = strlen(s) + 1;
	char *dst = *pos;

	memcpy(dst, s, n);
	*pos += n;
	return dst;
}

int k8s_pod_from_json(const cJSON *obj, struct k8s_pod **out)
{
	const cJSON *meta, *labels, *status, *it;
	const char *uid, *name, *ns;
	size_t strbytes, label_bytes = 0, total;
	uint32_t nlabels = 0, ncids = 0, i;
	struct k8s_pod *p;
	char *pos;

	*out = NULL;
	if (!cJSON_IsObject(obj))
		return -EBADMSG;
	meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
	uid = json_str(meta, "uid");
	name = json_str(meta, "name");
	ns = json_str(meta, "namespace");
	if (!uid || !name || !ns || !*uid || !*name || strlen(uid) >= K8S_UID_MAX ||
	    strlen(name) >= K8S_NAME_MAX || strlen(ns) >= K8S_NS_MAX)
		return -EBADMSG;
	strbytes = strlen(uid) + strlen(name) + strlen(ns) + 3;

	/* First pass: sizes. */
	labels = cJSON_GetObjectItemCaseSensitive(meta, "labels");
	if (cJSON_IsObject(labels)) {
		cJSON_ArrayForEach(it, labels)
		{
			if (!cJSON_IsString(it) || !it->string)
				continue;
			label_bytes += strlen(it->string) + strlen(it->valuestring) + 2;
			nlabels++;
		}
	}
	status = cJSON_GetObjectItemCaseSensitive(obj, "status");
	for (i = 0; i < sizeof(status_lists) / sizeof(status_lists[0]); i++) {
		const cJSON *arr = array_or_null(status, status_lists[i]);
		char cid[K8S_CID_MAX + 1];

		cJSON_ArrayForEach(it, arr)
		{
			if (k8s_cid_normalize(json_str(it, "containerID"), cid) == 0)
				ncids++;
		}
	}

	total = sizeof(*p) + nlabels * sizeof(struct osp_kv) + ncids * sizeof(struct k8s_cid_node) +
		strbytes + label_bytes;
	p = calloc(1, total);
	if (!p)
		return -ENOMEM;
	p->labels = (struct osp_kv *)(p + 1);
	p->cids = (struct k8s_cid_node *)(p->labels + nlabels);
	pos = (char *)(p->cids + ncids);
	p->uid = arena_put(&pos, uid);
	p->name = arena_put(&pos, name);
	p->ns = arena_put(&pos, ns);
	p->label_bytes = label_bytes;

	/* Second pass: copy. */
	if (cJSON_IsObject(labels)) {
		cJSON_ArrayForEach(it, labels)
		{
			if (!cJSON_IsString(it) || !it->string)
				continue;
			p->labels[p->nlabels].key = arena_put(&pos, it->string);
			p->labels[p->nlabels].value = arena_put(&pos, it->valuestring);
			p->nlabels++;
		}
		qsort(p->labels, p->nlabels, sizeof(p->labels[0]), kv_cmp);
	}
	for (i = 0; i < sizeof(status_lists) / sizeof(status_lists[0]); i++) {
		const cJSON *arr = array_or_null(status, status_lists[i]);

		cJSON_ArrayForEach(it, arr)
		{
			struct k8s_cid_node *c = &p->cids[p->ncids];

			if (k8s_cid_normalize(json_str(it, "containerID"), c->id) != 0)
				continue;
			c->pod = p;
			p->ncids++;
		}
	}
	*out = p;
	return 0;
}

static int copy_bounded(char *dst, size_t dst_len, const char *src)
{
	size_t n;

	if (!src) {
		dst[0] = '\0';
		return 0;
	}
	n = strlen(src);
	if (n >= dst_len)
		return -EBADMSG;
	memcpy(dst, src, n + 1);
	return 0;
}

static const struct {
	const char *name;
	enum k8s_event_type type;
} event_types[] = {
    {"ADDED", K8S_EV_ADDED},	   {"MODIFIED", K8S_EV_MODIFIED}, {"DELETED", K8S_EV_DELETED},
    {"BOOKMARK", K8S_EV_BOOKMARK}, {"ERROR", K8S_EV_ERROR},
};

int k8s_event_parse(const char *line, size_t len, struct k8s_event *ev)
{
	const cJSON *obj, *code;
	const char *type;
	cJSON *root;
	size_t i;
	int err = -EBADMSG;

	memset(ev, 0, sizeof(*ev));
	root = cJSON_ParseWithLength(line, len);
	if (!root)
		return -EBADMSG;
	type = json_str(root, "type");
	obj = cJSON_GetObjectItemCaseSensitive(root, "object");
	if (!type || !cJSON_IsObject(obj))
		goto cleanup;
	for (i = 0; i < sizeof(event_types) / sizeof(event_types[0]); i++) {
		if (strcmp(type, event_types[i].name) == 0)
			ev->type = event_types[i].type;
	}
	if (!ev->type)
		goto cleanup;
	if (ev->type == K8S_EV_ERROR) {
		/* A metav1.Status: {"kind":"Status","status":"Failure","message":...,"code":410} */
		code = cJSON_GetObjectItemCaseSensitive(obj, "code");
		ev->code = cJSON_IsNumber(code) ? code->valueint : 0;
		snprintf(ev->message, sizeof(ev->message), "%s",
			 json_str(obj, "message") ? json_str(obj, "message") : "");
		err = 0;
		goto cleanup;
	}
	if (copy_bounded(ev->rv, sizeof(ev->rv),
			 json_str(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
				  "resourceVersion")) != 0)
		goto cleanup;
	if (ev->type != K8S_EV_BOOKMARK) {
		err = k8s_pod_from_json(obj, &ev->pod);
		if (err)
			goto cleanup;
	}
	err = 0;
cleanup:
	cJSON_Delete(root);
	if (err)
		ev->type = 0;
	return err;
}

int k8s_list_parse(const char *body, size_t len, struct k8s_store *store, uint32_t max_pods,
		   char *rv, size_t rv_len, char *cont, size_t cont_len, uint64_t *bad,
		   uint64_t *dropped)
{
	const cJSON *meta, *items, *it;
	const char *kind;
	cJSON *root;
	int err = -EBADMSG;

	root = cJSON_ParseWithLength(body, len);
	if (!root)
		return -EBADMSG;
	kind = json_str(root, "kind");
	meta = cJSON_GetObjectItemCaseSensitive(root, "metadata");
	items = cJSON_GetObjectItemCaseSensitive(root, "items");
	if (!kind || strcmp(kind, "PodList") != 0 || !cJSON_IsObject(meta))
		goto cleanup;
	/* "items": null is how the API encodes an empty list. */
	if (!cJSON_IsArray(items) && !cJSON_IsNull(items) && items)
		goto cleanup;
	if (!json_str(meta, "resourceVersion") ||
	    copy_bounded(rv, rv_len, json_str(meta, "resourceVersion")) != 0 ||
	    copy_bounded(cont, cont_len, json_str(meta, "continue")) != 0)
		goto cleanup;
	if (!cJSON_IsArray(items))
		items = NULL;
	cJSON_ArrayForEach(it, items)
	{
		struct k8s_pod *pod, *old = NULL;
		int rc = k8s_pod_from_json(it, &pod);

		if (rc == -ENOMEM) {
			err = rc;
			goto cleanup;
		}
		if (rc) {
			(*bad)++;
			continue;
		}
		if (store->npods >= max_pods && !k8s_store_find_uid(store, pod->uid)) {
			(*dropped)++;
			free(pod);
			continue;
		}
		rc = k8s_store_upsert(store, pod, &old);
		free(old);
		if (rc) {
			free(pod);
			err = rc;
			goto cleanup;
		}
	}
	err = 0;
cleanup:
	cJSON_Delete(root);
	return err;
}

/* ---- line splitter ---- */

void k8s_linebuf_init(struct k8s_linebuf *lb, size_t max)
{
	memset(lb, 0, sizeof(*lb));
	lb->max = max;
}

void k8s_linebuf_reset(struct k8s_linebuf *lb)
{
	lb->len = 0;
	lb->skipping = false;
}

void k8s_linebuf_fini(struct k8s_linebuf *lb)
{
	free(lb->buf);
	lb->buf = NULL;
	lb->len = lb->cap = 0;
	lb->skipping = false;
}

static int emit_line(const char *line, size_t len, k8s_line_fn on_line, void *ctx)
{
	if (len && line[len - 1] == '\r')
		len--;
	if (!len)
		return 0;
	return on_line(ctx, line, len);
}

/* Appends to the partial line; switches to skipping when the line outgrows max. */
static int linebuf_append(struct k8s_linebuf *lb, const char *data, size_t n)
{
	if (lb->skipping)
		return 0;
	if (lb->len + n > lb->max) {
		lb->skipping = true;
		lb->oversize++;
		lb->len = 0;
		return 0;
	}
	if (lb->len + n > lb->cap) {
		size_t ncap = lb->cap ? lb->cap : 16384;
		char *nb;

		while (ncap < lb->len + n)
			ncap *= 2;
		if (ncap > lb->max)
			ncap = lb->max;
		nb = realloc(lb->buf, ncap);
		if (!nb)
			return -ENOMEM;
		lb->buf = nb;
		lb->cap = ncap;
	}
	memcpy(lb->buf + lb->len, data, n);
	lb->len += n;
	return 0;
}

int k8s_linebuf_feed(struct k8s_linebuf *lb, const char *data, size_t n, k8s_line_fn on_line,
		     void *ctx)
{
	while (n) {
		const char *nl = memchr(data, '\n', n);
		size_t seg = nl ? (size_t)(nl - data) : n;
		int rc;

		if (!nl)
			return linebuf_append(lb, data, n);
		if (lb->skipping) {
			lb->skipping = false; /* the oversize line ends here */
		} else if (lb->len == 0) {
			if (seg > lb->max) {
				lb->oversize++;
			} else {
				/* Whole line inside this chunk: parse in place, no copy. */
				rc = emit_line(data, seg, on_line, ctx);
				if (rc)
					return rc;
			}
		} else {
			rc = linebuf_append(lb, data, seg);
			if (rc)
				return rc;
			if (!lb->skipping) {
				size_t len = lb->len;

				lb->len = 0;
				rc = emit_line(lb->buf, len, on_line, ctx);
				if (rc)
					return rc;
			} else {
				lb->skipping = false;
			}
		}
		data = nl + 1;
		n -= seg + 1;
	}
	return 0;
}
