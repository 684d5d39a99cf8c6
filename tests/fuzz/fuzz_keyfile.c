/* libFuzzer target: the CURVE key file reader (lib/keyfile), with and without a secret
 * required, on a file of mode 0600 holding the input. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_file.h"
#include "rollcall/keyfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file_write("fuzz.key", data, size);
	keypair kp;
	char err[512];

	(void)keyfile_read(path, &kp, 0, err, sizeof(err));
	(void)keyfile_read(path, &kp, 1, err, sizeof(err));
	return 0;
}
