/* Container fields: container.* (identity, image, labels, mounts, from the container cache) and
 * k8s.* (the pod: runtime state or the Kubernetes watcher). */
#include <stdio.h>
#include <string.h>

#include "container/container.h"
#include "fields/internal.h"
#include "proc/proctable.h"

#define SELF(ev) ((ev)->proc)

/* ---- container.* / k8s.* ---- */

#define CT(ev) ((ev)->container)

/* container.mount*[X]: the runtime's mounts (container_mount_select() reads X as Falco does); a
 * host process, or no matching mount, has no value (Falco's N/A) */
static const struct osp_mount *mount_of(const struct osp_event *ev, const struct osp_farg *a,
					bool by_dest)
{
	const struct osp_container *c = CT(ev);
	char arg[512]; /* the key is a (pointer, length): terminate a copy */

	if (!c || c->runtime == OSP_RT_HOST || !a || !a->has || !a->key || a->keylen >= sizeof(arg))
		return NULL;
	memcpy(arg, a->key, a->keylen);
	arg[a->keylen] = '\0';
	return container_mount_select(c, arg, by_dest);
}

static int get_container_mount(const struct osp_field_ctx *c, const struct osp_event *ev,
			       const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);
	int n;

	if (!m || !o->buf || (n = container_mount_format(m, o->buf, o->bufsz)) < 0)
		return 0;
	return fields_set_str(o, o->buf, strlen(o->buf));
}

static int get_container_mount_dest(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? fields_set_cstr(o, m->dest) : 0;
}

static int get_container_mount_mode(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? fields_set_cstr(o, m->mode ? m->mode : "") : 0;
}

static int get_container_mount_propagation(const struct osp_field_ctx *c,
					   const struct osp_event *ev, const struct osp_farg *a,
					   struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? fields_set_cstr(o, m->propagation ? m->propagation : "") : 0;
}

static int get_container_mount_rdwr(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, false);

	return m ? fields_set_cstr(o, m->rdwr ? "true" : "false") : 0;
}

static int get_container_mount_source(const struct osp_field_ctx *c, const struct osp_event *ev,
				      const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_mount *m = mount_of(ev, a, true);

	return m ? fields_set_cstr(o, m->source) : 0;
}

static int get_container_mounts(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev) || CT(ev)->runtime == OSP_RT_HOST || !o->buf ||
	    container_mounts_format(CT(ev), o->buf, o->bufsz) < 0)
		return 0;
	return fields_set_str(o, o->buf, strlen(o->buf));
}

static int get_container_id(const struct osp_field_ctx *c, const struct osp_event *ev,
			    const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev))
		return 0;
	return CT(ev)->runtime == OSP_RT_HOST ? fields_set_str(o, "host", 4)
					      : fields_set_cstr(o, CT(ev)->id);
}

static int get_container_full_id(const struct osp_field_ctx *c, const struct osp_event *ev,
				 const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev))
		return 0;
	return CT(ev)->runtime == OSP_RT_HOST ? fields_set_str(o, "host", 4)
					      : fields_set_cstr(o, CT(ev)->full_id);
}

static int get_container_name(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev))
		return 0;
	return CT(ev)->runtime == OSP_RT_HOST ? fields_set_str(o, "host", 4)
					      : fields_set_cstr(o, CT(ev)->name);
}

static int get_container_type(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	/* a container whose runtime we could not tell has no container.type */
	return CT(ev) && CT(ev)->runtime != OSP_RT_UNKNOWN_CONTAINER
		   ? fields_set_cstr(o, container_runtime_name(CT(ev)->runtime))
		   : 0;
}

#define CT_STR_GETTER(fn, member)                                                                  \
	static int fn(const struct osp_field_ctx *c, const struct osp_event *ev,                   \
		      const struct osp_farg *a, struct osp_fval *o)                                \
	{                                                                                          \
		return CT(ev) ? fields_set_cstr(o, CT(ev)->member) : 0;                            \
	}

