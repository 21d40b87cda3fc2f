/* Integration-test runner: real BPF programs, real processes, real container runtimes.
 * Needs root. Without root every test is reported as skipped, loudly; under CI (CI=true), where the
 * suite runs as root, missing root is a failure. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../common/suite.h"
#include "lib/harness.h"

int main(int argc, char **argv)
{
	if (geteuid() != 0) {
		fprintf(stderr, "\n*** INTEGRATION TESTS SKIPPED: they load BPF programs and start "
				"containers, which needs root. ***\n"
				"*** Run 'sudo make test' to run them. ***\n\n");
		if (it_in_ci()) {
			printf("integration: 0 passed, 1 failed, 0 skipped\n");
			return 1;
		}
		printf("integration: 0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	return osp_suite_main("integration", argc, argv, 0);
}
