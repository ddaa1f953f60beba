/*
 * fuzz_config — parses the input as arkd.json. Whatever the input, the
 * parser either returns a configuration or a message that starts with the
 * file name and a line number; a configuration it returns must survive
 * config_to_json and config_parse unchanged (same jobs, same hashes) and
 * must dump.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "xmalloc.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t n)
{
	struct config *cfg, *again;
	char *text, *cause = NULL, *json, *dump;

	if (n > 1 << 16 || memchr(in, '\0', n) != NULL)
		return 0;
	text = xstrndup((const char *)in, n);
	cfg = config_parse(text, "fuzz.json", &cause);
	free(text);
	if (cfg == NULL) {
		if (cause == NULL || strncmp(cause, "fuzz.json:", 10) != 0 ||
		    cause[10] < '0' || cause[10] > '9')
			abort();
		free(cause);
		return 0;
	}
	json = config_to_json(cfg);
	again = config_parse(json, "again.json", &cause);
	if (again == NULL || again->njobs != cfg->njobs)
		abort();
	for (size_t i = 0; i < cfg->njobs; i++)
		if (strcmp(again->jobs[i].hash, cfg->jobs[i].hash) != 0 ||
		    strcmp(again->jobs[i].id, cfg->jobs[i].id) != 0)
			abort();
	dump = config_dump(cfg);
	if (dump == NULL)
		abort();
	free(dump);
	free(json);
	config_free(again);
	config_free(cfg);
	return 0;
}
