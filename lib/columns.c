/* The register export's column lists (contract.md §1). */
#include "rollcall/columns.h"

#include <stdio.h>
#include <string.h>

const csvread_column columns_pupils[COL_P_N] = {
        [COL_P_UPN] = {"upn", true},
        [COL_P_SURNAME] = {"surname", true},
        [COL_P_FORENAME] = {"forename", true},
        [COL_P_PREFERRED] = {"preferred_forename", false},
        [COL_P_DOB] = {"date_of_birth", true},
        [COL_P_SEX] = {"sex", false},
        [COL_P_NC_YEAR] = {"nc_year", false},
        [COL_P_ADMISSION] = {"admission_date", true},
        [COL_P_LEAVING] = {"leaving_date", false},
        [COL_P_LEAVING_REASON] = {"leaving_reason", false},
        [COL_P_ADDR1] = {"address_line1", false},
        [COL_P_ADDR2] = {"address_line2", false},
        [COL_P_TOWN] = {"town", false},
        [COL_P_POSTCODE] = {"postcode", false},
        [COL_P_BOARDER] = {"boarder", false},
        [COL_P_PP] = {"pupil_premium", false},
        [COL_P_FSM] = {"fsm", false},
        [COL_P_SEN] = {"sen", false},
        [COL_P_SOCIAL] = {"social_care", false},
        [COL_P_PLA] = {"previously_looked_after", false},
        [COL_P_EAL] = {"eal", false},
        [COL_P_ETHNICITY] = {"ethnicity", false},
        [COL_P_ENTERED_ON] = {"entered_on", false},
        [COL_P_PREVIOUS_SCHOOL] = {"previous_school", false},
        [COL_P_DEST_SCHOOL] = {"destination_school", false},
        [COL_P_DEST_ADDRESS] = {"destination_address", false},
        [COL_P_DEST_START] = {"destination_start", false},
        [COL_P_CLASS] = {"class", false},
};

const csvread_column columns_contacts[COL_C_N] = {
        [COL_C_UPN] = {"upn", true},
        [COL_C_NAME] = {"name", true},
        [COL_C_RELATIONSHIP] = {"relationship", false},
        [COL_C_LIVES_WITH] = {"lives_with", false},
        [COL_C_ADDRESS] = {"address", false},
        [COL_C_PHONE] = {"phone", false},
        [COL_C_PRIORITY] = {"priority", false},
};

const csvread_column columns_marks[COL_M_N] = {
        [COL_M_UPN] = {"upn", true},
        [COL_M_DATE] = {"date", true},
        [COL_M_SESSION] = {"session", true},
        [COL_M_CODE] = {"code", true},
        [COL_M_MINUTES_LATE] = {"minutes_late", false},
        [COL_M_RECORDED_AT] = {"recorded_at", false},
        [COL_M_RECORDED_BY] = {"recorded_by", false},
        [COL_M_AMENDMENT_REASON] = {"amendment_reason", false},
        [COL_M_COMMENT] = {"comment", false},
};

const csvread_column columns_calendar[COL_S_N] = {
        [COL_S_DATE] = {"date", true},
        [COL_S_SESSION] = {"session", true},
        [COL_S_OPEN] = {"open", true},
        [COL_S_TERM] = {"term", false},
};

size_t columns_header(const csvread_column *cols, size_t n, char *out, size_t outlen)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		int k = snprintf(out + (len < outlen ? len : outlen),
		                 len < outlen ? outlen - len : 0, "%s%s", i ? "," : "",
		                 cols[i].name);
		len += k > 0 ? (size_t)k : 0;
	}
	if (len < outlen)
		snprintf(out + len, outlen - len, "\n");
	return len + 1;
}
