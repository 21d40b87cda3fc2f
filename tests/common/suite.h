/* Test-suite registration shared by the unit and integration runners.
 *
 * A test file declares its suite with OSP_SUITE(name) { ... CU_add_test(s, ...) ... } and needs no
 * other registration: a constructor records it, and the runner's main() adds every recorded suite to
 * the CUnit registry. Adding a test file therefore needs no edit anywhere else.
 */
#ifndef OSP_TESTS_SUITE_H
#define OSP_TESTS_SUITE_H

#include <CUnit/CUnit.h>
#include <stdbool.h>

typedef void (*osp_suite_fn)(CU_pSuite suite);

void osp_suite_record(const char *name, osp_suite_fn fn);

#define OSP_SUITE(name)                                                                            \
	static void osp_suite_body_##name(CU_pSuite suite);                                        \
	__attribute__((constructor)) static void osp_suite_reg_##name(void)                        \
	{                                                                                          \
		osp_suite_record(#name, osp_suite_body_##name);                                    \
	}                                                                                          \
	static void osp_suite_body_##name(CU_pSuite suite)

#define OSP_TEST(suite, fn) CU_add_test((suite), #fn, (fn))

/* Runs every recorded suite with CUnit's basic interface, prints "<label>: N passed, N failed, N skipped"
 * and returns the process exit status. argv[1], if given, selects suites whose name contains it.
 * skipped counts tests skipped as a whole outside CUnit; tests that called OSP_SKIP() are counted
 * as skipped, never as passed. */
int osp_suite_main(const char *label, int argc, char **argv, unsigned int skipped);

/* true under CI (CI set, and not "0" or "false"): everything a test needs is installed there */
bool osp_in_ci(void);

/* Marks the running test as not run, because something outside it is missing (a file, a tool, a
 * privilege): it says so loudly on stderr with the reason, and is counted in the summary's skipped.
 * Under CI, which installs everything the tests need, it is a failure instead. The caller returns
 * from the test after it. */
#define OSP_SKIP(...) osp_skip_at(__FILE__, __LINE__, __VA_ARGS__)
void osp_skip_at(const char *file, unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
