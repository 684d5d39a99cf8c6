/* libFuzzer target: rollcall-push's Common Transfer File reader (libxml2 under tools/push's
 * export_ctf) through export_read_ctf, on a file holding the input. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	export_sink sink = fuzz_null_sink();
	export_info info;
	char err[512];

	(void)export_read_ctf(fuzz_file_write("fuzz.xml", data, size), &sink, &info, err,
	                      sizeof(err));
	return 0;
}
