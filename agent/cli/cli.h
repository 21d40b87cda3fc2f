/* The command line: the `osprey` commands, each in its file of agent/cli/ (main.c dispatches).
 *
 *   osprey run ...            run.c: build the stages, run the event loop until SIGINT/SIGTERM
 *   osprey rules check ...    rules_check.c: load rule files, report diagnostics and rule states
 *   osprey rules test ...     rules_test.c: replay rule test cases against rule files
 *   osprey fields, version    main.c
 *
 * Each command function takes argv with the command's own name in argv[0] (skipped, getopt style)
 * and returns the process exit status.
 */
#ifndef OSP_CLI_H
#define OSP_CLI_H

#include <stddef.h>
#include <stdio.h>

/* The usage text of every command, on f. */
void cli_usage(FILE *f);

/* `osprey run`: see cli_usage() and README.md. Runs until SIGINT or SIGTERM. */
int cli_run(int argc, char **argv);

/* `osprey rules check PATH...`: argv[1..argc) are paths, or "-q"/"--quiet" (errors only). Prints
 * every diagnostic to err as "file:line:col: message" (warnings as "file:line:col: warning:
 * message"), then one line per rule to out: active and the event types it is indexed under, or
 * inactive and why. Returns 0 when there is no error, 1 on any error, 2 on bad usage. */
int cli_rules_check(int argc, char **argv, FILE *out, FILE *err);

/* Rule test cases: `osprey rules test -r RULES... PATH...`.
 *
 * A test file (docs/rule-tests.md) is a YAML list of cases:
 *
 *   - name: cat of the service-account token
 *     event: {evt.type: openat, fd.name: /var/run/secrets/..., proc.aname: [bash, runc]}
 *     expect: Kubernetes secret read by unexpected process     # or null: no rule fires
 *
 * Each event is replayed (agent/replay) into the event the engine sees live, matched with the
 * first-match policy of `osprey run`, and the first matching rule is compared with `expect`. */
struct cli_rules_test_result {
	size_t passed;
	size_t failed;
};

/* Loads the rule files or directories rules[0..nrules) and runs every case of the test files or
 * directories tests[0..ntests) (a directory contributes its *.yaml and *.yml files in name order).
 * Prints "PASS name" or "FAIL name: expected X, got Y" per case on out, then
 * "rules-test: N passed, N failed". Errors (a rule file that does not load, a malformed test file or
 * event, an expect naming no loaded rule) go to err as "file:line:col: message", and then no case
 * runs. Fills *res when not NULL. Returns 0 when every case passed, 1 when one failed, 2 on an
 * error. */
int cli_rules_test_run(const char *const *rules, size_t nrules, const char *const *tests,
		       size_t ntests, FILE *out, FILE *err, struct cli_rules_test_result *res);

/* `osprey rules test`: "-r PATH"/"--rules PATH" (repeatable, at least one), "-h"/"--help", and test
 * files or directories. Returns 0 all passed, 1 a case failed, 2 bad usage or a load error. */
int cli_rules_test(int argc, char **argv, FILE *out, FILE *err);

#endif
