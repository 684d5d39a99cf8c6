/* HTML escaping and the shared formats of figures and dates. */
#include "html.h"

#include <inttypes.h>
#include <string.h>

#include "rollcall/date.h"

static const char *const s_month_long[12] = {"January",   "February", "March",    "April",
                                             "May",       "June",     "July",     "August",
                                             "September", "October",  "November", "December"};
static const char *const s_month_short[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const s_weekday[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

void html_esc_n(FILE *f, const char *s, size_t n)
{
	for (size_t i = 0; s && i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(c < 0x20 || c == 0x7f ? ' ' : c, f);
		}
	}
}

void html_esc(FILE *f, const char *s)
{
	html_esc_n(f, s, SIZE_MAX);
}

void html_esc_cut(FILE *f, const char *s, size_t n, size_t max_chars)
{
	size_t len = strnlen(s, n), chars = 0, cut = len;

	for (size_t i = 0; i < len; i++) {
		if (((unsigned char)s[i] & 0xc0) == 0x80)
			continue;
		if (chars == max_chars - 1 && cut == len) {
			size_t rest = 0; /* characters from here on */
			for (size_t j = i; j < len; j++)
				rest += ((unsigned char)s[j] & 0xc0) != 0x80;
			if (rest > 1)
				cut = i;
		}
		chars++;
	}
	html_esc_n(f, s, cut);
	if (cut < len)
		fputs("&hellip;", f);
}

void html_count(FILE *f, uint64_t n)
{
	char buf[32];
	int len = snprintf(buf, sizeof(buf), "%" PRIu64, n);

	for (int i = 0; i < len; i++) {
		if (i > 0 && (len - i) % 3 == 0)
			fputc(',', f);
		fputc(buf[i], f);
	}
}

void html_pct(FILE *f, uint64_t num, uint64_t den)
{
	char b[MEASURES_PCT_LEN];

	if (den == 0) {
		fputs("&ndash;", f);
		return;
	}
	fprintf(f, "%s%%", measures_pct_format(num, den, b));
}

void html_tenths(FILE *f, int tenths, bool attendance)
{
	uint64_t t = tenths < 0 ? 0 : tenths > 1000 ? 1000 : (uint64_t)tenths;

	html_pct(f, attendance ? 1000 - t : t, 1000);
}

void html_date(FILE *f, int32_t day, bool long_month, bool with_year)
{
	int y, m, d;

	date_to_ymd(day, &y, &m, &d);
	fprintf(f, "%d %s", d, long_month ? s_month_long[m - 1] : s_month_short[m - 1]);
	if (with_year)
		fprintf(f, " %d", y);
}

void html_range(FILE *f, int32_t first, int32_t last)
{
	int y1, y2, m, d;

	date_to_ymd(first, &y1, &m, &d);
	date_to_ymd(last, &y2, &m, &d);
	html_date(f, first, false, y1 != y2);
	fputs(" &ndash; ", f);
	html_date(f, last, false, true);
}

void html_bp(FILE *f, uint32_t bp)
{
	fprintf(f, "%u", bp / 100);
	if (bp % 100)
		fprintf(f, bp % 10 ? ".%02u" : ".%u", bp % 10 ? bp % 100 : bp % 100 / 10);
	fputc('%', f);
}

void html_boundaries(FILE *f, const uint32_t b[4])
{
	/* $k stands for edge k. */
	static const char words[] =
	        "expected up to $0 absence; at risk of PA over $0 and under $1; "
	        "persistent absence $1 to $2; at risk of SA over $2 and under "
	        "$3; severe absence $3 or more";

	for (const char *p = words; *p; p++) {
		if (p[0] == '$' && p[1] >= '0' && p[1] <= '3')
			html_bp(f, b[*++p - '0']);
		else
			fputc(*p, f);
	}
}

const char *html_weekday(int dow)
{
	return dow >= 0 && dow < 7 ? s_weekday[dow] : "";
}

void html_term(FILE *f, const measures_term *t)
{
	static const char *const names[] = {"Autumn", "Spring", "Summer"};
	unsigned n = (unsigned)t->name;

	fprintf(f, "%s term %d/%02d", n < 3 ? names[n] : "", t->year, (t->year + 1) % 100);
}
