/* The register export's files and their columns (contract.md §1), in the contract's order: the
 * one list that rollcall-push's reader, the generator that writes exports and the generator's
 * checker all use. Required columns must be in a file's header; the others may be absent. */
#ifndef ROLLCALL_COLUMNS_H
#define ROLLCALL_COLUMNS_H

#include <stddef.h>

#include "rollcall/csvread.h"

enum {
	COL_P_UPN,
	COL_P_SURNAME,
	COL_P_FORENAME,
	COL_P_PREFERRED,
	COL_P_DOB,
	COL_P_SEX,
	COL_P_NC_YEAR,
	COL_P_ADMISSION,
	COL_P_LEAVING,
	COL_P_LEAVING_REASON,
	COL_P_ADDR1,
	COL_P_ADDR2,
	COL_P_TOWN,
	COL_P_POSTCODE,
	COL_P_BOARDER,
	COL_P_PP,
	COL_P_FSM,
	COL_P_SEN,
	COL_P_SOCIAL,
	COL_P_PLA,
	COL_P_EAL,
	COL_P_ETHNICITY,
	/* contract additions, optional */
	COL_P_ENTERED_ON,
	COL_P_PREVIOUS_SCHOOL,
	COL_P_DEST_SCHOOL,
	COL_P_DEST_ADDRESS,
	COL_P_DEST_START,
	COL_P_CLASS,
	COL_P_N
};

enum {
	COL_C_UPN,
	COL_C_NAME,
	COL_C_RELATIONSHIP,
	COL_C_LIVES_WITH,
	COL_C_ADDRESS,
	COL_C_PHONE,
	COL_C_PRIORITY,
	COL_C_N
};

enum {
	COL_M_UPN,
	COL_M_DATE,
	COL_M_SESSION,
	COL_M_CODE,
	COL_M_MINUTES_LATE,
	COL_M_RECORDED_AT,
	COL_M_RECORDED_BY,
	COL_M_AMENDMENT_REASON,
	COL_M_COMMENT, /* optional addition */
	COL_M_N
};

enum { COL_S_DATE, COL_S_SESSION, COL_S_OPEN, COL_S_TERM /* optional addition */, COL_S_N };

extern const csvread_column columns_pupils[COL_P_N];
extern const csvread_column columns_contacts[COL_C_N];
extern const csvread_column columns_marks[COL_M_N];
extern const csvread_column columns_calendar[COL_S_N];

/* Writes the header line of the first n columns ("upn,surname,...\n") into out. Returns its
 * length (like snprintf: out may be cut). */
size_t columns_header(const csvread_column *cols, size_t n, char *out, size_t outlen);

#endif
