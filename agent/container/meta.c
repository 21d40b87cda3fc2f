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

char container_empty[1];

/* ---- paths ---- */

static char *join(const char *root, const char *path)
{
	size_t rn = strlen(root);
	char *s = NULL;

	while (rn > 0 && root[rn - 1] == '/')
		rn--;
	while (*path == '/')
		path++;
	if (asprintf(&s, "%.*s/%s", (int)rn, root, path) < 0)
		return NULL;
	return s;
}

void container_paths_free(struct ct_paths *p)
{
	if (!p)
		return;
	free(p->host_root);
	free(p->containerd_state);
	free(p->containerd_meta);
	free(p->docker_data_root);
	free(p->containers_storage);
	free(p->containers_runroot);
	free(p->podman_db);
	memset(p, 0, sizeof(*p));
}

#define DEF(x, d) ((x) && *(x) ? (x) : (d))

int container_paths_init(struct ct_paths *p, const struct container_paths *cfg)
{
	static const struct container_paths none;
	char *tmp = NULL, *buf = NULL;
	size_t len;
	int err = 0;

	if (!cfg)
		cfg = &none;
	memset(p, 0, sizeof(*p));
	p->host_root = strdup(DEF(cfg->host_root, "/"));
	if (!p->host_root) {
		err = -ENOMEM;
		goto cleanup;
	}
	p->containerd_state = join(p->host_root, DEF(cfg->containerd_state, "/run/containerd"));
	tmp = join(DEF(cfg->containerd_root, "/var/lib/containerd"),
		   "io.containerd.metadata.v1.bolt/meta.db");
	if (tmp)
		p->containerd_meta = join(p->host_root, tmp);
	p->docker_data_root = join(p->host_root, DEF(cfg->docker_data_root, "/var/lib/docker"));
	p->containers_storage =
	    join(p->host_root, DEF(cfg->containers_storage, "/var/lib/containers/storage"));
	p->containers_runroot =
	    join(p->host_root, DEF(cfg->containers_runroot, "/run/containers/storage"));
	if (cfg->podman_db && *cfg->podman_db)
		p->podman_db = join(p->host_root, cfg->podman_db);
	else if (p->containers_storage)
		p->podman_db = join(p->containers_storage, "libpod/bolt_state.db");
	if (!p->containerd_state || !p->containerd_meta || !p->docker_data_root ||
	    !p->containers_storage || !p->containers_runroot || !p->podman_db) {
		err = -ENOMEM;
		goto cleanup;
	}
	p->cap_last_cap = 40;
	free(tmp);
	tmp = join(p->host_root, "proc/sys/kernel/cap_last_cap");
	if (tmp && container_read_file(tmp, 64, &buf, &len) == 0) {
		unsigned long v = strtoul(buf, NULL, 10);

		if (v > 0 && v < 64)
			p->cap_last_cap = (unsigned int)v;
	}
cleanup:
	free(tmp);
	free(buf);
	if (err)
		container_paths_free(p);
	return err;
}

/* ---- struct osp_container helpers ---- */

void container_init(struct osp_container *c)
{
	c->name = c->image = c->image_repository = c->image_tag = c->image_digest = container_empty;
	c->pod_name = c->pod_uid = c->pod_namespace = c->image_id = c->sandbox_id = container_empty;
	c->labels = c->pod_labels = NULL;
	c->nlabels = c->npod_labels = 0;
	c->privileged = -1;
	c->is_sandbox = false;
	c->mounts = NULL;
	c->nmounts = c->mounts_dropped = 0;
	c->metadata_complete = false;
}

static void free_str(char *s)
{
	if (s != container_empty)
		free(s);
}

void container_labels_free(struct osp_kv *kv, uint32_t n)
{
	uint32_t i;

	if (!kv)
		return;
	for (i = 0; i < n; i++) {
		free(kv[i].key);
		free(kv[i].value);
	}
	free(kv);
}

