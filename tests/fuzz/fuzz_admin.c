/*
 * fuzz_admin — admin_parse on arbitrary requests. The input is split at
 * its first three newlines into method, path, query ("k=v&k=v") and body.
 * Invariants: a request comes back exactly when the status is 0; an error
 * always has a 4xx status and a message; a parsed request carries only
 * what the contract allows (known op, bounded instances, suspended -1/0/1,
 * printable ASCII ids without spaces, canonical task states).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "admin.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless s is NULL or an id admin.c may hand on. */
static void
check_word(const char *s)
{
	if (s == NULL)
		return;
	if (*s == '\0' || strlen(s) > 1024)
		abort();
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s > '~')
			abort();
}

/* Returns a copy of [p, p + n) as a string (caller frees). */
static char *
dup_n(const uint8_t *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	char *part[3] = { NULL, NULL, NULL };
	const char *query[17];
	const uint8_t *p = in, *end = in + n, *nl;
	char *q, *save = NULL, *kv;
	struct admin_req *r;
	char *cause = NULL;
	int status = -1, nq = 0;

	for (int i = 0; i < 3; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		part[i] = dup_n(p, (size_t)(nl - p));
		p = nl < end ? nl + 1 : end;
	}
	q = part[2];
	for (kv = strtok_r(q, "&", &save); kv != NULL && nq < 16;
	    kv = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(kv, '=');

		if (eq != NULL)
			*eq++ = '\0';
		query[nq++] = kv;
		query[nq++] = eq;
	}
	query[nq] = NULL;
	r = admin_parse(part[0], part[1], query, (const char *)p,
	    (size_t)(end - p), &status, &cause);
	if (r != NULL) {
		if (status != 0 || cause != NULL || r->op >= ADMIN_OP_MAX)
			abort();
		if (r->instances < -1 || r->instances > 100000)
			abort();
		if (r->suspended < -1 || r->suspended > 1)
			abort();
		check_word(r->arg);
		check_word(r->job);
		check_word(r->agent);
		if (r->state != NULL && strcmp(r->state, "LAUNCHING") != 0 &&
		    strncmp(r->state, "TASK_", 5) != 0)
			abort();
		if (r->op == ADMIN_PATCH_JOB && r->instances == -1 &&
		    r->suspended == -1)
			abort();
	} else if (status == 200) {
		if (cause != NULL)
			abort();
	} else if (status < 400 || status > 499 || cause == NULL ||
	    *cause == '\0')
		abort();
	admin_req_free(r);
	free(cause);
	for (int i = 0; i < 3; i++)
		free(part[i]);
	return 0;
}
