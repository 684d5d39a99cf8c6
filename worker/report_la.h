/* One LA's statutory returns for one period (domain.md §6, contract.md §2), as rows ready to
 * write: the four CSV files and the LA officer's page la/<la_code>/<YYYY-MM>/index.html. The
 * rows carry personal data (that is what the returns are); they live in memory only while the
 * files are written. */
#ifndef ROLLCALL_WORKER_REPORT_LA_H
#define ROLLCALL_WORKER_REPORT_LA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum la_kind {
	LA_ATTENDANCE = 0,
	LA_SICKNESS,
	LA_NEW_PUPIL,
	LA_DELETION,
	LA_KINDS
} la_kind;

/* The contract's columns of each file (contract.md §2), in order. */
enum {
	LA_A_LA,
	LA_A_URN,
	LA_A_LAESTAB,
	LA_A_SCHOOL,
	LA_A_UPN,
	LA_A_SURNAME,
	LA_A_FORENAME,
	LA_A_DOB,
	LA_A_NC_YEAR,
	LA_A_ADDRESS,
	LA_A_POSTCODE,
	LA_A_REASON,
	LA_A_START,
	LA_A_QUALIFIED,
	LA_A_SESSIONS,
	LA_A_ONGOING,
	LA_A_CAUSE,
	LA_A_N
};
enum {
	LA_S_STATUS = LA_A_POSTCODE + 1,
	LA_S_REASON,
	LA_S_ILLNESS_YTD,
	LA_S_LONGEST,
	LA_S_FIRST,
	LA_S_N
};
enum {
	LA_N_PREFERRED = LA_A_FORENAME + 1,
	LA_N_SEX,
	LA_N_DOB,
	LA_N_NC_YEAR,
	LA_N_ADMISSION,
	LA_N_ENTERED,
	LA_N_DUE,
	LA_N_LATE,
	LA_N_ADDRESS,
	LA_N_POSTCODE,
	LA_N_BOARDER,
	LA_N_PREVIOUS,
	LA_N_P1_NAME,
	LA_N_P1_REL,
	LA_N_P1_PHONE,
	LA_N_P2_NAME,
	LA_N_P2_REL,
	LA_N_P2_PHONE,
	LA_N_OTHERS,
	LA_N_N
};
enum {
	LA_D_LEAVING = LA_A_POSTCODE + 1,
	LA_D_GROUND,
	LA_D_DEST_SCHOOL,
	LA_D_DEST_ADDRESS,
	LA_D_DEST_START,
	LA_D_P1_NAME,
	LA_D_P1_REL,
	LA_D_P1_ADDRESS,
	LA_D_P1_PHONE,
	LA_D_P2_NAME,
	LA_D_P2_REL,
	LA_D_P2_ADDRESS,
	LA_D_P2_PHONE,
	LA_D_OTHERS,
	LA_D_N
};

#define LA_MAX_CELLS 26

/* How a row stands against the latest generation that changed the return. */
typedef enum la_change {
	LA_SAME = 0,
	LA_NEW,     /* listed for the first time */
	LA_CHANGED, /* listed before with other content */
	LA_GONE,    /* listed before, not now (a recoded mark dissolved it, ...) */
} la_change;

typedef struct la_row {
	la_kind kind;
	size_t school;             /* index into la_report.schools */
	char *cells[LA_MAX_CELLS]; /* the file's columns, each a malloc'd string ("" when empty) */
	char key[64];              /* what the row is about (no personal data) */
	char sort[96];             /* order within the file after the school: UPN, then dates */
	la_change change;          /* against the generation it last changed in */
	bool open_earlier;         /* attendance: an episode that qualified before the period and
	                              is still going on at its end (the page lists these; no file
	                              row) */
} la_row;

typedef struct la_school {
	uint32_t urn;
	int laestab;
	char name[128];
	uint32_t count[LA_KINDS];   /* rows in each file */
	uint32_t changed[LA_KINDS]; /* of them, new or changed in the latest changing generation */
	uint32_t gone[LA_KINDS];
	uint32_t irregular, late, open_earlier;
} la_school;

typedef struct la_report {
	int la_code;
	char la_name[64];
	char period[8];      /* "2025-10": the return's month (the last, for a termly return) */
	int32_t first, last; /* the days it covers */
	bool termly;
	char contact[128];                       /* for the covering note */
	uint32_t irregular_bp;                   /* 0: off */
	bool junior_intake, standard_transition; /* included on the LA's request */
	int32_t first_generated, changed_on;
	int gen; /* generations that changed something; 1 = as first generated */
	size_t n_schools;
	la_school *schools;
	size_t n_rows;
	la_row *rows; /* sorted by kind, school, sort */
} la_report;

/* The file names, in la_kind order. */
extern const char *const la_file_names[LA_KINDS];

/* The columns of kind's file (NULL-terminated) and how many. */
const char *const *la_columns(la_kind kind, size_t *n);

/* Writes kind's CSV (rows that are listed, in order). Returns 0 or -EIO. */
int la_write_csv(const la_report *r, la_kind kind, FILE *f) __attribute__((warn_unused_result));

/* Writes the LA officer's page. Returns 0 or -EIO. */
int la_write_html(const la_report *r, FILE *f) __attribute__((warn_unused_result));

/* Frees the rows' cells and the arrays; NULL-safe. */
void la_report_free(la_report *r);

#endif
