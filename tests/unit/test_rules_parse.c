/* Parse tests: rules text -> loaded, or the exact error "file:line:col: message". One case per error
 * class, and positions inside plain, quoted, folded and literal YAML scalars. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/suite.h"
#include "test_rules_helpers.h"
#include "cli/cli.h"
#include "rules/rules.h"

#define RULE_HEAD "- rule: r\n  desc: d\n"
#define RULE_TAIL "  output: o\n  priority: WARNING\n"

static void expect_error(const char *yaml, const char *want)
{
	struct ruleset *rs = tr_load(yaml);

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	if (strcmp(tr_error(rs), want))
		fprintf(stderr, "\n  got:  %s\n  want: %s\n", tr_error(rs), want);
	CU_ASSERT_STRING_EQUAL(tr_error(rs), want);
	CU_ASSERT_TRUE(ruleset_nerrors(rs) > 0);
	CU_ASSERT_EQUAL(ruleset_evt_mask(rs), 0); /* a file with errors runs nothing */
	ruleset_free(rs);
}

static void test_ok(void)
{
	struct ruleset *rs = tr_load(RULE_HEAD "  condition: evt.type = execve\n" RULE_TAIL);

	CU_ASSERT_EQUAL(ruleset_nerrors(rs), 0);
	CU_ASSERT_EQUAL(ruleset_nrules(rs), 1);
	ruleset_free(rs);
	rs = tr_load("");
	CU_ASSERT_EQUAL(ruleset_nerrors(rs), 0);
	ruleset_free(rs);
}

static void test_unknown_field(void)
{
	expect_error(RULE_HEAD "  condition: evt.type = execve and proc.nme = bash\n" RULE_TAIL,
		     "test.yaml:3:36: unknown field 'proc.nme'");
	expect_error(RULE_HEAD "  condition: evt.type = execve and proc.name[1] = bash\n" RULE_TAIL,
		     "test.yaml:3:36: field takes no argument 'proc.name[1]'");
	expect_error(RULE_HEAD "  condition: evt.type = execve and container.label = x\n" RULE_TAIL,
		     "test.yaml:3:36: field needs an argument 'container.label'");
	expect_error(RULE_HEAD "  condition: evt.type = execve and val = x\n" RULE_TAIL,
		     "test.yaml:3:36: unknown field 'val'");
}

static void test_unknown_macro_list(void)
{
	expect_error(RULE_HEAD "  condition: evt.type = execve and not my_macro\n" RULE_TAIL,
		     "test.yaml:3:40: unknown macro 'my_macro'");
	expect_error("- list: l\n  items: [a]\n- list: nope\n  items: [b]\n  append: true\n"
		     "- list: l\n  items: [c]\n  append: true\n",
		     "test.yaml:3:9: list 'nope': append to a list that is not defined");
	expect_error("- macro: m\n  condition: m and proc.name = a\n" RULE_HEAD
		     "  condition: evt.type = execve and m\n" RULE_TAIL,
		     "test.yaml:2:14: macro 'm' refers to itself");
	expect_error("- rule: ghost\n  condition: and proc.name = a\n  append: true\n",
		     "test.yaml:1:9: rule 'ghost': append to a rule that is not defined");
}

static void test_bad_operator_and_values(void)
{
	expect_error(RULE_HEAD "  condition: evt.type = execve and proc.pid contains 1\n" RULE_TAIL,
		     "test.yaml:3:45: operator 'contains' cannot be used with field 'proc.pid' "
		     "(int64)");
	expect_error(RULE_HEAD "  condition: evt.type = execve and proc.pid = abc\n" RULE_TAIL,
		     "test.yaml:3:47: 'abc' is not a number (field 'proc.pid' is int64)");
	expect_error(RULE_HEAD "  condition: evt.type = execve and evt.failed = maybe\n" RULE_TAIL,
		     "test.yaml:3:49: 'maybe' is not true or false (field 'evt.failed' is bool)");
	expect_error(RULE_HEAD
		     "  condition: evt.type = execve and proc.name regex 'a('\n" RULE_TAIL,
		     "test.yaml:3:52: invalid regular expression: Unmatched ( or \\(");
	expect_error(RULE_HEAD "  condition: evt.type = execve and proc.pid in (1, x)\n" RULE_TAIL,
		     "test.yaml:3:52: 'x' is not a number (field 'proc.pid' is int64)");
	expect_error(RULE_HEAD "  condition: proc.name bcontains zz\n" RULE_TAIL,
		     "test.yaml:3:34: 'zz' is not hex bytes (field 'proc.name' is string)");
	expect_error(RULE_HEAD "  condition: proc.name = val(proc.pid)\n" RULE_TAIL,
		     "test.yaml:3:24: operator '=' cannot compare field 'proc.name' (string) with "
		     "val(proc.pid) (int64)");
	expect_error(RULE_HEAD "  condition: len(evt.failed) = 1\n" RULE_TAIL,
		     "test.yaml:3:18: transformer cannot be applied to field 'evt.failed' of type "
		     "bool");
}

