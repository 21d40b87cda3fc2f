/* Runtime state readers and the cache, against state files the test writes under a temporary
 * host_root: docker config.v2.json, containerd bundles + meta.db, CRI-O userdata, podman storage. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../common/suite.h"
#include "container/meta.h"
#include "event.h"
#include "test_container_util.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SB "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define ID3 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID4 "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define UID "3f0c2b8e-1111-4c4c-9d9d-0123456789ab"
#define UID_ "3f0c2b8e_1111_4c4c_9d9d_0123456789ab"

static char *root;

/* The suite's temporary host_root: made by the first test, removed by the last. */
static void test_setup(void)
{
	root = ctt_mkdtemp();
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	CU_ASSERT_EQUAL_FATAL(ctt_writes(root, "proc/sys/kernel/cap_last_cap", "40\n"), 0);
}

static void test_teardown(void)
{
	ctt_rmtree(root);
	free(root);
	root = NULL;
}

/* A cache over the test's host_root with small limits. */
static struct container_cache *new_cache(uint32_t max, uint32_t retry_ms)
{
	struct container_cache_config cfg = {
	    .paths = {.host_root = root},
	    .max_entries = max,
	    .retry_interval_ms = retry_ms,
	};

	return container_cache_new(&cfg);
}

static void set_proc(struct osp_proc *p, const char *v2, const char *v1)
{
	memset(p, 0, sizeof(*p));
	p->cgroup.p = v2;
	p->cgroup.len = v2 ? (uint32_t)strlen(v2) : 0;
	p->cgroup_v1.p = v1;
	p->cgroup_v1.len = v1 ? (uint32_t)strlen(v1) : 0;
}

static const char *label(const struct osp_kv *kv, uint32_t n, const char *key)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(kv[i].key, key) == 0)
			return kv[i].value;
	}
	return NULL;
}

#define CU_ASSERT_LABEL(kv, n, k, v)                                                               \
	do {                                                                                       \
		const char *got_ = label((kv), (n), (k));                                          \
		CU_ASSERT_PTR_NOT_NULL(got_);                                                      \
		if (got_)                                                                          \
			CU_ASSERT_STRING_EQUAL(got_, (v));                                         \
	} while (0)

/* An OCI "process.capabilities" with every capability (privileged) or a few. */
static char *oci_config(bool privileged, const char *annotations)
{
	char caps[4096] = "\"CAP_SYS_ADMIN\"";
	char *out = NULL;
	size_t used;
	int i;

	for (i = 0; privileged && i < 40; i++) {
		used = strlen(caps);
		snprintf(caps + used, sizeof(caps) - used, ",\"CAP_X%d\"", i);
	}
	if (!privileged)
		snprintf(caps, sizeof(caps), "\"CAP_CHOWN\",\"CAP_KILL\"");
	if (asprintf(&out,
		     "{\"ociVersion\":\"1.0.2\",\"process\":{\"args\":[\"sleep\"],"
		     "\"capabilities\":{\"bounding\":[%s],\"effective\":[%s]}},"
		     "\"annotations\":%s}",
		     caps, caps, annotations) < 0)
		return NULL;
	return out;
}

/* ---- files ---- */

