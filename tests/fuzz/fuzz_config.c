/* libFuzzer target: the configuration reader (lib/config: inih and the key table) on a file
 * holding the input, and --check-config's dump of what it read. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_file.h"
#include "rollcall/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rc_config cfg;
	char err[1024];

	if (config_load(&cfg, fuzz_file_write("fuzz.conf", data, size), err, sizeof(err)) == 0) {
		size_t n = config_dump(&cfg, NULL, 0);
		char *buf = malloc(n + 1);

		if (buf)
			config_dump(&cfg, buf, n + 1);
		free(buf);
		config_deinit(&cfg);
	}
	return 0;
}
