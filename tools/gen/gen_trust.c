/* The synthetic trust and its schools' rolls (see gen_trust.h). Everything is drawn from streams
 * seeded by (seed, purpose, school), so a school's roll does not depend on the other schools. */
#include "gen_trust.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_names.h"
#include "gen_out.h"
#include "gen_rng.h"
#include "rollcall/columns.h"
#include "rollcall/date.h"

/* Nominal sizes before scaling to --pupils, and the per-class sizes. */
static const int s_size_lo[3] = {200, 900, 80}, s_size_hi[3] = {450, 1600, 150};
static const char *const s_phase_name[3] = {"primary", "secondary", "special"};
const char *trust_nc_name(int nc)
{
	static const char *const names[] = {"N1", "N2", "R", "1",  "2",  "3",  "4",  "5", "6",
	                                    "7",  "8",  "9", "10", "11", "12", "13", "14"};
	return nc >= -2 && nc <= 14 ? names[nc + 2] : "";
}

bool trust_compulsory_age(int32_t dob, int ay)
{
	/* Aged 5 to 15 on 31 Aug before the year: born 1 Sep (ay - 16) .. 31 Aug (ay - 5). */
	return dob >= date_from_ymd(ay - 16, 9, 1) && dob <= date_from_ymd(ay - 5, 8, 31);
}

/* ---- the trust ---------------------------------------------------------------------------- */

static int pick_la_code(gen_rng *r)
{
	/* The shapes of real LA codes: inner London 201-213, outer London and metropolitan
	 * districts 301-394, shires and unitaries 800-938. */
	static const int lo[] = {201, 301, 330, 800}, hi[] = {213, 320, 394, 938};
	int k = rng_pick(r, (const double[]){1, 1.5, 4, 10}, 4);
	return rng_range(r, lo[k], hi[k]);
}

static void build_las(gen_trust *t, gen_rng *r)
{
	bool used_town[64][16] = {{false}};
	int names[GEN_MAX_LA];

	for (int i = 0; i < (int)names_la.n; i++)
		names[i] = i;
	for (int i = (int)names_la.n - 1; i > 0; i--) {
		int j = rng_range(r, 0, i), tmp = names[i];
		names[i] = names[j];
		names[j] = tmp;
	}
	for (int i = 0; i < t->nla; i++) {
		gen_la *la = &t->la[i];
		bool dup;
		do {
			la->code = pick_la_code(r);
			dup = false;
			for (int k = 0; k < i; k++)
				dup = dup || t->la[k].code == la->code;
		} while (dup);
		la->name = names_la.item[names[i]];
		la->area = names_postcode_area.item[i % names_postcode_area.n];
		la->district0 = 1 + (i / (int)names_postcode_area.n) * 12;
		for (int k = 0; k < 3; k++) {
			int a, b;
			do {
				a = rng_range(r, 0, (int)names_syllable_head.n - 1);
				b = rng_range(r, 0, (int)names_place_tail.n - 1);
			} while (used_town[a][b]);
			used_town[a][b] = true;
			snprintf(la->town[k], sizeof(la->town[k]), "%s%s",
			         names_syllable_head.item[a], names_place_tail.item[b]);
		}
	}
}