static void test_read_file_bounds(void)
{
	char path[512], *buf = NULL, *big;
	size_t len = 0;
	cJSON *j = NULL;

	CU_ASSERT_EQUAL(ctt_writes(root, "f/small", "hello"), 0);
	snprintf(path, sizeof(path), "%s/f/small", root);
	CU_ASSERT_EQUAL(container_read_file(path, 5, &buf, &len), 0);
	CU_ASSERT_EQUAL(len, 5);
	CU_ASSERT_STRING_EQUAL(buf, "hello");
	free(buf);
	CU_ASSERT_EQUAL(container_read_file(path, 4, &buf, &len), -EFBIG);
	CU_ASSERT_PTR_NULL(buf);
	snprintf(path, sizeof(path), "%s/f", root);
	CU_ASSERT_EQUAL(container_read_file(path, 100, &buf, &len), -EISDIR);
	snprintf(path, sizeof(path), "%s/f/none", root);
	CU_ASSERT_EQUAL(container_read_file(path, 100, &buf, &len), -ENOENT);
	/* JSON: too big, malformed, empty */
	big = malloc(CT_FILE_MAX + 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	memset(big, ' ', CT_FILE_MAX + 1);
	big[0] = '{';
	big[CT_FILE_MAX] = '}';
	CU_ASSERT_EQUAL(ctt_write(root, "f/big.json", big, CT_FILE_MAX + 1), 0);
	free(big);
	snprintf(path, sizeof(path), "%s/f/big.json", root);
	CU_ASSERT_EQUAL(container_json_load(path, &j), -EFBIG);
	CU_ASSERT_EQUAL(ctt_writes(root, "f/bad.json", "{\"a\": [1, 2"), 0);
	snprintf(path, sizeof(path), "%s/f/bad.json", root);
	CU_ASSERT_EQUAL(container_json_load(path, &j), -EBADMSG);
	CU_ASSERT_PTR_NULL(j);
	CU_ASSERT_EQUAL(ctt_writes(root, "f/empty.json", ""), 0);
	snprintf(path, sizeof(path), "%s/f/empty.json", root);
	CU_ASSERT_EQUAL(container_json_load(path, &j), -EBADMSG);
}

/* ---- docker ---- */

static void write_docker(const char *id, const char *config, const char *hostconfig)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "var/lib/docker/containers/%s/config.v2.json", id);
	CU_ASSERT_EQUAL(ctt_writes(root, rel, config), 0);
	if (hostconfig) {
		snprintf(rel, sizeof(rel), "var/lib/docker/containers/%s/hostconfig.json", id);
		CU_ASSERT_EQUAL(ctt_writes(root, rel, hostconfig), 0);
	}
}

static void test_docker(void)
{
	struct container_cache *cache = new_cache(16, 0);
	struct osp_proc p;
	const struct osp_container *c;

	write_docker(ID,
		     "{\"ID\":\"" ID "\",\"Name\":\"/web\",\"Image\":\"sha256:1111\","
		     "\"Config\":{\"Image\":\"localhost:5000/team/nginx:1.25\","
		     "\"Labels\":{\"app\":\"web\",\"tier\":\"front\"}},\"State\":{\"Pid\":1}}",
		     "{\"Privileged\":true}");
	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
	set_proc(&p, "/system.slice/docker-" ID ".scope", NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_DOCKER);
	CU_ASSERT_STRING_EQUAL(c->full_id, ID);
	CU_ASSERT_STRING_EQUAL(c->id, "0123456789ab");
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, "web");
	CU_ASSERT_STRING_EQUAL(c->image, "localhost:5000/team/nginx:1.25");
	CU_ASSERT_STRING_EQUAL(c->image_repository, "localhost:5000/team/nginx");
	CU_ASSERT_STRING_EQUAL(c->image_tag, "1.25");
	CU_ASSERT_STRING_EQUAL(c->image_digest, "");
	CU_ASSERT_STRING_EQUAL(c->image_id, "sha256:1111");
	CU_ASSERT_EQUAL(c->privileged, 1);
	CU_ASSERT_EQUAL(c->nlabels, 2);
	CU_ASSERT_LABEL(c->labels, c->nlabels, "app", "web");
	CU_ASSERT_LABEL(c->labels, c->nlabels, "tier", "front");
	CU_ASSERT_STRING_EQUAL(c->pod_name, "");
	/* the same container through the cgroupfs path and the v1 fallback is the same entry */
	set_proc(&p, "/", "/docker/" ID);
	CU_ASSERT_PTR_EQUAL(container_resolve(cache, &p), c);
	container_cache_free(cache);
}

