/* Container metadata from each runtime's state on the host: no sockets, no daemons asked.
 *
 *   docker      <data-root>/containers/<id>/config.v2.json (+ hostconfig.json for Privileged)
 *               (mounts: config.v2.json MountPoints; OCI runtimes: the config.json "mounts")
 *   containerd  <state>/io.containerd.runtime.v2.task/<ns>/<id>/config.json (OCI bundle; CRI
 *               annotations io.kubernetes.cri.*) + <root>/io.containerd.metadata.v1.bolt/meta.db
 *               (image, container labels, and the pod's labels on the sandbox container)
 *   cri-o       <storage>/overlay-containers/<id>/userdata/config.json (annotations
 *               io.kubernetes.cri-o.*), the sandbox's config.json for the pod labels
 *   podman      <storage>/overlay-containers/containers.json (name, image), the container's
 *               userdata/config.json (privileged), libpod/bolt_state.db (labels)
 *
 * Every file is read whole but bounded (CT_FILE_MAX); a malformed file is an error that keeps what
 * was read before it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/meta.h"

/* ---- docker ---- */

int container_meta_docker(const struct ct_paths *p, const char *id, struct osp_container *c)
{
	cJSON *cfg = NULL, *host = NULL;
	const cJSON *config, *labels, *priv;
	const char *name, *v;
	char path[4096];
	int err;

	if ((size_t)snprintf(path, sizeof(path), "%s/containers/%s/config.v2.json",
			     p->docker_data_root, id) >= sizeof(path))
		return -ENAMETOOLONG;
	err = container_json_load(path, &cfg);
	if (err)
		goto cleanup;
	config = container_jobj(cfg, "Config");
	labels = container_jobj(config, "Labels");
	name = container_jstr(cfg, "Name");
	if (name && *name == '/')
		name++;
	/* cri-dockerd: the Kubernetes names are in the labels */
	v = labels ? container_jstr(labels, "io.kubernetes.container.name") : NULL;
	err = container_set_str(&c->name, v && *v ? v : name);
	if (!err)
		err = container_set_image(c, container_jstr(config, "Image"));
	if (!err)
		err = container_set_str(&c->image_id, container_jstr(cfg, "Image"));
	if (!err)
		err = container_labels_from_json(labels, false, &c->labels, &c->nlabels);
	if (!err)
		err = container_mounts_from_docker(
		    cJSON_GetObjectItemCaseSensitive(cfg, "MountPoints"), c);
	if (!err && labels) {
		if ((v = container_jstr(labels, "io.kubernetes.pod.name")))
			err = container_set_str(&c->pod_name, v);
		if (!err && (v = container_jstr(labels, "io.kubernetes.pod.namespace")))
			err = container_set_str(&c->pod_namespace, v);
		if (!err && (v = container_jstr(labels, "io.kubernetes.pod.uid")))
			err = container_set_str(&c->pod_uid, v);
		if (!err && (v = container_jstr(labels, "io.kubernetes.sandbox.id")))
			err = container_set_str(&c->sandbox_id, v);
		v = container_jstr(labels, "io.kubernetes.docker.type");
		c->is_sandbox = v && strcmp(v, "podsandbox") == 0;
	}
	if (err)
		goto cleanup;
	snprintf(path, sizeof(path), "%s/containers/%s/hostconfig.json", p->docker_data_root, id);
	if (container_json_load(path, &host) == 0) {
		priv = cJSON_GetObjectItemCaseSensitive(host, "Privileged");
		if (cJSON_IsBool(priv))
			c->privileged = cJSON_IsTrue(priv);
	}
cleanup:
	cJSON_Delete(cfg);
	cJSON_Delete(host);
	return err;
}

/* ---- containerd ---- */

struct label_sink {
	struct osp_kv **kv;
	uint32_t *n;
	bool pod_only;
};

static int bolt_label(void *arg, const uint8_t *k, size_t kn, const uint8_t *v, size_t vn)
{
	struct label_sink *s = arg;
	char *key, *val;
	int err = 0;

	if (kn > CT_VALUE_MAX || vn > CT_VALUE_MAX)
		return 0;
	key = strndup((const char *)k, kn);
	val = strndup((const char *)v, vn);
	if (!key || !val)
		err = -ENOMEM;
	else if (!(s->pod_only && container_is_runtime_label(key)))
		err = container_label_set(s->kv, s->n, key, val);
	free(key);
	free(val);
	return err;
}

