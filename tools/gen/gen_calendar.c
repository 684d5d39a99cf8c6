/* Term dates, bank holidays and INSET days of the synthetic trust (see gen_calendar.h). The
 * rules follow the pattern most English LAs publish: pupils start on the first Wednesday of
 * September, a week's half term in late October, mid-February and late May, two weeks at
 * Christmas and Easter, and the year ends around 22 July. */
#include "gen_calendar.h"

#include <string.h>

#include "rollcall/date.h"

/* Easter Sunday (anonymous Gregorian algorithm). */
static int32_t easter_sunday(int year)
{
	int a = year % 19, b = year / 100, c = year % 100, d = b / 4, e = b % 4;
	int f = (b + 8) / 25, g = (b - f + 1) / 3, h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4, l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int month = (h + l - 7 * m + 114) / 31, day = (h + l - 7 * m + 114) % 31 + 1;
	return date_from_ymd(year, month, day);
}

/* First day on or after d that falls on weekday wd (0 = Monday). */
static int32_t next_weekday(int32_t d, int wd)
{
	return d + (wd - date_weekday(d) + 7) % 7;
}

/* Last day on or before d that falls on weekday wd. */
static int32_t prev_weekday(int32_t d, int wd)
{
	return d - (date_weekday(d) - wd + 7) % 7;
}

static int32_t last_monday(int year, int month, int mdays)
{
	return prev_weekday(date_from_ymd(year, month, mdays), 0);
}

static void close_range(gen_year *y, int32_t from, int32_t to)
{
	for (int i = 0; i < y->ndays; i++)
		if (y->day[i] >= from && y->day[i] <= to)
			y->term[i] = 0;
}

static void pool_add(gen_year *y, int32_t day)
{
	int i = calendar_index_ceil(y, day);

	/* Skip forward over closed days (a bank holiday right after a break). */
	while (i < y->ndays && y->term[i] == 0)
		i++;
	if (i >= y->ndays || y->ninset_pool >= (int)(sizeof(y->inset_pool) / sizeof(int)))
		return;
	for (int k = 0; k < y->ninset_pool; k++)
		if (y->inset_pool[k] == i)
			return;
	y->inset_pool[y->ninset_pool++] = i;
}

void calendar_init(gen_year *y, int ay)
{
	int32_t first = date_from_ymd(ay, 9, 1), last = date_from_ymd(ay + 1, 7, 31);
	int32_t a_start, oct_ht, a_end, s_start, feb_ht, easter, may_bh, may_ht, su_end, d;

	memset(y, 0, sizeof(*y));
	y->ay = ay;
	for (d = first; d <= last && y->ndays < GEN_MAX_DAYS; d++)
		if (date_weekday(d) < 5)
			y->day[y->ndays++] = d;

	/* Pupils start on the first Wednesday from 2 Sep, or the next weekday when that Wednesday
	 * would be later than 5 Sep. */
	a_start = next_weekday(date_from_ymd(ay, 9, 2), 2);
	if (a_start > date_from_ymd(ay, 9, 5)) {
		a_start = date_from_ymd(ay, 9, 2);
		while (date_weekday(a_start) >= 5)
			a_start++;
	}
	oct_ht = last_monday(ay, 10, 31);
	a_end = prev_weekday(date_from_ymd(ay, 12, 22), 4);
	s_start = next_weekday(date_from_ymd(ay + 1, 1, 4), 0);
	feb_ht = next_weekday(date_from_ymd(ay + 1, 2, 1), 0) + 14;
	easter = easter_sunday(ay + 1);
	may_bh = next_weekday(date_from_ymd(ay + 1, 5, 1), 0);
	may_ht = last_monday(ay + 1, 5, 31);
	su_end = date_from_ymd(ay + 1, 7, 22);
	while (date_weekday(su_end) >= 5)
		su_end--;

	for (int i = 0; i < y->ndays; i++) {
		d = y->day[i];
		y->term[i] = d < a_start      ? 0
		             : d <= a_end     ? 1
		             : d < s_start    ? 0
		             : d < easter - 6 ? 2
		                              : 3;
		if (d > su_end)
			y->term[i] = 0;
	}
	close_range(y, oct_ht, oct_ht + 4);
	close_range(y, feb_ht, feb_ht + 4);
	close_range(y, easter - 6, easter + 5); /* Good Friday and Easter Monday fall inside */
	close_range(y, may_bh, may_bh);
	close_range(y, may_ht, may_ht + 4); /* the spring bank holiday is its Monday */

	y->autumn_start = a_start;
	y->autumn_end = a_end;
	y->summer_end = su_end;
	y->study_from = may_ht + 7;
	y->study_to = prev_weekday(date_from_ymd(ay + 1, 6, 30), 4);
	y->workex_from = next_weekday(date_from_ymd(ay + 1, 7, 1), 0);
	for (int i = 0; i < y->ndays && y->day[i] < a_start; i++)
		y->nstaff_days++;
	pool_add(y, a_start);    /* some schools start pupils a day later */
	pool_add(y, oct_ht - 3); /* the Friday before October half term */
	pool_add(y, oct_ht + 7); /* the Monday after it */
	pool_add(y, s_start);    /* first day of the spring term */
	pool_add(y, feb_ht + 7); /* the Monday after February half term */
	pool_add(y, easter + 8); /* first day of the summer term */
	pool_add(y, may_ht + 7); /* the Monday after May half term */
	pool_add(y, su_end);     /* last day of the year */
	pool_add(y, a_end);      /* last day before Christmas */
}

int calendar_index(const gen_year *y, int32_t day)
{
	int i = calendar_index_ceil(y, day);
	return i < y->ndays && y->day[i] == day ? i : -1;
}

int calendar_index_ceil(const gen_year *y, int32_t day)
{
	int lo = 0, hi = y->ndays;

	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (y->day[mid] < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

void calendar_school_open(const gen_year *y, gen_rng *r, uint8_t *open)
{
	int pool[12], npool = y->ninset_pool, want = 5 - y->nstaff_days;

	for (int i = 0; i < y->ndays; i++)
		open[2 * i] = open[2 * i + 1] = y->term[i] != 0;
	/* Staff days before pupils arrive are INSET days by definition; they are already closed
	 * (term 0). The rest are drawn from the pool without replacement. */
	memcpy(pool, y->inset_pool, sizeof(pool));
	for (int k = 0; k < want && npool > 0; k++) {
		int j = rng_range(r, 0, npool - 1);
		open[2 * pool[j]] = open[2 * pool[j] + 1] = 0;
		pool[j] = pool[--npool];
	}
	/* About a third of schools close at lunchtime on the last day of the autumn term, and a
	 * few on the last day of the year. */
	if (rng_chance(r, 0.35)) {
		int i = calendar_index(y, y->autumn_end);
		if (i >= 0 && open[2 * i])
			open[2 * i + 1] = 0;
	}
	if (rng_chance(r, 0.2)) {
		int i = calendar_index(y, y->summer_end);
		if (i >= 0 && open[2 * i])
			open[2 * i + 1] = 0;
	}
}

int calendar_utc_offset(int32_t day)
{
	int yy, m, d;

	date_to_ymd(day, &yy, &m, &d);
	/* BST runs from the last Sunday of March to the last Sunday of October (01:00 UTC); a
	 * register is never taken on those Sundays, so whole days are enough. */
	int32_t from = prev_weekday(date_from_ymd(yy, 3, 31), 6);
	int32_t to = prev_weekday(date_from_ymd(yy, 10, 31), 6);
	return day >= from && day < to ? 1 : 0;
}
