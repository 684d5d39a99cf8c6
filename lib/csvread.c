/* Streaming CSV reader on libcsv: maps the header to the caller's columns, delivers rows with the
 * line they start on, and turns every defect into a message naming file, line and column.
 * Memory is bounded: one 64 KiB read buffer and one row buffer, both reused for every row. */
#include "rollcall/csvread.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define CHUNK_SIZE (64 * 1024)
/* Limits on untrusted input: no MIS export comes near them, a broken or hostile file does. */
#define MAX_FILE_COLUMNS 512
#define MAX_ROW_BYTES    (1024 * 1024)

typedef struct reader {
	/* what the caller gave */
	const char *path;
	const csvread_column *cols;
	size_t ncols;
	csvread_row_fn row_fn;
	csvread_problem_fn problem_fn;
	void *user;
	char *err;
	size_t errlen;

	struct csv_parser parser;

	/* position: line of the bytes being fed, and of the row being assembled */
	unsigned long line;
	unsigned long row_line;
	bool row_open;    /* a row has begun and not yet ended */
	bool in_quote;    /* inside a quoted field (quote parity; exact for strict CSV) */
	size_t row_bytes; /* raw bytes of the open row, for MAX_ROW_BYTES */
	bool skipping;    /* the open row passed MAX_ROW_BYTES: read to its end, not parsed */

	/* header */
	bool have_header;
	size_t header_fields;
	int map[MAX_FILE_COLUMNS]; /* file column -> caller column, or -1 when unknown */

	/* the row being assembled: fields stored NUL-terminated in buf */
	size_t nfields;
	size_t off[MAX_FILE_COLUMNS];
	size_t flen[MAX_FILE_COLUMNS];
	char *buf;
	size_t used;
	size_t cap;

	csvread_row row;
	bool stop;
	int rc;
} reader;

