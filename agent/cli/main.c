/* osprey: runtime threat detection for Linux hosts and Kubernetes nodes. Command-line entry point. */
#include <bpf/libbpf.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fields/fields.h"
#include "loop/loop.h"
#include "osprey/events.h"
#include "rules/rules.h"
#include "cli/rules_test.h"

/* Where `osprey run` looks for rules when no --rules is given, in order. */
#define OSP_RULES_SYSTEM "/etc/osprey/rules.d"
#define OSP_RULES_BESIDE "../rules/osprey_rules.yaml" /* relative to the binary's directory */

static void usage(FILE *f)
{
	fputs(
	    "usage: osprey <command> [options]\n"
	    "\n"
	    "commands:\n"
	    "  run [--rules PATH]... [--output SPEC]... [--rule-matching first|all]\n"
	    "      [--host-root DIR] [--docker-data-root DIR] [--containerd-state DIR]\n"
	    "      [--containerd-root DIR] [--containers-storage DIR]\n"
	    "      [--events | --discard] [--stats-interval SEC]\n"
	    "      [--ready-file PATH]\n"
	    "                 load the BPF programs and the rules; print one JSON alert per line\n"
	    "                 (Falco's schema) until SIGINT/SIGTERM; SIGHUP reloads the rules\n"
	    "  rules check PATH...\n"
	    "                 validate rule files: errors as file:line:col, one line per rule\n"
	    "  fields         list every rule field with its type and meaning\n"
	    "  version        print the version, event schema version and libbpf version\n"
	    "  help           print this help\n"
	    "\n"
	    "output specs: stdout (default), file:PATH, syslog, http://URL, https://URL\n",
	    f);
}

static int cmd_version(void)
{
	printf("osprey %s\nevent schema %d\nlibbpf %s\n", OSPREY_VERSION, OSP_SCHEMA_VERSION,
	       libbpf_version_string());
	return 0;
}

static int parse_int(const char *s, int lo, int hi, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* The default rules: /etc/osprey/rules.d, else the rules/ directory beside the build. */
static const char *default_rules(char *buf, size_t len)
{
	char exe[PATH_MAX];
	struct stat st;
	ssize_t n;

	if (stat(OSP_RULES_SYSTEM, &st) == 0)
		return OSP_RULES_SYSTEM;
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	snprintf(buf, len, "%s/%s", dirname(exe), OSP_RULES_BESIDE);
	return stat(buf, &st) == 0 ? buf : NULL;
}

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"events", no_argument, NULL, 'e'},
	    {"discard", no_argument, NULL, 'd'},
	    {"rules", required_argument, NULL, 'R'},
	    {"output", required_argument, NULL, 'o'},
	    {"rule-matching", required_argument, NULL, 'm'},
	    {"host-root", required_argument, NULL, 'H'},
	    {"docker-data-root", required_argument, NULL, 'D'},
	    {"containerd-state", required_argument, NULL, 'C'},
	    {"containerd-root", required_argument, NULL, 'N'},
	    {"containers-storage", required_argument, NULL, 'S'},
	    {"stats-interval", required_argument, NULL, 's'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	static struct osp_run_opts o;
	static char rules_buf[PATH_MAX];
	int c;

	memset(&o, 0, sizeof(o));
	o.mode = OSP_RUN_ALERTS;
	o.stats_interval = 10;
	o.out = stdout;
	o.host_root = "/";
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			o.mode = OSP_RUN_EVENTS;
			break;
		case 'd':
			o.mode = OSP_RUN_DISCARD;
			break;
		case 'R':
		case 'o':
			if ((c == 'R' ? o.nrules : o.noutputs) >= OSP_RUN_MAX_PATHS) {
				fprintf(stderr, "osprey run: at most %d --%s\n", OSP_RUN_MAX_PATHS,
					c == 'R' ? "rules" : "output");
				return 2;
			}
			if (c == 'R')
				o.rules[o.nrules++] = optarg;
			else
				o.outputs[o.noutputs++] = optarg;
			break;
		case 'm':
			if (strcmp(optarg, "first") && strcmp(optarg, "all")) {
				fprintf(stderr, "osprey run: --rule-matching takes first or all\n");
				return 2;
			}
			o.match_all = !strcmp(optarg, "all");
			break;
		case 'H':
			o.host_root = optarg;
			break;
		case 'D':
			o.docker_data_root = optarg;
			break;
		case 'C':
			o.containerd_state = optarg;
			break;
		case 'N':
			o.containerd_root = optarg;
			break;
		case 'S':
			o.containers_storage = optarg;
			break;
		case 's':
			if (parse_int(optarg, 0, 86400, &o.stats_interval)) {
				fprintf(stderr,
					"osprey run: --stats-interval takes 0..86400 seconds\n");
				return 2;
			}
			break;
		case 'r':
			o.ready_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "osprey run: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (o.mode == OSP_RUN_ALERTS && o.nrules == 0) {
		const char *def = default_rules(rules_buf, sizeof(rules_buf));

		if (!def) {
			fprintf(stderr,
				"osprey run: no rules: found neither %s nor %s beside the "
				"binary; pass --rules PATH\n",
				OSP_RULES_SYSTEM, OSP_RULES_BESIDE);
			return 2;
		}
		o.rules[o.nrules++] = def;
	}
	return osp_run(&o);
}

static int cmd_rules(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "check"))
		return rules_cli_check(argc - 1, argv + 1, stdout, stderr);
	if (argc >= 2 && !strcmp(argv[1], "test"))
		return rules_cli_test(argc - 1, argv + 1, stdout, stderr);
	fprintf(stderr, "usage: osprey rules check PATH...\n"
			"       osprey rules test -r RULES [-r RULES]... TESTS...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "rules"))
		return cmd_rules(argc - 1, argv + 1);
	if (!strcmp(argv[1], "fields")) {
		fields_print(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version"))
		return cmd_version();
	if (!strcmp(argv[1], "help") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	fprintf(stderr, "osprey: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
