/* Path text handling: kernel component lists and Falco's fd.name normalisation. */
#include <CUnit/CUnit.h>
#include <errno.h>
#include <string.h>

#include "../common/suite.h"
#include "decode/path.h"

static void expect_comp(const char *list, size_t len, const char *want)
{
	char out[64];

	CU_ASSERT_EQUAL(path_from_components(list, len, out, sizeof(out)), (int)strlen(want));
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void test_components(void)
{
	expect_comp("passwd\0etc\0", 11, "/etc/passwd");
	expect_comp("", 0, "/");
	expect_comp("x\0", 2, "/x");
	/* a truncated list: the last (outermost) component lost its NUL */
	expect_comp("c\0b\0a", 5, "/a/b/c");
	/* empty components (never sent by the kernel) are ignored */
	expect_comp("c\0\0b\0", 5, "/b/c");
}

static void test_components_too_long(void)
{
	char out[8];

	CU_ASSERT_EQUAL(path_from_components("passwd\0etc\0", 11, out, sizeof(out)), -ENAMETOOLONG);
	CU_ASSERT_STRING_EQUAL(out, "");
	CU_ASSERT_EQUAL(path_from_components("a\0", 2, out, 1), -ENAMETOOLONG);
}

static void expect_norm(const char *base, const char *path, const char *want)
{
	char out[128];

	CU_ASSERT_EQUAL(path_normalize(base, path, out, sizeof(out)), (int)strlen(want));
	CU_ASSERT_STRING_EQUAL(out, want);
}

static void test_normalize(void)
{
	expect_norm("/tmp", "a.txt", "/tmp/a.txt");
	expect_norm("/tmp", "/etc/passwd", "/etc/passwd");
	expect_norm("/tmp/x", "../y", "/tmp/y");
	expect_norm("/", "../../..", "/");
	expect_norm("/a", "./b/./c/", "/a/b/c");
	expect_norm("/a", "b//c", "/a/b/c");
	expect_norm(NULL, "rel", "/rel");
	expect_norm("", ".", "/");
	expect_norm("/var/run", "secrets/../secrets/token", "/var/run/secrets/token");
	/* symlinks are not followed: text only */
	expect_norm("/", "/var/run/secrets/kubernetes.io/serviceaccount/token",
		    "/var/run/secrets/kubernetes.io/serviceaccount/token");
	expect_norm("/a", "...", "/a/...");
	expect_norm("/a", "..b", "/a/..b");
}

static void test_normalize_too_long(void)
{
	char out[8];

	CU_ASSERT_EQUAL(path_normalize("/tmp", "abcdefgh", out, sizeof(out)), -ENAMETOOLONG);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* ".." can shorten a path that would not fit on the way */
	CU_ASSERT_EQUAL(path_normalize("/ab", "../c", out, sizeof(out)), 2);
	CU_ASSERT_STRING_EQUAL(out, "/c");
}

OSP_SUITE(path)
{
	OSP_TEST(suite, test_components);
	OSP_TEST(suite, test_components_too_long);
	OSP_TEST(suite, test_normalize);
	OSP_TEST(suite, test_normalize_too_long);
}
