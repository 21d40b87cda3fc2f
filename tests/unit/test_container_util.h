/* Helpers for the container tests: files in a temporary directory, and a small bolt file writer. */
#ifndef OSP_TEST_CONTAINER_UTIL_H
#define OSP_TEST_CONTAINER_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* A new directory under $TMPDIR (or /tmp); free() the result after ctt_rmtree(). NULL on failure. */
char *ctt_mkdtemp(void);
/* Removes dir and everything below it. */
void ctt_rmtree(const char *dir);
/* Writes data to dir/rel, creating parent directories. Returns 0 or -errno. */
int ctt_write(const char *dir, const char *rel, const char *data, size_t len);
int ctt_writes(const char *dir, const char *rel, const char *text);

/* A bolt tree to write: a key with a value, or with kids (an inline bucket). */
struct ctt_bnode {
	const char *key;
	const char *val;
	const struct ctt_bnode *kids;
	size_t nkids;
};

/* Writes a bolt database whose root bucket holds the n entries of top (keys sorted by the caller).
 * An entry named "big" with kids gets its own pages: a branch page over two leaves (the kids split
 * in half), to exercise the branch walk. Returns 0 or -errno. */
int ctt_bolt_write(const char *path, const struct ctt_bnode *top, size_t n);

#endif
