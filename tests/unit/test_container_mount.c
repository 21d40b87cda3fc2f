/* Container mounts: each runtime's reader fills c->mounts from state files the test writes under a
 * temporary host_root (docker MountPoints, OCI bundle "mounts" of containerd, CRI-O and podman),
 * malformed entries are skipped and counted, the bound holds, and the lookups behind
 * container.mount*[X] follow Falco (index, glob on the source, glob on the destination). */
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
#define ID2 "1111111111111111111111111111111111111111111111111111111111111111"

static char *root;
static struct ct_paths paths;

static void test_setup(void)
{
	struct container_paths cfg = {0};

	root = ctt_mkdtemp();
	CU_ASSERT_PTR_NOT_NULL_FATAL(root);
	cfg.host_root = root;
	CU_ASSERT_EQUAL_FATAL(container_paths_init(&paths, &cfg), 0);
}

static void test_teardown(void)
{
	container_paths_free(&paths);
	ctt_rmtree(root);
	free(root);
	root = NULL;
}

#define CU_ASSERT_MOUNT(m, src, dst, md, rw, prop)                                                 \
	do {                                                                                       \
		const struct osp_mount *m_ = (m);                                                  \
		CU_ASSERT_PTR_NOT_NULL_FATAL(m_);                                                  \
		CU_ASSERT_STRING_EQUAL(m_->source, (src));                                         \
		CU_ASSERT_STRING_EQUAL(m_->dest, (dst));                                           \
		CU_ASSERT_STRING_EQUAL(m_->mode, (md));                                            \
		CU_ASSERT_EQUAL(m_->rdwr, (rw));                                                   \
		CU_ASSERT_STRING_EQUAL(m_->propagation, (prop));                                   \
	} while (0)

/* An OCI config: the runtime's own filesystems, three binds, and the given extra entries. */
static const char *oci_mounts(const char *extra)
{
	static char buf[4096];

	snprintf(buf, sizeof(buf),
		 "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		 "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
		 "\"options\":[\"nosuid\",\"mode=755\"]},"
		 "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv/data\","
		 "\"options\":[\"rbind\",\"rprivate\"]},"
		 "{\"destination\":\"/host/proc\",\"type\":\"bind\",\"source\":\"/proc\","
		 "\"options\":[\"rbind\",\"ro\",\"rslave\"]},"
		 "{\"destination\":\"/var/run/docker.sock\",\"source\":\"/var/run/docker.sock\","
		 "\"options\":[\"bind\",\"rw\"]}%s]",
		 extra);
	return buf;
}

/* Malformed entries: no destination, options not a list, not an object, destination not a string. */
#define OCI_BAD                                                                                    \
	",{\"type\":\"bind\",\"source\":\"/x\",\"options\":[\"rbind\"]},"                          \
	"{\"destination\":\"/y\",\"type\":\"bind\",\"source\":\"/y\",\"options\":\"rbind\"},"      \
	"42,{\"destination\":7,\"type\":\"bind\",\"source\":\"/z\"}"

static void expect_oci(const struct osp_container *c)
{
	CU_ASSERT_EQUAL_FATAL(c->nmounts, 3);
	CU_ASSERT_MOUNT(container_mount_at(c, 0), "/srv/data", "/data", "", true, "rprivate");
	CU_ASSERT_MOUNT(container_mount_at(c, 1), "/proc", "/host/proc", "", false, "rslave");
	CU_ASSERT_MOUNT(container_mount_at(c, 2), "/var/run/docker.sock", "/var/run/docker.sock",
			"", true, "");
	CU_ASSERT_EQUAL(c->mounts_dropped, 4);
}

