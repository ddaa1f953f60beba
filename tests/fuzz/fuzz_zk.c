/*
 * fuzz_zk — what arkd reads from ZooKeeper or a zk:// URL, on any bytes:
 * the first byte picks the parser, the rest is its input. A zk:// URL
 * (parsed hosts and path keep the shape the client needs), a master's
 * MasterInfo data (a URL comes back, or a reason), the framework_id node
 * of the election, and the sequence numbers of child names must never
 * crash and always answer one way or the other.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "leader.h"
#include "master-zk.h"
#include "xmalloc.h"
#include "zk.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Runs the child-name helpers on the NUL-separated names in s. */
static void
fuzz_names(const char *s, size_t n)
{
	char *names[32];
	size_t k = 0, i = 0;
	long lo, before;

	while (i < n && k < 32) {
		size_t len = strnlen(s + i, n - i);

		names[k++] = xstrndup(s + i, len);
		i += len + 1;
	}
	lo = zk_lowest(names, k, "json.info_");
	if (lo >= (long)k || (lo >= 0 && zk_seq(names[lo], "json.info_") < 0))
		abort();
	before = zk_before(names, k, "member_", 5000000000LL);
	if (before >= (long)k || (before >= 0 &&
	    zk_seq(names[before], "member_") >= 5000000000LL))
		abort();
	for (i = 0; i < k; i++)
		free(names[i]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data + 1;
	size_t n = size > 0 ? size - 1 : 0;
	char *s, *out, *cause = NULL;
	struct zk_url u;
	int removed;

	if (size == 0)
		return 0;
	s = xstrndup(p, n);
	switch (data[0] % 4) {
	case 0:
		if (zk_url_parse(s, &u, &cause) == 0) {
			if (u.hosts[0] == '\0' || u.path[0] != '/' ||
			    strcmp(u.path, "/") == 0)
				abort();
			zk_url_clear(&u);
		} else if (cause == NULL)
			abort();
		break;
	case 1:
		out = master_zk_info_url(p, n, &cause);
		if (out != NULL && strncmp(out, "http://", 7) != 0)
			abort();
		if (out == NULL && cause == NULL)
			abort();
		free(out);
		break;
	case 2:
		out = NULL;
		if (leader_fid_parse(p, n, &out, &removed, &cause) == 0) {
			if (out == NULL || *out == '\0')
				abort();
		} else if (cause == NULL || out != NULL)
			abort();
		free(out);
		break;
	default:
		fuzz_names(p, n);
		break;
	}
	free(cause);
	free(s);
	return 0;
}
