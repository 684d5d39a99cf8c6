/* The fuzz targets' temporary files (see fuzz_file.h). */
#include "fuzz_file.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char s_dir[512];

static void remove_dir(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", s_dir);
	if (system(cmd) != 0) {
		/* a leftover folder in TMPDIR is harmless */
	}
}

const char *fuzz_file_dir(void)
{
	if (!s_dir[0]) {
		const char *tmp = getenv("TMPDIR");

		snprintf(s_dir, sizeof(s_dir), "%s/rollcall-fuzz.XXXXXX",
		         tmp && tmp[0] ? tmp : "/tmp");
		if (!mkdtemp(s_dir))
			abort();
		atexit(remove_dir);
	}
	return s_dir;
}

const char *fuzz_file_write(const char *name, const uint8_t *data, size_t size)
{
	static char path[1024];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", fuzz_file_dir(), name);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		abort();
	for (size_t off = 0; off < size;) {
		ssize_t n = write(fd, data + off, size - off);

		if (n <= 0)
			abort();
		off += (size_t)n;
	}
	close(fd);
	return path;
}

static int take_pupil(void *user, const Rollcall__Pupil *p)
{
	return 0;
}

static int take_contact(void *user, const Rollcall__Contact *c)
{
	return 0;
}

static int take_mark(void *user, const Rollcall__Mark *m)
{
	return 0;
}

static int take_session(void *user, const Rollcall__CalendarSession *s)
{
	return 0;
}

static void ignore_reject(void *user, const char *file, unsigned long line, const char *field,
                          const char *reason)
{
}

static void ignore_warn(void *user, const char *file, unsigned long line, const char *message)
{
}

export_sink fuzz_null_sink(void)
{
	export_sink sink = {NULL,         take_pupil,    take_contact, take_mark,
	                    take_session, ignore_reject, ignore_warn};

	return sink;
}
