/* osprey: runtime threat detection for Linux hosts and Kubernetes nodes. The command-line entry
 * point: one function per command (cli.h), dispatched here. */
#include <bpf/libbpf.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "fields/fields.h"
#include "osprey/events.h"

static int cmd_version(void)
{
	printf("osprey %s\nevent schema %d\nlibbpf %s\n", OSPREY_VERSION, OSP_SCHEMA_VERSION,
	       libbpf_version_string());
	return 0;
}

static int cmd_rules(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return cli_rules_check(argc - 1, argv + 1, stdout, stderr);
	if (argc >= 2 && !strcmp(argv[1], "test"))
		return cli_rules_test(argc - 1, argv + 1, stdout, stderr);
	fprintf(stderr, "usage: osprey rules check PATH...\n"
			"       osprey rules test -r RULES [-r RULES]... TESTS...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return cli_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rules"))
		return cmd_rules(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fields")) {
		fields_print(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version"))
		return cmd_version();
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		cli_usage(stdout);
		return 0;
	}
	fprintf(stderr, "osprey: unknown command '%s'\n", argv[1]);
	cli_usage(stderr);
	return 2;
}
