/* CSV cells: RFC 4180 quoting and the formula guard. */
#include "rollcall/csvwrite.h"

#include <inttypes.h>
#include <string.h>

#include "rollcall/date.h"

/* How a text cell is written: quoted (it holds a comma, quote, CR or LF) and/or with a leading '
 * (it would start a formula). */
static void cell_plan(const char *s, size_t n, bool guard, bool *quote, bool *lead)
{
	*quote = false;
	for (size_t i = 0; i < n && !*quote; i++)
		*quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
	*lead = guard && n > 0 && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@');
}

size_t csvwrite_cell(char *out, const char *s, size_t n, bool guard)
{
	bool quote, lead;
	size_t k = 0;

	n = s ? strnlen(s, n) : 0;
	cell_plan(s, n, guard, &quote, &lead);
	if (quote)
		out[k++] = '"';
	if (lead)
		out[k++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			out[k++] = '"';
		out[k++] = s[i];
	}
	if (quote)
		out[k++] = '"';
	return k;
}

void csvw_init(csvw *w, FILE *f)
{
	w->f = f;
	w->col = 0;
}

static void sep(csvw *w)
{
	if (w->col++)
		fputc(',', w->f);
}

void csvw_text_n(csvw *w, const char *s, size_t n)
{
	bool quote, lead;

	sep(w);
	n = s ? strnlen(s, n) : 0;
	cell_plan(s, n, true, &quote, &lead);
	if (quote)
		fputc('"', w->f);
	if (lead)
		fputc('\'', w->f);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			fputc('"', w->f);
		fputc(s[i], w->f);
	}
	if (quote)
		fputc('"', w->f);
}

void csvw_text(csvw *w, const char *s)
{
	csvw_text_n(w, s, s ? strlen(s) : 0);
}

void csvw_raw(csvw *w, const char *s)
{
	sep(w);
	if (s)
		fputs(s, w->f);
}

void csvw_uint(csvw *w, uint64_t v)
{
	sep(w);
	fprintf(w->f, "%" PRIu64, v);
}

void csvw_date(csvw *w, int32_t day)
{
	char d[11];

	sep(w);
	if (day != INT32_MAX)
		fputs(date_format(day, d), w->f);
}

void csvw_end(csvw *w)
{
	fputc('\n', w->f);
	w->col = 0;
}

void csvw_header(csvw *w, const char *const *names)
{
	for (; *names; names++)
		csvw_raw(w, *names);
	csvw_end(w);
}
