/* Unit tests for csvread.c: small CSV files written into a temporary folder, one table row per
 * case (BOM, CRLF, quoting, header mapping, bad rows, line numbers, stop), plus generated files
 * that cross the reader's 64 KiB chunk boundary and its limits. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "rollcall/csvread.h"

#define MAX_SEEN 64

typedef struct seen {
	const char *path;
	int stop_after; /* return -ECANCELED from the row_fn after this many rows; 0: never */
	int nrows;
	char rows[MAX_SEEN][256];
	int nproblems;
	char problems[MAX_SEEN][256];
} seen;

static const csvread_column s_cols[] = {
        {"upn", true}, {"date", true}, {"session", true}, {"code", false}, {"note", false},
};
#define NCOLS (sizeof(s_cols) / sizeof(s_cols[0]))

static int on_row(void *user, const csvread_row *row)
{
	seen *s = user;
	char line[256];
	size_t o;

	assert_string_equal(row->file, s->path);
	o = (size_t)snprintf(line, sizeof(line), "%lu", row->line);
	for (size_t c = 0; c < NCOLS; c++) {
		if (row->field[c] == NULL) {
			assert_int_equal(row->len[c], 0);
			o += (size_t)snprintf(line + o, sizeof(line) - o, "|-");
		} else {
			/* NUL-terminated at len */
			assert_int_equal(strlen(row->field[c]), row->len[c]);
			o += (size_t)snprintf(line + o, sizeof(line) - o, "|%s", row->field[c]);
		}
		assert_true(o < sizeof(line));
	}
	assert_true(s->nrows < MAX_SEEN);
	strcpy(s->rows[s->nrows++], line);
	if (s->stop_after > 0 && s->nrows >= s->stop_after)
		return -ECANCELED;
	return 0;
}

static void on_problem(void *user, const char *file, unsigned long line, unsigned column,
                       const char *message, bool is_error)
{
	seen *s = user;
	assert_string_equal(file, s->path);
	assert_true(s->nproblems < MAX_SEEN);
	snprintf(s->problems[s->nproblems++], 256, "%lu:%u:%c:%s", line, column,
	         is_error ? 'E' : 'W', message);
}

static char s_dir[64];

static int setup(void **state)
{
	strcpy(s_dir, "/tmp/rollcall-csvread-XXXXXX");
	return mkdtemp(s_dir) == NULL ? -1 : 0;
}