void container_clear(struct osp_container *c)
{
	if (!c)
		return;
	free_str(c->name);
	free_str(c->image);
	free_str(c->image_repository);
	free_str(c->image_tag);
	free_str(c->image_digest);
	free_str(c->pod_name);
	free_str(c->pod_uid);
	free_str(c->pod_namespace);
	free_str(c->image_id);
	free_str(c->sandbox_id);
	container_labels_free(c->labels, c->nlabels);
	container_labels_free(c->pod_labels, c->npod_labels);
	container_mounts_free(c->mounts, c->nmounts);
	container_init(c);
}

int container_set_str(char **dst, const char *src)
{
	char *s = container_empty;

	if (src && *src) {
		s = strdup(src);
		if (!s)
			return -ENOMEM;
	}
	free_str(*dst);
	*dst = s;
	return 0;
}

/* Sets key=value in the label array (replacing the value of a key already there). Labels past
 * CT_LABELS_MAX and values longer than CT_VALUE_MAX are dropped, not an error. */
static int label_set(struct osp_kv **kv, uint32_t *n, const char *key, const char *value)
{
	struct osp_kv *arr;
	char *k, *v;
	uint32_t i;

	if (!key || !*key || !value || strlen(value) > CT_VALUE_MAX || strlen(key) > CT_VALUE_MAX)
		return 0;
	for (i = 0; i < *n; i++) {
		if (strcmp((*kv)[i].key, key) == 0) {
			v = strdup(value);
			if (!v)
				return -ENOMEM;
			free((*kv)[i].value);
			(*kv)[i].value = v;
			return 0;
		}
	}
	if (*n >= CT_LABELS_MAX)
		return 0;
	arr = realloc(*kv, (*n + 1) * sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	*kv = arr;
	k = strdup(key);
	v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return -ENOMEM;
	}
	arr[*n].key = k;
	arr[*n].value = v;
	(*n)++;
	return 0;
}

/* Labels kubelet and the CRI runtimes add to every pod or container; not the pod's own labels. */
static bool is_runtime_label(const char *key)
{
	static const char *const pfx[] = {"io.kubernetes.pod.", "io.kubernetes.container.",
					  "io.kubernetes.docker.", "io.cri-containerd."};
	size_t i;

	for (i = 0; i < sizeof(pfx) / sizeof(pfx[0]); i++) {
		if (strncmp(key, pfx[i], strlen(pfx[i])) == 0)
			return true;
	}
	return false;
}

/* Copies the string members of JSON object obj into the label array; with pod_only, leaves out
 * the runtime's own labels. */
static int labels_from_json(const cJSON *obj, bool pod_only, struct osp_kv **kv, uint32_t *n)
{
	const cJSON *it;
	int err;

	if (!cJSON_IsObject(obj))
		return 0;
	cJSON_ArrayForEach(it, obj)
	{
		if (!cJSON_IsString(it) || !it->string ||
		    (pod_only && is_runtime_label(it->string)))
			continue;
		err = label_set(kv, n, it->string, it->valuestring);
		if (err)
			return err;
	}
	return 0;
}

int container_set_image(struct osp_container *c, const char *ref)
{
	struct container_image img;
	int err;

	if (!ref || !*ref)
		return 0;
	err = container_image_parse(ref, &img);
	if (err)
		return err;
	err = container_set_str(&c->image, ref);
	if (!err)
		err = container_set_str(&c->image_repository, img.repository);
	if (!err)
		err = container_set_str(&c->image_tag, img.tag);
	if (!err && img.digest[0])
		err = container_set_str(&c->image_digest, img.digest);
	container_image_clear(&img);
	return err;
}

/* ---- files ---- */

