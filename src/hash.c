/*
 * hash — open addressing with linear probing over a power-of-two array.
 * The table grows when live entries plus tombstones pass half of it, and is
 * rebuilt at the same size when tombstones alone crowd it, so probes stay
 * short under the churn of tasks coming and going.
 */
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "xmalloc.h"

struct hash_entry {
	const char	*key;	/* NULL: empty; hash_tomb: deleted */
	void		*value;
	uint32_t	 h;
};

struct hash {
	struct hash_entry *v;
	size_t		 cap;	/* power of two */
	size_t		 n;	/* live entries */
	size_t		 tombs;	/* deleted entries still in the array */
};

static const char hash_tomb[1];

uint32_t
hash_string(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

struct hash *
hash_create(size_t hint)
{
	struct hash *t = xcalloc(1, sizeof *t);

	t->cap = 16;
	while (t->cap < hint * 2)
		t->cap *= 2;
	t->v = xcalloc(t->cap, sizeof *t->v);
	return t;
}

void
hash_free(struct hash *t)
{
	if (t == NULL)
		return;
	free(t->v);
	free(t);
}

size_t
hash_count(const struct hash *t)
{
	return t->n;
}

/* Returns the index of key's entry, or SIZE_MAX. */
static size_t
hash_find(const struct hash *t, const char *key, uint32_t h)
{
	size_t mask = t->cap - 1, i = h & mask;

	for (;;) {
		const struct hash_entry *e = &t->v[i];

		if (e->key == NULL)
			return SIZE_MAX;
		if (e->key != hash_tomb && e->h == h && strcmp(e->key, key) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

/* Rebuilds the array with cap slots, dropping tombstones. */
static void
hash_resize(struct hash *t, size_t cap)
{
	struct hash_entry *old = t->v;
	size_t oldcap = t->cap, mask = cap - 1;

	t->v = xcalloc(cap, sizeof *t->v);
	t->cap = cap;
	t->tombs = 0;
	for (size_t j = 0; j < oldcap; j++) {
		size_t i;

		if (old[j].key == NULL || old[j].key == hash_tomb)
			continue;
		i = old[j].h & mask;
		while (t->v[i].key != NULL)
			i = (i + 1) & mask;
		t->v[i] = old[j];
	}
	free(old);
}

void *
hash_get(const struct hash *t, const char *key)
{
	size_t i = hash_find(t, key, hash_string(key));

	return i == SIZE_MAX ? NULL : t->v[i].value;
}

void *
hash_put(struct hash *t, const char *key, void *value)
{
	uint32_t h = hash_string(key);
	size_t i = hash_find(t, key, h), mask;
	void *prev;

	if (i != SIZE_MAX) {
		prev = t->v[i].value;
		t->v[i].key = key;
		t->v[i].value = value;
		return prev;
	}
	if ((t->n + t->tombs + 1) * 2 > t->cap)
		hash_resize(t, t->n * 4 >= t->cap ? t->cap * 2 : t->cap);
	mask = t->cap - 1;
	i = h & mask;
	while (t->v[i].key != NULL && t->v[i].key != hash_tomb)
		i = (i + 1) & mask;
	if (t->v[i].key == hash_tomb)
		t->tombs--;
	t->v[i].key = key;
	t->v[i].value = value;
	t->v[i].h = h;
	t->n++;
	return NULL;
}

void *
hash_del(struct hash *t, const char *key)
{
	size_t i = hash_find(t, key, hash_string(key));
	void *prev;

	if (i == SIZE_MAX)
		return NULL;
	prev = t->v[i].value;
	t->v[i].key = hash_tomb;
	t->v[i].value = NULL;
	t->n--;
	t->tombs++;
	return prev;
}

void *
hash_next(const struct hash *t, size_t *it)
{
	while (*it < t->cap) {
		const struct hash_entry *e = &t->v[(*it)++];

		if (e->key != NULL && e->key != hash_tomb)
			return e->value;
	}
	return NULL;
}
