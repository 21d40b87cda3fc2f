/* Image references -> repository, tag, digest. */
#include <errno.h>
#include <string.h>

#include "../common/suite.h"
#include "container/container.h"

#define DG "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void check(const char *ref, const char *repo, const char *tag, const char *digest)
{
	struct container_image img;

	CU_ASSERT_EQUAL_FATAL(container_image_parse(ref, &img), 0);
	CU_ASSERT_STRING_EQUAL(img.repository, repo);
	CU_ASSERT_STRING_EQUAL(img.tag, tag);
	CU_ASSERT_STRING_EQUAL(img.digest, digest);
	container_image_clear(&img);
}

static void test_image_forms(void)
{
	check("nginx", "nginx", "latest", "");
	check("nginx:1.25", "nginx", "1.25", "");
	check("docker.io/library/nginx:1.25", "docker.io/library/nginx", "1.25", "");
	check("localhost:5000/x:1", "localhost:5000/x", "1", "");
	check("localhost:5000/x", "localhost:5000/x", "latest", "");
	check("localhost:5000/a/b/c", "localhost:5000/a/b/c", "latest", "");
	check("localhost/busybox:test", "localhost/busybox", "test", "");
	check("nginx@" DG, "nginx", "", DG);
	check("nginx:1.25@" DG, "nginx", "1.25", DG);
	check("localhost:5000/x@" DG, "localhost:5000/x", "", DG);
	check("[::1]:5000/x:2", "[::1]:5000/x", "2", "");
	/* an image run by its id */
	check(DG, "", "", DG);
	/* odd but accepted as written */
	check("x:", "x", "", "");
	check("a/b:c/d", "a/b:c/d", "latest", "");
}

static void test_image_errors(void)
{
	struct container_image img;

	CU_ASSERT_EQUAL(container_image_parse(NULL, &img), -EINVAL);
	CU_ASSERT_PTR_NULL(img.repository);
	CU_ASSERT_EQUAL(container_image_parse("", &img), -EINVAL);
	CU_ASSERT_EQUAL(container_image_parse("x", NULL), -EINVAL);
	container_image_clear(NULL);
	container_image_clear(&img);
}

OSP_SUITE(container_image)
{
	OSP_TEST(suite, test_image_forms);
	OSP_TEST(suite, test_image_errors);
}
