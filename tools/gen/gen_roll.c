/* Pupils, classes, staff and contacts of one school (see gen_roll.h). A school's roll is drawn
 * from its own streams, so it does not depend on the other schools. */
#include "gen_roll.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_names.h"
#include "gen_out.h"
#include "gen_rng.h"
#include "rollcall/columns.h"
#include "rollcall/date.h"

static const char *const s_leave_reason[] = {"",
                                             "Moved to another school",
                                             "Moved out of the area",
                                             "Elective home education",
                                             "Emigrated",
                                             "Transferred to a special school",
                                             "Completed the school's last year group"};
#define NLEAVE_REASONS 5 /* drawn at random; GEN_LEFT_LAST_YEAR is the last year's leavers' */

/* Letters a postcode's inward code uses. */
static const char s_inward[] = "ABDEFGHJLNPQRSTUWXYZ";

/* Splits total into n parts in proportion to w[] (largest remainder; ties to the lower index). */
static void split(long total, const double *w, int n, long *out)
{
	double sum = 0, frac[64];
	long given = 0;

	for (int i = 0; i < n; i++)
		sum += w[i];
	for (int i = 0; i < n; i++) {
		double exact = sum > 0 ? (double)total * w[i] / sum : 0;
		out[i] = (long)exact;
		frac[i] = exact - (double)out[i];
		given += out[i];
	}
	while (given < total) {
		int best = 0;
		for (int i = 1; i < n; i++)
			if (frac[i] > frac[best])
				best = i;
		out[best]++;
		frac[best] = -1;
		given++;
	}
}

/* ---- a school's roll --------------------------------------------------------------------- */

/* Open days (AM open) of school s within [from, to], as day numbers. Returns the count. */
static int window_days(const gen_trust *t, const gen_school *s, int32_t *out)
{
	int n = 0;
	for (int i = 0; i < t->year.ndays; i++)
		if (t->year.day[i] >= t->opt.from && t->year.day[i] <= t->opt.to && s->open[2 * i])
			out[n++] = t->year.day[i];
	return n;
}

static int32_t random_day(gen_rng *r, int32_t lo, int32_t hi)
{
	int32_t d = lo + rng_range(r, 0, hi - lo);
	while (date_weekday(d) >= 5)
		d--;
	return d;
}

static int year_groups(const gen_school *s, int *nc, double *w)
{
	int n = 0;

	switch (s->phase) {
	case GEN_PRIMARY:
		if (s->nursery) {
			nc[n] = -1;
			w[n++] = 0.55;
		}
		for (int y = 0; y <= 6; y++) {
			nc[n] = y;
			w[n++] = 1.0;
		}
		break;
	case GEN_SECONDARY:
		for (int y = 7; y <= 11; y++) {
			nc[n] = y;
			w[n++] = 1.0;
		}
		if (s->sixth_form) {
			nc[n] = 12;
			w[n++] = 0.65;
			nc[n] = 13;
			w[n++] = 0.6;
		}
		break;
	case GEN_SPECIAL:
		for (int y = 1; y <= 14; y++) {
			nc[n] = y;
			w[n++] = y <= 2 ? 0.45 : y <= 11 ? 1.0 : y == 12 ? 0.6 : 0.45;
		}
		break;
	}
	return n;
}

