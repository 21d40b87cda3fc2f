/* Rule test cases: `osprey rules test -r RULES... PATH...`.
 *
 * A test file (docs/rule-tests.md) is a YAML list of cases:
 *
 *   - name: cat of the service-account token
 *     event: {evt.type: openat, fd.name: /var/run/secrets/..., proc.aname: [bash, runc]}
 *     expect: Kubernetes secret read by unexpected process     # or null: no rule fires
 *
 * Each event is replayed (agent/replay) into the event the engine sees live, matched with the
 * first-match policy of `osprey run`, and the first matching rule is compared with `expect`.
 */
#ifndef OSP_RULETEST_H
#define OSP_RULETEST_H

#include <stddef.h>
#include <stdio.h>

struct ruletest_result {
	size_t passed;
	size_t failed;
};

/* Loads the rule files or directories rules[0..nrules) and runs every case of the test files or
 * directories tests[0..ntests) (a directory contributes its *.yaml and *.yml files in name order).
 * Prints "PASS name" or "FAIL name: expected X, got Y" per case on out, then
 * "rules-test: N passed, N failed". Errors (a rule file that does not load, a malformed test file or
 * event, an expect naming no loaded rule) go to err as "file:line:col: message", and then no case runs.
 * Fills *res when not NULL. Returns 0 when every case passed, 1 when one failed, 2 on an error. */
int ruletest_run(const char *const *rules, size_t nrules, const char *const *tests, size_t ntests,
		 FILE *out, FILE *err, struct ruletest_result *res);

/* `osprey rules test`. argv[0] is the subcommand's name and is skipped (as rules_cli_check does);
 * then "-r PATH"/"--rules PATH" (repeatable, at least one), "-h"/"--help", and test files or
 * directories. Returns the exit status: 0 all passed, 1 a case failed, 2 bad usage or a load error. */
int rules_cli_test(int argc, char **argv, FILE *out, FILE *err);

#endif
