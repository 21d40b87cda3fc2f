/* cgroup path -> container id: a pure function of the path, no I/O, no allocation.
 *
 * The path is split into components (empty ones, from "//" or a trailing "/", are skipped) and
 * every component is tested, root first, against the naming of each runtime:
 *
 *   docker-<id>.scope            docker, systemd driver
 *   cri-containerd-<id>.scope    containerd CRI, systemd driver
 *   crio-<id>.scope | crio-<id>  CRI-O, systemd | cgroupfs driver
 *   libpod-<id>.scope | libpod-<id>   podman, systemd | cgroupfs driver
 *   <id>                         only as the second component (/<namespace>/<id>: containerd, or
 *                                /docker/<id>: docker) or right below a pod component (kubelet's
 *                                cgroupfs driver: /kubepods[/<qos>]/pod<uid>/<id>)
 *
 * <id> is exactly 64 lowercase hex digits. conmon's cgroups (crio-conmon-<id>.scope,
 * libpod-conmon-<id>.scope, /libpod_parent/conmon) match none of these on purpose: conmon is a helper
 * on the host. So does /process_api/<32 hex>, the per-process memory cgroup of these machines.
 */
#include <errno.h>
#include <string.h>

#include "container/container.h"

#define CG_PATH_MAX 4096

static bool is_hex64(const char *s, size_t n)
{
	size_t i;

	if (n != OSP_CT_ID_LEN)
		return false;
	for (i = 0; i < n; i++) {
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	}
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *pfx)
{
	size_t k = strlen(pfx);

	return n >= k && memcmp(s, pfx, k) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *sfx)
{
	size_t k = strlen(sfx);

	return n >= k && memcmp(s + n - k, sfx, k) == 0;
}

/* "<pfx><id><sfx>" with a 64-hex id: returns a pointer to the id, else NULL. */
static const char *match_wrapped(const char *s, size_t n, const char *pfx, const char *sfx)
{
	size_t a = strlen(pfx), b = strlen(sfx);

	if (n != a + OSP_CT_ID_LEN + b || !has_prefix(s, n, pfx) || !has_suffix(s, n, sfx))
		return NULL;
	return is_hex64(s + a, OSP_CT_ID_LEN) ? s + a : NULL;
}

/* A pod uid as kubelet writes it in a cgroup name: 36 chars of hex and dashes (systemd driver:
 * underscores), or 32 hex for a static pod's hash. */
static bool is_pod_uid(const char *s, size_t n)
{
	size_t i, hex = 0;

	if (n != 32 && n != 36)
		return false;
	for (i = 0; i < n; i++) {
		if ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))
			hex++;
		else if (s[i] != '-' && s[i] != '_')
			return false;
	}
	return hex == 32;
}

/* A pod component: "pod<uid>" (cgroupfs) or "<anything>-pod<uid>.slice" (systemd, e.g.
 * kubepods-burstable-pod<uid>.slice, kubepods-pod<uid>.slice). Copies the uid with '_' as '-'. */
static bool match_pod(const char *s, size_t n, char *uid, size_t uidsz)
{
	const char *u;
	size_t un, i;

	if (has_prefix(s, n, "pod")) {
		u = s + 3;
		un = n - 3;
	} else if (has_suffix(s, n, ".slice") && n > 6 + 32 + 4) {
		size_t end = n - 6;

		/* the uid runs from after the last "-pod" to ".slice" */
		for (i = end; i >= 4; i--) {
			if (memcmp(s + i - 4, "-pod", 4) == 0)
				break;
		}
		if (i < 4)
			return false;
		u = s + i;
		un = end - i;
	} else {
		return false;
	}
	if (!is_pod_uid(u, un) || un >= uidsz)
		return false;
	for (i = 0; i < un; i++)
		uid[i] = u[i] == '_' ? '-' : u[i];
	uid[un] = '\0';
	return true;
}

/* A containerd namespace: [A-Za-z0-9] with '.', '_', '-' inside. systemd unit names are not, nor is
 * podman's cgroupfs parent (a podman pod is /libpod_parent/<pod id>/libpod-<id>). */