/* Also removes what a failed case left behind, so a failure does not litter /tmp. */
static int teardown(void **state)
{
	DIR *d = opendir(s_dir);
	struct dirent *e;
	char path[512];

	if (d == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", s_dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	return rmdir(s_dir);
}

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

#define BOM "\xEF\xBB\xBF"
#define END NULL

static const struct csv_case {
	const char *name;
	const char *data;
	int stop_after;
	int rc;
	const char *err; /* after "<path>", when rc != 0 */
	const char *rows[12];
	const char *problems[8];
} s_cases[] = {
        {"plain",
         "upn,date,session,code\nA1,2024-09-02,AM,/\nA2,2024-09-02,PM,N\n",
         0,
         0,
         NULL,
         {"2|A1|2024-09-02|AM|/|-", "3|A2|2024-09-02|PM|N|-", END},
         {END}},
        {"bom and crlf",
         BOM "upn,date,session\r\nA1,d1,AM\r\nA2,d2,PM\r\n",
         0,
         0,
         NULL,
         {"2|A1|d1|AM|-|-", "3|A2|d2|PM|-|-", END},
         {END}},
        {"bom only", BOM, 0, -EINVAL, ":1: no header row", {END}, {END}},
        {"empty file", "", 0, -EINVAL, ":1: no header row", {END}, {END}},
        {"header only", "upn,date,session\n", 0, 0, NULL, {END}, {END}},
        {"no final newline",
         "upn,date,session\nA1,d,AM",
         0,
         0,
         NULL,
         {"2|A1|d|AM|-|-", END},
         {END}},
        {"column order, case and spaces in header",
         " Session ,NOTE,UPN,\tDate,code \nAM,n,A1,d,/\n",
         0,
         0,
         NULL,
         {"2|A1|d|AM|/|n", END},
         {END}},
        {"quoted header",
         "\"upn\",\"date\",\"session\"\nA1,d,AM\n",
         0,
         0,
         NULL,
         {"2|A1|d|AM|-|-", END},
         {END}},
        {"quoting",
         "upn,date,session,note\n"
         "A1,d,AM,\"a,b\"\n"
         "A2,d,PM,\"say \"\"hi\"\"\"\n"
         "A3,d,AM,\"two\nlines\"\n"
         "A4,d,PM,\"\"\n"
         "\"A5\",d,AM,\"crlf\r\ninside\"\r\n"
         "A6,d,PM,after\n",
         0,
         0,
         NULL,
         {"2|A1|d|AM|-|a,b", "3|A2|d|PM|-|say \"hi\"", "4|A3|d|AM|-|two\nlines", "6|A4|d|PM|-|",
          "7|A5|d|AM|-|crlf\r\ninside", "9|A6|d|PM|-|after", END},
         {END}},
        {"spaces and empty fields kept",
         "upn,date,session,note\n A1 ,,AM,\t\n",
         0,
         0,
         NULL,
         {"2| A1 ||AM|-|\t", END},
         {END}},
        {"blank lines skipped",
         "upn,date,session\n\nA1,d,AM\n\r\n   \n\nA2,d,PM\n\n",
         0,
         0,
         NULL,
         {"3|A1|d|AM|-|-", "7|A2|d|PM|-|-", END},
         {END}},
        {"unknown columns",
         "upn,extra,date,session,Other\nA1,x,d,AM,y\n",
         0,
         0,
         NULL,
         {"2|A1|d|AM|-|-", END},
         {"1:2:W:unknown column 'extra' ignored", "1:5:W:unknown column 'Other' ignored", END}},
        {"missing required column",
         "upn,date,code\nA1,d,/\n",
         0,
         -EINVAL,
         ":1: missing required column 'session'",
         {END},
         {END}},
        {"duplicate column",
         "upn,date,session,UPN \nA1,d,AM,A1\n",
         0,
         -EINVAL,
         ":1: duplicate column 'UPN'",
         {END},
         {END}},
        {"duplicate optional column",
         "upn,date,session,note,note\n",
         0,
         -EINVAL,
         ":1: duplicate column 'note'",
         {END},
         {END}},
        {"bad field count",
         "upn,date,session\nA1,d\nA2,d,AM,x\nA3,d,PM\n,\n",
         0,
         0,
         NULL,
         {"4|A3|d|PM|-|-", END},
         {"2:0:E:row has 2 fields, header has 3", "3:0:E:row has 4 fields, header has 3",
          "5:0:E:row has 2 fields, header has 3", END}},
        {"line numbers after a multi-line field",
         "upn,date,session,note\nA1,d,AM,\"l1\nl2\n\nl4\"\nA2,d\nA3,d,PM,x\n",
         0,
         0,
         NULL,
         {"2|A1|d|AM|-|l1\nl2\n\nl4", "7|A3|d|PM|-|x", END},
         {"6:0:E:row has 2 fields, header has 4", END}},
        {"multi-line header",
         "upn,\"da\nte\",date,session\nA1,x,d,AM\n",
         0,
         0,
         NULL,
         {"3|A1|d|AM|-|-", END},
         {"1:2:W:unknown column 'da\\x0ate' ignored", END}},
        {"unterminated quote",
         "upn,date,session\nA1,d,AM\nA2,d,\"PM\nA3,d,AM\n",
         0,
         -EINVAL,
         ":3: unterminated quoted field",
         {"2|A1|d|AM|-|-", END},
         {END}},
        {"quote inside unquoted field",
         "upn,date,session\nA1,d,AM\nA1,d\"x,AM\n",
         0,
         -EINVAL,
         ":3: bad quoting (a quote inside an unquoted field, or text after a closing quote)",
         {"2|A1|d|AM|-|-", END},
         {END}},
        {"text after closing quote",
         "upn,date,session\n\"A1\"x,d,AM\n",
         0,
         -EINVAL,
         ":2: bad quoting (a quote inside an unquoted field, or text after a closing quote)",
         {END},
         {END}},
        {"stop from callback",
         "upn,date,session\nA1,d,AM\nA2,d,PM\nA3,d,AM\nA4,d,PM\n",
         2,
         -ECANCELED,
         "",
         {"2|A1|d|AM|-|-", "3|A2|d|PM|-|-", END},
         {END}},
        {"stop on the last row without newline",
         "upn,date,session\nA1,d,AM",
         1,
         -ECANCELED,
         "",
         {"2|A1|d|AM|-|-", END},
         {END}},
};

static void run_case(const struct csv_case *c, size_t i)
{
	char path[128], err[256];
	seen *s = calloc(1, sizeof(*s));
	int rc, n;

	assert_non_null(s);
	snprintf(path, sizeof(path), "%s/case%zu.csv", s_dir, i);
	write_file(path, c->data, strlen(c->data));
	s->path = path;
	s->stop_after = c->stop_after;
	strcpy(err, "untouched");
	rc = csvread_file(path, s_cols, NCOLS, on_row, on_problem, s, err, sizeof(err));
	if (rc != c->rc)
		fail_msg("case '%s': rc %d, want %d (%s)", c->name, rc, c->rc, err);
	if (rc != 0) {
		char want[256];
		snprintf(want, sizeof(want), "%s%s", c->err[0] != '\0' ? path : "", c->err);
		if (strcmp(err, want) != 0)
			fail_msg("case '%s': err \"%s\", want \"%s\"", c->name, err, want);
	}
	for (n = 0; c->rows[n] != NULL; n++) {
		if (n >= s->nrows)
			fail_msg("case '%s': only %d rows, want row \"%s\"", c->name, s->nrows,
			         c->rows[n]);
		if (strcmp(s->rows[n], c->rows[n]) != 0)
			fail_msg("case '%s': row %d \"%s\", want \"%s\"", c->name, n, s->rows[n],
			         c->rows[n]);
	}
	if (s->nrows != n)
		fail_msg("case '%s': %d rows, want %d", c->name, s->nrows, n);
	for (n = 0; c->problems[n] != NULL; n++) {
		if (n >= s->nproblems)
			fail_msg("case '%s': only %d problems, want \"%s\"", c->name, s->nproblems,
			         c->problems[n]);
		if (strcmp(s->problems[n], c->problems[n]) != 0)
			fail_msg("case '%s': problem %d \"%s\", want \"%s\"", c->name, n,
			         s->problems[n], c->problems[n]);
	}
	if (s->nproblems != n)
		fail_msg("case '%s': %d problems, want %d", c->name, s->nproblems, n);
	/* The same file with no problem_fn gives the same rc and rows. */
	s->nrows = 0;
	rc = csvread_file(path, s_cols, NCOLS, on_row, NULL, s, err, sizeof(err));
	assert_int_equal(rc, c->rc);
	assert_int_equal(unlink(path), 0);
	free(s);
}

static void test_cases(void **state)
{
	for (size_t i = 0; i < sizeof(s_cases) / sizeof(s_cases[0]); i++)
		run_case(&s_cases[i], i);
}

static void test_missing_file_and_arguments(void **state)
{
	char path[128], err[256];
	snprintf(path, sizeof(path), "%s/absent.csv", s_dir);
	assert_int_equal(csvread_file(path, s_cols, NCOLS, on_row, NULL, NULL, err, sizeof(err)),
	                 -ENOENT);
	assert_non_null(strstr(err, "absent.csv: cannot open"));
	assert_int_equal(csvread_file(NULL, s_cols, NCOLS, on_row, NULL, NULL, err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(csvread_file(path, s_cols, CSVREAD_MAX_COLUMNS + 1, on_row, NULL, NULL,
	                              err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(csvread_file(path, NULL, 1, on_row, NULL, NULL, NULL, 0), -EINVAL);
}

/* Counts rows and checks each one against what gen_big wrote. */
typedef struct big {
	unsigned long rows;
	unsigned long want_line;
	int bad;
} big;

static int on_big_row(void *user, const csvread_row *row)
{
	big *b = user;
	char want[64];
	unsigned long i = b->rows++;

	snprintf(want, sizeof(want), "U%lu", i);
	if (row->line != b->want_line || strcmp(row->field[0], want) != 0)
		b->bad++;
	/* every 97th row carries a three-line note */
	if (i % 97 == 0) {
		if (row->len[4] != 20000 + 3 || row->field[4][10000] != '\n')
			b->bad++;
		b->want_line += 3;
	} else {
		if (strcmp(row->field[4], "short, \"quoted\"") != 0)
			b->bad++;
		b->want_line += 1;
	}
	return 0;
}

/* Thousands of rows, some with 20 KB multi-line quoted notes and CRLF, so rows, CRLF pairs and
 * quoted newlines fall across the 64 KiB read boundary in many different places. */
static void test_chunk_boundaries(void **state)
{
	char path[128], err[256];
	big b = {0, 2, 0};
	const unsigned long nrows = 3000;
	FILE *f;

	snprintf(path, sizeof(path), "%s/big.csv", s_dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs(BOM "upn,date,session,code,note\r\n", f);
	for (unsigned long i = 0; i < nrows; i++) {
		fprintf(f, "U%lu,2024-09-02,AM,/,", i);
		if (i % 97 == 0) {
			fputc('"', f);
			for (int k = 0; k < 20000; k++) {
				if (k == 10000)
					fputs("\n\r\n", f);
				fputc('a' + k % 26, f);
			}
			fputs("\"\r\n", f);
		} else {
			fputs("\"short, \"\"quoted\"\"\"\r\n", f);
		}
	}
	assert_int_equal(fclose(f), 0);
	assert_int_equal(csvread_file(path, s_cols, NCOLS, on_big_row, NULL, &b, err, sizeof(err)),
	                 0);
	assert_int_equal(b.rows, nrows);
	assert_int_equal(b.bad, 0);
	assert_int_equal(unlink(path), 0);
}

/* Counts rows and remembers the last problem. */
typedef struct limits_seen {
	unsigned long rows, problems, problem_line;
	char problem[160];
} limits_seen;

static int on_limits_row(void *user, const csvread_row *row)
{
	((limits_seen *)user)->rows++;
	return 0;
}

static void on_limits_problem(void *user, const char *file, unsigned long line, unsigned column,
                              const char *message, bool is_error)
{
	limits_seen *l = user;

	l->problems++;
	l->problem_line = line;
	snprintf(l->problem, sizeof(l->problem), "%s", message);
}

/* Untrusted sizes: a row past the limit (one oversized field, quoted over many lines or not) is
 * that row's rejection and the rows after it are read; an endless quoted field and an absurdly
 * wide header are refused. */
static void test_limits(void **state)
{
	static const char *const big_field[] = {"", "\""}; /* unquoted, quoted over many lines */
	char path[128], err[256];
	limits_seen l;
	FILE *f;

	snprintf(path, sizeof(path), "%s/limits.csv", s_dir);
	for (size_t q = 0; q < 2; q++) {
		f = fopen(path, "wb");
		assert_non_null(f);
		fprintf(f, "upn,date,session\nA1,d,AM\nA2,d,%s", big_field[q]);
		for (int k = 0; k < 3 * 1024 * 1024 / 64; k++)
			fputs(q ? "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			          "\n"
			        : "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
			          "x",
			      f);
		fprintf(f, "%s\nA3,d,PM\nA4,d,AM\n", big_field[q]);
		assert_int_equal(fclose(f), 0);
		memset(&l, 0, sizeof(l));
		assert_int_equal(csvread_file(path, s_cols, NCOLS, on_limits_row, on_limits_problem,
		                              &l, err, sizeof(err)),
		                 0);
		assert_int_equal(l.rows, 3);
		assert_int_equal(l.problems, 1);
		assert_int_equal(l.problem_line, 3);
		assert_string_equal(l.problem, "row longer than 1048576 bytes; skipped");
	}

	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("upn,date,session\nA1,d,AM\nA2,d,\"", f);
	for (int k = 0; k < 3 * 1024 * 1024 / 64; k++)
		fputs("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", f);
	assert_int_equal(fclose(f), 0);
	memset(&l, 0, sizeof(l));
	assert_int_equal(csvread_file(path, s_cols, NCOLS, on_limits_row, on_limits_problem, &l,
	                              err, sizeof(err)),
	                 -EINVAL);
	assert_int_equal(l.rows, 1);
	assert_non_null(strstr(err, "limits.csv:3: unterminated quoted field"));

	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("upn,date,session", f);
	for (int k = 0; k < 600; k++)
		fprintf(f, ",x%d", k);
	fputs("\n", f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(
	        csvread_file(path, s_cols, NCOLS, on_limits_row, NULL, &l, err, sizeof(err)),
	        -EINVAL);
	assert_non_null(strstr(err, "limits.csv:1: header has 603 columns, at most 512 are read"));
	assert_int_equal(unlink(path), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cases),
	        cmocka_unit_test(test_missing_file_and_arguments),
	        cmocka_unit_test(test_chunk_boundaries),
	        cmocka_unit_test(test_limits),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
