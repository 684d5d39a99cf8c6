/* rollcall-gen --check: validates a trust folder in the register export format (contract.md §1)
 * with the library's own checks (upn_check, codes_check, date_parse, ts_parse) and reports
 * counts and the headline attendance figures of domain.md §3. */
#ifndef ROLLCALL_GEN_CHECK_H
#define ROLLCALL_GEN_CHECK_H

#include <stdio.h>

/* Checks the trust folder dir (trust.csv and one folder per school), printing a summary to out
 * and up to a screenful of problems (file, line, field, reason; never names) to errs.
 * Returns 0 when everything is valid, 1 when a row is invalid, or a negative errno when a file
 * cannot be read. */
int check_trust(const char *dir, FILE *out, FILE *errs) __attribute__((warn_unused_result));

#endif
