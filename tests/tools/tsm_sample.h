/* A synthetic primary school for TSM pack tests: about 40 pupils over 2023/24 and 2024/25
 * (one register, so the engine gives the pack's day, the previous term and the same point last
 * year from it), with one pupil for each list of the pack and some who must stay off them. All
 * names and figures are invented. */
#ifndef ROLLCALL_TESTS_TSM_SAMPLE_H
#define ROLLCALL_TESTS_TSM_SAMPLE_H

#include "report_tsm.h"

/* The pupils with a part to play, by their index among the sample's enrolments. */
enum {
	SAMPLE_SA = 0,       /* absent more than half the time */
	SAMPLE_PA,           /* about 15% absent */
	SAMPLE_FALLING,      /* at risk of PA, the last 4 weeks much worse */
	SAMPLE_EPISODE,      /* a run of N still going on the pack's day */
	SAMPLE_SICK,         /* 32 illness sessions in a row in January */
	SAMPLE_PENALTY,      /* a week of unagreed holiday in the penalty window */
	SAMPLE_BOARDER_SA,   /* severely absent, but a boarder: outside the headline figures */
	SAMPLE_LEAVER_PA,    /* persistently absent, left before the pack's day */
	SAMPLE_NURSERY,      /* not of compulsory school age */
	SAMPLE_LATE,         /* often late */
	SAMPLE_FIRST_NORMAL, /* the others from here on */
	SAMPLE_PUPILS = 40,
};

/* The pack's day (Friday 21 March 2025, spring term 2025). */
#define SAMPLE_AS_OF "2025-03-21"

/* Builds the sample pack into *r (free with report_tsm_deinit), named and sorted, with two
 * actions and a national and an LA benchmark; *m gets the engine's measures as of the pack's
 * day (free with measures_destroy). boundaries: NULL for the defaults. Returns 0 or a negative
 * errno. */
int tsm_sample_build(tsm_report *r, measures **m, const uint32_t *boundaries);

#endif
