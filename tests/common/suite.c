#include "suite.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#define OSP_MAX_SUITES 128

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

int osp_suite_main(const char *label, int argc, char **argv, unsigned int skipped)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned int i, run, failed;

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
	CU_cleanup_registry();
	printf("\n%s: %u passed, %u failed, %u skipped\n", label, run - failed, failed, skipped);
	return failed ? 1 : 0;
}