static bool is_namespace(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > OSP_CT_NS_LEN)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');

		if (!alnum && !((c == '.' || c == '_' || c == '-') && i > 0 && i < n - 1))
			return false;
	}
	return !has_suffix(s, n, ".slice") && !has_suffix(s, n, ".scope") &&
	       !has_suffix(s, n, ".service") && !(n == 13 && memcmp(s, "libpod_parent", 13) == 0);
}

static void set_host(struct container_ref *out)
{
	memset(out, 0, sizeof(*out));
	out->runtime = OSP_RT_HOST;
	memcpy(out->id, "host", sizeof("host"));
}

static void set_id(struct container_ref *out, enum osp_runtime rt, const char *id)
{
	out->runtime = rt;
	memcpy(out->id, id, OSP_CT_ID_LEN);
	out->id[OSP_CT_ID_LEN] = '\0';
}

/* Tests component c (n bytes), the idx-th of the path, whose parent (NULL for the first) is known
 * to be a pod component when parent_is_pod. Fills out and returns true on a container match. */
static bool match_component(const char *c, size_t n, unsigned int idx, const char *first,
			    size_t firstn, bool parent_is_pod, struct container_ref *out)
{
	const char *id;

	if ((id = match_wrapped(c, n, "docker-", ".scope"))) {
		set_id(out, OSP_RT_DOCKER, id);
		return true;
	}
	if ((id = match_wrapped(c, n, "cri-containerd-", ".scope"))) {
		set_id(out, OSP_RT_CONTAINERD, id);
		return true;
	}
	if ((id = match_wrapped(c, n, "crio-", ".scope")) ||
	    (id = match_wrapped(c, n, "crio-", ""))) {
		set_id(out, OSP_RT_CRIO, id);
		return true;
	}
	if ((id = match_wrapped(c, n, "libpod-", ".scope")) ||
	    (id = match_wrapped(c, n, "libpod-", ""))) {
		set_id(out, OSP_RT_PODMAN, id);
		return true;
	}
	if (!is_hex64(c, n))
		return false;
	if (parent_is_pod) {
		/* kubelet cgroupfs driver: containerd CRI or cri-dockerd; state tells them apart */
		set_id(out, OSP_RT_CONTAINERD, c);
		return true;
	}
	if (idx == 1 && firstn == 6 && memcmp(first, "docker", 6) == 0) {
		set_id(out, OSP_RT_DOCKER, c);
		return true;
	}
	if (idx == 1 && is_namespace(first, firstn)) {
		set_id(out, OSP_RT_CONTAINERD, c);
		memcpy(out->ns, first, firstn);
		out->ns[firstn] = '\0';
		return true;
	}
	return false;
}

int container_id_from_cgroup(const char *path, size_t len, struct container_ref *out)
{
	const char *p, *end, *first = NULL;
	size_t firstn = 0;
	unsigned int idx = 0;
	bool parent_is_pod = false, in_kubepods = false;
	char uid[OSP_CT_POD_UID_LEN + 1] = "";

	if (!out || (!path && len))
		return -EINVAL;
	set_host(out);
	if (!path || len == 0 || len >= CG_PATH_MAX || memchr(path, '\0', len))
		return 0;
	p = path;
	end = path + len;
	while (p < end) {
		const char *c;
		size_t n;
		bool is_pod;

		while (p < end && *p == '/')
			p++;
		if (p == end)
			break;
		c = p;
		while (p < end && *p != '/')
			p++;
		n = (size_t)(p - c);
		if (idx == 0) {
			first = c;
			firstn = n;
		}
		if (has_prefix(c, n, "kubepods") || has_prefix(c, n, "kubelet-kubepods"))
			in_kubepods = true;
		if (match_component(c, n, idx, first, firstn, parent_is_pod, out)) {
			if (in_kubepods && uid[0])
				memcpy(out->pod_uid, uid, sizeof(uid));
			return 0;
		}
		is_pod = in_kubepods && match_pod(c, n, uid, sizeof(uid));
		parent_is_pod = is_pod;
		idx++;
	}
	return 0;
}