/* v1/<ns>/containers/<id> of containerd's meta.db into *out. Returns 1, 0 when absent, -errno. */
static int ctrd_bucket(const struct ct_bolt *db, const char *ns, const char *id,
		       struct ct_bolt_bucket *out)
{
	struct ct_bolt_bucket b = container_bolt_root(db);
	int r;

	r = container_bolt_bucket(db, &b, "v1", &b);
	if (r == 1)
		r = container_bolt_bucket(db, &b, ns, &b);
	if (r == 1)
		r = container_bolt_bucket(db, &b, "containers", &b);
	if (r == 1)
		r = container_bolt_bucket(db, &b, id, out);
	return r;
}

/* Image and labels of a containerd container from meta.db; the pod's labels from its sandbox.
 * Returns 1 when the container was found, 0 when not, -errno. */
static int ctrd_meta_db(const struct ct_paths *p, const char *ns, const char *id,
			struct osp_container *c)
{
	struct ct_bolt *db = NULL;
	struct ct_bolt_bucket cb, lb;
	struct label_sink sink;
	const uint8_t *v;
	size_t vn;
	char *img = NULL;
	int r, found = 0, isb = 0;

	r = container_bolt_open(p->containerd_meta, &db);
	if (r)
		return r;
	r = ctrd_bucket(db, ns, id, &cb);
	if (r != 1)
		goto cleanup;
	found = 1;
	if (container_bolt_get(db, &cb, "image", &v, &vn, &isb) == 1 && !isb &&
	    c->image == container_empty) {
		img = strndup((const char *)v, vn);
		r = img ? container_set_image(c, img) : -ENOMEM;
		if (r)
			goto cleanup;
	}
	sink = (struct label_sink){&c->labels, &c->nlabels, false};
	if (container_bolt_bucket(db, &cb, "labels", &lb) == 1) {
		r = container_bolt_foreach(db, &lb, bolt_label, &sink);
		if (r)
			goto cleanup;
	}
	/* a CRI pod's labels are the labels of its sandbox container */
	if (c->sandbox_id[0] && ctrd_bucket(db, ns, c->sandbox_id, &cb) == 1 &&
	    container_bolt_bucket(db, &cb, "labels", &lb) == 1) {
		sink = (struct label_sink){&c->pod_labels, &c->npod_labels, true};
		r = container_bolt_foreach(db, &lb, bolt_label, &sink);
		if (r)
			goto cleanup;
	}
	r = 0;
cleanup:
	free(img);
	container_bolt_close(db);
	return r ? r : found;
}

int container_meta_containerd(const struct ct_paths *p, const char *ns, const char *id,
			      struct osp_container *c)
{
	cJSON *cfg = NULL;
	const cJSON *ann;
	const char *v;
	char path[4096];
	int err, dberr;

	if (!ns || !*ns)
		ns = "k8s.io";
	if ((size_t)snprintf(path, sizeof(path),
			     "%s/io.containerd.runtime.v2.task/%s/%s/config.json",
			     p->containerd_state, ns, id) >= sizeof(path))
		return -ENAMETOOLONG;
	err = container_json_load(path, &cfg);
	if (err == -ENOENT) {
		/* no running task; the container may still be in the metadata store */
		dberr = ctrd_meta_db(p, ns, id, c);
		if (dberr == 1 && !c->name[0])
			err = container_set_str(&c->name, id);
		goto cleanup;
	}
	if (err)
		goto cleanup;
	ann = container_jobj(cfg, "annotations");
	container_oci_privileged(p, cfg, c);
	err = container_mounts_from_oci(cfg, c);
	if (err)
		goto cleanup;
	v = container_jstr(ann, "io.kubernetes.cri.container-type");
	if (v) {
		c->is_sandbox = strcmp(v, "sandbox") == 0;
		err = container_set_str(&c->name,
					container_jstr(ann, "io.kubernetes.cri.container-name"));
		if (!err)
			err = container_set_image(
			    c, container_jstr(ann, "io.kubernetes.cri.image-name"));
		if (!err)
			err = container_set_str(
			    &c->pod_name, container_jstr(ann, "io.kubernetes.cri.sandbox-name"));
		if (!err)
			err = container_set_str(
			    &c->pod_namespace,
			    container_jstr(ann, "io.kubernetes.cri.sandbox-namespace"));
		if (!err)
			err = container_set_str(
			    &c->pod_uid, container_jstr(ann, "io.kubernetes.cri.sandbox-uid"));
		if (!err)
			err = container_set_str(
			    &c->sandbox_id, container_jstr(ann, "io.kubernetes.cri.sandbox-id"));
	} else {
		/* a plain containerd container (ctr, nerdctl): named by its id, labels in annotations */
		err = container_set_str(&c->name, id);
		if (!err)
			err = container_labels_from_json(ann, false, &c->labels, &c->nlabels);
	}
	if (err)
		goto cleanup;
	dberr = ctrd_meta_db(p, ns, id, c);
	if (dberr < 0 && dberr != -ENOENT)
		err = dberr;
cleanup:
	cJSON_Delete(cfg);
	return err;
}

