/*
 * heap — sift-up/sift-down over an array of node pointers; every move
 * updates the node's idx so a node can be found without a search.
 */
#include <stdlib.h>

#include "heap.h"
#include "xmalloc.h"

void
heap_init(struct heap *h)
{
	h->v = NULL;
	h->n = h->cap = 0;
}

void
heap_clear(struct heap *h)
{
	for (size_t i = 0; i < h->n; i++)
		h->v[i]->idx = SIZE_MAX;
	free(h->v);
	heap_init(h);
}

void
heap_node_init(struct heap_node *x)
{
	x->at = 0;
	x->idx = SIZE_MAX;
}

int
heap_armed(const struct heap_node *x)
{
	return x->idx != SIZE_MAX;
}

/* Puts node x at position i and records it there. */
static void
heap_place(struct heap *h, size_t i, struct heap_node *x)
{
	h->v[i] = x;
	x->idx = i;
}

/* Moves the node at i towards the root while it is earlier than its parent. */
static void
heap_up(struct heap *h, size_t i)
{
	struct heap_node *x = h->v[i];

	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (h->v[p]->at <= x->at)
			break;
		heap_place(h, i, h->v[p]);
		i = p;
	}
	heap_place(h, i, x);
}

/* Moves the node at i towards the leaves while a child is earlier. */
static void
heap_down(struct heap *h, size_t i)
{
	struct heap_node *x = h->v[i];

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= h->n)
			break;
		if (c + 1 < h->n && h->v[c + 1]->at < h->v[c]->at)
			c++;
		if (x->at <= h->v[c]->at)
			break;
		heap_place(h, i, h->v[c]);
		i = c;
	}
	heap_place(h, i, x);
}

void
heap_set(struct heap *h, struct heap_node *x, int64_t at)
{
	if (heap_armed(x)) {
		int64_t old = x->at;

		x->at = at;
		if (at < old)
			heap_up(h, x->idx);
		else
			heap_down(h, x->idx);
		return;
	}
	if (h->n == h->cap) {
		h->cap = h->cap == 0 ? 64 : h->cap * 2;
		h->v = xreallocarray(h->v, h->cap, sizeof *h->v);
	}
	x->at = at;
	heap_place(h, h->n++, x);
	heap_up(h, x->idx);
}

void
heap_cancel(struct heap *h, struct heap_node *x)
{
	size_t i = x->idx;
	struct heap_node *last;

	if (i == SIZE_MAX)
		return;
	x->idx = SIZE_MAX;
	last = h->v[--h->n];
	if (i == h->n)
		return;
	heap_place(h, i, last);
	heap_up(h, i);
	heap_down(h, last->idx);
}

struct heap_node *
heap_top(const struct heap *h)
{
	return h->n > 0 ? h->v[0] : NULL;
}
