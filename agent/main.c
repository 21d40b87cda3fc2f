/* osprey: runtime threat detection for Linux hosts and Kubernetes nodes. Command-line entry point. */
#include <bpf/libbpf.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop/loop.h"
#include "osprey/events.h"

static void usage(FILE *f)
{
	fputs("usage: osprey <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  run [--events | --discard] [--stats-interval SEC] [--ready-file PATH]\n"
	      "                 load the BPF programs and process events until SIGINT/SIGTERM\n"
	      "  version        print the version, event schema version and libbpf version\n"
	      "  help           print this help\n",
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

static int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
	    {"events", no_argument, NULL, 'e'},
	    {"discard", no_argument, NULL, 'd'},
	    {"stats-interval", required_argument, NULL, 's'},
	    {"ready-file", required_argument, NULL, 'r'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct osp_run_opts o = {.mode = OSP_RUN_EVENTS, .stats_interval = 10, .out = stdout};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			o.mode = OSP_RUN_EVENTS;
			break;
		case 'd':
			o.mode = OSP_RUN_DISCARD;
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
	return osp_run(&o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
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
