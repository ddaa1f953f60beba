/*
 * heap — an indexed binary min-heap of deadlines. Each node is embedded in
 * the object it times (a task, a slot) and remembers its place in the heap,
 * so rearming and cancelling are O(log n) and an object can always be
 * removed before it is freed. The core uses it for every per-object timer
 * (backoffs, launch timeouts, unreachable grace, kill retries), which keeps
 * sched_next_deadline() O(1) and a tick O(expired log n).
 */
#ifndef ARK_HEAP_H
#define ARK_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_node {
	int64_t	 at;	/* deadline (monotonic ms) */
	size_t	 idx;	/* position in the heap; SIZE_MAX when not armed */
};

struct heap {
	struct heap_node **v;
	size_t	 n;
	size_t	 cap;
};

void		 heap_init(struct heap *);
void		 heap_clear(struct heap *);	/* frees the array, not nodes */
void		 heap_node_init(struct heap_node *);
/* Arms node at deadline at (or moves it there if already armed). */
void		 heap_set(struct heap *, struct heap_node *, int64_t at);
/* Disarms node; harmless if it is not armed. */
void		 heap_cancel(struct heap *, struct heap_node *);
/* The earliest node, NULL if the heap is empty. */
struct heap_node *heap_top(const struct heap *);
int		 heap_armed(const struct heap_node *);

#endif
