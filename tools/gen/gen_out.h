/* Fast buffered CSV output for the generator: one large buffer per file, written with write(2),
 * RFC 4180 quoting for free text and hand-formatted numbers and dates (no printf per field). */
#ifndef ROLLCALL_GEN_OUT_H
#define ROLLCALL_GEN_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define OUT_BUFSIZE (4u << 20)

typedef struct gen_out {
	int fd;
	int error;       /* first errno of a failed write, or 0 */
	size_t len;      /* bytes waiting in buf */
	uint64_t total;  /* bytes written so far (flushed or not) */
	char *buf;       /* OUT_BUFSIZE bytes */
	char path[4096]; /* for messages */
} gen_out;

/* Creates (truncates) path for writing. Returns 0 or a negative errno with a message in err. */
int out_open(gen_out *o, const char *path, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Writes what is buffered. A failure is remembered and reported by out_close. */
void out_flush(gen_out *o);

/* Flushes, closes and frees. Returns 0 or the first write/close error (negative errno) with a
 * message naming the file in err. NULL-safe on a never-opened (zeroed) writer. */
int out_close(gen_out *o, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Room for n more bytes (n <= OUT_BUFSIZE); returns where to write them. The caller then adds
 * what it wrote to o->len. */
static inline char *out_reserve(gen_out *o, size_t n)
{
	if (o->len + n > OUT_BUFSIZE)
		out_flush(o);
	return o->buf + o->len;
}

static inline void out_mem(gen_out *o, const void *p, size_t n)
{
	memcpy(out_reserve(o, n), p, n);
	o->len += n;
	o->total += n;
}

static inline void out_str(gen_out *o, const char *s)
{
	out_mem(o, s, strlen(s));
}

static inline void out_char(gen_out *o, char c)
{
	*out_reserve(o, 1) = c;
	o->len++;
	o->total++;
}

/* A text field as lib/csvwrite writes one (RFC 4180 quoting, formula guard); at most
 * CSVWRITE_CELL_MAX(strlen(s)) <= OUT_BUFSIZE bytes. */
void out_csv(gen_out *o, const char *s);

/* A non-negative decimal number. */
void out_uint(gen_out *o, uint64_t v);

/* Writes day as "YYYY-MM-DD" into p (10 bytes, no NUL). */
void out_fmt_date(char *p, int32_t day);

/* A date field "YYYY-MM-DD". */
void out_date(gen_out *o, int32_t day);

/* Writes "YYYY-MM-DDTHH:MM:SS+HH:00" (25 bytes, no NUL) for local time sec_of_day on day at
 * UTC offset off_hours (0 or 1 in England). */
void out_fmt_ts(char *p, int32_t day, int sec_of_day, int off_hours);

#endif