/* Everything about one pupil except UPN and class. */
static void draw_pupil(const gen_trust *t, const gen_school *s, gen_rng *r, gen_pupil *p, int nc,
                       const int32_t *wdays, int nwdays)
{
	const int ay = t->year.ay;
	const bool special = s->phase == GEN_SPECIAL;
	double eth_w[32];
	int entry;

	p->nc = (int8_t)nc;
	p->dob = date_from_ymd(ay - 5 - nc, 9, 1) +
	         rng_range(r, 0,
	                   date_from_ymd(ay - 4 - nc, 8, 31) - date_from_ymd(ay - 5 - nc, 9, 1));
	{
		double u = rng_unit(r);
		p->sex = u < 0.495 ? 'F' : u < 0.998 ? 'M' : 'U';
	}
	p->girl_name = p->sex == 'F' || (p->sex == 'U' && rng_chance(r, 0.5));
	p->forename = (uint8_t)rng_range(
	        r, 0, (int)(p->girl_name ? names_girls_count : names_boys_count) - 1);
	{
		const gen_forename *f =
		        p->girl_name ? &names_girls[p->forename] : &names_boys[p->forename];
		p->use_short = f->short_form != NULL && rng_chance(r, 0.5);
	}
	for (int k = 0; k < 4; k++)
		p->sur[k] = (uint8_t)rng_range(r, 0, 255);
	p->double_barrel = rng_chance(r, 0.04);

	p->fsm = nc >= 0 && rng_chance(r, special ? 0.42 : nc >= 12 ? 0.15 : 0.22);
	if (special) {
		p->sen = rng_chance(r, 0.93) ? 'E' : 'K';
	} else {
		double u = rng_unit(r);
		p->sen = u < 0.025 ? 'E' : u < 0.155 ? 'K' : 'N';
	}
	{
		double u = rng_unit(r), k = special ? 2.0 : 1.0;
		p->care = u < 0.007 * k ? 3 : u < 0.017 * k ? 2 : u < 0.047 * k ? 1 : 0;
	}
	p->plac = p->care != 3 && rng_chance(r, 0.01);
	if (nc >= 0 && nc <= 11)
		p->pp = p->fsm ? rng_chance(r, 0.97)
		               : (p->care == 3 || p->plac || rng_chance(r, 0.08));
	for (size_t k = 0; k < names_ethnicity_count; k++)
		eth_w[k] = names_ethnicity[k].share;
	p->eth = (uint8_t)rng_pick(r, eth_w, (int)names_ethnicity_count);
	p->eal = rng_chance(r, names_ethnicity[p->eth].eal);
	p->boarder = s->boarding && nc >= 7 && rng_chance(r, 0.05);

	/* Address: invented street in one of the LA's towns. */
	p->house = (uint16_t)(1 + (int)(239 * rng_unit(r) * rng_unit(r)));
	p->street[0] = (uint8_t)rng_range(r, 0, (int)names_syllable_head.n - 1);
	p->street[1] =
	        rng_chance(r, 0.5) ? (uint8_t)rng_range(r, 0, (int)names_syllable_tail.n - 1) : 255;
	p->street[2] = (uint8_t)rng_range(r, 0, (int)names_street_kind.n - 1);
	p->locality =
	        rng_chance(r, 0.4) ? (uint8_t)(1 + rng_range(r, 0, (int)names_locality.n - 1)) : 0;
	p->loc_head = (uint8_t)rng_range(r, 0, (int)names_syllable_head.n - 1);
	p->town = (uint8_t)rng_range(r, 0, 2);
	{
		const gen_la *la = &t->la[s->la];
		int district = la->district0 + p->town * 4 + rng_range(r, 0, 3);
		snprintf(p->postcode, sizeof(p->postcode), "%s%d %d%c%c", la->area, district,
		         rng_range(r, 0, 9), s_inward[rng_range(r, 0, 19)],
		         s_inward[rng_range(r, 0, 19)]);
	}

	/* Admission: most pupils at the start of the school's entry year; some joined part way
	 * through an earlier year; ~3% join during the window; ~2% leave during it. */
	entry = s->phase == GEN_PRIMARY     ? (s->nursery ? -1 : 0)
	        : s->phase == GEN_SECONDARY ? (nc >= 12 && rng_chance(r, 0.25) ? 12 : 7)
	                                    : rng_range(r, 1, nc);
	if (entry > nc)
		entry = nc;
	p->left = INT32_MAX;
	if (nwdays > 0 && rng_chance(r, 0.03)) {
		p->admitted = wdays[nwdays > 1 ? rng_range(r, 1, nwdays - 1) : 0];
		p->temp_upn = p->eal && rng_chance(r, 0.2);
	} else {
		int join_nc = entry;
		bool midyear = nc > entry && rng_chance(r, special ? 0.4 : 0.08);
		if (midyear)
			join_nc = rng_range(r, entry, nc - 1);
		int jy = ay - (nc - join_nc);
		p->admitted = midyear ? random_day(r, date_from_ymd(jy, 9, 15),
		                                   date_from_ymd(jy + 1, 7, 10))
		                      : date_from_ymd(jy, 9, 1);
		if (nwdays > 0 && rng_chance(r, 0.02)) {
			p->left = wdays[rng_range(r, 0, nwdays - 1)];
			p->leave_reason = (uint8_t)rng_range(r, 1, NLEAVE_REASONS);
		}
	}
}