/* cri-dockerd: Kubernetes names in labels, kubelet's cgroupfs path (containerd's shape). */
static void test_docker_cri_dockerd(void)
{
	struct container_cache *cache = new_cache(16, 0);
	struct osp_proc p;
	const struct osp_container *c;

	write_docker(
	    ID3,
	    "{\"Name\":\"/k8s_app_web-0_prod_" UID "_0\",\"Image\":\"sha256:2222\","
	    "\"Config\":{\"Image\":\"nginx@sha256:abcd\",\"Labels\":{"
	    "\"io.kubernetes.pod.name\":\"web-0\",\"io.kubernetes.pod.namespace\":\"prod\","
	    "\"io.kubernetes.pod.uid\":\"" UID "\",\"io.kubernetes.container.name\":\"app\","
	    "\"io.kubernetes.sandbox.id\":\"" SB "\","
	    "\"io.kubernetes.docker.type\":\"container\"}}}",
	    "{\"Privileged\":false}");
	set_proc(&p, "/kubepods/besteffort/pod" UID "/" ID3, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_DOCKER);
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, "app");
	CU_ASSERT_STRING_EQUAL(c->pod_name, "web-0");
	CU_ASSERT_STRING_EQUAL(c->pod_namespace, "prod");
	CU_ASSERT_STRING_EQUAL(c->pod_uid, UID);
	CU_ASSERT_STRING_EQUAL(c->sandbox_id, SB);
	CU_ASSERT_FALSE(c->is_sandbox);
	CU_ASSERT_STRING_EQUAL(c->image_repository, "nginx");
	CU_ASSERT_STRING_EQUAL(c->image_tag, "");
	CU_ASSERT_STRING_EQUAL(c->image_digest, "sha256:abcd");
	CU_ASSERT_EQUAL(c->privileged, 0);
	container_cache_free(cache);
}

static void test_docker_malformed(void)
{
	struct container_cache *cache = new_cache(16, 60000);
	struct container_cache_stats st;
	struct ct_paths paths;
	struct osp_container oc;
	struct osp_proc p;
	const struct osp_container *c;

	/* truncated JSON: an error, and the id still comes out */
	write_docker(ID, "{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx", NULL);
	CU_ASSERT_EQUAL_FATAL(
	    container_paths_init(&paths, &(struct container_paths){.host_root = root}), 0);
	container_init(&oc);
	CU_ASSERT_EQUAL(container_meta_docker(&paths, ID, &oc), -EBADMSG);
	container_clear(&oc);
	/* wrong types everywhere: read what fits, no crash */
	write_docker(ID,
		     "{\"Name\":7,\"Image\":[],\"Config\":{\"Image\":{},\"Labels\":{\"a\":1,"
		     "\"b\":\"ok\",\"c\":null}}}",
		     "[]");
	CU_ASSERT_EQUAL(container_meta_docker(&paths, ID, &oc), 0);
	CU_ASSERT_STRING_EQUAL(oc.name, "");
	CU_ASSERT_STRING_EQUAL(oc.image, "");
	CU_ASSERT_EQUAL(oc.nlabels, 1);
	CU_ASSERT_EQUAL(oc.privileged, -1);
	container_clear(&oc);
	container_clear(NULL);
	write_docker(ID, "{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx", NULL);
	set_proc(&p, "/docker/" ID, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->full_id, ID);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_DOCKER);
	CU_ASSERT_FALSE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, "");
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.metadata_errors, 1);
	container_paths_free(&paths);
	container_cache_free(cache);
}

/* ---- containerd ---- */

static const struct ctt_bnode sb_labels[] = {
    {"app", "web", NULL, 0},
    {"io.cri-containerd.kind", "sandbox", NULL, 0},
    {"io.kubernetes.pod.name", "web-0", NULL, 0},
    {"io.kubernetes.pod.namespace", "prod", NULL, 0},
    {"io.kubernetes.pod.uid", UID, NULL, 0},
    {"team", "sec", NULL, 0},
};
static const struct ctt_bnode container_labels[] = {
    {"io.cri-containerd.kind", "container", NULL, 0},
    {"io.kubernetes.container.name", "app", NULL, 0},
};
static const struct ctt_bnode plain_labels[] = {{"app", "ctr", NULL, 0}};
static const struct ctt_bnode container_id[] = {{"image", "localhost/busybox:test", NULL, 0},
						{"labels", NULL, container_labels, 2}};
static const struct ctt_bnode container_sb[] = {{"image", "localhost/pause:test", NULL, 0},
						{"labels", NULL, sb_labels, 6}};
static const struct ctt_bnode container_plain[] = {{"image", "docker.io/library/redis:7", NULL, 0},
						   {"labels", NULL, plain_labels, 1}};
static const struct ctt_bnode k8s_containers[] = {{ID, NULL, container_id, 2},
						  {SB, NULL, container_sb, 2}};
static const struct ctt_bnode def_containers[] = {{ID3, NULL, container_plain, 2}};
static const struct ctt_bnode k8s_ns[] = {{"containers", NULL, k8s_containers, 2}};
static const struct ctt_bnode def_ns[] = {{"containers", NULL, def_containers, 1}};
static const struct ctt_bnode v1[] = {{"default", NULL, def_ns, 1}, {"k8s.io", NULL, k8s_ns, 1}};
static const struct ctt_bnode meta_top[] = {{"v1", NULL, v1, 2}};

