/* The attendance settings in force (sql/020): the category boundaries and the TSM "falling"
 * threshold set by the trust and by each LA that sets its own, over the built-in defaults. An
 * LA's row holds for the schools in it, the trust's for the others. Loaded once per job, so a
 * change made with "rollcall boundaries set" counts from the next job on. */
#ifndef ROLLCALL_WORKER_SETTINGS_H
#define ROLLCALL_WORKER_SETTINGS_H

#include <libpq-fe.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"
#include "rollcall/measures.h"

typedef enum settings_source {
	/* nobody set them: measures_config_init and MEASURES_FALLING_BP */
	SETTINGS_DEFAULT = REPORT_BOUNDARIES_DEFAULT,
	SETTINGS_TRUST = REPORT_BOUNDARIES_TRUST,
	SETTINGS_LA = REPORT_BOUNDARIES_LA,
} settings_source;

typedef struct settings_row {
	int la_code; /* 0: the trust's own */
	uint32_t category_bp[4];
	uint32_t falling_bp;
} settings_row;

typedef struct settings {
	settings_row *rows;
	size_t n;
} settings;

/* What holds for one school. */
typedef struct settings_school {
	settings_source source;
	uint32_t category_bp[4];
	uint32_t falling_bp;
} settings_school;

/* Reads every row into *out (free with settings_deinit). A row measures_config_check refuses
 * (say, edited by hand) fails the load with -EINVAL naming its scope. Returns 0, -EIO or
 * -ENOMEM, with the reason in err. */
int settings_load(PGconn *conn, settings *out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

void settings_deinit(settings *s);

/* What holds for a school in la_code (s may be NULL: the defaults). */
settings_school settings_for(const settings *s, int la_code);

/* base with the school's category boundaries. */
void settings_apply(const settings_school *ss, const measures_config *base, measures_config *out);

/* The boundaries as school_result.boundaries keeps them: "500,1000,2000,5000". */
#define SETTINGS_KEY_LEN 48
char *settings_key(const uint32_t category_bp[4], char out[SETTINGS_KEY_LEN]);

#endif