CT_STR_GETTER(get_container_image, image)
CT_STR_GETTER(get_container_image_repository, image_repository)
CT_STR_GETTER(get_container_image_tag, image_tag)
CT_STR_GETTER(get_container_image_digest, image_digest)
CT_STR_GETTER(get_k8s_pod_name, pod_name)
CT_STR_GETTER(get_k8s_pod_uid, pod_uid)
CT_STR_GETTER(get_k8s_ns_name, pod_namespace)

static int get_container_privileged(const struct osp_field_ctx *c, const struct osp_event *ev,
				    const struct osp_farg *a, struct osp_fval *o)
{
	if (!CT(ev) || CT(ev)->privileged < 0)
		return 0;
	return fields_set_bool(o, CT(ev)->privileged == 1);
}

/* With a key: that label's value. Without: "k1:v1, k2:v2". */
static int labels(const struct osp_kv *kv, uint32_t n, const struct osp_farg *a, struct osp_fval *o)
{
	size_t off = 0;
	uint32_t i;
	int w;

	if (a && a->has) {
		for (i = 0; i < n; i++)
			if (kv[i].key && strlen(kv[i].key) == a->keylen &&
			    memcmp(kv[i].key, a->key, a->keylen) == 0)
				return fields_set_cstr(o, kv[i].value);
		return 0;
	}
	if (!n || !o->buf || !o->bufsz)
		return 0;
	o->buf[0] = '\0';
	for (i = 0; i < n; i++) {
		w = snprintf(o->buf + off, o->bufsz - off, "%s%s:%s", off ? ", " : "",
			     kv[i].key ? kv[i].key : "", kv[i].value ? kv[i].value : "");
		if (w < 0 || (size_t)w >= o->bufsz - off)
			break;
		off += (size_t)w;
	}
	return fields_set_str(o, o->buf, off);
}

static int get_container_labels(const struct osp_field_ctx *c, const struct osp_event *ev,
				const struct osp_farg *a, struct osp_fval *o)
{
	return CT(ev) ? labels(CT(ev)->labels, CT(ev)->nlabels, a, o) : 0;
}

static int get_k8s_pod_labels(const struct osp_field_ctx *c, const struct osp_event *ev,
			      const struct osp_farg *a, struct osp_fval *o)
{
	return CT(ev) ? labels(CT(ev)->pod_labels, CT(ev)->npod_labels, a, o) : 0;
}

/* Falco reads the runtime's start time; every runtime starts a container by starting its init, so
 * the start of the ancestor that is pid 1 in the process's own pid namespace is the same instant,
 * with no runtime-specific state. Missing when that init is not an ancestor (an exec'd process, or
 * a container sharing the host's pid namespace). */
static int get_container_start_ts(const struct osp_field_ctx *c, const struct osp_event *ev,
				  const struct osp_farg *a, struct osp_fval *o)
{
	const struct osp_proc *self = SELF(ev), *p = self;
	unsigned int n;

	if (!self || !ev->container || ev->container->runtime == OSP_RT_HOST || !self->pidns_ino ||
	    ev->ts < ev->ktime)
		return 0;
	for (n = 1; p && p->vpid != 1 && n <= OSP_ANCESTORS_MAX; n++)
		p = c && c->pt ? proctable_ancestor(c->pt, ev, n) : NULL;
	if (!p || p->vpid != 1 || p->pidns_ino != self->pidns_ino || !p->start_time)
		return 0;
	return fields_set_uint(o, p->start_time + (ev->ts - ev->ktime));
}

/* ---- the tables (sorted by name) ---- */