static void write_containerd(void)
{
	char path[512], *cfg;

	snprintf(path, sizeof(path), "%s/var/lib/containerd/io.containerd.metadata.v1.bolt/x",
		 root);
	CU_ASSERT_EQUAL(ctt_writes(root, "var/lib/containerd/io.containerd.metadata.v1.bolt/x", ""),
			0);
	snprintf(path, sizeof(path), "%s/var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db",
		 root);
	CU_ASSERT_EQUAL(ctt_bolt_write(path, meta_top, 1), 0);
	cfg = oci_config(true, "{\"io.kubernetes.cri.container-type\":\"container\","
			       "\"io.kubernetes.cri.container-name\":\"app\","
			       "\"io.kubernetes.cri.image-name\":\"localhost/busybox:test\","
			       "\"io.kubernetes.cri.sandbox-id\":\"" SB "\","
			       "\"io.kubernetes.cri.sandbox-name\":\"web-0\","
			       "\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
			       "\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"}");
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "run/containerd/io.containerd.runtime.v2.task/k8s.io/" ID
				   "/config.json",
				   cfg),
			0);
	free(cfg);
	cfg = oci_config(false, "{\"io.kubernetes.cri.container-type\":\"sandbox\","
				"\"io.kubernetes.cri.sandbox-id\":\"" SB "\","
				"\"io.kubernetes.cri.sandbox-name\":\"web-0\","
				"\"io.kubernetes.cri.sandbox-namespace\":\"prod\","
				"\"io.kubernetes.cri.sandbox-uid\":\"" UID "\"}");
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "run/containerd/io.containerd.runtime.v2.task/k8s.io/" SB
				   "/config.json",
				   cfg),
			0);
	free(cfg);
	cfg = oci_config(false, "{\"app\":\"ctr\",\"other\":\"x\"}");
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "run/containerd/io.containerd.runtime.v2.task/default/" ID3
				   "/config.json",
				   cfg),
			0);
	free(cfg);
}

static void test_containerd_cri(void)
{
	struct container_cache *cache = new_cache(16, 0);
	struct osp_proc p;
	const struct osp_container *c;

	write_containerd();
	set_proc(&p,
		 "/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
		 ".slice/cri-containerd-" ID ".scope",
		 NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_CONTAINERD);
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, "app");
	CU_ASSERT_STRING_EQUAL(c->image, "localhost/busybox:test");
	CU_ASSERT_STRING_EQUAL(c->image_repository, "localhost/busybox");
	CU_ASSERT_STRING_EQUAL(c->image_tag, "test");
	CU_ASSERT_STRING_EQUAL(c->pod_name, "web-0");
	CU_ASSERT_STRING_EQUAL(c->pod_namespace, "prod");
	CU_ASSERT_STRING_EQUAL(c->pod_uid, UID);
	CU_ASSERT_STRING_EQUAL(c->sandbox_id, SB);
	CU_ASSERT_EQUAL(c->privileged, 1);
	CU_ASSERT_FALSE(c->is_sandbox);
	/* container labels from meta.db, pod labels from the sandbox's, without the runtime's own */
	CU_ASSERT_LABEL(c->labels, c->nlabels, "io.kubernetes.container.name", "app");
	CU_ASSERT_EQUAL(c->npod_labels, 2);
	CU_ASSERT_LABEL(c->pod_labels, c->npod_labels, "app", "web");
	CU_ASSERT_LABEL(c->pod_labels, c->npod_labels, "team", "sec");
	/* the sandbox itself, through kubelet's cgroupfs path */
	set_proc(&p, "/kubepods/besteffort/pod" UID "/" SB, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_TRUE(c->is_sandbox);
	CU_ASSERT_EQUAL(c->privileged, 0);
	CU_ASSERT_STRING_EQUAL(c->pod_name, "web-0");
	CU_ASSERT_STRING_EQUAL(c->image, "localhost/pause:test");
	CU_ASSERT_EQUAL(c->npod_labels, 2);
	container_cache_free(cache);
}