static void test_syntax(void)
{
	expect_error(RULE_HEAD "  condition: (proc.name = a\n" RULE_TAIL,
		     "test.yaml:3:28: expected ')' to close the '(' at 3:14, found the end of the "
		     "condition");
	expect_error(RULE_HEAD "  condition: proc.name = \"abc\n" RULE_TAIL,
		     "test.yaml:3:26: unterminated string \"abc");
	expect_error(RULE_HEAD "  condition: proc.name bash\n" RULE_TAIL,
		     "test.yaml:3:24: expected an operator after the field, found 'bash'");
	expect_error(
	    RULE_HEAD "  condition: proc.name = a and\n" RULE_TAIL,
	    "test.yaml:3:31: expected a field, a macro, 'not' or '(', found the end of the "
	    "condition");
	expect_error(RULE_HEAD "  condition: proc.name in (a b)\n" RULE_TAIL,
		     "test.yaml:3:30: expected ',' or ')' in the list, found 'b'");
	expect_error(RULE_HEAD "  condition: proc.name = a b\n" RULE_TAIL,
		     "test.yaml:3:28: expected 'and', 'or' or the end of the condition, found 'b'");
	expect_error(RULE_HEAD "  condition: proc.name in a\n" RULE_TAIL,
		     "test.yaml:3:27: expected '(' and a list of values, found 'a'");
	expect_error(RULE_HEAD "  condition: \"\"\n" RULE_TAIL, "test.yaml:3:14: empty condition");
}

static void test_depth_limit(void)
{
	char yaml[2048], cond[1024];
	size_t i, n = 0;

	for (i = 0; i < 200; i++)
		cond[n++] = '(';
	n += (size_t)snprintf(cond + n, sizeof(cond) - n, "proc.name = a");
	for (i = 0; i < 200; i++)
		cond[n++] = ')';
	cond[n] = '\0';
	snprintf(yaml, sizeof(yaml), RULE_HEAD "  condition: %s\n" RULE_TAIL, cond);
	expect_error(yaml, "test.yaml:3:142: condition nested deeper than 128 levels");
}

static void test_block_scalars(void)
{
	/* folded: the error is on the condition's second line */
	expect_error(RULE_HEAD
		     "  condition: >\n    evt.type = execve and\n    proc.nme = x\n" RULE_TAIL,
		     "test.yaml:5:5: unknown field 'proc.nme'");
	/* literal, indented more */
	expect_error(RULE_HEAD "  condition: |\n      evt.type = execve\n      and (proc.name = a\n"
			       "        or proc.nme = x)\n" RULE_TAIL,
		     "test.yaml:6:12: unknown field 'proc.nme'");
	/* plain scalar folded over lines */
	expect_error(RULE_HEAD "  condition: evt.type = execve\n    and proc.nme = x\n" RULE_TAIL,
		     "test.yaml:4:9: unknown field 'proc.nme'");
	/* double-quoted with escapes before the error */
	expect_error(RULE_HEAD
		     "  condition: \"proc.name = \\\"a\\\" and proc.nme = x\"\n" RULE_TAIL,
		     "test.yaml:3:37: unknown field 'proc.nme'");
	/* a macro's error points into the macro */
	expect_error(
	    "- macro: m\n  condition: >\n    proc.name = a and\n    proc.nme = b\n" RULE_HEAD
	    "  condition: evt.type = execve and m\n" RULE_TAIL,
	    "test.yaml:4:5: unknown field 'proc.nme'");
}

