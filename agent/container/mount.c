/* Container mounts: reading them from each runtime's state (docker MountPoints, OCI bundle "mounts")
 * and the allocation-free lookups behind container.mount*[X] and container.mounts.
 *
 * Falco's meaning is kept: container.mount.dest[X] selects by index or by a glob on the SOURCE,
 * container.mount.source[X] by index or by a glob on the DESTINATION; globs are fnmatch(glob, path, 0)
 * and the first match in mount order wins.
 */
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "container/meta.h"

/* ---- lookups ---- */

const struct osp_mount *container_mount_at(const struct osp_container *c, uint32_t idx)
{
	if (!c || idx >= c->nmounts)
		return NULL;
	return &c->mounts[idx];
}

const struct osp_mount *container_mount_by_source(const struct osp_container *c, const char *glob)
{
	uint32_t i;

	if (!c || !glob)
		return NULL;
	for (i = 0; i < c->nmounts; i++) {
		if (fnmatch(glob, c->mounts[i].source, 0) == 0)
			return &c->mounts[i];
	}
	return NULL;
}

const struct osp_mount *container_mount_by_dest(const struct osp_container *c, const char *glob)
{
	uint32_t i;

	if (!c || !glob)
		return NULL;
	for (i = 0; i < c->nmounts; i++) {
		if (fnmatch(glob, c->mounts[i].dest, 0) == 0)
			return &c->mounts[i];
	}
	return NULL;
}

const struct osp_mount *container_mount_select(const struct osp_container *c, const char *arg,
					       bool by_dest)
{
	uint32_t idx = 0;
	size_t i;

	if (!arg)
		return NULL;
	for (i = 0; arg[i] >= '0' && arg[i] <= '9' && i < 9; i++)
		idx = idx * 10 + (uint32_t)(arg[i] - '0');
	if (i > 0 && arg[i] == '\0')
		return container_mount_at(c, idx);
	return by_dest ? container_mount_by_dest(c, arg) : container_mount_by_source(c, arg);
}

int container_mount_format(const struct osp_mount *m, char *buf, size_t len)
{
	int n;

	if (!m)
		return -EINVAL;
	n = snprintf(buf, len, "%s:%s:%s:%s:%s", m->source, m->dest, m->mode,
		     m->rdwr ? "true" : "false", m->propagation);
	return n < 0 ? -EINVAL : n;
}

int container_mounts_format(const struct osp_container *c, char *buf, size_t len)
{
	size_t used = 0, room;
	uint32_t i;
	int n;

	if (len > 0)
		buf[0] = '\0';
	for (i = 0; c && i < c->nmounts; i++) {
		room = used < len ? len - used : 0;
		if (i > 0) {
			if (room > 1) {
				buf[used] = ',';
				buf[used + 1] = '\0';
			}
			used++;
			room = used < len ? len - used : 0;
		}
		n = container_mount_format(&c->mounts[i], room ? buf + used : NULL, room);
		if (n < 0)
			return n;
		used += (size_t)n;
	}
	if (used > (size_t)0x7fffffff)
		return -EOVERFLOW;
	return (int)used;
}

/* ---- filling ---- */

void container_mounts_free(struct osp_mount *m, uint32_t n)
{
	uint32_t i;

	if (!m)
		return;
	for (i = 0; i < n; i++) {
		if (m[i].source != container_empty)
			free(m[i].source);
		if (m[i].dest != container_empty)
			free(m[i].dest);
		if (m[i].mode != container_empty)
			free(m[i].mode);
		if (m[i].propagation != container_empty)
			free(m[i].propagation);
	}
	free(m);
}

