/* Output templates: a field no traced event can supply is a load error at its exact position; a field
 * that only other event types have (as Falco leaves it <NA>) is a warning. */
#include <CUnit/CUnit.h>
#include <string.h>

#include "../common/suite.h"
#include "rules/rules.h"

static struct ruleset *load(const char *yaml)
{
	struct ruleset *rs = NULL;

	ruleset_load_string("t.yaml", yaml, strlen(yaml), NULL, &rs);
	return rs;
}

static const struct rule_diag *diag_with(const struct ruleset *rs, const char *needle)
{
	size_t i;

	for (i = 0; i < ruleset_ndiag(rs); i++)
		if (strstr(ruleset_diag(rs, i)->msg, needle))
			return ruleset_diag(rs, i);
	return NULL;
}

static void test_unsuppliable_field_is_an_error(void)
{
	struct ruleset *rs = load("- rule: r\n"
				  "  desc: d\n"
				  "  condition: evt.type = openat and fd.name = /x\n"
				  "  output: \"file %fd.name ip %fd.sip\"\n"
				  "  priority: WARNING\n");
	const struct rule_diag *d;
	const char *why = NULL;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(ruleset_nerrors(rs), 1);
	d = diag_with(rs, "fd.sip");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_FALSE(d->warning);
	CU_ASSERT_EQUAL(d->line, 4);
	CU_ASSERT_EQUAL(d->col, 29); /* the '%' of %fd.sip inside the quoted scalar */
	CU_ASSERT_FALSE(rule_active(ruleset_find(rs, "r"), &why));
	ruleset_free(rs);
}

static void test_other_events_field_is_a_warning(void)
{
	/* fd.name exists for opens, not for execve: <NA> here, as Falco prints it */
	struct ruleset *rs = load("- rule: r\n"
				  "  desc: d\n"
				  "  condition: evt.type = execve and proc.name = sh\n"
				  "  output: \"sh %proc.name %fd.name %evt.arg.oldpath\"\n"
				  "  priority: NOTICE\n");
	const struct rule_diag *d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(ruleset_nerrors(rs), 0);
	d = diag_with(rs, "fd.name");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_TRUE(d->warning);
	d = diag_with(rs, "evt.arg.oldpath");
	CU_ASSERT_PTR_NOT_NULL_FATAL(d);
	CU_ASSERT_TRUE(d->warning);
	CU_ASSERT_TRUE(rule_active(ruleset_find(rs, "r"), NULL));
	ruleset_free(rs);
}

static void test_supplied_fields_are_clean(void)
{
	struct ruleset *rs =
	    load("- rule: r\n"
		 "  desc: d\n"
		 "  condition: evt.type = execve\n"
		 "  output: \"%proc.exepath %proc.exe_ino.ctime %container.start_ts\"\n"
		 "  priority: NOTICE\n");

	CU_ASSERT_PTR_NOT_NULL_FATAL(rs);
	CU_ASSERT_EQUAL(ruleset_ndiag(rs), 0);
	ruleset_free(rs);
}

OSP_SUITE(rules_output_supplied)
{
	OSP_TEST(suite, test_unsuppliable_field_is_an_error);
	OSP_TEST(suite, test_other_events_field_is_a_warning);
	OSP_TEST(suite, test_supplied_fields_are_clean);
}
