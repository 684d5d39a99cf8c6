/* The synthetic trust: its LAs and schools (trust.csv) and each school's calendar
 * (calendar.csv). */
#ifndef ROLLCALL_GEN_TRUST_H
#define ROLLCALL_GEN_TRUST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen_calendar.h"

#define GEN_MAX_LA      20
#define GEN_MAX_SCHOOLS 500
#define GEN_MAX_PUPILS  2000000L

/* Stream purposes: every random stream is seeded by (seed, purpose, index). */
enum {
	GEN_RNG_TRUST = 1,
	GEN_RNG_CALENDAR,
	GEN_RNG_ROLL,
	GEN_RNG_CONTACTS,
	GEN_RNG_PUPIL_MARKS,
	GEN_RNG_SCHOOL_MARKS,
	GEN_RNG_AMEND,
	GEN_RNG_SPELL, /* entry dates, previous and next schools */
	GEN_RNG_COMMENT,
};

typedef struct gen_opts {
	const char *out; /* output folder (kept by the caller) */
	uint64_t seed;
	int schools;
	long pupils;
	int year;     /* academic year start */
	int32_t from; /* first day to write marks for (day number) */
	int32_t to;   /* last day, already clamped to the year */
	double amend_pct;
	int la_count;
	int years; /* 1, or 2: the academic year before `year` is written too, in full */
} gen_opts;

typedef enum gen_phase { GEN_PRIMARY = 0, GEN_SECONDARY, GEN_SPECIAL } gen_phase;

typedef struct gen_la {
	int code;         /* three digits */
	const char *name; /* from the built-in list */
	const char *area; /* postcode area */
	int district0;    /* first postcode district number */
	char town[3][32];
} gen_la;

typedef struct gen_school {
	int index;
	int urn;
	int la;    /* index into gen_trust.la */
	int estab; /* four digits: 2xxx primary, 4xxx secondary, 7xxx special */
	gen_phase phase;
	char name[64];
	long size; /* pupils on the roll file */
	bool nursery, sixth_form, boarding;
	uint8_t open[2 * GEN_MAX_DAYS]; /* gen_year day index * 2 + session */
} gen_school;

typedef struct gen_trust {
	gen_opts opt;
	gen_year year;
	int nla;
	gen_la la[GEN_MAX_LA];
	int nschools;
	gen_school *school; /* owned */
} gen_trust;

/* Builds the trust for opt (already validated): LAs, schools, sizes and calendars.
 * Returns 0 or a negative errno with a message in err. Free with trust_deinit. */
int trust_build(gen_trust *t, const gen_opts *opt, char *err, size_t errlen)
        __attribute__((warn_unused_result));

void trust_deinit(gen_trust *t);

/* Writes trust.csv (one row per school) to path. Returns 0 or a negative errno (err). */
int trust_write(const gen_trust *t, const char *path, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Writes school's calendar rows to o: both sessions of every weekday 1 Sep - 31 Jul, with the
 * term of each day (autumn, spring, summer; empty in holidays) for every other school, so that
 * both named and inferred terms are exercised; the header first when header is set. */
struct gen_out;
void trust_write_calendar(const gen_trust *t, const gen_school *s, struct gen_out *o, bool header);

/* "N2", "R", "1".."14". */
const char *trust_nc_name(int nc);

/* Whether the pupil is of compulsory school age in academic year ay (aged 5-15 on 31 Aug
 * before it starts; domain.md §3). */
bool trust_compulsory_age(int32_t dob, int ay);

#endif