static void test_yaml_and_items(void)
{
	expect_error("- rule: r\n  desc: [a\n",
		     "test.yaml:3:1: YAML syntax error: did not find "
		     "expected ',' or ']' while parsing a flow sequence");
	expect_error("- rul: x\n", "test.yaml:1:3: unknown item 'rul': expected list, macro, rule, "
				   "required_engine_version or required_plugin_versions");
	expect_error("rule: x\n", "test.yaml:1:1: a rules file must be a sequence of items");
	expect_error(RULE_HEAD "  conditon: proc.name = a\n" RULE_TAIL,
		     "test.yaml:3:3: unknown key 'conditon' in a rule");
	expect_error(RULE_HEAD "  condition: proc.name = a\n  priority: WARNING\n",
		     "test.yaml:1:3: rule 'r' has no output");
	expect_error(
	    RULE_HEAD "  condition: proc.name = a\n  output: o\n  priority: LOUD\n",
	    "test.yaml:5:13: unknown priority 'LOUD' (expected EMERGENCY, ALERT, CRITICAL, "
	    "ERROR, WARNING, NOTICE, INFO or DEBUG)");
	expect_error(RULE_HEAD "  condition: proc.name = a\n  output: o\n  priority: INFO\n"
			       "  enabled: perhaps\n",
		     "test.yaml:6:12: enabled must be true or false");
	expect_error(RULE_HEAD "  condition: evt.type = execve\n  output: \"x %proc.nmae y\"\n"
			       "  priority: INFO\n",
		     "test.yaml:4:14: unknown field 'proc.nmae' in output");
	expect_error(RULE_HEAD "  condition: evt.type = execve\n" RULE_TAIL
			       "- rule: r\n  priority: INFO\n  override:\n    priority: append\n",
		     "test.yaml:9:15: key 'priority' cannot be appended to, only replaced");
	expect_error(
	    RULE_HEAD
	    "  condition: evt.type = execve\n" RULE_TAIL
	    "- rule: r\n  priority: INFO\n  output: x\n  override:\n    priority: replace\n",
	    "test.yaml:8:3: key 'output' is not listed in override");
	expect_error("- list: l\n  items: a\n",
		     "test.yaml:2:10: list 'l': items must be a sequence");
	expect_error(RULE_HEAD
		     "  condition: evt.type = execve\n" RULE_TAIL
		     "  exceptions:\n  - name: e\n    fields: [proc.nam]\n    values: [[a]]\n",
		     "test.yaml:8:14: unknown field 'proc.nam'");
	expect_error(RULE_HEAD "  condition: evt.type = execve\n" RULE_TAIL
			       "  exceptions:\n  - name: e\n    fields: [proc.name, fd.name]\n"
			       "    values:\n    - [a]\n",
		     "test.yaml:10:7: exception 'e': a value has 1 items for 2 fields");
	expect_error(RULE_HEAD
		     "  condition: evt.type = execve\n" RULE_TAIL
		     "  exceptions:\n  - name: e\n    fields: [proc.name]\n    comps: [like]\n"
		     "    values: [[a]]\n",
		     "test.yaml:9:13: unknown comparison operator 'like'");
}

static void test_cli(void)
{
	char path[] = "/tmp/osprey-rules-cli-XXXXXX";
	char *argv[3] = {"check", path, NULL};
	char out[4096] = "", err[4096] = "";
	FILE *fo, *fe, *f;
	int fd = mkstemp(path), rc;

	CU_ASSERT_FATAL(fd >= 0);
	f = fdopen(fd, "w");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs(RULE_HEAD "  condition: evt.type = execve and proc.nme = x\n" RULE_TAIL
			"- rule: n\n  desc: d\n  condition: evt.type = connect\n" RULE_TAIL,
	      f);
	fclose(f);
	fo = fmemopen(out, sizeof(out) - 1, "w");
	fe = fmemopen(err, sizeof(err) - 1, "w");
	rc = cli_rules_check(2, argv, fo, fe);
	fclose(fo);
	fclose(fe);
	CU_ASSERT_EQUAL(rc, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, ":3:36: unknown field 'proc.nme'\n"));
	CU_ASSERT_PTR_NOT_NULL(
	    strstr(out, "rule \"n\": inactive: needs evt.type connect, not traced"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "2 rules: 0 active, 2 inactive; 1 errors"));
	unlink(path);

	argv[1] = "--bogus";
	fe = fmemopen(err, sizeof(err) - 1, "w");
	CU_ASSERT_EQUAL(cli_rules_check(2, argv, stdout, fe), 2);
	fclose(fe);
	fe = fopen("/dev/null", "w");
	CU_ASSERT_EQUAL(cli_rules_check(1, argv, stdout, fe), 2);
	fclose(fe);
}

OSP_SUITE(rules_parse)
{
	OSP_TEST(suite, test_ok);
	OSP_TEST(suite, test_unknown_field);
	OSP_TEST(suite, test_unknown_macro_list);
	OSP_TEST(suite, test_bad_operator_and_values);
	OSP_TEST(suite, test_syntax);
	OSP_TEST(suite, test_depth_limit);
	OSP_TEST(suite, test_block_scalars);
	OSP_TEST(suite, test_yaml_and_items);
	OSP_TEST(suite, test_cli);
}