static void test_docker(void)
{
	struct osp_container c;

	CU_ASSERT_EQUAL(
	    ctt_writes(
		root, "var/lib/docker/containers/" ID "/config.v2.json",
		"{\"Name\":\"/web\",\"Config\":{\"Image\":\"nginx\"},\"MountPoints\":{"
		"\"/data\":{\"Source\":\"/srv/data\",\"Destination\":\"/data\",\"RW\":true,"
		"\"Name\":\"\",\"Type\":\"bind\",\"Relabel\":\"z\",\"Propagation\":\"rprivate\"},"
		"\"/etc/k\":{\"Source\":\"/etc/kubernetes\",\"Destination\":\"/etc/"
		"k\",\"RW\":false,"
		"\"Type\":\"bind\",\"Relabel\":\"ro\",\"Propagation\":\"rslave\"},"
		"\"/v\":{\"Source\":\"/var/lib/docker/volumes/v/_data\",\"Destination\":\"/v\","
		"\"RW\":true,\"Name\":\"v\",\"Type\":\"volume\",\"Mode\":\"\"},"
		"\"/bad1\":{\"Source\":\"/b\",\"RW\":true},"
		"\"/bad2\":{\"Source\":\"/b\",\"Destination\":\"/bad2\",\"RW\":\"yes\"},"
		"\"/bad3\":\"x\"}}"),
	    0);
	container_init(&c);
	CU_ASSERT_EQUAL(container_meta_docker(&paths, ID, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "web");
	CU_ASSERT_EQUAL_FATAL(c.nmounts, 3);
	CU_ASSERT_MOUNT(container_mount_at(&c, 0), "/srv/data", "/data", "z", true, "rprivate");
	CU_ASSERT_MOUNT(container_mount_at(&c, 1), "/etc/kubernetes", "/etc/k", "ro", false,
			"rslave");
	CU_ASSERT_MOUNT(container_mount_at(&c, 2), "/var/lib/docker/volumes/v/_data", "/v", "",
			true, "");
	CU_ASSERT_EQUAL(c.mounts_dropped, 3);
	container_clear(&c);
	CU_ASSERT_PTR_NULL(c.mounts);
	CU_ASSERT_EQUAL(c.nmounts, 0);

	/* MountPoints of the wrong type: counted, the rest of the state still read */
	CU_ASSERT_EQUAL(ctt_writes(root, "var/lib/docker/containers/" ID2 "/config.v2.json",
				   "{\"Name\":\"/x\",\"MountPoints\":\"nope\"}"),
			0);
	CU_ASSERT_EQUAL(container_meta_docker(&paths, ID2, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "x");
	CU_ASSERT_EQUAL(c.nmounts, 0);
	CU_ASSERT_EQUAL(c.mounts_dropped, 1);
	container_clear(&c);
}

static void test_containerd(void)
{
	struct osp_container c;
	char json[8192];

	snprintf(json, sizeof(json), "{\"ociVersion\":\"1.0.2\",%s,\"annotations\":{}}",
		 oci_mounts(OCI_BAD));
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "run/containerd/io.containerd.runtime.v2.task/default/" ID
				   "/config.json",
				   json),
			0);
	container_init(&c);
	CU_ASSERT_EQUAL(container_meta_containerd(&paths, "default", ID, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.name, ID);
	expect_oci(&c);
	container_clear(&c);
}

static void test_crio(void)
{
	struct osp_container c;
	char json[8192];

	snprintf(json, sizeof(json),
		 "{\"ociVersion\":\"1.0.2\",%s,\"annotations\":{"
		 "\"io.kubernetes.cri-o.ContainerType\":\"container\","
		 "\"io.kubernetes.container.name\":\"app\"}}",
		 oci_mounts(OCI_BAD));
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containers/storage/overlay-containers/" ID
				   "/userdata/config.json",
				   json),
			0);
	container_init(&c);
	CU_ASSERT_EQUAL(container_meta_crio(&paths, ID, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "app");
	expect_oci(&c);
	container_clear(&c);
}

static void test_podman(void)
{
	struct osp_container c;
	char json[8192];

	snprintf(json, sizeof(json), "{\"ociVersion\":\"1.0.2\",%s,\"annotations\":{}}",
		 oci_mounts(OCI_BAD));
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containers/storage/overlay-containers/" ID2
				   "/userdata/config.json",
				   json),
			0);
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containers/storage/overlay-containers/containers.json",
				   "[{\"id\":\"" ID2 "\",\"names\":[\"p1\"],\"image\":\"abc\"}]"),
			0);
	container_init(&c);
	CU_ASSERT_EQUAL(container_meta_podman(&paths, ID2, &c), 0);
	CU_ASSERT_STRING_EQUAL(c.name, "p1");
	expect_oci(&c);
	container_clear(&c);

	/* "mounts" not a list: counted, no mounts */
	CU_ASSERT_EQUAL(ctt_writes(root,
				   "var/lib/containers/storage/overlay-containers/" ID2
				   "/userdata/config.json",
				   "{\"mounts\":{\"destination\":\"/a\"}}"),
			0);
	container_init(&c);
	CU_ASSERT_EQUAL(container_meta_podman(&paths, ID2, &c), 0);
	CU_ASSERT_EQUAL(c.nmounts, 0);
	CU_ASSERT_EQUAL(c.mounts_dropped, 1);
	container_clear(&c);
}

