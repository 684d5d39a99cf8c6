/* libFuzzer target: rollcall-push's Common Transfer File reader (libxml2 under tools/push's
 * export_ctf) through export_read_ctf, on a file holding the input. */
#include <stddef.h>
#include <stdint.h>

#include "export.h"
#include "fuzz_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_pupil(void *user, const Rollcall__Pupil *p)
{
	return 0;
}

static int on_contact(void *user, const Rollcall__Contact *c)
{
	return 0;
}

static int on_mark(void *user, const Rollcall__Mark *m)
{
	return 0;
}

static int on_session(void *user, const Rollcall__CalendarSession *s)
{
	return 0;
}

static void on_reject(void *user, const char *file, unsigned long line, const char *field,
                      const char *reason)
{
}

static void on_warn(void *user, const char *file, unsigned long line, const char *message)
{
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	export_sink sink = {NULL, on_pupil, on_contact, on_mark, on_session, on_reject, on_warn};
	export_info info;
	char err[512];

	(void)export_read_ctf(fuzz_file_write("fuzz.xml", data, size), &sink, &info, err,
	                      sizeof(err));
	return 0;
}
