/* Calendar arithmetic on day numbers (days since 1970-01-01, proleptic Gregorian), academic
 * years and ISO 8601 timestamps. Pure functions: no allocation, no locale, no time zone database
 * (a timestamp always carries its own offset). */
#include "rollcall/date.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define USEC_PER_SEC INT64_C(1000000)
#define SEC_PER_DAY  INT64_C(86400)

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date, no tables, no
 * loops. Eras are 400-year cycles starting 1 March so the leap day is the last of a year. */
int32_t date_from_ymd(int y, int m, int d)
{
	int yy = y - (m <= 2);
	int era = (yy >= 0 ? yy : yy - 399) / 400;
	int yoe = yy - era * 400;                                  /* [0, 399] */
	int doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
	return (int32_t)(era * 146097 + doe - 719468);
}

/* The inverse (civil_from_days). */
void date_to_ymd(int32_t day, int *y, int *m, int *d)
{
	int64_t z = (int64_t)day + 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;                                      /* [0, 146096] */
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);               /* [0, 365] */
	int64_t mp = (5 * doy + 2) / 153;                                    /* [0, 11] */
	int64_t dd = doy - (153 * mp + 2) / 5 + 1;                           /* [1, 31] */
	int64_t mm = mp < 10 ? mp + 3 : mp - 9;                              /* [1, 12] */
	*y = (int)(yoe + era * 400 + (mm <= 2));
	*m = (int)mm;
	*d = (int)dd;
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const unsigned char mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return m == 2 && is_leap(y) ? 29 : mdays[m - 1];
}

/* n ASCII digits at s as a number, or -1 when one of them is not a digit. */
static int digits(const char *s, int n)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Parses exactly 10 bytes "YYYY-MM-DD" (s must have 10 readable bytes). */
static int parse_ymd10(const char *s, int32_t *day)
{
	int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
	if (y < 0 || m < 0 || d < 0 || s[4] != '-' || s[7] != '-')
		return -EINVAL;
	if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
		return -EINVAL;
	*day = date_from_ymd(y, m, d);
	return 0;
}

int date_parse(const char *s, size_t len, int32_t *day)
{
	if (s == NULL || len != 10)
		return -EINVAL;
	return parse_ymd10(s, day);
}

char *date_format(int32_t day, char out[11])
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	/* Written by hand: it is on hot paths. A day outside the years 0000-9999 (no register
	 * date is near them; a hostile message may carry one) is written 0000-00-00 or
	 * 9999-99-99, which no reader takes for a real date. */
	if (y < 0 || y > 9999) {
		memcpy(out, y < 0 ? "0000-00-00" : "9999-99-99", 11);
		return out;
	}
	out[0] = (char)('0' + y / 1000);
	out[1] = (char)('0' + y / 100 % 10);
	out[2] = (char)('0' + y / 10 % 10);
	out[3] = (char)('0' + y % 10);
	out[4] = '-';
	out[5] = (char)('0' + m / 10);
	out[6] = (char)('0' + m % 10);
	out[7] = '-';
	out[8] = (char)('0' + d / 10);
	out[9] = (char)('0' + d % 10);
	out[10] = 0;
	return out;
}

int date_weekday(int32_t day)
{
	/* 1970-01-01 was a Thursday (3 when Monday is 0); % may be negative before 1970. */
	return (int)(((int64_t)day % 7 + 7 + 3) % 7);
}

int date_academic_year(int32_t day)
{
	int y, m, d;
	date_to_ymd(day, &y, &m, &d);
	return m >= 8 ? y : y - 1;
}

int32_t date_academic_year_start(int ay)
{
	return date_from_ymd(ay, 8, 1);
}

/* Accepted: YYYY-MM-DDTHH:MM:SS[(.|,)f+](Z|+HH:MM|-HH:MM|+HHMM|-HHMM). Seconds are required and
 * must be 00-59 (no leap second): MIS exports write what their clocks show, and a silently
 * shifted leap second would be worse than a rejected row. Digits of the fraction past the
 * sixth are checked but dropped (truncated, not rounded). */
int ts_parse(const char *s, size_t len, int64_t *usec)
{
	int32_t day;
	size_t i;
	int hh, mi, ss, frac = 0, fdigits = 0, off_sec = 0;

	if (s == NULL || len < 20)
		return -EINVAL;
	if (parse_ymd10(s, &day) < 0 || s[10] != 'T' || s[13] != ':' || s[16] != ':')
		return -EINVAL;
	hh = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	ss = digits(s + 17, 2);
	if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 59)
		return -EINVAL;
	i = 19;
	if (s[i] == '.' || s[i] == ',') {
		i++;
		if (i >= len || s[i] < '0' || s[i] > '9')
			return -EINVAL;
		for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
			if (fdigits < 6) {
				frac = frac * 10 + (s[i] - '0');
				fdigits++;
			}
		}
		for (; fdigits < 6; fdigits++)
			frac *= 10;
	}
	if (i >= len)
		return -EINVAL; /* no zone: local time of an unknown place */
	if (s[i] == 'Z') {
		if (len != i + 1)
			return -EINVAL;
	} else if (s[i] == '+' || s[i] == '-') {
		int oh, om;
		size_t rest = len - i - 1;
		const char *z = s + i + 1;
		if (rest == 5 && z[2] == ':') {
			oh = digits(z, 2);
			om = digits(z + 3, 2);
		} else if (rest == 4) {
			oh = digits(z, 2);
			om = digits(z + 2, 2);
		} else {
			return -EINVAL;
		}
		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return -EINVAL;
		off_sec = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
	} else {
		return -EINVAL;
	}
	*usec = ((int64_t)day * SEC_PER_DAY + hh * 3600 + mi * 60 + ss - off_sec) * USEC_PER_SEC +
	        frac;
	return 0;
}

char *ts_format(int64_t usec, char *out, size_t outlen)
{
	/* Floor division so instants before 1970 still land on the right second. */
	int64_t sec = usec / USEC_PER_SEC - (usec % USEC_PER_SEC < 0);
	int64_t day = sec / SEC_PER_DAY - (sec % SEC_PER_DAY < 0);
	int64_t sod = sec - day * SEC_PER_DAY;
	int y, m, d;

	if (out == NULL || outlen == 0)
		return out;
	date_to_ymd((int32_t)day, &y, &m, &d);
	snprintf(out, outlen, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(sod / 3600),
	         (int)(sod / 60 % 60), (int)(sod % 60));
	return out;
}
