/* What the fuzz targets that read a file share: the input written to a file of the process's
 * own (in a temporary folder made once), so a reader is fuzzed through its real entry point,
 * and a sink for the export readers that keeps nothing. */
#ifndef ROLLCALL_FUZZ_FILE_H
#define ROLLCALL_FUZZ_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "export.h"

/* Writes data[0..size) to name inside the process's temporary folder (mode 0600) and returns
 * the file's path (static storage), or aborts: a harness that cannot write is broken. */
const char *fuzz_file_write(const char *name, const uint8_t *data, size_t size);

/* The temporary folder itself. */
const char *fuzz_file_dir(void);

/* An export sink whose callbacks accept every item and ignore every message. */
export_sink fuzz_null_sink(void);

#endif