/* The admission register's spell details: when the name was entered (on the day for the
 * year's intake, up to a week before for a pupil joining later), the school a joiner came from,
 * where a leaver went. A stream of its own, so the rest of the pupil stays as it was. */
static void draw_spell(const gen_trust *t, const gen_school *s, gen_pupil *p)
{
	gen_rng r;
	int reason = p->leave_reason;

	rng_init(&r, t->opt.seed, GEN_RNG_SPELL, ((uint64_t)s->urn << 32) | p->id);
	p->entered = p->admitted;
	/* This year's intake is admitted on the school's first session of the year (the days
	 * before it are closed, so no mark moves). */
	bool joiner = p->admitted != date_from_ymd(date_academic_year(p->admitted), 9, 1);

	if (p->admitted == date_from_ymd(t->year.ay, 9, 1)) {
		for (int i = 0; i < t->year.ndays; i++) {
			if (s->open[2 * i] || s->open[2 * i + 1]) {
				if (t->year.day[i] >= p->admitted)
					p->admitted = t->year.day[i];
				break;
			}
		}
	}
	p->entered = p->admitted;
	p->prev[0] = p->dest[0] = 255;
	p->dest_start = INT32_MAX;
	if (joiner) {
		p->entered -= rng_range(&r, 0, 7);
		if (rng_chance(&r, 0.8)) {
			p->prev[0] = (uint8_t)rng_range(&r, 0, (int)names_syllable_head.n - 1);
			p->prev[1] = (uint8_t)rng_range(&r, 0, (int)names_school_tail.n - 1);
		}
	}
	if (p->left == INT32_MAX || reason == 0)
		return;
	/* 1 another school, 2 out of the area, 3 home education, 4 emigrated, 5 special school */
	if (reason == 1 || reason == 2 || reason == 5) {
		p->dest[0] = (uint8_t)rng_range(&r, 0, (int)names_syllable_head.n - 1);
		p->dest[1] = (uint8_t)rng_range(&r, 0, (int)names_school_tail.n - 1);
		p->dest_start = p->left + rng_range(&r, 1, 10);
	}
	p->dest_moved = reason == 2 || (reason == 1 && rng_chance(&r, 0.3));
}

static int cmp_upn(const void *a, const void *b)
{
	/* by LA, establishment, year and serial; the check letter adds nothing to the order */
	const char *x = ((const gen_pupil *)a)->upn, *y = ((const gen_pupil *)b)->upn;
	int c = strcmp(x + 1, y + 1);
	return c != 0 ? c : (x[0] > y[0]) - (x[0] < y[0]);
}

static const char s_upn_letters[] = "ABCDEFGHJKLMNPQRTUVWXYZ";

/* Gives every pupil a UPN: LA + estab of the school, the two-digit year of admission and a
 * serial unique within (school, year); temporary UPNs end in a letter. */
