/* Integration-test runner: real BPF programs, real processes, real container runtimes.
 * Needs root. Without root every test is reported as skipped, loudly; under CI (CI=true), where the
 * suite runs as root, missing root is a failure. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../common/suite.h"

#define GC_CMD "tests/integration/harness/ctr.sh"

int main(int argc, char **argv)
{
	char owner[16];

	if (geteuid() != 0) {
		fprintf(stderr, "\n*** INTEGRATION TESTS SKIPPED: they load BPF programs and start "
				"containers, which needs root. ***\n"
				"*** Run 'sudo make test' to run them. ***\n\n");
		if (osp_in_ci()) {
			printf("integration: 0 passed, 1 failed, 0 skipped\n");
			return 1;
		}
		printf("integration: 0 passed, 0 failed, 1 skipped\n");
		return 0;
	}
	/* Containers and daemons the harness starts belong to this process: what an interrupted run
	 * left (its owner gone) is stopped first, so that it cannot disturb this run. */
	snprintf(owner, sizeof(owner), "%d", (int)getpid());
	setenv("OSP_CT_OWNER", owner, 1);
	if (access(GC_CMD, X_OK) == 0 && system(GC_CMD " gc") != 0)
		fprintf(stderr, "integration: %s gc failed\n", GC_CMD);
	return osp_suite_main("integration", argc, argv, 0);
}