__attribute__((format(printf, 2, 3))) static void set_err(reader *r, const char *fmt, ...)
{
	va_list ap;
	if (r->err == NULL || r->errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
}

static void fail(reader *r, int rc)
{
	r->stop = true;
	r->rc = rc;
}

/* Copies s[0..len) for a message: printable ASCII as is, other bytes as \xHH, at most 64 input
 * bytes. Header names are untrusted. */
static void printable(const char *s, size_t len, char *out, size_t outlen)
{
	size_t o = 0, i;
	for (i = 0; i < len && i < 64; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\'' && c != '\\') {
			if (o + 2 > outlen)
				break;
			out[o++] = (char)c;
		} else {
			if (o + 5 > outlen)
				break;
			snprintf(out + o, 5, "\\x%02x", c);
			o += 4;
		}
	}
	if (i < len && o + 4 <= outlen) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

static void trim(const char **s, size_t *len)
{
	while (*len > 0 && (**s == ' ' || **s == '\t')) {
		(*s)++;
		(*len)--;
	}
	while (*len > 0 && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
		(*len)--;
}

/* libcsv callback: one field of the current row. Copied, because libcsv reuses its buffer. */
static void on_field(void *field, size_t len, void *data)
{
	reader *r = data;
	size_t i = r->nfields++;

	if (r->stop || i >= MAX_FILE_COLUMNS)
		return; /* a row this wide is refused in on_row; no need to keep it */
	if (r->used + len + 1 > r->cap) {
		size_t ncap = r->cap * 2;
		char *nbuf;
		while (ncap < r->used + len + 1)
			ncap *= 2;
		nbuf = realloc(r->buf, ncap);
		if (nbuf == NULL) {
			set_err(r, "%s:%lu: out of memory", r->path, r->row_line);
			fail(r, -ENOMEM);
			return;
		}
		r->buf = nbuf;
		r->cap = ncap;
	}
	if (len > 0)
		memcpy(r->buf + r->used, field, len);
	r->buf[r->used + len] = '\0';
	r->off[i] = r->used;
	r->flen[i] = len;
	r->used += len + 1;
}

static void problem(reader *r, unsigned long line, unsigned column, bool is_error, const char *msg)
{
	if (r->problem_fn != NULL)
		r->problem_fn(r->user, r->path, line, column, msg, is_error);
}

static void on_header(reader *r)
{
	bool seen[CSVREAD_MAX_COLUMNS] = {false};
	char name[300], msg[400];

	if (r->nfields > MAX_FILE_COLUMNS) {
		set_err(r, "%s:%lu: header has %zu columns, at most %d are read", r->path,
		        r->row_line, r->nfields, MAX_FILE_COLUMNS);
		fail(r, -EINVAL);
		return;
	}
	for (size_t j = 0; j < r->nfields; j++) {
		const char *s = r->buf + r->off[j];
		size_t len = r->flen[j];
		int k = -1;

		trim(&s, &len);
		for (size_t c = 0; c < r->ncols && k < 0; c++)
			if (strlen(r->cols[c].name) == len &&
			    strncasecmp(s, r->cols[c].name, len) == 0)
				k = (int)c;
		r->map[j] = k;
		printable(s, len, name, sizeof(name));
		if (k < 0) {
			snprintf(msg, sizeof(msg), "unknown column '%s' ignored", name);
			problem(r, r->row_line, (unsigned)(j + 1), false, msg);
		} else if (seen[k]) {
			set_err(r, "%s:%lu: duplicate column '%s'", r->path, r->row_line, name);
			fail(r, -EINVAL);
			return;
		} else {
			seen[k] = true;
		}
	}
	for (size_t c = 0; c < r->ncols; c++) {
		if (r->cols[c].required && !seen[c]) {
			set_err(r, "%s:%lu: missing required column '%s'", r->path, r->row_line,
			        r->cols[c].name);
			fail(r, -EINVAL);
			return;
		}
	}
	r->have_header = true;
	r->header_fields = r->nfields;
	/* columns the file lacks stay NULL for every row */
	r->row.file = r->path;
	for (size_t c = 0; c < CSVREAD_MAX_COLUMNS; c++) {
		r->row.field[c] = NULL;
		r->row.len[c] = 0;
	}
}

static bool all_space(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return false;
	return true;
}

static void on_data_row(reader *r)
{
	int rc;

	/* A line of only spaces is as blank as an empty one (libcsv already drops those). */
	if (r->nfields == 1 && r->header_fields > 1 && all_space(r->buf, r->flen[0]))
		return;
	if (r->nfields != r->header_fields) {
		char msg[100];
		snprintf(msg, sizeof(msg), "row has %zu fields, header has %zu", r->nfields,
		         r->header_fields);
		problem(r, r->row_line, 0, true, msg);
		return;
	}
	for (size_t j = 0; j < r->nfields; j++) {
		int k = r->map[j];

		/* A NUL would end the field for everyone reading it as a C string and drop what
		 * follows unseen: the row is refused instead (what comes after may be a name). */
		if (k >= 0 && memchr(r->buf + r->off[j], '\0', r->flen[j])) {
			char msg[100];

			snprintf(msg, sizeof(msg), "column %zu contains a NUL byte; skipped",
			         j + 1);
			problem(r, r->row_line, (unsigned)(j + 1), true, msg);
			return;
		}
	}
	for (size_t j = 0; j < r->nfields; j++) {
		int k = r->map[j];
		if (k >= 0) {
			r->row.field[k] = r->buf + r->off[j];
			r->row.len[k] = r->flen[j];
		}
	}
	r->row.line = r->row_line;
	if (r->row_fn == NULL)
		return;
	rc = r->row_fn(r->user, &r->row);
	if (rc < 0)
		fail(r, rc);
}

/* libcsv callback: end of a row. */
static void on_row(int term, void *data)
{
	reader *r = data;

	if (!r->stop) {
		if (r->have_header)
			on_data_row(r);
		else
			on_header(r);
	}
	r->nfields = 0;
	r->used = 0;
	/* A bare CR ends a row mid-line; whatever follows starts on this line. */
	r->row_line = r->line;
}

/* Keeps every byte a field: spaces around unquoted fields are data (libcsv would trim them). */
static int no_space(unsigned char c)
{
	return 0;
}

static int parser_init(reader *r)
{
	if (csv_init(&r->parser, CSV_STRICT) != 0)
		return -ENOMEM;
	csv_set_space_func(&r->parser, no_space);
	csv_set_blk_size(&r->parser, 4096);
	return 0;
}

/* The open row is too long to be a register row: it becomes that row's rejection, and the rest
 * of it is read without parsing (quote parity still finds where it ends), so the rows after it
 * are read as usual and memory stays bounded. The parser starts afresh for the next row. */
static int skip_start(reader *r)
{
	csv_free(&r->parser);
	r->nfields = 0;
	r->used = 0;
	r->skipping = true;
	if (parser_init(r) < 0) {
		set_err(r, "%s:%lu: out of memory", r->path, r->row_line);
		return -ENOMEM;
	}
	return 0;
}

static void skip_end(reader *r)
{
	char msg[100];

	snprintf(msg, sizeof(msg), "row longer than %d bytes; skipped", MAX_ROW_BYTES);
	problem(r, r->row_line, 0, true, msg);
	r->skipping = false;
	r->row_open = false;
}

/* Feeds one piece of input to libcsv: a whole line with its '\n', or the part of a line that
 * ends a read chunk. Feeding line by line is what lets a row know the line it started on even
 * when a quoted field spans lines, and lets a callback's stop take effect within one line. */
static int feed(reader *r, const char *s, size_t n, bool ends_line)
{
	const char *q = s, *end = s + n;

	if (!r->row_open) {
		for (size_t i = 0; i < n; i++) {
			if (s[i] != '\r' && s[i] != '\n') {
				r->row_open = true;
				r->row_line = r->line;
				r->row_bytes = 0;
				break;
			}
		}
	}
	if (r->row_open)
		r->row_bytes += n;
	while ((q = memchr(q, '"', (size_t)(end - q))) != NULL) {
		r->in_quote = !r->in_quote;
		q++;
	}
	if (r->skipping) {
		if (ends_line) {
			r->line++;
			if (!r->in_quote)
				skip_end(r);
		}
		return 0;
	}
	if (csv_parse(&r->parser, s, n, on_field, on_row, r) != n) {
		if (r->stop)
			return r->rc;
		if (csv_error(&r->parser) == CSV_EPARSE) {
			set_err(r,
			        "%s:%lu: bad quoting (a quote inside an unquoted field, or text "
			        "after a closing quote)",
			        r->path, r->line);
			return -EINVAL;
		}
		set_err(r, "%s:%lu: %s", r->path, r->line, csv_strerror(csv_error(&r->parser)));
		return -ENOMEM;
	}
	if (r->stop)
		return r->rc;
	if (ends_line) {
		r->line++;
		r->row_open = r->in_quote;
	}
	if (r->row_open && r->row_bytes > MAX_ROW_BYTES) {
		int rc = skip_start(r);

		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Reads until buf is full or the file ends. Returns the byte count or -errno. */
static ssize_t read_full(int fd, char *buf, size_t size)
{
	size_t got = 0;
	while (got < size) {
		ssize_t n = read(fd, buf + got, size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		got += (size_t)n;
	}
	return (ssize_t)got;
}

int csvread_file(const char *path, const csvread_column *cols, size_t ncols, csvread_row_fn row_fn,
                 csvread_problem_fn problem_fn, void *user, char *err, size_t errlen)
{
	reader *r = NULL;
	char *chunk = NULL;
	int fd = -1, rc = 0;
	bool parser_ready = false, first = true;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL || (cols == NULL && ncols > 0) || ncols > CSVREAD_MAX_COLUMNS) {
		if (err != NULL && errlen > 0)
			snprintf(err, errlen, "%s: bad arguments to csvread_file",
			         path != NULL ? path : "(null)");
		return -EINVAL;
	}
	/* The reader is large (row offsets for MAX_FILE_COLUMNS): heap, once per file. */
	r = calloc(1, sizeof(*r));
	chunk = malloc(CHUNK_SIZE);
	if (r == NULL || chunk == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	r->path = path;
	r->cols = cols;
	r->ncols = ncols;
	r->row_fn = row_fn;
	r->problem_fn = problem_fn;
	r->user = user;
	r->err = err;
	r->errlen = errlen;
	r->line = 1;
	r->row_line = 1;
	r->cap = 4096;
	r->buf = malloc(r->cap);
	if (r->buf == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	if (parser_init(r) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	parser_ready = true;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		set_err(r, "%s: cannot open (%s)", path, strerror(-rc));
		goto out;
	}
	for (;;) {
		ssize_t n = read_full(fd, chunk, CHUNK_SIZE);
		const char *p = chunk, *end;
		if (n < 0) {
			rc = (int)n;
			set_err(r, "%s:%lu: read failed (%s)", path, r->line, strerror(-rc));
			goto out;
		}
		if (n == 0)
			break;
		end = chunk + n;
		if (first && n >= 3 && memcmp(chunk, "\xEF\xBB\xBF", 3) == 0)
			p += 3;
		first = false;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			const char *seg_end = nl != NULL ? nl + 1 : end;
			rc = feed(r, p, (size_t)(seg_end - p), nl != NULL);
			if (rc < 0)
				goto out;
			p = seg_end;
		}
	}
	if (r->in_quote) {
		set_err(r, "%s:%lu: unterminated quoted field", path, r->row_line);
		rc = -EINVAL;
		goto out;
	}
	if (r->skipping) /* the long row was the last, without a line end */
		skip_end(r);
	/* Delivers a last row that has no line end. */
	if (csv_fini(&r->parser, on_field, on_row, r) != 0 && !r->stop) {
		set_err(r, "%s:%lu: %s", path, r->row_line, csv_strerror(csv_error(&r->parser)));
		rc = -EINVAL;
		goto out;
	}
	if (r->stop) {
		rc = r->rc;
		goto out;
	}
	if (!r->have_header) {
		set_err(r, "%s:1: no header row", path);
		rc = -EINVAL;
		goto out;
	}
out:
	if (fd >= 0)
		close(fd);
	if (parser_ready)
		csv_free(&r->parser);
	if (r != NULL)
		free(r->buf);
	free(r);
	free(chunk);
	return rc;
}
