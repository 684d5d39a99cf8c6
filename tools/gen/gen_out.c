/* Buffered file output for rollcall-gen (see gen_out.h). */
#include "gen_out.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rollcall/csvwrite.h"

#include "rollcall/date.h"

int out_open(gen_out *o, const char *path, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	snprintf(o->path, sizeof(o->path), "%s", path);
	o->buf = malloc(OUT_BUFSIZE);
	if (o->buf == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	o->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (o->fd < 0) {
		int e = errno;
		snprintf(err, errlen, "%s: cannot create (%s)", path, strerror(e));
		free(o->buf);
		o->buf = NULL;
		return -e;
	}
	return 0;
}

void out_flush(gen_out *o)
{
	size_t done = 0;

	while (done < o->len && o->error == 0) {
		ssize_t n = write(o->fd, o->buf + done, o->len - done);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			o->error = errno;
			break;
		}
		done += (size_t)n;
	}
	o->len = 0;
}

int out_close(gen_out *o, char *err, size_t errlen)
{
	int rc = 0;

	if (o->buf == NULL) /* never opened, or already closed */
		return 0;
	if (o->fd >= 0) {
		out_flush(o);
		if (close(o->fd) != 0 && o->error == 0)
			o->error = errno;
		o->fd = -1;
		if (o->error != 0) {
			snprintf(err, errlen, "%s: write failed (%s)", o->path, strerror(o->error));
			rc = -o->error;
		}
	}
	free(o->buf);
	o->buf = NULL;
	return rc;
}

void out_csv(gen_out *o, const char *s)
{
	size_t n = strlen(s);
	char *p = out_reserve(o, CSVWRITE_CELL_MAX(n));
	size_t k = csvwrite_cell(p, s, n, true);

	o->len += k;
	o->total += k;
}

void out_uint(gen_out *o, uint64_t v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	char *p = out_reserve(o, (size_t)n);
	for (int i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	o->len += (size_t)n;
	o->total += (uint64_t)n;
}

static void put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10);
	p[1] = (char)('0' + v % 10);
}

void out_fmt_date(char *p, int32_t day)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	put2(p, y / 100);
	put2(p + 2, y % 100);
	p[4] = '-';
	put2(p + 5, m);
	p[7] = '-';
	put2(p + 8, d);
}

void out_date(gen_out *o, int32_t day)
{
	out_fmt_date(out_reserve(o, 10), day);
	o->len += 10;
	o->total += 10;
}

void out_fmt_ts(char *p, int32_t day, int sec_of_day, int off_hours)
{
	out_fmt_date(p, day);
	p[10] = 'T';
	put2(p + 11, sec_of_day / 3600);
	p[13] = ':';
	put2(p + 14, sec_of_day / 60 % 60);
	p[16] = ':';
	put2(p + 17, sec_of_day % 60);
	p[19] = '+';
	put2(p + 20, off_hours);
	memcpy(p + 22, ":00", 3);
}
