/* Unit tests for lib/csvwrite: RFC 4180 quoting and the formula guard of contract.md §2, cell by
 * cell, and a row through the stream writer (read back by the project's own CSV reader). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rollcall/csvread.h"
#include "rollcall/csvwrite.h"

static const struct {
	const char *in;
	bool guard;
	const char *out;
} CELLS[] = {
        {"", true, ""},
        {"plain", true, "plain"},
        {"two words", true, "two words"},
        {"a,b", true, "\"a,b\""},
        {"say \"hi\"", true, "\"say \"\"hi\"\"\""},
        {"line\nbreak", true, "\"line\nbreak\""},
        {"cr\rhere", true, "\"cr\rhere\""},
        {"=SUM(A1:A2)", true, "'=SUM(A1:A2)"},
        {"+44 1234", true, "'+44 1234"},
        {"-2", true, "'-2"},
        {"@cmd", true, "'@cmd"},
        {"=1,2", true, "\"'=1,2\""},
        {"=HYPERLINK(\"x\")", true, "\"'=HYPERLINK(\"\"x\"\")\""},
        {"a=b", true, "a=b"},
        {" =x", true, " =x"},
        {"=x", false, "=x"},
        {"-2.5", false, "-2.5"},
        {"Ünïcödé, ok", true, "\"Ünïcödé, ok\""},
};

static void test_cells(void **state)
{
	for (size_t i = 0; i < sizeof(CELLS) / sizeof(CELLS[0]); i++) {
		char buf[128];
		size_t n = strlen(CELLS[i].in);
		size_t k = csvwrite_cell(buf, CELLS[i].in, n, CELLS[i].guard);

		assert_true(k <= CSVWRITE_CELL_MAX(n));
		buf[k] = '\0';
		print_message("cell %zu\n", i);
		assert_string_equal(buf, CELLS[i].out);
	}
}

typedef struct back {
	char cells[2][4][64];
	int rows;
} back;

static int on_row(void *user, const csvread_row *row)
{
	back *b = user;

	assert_true(b->rows < 2);
	for (int i = 0; i < 4; i++)
		snprintf(b->cells[b->rows][i], sizeof(b->cells[b->rows][i]), "%s",
		         row->field[i] ? row->field[i] : "");
	b->rows++;
	return 0;
}

/* A row written with the stream writer reads back as the same cells (but the guard's '). */
static void test_stream_round_trip(void **state)
{
	static const char *const header[] = {"name", "n", "day", "note", NULL};
	static const csvread_column cols[] = {
	        {"name", true}, {"n", true}, {"day", true}, {"note", true}};
	char path[] = "/tmp/rc_csvwrite.XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	back b = {0};
	csvw w;

	assert_non_null(f);
	csvw_init(&w, f);
	csvw_header(&w, header);
	csvw_text(&w, "O'Neil, \"Jo\"");
	csvw_uint(&w, 1234567);
	csvw_date(&w, 20000); /* 2024-10-04 */
	csvw_text(&w, "=cmd|' /C calc'!A0");
	csvw_end(&w);
	csvw_text(&w, NULL);
	csvw_raw(&w, "");
	csvw_date(&w, INT32_MAX);
	csvw_text_n(&w, "cut here", 3);
	csvw_end(&w);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(csvread_file(path, cols, 4, on_row, NULL, &b, err, sizeof(err)), 0);
	assert_int_equal(b.rows, 2);
	assert_string_equal(b.cells[0][0], "O'Neil, \"Jo\"");
	assert_string_equal(b.cells[0][1], "1234567");
	assert_string_equal(b.cells[0][2], "2024-10-04");
	assert_string_equal(b.cells[0][3], "'=cmd|' /C calc'!A0");
	assert_string_equal(b.cells[1][0], "");
	assert_string_equal(b.cells[1][1], "");
	assert_string_equal(b.cells[1][2], "");
	assert_string_equal(b.cells[1][3], "cut");
	remove(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_cells),
	        cmocka_unit_test(test_stream_round_trip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
