/* The usage text of every command (`osprey help`, and on bad usage). */
#include "cli/cli.h"

void cli_usage(FILE *f)
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
	    "  rules test -r RULES [-r RULES]... TESTS...\n"
	    "                 replay rule test cases against the rules: PASS or FAIL per case\n"
	    "  fields         list every rule field with its type and meaning\n"
	    "  version        print the version, event schema version and libbpf version\n"
	    "  help           print this help\n"
	    "\n"
	    "output specs: stdout (default), file:PATH, syslog[:FACILITY], http://URL, "
	    "https://URL\n",
	    f);
}
