/* Test harness: runs the real `osprey run --events` and collects what it printed. */
#ifndef OSP_IT_AGENT_H
#define OSP_IT_AGENT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <sys/types.h>

struct it_agent {
	pid_t pid;	     /* while running */
	pid_t ran_pid;	     /* the agent's pid, kept after it stopped */
	char dir[64];	     /* private temp dir: events.json, agent.err, ready */
	cJSON *events;	     /* array of parsed events, after it_agent_stop() */
	char err_tail[2048]; /* the end of the agent's stderr */
};

/* Starts build/osprey run --events (OSPREY_BIN overrides the binary) with extra_args and waits until
 * its probes are attached. Returns 0 or -1 (with a message on stderr). */
int it_agent_start(struct it_agent *a, const char *const *extra_args);

/* The same without --events: the agent evaluates rules and prints alerts (the events array then
 * holds alerts). */
int it_agent_start_alerts(struct it_agent *a, const char *const *extra_args);

/* Stops the agent with SIGINT, waits for it and parses its output. Returns 0 or -1. */
int it_agent_stop(struct it_agent *a);

void it_agent_free(struct it_agent *a);

/* The first event with this evt.type (NULL = any) and proc.pid whose string field key equals value
 * (key NULL = no such condition). */
const cJSON *it_find(const struct it_agent *a, const char *type, int pid, const char *key,
		     const char *value);

/* The first event whose string fields equal the given values: key, value pairs, NULL-terminated
 * (it_find_kv(a, "evt.type", "execve", "proc.cmdline", "cat /etc/passwd", (const char *)NULL)). Finds a process by
 * what identifies it, never by the order of events. */
const cJSON *it_find_kv(const struct it_agent *a, ...) __attribute__((sentinel));

/* Field accessors on one event; NULL/-1 when absent. */
const char *it_str(const cJSON *ev, const char *key);
double it_num(const cJSON *ev, const char *key);
bool it_bool(const cJSON *ev, const char *key);

/* Runs argv (argv[0] a path) in a child with cwd dir (NULL = keep), waits; returns its pid, or -1. */
pid_t it_run(const char *dir, char *const argv[]);

/* Runs a shell command line; returns its exit status, or -1. */
int it_sh(const char *cmd);

#endif
