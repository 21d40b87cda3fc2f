/* `osprey rules test`: a deliberate failure is detected, bad test files are load errors with
 * file:line:col, and every case of rules/tests passes against rules/osprey_rules.yaml (so that
 * `make test` guards the default rules). Tests run from the repository root. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/suite.h"
#include "cli/cli.h"

static const char rules_yaml[] =
    "- rule: Shell run\n"
    "  desc: a shell\n"
    "  condition: evt.type = execve and proc.name in (sh, bash) and not proc.pname = sshd\n"
    "  output: shell %proc.cmdline\n"
    "  priority: WARNING\n"
    "- rule: Shadow read\n"
    "  desc: shadow\n"
    "  condition: evt.type = openat and fd.name = /etc/shadow and user.name != root\n"
    "  output: read %fd.name by %user.name\n"
    "  priority: ERROR\n";

static const char cases_yaml[] =
    "- name: a shell under cron\n"
    "  event: {evt.type: execve, proc.name: bash, proc.aname: [cron, systemd]}\n"
    "  expect: Shell run\n"
    "- name: a login shell (benign)\n"
    "  event:\n"
    "    evt.type: execve\n"
    "    proc.name: bash\n"
    "    proc.pname: sshd\n"
    "  expect: null\n"
    "- name: shadow read by a user\n"
    "  event:\n"
    "    evt.type: openat\n"
    "    fd.name: /etc/shadow\n"
    "    user.uid: 1000\n"
    "    user.name: mallory\n"
    "  expect: Shadow read\n"
    "- name: deliberately wrong expectation\n"
    "  event: {evt.type: openat, fd.name: /etc/shadow, user.uid: 0, user.name: root}\n"
    "  expect: Shadow read\n";

static char dir[64];

static const char *write_tmp(const char *name, const char *text)
{
	static char path[4][128];
	static int k;
	char *p = path[k++ % 4];
	FILE *f;

	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/osp-ruletest-XXXXXX");
		CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	}
	snprintf(p, 128, "%s/%s", dir, name);
	f = fopen(p, "we");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(text, f);
	fclose(f);
	return p;
}

struct cap {
	char *out, *err;
	size_t nout, nerr;
	FILE *fo, *fe;
};

static void cap_open(struct cap *c)
{
	memset(c, 0, sizeof(*c));
	c->fo = open_memstream(&c->out, &c->nout);
	c->fe = open_memstream(&c->err, &c->nerr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->fo);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c->fe);
}

static void cap_close(struct cap *c)
{
	fclose(c->fo);
	fclose(c->fe);
}

static void cap_free(struct cap *c)
{
	free(c->out);
	free(c->err);
}

static void test_deliberate_failure(void)
{
	const char *rules = write_tmp("rules.yaml", rules_yaml);
	const char *cases = write_tmp("cases.yaml", cases_yaml);
	struct cli_rules_test_result res;
	struct cap c;
	int st;

	cap_open(&c);
	st = cli_rules_test_run(&rules, 1, &cases, 1, c.fo, c.fe, &res);
	cap_close(&c);
	CU_ASSERT_EQUAL(st, 1);
	CU_ASSERT_EQUAL(res.passed, 3);
	CU_ASSERT_EQUAL(res.failed, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "PASS a shell under cron\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "PASS a login shell (benign)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(
	    c.out, "FAIL deliberately wrong expectation: expected \"Shadow read\", got no alert"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "rules-test: 3 passed, 1 failed\n"));
	CU_ASSERT_EQUAL(c.nerr, 0);
	cap_free(&c);
}

/* A bad test file: exit 2, no case run, the error at file:line:col. */
static void expect_load_error(const char *yaml, const char *where_what)
{
	const char *rules = write_tmp("rules.yaml", rules_yaml);
	const char *cases = write_tmp("bad.yaml", yaml);
	char want[256];
	struct cap c;
	int st;

	cap_open(&c);
	st = cli_rules_test_run(&rules, 1, &cases, 1, c.fo, c.fe, NULL);
	cap_close(&c);
	snprintf(want, sizeof(want), "%s:%s", cases, where_what);
	CU_ASSERT_EQUAL(st, 2);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.err, want));
	CU_ASSERT_PTR_NULL(strstr(c.out, "PASS"));
	if (!strstr(c.err, want))
		fprintf(stderr, "\n  wanted '%s' in:\n%s", want, c.err);
	cap_free(&c);
}

static void test_bad_files(void)
{
	expect_load_error("- name: x\n  event: {evt.type: execve}\n  expect: null\n  extra: 1\n",
			  "4:3: unknown or repeated key 'extra'");
	expect_load_error("- name: x\n  event:\n    evt.type: execve\n    proc.nme: bash\n"
			  "  expect: null\n",
			  "4:5: case \"x\": proc.nme: unknown field");
	expect_load_error("- name: x\n  event:\n    evt.type: execve\n    proc.tty: \"7\"\n"
			  "  expect: null\n",
			  "4:15: proc.tty: expected an integer");
	expect_load_error("- name: x\n  event: {evt.type: execve}\n  expect: No Such Rule\n",
			  "1:3: case \"x\": expect: no rule named \"No Such Rule\"");
	expect_load_error("- name: x\n  event: [1, 2\n", "3:1: YAML syntax error");
	expect_load_error("name: x\n", "1:1: a test file is a list of cases");
}

static void test_cli(void)
{
	char *noargs[] = {"test", "rules/tests", NULL};
	char *help[] = {"test", "--help", NULL};
	char *badopt[] = {"test", "-x", NULL};
	struct cap c;

	cap_open(&c);
	CU_ASSERT_EQUAL(cli_rules_test(2, noargs, c.fo, c.fe), 2); /* no -r */
	CU_ASSERT_EQUAL(cli_rules_test(2, help, c.fo, c.fe), 0);
	CU_ASSERT_EQUAL(cli_rules_test(2, badopt, c.fo, c.fe), 2);
	cap_close(&c);
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, "usage: osprey rules test"));
	cap_free(&c);
}

/* Guards the default rules: every case of rules/tests against rules/osprey_rules.yaml. */
static void test_default_rules(void)
{
	char *argv[] = {"test", "-r", "rules/osprey_rules.yaml", "rules/tests", NULL};
	struct cap c;
	int st;

	cap_open(&c);
	st = cli_rules_test(4, argv, c.fo, c.fe);
	cap_close(&c);
	CU_ASSERT_EQUAL(st, 0);
	CU_ASSERT_PTR_NULL(strstr(c.out, "FAIL"));
	CU_ASSERT_PTR_NOT_NULL(strstr(c.out, " passed, 0 failed\n"));
	if (st)
		fprintf(stderr, "\n%s%s", c.err, c.out);
	cap_free(&c);
}

static void test_zz_cleanup(void)
{
	char cmd[128];

	if (dir[0]) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		CU_ASSERT_EQUAL(system(cmd), 0);
	}
}

OSP_SUITE(ruletest)
{
	OSP_TEST(suite, test_deliberate_failure);
	OSP_TEST(suite, test_bad_files);
	OSP_TEST(suite, test_cli);
	OSP_TEST(suite, test_default_rules);
	OSP_TEST(suite, test_zz_cleanup);
}