static int assign_upns(const gen_trust *t, const gen_school *s, gen_roll *roll, gen_rng *r,
                       char *err, size_t errlen)
{
	int next[100], next_temp[100];
	long *order = malloc((size_t)roll->n * sizeof(*order));
	int laestab_la = t->la[s->la].code;

	if (order == NULL) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	for (int k = 0; k < 100; k++) {
		next[k] = rng_range(r, 1, 40);
		next_temp[k] = rng_range(r, 0, 40);
	}
	for (long i = 0; i < roll->n; i++)
		order[i] = i;
	for (long i = roll->n - 1; i > 0; i--) {
		long j = (long)(rng_next(r) % (uint64_t)(i + 1)), tmp = order[i];
		order[i] = order[j];
		order[j] = tmp;
	}
	for (long i = 0; i < roll->n; i++) {
		gen_pupil *p = &roll->p[order[i]];
		char s12[40]; /* 12 used; room for what the compiler cannot bound */
		int y, m, d, yy = -1;

		date_to_ymd(p->admitted, &y, &m, &d);
		/* Serials run out at 999 a year: borrow earlier years (an in-year admission keeps
		 * the UPN an earlier school gave it). */
		for (int back = 0; back <= 30 && yy < 0; back++) {
			int cand = ((y - back) % 100 + 100) % 100;
			if (p->temp_upn ? next_temp[cand] < 100 * 23 : next[cand] <= 999)
				yy = cand;
		}
		if (yy < 0) {
			free(order);
			snprintf(err, errlen,
			         "%ld pupils are too many for unique UPNs in one school; use more "
			         "--schools",
			         roll->n);
			return -ERANGE;
		}
		if (p->temp_upn) {
			int v = next_temp[yy]++;
			snprintf(s12, sizeof(s12), "%03d%04d%02d%02d%c", laestab_la, s->estab, yy,
			         v / 23, s_upn_letters[v % 23]);
		} else {
			snprintf(s12, sizeof(s12), "%03d%04d%02d%03d", laestab_la, s->estab, yy,
			         next[yy]++);
		}
		p->upn[0] = upn_check_letter(s12);
		if (p->upn[0] == 0) {
			free(order);
			snprintf(err, errlen, "upn_check_letter refused a generated UPN body");
			return -EINVAL;
		}
		memcpy(p->upn + 1, s12, 12);
		p->upn[13] = '\0';
	}
	free(order);
	return 0;
}

static void staff_name(gen_rng *r, const char *role, char out[48])
{
	char sur[32];
	names_surname(sur, sizeof(sur), (size_t)rng_range(r, 0, 255), (size_t)rng_range(r, 0, 255));
	snprintf(out, 48, "%s. %s (%s)",
	         names_initials.item[rng_range(r, 0, (int)names_initials.n - 1)], sur, role);
}

