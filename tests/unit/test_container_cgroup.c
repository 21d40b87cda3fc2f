/* cgroup path -> container id: every runtime's naming, and what must stay the host. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/suite.h"
#include "container/container.h"

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define ID2 "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
#define UID "3f0c2b8e-1111-4c4c-9d9d-0123456789ab"
#define UID_ "3f0c2b8e_1111_4c4c_9d9d_0123456789ab"

struct cg_case {
	const char *path;
	enum osp_runtime rt;
	const char *id;	 /* NULL: "host" */
	const char *ns;	 /* NULL: "" */
	const char *uid; /* NULL: "" */
};

static void check(const struct cg_case *tc)
{
	struct container_ref ref;
	int r = container_id_from_cgroup(tc->path, strlen(tc->path), &ref);

	CU_ASSERT_EQUAL(r, 0);
	if (ref.runtime != tc->rt || strcmp(ref.id, tc->id ? tc->id : "host") ||
	    strcmp(ref.ns, tc->ns ? tc->ns : "") || strcmp(ref.pod_uid, tc->uid ? tc->uid : ""))
		fprintf(stderr, "\n  path %s: got rt=%d id=%s ns=%s uid=%s\n", tc->path,
			ref.runtime, ref.id, ref.ns, ref.pod_uid);
	CU_ASSERT_EQUAL(ref.runtime, tc->rt);
	CU_ASSERT_STRING_EQUAL(ref.id, tc->id ? tc->id : "host");
	CU_ASSERT_STRING_EQUAL(ref.ns, tc->ns ? tc->ns : "");
	CU_ASSERT_STRING_EQUAL(ref.pod_uid, tc->uid ? tc->uid : "");
}

static void check_all(const struct cg_case *tc, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		check(&tc[i]);
}

#define CHECK_ALL(t) check_all((t), sizeof(t) / sizeof((t)[0]))

static void test_docker(void)
{
	static const struct cg_case t[] = {
	    {"/docker/" ID, OSP_RT_DOCKER, ID, NULL, NULL},
	    {"/docker/" ID "/", OSP_RT_DOCKER, ID, NULL, NULL},
	    {"//docker//" ID, OSP_RT_DOCKER, ID, NULL, NULL},
	    {"/system.slice/docker-" ID ".scope", OSP_RT_DOCKER, ID, NULL, NULL},
	    {"/docker-" ID ".scope", OSP_RT_DOCKER, ID, NULL, NULL},
	    /* docker with systemd driver inside a Kubernetes pod (dockershim, cri-dockerd) */
	    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	     ".slice/docker-" ID ".scope",
	     OSP_RT_DOCKER, ID, NULL, UID},
	    /* a cgroup the container made below its own (docker-in-docker, systemd inside) */
	    {"/docker/" ID "/init.scope", OSP_RT_DOCKER, ID, NULL, NULL},
	    {"/system.slice/docker-" ID ".scope/docker/" ID2, OSP_RT_DOCKER, ID, NULL, NULL},
	};
	CHECK_ALL(t);
}

static void test_containerd(void)
{
	static const struct cg_case t[] = {
	    {"/default/" ID, OSP_RT_CONTAINERD, ID, "default", NULL},
	    {"/k8s.io/" ID, OSP_RT_CONTAINERD, ID, "k8s.io", NULL},
	    {"/my_ns-1/" ID, OSP_RT_CONTAINERD, ID, "my_ns-1", NULL},
	    {"/kubepods/besteffort/pod" UID "/" ID, OSP_RT_CONTAINERD, ID, NULL, UID},
	    {"/kubepods/burstable/pod" UID "/" ID, OSP_RT_CONTAINERD, ID, NULL, UID},
	    {"/kubepods/pod" UID "/" ID, OSP_RT_CONTAINERD, ID, NULL, UID}, /* guaranteed */
	    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	     ".slice/cri-containerd-" ID ".scope",
	     OSP_RT_CONTAINERD, ID, NULL, UID},
	    {"/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_
	     ".slice/cri-containerd-" ID ".scope",
	     OSP_RT_CONTAINERD, ID, NULL, UID},
	    {"/kubepods.slice/kubepods-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	     OSP_RT_CONTAINERD, ID, NULL, UID},
	    /* kind / kubelet under a custom root; static pod with a 32-hex uid */
	    {"/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-besteffort.slice/"
	     "kubelet-kubepods-besteffort-pod" UID_ ".slice/cri-containerd-" ID ".scope",
	     OSP_RT_CONTAINERD, ID, NULL, UID},
	    {"/kubepods/burstable/pod0123456789abcdef0123456789abcdef/" ID, OSP_RT_CONTAINERD, ID,
	     NULL, "0123456789abcdef0123456789abcdef"},
	    {"/kubepods/besteffort/pod" UID "/" ID "/sub", OSP_RT_CONTAINERD, ID, NULL, UID},
	    {"/cri-containerd-" ID ".scope", OSP_RT_CONTAINERD, ID, NULL, NULL},
	};
	CHECK_ALL(t);
}