/* ---- CRI-O ---- */

/* <storage>/overlay-containers/<id>/userdata/config.json, else the same under the run root. */
static int crio_config(const struct ct_paths *p, const char *id, cJSON **cfg)
{
	char path[4096];
	int err;

	if ((size_t)snprintf(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
			     p->containers_storage, id) >= sizeof(path))
		return -ENAMETOOLONG;
	err = container_json_load(path, cfg);
	if (err != -ENOENT)
		return err;
	if ((size_t)snprintf(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
			     p->containers_runroot, id) >= sizeof(path))
		return -ENAMETOOLONG;
	return container_json_load(path, cfg);
}

/* The JSON object held as a string in annotation key ("io.kubernetes.cri-o.Labels"). */
static cJSON *ann_json(const cJSON *ann, const char *key)
{
	const char *s = container_jstr(ann, key);
	cJSON *o;

	if (!s)
		return NULL;
	o = cJSON_Parse(s);
	if (o && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

int container_meta_crio(const struct ct_paths *p, const char *id, struct osp_container *c)
{
	cJSON *cfg = NULL, *sb = NULL, *labels = NULL, *md = NULL, *pod = NULL;
	const cJSON *ann;
	const char *v, *sbid;
	int err;

	err = crio_config(p, id, &cfg);
	if (err)
		goto cleanup;
	ann = container_jobj(cfg, "annotations");
	if (!ann || !container_jstr(ann, "io.kubernetes.cri-o.ContainerType")) {
		err = -ENOENT; /* not a CRI-O container (podman shares the storage) */
		goto cleanup;
	}
	container_oci_privileged(p, cfg, c);
	err = container_mounts_from_oci(cfg, c);
	if (err)
		goto cleanup;
	v = container_jstr(ann, "io.kubernetes.cri-o.ContainerType");
	c->is_sandbox = strcmp(v, "sandbox") == 0;
	labels = ann_json(ann, "io.kubernetes.cri-o.Labels");
	md = ann_json(ann, "io.kubernetes.cri-o.Metadata");
	v = container_jstr(ann, "io.kubernetes.container.name");
	if (!v && labels)
		v = container_jstr(labels, "io.kubernetes.container.name");
	if (!v && md)
		v = container_jstr(md, "name");
	err = container_set_str(&c->name, v);
	v = container_jstr(ann, "io.kubernetes.cri-o.ImageName");
	if (!err)
		err = container_set_image(c,
					  v ? v : container_jstr(ann, "io.kubernetes.cri-o.Image"));
	if (!err)
		err = container_set_str(&c->image_id,
					container_jstr(ann, "io.kubernetes.cri-o.ImageRef"));
	v = container_jstr(ann, "io.kubernetes.pod.name");
	if (!err)
		err = container_set_str(
		    &c->pod_name, v ? v : container_jstr(ann, "io.kubernetes.cri-o.KubeName"));
	v = container_jstr(ann, "io.kubernetes.pod.namespace");
	if (!err)
		err =
		    container_set_str(&c->pod_namespace,
				      v ? v : container_jstr(ann, "io.kubernetes.cri-o.Namespace"));
	if (!err)
		err = container_set_str(&c->pod_uid, container_jstr(ann, "io.kubernetes.pod.uid"));
	if (!err && !c->pod_uid[0] && labels)
		err =
		    container_set_str(&c->pod_uid, container_jstr(labels, "io.kubernetes.pod.uid"));
	if (!err)
		err = container_labels_from_json(labels, false, &c->labels, &c->nlabels);
	sbid = container_jstr(ann, "io.kubernetes.cri-o.SandboxID");
	if (!err)
		err = container_set_str(&c->sandbox_id, sbid);
	if (err)
		goto cleanup;
	/* the pod's labels are on the sandbox */
	if (c->is_sandbox) {
		err = container_labels_from_json(labels, true, &c->pod_labels, &c->npod_labels);
	} else if (sbid && strlen(sbid) == OSP_CT_ID_LEN && !strchr(sbid, '/')) {
		int sberr = crio_config(p, sbid, &sb);

		if (sberr == 0) {
			pod = ann_json(container_jobj(sb, "annotations"),
				       "io.kubernetes.cri-o.Labels");
			err =
			    container_labels_from_json(pod, true, &c->pod_labels, &c->npod_labels);
		} else if (sberr != -ENOENT) {
			err = sberr;
		}
	}
cleanup:
	cJSON_Delete(cfg);
	cJSON_Delete(sb);
	cJSON_Delete(labels);
	cJSON_Delete(md);
	cJSON_Delete(pod);
	return err;
}

/* ---- podman ---- */

/* Labels from libpod's bolt_state.db: ctr/<id>/config is the container's JSON configuration. */
static int podman_db_labels(const struct ct_paths *p, const char *id, struct osp_container *c)
{
	struct ct_bolt *db = NULL;
	struct ct_bolt_bucket b;
	const uint8_t *v;
	size_t vn;
	cJSON *cfg = NULL;
	int r, isb = 0;

	r = container_bolt_open(p->podman_db, &db);
	if (r)
		return r;
	b = container_bolt_root(db);
	r = container_bolt_bucket(db, &b, "ctr", &b);
	if (r == 1)
		r = container_bolt_bucket(db, &b, id, &b);
	if (r == 1)
		r = container_bolt_get(db, &b, "config", &v, &vn, &isb);
	if (r != 1 || isb) {
		r = r < 0 ? r : -ENOENT;
		goto cleanup;
	}
	cfg = cJSON_ParseWithLength((const char *)v, vn);
	if (!cfg) {
		r = -EBADMSG;
		goto cleanup;
	}
	r = container_labels_from_json(container_jobj(cfg, "labels"), false, &c->labels,
				       &c->nlabels);
cleanup:
	cJSON_Delete(cfg);
	container_bolt_close(db);
	return r;
}

int container_meta_podman(const struct ct_paths *p, const char *id, struct osp_container *c)
{
	cJSON *all = NULL, *cfg = NULL, *md = NULL;
	const cJSON *it, *ent = NULL, *names, *ann;
	const char *v;
	char path[4096];
	int err;

	if ((size_t)snprintf(path, sizeof(path), "%s/overlay-containers/containers.json",
			     p->containers_storage) >= sizeof(path))
		return -ENAMETOOLONG;
	err = container_json_load(path, &all);
	if (err)
		goto cleanup;
	cJSON_ArrayForEach(it, all)
	{
		v = container_jstr(it, "id");
		if (v && strcmp(v, id) == 0) {
			ent = it;
			break;
		}
	}
	if (!ent) {
		err = -ENOENT;
		goto cleanup;
	}
	names = cJSON_GetObjectItemCaseSensitive(ent, "names");
	if (cJSON_IsArray(names) && cJSON_IsString(cJSON_GetArrayItem(names, 0)))
		err = container_set_str(&c->name, cJSON_GetArrayItem(names, 0)->valuestring);
	if (!err)
		err = container_set_str(&c->image_id, container_jstr(ent, "image"));
	v = container_jstr(ent, "metadata");
	md = v ? cJSON_Parse(v) : NULL;
	if (!err && md)
		err = container_set_image(c, container_jstr(md, "image-name"));
	if (err)
		goto cleanup;
	if ((size_t)snprintf(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
			     p->containers_storage, id) < sizeof(path) &&
	    container_json_load(path, &cfg) == 0) {
		container_oci_privileged(p, cfg, c);
		ann = container_jobj(cfg, "annotations");
		v = container_jstr(ann, "io.podman.annotations.privileged");
		if (v)
			c->privileged = strcasecmp(v, "true") == 0;
		err = container_mounts_from_oci(cfg, c);
		if (err)
			goto cleanup;
	}
	err = podman_db_labels(p, id, c);
	if (err == -ENOENT)
		err = 0; /* no labels database: name and image are enough */
cleanup:
	cJSON_Delete(all);
	cJSON_Delete(cfg);
	cJSON_Delete(md);
	return err;
}
