/* Shared by the benchmark programs (one translation unit each): an allocation counter wrapped around
 * glibc's own entry points, so that a benchmark can prove its timed loop allocates nothing, and a
 * monotonic clock in ns. */
#ifndef OSP_BENCH_COMMON_H
#define OSP_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);

/* every malloc, calloc and realloc of the process since it started */
static volatile unsigned long allocs;

void *malloc(size_t n)
{
	allocs++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	allocs++;
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	allocs++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

#endif