static void test_crio(void)
{
	static const struct cg_case t[] = {
	    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	     ".slice/crio-" ID ".scope",
	     OSP_RT_CRIO, ID, NULL, UID},
	    {"/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope", OSP_RT_CRIO, ID, NULL,
	     UID},
	    {"/kubepods/besteffort/pod" UID "/crio-" ID, OSP_RT_CRIO, ID, NULL, UID},
	    {"/machine.slice/crio-" ID ".scope", OSP_RT_CRIO, ID, NULL, NULL},
	    /* CRI-O's systemd driver nests the container's processes in crio-<id>.scope/container */
	    {"/kubepods.slice/kubepods-pod" UID_ ".slice/crio-" ID ".scope/container", OSP_RT_CRIO,
	     ID, NULL, UID},
	};
	CHECK_ALL(t);
}

static void test_podman(void)
{
	static const struct cg_case t[] = {
	    {"/libpod_parent/libpod-" ID, OSP_RT_PODMAN, ID, NULL, NULL},
	    {"/machine.slice/libpod-" ID ".scope", OSP_RT_PODMAN, ID, NULL, NULL},
	    {"/machine.slice/libpod-" ID ".scope/container", OSP_RT_PODMAN, ID, NULL, NULL},
	    {"/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID ".scope",
	     OSP_RT_PODMAN, ID, NULL, NULL},
	    {"/machine.slice/machine-libpod_pod_" ID2 ".slice/libpod-" ID ".scope", OSP_RT_PODMAN,
	     ID, NULL, NULL},
	    {"/libpod_parent/" ID2 "/libpod-" ID, OSP_RT_PODMAN, ID, NULL, NULL},
	};
	CHECK_ALL(t);
}