/* Register groups: classes of 30 in primary, tutor groups of 28 in secondary, 10 in special. */
static int assign_classes(const gen_school *s, gen_roll *roll, gen_rng *r, char *err, size_t errlen)
{
	int ncls = 0, rc = 0;
	long *idx = malloc((size_t)roll->n * sizeof(*idx));
	int8_t *cls_nc = malloc((size_t)roll->n * sizeof(*cls_nc) + 1); /* <= one class a pupil */

	if (idx == NULL || cls_nc == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (int nc = -1; nc <= 14; nc++) {
		long cnt = 0;
		int per = nc < 0                      ? 26
		          : s->phase == GEN_PRIMARY   ? 30
		          : s->phase == GEN_SECONDARY ? 28
		                                      : 10;
		for (long i = 0; i < roll->n; i++)
			if (roll->p[i].nc == nc && roll->p[i].leave_reason != GEN_LEFT_LAST_YEAR)
				idx[cnt++] = i;
		if (cnt == 0)
			continue;
		int k = (int)((cnt + per - 1) / per);
		for (long i = cnt - 1; i > 0; i--) {
			long j = (long)(rng_next(r) % (uint64_t)(i + 1)), tmp = idx[i];
			idx[i] = idx[j];
			idx[j] = tmp;
		}
		for (long i = 0; i < cnt; i++)
			roll->p[idx[i]].cls = ncls + (int)(i % k);
		for (int c = 0; c < k; c++)
			cls_nc[ncls + c] = (int8_t)nc;
		ncls += k;
	}
	roll->nclasses = ncls;
	roll->teacher = calloc((size_t)(ncls > 0 ? ncls : 1), sizeof(*roll->teacher));
	roll->cls_name = calloc((size_t)(ncls > 0 ? ncls : 1), sizeof(*roll->cls_name));
	if (roll->teacher == NULL || roll->cls_name == NULL) {
		rc = -ENOMEM;
		goto out;
	}
	for (int c = 0, first = 0; c < ncls; c++) {
		if (c > 0 && cls_nc[c] != cls_nc[c - 1])
			first = c;
		snprintf(roll->cls_name[c], sizeof(roll->cls_name[c]), "%s%c",
		         trust_nc_name(cls_nc[c]), 'A' + (c - first) % 26);
	}
	/* Last year's leavers were in their year group's first class. */
	for (long i = 0; i < roll->n; i++) {
		if (roll->p[i].leave_reason != GEN_LEFT_LAST_YEAR)
			continue;
		for (int c = 0; c < ncls; c++)
			if (cls_nc[c] == roll->p[i].nc) {
				roll->p[i].cls = c;
				break;
			}
	}
	for (int c = 0; c < ncls; c++)
		staff_name(r,
		           cls_nc[c] < 0               ? "Nursery teacher"
		           : s->phase == GEN_SECONDARY ? "Form tutor"
		                                       : "Class teacher",
		           roll->teacher[c]);
	staff_name(r, "Attendance officer", roll->office[0]);
	staff_name(r, "Office manager", roll->office[1]);
	staff_name(r, "Administrator", roll->office[2]);
out:
	if (rc != 0)
		snprintf(err, errlen, "out of memory");
	free(idx);
	free(cls_nc);
	return rc;
}

int roll_build(const gen_trust *t, const gen_school *s, gen_roll *roll, char *err, size_t errlen)
{
	int nc[16];
	double w[16];
	long count[16];
	int ngroups = year_groups(s, nc, w), nwdays, rc = 0;
	int32_t wdays[GEN_MAX_DAYS];
	gen_rng r;
	long id = 0, leavers;

	memset(roll, 0, sizeof(*roll));
	rng_init(&r, t->opt.seed, GEN_RNG_ROLL, (uint64_t)s->urn);
	nwdays = window_days(t, s, wdays);
	split(s->size, w, ngroups, count);
	/* Two years: last year's top year group, as many as this year's, left in July. */
	leavers = t->opt.years > 1 && ngroups > 0 ? count[ngroups - 1] : 0;
	roll->p = calloc((size_t)(s->size + leavers), sizeof(*roll->p));
	if (roll->p == NULL) {
		snprintf(err, errlen, "out of memory for %ld pupils", s->size);
		rc = -ENOMEM;
		goto out;
	}
	roll->n = s->size + leavers;
	for (int g = 0; g < ngroups; g++) {
		for (long k = 0; k < count[g]; k++, id++) {
			roll->p[id].id = (uint32_t)id;
			draw_pupil(t, s, &r, &roll->p[id], nc[g], wdays, nwdays);
		}
	}
	if (leavers) {
		gen_year last;
		int top = nc[ngroups - 1];

		calendar_init(&last, t->year.ay - 1);
		for (long k = 0; k < leavers; k++, id++) {
			gen_pupil *p = &roll->p[id];

			p->id = (uint32_t)id;
			/* Born to be one year above the top group now: that group last year. */
			draw_pupil(t, s, &r, p, top + 1, wdays, nwdays);
			p->nc = (int8_t)top;
			p->temp_upn = false;
			if (p->admitted > date_from_ymd(t->year.ay - 1, 9, 1))
				p->admitted = date_from_ymd(t->year.ay - 1, 9, 1);
			p->left = last.summer_end;
			p->leave_reason = GEN_LEFT_LAST_YEAR;
		}
	}
	rc = assign_upns(t, s, roll, &r, err, errlen);
	if (rc != 0)
		goto out;
	for (long i = 0; i < roll->n; i++)
		draw_spell(t, s, &roll->p[i]);
	qsort(roll->p, (size_t)roll->n, sizeof(*roll->p), cmp_upn);
	rc = assign_classes(s, roll, &r, err, errlen);
out:
	if (rc != 0)
		roll_deinit(roll);
	return rc;
}

void roll_deinit(gen_roll *roll)
{
	free(roll->p);
	free(roll->teacher);
	free(roll->cls_name);
	roll->p = NULL;
	roll->teacher = NULL;
	roll->cls_name = NULL;
	roll->n = 0;
}

int roll_year_before(const gen_roll *roll, gen_roll *out)
{
	size_t nc = (size_t)(roll->nclasses > 0 ? roll->nclasses : 1);

	*out = *roll;
	out->p = malloc((size_t)(roll->n > 0 ? roll->n : 1) * sizeof(*out->p));
	out->teacher = malloc(nc * sizeof(*out->teacher));
	out->cls_name = malloc(nc * sizeof(*out->cls_name));
	if (!out->p || !out->teacher || !out->cls_name) {
		roll_deinit(out);
		return -ENOMEM;
	}
	memcpy(out->p, roll->p, (size_t)roll->n * sizeof(*out->p));
	memcpy(out->teacher, roll->teacher, (size_t)roll->nclasses * sizeof(*out->teacher));
	memcpy(out->cls_name, roll->cls_name, (size_t)roll->nclasses * sizeof(*out->cls_name));
	for (long i = 0; i < out->n; i++)
		if (out->p[i].leave_reason != GEN_LEFT_LAST_YEAR)
			out->p[i].nc--;
	return 0;
}

/* ---- pupils.csv and contacts.csv ----------------------------------------------------------- */

static void pupil_surname(const gen_pupil *p, char *out, size_t outlen)
{
	char a[32], b[32];
	names_surname(a, sizeof(a), p->sur[0], p->sur[1]);
	if (!p->double_barrel) {
		snprintf(out, outlen, "%s", a);
		return;
	}
	names_surname(b, sizeof(b), p->sur[2], p->sur[3]);
	snprintf(out, outlen, "%s-%s", a, b);
}

typedef struct address {
	char line1[64], line2[48], town[32], postcode[9];
} address;

static void pupil_address(const gen_trust *t, const gen_school *s, const gen_pupil *p, address *a)
{
	const char *head = names_syllable_head.item[p->street[0]];
	const char *kind = names_street_kind.item[p->street[2]];

	if (p->street[1] == 255)
		snprintf(a->line1, sizeof(a->line1), "%u %s %s", p->house, head, kind);
	else
		snprintf(a->line1, sizeof(a->line1), "%u %s%s %s", p->house, head,
		         names_syllable_tail.item[p->street[1]], kind);
	a->line2[0] = '\0';
	if (p->locality != 0) {
		char place[40];
		snprintf(place, sizeof(place), "%s%s", names_syllable_head.item[p->loc_head],
		         names_syllable_tail
		                 .item[(p->loc_head + p->street[0]) % names_syllable_tail.n]);
		/* The pattern comes from our own table and holds exactly one %s. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		snprintf(a->line2, sizeof(a->line2), names_locality.item[p->locality - 1], place);
#pragma GCC diagnostic pop
	}
	snprintf(a->town, sizeof(a->town), "%s", t->la[s->la].town[p->town]);
	memcpy(a->postcode, p->postcode, sizeof(a->postcode));
}

static void address_join(const address *a, char *out, size_t outlen)
{
	if (a->line2[0] != '\0')
		snprintf(out, outlen, "%s, %s, %s, %s", a->line1, a->line2, a->town, a->postcode);
	else
		snprintf(out, outlen, "%s, %s, %s", a->line1, a->town, a->postcode);
}

static void out_field(gen_out *o, const char *s)
{
	out_csv(o, s);
	out_char(o, ',');
}

static void out_yn(gen_out *o, bool v, char sep)
{
	out_char(o, v ? 'Y' : 'N');
	out_char(o, sep);
}

/* Another school's name (a joiner's previous school, a leaver's next). */
static void school_name(const uint8_t n[2], int phase, gen_out *o)
{
	char name[96];

	snprintf(name, sizeof(name), "%s%s %s", names_syllable_head.item[n[0]],
	         names_school_tail.item[n[1]],
	         phase == GEN_PRIMARY     ? "Primary School"
	         : phase == GEN_SECONDARY ? "High School"
	                                  : "School");
	out_csv(o, name);
}

static void write_pupil(gen_out *o, const gen_trust *t, const gen_school *s, const gen_roll *roll,
                        const gen_pupil *p)
{
	static const char *const care[] = {"", "CIN", "CPP", "CLA"};
	const gen_forename *f = p->girl_name ? &names_girls[p->forename] : &names_boys[p->forename];
	char sur[72];
	address a;

	pupil_surname(p, sur, sizeof(sur));
	pupil_address(t, s, p, &a);
	out_field(o, p->upn);
	out_field(o, sur);
	out_field(o, f->name);
	out_field(o, p->use_short ? f->short_form : f->name);
	out_date(o, p->dob);
	out_char(o, ',');
	out_char(o, p->sex);
	out_char(o, ',');
	out_field(o, trust_nc_name(p->nc));
	out_date(o, p->admitted);
	out_char(o, ',');
	if (p->left != INT32_MAX)
		out_date(o, p->left);
	out_char(o, ',');
	out_field(o, s_leave_reason[p->leave_reason]);
	out_field(o, a.line1);
	out_field(o, a.line2);
	out_field(o, a.town);
	out_field(o, a.postcode);
	out_yn(o, p->boarder, ',');
	out_yn(o, p->pp, ',');
	out_yn(o, p->fsm, ',');
	out_char(o, p->sen);
	out_char(o, ',');
	out_field(o, care[p->care]);
	out_yn(o, p->plac, ',');
	out_yn(o, p->eal, ',');
	out_field(o, names_ethnicity[p->eth].code);
	out_date(o, p->entered);
	out_char(o, ',');
	if (p->prev[0] != 255)
		school_name(p->prev, s->phase, o);
	out_char(o, ',');
	if (p->dest[0] != 255)
		school_name(p->dest, p->leave_reason == 5 ? GEN_SPECIAL : s->phase, o);
	out_char(o, ',');
	if (p->dest_moved) {
		gen_pupil q = *p;
		address na;
		char joined[200];

		q.house = (uint16_t)(p->house % 150 + 7);
		q.street[0] = (uint8_t)((p->street[0] + 11) % names_syllable_head.n);
		pupil_address(t, s, &q, &na);
		address_join(&na, joined, sizeof(joined));
		out_csv(o, joined);
	}
	out_char(o, ',');
	if (p->dest_start != INT32_MAX)
		out_date(o, p->dest_start);
	out_char(o, ',');
	out_str(o, roll->cls_name[p->cls]);
	out_char(o, '\n');
}

/* One to three contacts: parents or carers first (priority 1..), a relative last. */
static long write_contacts(gen_out *o, const gen_trust *t, const gen_school *s, const gen_pupil *p)
{
	static const char *const relative[] = {"Grandmother", "Grandfather", "Aunt", "Uncle",
	                                       "Family friend"};
	static const bool relative_woman[] = {true, false, true, false, true};
	gen_rng r;
	double u;
	int n;
	char home[200], sur[72];

	rng_init(&r, t->opt.seed, GEN_RNG_CONTACTS, ((uint64_t)s->urn << 32) | p->id);
	u = rng_unit(&r);
	n = u < 0.25 ? 1 : u < 0.85 ? 2 : 3;
	{
		address a;
		pupil_address(t, s, p, &a);
		address_join(&a, home, sizeof(home));
	}
	pupil_surname(p, sur, sizeof(sur));
	for (int k = 1; k <= n; k++) {
		const char *rel;
		bool woman, lives_with = true, same_name = rng_chance(&r, 0.8);
		char name[120], addr[200], phone[16], other[72];

		if (k == 1 && p->care == 3) {
			rel = "Foster carer";
			woman = rng_chance(&r, 0.7);
			same_name = false;
		} else if (k == 1) {
			u = rng_unit(&r);
			rel = u < 0.65   ? "Mother"
			      : u < 0.9  ? "Father"
			      : u < 0.95 ? "Carer"
			                 : "Grandmother";
			woman = rel[0] == 'M' || rel[0] == 'G' ||
			        (rel[0] == 'C' && rng_chance(&r, 0.6));
		} else if (k == 2) {
			woman = rng_chance(&r, 0.15);
			rel = p->care == 3 ? "Social worker" : woman ? "Mother" : "Father";
			if (!woman && rng_chance(&r, 0.1))
				rel = "Step-parent";
			lives_with = p->care != 3 && rng_chance(&r, 0.68);
			same_name = same_name && p->care != 3;
		} else {
			int j = rng_range(&r, 0, 4);
			rel = relative[j];
			woman = relative_woman[j];
			lives_with = false;
		}
		const gen_list *first = woman ? &names_adult_women : &names_adult_men;
		if (same_name) {
			snprintf(other, sizeof(other), "%s", sur);
		} else {
			names_surname(other, sizeof(other), (size_t)rng_range(&r, 0, 255),
			              (size_t)rng_range(&r, 0, 255));
		}
		snprintf(name, sizeof(name), "%s %s",
		         first->item[rng_range(&r, 0, (int)first->n - 1)], other);
		if (lives_with) {
			snprintf(addr, sizeof(addr), "%s", home);
		} else {
			gen_pupil q = *p;
			address a;
			q.house = (uint16_t)rng_range(&r, 1, 180);
			q.street[0] = (uint8_t)rng_range(&r, 0, (int)names_syllable_head.n - 1);
			q.street[2] = (uint8_t)rng_range(&r, 0, (int)names_street_kind.n - 1);
			q.town = (uint8_t)rng_range(&r, 0, 2);
			q.postcode[q.postcode[3] == ' ' ? 4 : 5] =
			        (char)('0' + rng_range(&r, 0, 9));
			pupil_address(t, s, &q, &a);
			address_join(&a, addr, sizeof(addr));
		}
		if (rng_chance(&r, 0.8))
			snprintf(phone, sizeof(phone), "07700 900%03d", rng_range(&r, 0, 999));
		else
			snprintf(phone, sizeof(phone), "01632 960%03d", rng_range(&r, 0, 999));
		out_field(o, p->upn);
		out_field(o, name);
		out_field(o, rel);
		out_yn(o, lives_with, ',');
		out_field(o, addr);
		out_field(o, phone);
		out_uint(o, (uint64_t)k);
		out_char(o, '\n');
	}
	return n;
}

int roll_write(const gen_trust *t, const gen_school *s, const gen_roll *roll, const char *dir,
               long *ncontacts, char *err, size_t errlen)
{
	char path[4200], head[512];
	gen_out o;
	int rc;

	snprintf(path, sizeof(path), "%s/pupils.csv", dir);
	rc = out_open(&o, path, err, errlen);
	if (rc != 0)
		return rc;
	columns_header(columns_pupils, COL_P_N, head, sizeof(head));
	out_str(&o, head);
	for (long i = 0; i < roll->n; i++)
		write_pupil(&o, t, s, roll, &roll->p[i]);
	rc = out_close(&o, err, errlen);
	if (rc != 0)
		return rc;

	snprintf(path, sizeof(path), "%s/contacts.csv", dir);
	rc = out_open(&o, path, err, errlen);
	if (rc != 0)
		return rc;
	columns_header(columns_contacts, COL_C_N, head, sizeof(head));
	out_str(&o, head);
	for (long i = 0; i < roll->n; i++)
		*ncontacts += write_contacts(&o, t, s, &roll->p[i]);
	return out_close(&o, err, errlen);
}
