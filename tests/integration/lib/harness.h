/* Helpers for integration tests that drive shell harnesses (container runtimes, fixtures). */
#ifndef OSP_IT_HARNESS_H
#define OSP_IT_HARNESS_H

#include <stdbool.h>

/* Runs cmd with sh; returns its exit status (128 if it did not exit), or -errno. When out is not
 * NULL, *out receives its stdout, NUL-terminated (malloc'ed; the caller frees; NULL if empty). */
int it_popen(const char *cmd, char **out);

struct it_kv {
	const char *k, *v;
};

/* Splits text in place into its "key=value" lines (other lines are skipped); fills at most max
 * entries of kv, pointing into text. Returns the number filled. */
int it_kv_parse(char *text, struct it_kv *kv, int max);

/* The value of key among kv[0..n), or NULL. */
const char *it_kv_get(const struct it_kv *kv, int n, const char *key);

#endif