/* More than OSP_CT_MOUNTS_MAX: the first ones kept, the rest dropped and counted in the cache's
 * statistics; the cache frees them with the entry when newer containers evict it (ASan would
 * tell). */
static void test_bound_via_cache(void)
{
	struct container_cache_config cfg = {.paths = {.host_root = root}, .max_entries = 4};
	struct container_cache_stats st;
	const struct osp_container *c;
	struct container_cache *cache;
	struct osp_proc p;
	size_t cap = 64 * 1024, used;
	char *json = malloc(cap);
	int i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(json);
	used = (size_t)snprintf(json, cap, "{\"Name\":\"/many\",\"MountPoints\":{");
	for (i = 0; i < OSP_CT_MOUNTS_MAX + 44; i++)
		used += (size_t)snprintf(json + used, cap - used,
					 "%s\"/m%d\":{\"Source\":\"/s%d\",\"Destination\":\"/m%d\","
					 "\"RW\":true}",
					 i ? "," : "", i, i, i);
	snprintf(json + used, cap - used, "}}");
	CU_ASSERT_FATAL(used < cap - 3);
	CU_ASSERT_EQUAL(ctt_writes(root, "var/lib/docker/containers/" ID2 "/config.v2.json", json),
			0);
	free(json);
	cache = container_cache_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cache);
	memset(&p, 0, sizeof(p));
	p.cgroup.p = "/docker/" ID2;
	p.cgroup.len = (uint32_t)strlen(p.cgroup.p);
	c = container_resolve(cache, &p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_STRING_EQUAL(c->name, "many");
	CU_ASSERT_EQUAL(c->nmounts, OSP_CT_MOUNTS_MAX);
	CU_ASSERT_EQUAL(c->mounts_dropped, 44);
	CU_ASSERT_MOUNT(container_mount_at(c, OSP_CT_MOUNTS_MAX - 1), "/s255", "/m255", "", true,
			"");
	CU_ASSERT_PTR_NULL(container_mount_at(c, OSP_CT_MOUNTS_MAX));
	CU_ASSERT_PTR_NULL(container_mount_by_source(c, "/s256"));
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.mounts_dropped, 44);
	for (i = 0; i < 4; i++) { /* four newer containers (no state): the full cache evicts it */
		char path[96];
		struct timespec ms = {0, 2 * 1000 * 1000};

		nanosleep(&ms, NULL); /* a later last use than the entry's */
		snprintf(path, sizeof(path), "/docker/%063d%d", 0, i + 1);
		p.cgroup.p = path;
		p.cgroup.len = (uint32_t)strlen(path);
		CU_ASSERT_PTR_NOT_NULL(container_resolve(cache, &p));
	}
	container_cache_get_stats(cache, &st);
	CU_ASSERT_EQUAL(st.evictions, 1);
	container_cache_free(cache);
}

