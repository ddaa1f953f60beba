/*
 * fuzz_master_url — the URL handling of the master connection on any bytes:
 * the input (up to its first NUL) is a configured master URL, the rest a
 * Location header. Normalising, resolving the Location against the result,
 * and deriving the operator endpoint and host:port must never crash, and
 * every URL they return must keep the "scheme://host" shape the rest of
 * master.c relies on.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "master.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Aborts unless url starts with http:// or https:// and a host. */
static void
check_url(const char *url)
{
	const char *p;

	if (strncasecmp(url, "http://", 7) == 0)
		p = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		p = url + 8;
	else
		abort();
	if (*p == '\0' || *p == '/')
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = xstrndup((const char *)data, size);
	size_t n = strlen(in);
	const char *loc = n < size ? (const char *)data + n + 1 : "";
	char *locs = xstrndup(loc, size - (n < size ? n + 1 : size));
	char *url, *to, *op, *hp, *cause = NULL;

	url = master_url_normalize(in, &cause);
	if (url == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
		url = xstrdup("http://127.0.0.1:5050/api/v1/scheduler");
	}
	check_url(url);
	cause = NULL;
	to = master_location_resolve(url, locs, &cause);
	if (to == NULL) {
		if (cause == NULL)
			abort();
		free(cause);
	} else {
		check_url(to);
		op = master_url_operator(to);
		check_url(op);
		hp = master_url_hostport(to);
		free(op);
		free(hp);
		free(to);
	}
	free(url);
	free(locs);
	free(in);
	return 0;
}