int trust_build(gen_trust *t, const gen_opts *opt, char *err, size_t errlen)
{
	gen_rng r;
	int n = opt->schools, nspecial, nsecondary, first_secondary = -1;
	double *nominal = NULL;
	long *sizes = NULL;
	bool used_name[64][16] = {{false}};
	int rc = 0, urn;

	memset(t, 0, sizeof(*t));
	t->opt = *opt;
	t->nla = opt->la_count;
	t->nschools = n;
	calendar_init(&t->year, opt->year);
	rng_init(&r, opt->seed, GEN_RNG_TRUST, 0);
	build_las(t, &r);

	t->school = calloc((size_t)n, sizeof(*t->school));
	nominal = calloc((size_t)n, sizeof(*nominal));
	sizes = calloc((size_t)n, sizeof(*sizes));
	if (t->school == NULL || nominal == NULL || sizes == NULL) {
		snprintf(err, errlen, "out of memory for %d schools", n);
		rc = -ENOMEM;
		goto out;
	}

	/* Phase mix of a typical mixed trust: about 60% primary, 30% secondary, 10% special. */
	nspecial = n >= 3 ? (int)(n * 0.1 + 0.5) : 0;
	if (n >= 3 && nspecial < 1)
		nspecial = 1;
	nsecondary = n >= 2 ? (int)(n * 0.3 + 0.5) : 0;
	if (n >= 2 && nsecondary < 1)
		nsecondary = 1;
	for (int i = 0; i < n; i++)
		t->school[i].phase = i < nspecial                ? GEN_SPECIAL
		                     : i < nspecial + nsecondary ? GEN_SECONDARY
		                                                 : GEN_PRIMARY;
	for (int i = n - 1; i > 0; i--) {
		int j = rng_range(&r, 0, i);
		gen_phase tmp = t->school[i].phase;
		t->school[i].phase = t->school[j].phase;
		t->school[j].phase = tmp;
	}

	urn = 100000 + rng_range(&r, 100, 30000);
	for (int i = 0; i < n; i++) {
		gen_school *s = &t->school[i];
		const char *kind;
		int a, b, base;
		bool dup;

		s->index = i;
		urn += rng_range(&r, 1, 60000 / n > 1 ? 60000 / n : 1);
		s->urn = urn;
		s->la = i < t->nla ? i : rng_range(&r, 0, t->nla - 1);
		base = s->phase == GEN_PRIMARY ? 2000 : s->phase == GEN_SECONDARY ? 4000 : 7000;
		do {
			s->estab = base + rng_range(&r, 0, 999);
			dup = false;
			for (int k = 0; k < i; k++)
				dup = dup ||
				      (t->school[k].la == s->la && t->school[k].estab == s->estab);
		} while (dup);
		do {
			a = rng_range(&r, 0, (int)names_syllable_head.n - 1);
			b = rng_range(&r, 0, (int)names_school_tail.n - 1);
		} while (used_name[a][b]);
		used_name[a][b] = true;
		kind = s->phase == GEN_PRIMARY ? "Primary Academy"
		       : s->phase == GEN_SECONDARY
		               ? (rng_chance(&r, 0.5) ? "Academy" : "High School")
		               : "School";
		snprintf(s->name, sizeof(s->name), "%s%s %s", names_syllable_head.item[a],
		         names_school_tail.item[b], kind);
		s->nursery = s->phase == GEN_PRIMARY && rng_chance(&r, 0.6);
		s->sixth_form = s->phase == GEN_SECONDARY && rng_chance(&r, 0.5);
		if (s->phase == GEN_SECONDARY && first_secondary < 0) {
			first_secondary = i;
			s->boarding = true;
		}
		nominal[i] = rng_range(&r, s_size_lo[s->phase], s_size_hi[s->phase]) *
		             (s->sixth_form ? 1.2
		              : s->nursery  ? 1.07
		                            : 1.0);

		gen_rng cal;
		rng_init(&cal, opt->seed, GEN_RNG_CALENDAR, (uint64_t)s->urn);
		calendar_school_open(&t->year, &cal, s->open);
	}

	/* Scale the nominal sizes to exactly --pupils, every school keeping at least one pupil. */
	{
		long given = 0;
		double sum = 0;
		for (int i = 0; i < n; i++)
			sum += nominal[i];
		for (int i = 0; i < n; i++) {
			sizes[i] = (long)((double)opt->pupils * nominal[i] / sum);
			if (sizes[i] < 1)
				sizes[i] = 1;
			given += sizes[i];
		}
		for (int i = 0; given < opt->pupils; i = (i + 1) % n, given++)
			sizes[i]++;
		while (given > opt->pupils) {
			int big = 0;
			for (int i = 1; i < n; i++)
				if (sizes[i] > sizes[big])
					big = i;
			sizes[big]--;
			given--;
		}
		for (int i = 0; i < n; i++)
			t->school[i].size = sizes[i];
	}
out:
	free(nominal);
	free(sizes);
	if (rc != 0)
		trust_deinit(t);
	return rc;
}

void trust_deinit(gen_trust *t)
{
	free(t->school);
	t->school = NULL;
	t->nschools = 0;
}

int trust_write(const gen_trust *t, const char *path, char *err, size_t errlen)
{
	gen_out o;
	int rc = out_open(&o, path, err, errlen);

	if (rc != 0)
		return rc;
	out_str(&o, "school_urn,laestab,name,phase,la_code,la_name\n");
	for (int i = 0; i < t->nschools; i++) {
		const gen_school *s = &t->school[i];
		const gen_la *la = &t->la[s->la];
		out_uint(&o, (uint64_t)s->urn);
		out_char(&o, ',');
		out_uint(&o, (uint64_t)la->code * 10000 + (uint64_t)s->estab);
		out_char(&o, ',');
		out_csv(&o, s->name);
		out_char(&o, ',');
		out_str(&o, s_phase_name[s->phase]);
		out_char(&o, ',');
		out_uint(&o, (uint64_t)la->code);
		out_char(&o, ',');
		out_csv(&o, la->name);
		out_char(&o, '\n');
	}
	return out_close(&o, err, errlen);
}

void trust_write_calendar(const gen_trust *t, const gen_school *s, gen_out *o, bool header)
{
	static const char *const term[] = {"", "autumn", "spring", "summer"};
	bool named = s->index % 2 == 0;

	if (header) {
		char head[64];

		columns_header(columns_calendar, COL_S_N, head, sizeof(head));
		out_str(o, head);
	}
	for (int i = 0; i < t->year.ndays; i++) {
		for (int h = 0; h < 2; h++) {
			out_date(o, t->year.day[i]);
			out_str(o, h == 0 ? ",AM," : ",PM,");
			out_str(o, s->open[2 * i + h] ? "Y," : "N,");
			out_str(o, named && t->year.term[i] <= 3 ? term[t->year.term[i]] : "");
			out_char(o, '\n');
		}
	}
}
