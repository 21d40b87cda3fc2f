#include "suite.h"

#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OSP_MAX_SUITES 128
#define OSP_MAX_SKIPS 512

static struct {
	const char *name;
	osp_suite_fn fn;
} suites[OSP_MAX_SUITES];
static unsigned int nsuites;

void osp_suite_record(const char *name, osp_suite_fn fn)
{
	if (nsuites >= OSP_MAX_SUITES) {
		fprintf(stderr, "tests: more than %d suites; raise OSP_MAX_SUITES\n",
			OSP_MAX_SUITES);
		return;
	}
	suites[nsuites].name = name;
	suites[nsuites].fn = fn;
	nsuites++;
}

/* Tests that called OSP_SKIP(), each once */
static const CU_Test *skipped_tests[OSP_MAX_SKIPS];
static unsigned int nskipped_tests;

bool osp_in_ci(void)
{
	const char *ci = getenv("CI");

	return ci && *ci && strcmp(ci, "0") != 0 && strcmp(ci, "false") != 0;
}

void osp_skip_at(const char *file, unsigned int line, const char *fmt, ...)
{
	const CU_Test *t = CU_get_current_test();
	char why[512];
	va_list ap;
	unsigned int i;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n*** %s %s: %s ***\n", osp_in_ci() ? "FAILED (skip under CI)" : "SKIPPED",
		t && t->pName ? t->pName : "?", why);
	if (osp_in_ci()) {
		CU_assertImplementation(CU_FALSE, line, "skipped under CI (see stderr)", file, "",
					CU_FALSE);
		return;
	}
	for (i = 0; i < nskipped_tests; i++) {
		if (skipped_tests[i] == t)
			return;
	}
	if (nskipped_tests < OSP_MAX_SKIPS)
		skipped_tests[nskipped_tests++] = t;
}

/* Skipped tests that did not also fail: a failure counts as a failure. */
static unsigned int count_skipped(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < nskipped_tests; i++) {
		const CU_FailureRecord *f;
		bool failed = false;

		for (f = CU_get_failure_list(); f && !failed; f = f->pNext)
			failed = f->pTest == skipped_tests[i];
		n += !failed;
	}
	return n;
}

int osp_suite_main(const char *label, int argc, char **argv, unsigned int skipped)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int i, run, failed, skips;

	if (CU_initialize_registry() != CUE_SUCCESS) {
		fprintf(stderr, "%s: CUnit: %s\n", label, CU_get_error_msg());
		return 2;
	}
	for (i = 0; i < nsuites; i++) {
		CU_pSuite s;

		if (filter && !strstr(suites[i].name, filter))
			continue;
		s = CU_add_suite(suites[i].name, NULL, NULL);
		if (!s) {
			fprintf(stderr, "%s: CUnit: %s\n", label, CU_get_error_msg());
			CU_cleanup_registry();
			return 2;
		}
		suites[i].fn(s);
	}
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	run = CU_get_number_of_tests_run();
	failed = CU_get_number_of_tests_failed();
	skips = count_skipped();
	CU_cleanup_registry();
	if (skips + skipped)
		fprintf(stderr, "\n*** %s: %u test(s) did not run: see SKIPPED above ***\n", label,
			skips + skipped);
	printf("\n%s: %u passed, %u failed, %u skipped\n", label, run - failed - skips, failed,
	       skipped + skips);
	return failed ? 1 : 0;
}