static const struct osp_field container_fields[] = {
    F("container.cni.json", S, 0, NONE, "container's CNI result (not collected)", fields_get_none),
    F("container.duration", U, 0, NONE, "ns since the container started (not collected)",
      fields_get_none),
    F("container.full_id", S, 0, ALL, "full 64-character container id; \"host\" on the host",
      get_container_full_id, SETS(CT_FULL_ID)),
    F("container.healthcheck", S, 0, NONE, "container's health check command (not collected)",
      fields_get_none),
    F("container.id", S, 0, ALL, "container id, 12 characters; \"host\" on the host",
      get_container_id, SETS(CT_ID)),
    F("container.image", S, 0, ALL, "container image as the runtime records it",
      get_container_image, SETS(CT_IMAGE)),
    F("container.image.digest", S, 0, ALL, "container image digest (sha256:...)",
      get_container_image_digest, SETS(CT_DIGEST)),
    F("container.image.id", S, 0, NONE, "container image id (not collected)", fields_get_none),
    F("container.image.repository", S, 0, ALL, "container image repository",
      get_container_image_repository, SETS(CT_REPO)),
    F("container.image.tag", S, 0, ALL, "container image tag", get_container_image_tag,
      SETS(CT_TAG)),
    F("container.ip", S, 0, NONE, "container IP address (not collected)", fields_get_none),
    F("container.label", S, A_KEY, ALL, "container label [KEY]", get_container_labels,
      SETS(CT_LABEL)),
    F("container.labels", S, A_OKEY | OSP_FF_NO_EVENTS, ALL,
      "container labels \"k:v, k:v\", or [KEY]'s value", get_container_labels, SETS(CT_LABEL)),
    F("container.mount", S, A_OKEY, ALL,
      "mount [N or source glob] as \"source:dest:mode:rdwr:propagation\"", get_container_mount,
      CHECKED),
    F("container.mount.dest", S, A_KEY, ALL, "destination of mount [N or source glob]",
      get_container_mount_dest, CHECKED),
    F("container.mount.mode", S, A_KEY, ALL, "mode of mount [N or source glob]",
      get_container_mount_mode, CHECKED),
    F("container.mount.propagation", S, A_KEY, ALL, "propagation of mount [N or source glob]",
      get_container_mount_propagation, CHECKED),
    F("container.mount.rdwr", S, A_KEY, ALL, "\"true\" if mount [N or source glob] is writable",
      get_container_mount_rdwr, CHECKED),
    F("container.mount.source", S, A_KEY, ALL, "source (host path) of mount [N or dest glob]",
      get_container_mount_source, CHECKED),
    F("container.mounts", S, 0, ALL, "every mount, \"source:dest:mode:rdwr:propagation,...\"",
      get_container_mounts, SETS(CT_MOUNTS)),
    F("container.name", S, 0, ALL, "container name; \"host\" on the host", get_container_name,
      SETS(CT_NAME)),
    F("container.privileged", B, 0, ALL, "true for a privileged container",
      get_container_privileged, SETS(CT_PRIV)),
    F("container.start_ts", U, 0, ALL,
      "container start, ns since the epoch (start of its pid-1 process, when an ancestor)",
      get_container_start_ts, IGNORED),
    F("container.type", S, 0, ALL, "runtime: docker, containerd, cri-o, podman, host",
      get_container_type, SETS(CT_TYPE)),
};
FIELDS_CLASS(container, container_fields);

static const struct osp_field k8s_fields[] = {
    F("k8s.ns.name", S, 0, ALL, "Kubernetes namespace of the pod", get_k8s_ns_name, SETS(NS)),
    F("k8s.pod.cni.json", S, 0, NONE, "pod CNI result (not collected)", fields_get_none),
    F("k8s.pod.id", S, 0, ALL, "pod uid (legacy name)", get_k8s_pod_uid, SETS(POD_UID)),
    F("k8s.pod.ip", S, 0, NONE, "pod IP address (not collected)", fields_get_none),
    F("k8s.pod.label", S, A_KEY, ALL, "pod label [KEY]", get_k8s_pod_labels, SETS(POD_LABEL)),
    F("k8s.pod.labels", S, A_OKEY | OSP_FF_NO_EVENTS, ALL,
      "pod labels \"k:v, k:v\", or [KEY]'s value", get_k8s_pod_labels, SETS(POD_LABEL)),
    F("k8s.pod.name", S, 0, ALL, "pod name", get_k8s_pod_name, SETS(POD_NAME)),
    F("k8s.pod.uid", S, 0, ALL, "pod uid", get_k8s_pod_uid, SETS(POD_UID)),
};
FIELDS_CLASS(k8s, k8s_fields);
