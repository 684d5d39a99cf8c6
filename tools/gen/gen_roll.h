/* One school's roll: pupils with their admission-register details, register groups and the
 * staff who take the registers (pupils.csv, contacts.csv). */
#ifndef ROLLCALL_GEN_ROLL_H
#define ROLLCALL_GEN_ROLL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen_trust.h"
#include "rollcall/upn.h"

typedef struct gen_pupil {
	char upn[UPN_LEN + 1];
	int8_t nc;    /* -1 nursery (N2), 0 Reception, 1..14 */
	char sex;     /* M, F or U */
	char sen;     /* N, K or E */
	uint8_t care; /* 0 none, 1 CIN, 2 CPP, 3 CLA */
	bool pp, fsm, plac, eal, boarder, temp_upn, girl_name, use_short, double_barrel;
	uint8_t eth;          /* index into names_ethnicity */
	uint8_t leave_reason; /* 0: has not left */
	uint8_t forename;
	uint8_t sur[4];    /* surname syllables (two more when double-barrelled) */
	uint8_t street[3]; /* head, tail (255: none), kind */
	uint8_t locality;  /* 0: none, else 1 + pattern */
	uint8_t loc_head;
	uint8_t town; /* 0..2 within the school's LA */
	uint16_t house;
	char postcode[9];
	int32_t cls;                 /* class (register group) index */
	uint32_t id;                 /* creation index: seeds the pupil's own streams */
	int32_t dob, admitted, left; /* day numbers; left is INT32_MAX while on roll */
	int32_t entered;             /* entered_on: the name went on the admission register */
	int32_t dest_start;          /* destination_start; INT32_MAX: unknown */
	uint8_t prev[2];             /* previous school name syllables; prev[0] 255: none */
	uint8_t dest[2];             /* destination school's; dest[0] 255: none */
	bool dest_moved;             /* a leaver with a new address */
} gen_pupil;

/* One school's pupils (sorted by UPN) and the staff who take its registers. */
typedef struct gen_roll {
	gen_pupil *p; /* owned */
	long n;
	int nclasses;
	char (*teacher)[48]; /* owned; recorded_by of each class's register */
	char (*cls_name)[8]; /* owned; each class's name ("4B", "10C") */
	char office[3][48];  /* recorded_by of late marks and amendments */
} gen_roll;

/* The leaving reason of the pupils who left at the end of the year before (two-year trusts). */
#define GEN_LEFT_LAST_YEAR 6

/* Draws school's roll into roll (which the caller frees with roll_deinit). With two years
 * (t->opt.years), the roll also holds last year's top year group, who left on the last day of
 * that year (leave_reason GEN_LEFT_LAST_YEAR). Returns 0, -ENOMEM, or -ERANGE when the school
 * has too many pupils for unique UPNs (message in err). */
int roll_build(const gen_trust *t, const gen_school *s, gen_roll *roll, char *err, size_t errlen)
        __attribute__((warn_unused_result));

void roll_deinit(gen_roll *roll);

/* The same roll a year earlier, into *out (freed with roll_deinit): every pupil one year group
 * lower, but last year's leavers in the year group they left from. Returns 0 or -ENOMEM. */
int roll_year_before(const gen_roll *roll, gen_roll *out) __attribute__((warn_unused_result));

/* Writes pupils.csv and contacts.csv for the roll and adds the contacts to *ncontacts. */
int roll_write(const gen_trust *t, const gen_school *s, const gen_roll *roll, const char *dir,
               long *ncontacts, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
