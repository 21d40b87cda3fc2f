/* Container metadata, what every runtime's reader shares: where the runtimes keep their state
 * (below host_root), struct osp_container's strings and labels, bounded file reads and JSON. The
 * readers themselves, one per runtime, are in runtimes.c. */
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
int container_label_set(struct osp_kv **kv, uint32_t *n, const char *key, const char *value)
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
bool container_is_runtime_label(const char *key)
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
int container_labels_from_json(const cJSON *obj, bool pod_only, struct osp_kv **kv, uint32_t *n)
{
	const cJSON *it;
	int err;

	if (!cJSON_IsObject(obj))
		return 0;
	cJSON_ArrayForEach(it, obj)
	{
		if (!cJSON_IsString(it) || !it->string ||
		    (pod_only && container_is_runtime_label(it->string)))
			continue;
		err = container_label_set(kv, n, it->string, it->valuestring);
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

const char *container_jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

const cJSON *container_jobj(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsObject(v) ? v : NULL;
}

/* Privileged from an OCI config: every capability of the kernel in the bounding set (what
 * --privileged gives) -> 1, fewer -> 0, no capabilities section -> unchanged. */
void container_oci_privileged(const struct ct_paths *p, const cJSON *cfg, struct osp_container *c)
{
	const cJSON *caps = container_jobj(container_jobj(cfg, "process"), "capabilities");
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