static void test_host(void)
{
	static const struct cg_case t[] = {
	    {"", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/", OSP_RT_HOST, NULL, NULL, NULL},
	    {"//", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/init.scope", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/sshd.service", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/user.slice/user-0.slice/session-1.scope", OSP_RT_HOST, NULL, NULL, NULL},
	    /* this machine's per-process memory cgroup: 32 hex, not a container */
	    {"/process_api/19c2222b67786a56d9f15915e8e8110f", OSP_RT_HOST, NULL, NULL, NULL},
	    /* conmon and friends are helpers on the host */
	    {"/libpod_parent/conmon", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/machine.slice/libpod-conmon-" ID ".scope", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_
	     ".slice/crio-conmon-" ID ".scope",
	     OSP_RT_HOST, NULL, NULL, NULL},
	    {"/kubepods/besteffort/pod" UID "/crio-conmon-" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    /* kubelet's own slices, the pod cgroup itself */
	    {"/kubepods.slice", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/kubepods/besteffort/pod" UID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/kubepods.slice/kubepods-pod" UID_ ".slice", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/containerd.service", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/docker.service", OSP_RT_HOST, NULL, NULL, NULL},
	    /* a bare 64-hex id at a depth no runtime uses */
	    {"/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/a/b/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/kubepods/besteffort/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/notkube/pod" UID "/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	};
	CHECK_ALL(t);
}

static void test_malformed(void)
{
	static const struct cg_case t[] = {
	    /* short ids, long ids, non-hex, upper case */
	    {"/docker/0123456789ab", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/docker/" ID "0", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/docker/" ID "x", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/docker/g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
	     OSP_RT_HOST, NULL, NULL, NULL},
	    {"/docker/0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef",
	     OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/docker-" ID ".scopeX", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/docker-" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/docker-0123.scope", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/system.slice/xdocker-" ID ".scope", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/crio-" ID "-x", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/libpod_parent/libpod-" ID ".scope.x", OSP_RT_HOST, NULL, NULL, NULL},
	    {"/cri-containerd-" ID ".slice", OSP_RT_HOST, NULL, NULL, NULL},
	    /* a bad namespace in /<ns>/<id> */
	    {"/-ns/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/ns-/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/n s/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    /* a bad pod uid under kubepods */
	    {"/kubepods/besteffort/podxyz/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    {"/kubepods/besteffort/pod" UID "0/" ID, OSP_RT_HOST, NULL, NULL, NULL},
	    /* containerd's bare-id shape, but with a pod uid the parser refuses: pod uid left empty */
	    {"/kubepods.slice/kubepods-podxx.slice/cri-containerd-" ID ".scope", OSP_RT_CONTAINERD,
	     ID, NULL, NULL},
	};
	CHECK_ALL(t);
}

static void test_edges(void)
{
	struct container_ref ref;
	const char *p = "/docker/" ID "/trailing";
	char *big;
	size_t i, n = 8192;

	/* not NUL-terminated: only len bytes count */
	CU_ASSERT_EQUAL(container_id_from_cgroup(p, strlen("/docker/" ID), &ref), 0);
	CU_ASSERT_EQUAL(ref.runtime, OSP_RT_DOCKER);
	CU_ASSERT_EQUAL(container_id_from_cgroup(p, strlen("/docker/" ID) - 1, &ref), 0);
	CU_ASSERT_EQUAL(ref.runtime, OSP_RT_HOST);
	/* an embedded NUL is junk */
	CU_ASSERT_EQUAL(container_id_from_cgroup("/docker/\0" ID, 9 + 64, &ref), 0);
	CU_ASSERT_EQUAL(ref.runtime, OSP_RT_HOST);
	/* NULL, empty */
	CU_ASSERT_EQUAL(container_id_from_cgroup(NULL, 0, &ref), 0);
	CU_ASSERT_STRING_EQUAL(ref.id, "host");
	CU_ASSERT_EQUAL(container_id_from_cgroup(NULL, 5, &ref), -EINVAL);
	CU_ASSERT_EQUAL(container_id_from_cgroup("/", 1, NULL), -EINVAL);
	/* huge paths: deep, long components, and past the limit */
	big = malloc(n + 1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(big);
	for (i = 0; i < n; i++)
		big[i] = i % 2 ? 'a' : '/';
	big[n] = '\0';
	CU_ASSERT_EQUAL(container_id_from_cgroup(big, n, &ref), 0);
	CU_ASSERT_EQUAL(ref.runtime, OSP_RT_HOST);
	memset(big, 'f', n);
	CU_ASSERT_EQUAL(container_id_from_cgroup(big, n, &ref), 0);
	CU_ASSERT_EQUAL(ref.runtime, OSP_RT_HOST);
	/* a container path padded past 4 KiB is refused whole */
	memset(big, '/', n);
	memcpy(big + n - strlen("/docker/" ID), "/docker/" ID, strlen("/docker/" ID));
	CU_ASSERT_EQUAL(container_id_from_cgroup(big, n, &ref), 0);
	CU_ASSERT_EQUAL(ref.runtime, OSP_RT_HOST);
	/* just under the limit it is still read */
	CU_ASSERT_EQUAL(container_id_from_cgroup(big + n - 4000, 4000, &ref), 0);
	CU_ASSERT_EQUAL(ref.runtime, OSP_RT_DOCKER);
	free(big);
}

/* Several matches: the one nearest the root wins, so a container cannot pose as another. */
static void test_outermost_wins(void)
{
	static const struct cg_case t[] = {
	    {"/docker/" ID "/docker-" ID2 ".scope", OSP_RT_DOCKER, ID, NULL, NULL},
	    {"/kubepods/besteffort/pod" UID "/" ID "/crio-" ID2, OSP_RT_CONTAINERD, ID, NULL, UID},
	    {"/libpod_parent/libpod-" ID "/docker/" ID2, OSP_RT_PODMAN, ID, NULL, NULL},
	};
	CHECK_ALL(t);
}

static void test_runtime_names(void)
{
	enum osp_runtime rt;

	CU_ASSERT_STRING_EQUAL(container_runtime_name(OSP_RT_HOST), "host");
	CU_ASSERT_STRING_EQUAL(container_runtime_name(OSP_RT_DOCKER), "docker");
	CU_ASSERT_STRING_EQUAL(container_runtime_name(OSP_RT_CONTAINERD), "containerd");
	CU_ASSERT_STRING_EQUAL(container_runtime_name(OSP_RT_CRIO), "cri-o");
	CU_ASSERT_STRING_EQUAL(container_runtime_name(OSP_RT_PODMAN), "podman");
	CU_ASSERT_STRING_EQUAL(container_runtime_name(OSP_RT_UNKNOWN_CONTAINER), "unknown");
	CU_ASSERT_STRING_EQUAL(container_runtime_name((enum osp_runtime)99), "unknown");
	/* and back */
	for (rt = OSP_RT_HOST; rt <= OSP_RT_PODMAN; rt++) {
		enum osp_runtime back = OSP_RT_UNKNOWN_CONTAINER;

		CU_ASSERT_EQUAL(container_runtime_lookup(container_runtime_name(rt), &back), 0);
		CU_ASSERT_EQUAL(back, rt);
	}
	CU_ASSERT_EQUAL(container_runtime_lookup("unknown", &rt), -1);
	CU_ASSERT_EQUAL(container_runtime_lookup("lxc", &rt), -1);
}

OSP_SUITE(container_cgroup)
{
	OSP_TEST(suite, test_docker);
	OSP_TEST(suite, test_containerd);
	OSP_TEST(suite, test_crio);
	OSP_TEST(suite, test_podman);
	OSP_TEST(suite, test_host);
	OSP_TEST(suite, test_malformed);
	OSP_TEST(suite, test_edges);
	OSP_TEST(suite, test_outermost_wins);
	OSP_TEST(suite, test_runtime_names);
}