static void test_containerd_plain(void)
{
	struct container_cache *cache = new_cache(16, 0);
	struct osp_proc p;
	const struct osp_container *c;

	write_containerd();
	set_proc(&p, "/default/" ID3, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_CONTAINERD);
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, ID3);
	CU_ASSERT_STRING_EQUAL(c->image, "docker.io/library/redis:7");
	CU_ASSERT_STRING_EQUAL(c->image_tag, "7");
	CU_ASSERT_LABEL(c->labels, c->nlabels, "app", "ctr");
	CU_ASSERT_LABEL(c->labels, c->nlabels, "other", "x");
	CU_ASSERT_EQUAL(c->nlabels, 2);
	CU_ASSERT_EQUAL(c->npod_labels, 0);
	CU_ASSERT_STRING_EQUAL(c->pod_uid, "");
	/* wrong namespace: no state (in any runtime); the id stays */
	set_proc(&p, "/other/" ID4, NULL);
	container_cache_free(cache);
	cache = new_cache(16, 0);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->full_id, ID4);
	CU_ASSERT_FALSE(c->metadata_complete);
	container_cache_free(cache);
}

/* A broken meta.db does not lose what the bundle gave. */
static void test_containerd_bad_db(void)
{
	struct ct_paths paths;
	struct osp_container oc;

	write_containerd();
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containerd/io.containerd.metadata.v1.bolt/meta.db",
				   "garbage garbage garbage"),
			0);
	CU_ASSERT_EQUAL_FATAL(
	    container_paths_init(&paths, &(struct container_paths){.host_root = root}), 0);
	container_init(&oc);
	CU_ASSERT_EQUAL(container_meta_containerd(&paths, "k8s.io", ID, &oc), -EBADMSG);
	CU_ASSERT_STRING_EQUAL(oc.name, "app");
	CU_ASSERT_STRING_EQUAL(oc.pod_name, "web-0");
	container_clear(&oc);
	container_paths_free(&paths);
}

/* ---- CRI-O ---- */

static void write_crio(void)
{
	char *cfg;

	cfg = oci_config(
	    false,
	    "{\"io.kubernetes.cri-o.ContainerType\":\"container\","
	    "\"io.kubernetes.cri-o.ContainerID\":\"" ID "\","
	    "\"io.kubernetes.cri-o.SandboxID\":\"" SB "\","
	    "\"io.kubernetes.cri-o.ImageName\":\"docker.io/library/nginx:1.25\","
	    "\"io.kubernetes.cri-o.ImageRef\":\"sha256:3333\","
	    "\"io.kubernetes.cri-o.Metadata\":\"{\\\"name\\\":\\\"app\\\",\\\"attempt\\\":0}\","
	    "\"io.kubernetes.cri-o.Labels\":\"{\\\"io.kubernetes.container.name\\\":\\\"app\\\","
	    "\\\"io.kubernetes.pod.uid\\\":\\\"" UID "\\\"}\","
	    "\"io.kubernetes.container.name\":\"app\",\"io.kubernetes.pod.name\":\"web-0\","
	    "\"io.kubernetes.pod.namespace\":\"prod\",\"io.kubernetes.pod.uid\":\"" UID "\"}");
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containers/storage/overlay-containers/" ID
				   "/userdata/config.json",
				   cfg),
			0);
	free(cfg);
	/* the sandbox lives under the run root: both are searched */
	CU_ASSERT_EQUAL(
	    ctt_writes(
		root, "run/containers/storage/overlay-containers/" SB "/userdata/config.json",
		"{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"sandbox\","
		"\"io.kubernetes.cri-o.KubeName\":\"web-0\","
		"\"io.kubernetes.cri-o.Namespace\":\"prod\","
		"\"io.kubernetes.cri-o.Labels\":\"{\\\"app\\\":\\\"web\\\","
		"\\\"team\\\":\\\"sec\\\",\\\"io.kubernetes.pod.uid\\\":\\\"" UID "\\\"}\"}}"),
	    0);
}

