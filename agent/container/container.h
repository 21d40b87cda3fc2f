/* Container identity and metadata, as the rule fields container.* and k8s.* read it.
 *
 * Contract shared by container/ (which fills it) and fields.c (which reads it). A struct osp_container is
 * owned by the container cache; pointers to it stay valid until container_cache_gc() removes it, which
 * never happens while an event that points to it is being processed. Strings are NUL-terminated, ""
 * when unknown (fields report an unknown string as missing, never as "").
 */
#ifndef OSP_CONTAINER_H
#define OSP_CONTAINER_H

#include <stdbool.h>
#include <stdint.h>

#define OSP_CT_ID_LEN 64

enum osp_runtime {
	OSP_RT_HOST = 0, /* not a container: container.id = "host" */
	OSP_RT_DOCKER,
	OSP_RT_CONTAINERD,
	OSP_RT_CRIO,
	OSP_RT_PODMAN,
	OSP_RT_UNKNOWN_CONTAINER, /* clearly a container cgroup, runtime not recognised */
};

struct osp_kv {
	char *key;
	char *value;
};

struct osp_container {
	enum osp_runtime runtime;
	char full_id[OSP_CT_ID_LEN + 1]; /* 64 hex; "host" for the host */
	char id[13];			 /* first 12 characters; "host" for the host */
	char *name;
	char *image;		/* as the runtime records it, e.g. "docker.io/library/nginx:1.25" */
	char *image_repository; /* "docker.io/library/nginx" */
	char *image_tag;	/* "1.25" */
	char *image_digest;	/* "sha256:..." where known */
	int privileged;		/* 1, 0, or -1 when unknown */
	struct osp_kv *labels;	/* container labels */
	uint32_t nlabels;
	char *pod_name;
	char *pod_uid;
	char *pod_namespace;
	struct osp_kv *pod_labels;
	uint32_t npod_labels;
	bool metadata_complete; /* false while runtime state was not (yet) found */
};

/* Runtime name as Falco's container.type gives it: "docker", "containerd", "cri-o", "podman", "host". */
const char *osp_runtime_name(enum osp_runtime rt);

#endif
