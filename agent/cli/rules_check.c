/* `osprey rules check PATH...`: load, report every diagnostic and each rule's state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "rules/rules.h"

static void print_mask(FILE *out, uint32_t mask)
{
	int et;
	bool first = true;

	for (et = 0; et < OSP_ET_COUNT; et++) {
		if (!(mask & OSP_ETM(et)))
			continue;
		fprintf(out, "%s%s", first ? "" : ", ", vocab_evt_name(et));
		first = false;
	}
}

int cli_rules_check(int argc, char **argv, FILE *out, FILE *err)
{
	const char **paths = NULL;
	struct ruleset *rs = NULL;
	size_t npaths = 0, i, active = 0, nrules, nwarn = 0;
	bool quiet = false;
	int ret, status = 0, a;

	paths = calloc(argc > 0 ? (size_t)argc : 1, sizeof(*paths));
	if (!paths) {
		fprintf(err, "rules check: out of memory\n");
		return 1;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "-q") || !strcmp(argv[a], "--quiet")) {
			quiet = true;
		} else if (!strcmp(argv[a], "-h") || !strcmp(argv[a], "--help")) {
			fprintf(out,
				"usage: osprey rules check [-q|--quiet] PATH...\n"
				"Loads rule files or directories (in the order given) and reports\n"
				"errors as file:line:col: message, then each rule's state.\n");
			status = 0;
			goto cleanup;
		} else if (argv[a][0] == '-' && argv[a][1]) {
			fprintf(err, "rules check: unknown option %s\n", argv[a]);
			status = 2;
			goto cleanup;
		} else {
			paths[npaths++] = argv[a];
		}
	}
	if (!npaths) {
		fprintf(err, "usage: osprey rules check [-q|--quiet] PATH...\n");
		status = 2;
		goto cleanup;
	}
	ret = ruleset_load(paths, npaths, NULL, &rs);
	if (!rs) {
		fprintf(err, "rules check: %s\n", strerror(-ret));
		status = 1;
		goto cleanup;
	}
	for (i = 0; i < ruleset_ndiag(rs); i++) {
		const struct rule_diag *d = ruleset_diag(rs, i);

		if (d->warning) {
			nwarn++;
			if (quiet)
				continue;
		}
		fprintf(err, "%s:%u:%u: %s%s\n", d->file, d->line, d->col,
			d->warning ? "warning: " : "", d->msg);
	}
	nrules = ruleset_nrules(rs);
	for (i = 0; i < nrules; i++) {
		const struct rule *r = ruleset_rule(rs, i);
		const char *why = NULL;

		if (rule_active(r, &why)) {
			active++;
			if (quiet)
				continue;
			fprintf(out, "rule \"%s\": active (", rule_name(r));
			print_mask(out, rule_evt_mask(r));
			fprintf(out, ")\n");
		} else if (!quiet) {
			fprintf(out, "rule \"%s\": inactive: %s\n", rule_name(r), why);
		}
	}
	fprintf(out, "%zu rules: %zu active, %zu inactive; %zu errors, %zu warnings\n", nrules,
		active, nrules - active, ruleset_nerrors(rs), nwarn);
	status = ruleset_nerrors(rs) ? 1 : 0;
cleanup:
	ruleset_free(rs);
	free(paths);
	return status;
}