static void test_crio(void)
{
	struct container_cache *cache = new_cache(16, 0);
	struct osp_proc p;
	const struct osp_container *c;

	write_crio();
	set_proc(&p,
		 "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
		 ".slice/crio-" ID ".scope",
		 NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_CRIO);
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, "app");
	CU_ASSERT_STRING_EQUAL(c->image, "docker.io/library/nginx:1.25");
	CU_ASSERT_STRING_EQUAL(c->image_repository, "docker.io/library/nginx");
	CU_ASSERT_STRING_EQUAL(c->image_tag, "1.25");
	CU_ASSERT_STRING_EQUAL(c->image_id, "sha256:3333");
	CU_ASSERT_STRING_EQUAL(c->pod_name, "web-0");
	CU_ASSERT_STRING_EQUAL(c->pod_namespace, "prod");
	CU_ASSERT_STRING_EQUAL(c->pod_uid, UID);
	CU_ASSERT_STRING_EQUAL(c->sandbox_id, SB);
	CU_ASSERT_EQUAL(c->privileged, 0);
	CU_ASSERT_LABEL(c->labels, c->nlabels, "io.kubernetes.container.name", "app");
	CU_ASSERT_EQUAL(c->npod_labels, 2);
	CU_ASSERT_LABEL(c->pod_labels, c->npod_labels, "app", "web");
	CU_ASSERT_LABEL(c->pod_labels, c->npod_labels, "team", "sec");
	/* the sandbox, by its cgroupfs name */
	set_proc(&p, "/kubepods/burstable/pod" UID "/crio-" SB, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(c->is_sandbox);
	CU_ASSERT_STRING_EQUAL(c->pod_name, "web-0");
	CU_ASSERT_STRING_EQUAL(c->pod_uid, UID);
	CU_ASSERT_EQUAL(c->npod_labels, 2);
	container_cache_free(cache);
}

static void test_crio_malformed(void)
{
	struct ct_paths paths;
	struct osp_container oc;

	CU_ASSERT_EQUAL_FATAL(
	    container_paths_init(&paths, &(struct container_paths){.host_root = root}), 0);
	container_init(&oc);
	/* a podman container in the shared storage is not CRI-O's */
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containers/storage/overlay-containers/" ID3
				   "/userdata/config.json",
				   "{\"annotations\":{\"io.container.manager\":\"libpod\"}}"),
			0);
	CU_ASSERT_EQUAL(container_meta_crio(&paths, ID3, &oc), -ENOENT);
	/* label annotations that are not JSON objects are ignored */
	CU_ASSERT_EQUAL(
	    ctt_writes(root,
		       "var/lib/containers/storage/overlay-containers/" ID3 "/userdata/config.json",
		       "{\"annotations\":{\"io.kubernetes.cri-o.ContainerType\":\"container\","
		       "\"io.kubernetes.cri-o.Labels\":\"[1,2\","
		       "\"io.kubernetes.cri-o.Metadata\":\"7\","
		       "\"io.kubernetes.cri-o.SandboxID\":\"../../etc\"}}"),
	    0);
	CU_ASSERT_EQUAL(container_meta_crio(&paths, ID3, &oc), 0);
	CU_ASSERT_EQUAL(oc.nlabels, 0);
	CU_ASSERT_STRING_EQUAL(oc.name, "");
	container_clear(&oc);
	container_paths_free(&paths);
}

/* ---- podman ---- */

static const struct ctt_bnode pm_ctr[] = {
    {"config", "{\"id\":\"" ID3 "\",\"name\":\"p1\",\"labels\":{\"app\":\"web\",\"team\":\"sec\"}}",
     NULL, 0},
};
static const struct ctt_bnode pm_ctrs[] = {{ID3, NULL, pm_ctr, 1}};
static const struct ctt_bnode pm_top[] = {{"ctr", NULL, pm_ctrs, 1}};

