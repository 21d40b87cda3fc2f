/* Helpers shared by the field and rule tests (test_rules_helpers.c): events with their own
 * storage, and loading, matching and reading diagnostics of a rules text. */
#ifndef OSP_TESTS_RULES_HELPERS_H
#define OSP_TESTS_RULES_HELPERS_H

#include <stdint.h>

#include "container/container.h"
#include "rules/rules.h"

/* An event with its own storage: the subject process, its parent and a container. */
struct tev {
	struct osp_event ev;
	struct osp_proc proc;
	struct osp_proc parent;
	struct osp_container ct;
	char args[512];
	char pargs[512];
};

/* An execve of exepath with argv by process comm (pid 200, parent "bash" pid 100), uid 1000. */
void tev_exec(struct tev *t, const char *comm, const char *exepath, const char *const *argv);
/* An openat of name with flags, returning res, by comm. */
void tev_open(struct tev *t, const char *comm, const char *name, uint32_t flags, int64_t res);
/* Puts t's process in a docker container of a pod, with labels. */
void tev_container(struct tev *t);

/* A rules text loaded (first-match, or every match); NULL only when out of memory. */
struct ruleset *tr_load(const char *yaml);
struct ruleset *tr_load_all(const char *yaml);
/* The first error as "file:line:col: message", or "" when there is none. */
const char *tr_error(const struct ruleset *rs);
/* Matches ev; returns the number of matches and the first rule's name in *first (or NULL). */
int tr_match(struct ruleset *rs, const struct osp_event *ev, const char **first);
/* Loads a one-rule file whose condition is cond, matches ev, frees. Returns matches, or -1 when the
 * rule did not load. */
int tr_cond(const char *cond, const struct osp_event *ev);

#endif
