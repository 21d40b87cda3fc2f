/* Without the privileges it needs, the agent says what it needs in one line and exits non-zero,
 * instead of libbpf's RLIMIT_MEMLOCK and "Couldn't load trivial BPF program" lines. Runs the real
 * binary under setpriv (util-linux) as uid 0 with fewer capabilities, as in a container that was
 * given too few: none at all, and all but CAP_BPF. (uid 0 keeps the test independent of where the
 * checkout is: another user may not be able to read it.) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/suite.h"
#include "lib/harness.h"

/* Runs the agent under setpriv with SETPRIV_ARGS; its stderr (and stdout) in *out, its status. */
static int run_as(const char *setpriv_args, char **out)
{
	const char *bin = getenv("OSPREY_BIN") ? getenv("OSPREY_BIN") : "build/osprey";
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "timeout 20 setpriv %s %s run --discard 2>&1", setpriv_args,
		 bin);
	return it_popen(cmd, out);
}

static int count_lines(const char *s, const char *needle)
{
	int n = 0;

	for (; s && (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

static void expect_one_clear_line(const char *setpriv_args, const char *missing)
{
	char *out = NULL;
	int st = run_as(setpriv_args, &out);

	if (st == 127 || (out && strstr(out, "setpriv: not found"))) {
		OSP_SKIP("setpriv (util-linux) not found");
		free(out);
		return;
	}
	if (!out || !strstr(out, missing))
		fprintf(stderr, "\n  agent said: %s\n", out ? out : "(nothing)");
	CU_ASSERT_NOT_EQUAL(st, 0);
	CU_ASSERT_NOT_EQUAL(st, 124); /* it did not hang */
	CU_ASSERT_PTR_NOT_NULL_FATAL(out);
	CU_ASSERT_EQUAL(count_lines(out, "not enough privileges: missing"), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, missing));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(out, "run as root, or with the capabilities the README lists"));
	CU_ASSERT_PTR_NULL(strstr(out, "libbpf"));
	CU_ASSERT_PTR_NULL(strstr(out, "RLIMIT_MEMLOCK"));
	free(out);
}

static void test_no_capabilities(void)
{
	expect_one_clear_line("--bounding-set=-all --inh-caps=-all",
			      "missing CAP_BPF CAP_PERFMON CAP_SYS_PTRACE CAP_DAC_READ_SEARCH;");
}

/* the two that only degrade enrichment are required too: without them detection is silently worse */
static void test_root_without_cap_sys_ptrace(void)
{
	expect_one_clear_line("--bounding-set=-sys_ptrace --inh-caps=-all",
			      "missing CAP_SYS_PTRACE;");
}

static void test_root_without_cap_dac_read_search(void)
{
	expect_one_clear_line("--bounding-set=-dac_read_search --inh-caps=-all",
			      "missing CAP_DAC_READ_SEARCH;");
}

static void test_root_without_cap_bpf(void)
{
	/* root's capabilities at exec are its bounding set: take CAP_BPF and CAP_SYS_ADMIN (which
	 * would stand in for it) away */
	expect_one_clear_line("--bounding-set=-bpf,-sys_admin --inh-caps=-all", "missing CAP_BPF;");
}

OSP_SUITE(privileges)
{
	OSP_TEST(suite, test_no_capabilities);
	OSP_TEST(suite, test_root_without_cap_bpf);
	OSP_TEST(suite, test_root_without_cap_sys_ptrace);
	OSP_TEST(suite, test_root_without_cap_dac_read_search);
}