static void test_podman(void)
{
	struct container_cache *cache = new_cache(16, 0);
	struct osp_proc p;
	const struct osp_container *c;
	char path[512], *cfg;

	CU_ASSERT_EQUAL(
	    ctt_writes(root, "var/lib/containers/storage/overlay-containers/containers.json",
		       "[{\"id\":\"" SB "\",\"names\":[\"other\"]},"
		       "{\"id\":\"" ID3 "\",\"names\":[\"p1\"],\"image\":\"4041\","
		       "\"metadata\":\"{\\\"image-name\\\":\\\"localhost/busybox:test\\\","
		       "\\\"name\\\":\\\"p1\\\"}\"}]"),
	    0);
	cfg = oci_config(false, "{\"io.container.manager\":\"libpod\","
				"\"io.podman.annotations.privileged\":\"TRUE\"}");
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containers/storage/overlay-containers/" ID3
				   "/userdata/config.json",
				   cfg),
			0);
	free(cfg);
	CU_ASSERT_EQUAL(ctt_writes(root, "var/lib/containers/storage/libpod/x", ""), 0);
	snprintf(path, sizeof(path), "%s/var/lib/containers/storage/libpod/bolt_state.db", root);
	CU_ASSERT_EQUAL(ctt_bolt_write(path, pm_top, 1), 0);
	set_proc(&p, "/", "/libpod_parent/libpod-" ID3);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_PODMAN);
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, "p1");
	CU_ASSERT_STRING_EQUAL(c->image, "localhost/busybox:test");
	CU_ASSERT_STRING_EQUAL(c->image_id, "4041");
	CU_ASSERT_EQUAL(c->privileged, 1);
	CU_ASSERT_EQUAL(c->nlabels, 2);
	CU_ASSERT_LABEL(c->labels, c->nlabels, "app", "web");
	CU_ASSERT_LABEL(c->labels, c->nlabels, "team", "sec");
	/* not in containers.json: gone */
	set_proc(&p, "/machine.slice/libpod-" ID ".scope", NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->metadata_complete);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_PODMAN);
	container_cache_free(cache);
}

/* ---- cache ---- */

static void test_cache_host(void)
{
	struct container_cache *cache = new_cache(4, 0);
	struct container_cache_stats st;
	struct osp_proc p;
	const struct osp_container *c;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
	set_proc(&p, "/", "/process_api/19c2222b67786a56d9f15915e8e8110f");
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_EQUAL(c->runtime, OSP_RT_HOST);
	CU_ASSERT_STRING_EQUAL(c->full_id, "host");
	CU_ASSERT_STRING_EQUAL(c->id, "host");
	CU_ASSERT_STRING_EQUAL(c->name, "");
	CU_ASSERT_TRUE(c->metadata_complete);
	set_proc(&p, NULL, NULL);
	CU_ASSERT_PTR_EQUAL(container_resolve(cache, &p), c);
	set_proc(&p, "/", NULL);
	CU_ASSERT_PTR_EQUAL(container_resolve(cache, &p), c);
	CU_ASSERT_PTR_NULL(container_resolve(cache, NULL));
	CU_ASSERT_PTR_NULL(container_resolve(NULL, &p));
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.host, 3);
	CU_ASSERT_EQUAL(st.misses, 0);
	CU_ASSERT_EQUAL(st.entries, 0);
	container_cache_free(cache);
	container_cache_free(NULL);
}

/* A known id is answered from memory: deleting the state changes nothing. */
static void test_cache_hit_no_io(void)
{
	struct container_cache *cache = new_cache(4, 0);
	struct container_cache_stats st;
	struct osp_proc p;
	const struct osp_container *c, *c2;
	char dir[512];

	write_docker(ID, "{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx\"}}", NULL);
	set_proc(&p, "/docker/" ID, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_TRUE_FATAL(c && c->metadata_complete);
	snprintf(dir, sizeof(dir), "%s/var/lib/docker", root);
	ctt_rmtree(dir);
	c2 = container_resolve(cache, &p);
	CU_ASSERT_PTR_EQUAL(c2, c);
	CU_ASSERT_STRING_EQUAL(c2->name, "web");
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.misses, 1);
	CU_ASSERT_EQUAL(st.hits, 1);
	CU_ASSERT_EQUAL(st.entries, 1);
	CU_ASSERT_EQUAL(st.retries, 0);
	container_cache_free(cache);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* State not there at first sight: the id comes out at once, state is read again only after
 * retry_interval_ms. */
static void test_cache_retry(void)
{
	struct container_cache *cache = new_cache(4, 100);
	struct container_cache_stats st;
	struct osp_proc p;
	const struct osp_container *c;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/var/lib/docker", root);
	ctt_rmtree(dir);
	set_proc(&p, "/docker/" ID, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_FALSE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->full_id, ID);
	write_docker(ID, "{\"Name\":\"/late\",\"Config\":{\"Image\":\"nginx\"}}", NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_FALSE(c->metadata_complete); /* too soon */
	sleep_ms(150);
	c = container_resolve(cache, &p);
	CU_ASSERT_TRUE(c->metadata_complete);
	CU_ASSERT_STRING_EQUAL(c->name, "late");
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.misses, 1);
	CU_ASSERT_EQUAL(st.hits, 2);
	CU_ASSERT_EQUAL(st.retries, 1);
	CU_ASSERT_EQUAL(st.metadata_missing, 1);
	container_cache_free(cache);
}

static void test_cache_evict_gc(void)
{
	static const char *const ids[] = {ID, SB, ID3};
	struct container_cache *cache = new_cache(2, 0);
	struct container_cache_stats st;
	struct container_ref ref;
	const struct osp_container *c;
	char path[128];
	int i;

	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "/docker/%s", ids[i]);
		CU_ASSERT_EQUAL(container_id_from_cgroup(path, strlen(path), &ref), 0);
		c = container_resolve_ref(cache, &ref);
		CU_ASSERT_PTR_NOT_NULL_FATAL(c);
		CU_ASSERT_STRING_EQUAL(c->full_id, ids[i]);
		sleep_ms(20); /* distinct last-use times for the LRU */
	}
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.entries, 2);
	CU_ASSERT_EQUAL(st.capacity, 2);
	CU_ASSERT_EQUAL(st.evictions, 1);
	CU_ASSERT_EQUAL(st.misses, 3);
	/* the oldest (ids[0]) went: resolving it again is a miss */
	snprintf(path, sizeof(path), "/docker/%s", ids[0]);
	container_id_from_cgroup(path, strlen(path), &ref);
	container_resolve_ref(cache, &ref);
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.misses, 4);
	CU_ASSERT_EQUAL(st.evictions, 2);
	container_cache_free(cache);
}

