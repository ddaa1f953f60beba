/*
 * htab — the simulator's hash table: open addressing with linear probing
 * over byte-string keys that live inside the values (nothing is copied),
 * so a table of 100,000 tasks costs one 32-byte slot per entry. Deleted
 * slots are tombstones, swept by the next resize. Not thread safe.
 */
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "xmalloc.h"

#define HTAB_EMPTY	0
#define HTAB_DELETED	1

/* Hashes key bytes (64-bit multiply-xorshift); never 0 or 1. */
static uint64_t
htab_hash(const void *key, size_t n)
{
	const unsigned char *p = key;
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ (n * 0xff51afd7ed558ccdULL);
	uint64_t w;

	while (n >= 8) {
		memcpy(&w, p, 8);
		h ^= w * 0xc4ceb9fe1a85ec53ULL;
		h = (h << 31 | h >> 33) * 0x9e3779b97f4a7c15ULL;
		p += 8;
		n -= 8;
	}
	w = 0;
	if (n > 0)
		memcpy(&w, p, n);
	h ^= w * 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 32;
	return h < 2 ? h + 2 : h;
}

/* Sets up an empty table. */
void
htab_init(struct htab *t)
{
	memset(t, 0, sizeof *t);
}

/* Frees the slot array; the values stay with their owners. */
void
htab_clear(struct htab *t)
{
	free(t->slots);
	htab_init(t);
}

/* Returns the slot holding key, or NULL. */
static struct htab_slot *
htab_find(const struct htab *t, const void *key, size_t klen, uint64_t h)
{
	size_t mask, i;

	if (t->cap == 0)
		return NULL;
	mask = t->cap - 1;
	for (i = h & mask;; i = (i + 1) & mask) {
		struct htab_slot *s = &t->slots[i];

		if (s->hash == HTAB_EMPTY)
			return NULL;
		if (s->hash == h && s->klen == klen &&
		    memcmp(s->key, key, klen) == 0)
			return s;
	}
}

/* Rebuilds the table with room for at least want live entries. */
static void
htab_resize(struct htab *t, size_t want)
{
	struct htab_slot *old = t->slots;
	size_t oldcap = t->cap, cap = 16, i;

	while (cap < want * 2)
		cap *= 2;
	t->slots = xcalloc(cap, sizeof *t->slots);
	t->cap = cap;
	t->used = t->n;
	for (i = 0; i < oldcap; i++) {
		struct htab_slot *s = &old[i];
		size_t j;

		if (s->hash < 2)
			continue;
		for (j = s->hash & (cap - 1); t->slots[j].hash != HTAB_EMPTY;
		    j = (j + 1) & (cap - 1))
			;
		t->slots[j] = *s;
	}
	free(old);
}

/* Looks key up; NULL if absent. */
void *
htab_get(const struct htab *t, const void *key, size_t klen)
{
	struct htab_slot *s = htab_find(t, key, klen, htab_hash(key, klen));

	return s == NULL ? NULL : s->val;
}

/* Looks a NUL-terminated key up. */
void *
htab_gets(const struct htab *t, const char *key)
{
	return key == NULL ? NULL : htab_get(t, key, strlen(key));
}

/* Inserts or replaces key -> val; returns the value it replaced. */
void *
htab_put(struct htab *t, const void *key, size_t klen, void *val)
{
	uint64_t h = htab_hash(key, klen);
	struct htab_slot *s = htab_find(t, key, klen, h);
	size_t i, mask;
	void *prev;

	if (s != NULL) {
		prev = s->val;
		s->key = key;
		s->val = val;
		return prev;
	}
	if ((t->used + 1) * 4 >= t->cap * 3)
		htab_resize(t, t->n + 1);
	mask = t->cap - 1;
	for (i = h & mask; t->slots[i].hash >= 2; i = (i + 1) & mask)
		;
	if (t->slots[i].hash == HTAB_EMPTY)
		t->used++;
	t->slots[i].hash = h;
	t->slots[i].key = key;
	t->slots[i].klen = klen;
	t->slots[i].val = val;
	t->n++;
	return NULL;
}

/* Inserts under a NUL-terminated key. */
void *
htab_puts(struct htab *t, const char *key, void *val)
{
	return htab_put(t, key, strlen(key), val);
}

/* Removes key; returns its value or NULL. */
void *
htab_del(struct htab *t, const void *key, size_t klen)
{
	struct htab_slot *s = htab_find(t, key, klen, htab_hash(key, klen));
	void *val;

	if (s == NULL)
		return NULL;
	val = s->val;
	s->hash = HTAB_DELETED;
	s->key = NULL;
	s->val = NULL;
	t->n--;
	return val;
}

/* Removes a NUL-terminated key. */
void *
htab_dels(struct htab *t, const char *key)
{
	return htab_del(t, key, strlen(key));
}

/*
 * Returns the next value from position *i (start at 0), or NULL at the end.
 * The table must not change during an iteration, except by deleting the
 * entry just returned.
 */
void *
htab_next(const struct htab *t, size_t *i)
{
	while (*i < t->cap) {
		struct htab_slot *s = &t->slots[(*i)++];

		if (s->hash >= 2)
			return s->val;
	}
	return NULL;
}
