/* UTF-8 cleaning of emitted strings. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "../common/suite.h"
#include "alert/utf8.h"

static const char *clean(const char *s, size_t len, char *buf, size_t size)
{
	return utf8_clean(s, len, buf, size);
}

static void test_valid_passes_through(void)
{
	static const char ok[] = "/tmp/caf\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac/\xf0\x9f\x90\x9f";
	char buf[64];

	/* the same pointer: no copy for the common case */
	CU_ASSERT_PTR_EQUAL(clean(ok, strlen(ok), buf, sizeof(buf)), ok);
	CU_ASSERT_PTR_EQUAL(clean("", 0, buf, sizeof(buf)), "");
}

static void test_invalid_bytes_replaced(void)
{
	char buf[64];

	CU_ASSERT_STRING_EQUAL(clean("/tmp/\xff", 6, buf, sizeof(buf)), "/tmp/\xef\xbf\xbd");
	/* a cut sequence, an overlong '/', a surrogate, a lone continuation byte */
	CU_ASSERT_STRING_EQUAL(clean("a\xc3", 2, buf, sizeof(buf)), "a\xef\xbf\xbd");
	CU_ASSERT_STRING_EQUAL(clean("\xc0\xaf", 2, buf, sizeof(buf)), "\xef\xbf\xbd\xef\xbf\xbd");
	CU_ASSERT_STRING_EQUAL(clean("\xed\xa0\x80", 3, buf, sizeof(buf)),
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CU_ASSERT_STRING_EQUAL(clean("x\x80y", 3, buf, sizeof(buf)), "x\xef\xbf\xbdy");
	/* beyond U+10FFFF */
	CU_ASSERT_STRING_EQUAL(clean("\xf4\x90\x80\x80", 4, buf, sizeof(buf)),
			       "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
}

static void test_small_buffer_cut_at_boundary(void)
{
	char buf[6];

	/* "ab" + U+FFFD = 5 bytes + NUL fits; the next replacement does not */
	CU_ASSERT_STRING_EQUAL(clean("ab\xff\xff", 4, buf, sizeof(buf)), "ab\xef\xbf\xbd");
	CU_ASSERT_STRING_EQUAL(clean("\xff", 1, buf, 0), "");
}

OSP_SUITE(utf8)
{
	OSP_TEST(suite, test_valid_passes_through);
	OSP_TEST(suite, test_invalid_bytes_replaced);
	OSP_TEST(suite, test_small_buffer_cut_at_boundary);
}