struct provider {
	int calls;
	bool know;
};

static int pod_labels(void *arg, const char *pod_uid, struct osp_kv **kv, uint32_t *n)
{
	struct provider *pr = arg;

	pr->calls++;
	if (!pr->know || strcmp(pod_uid, UID) != 0)
		return -ENOENT;
	*kv = calloc(1, sizeof(**kv));
	if (!*kv)
		return -ENOMEM;
	(*kv)[0].key = strdup("from");
	(*kv)[0].value = strdup("api");
	*n = 1;
	return 0;
}

/* Pod labels from a provider (the Kubernetes watcher) where the runtime state had none. */
static void test_cache_pod_labels_provider(void)
{
	struct container_cache *cache = new_cache(4, 100);
	struct provider pr = {0, false};
	struct osp_proc p;
	const struct osp_container *c;

	container_cache_set_pod_labels_provider(cache, pod_labels, &pr);
	container_cache_set_pod_labels_provider(NULL, pod_labels, &pr);
	/* no runtime state at all: the pod uid comes from the cgroup path */
	set_proc(&p, "/kubepods/besteffort/pod" UID "/" ID3, NULL);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->pod_uid, UID);
	CU_ASSERT_EQUAL(pr.calls, 1);
	CU_ASSERT_EQUAL(c->npod_labels, 0);
	pr.know = true;
	container_resolve(cache, &p);
	CU_ASSERT_EQUAL(pr.calls, 1); /* not before the retry interval */
	sleep_ms(150);
	c = container_resolve(cache, &p);
	CU_ASSERT_EQUAL(pr.calls, 2);
	CU_ASSERT_EQUAL(c->npod_labels, 1);
	CU_ASSERT_LABEL(c->pod_labels, c->npod_labels, "from", "api");
	container_cache_free(cache);
}

OSP_SUITE(container_meta)
{
	OSP_TEST(suite, test_setup);
	OSP_TEST(suite, test_read_file_bounds);
	OSP_TEST(suite, test_docker);
	OSP_TEST(suite, test_docker_cri_dockerd);
	OSP_TEST(suite, test_docker_malformed);
	OSP_TEST(suite, test_containerd_cri);
	OSP_TEST(suite, test_containerd_plain);
	OSP_TEST(suite, test_containerd_bad_db);
	OSP_TEST(suite, test_crio);
	OSP_TEST(suite, test_crio_malformed);
	OSP_TEST(suite, test_podman);
	OSP_TEST(suite, test_cache_host);
	OSP_TEST(suite, test_cache_hit_no_io);
	OSP_TEST(suite, test_cache_retry);
	OSP_TEST(suite, test_cache_evict_gc);
	OSP_TEST(suite, test_cache_pod_labels_provider);
	OSP_TEST(suite, test_teardown);
}