int container_mount_add(struct osp_container *c, const char *source, const char *dest,
			const char *mode, bool rdwr, const char *propagation)
{
	struct osp_mount *arr, *m;
	int err;

	if (!dest || !*dest || strlen(dest) > CT_VALUE_MAX ||
	    (source && strlen(source) > CT_VALUE_MAX) || (mode && strlen(mode) > CT_VALUE_MAX) ||
	    (propagation && strlen(propagation) > CT_VALUE_MAX) ||
	    c->nmounts >= OSP_CT_MOUNTS_MAX) {
		c->mounts_dropped++;
		return 0;
	}
	arr = realloc(c->mounts, (c->nmounts + 1) * sizeof(*arr));
	if (!arr)
		return -ENOMEM;
	c->mounts = arr;
	m = &arr[c->nmounts];
	m->source = m->dest = m->mode = m->propagation = container_empty;
	m->rdwr = rdwr;
	c->nmounts++; /* counted now: a failed copy below leaves "" members, freed with the rest */
	err = container_set_str(&m->source, source);
	if (!err)
		err = container_set_str(&m->dest, dest);
	if (!err)
		err = container_set_str(&m->mode, mode);
	if (!err)
		err = container_set_str(&m->propagation, propagation);
	return err;
}

static const char *jstr(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

int container_mounts_from_docker(const cJSON *mount_points, struct osp_container *c)
{
	const cJSON *it, *rw;
	const char *dest, *mode;
	int err;

	if (!mount_points || cJSON_IsNull(mount_points))
		return 0;
	if (!cJSON_IsObject(mount_points) && !cJSON_IsArray(mount_points)) {
		c->mounts_dropped++;
		return 0;
	}
	cJSON_ArrayForEach(it, mount_points)
	{
		rw = cJSON_GetObjectItemCaseSensitive(it, "RW");
		dest = jstr(it, "Destination");
		if (!cJSON_IsObject(it) || !dest || (rw && !cJSON_IsBool(rw))) {
			c->mounts_dropped++;
			continue;
		}
		/* config.v2.json keeps the mode under "Relabel"; the API calls it "Mode" */
		mode = jstr(it, "Mode");
		if (!mode)
			mode = jstr(it, "Relabel");
		err = container_mount_add(c, jstr(it, "Source"), dest, mode, cJSON_IsTrue(rw),
					  jstr(it, "Propagation"));
		if (err)
			return err;
	}
	return 0;
}

/* Is an OCI mount a bind of a host path (what Falco's CRI and docker mounts list), rather than a
 * filesystem the runtime makes for the container (proc, sysfs, tmpfs, devpts, mqueue, cgroup)? */
static bool oci_is_bind(const char *type, const cJSON *options)
{
	const cJSON *o;

	if (type && strcmp(type, "bind") == 0)
		return true;
	cJSON_ArrayForEach(o, options)
	{
		if (cJSON_IsString(o) &&
		    (strcmp(o->valuestring, "bind") == 0 || strcmp(o->valuestring, "rbind") == 0))
			return true;
	}
	return false;
}

int container_mounts_from_oci(const cJSON *oci_config, struct osp_container *c)
{
	static const char *const props[] = {"private", "rprivate", "shared",	 "rshared",
					    "slave",   "rslave",   "unbindable", "runbindable"};
	const cJSON *mounts = cJSON_GetObjectItemCaseSensitive(oci_config, "mounts");
	const cJSON *it, *options, *o;
	const char *dest, *type, *prop;
	bool rdwr;
	size_t i;
	int err;

	if (!mounts || cJSON_IsNull(mounts))
		return 0;
	if (!cJSON_IsArray(mounts)) {
		c->mounts_dropped++;
		return 0;
	}
	cJSON_ArrayForEach(it, mounts)
	{
		options = cJSON_GetObjectItemCaseSensitive(it, "options");
		dest = jstr(it, "destination");
		type = jstr(it, "type");
		if (!cJSON_IsObject(it) || !dest || (options && !cJSON_IsArray(options))) {
			c->mounts_dropped++;
			continue;
		}
		if (!oci_is_bind(type, options))
			continue;
		rdwr = true;
		prop = NULL;
		cJSON_ArrayForEach(o, options)
		{
			if (!cJSON_IsString(o))
				continue;
			if (strcmp(o->valuestring, "ro") == 0)
				rdwr = false;
			else if (strcmp(o->valuestring, "rw") == 0)
				rdwr = true;
			for (i = 0; i < sizeof(props) / sizeof(props[0]); i++) {
				if (strcmp(o->valuestring, props[i]) == 0)
					prop = props[i];
			}
		}
		err = container_mount_add(c, jstr(it, "source"), dest, NULL, rdwr, prop);
		if (err)
			return err;
	}
	return 0;
}
