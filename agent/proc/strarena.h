/* Bounded string arena for the process table: one region allocated up front, carved into power-of-two
 * blocks by a buddy allocator. Internal to proc/.
 *
 * Blocks are STRARENA_MIN << order bytes, order 0..STRARENA_ORDERS-1 (256 B .. 32 KiB). The region is
 * a whole number of largest blocks. Allocation and free never call malloc: the region, the free lists
 * (threaded through the free blocks) and the per-block order map all live in memory taken at init.
 */
#ifndef OSP_PROC_STRARENA_H
#define OSP_PROC_STRARENA_H

#include <stddef.h>
#include <stdint.h>

#define STRARENA_MIN_SHIFT 8
#define STRARENA_MIN (1u << STRARENA_MIN_SHIFT)
#define STRARENA_ORDERS 8
#define STRARENA_MAX (STRARENA_MIN << (STRARENA_ORDERS - 1))
#define STRARENA_NONE 0xff /* "no block" order marker */

struct strarena {
	char *base;
	uint8_t *
	    free_order; /* per minimum block: order + 1 when a free block of that order starts here */
	uint32_t nmin; /* minimum-size blocks in the region */
	uint32_t free_head[STRARENA_ORDERS];
	uint64_t size; /* bytes in the region */
	uint64_t used; /* bytes handed out */
};

/* Takes a region of at least bytes (rounded up to STRARENA_MAX; 0 gives an empty arena whose allocations
 * all fail). Returns 0 or -ENOMEM. Release with strarena_fini(), which accepts a zeroed struct. */
int strarena_init(struct strarena *a, size_t bytes);
void strarena_fini(struct strarena *a);

/* Returns the order of the smallest block holding len bytes, or STRARENA_NONE when len > STRARENA_MAX. */
uint8_t strarena_order(size_t len);

/* Returns a block of the given order, or NULL when none is free. Never allocates. */
char *strarena_alloc(struct strarena *a, uint8_t order);

/* Returns a block from strarena_alloc() with the order it was allocated with. NULL is ignored. */
void strarena_free(struct strarena *a, char *p, uint8_t order);

#endif
