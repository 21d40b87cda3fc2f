/* Buddy allocator over one fixed region: see strarena.h. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* O_PATH, fgetpwent_r(): also when built without the Makefile */
#endif
#include "proc/strarena.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX

struct fblk {
	uint32_t prev, next; /* minimum-block indices of neighbours on the same free list */
};

static struct fblk *blk(struct strarena *a, uint32_t i)
{
	return (struct fblk *)(void *)(a->base + ((size_t)i << STRARENA_MIN_SHIFT));
}

static void list_push(struct strarena *a, uint32_t i, uint8_t order)
{
	struct fblk *b = blk(a, i);

	b->prev = NIL;
	b->next = a->free_head[order];
	if (b->next != NIL)
		blk(a, b->next)->prev = i;
	a->free_head[order] = i;
	a->free_order[i] = order + 1;
}

static void list_del(struct strarena *a, uint32_t i, uint8_t order)
{
	struct fblk *b = blk(a, i);

	if (b->prev != NIL)
		blk(a, b->prev)->next = b->next;
	else
		a->free_head[order] = b->next;
	if (b->next != NIL)
		blk(a, b->next)->prev = b->prev;
	a->free_order[i] = 0;
}

int strarena_init(struct strarena *a, size_t bytes)
{
	size_t top = STRARENA_MAX, ntop = (bytes + top - 1) / top;
	uint32_t o, i;

	memset(a, 0, sizeof(*a));
	for (o = 0; o < STRARENA_ORDERS; o++)
		a->free_head[o] = NIL;
	if (ntop == 0)
		return 0;
	if (ntop > (UINT32_MAX >> STRARENA_ORDERS))
		return -ENOMEM;
	a->size = ntop * top;
	a->nmin = (uint32_t)(a->size >> STRARENA_MIN_SHIFT);
	a->base = malloc(a->size);
	a->free_order = calloc(a->nmin, 1);
	if (!a->base || !a->free_order) {
		strarena_fini(a);
		return -ENOMEM;
	}
	/* push in reverse so that low addresses are handed out first */
	for (i = (uint32_t)ntop; i-- > 0;)
		list_push(a, i << (STRARENA_ORDERS - 1), STRARENA_ORDERS - 1);
	return 0;
}

void strarena_fini(struct strarena *a)
{
	if (!a)
		return;
	free(a->base);
	free(a->free_order);
	a->base = NULL;
	a->free_order = NULL;
	a->size = a->used = 0;
	a->nmin = 0;
}

uint8_t strarena_order(size_t len)
{
	uint8_t o = 0;

	if (len > STRARENA_MAX)
		return STRARENA_NONE;
	while (((size_t)STRARENA_MIN << o) < len)
		o++;
	return o;
}

char *strarena_alloc(struct strarena *a, uint8_t order)
{
	uint8_t o = order;
	uint32_t i;

	if (order >= STRARENA_ORDERS)
		return NULL;
	while (o < STRARENA_ORDERS && a->free_head[o] == NIL)
		o++;
	if (o == STRARENA_ORDERS)
		return NULL;
	i = a->free_head[o];
	list_del(a, i, o);
	while (o > order) { /* split: keep the low half, free the high half */
		o--;
		list_push(a, i + (1u << o), o);
	}
	a->used += (uint64_t)STRARENA_MIN << order;
	return a->base + ((size_t)i << STRARENA_MIN_SHIFT);
}

void strarena_free(struct strarena *a, char *p, uint8_t order)
{
	uint32_t i;

	if (!p || order >= STRARENA_ORDERS)
		return;
	i = (uint32_t)((size_t)(p - a->base) >> STRARENA_MIN_SHIFT);
	a->used -= (uint64_t)STRARENA_MIN << order;
	while (order < STRARENA_ORDERS - 1) {
		uint32_t buddy = i ^ (1u << order);

		if (a->free_order[buddy] != order + 1)
			break;
		list_del(a, buddy, order);
		if (buddy < i)
			i = buddy;
		order++;
	}
	list_push(a, i, order);
}