int container_read_file(const char *path, size_t max, char **buf, size_t *len)
{
	struct stat st;
	char *b = NULL;
	size_t got = 0, cap;
	ssize_t r;
	int fd, err = 0;

	*buf = NULL;
	*len = 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		err = S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
		goto cleanup;
	}
	if ((uint64_t)st.st_size > max) {
		err = -EFBIG;
		goto cleanup;
	}
	/* one byte more than the size: a file that grew since fstat() is noticed, not cut short */
	cap = (size_t)st.st_size + 1;
	b = malloc(cap + 1);
	if (!b) {
		err = -ENOMEM;
		goto cleanup;
	}
	while (got < cap) {
		r = read(fd, b + got, cap - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			err = -errno;
			goto cleanup;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	if (got == cap) {
		err = -EAGAIN; /* being rewritten: read it again later */
		goto cleanup;
	}
	b[got] = '\0';
	*buf = b;
	*len = got;
	b = NULL;
cleanup:
	free(b);
	close(fd);
	return err;
}

int container_json_load(const char *path, cJSON **out)
{
	char *buf = NULL;
	size_t len = 0;
	int err;

	*out = NULL;
	err = container_read_file(path, CT_FILE_MAX, &buf, &len);
	if (err)
		return err;
	*out = cJSON_ParseWithLength(buf, len);
	free(buf);
	return *out ? 0 : -EBADMSG;
}

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const cJSON *jobj(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsObject(v) ? v : NULL;
}

/* Privileged from an OCI config: every capability of the kernel in the bounding set (what
 * --privileged gives) -> 1, fewer -> 0, no capabilities section -> unchanged. */
static void oci_privileged(const struct ct_paths *p, const cJSON *cfg, struct osp_container *c)
{
	const cJSON *caps = jobj(jobj(cfg, "process"), "capabilities");
	const cJSON *bounding = caps ? cJSON_GetObjectItemCaseSensitive(caps, "bounding") : NULL;
	const cJSON *it;
	bool sys_admin = false;

	if (!cJSON_IsArray(bounding))
		return;
	cJSON_ArrayForEach(it, bounding)
	{
		if (cJSON_IsString(it) && strcmp(it->valuestring, "CAP_SYS_ADMIN") == 0)
			sys_admin = true;
	}
	c->privileged = sys_admin && cJSON_GetArraySize(bounding) >= (int)p->cap_last_cap + 1;
}

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
	config = jobj(cfg, "Config");
	labels = jobj(config, "Labels");
	name = jstr(cfg, "Name");
	if (name && *name == '/')
		name++;
	/* cri-dockerd: the Kubernetes names are in the labels */
	v = labels ? jstr(labels, "io.kubernetes.container.name") : NULL;
	err = container_set_str(&c->name, v && *v ? v : name);
	if (!err)
		err = container_set_image(c, jstr(config, "Image"));
	if (!err)
		err = container_set_str(&c->image_id, jstr(cfg, "Image"));
	if (!err)
		err = labels_from_json(labels, false, &c->labels, &c->nlabels);
	if (!err)
		err = container_mounts_from_docker(
		    cJSON_GetObjectItemCaseSensitive(cfg, "MountPoints"), c);
	if (!err && labels) {
		if ((v = jstr(labels, "io.kubernetes.pod.name")))
			err = container_set_str(&c->pod_name, v);
		if (!err && (v = jstr(labels, "io.kubernetes.pod.namespace")))
			err = container_set_str(&c->pod_namespace, v);
		if (!err && (v = jstr(labels, "io.kubernetes.pod.uid")))
			err = container_set_str(&c->pod_uid, v);
		if (!err && (v = jstr(labels, "io.kubernetes.sandbox.id")))
			err = container_set_str(&c->sandbox_id, v);
		v = jstr(labels, "io.kubernetes.docker.type");
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
	else if (!(s->pod_only && is_runtime_label(key)))
		err = label_set(s->kv, s->n, key, val);
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
	ann = jobj(cfg, "annotations");
	oci_privileged(p, cfg, c);
	err = container_mounts_from_oci(cfg, c);
	if (err)
		goto cleanup;
	v = jstr(ann, "io.kubernetes.cri.container-type");
	if (v) {
		c->is_sandbox = strcmp(v, "sandbox") == 0;
		err = container_set_str(&c->name, jstr(ann, "io.kubernetes.cri.container-name"));
		if (!err)
			err = container_set_image(c, jstr(ann, "io.kubernetes.cri.image-name"));
		if (!err)
			err = container_set_str(&c->pod_name,
						jstr(ann, "io.kubernetes.cri.sandbox-name"));
		if (!err)
			err = container_set_str(&c->pod_namespace,
						jstr(ann, "io.kubernetes.cri.sandbox-namespace"));
		if (!err)
			err = container_set_str(&c->pod_uid,
						jstr(ann, "io.kubernetes.cri.sandbox-uid"));
		if (!err)
			err = container_set_str(&c->sandbox_id,
						jstr(ann, "io.kubernetes.cri.sandbox-id"));
	} else {
		/* a plain containerd container (ctr, nerdctl): named by its id, labels in annotations */
		err = container_set_str(&c->name, id);
		if (!err)
			err = labels_from_json(ann, false, &c->labels, &c->nlabels);
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
	const char *s = jstr(ann, key);
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
	ann = jobj(cfg, "annotations");
	if (!ann || !jstr(ann, "io.kubernetes.cri-o.ContainerType")) {
		err = -ENOENT; /* not a CRI-O container (podman shares the storage) */
		goto cleanup;
	}
	oci_privileged(p, cfg, c);
	err = container_mounts_from_oci(cfg, c);
	if (err)
		goto cleanup;
	v = jstr(ann, "io.kubernetes.cri-o.ContainerType");
	c->is_sandbox = strcmp(v, "sandbox") == 0;
	labels = ann_json(ann, "io.kubernetes.cri-o.Labels");
	md = ann_json(ann, "io.kubernetes.cri-o.Metadata");
	v = jstr(ann, "io.kubernetes.container.name");
	if (!v && labels)
		v = jstr(labels, "io.kubernetes.container.name");
	if (!v && md)
		v = jstr(md, "name");
	err = container_set_str(&c->name, v);
	v = jstr(ann, "io.kubernetes.cri-o.ImageName");
	if (!err)
		err = container_set_image(c, v ? v : jstr(ann, "io.kubernetes.cri-o.Image"));
	if (!err)
		err = container_set_str(&c->image_id, jstr(ann, "io.kubernetes.cri-o.ImageRef"));
	v = jstr(ann, "io.kubernetes.pod.name");
	if (!err)
		err = container_set_str(&c->pod_name,
					v ? v : jstr(ann, "io.kubernetes.cri-o.KubeName"));
	v = jstr(ann, "io.kubernetes.pod.namespace");
	if (!err)
		err = container_set_str(&c->pod_namespace,
					v ? v : jstr(ann, "io.kubernetes.cri-o.Namespace"));
	if (!err)
		err = container_set_str(&c->pod_uid, jstr(ann, "io.kubernetes.pod.uid"));
	if (!err && !c->pod_uid[0] && labels)
		err = container_set_str(&c->pod_uid, jstr(labels, "io.kubernetes.pod.uid"));
	if (!err)
		err = labels_from_json(labels, false, &c->labels, &c->nlabels);
	sbid = jstr(ann, "io.kubernetes.cri-o.SandboxID");
	if (!err)
		err = container_set_str(&c->sandbox_id, sbid);
	if (err)
		goto cleanup;
	/* the pod's labels are on the sandbox */
	if (c->is_sandbox) {
		err = labels_from_json(labels, true, &c->pod_labels, &c->npod_labels);
	} else if (sbid && strlen(sbid) == OSP_CT_ID_LEN && !strchr(sbid, '/')) {
		int sberr = crio_config(p, sbid, &sb);

		if (sberr == 0) {
			pod = ann_json(jobj(sb, "annotations"), "io.kubernetes.cri-o.Labels");
			err = labels_from_json(pod, true, &c->pod_labels, &c->npod_labels);
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
	r = labels_from_json(jobj(cfg, "labels"), false, &c->labels, &c->nlabels);
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
		v = jstr(it, "id");
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
		err = container_set_str(&c->image_id, jstr(ent, "image"));
	v = jstr(ent, "metadata");
	md = v ? cJSON_Parse(v) : NULL;
	if (!err && md)
		err = container_set_image(c, jstr(md, "image-name"));
	if (err)
		goto cleanup;
	if ((size_t)snprintf(path, sizeof(path), "%s/overlay-containers/%s/userdata/config.json",
			     p->containers_storage, id) < sizeof(path) &&
	    container_json_load(path, &cfg) == 0) {
		oci_privileged(p, cfg, c);
		ann = jobj(cfg, "annotations");
		v = jstr(ann, "io.podman.annotations.privileged");
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
