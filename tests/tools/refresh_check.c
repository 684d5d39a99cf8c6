/* The property behind the worker's incremental refresh: a school refreshed from the changes it
 * has not seen computes exactly what a freshly loaded one does. Reads commands on stdin, one per
 * line, against the database named by the usual PG* variables:
 *
 *   check URN     brings the long-lived copy of the school up to date (school_refresh on a
 *                 cache kept across commands), loads it afresh into a new cache, runs the engine
 *                 on both as of the school's latest marked day and compares every result
 *
 * and answers "ok URN partial|full AS_OF ENROLMENTS" or "DIFF URN ...: first differing line"
 * (exit status 1 at the first difference). Used by tests/integration/refresh_property.sh. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "rollcall/date.h"
#include "rollcall/measures.h"
#include "school.h"

static void dump_counts(FILE *f, const measures_counts *c)
{
	fprintf(f, " %u %u %u %u %u %u %u %u |", c->possible, c->present, c->aea, c->authorised,
	        c->unauthorised, c->not_counted, c->unmarked, c->invalid);
	for (int b = 0; b < RC_BUCKET_COUNT; b++)
		fprintf(f, " %u", c->bucket[b]);
	fputs(" |", f);
	for (int w = 0; w < 5; w++)
		fprintf(f, " %u/%u %u/%u", c->dow_possible[w][0], c->dow_absence[w][0],
		        c->dow_possible[w][1], c->dow_absence[w][1]);
	fprintf(f, " | %u %u %u\n", c->late_l, c->late_u, c->minutes_late);
}

static void dump_runs(FILE *f, const char *what, const measures_episode *ep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		fprintf(f,
		        "  %s start %" PRId32 "/%u len %u carried %u qualified %" PRId32
		        "/%u end %" PRId32 "\n",
		        what, ep[i].start_day, ep[i].start_pm, ep[i].length, ep[i].carried,
		        ep[i].qualified_day, ep[i].qualified_pm, ep[i].end_day);
}

/* Everything the engine says about the school, one fact per line. Session indices are left out
 * (the days held may differ); days are what the reports use. */
static char *dump(const measures *m, size_t *len)
{
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f,
	        "as_of %" PRId32 " term %d/%d %" PRId32 "..%" PRId32 " periods %" PRId32 " %" PRId32
	        " %" PRId32 " penalty %" PRId32 "..%" PRId32 "\n",
	        m->as_of, m->term.year, (int)m->term.name, m->term.first_day, m->term.last_day,
	        m->period_first[0], m->period_first[1], m->period_first[2], m->penalty_first,
	        m->penalty_last);
	for (size_t e = 0; e < m->n_enrolments; e++) {
		const measures_pupil *p = &m->pupils[e];
		const measures_chars *c = &p->chars;

		fprintf(f,
		        "pupil %" PRId64 " adm %" PRId32 " leave %" PRId32 " born %" PRId32
		        " boarder %d roll %d compulsory %d chars %d %c %u %u %d%d%d%d%d\n",
		        p->pupil_id, p->admission_day, p->leaving_day, p->birth_day, p->boarder,
		        p->on_roll, p->compulsory, c->nc_year, c->sex, c->sen, c->care, c->pp,
		        c->fsm, c->plac, c->eal, c->boarder);
		for (int k = 0; k < MEASURES_PERIODS; k++) {
			fprintf(f, "  period %d pop %d pa %d sa %d cat %d:", k, p->in_population[k],
			        p->pa[k], p->sa[k], (int)p->category[k]);
			dump_counts(f, &p->counts[k]);
		}
		fprintf(f, "  illness %u first %" PRId32 " reached %" PRId32 " penalty %u %d\n",
		        p->illness_ytd, p->illness_first_day, p->illness_reached_day,
		        p->penalty_sessions, p->penalty);
		dump_runs(f, "unauth", m->episodes + p->first_episode, p->n_episodes);
		dump_runs(f, "ill", m->illness + p->first_illness, p->n_illness);
	}
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* The first line where a and b differ, for the report. */
static void first_difference(const char *a, const char *b, char *out, size_t outlen)
{
	size_t line = 1, i = 0, start = 0;

	while (a[i] && a[i] == b[i]) {
		if (a[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	const char *ea = strchr(a + start, '\n'), *eb = strchr(b + start, '\n');
	int la = ea ? (int)(ea - a - start) : (int)strlen(a + start);
	int lb = eb ? (int)(eb - b - start) : (int)strlen(b + start);
	snprintf(out, outlen, "line %zu: refreshed '%.*s' / fresh '%.*s'", line, la, a + start, lb,
	         b + start);
}

static int check(PGconn *conn, school_cache *kept, uint32_t urn, const measures_config *cfg)
{
	char err[512], diff[1024], as_of_s[11];
	school_cache fresh = {0};
	school_reg *r1 = NULL, *r2 = NULL;
	measures *m1 = NULL, *m2 = NULL;
	char *d1 = NULL, *d2 = NULL;
	size_t l1 = 0, l2 = 0;
	bool full1 = false, full2 = false;
	int32_t as_of;
	int rc = 1;

	if (school_default_as_of(conn, urn, &as_of, err, sizeof(err)) < 0 ||
	    as_of == MEASURES_NO_DAY) {
		printf("ERROR %u: no as-of day: %s\n", urn, err);
		return 1;
	}
	if (school_refresh(conn, kept, urn, as_of, cfg, &r1, &full1, err, sizeof(err)) < 0 ||
	    school_compute(r1, as_of, cfg, &m1, err, sizeof(err)) < 0 ||
	    school_refresh(conn, &fresh, urn, as_of, cfg, &r2, &full2, err, sizeof(err)) < 0 ||
	    school_compute(r2, as_of, cfg, &m2, err, sizeof(err)) < 0) {
		printf("ERROR %u: %s\n", urn, err);
		goto out;
	}
	d1 = dump(m1, &l1);
	d2 = dump(m2, &l2);
	if (!d1 || !d2) {
		printf("ERROR %u: out of memory\n", urn);
		goto out;
	}
	if (l1 != l2 || memcmp(d1, d2, l1) != 0) {
		first_difference(d1, d2, diff, sizeof(diff));
		printf("DIFF %u as of %s (%s refresh): %s\n", urn, date_format(as_of, as_of_s),
		       full1 ? "full" : "partial", diff);
		goto out;
	}
	printf("ok %u %s %s %zu\n", urn, full1 ? "full" : "partial", date_format(as_of, as_of_s),
	       m1->n_enrolments);
	rc = 0;
out:
	fflush(stdout);
	measures_destroy(&m1);
	measures_destroy(&m2);
	free(d1);
	free(d2);
	school_cache_deinit(&fresh);
	return rc;
}

int main(void)
{
	PGconn *conn = PQconnectdb("");
	school_cache kept = {0};
	measures_config cfg;
	char line[256];
	int rc = 0;

	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "refresh_check: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 2;
	}
	measures_config_init(&cfg);
	while (rc == 0 && fgets(line, sizeof(line), stdin)) {
		unsigned urn;

		if (sscanf(line, "check %u", &urn) == 1) {
			rc = check(conn, &kept, (uint32_t)urn, &cfg);
		} else if (line[0] != '\n') {
			printf("ERROR unknown command: %s", line);
			rc = 2;
		}
	}
	school_cache_deinit(&kept);
	PQfinish(conn);
	return rc;
}
