/*
 * hash — a string-keyed hash table of pointers (open addressing, linear
 * probing, tombstones). Keys are borrowed, not copied: each key must live in
 * the value it maps to (or elsewhere) for as long as the entry exists, which
 * keeps a put free of allocations. Lookups hash the key once and compare the
 * stored hash before the string. Iteration follows the table's slots, so it
 * is deterministic for a given history of puts and deletes; deleting the
 * current item while iterating is safe, inserting is not.
 */
#ifndef ARK_HASH_H
#define ARK_HASH_H

#include <stddef.h>
#include <stdint.h>

struct hash;

/* Returns an empty table sized for about hint entries (caller frees). */
struct hash	*hash_create(size_t hint);
/* Frees the table, not the values; accepts NULL. */
void		 hash_free(struct hash *);
size_t		 hash_count(const struct hash *);
/* Returns the value of key, NULL if absent. */
void		*hash_get(const struct hash *, const char *key);
/* Maps key (borrowed) to value; returns the value it replaces or NULL. */
void		*hash_put(struct hash *, const char *key, void *value);
/* Removes key; returns its value or NULL if absent. */
void		*hash_del(struct hash *, const char *key);
/* Iterates: *it starts at 0; returns the next value or NULL at the end. */
void		*hash_next(const struct hash *, size_t *it);
/* The hash function (FNV-1a, 32 bits). */
uint32_t	 hash_string(const char *);

#endif