static void test_lookups(void)
{
	struct osp_container c;
	char buf[256];

	container_init(&c);
	CU_ASSERT_EQUAL(container_mount_add(&c, "/srv/data", "/data", "", true, "rprivate"), 0);
	CU_ASSERT_EQUAL(container_mount_add(&c, "/proc", "/host/proc", "ro", false, "rslave"), 0);
	CU_ASSERT_EQUAL(container_mount_add(&c, "/", "/host", NULL, false, NULL), 0);
	CU_ASSERT_EQUAL(container_mount_add(&c, "/x", "", NULL, false, NULL),
			0); /* no dest: dropped */
	CU_ASSERT_EQUAL(container_mount_add(&c, "/x", NULL, NULL, false, NULL), 0);
	CU_ASSERT_EQUAL(c.nmounts, 3);
	CU_ASSERT_EQUAL(c.mounts_dropped, 2);

	/* by source (container.mount.dest[X] and the others) */
	CU_ASSERT_PTR_EQUAL(container_mount_by_source(&c, "/proc*"), &c.mounts[1]);
	CU_ASSERT_PTR_EQUAL(container_mount_by_source(&c, "/"), &c.mounts[2]);
	CU_ASSERT_PTR_EQUAL(container_mount_by_source(&c, "/srv/*"), &c.mounts[0]);
	CU_ASSERT_PTR_EQUAL(container_mount_by_source(&c, "*"), &c.mounts[0]); /* first match */
	CU_ASSERT_PTR_NULL(container_mount_by_source(&c, "/etc"));
	CU_ASSERT_PTR_NULL(container_mount_by_source(&c, "/srv"));  /* a glob, not a prefix */
	CU_ASSERT_PTR_NULL(container_mount_by_source(&c, "/data")); /* that is a destination */
	/* by destination (container.mount.source[X]) */
	CU_ASSERT_PTR_EQUAL(container_mount_by_dest(&c, "/host/*"), &c.mounts[1]);
	CU_ASSERT_PTR_EQUAL(container_mount_by_dest(&c, "/data"), &c.mounts[0]);
	CU_ASSERT_PTR_NULL(container_mount_by_dest(&c, "/srv/data"));
	/* index or glob, as a field argument */
	CU_ASSERT_PTR_EQUAL(container_mount_select(&c, "0", false), &c.mounts[0]);
	CU_ASSERT_PTR_EQUAL(container_mount_select(&c, "2", true), &c.mounts[2]);
	CU_ASSERT_PTR_NULL(container_mount_select(&c, "3", false));
	CU_ASSERT_PTR_NULL(container_mount_select(&c, "99999999999", false)); /* glob, no match */
	CU_ASSERT_PTR_EQUAL(container_mount_select(&c, "/proc*", false), &c.mounts[1]);
	CU_ASSERT_PTR_EQUAL(container_mount_select(&c, "/host", true), &c.mounts[2]);
	CU_ASSERT_PTR_NULL(container_mount_select(&c, "/host", false));
	CU_ASSERT_PTR_NULL(container_mount_select(&c, "", false));
	CU_ASSERT_PTR_NULL(container_mount_select(&c, NULL, false));
	CU_ASSERT_PTR_NULL(container_mount_select(NULL, "0", false));
	CU_ASSERT_PTR_NULL(container_mount_by_source(NULL, "*"));
	CU_ASSERT_PTR_NULL(container_mount_by_dest(&c, NULL));

	/* container.mount and container.mounts texts */
	CU_ASSERT_EQUAL(container_mount_format(&c.mounts[1], buf, sizeof(buf)), 32);
	CU_ASSERT_STRING_EQUAL(buf, "/proc:/host/proc:ro:false:rslave");
	CU_ASSERT_EQUAL(container_mount_format(NULL, buf, sizeof(buf)), -EINVAL);
	CU_ASSERT_EQUAL(container_mounts_format(&c, buf, sizeof(buf)), 79);
	CU_ASSERT_STRING_EQUAL(buf,
			       "/srv/data:/data::true:rprivate,/proc:/host/proc:ro:false:rslave,"
			       "/:/host::false:");
	CU_ASSERT_EQUAL(container_mounts_format(&c, buf, 20), 79); /* truncated, terminated */
	CU_ASSERT_EQUAL(strlen(buf), 19);
	CU_ASSERT_EQUAL(container_mounts_format(&c, NULL, 0), 79);
	container_clear(&c);
	CU_ASSERT_EQUAL(container_mounts_format(&c, buf, sizeof(buf)), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
}

OSP_SUITE(container_mount)
{
	OSP_TEST(suite, test_setup);
	OSP_TEST(suite, test_docker);
	OSP_TEST(suite, test_containerd);
	OSP_TEST(suite, test_crio);
	OSP_TEST(suite, test_podman);
	OSP_TEST(suite, test_bound_via_cache);
	OSP_TEST(suite, test_lookups);
	OSP_TEST(suite, test_teardown);
}
