/* Unique Pupil Numbers (domain.md §9): shape and check letter. Pure functions. */
#ifndef ROLLCALL_UPN_H
#define ROLLCALL_UPN_H

#include <stddef.h>

#define UPN_LEN 13

/* The check letter for the 12 characters s[0..12) that follow it in a UPN, or 0 when one of
 * them cannot appear in a UPN. */
char upn_check_letter(const char *s12);

/* Checks s[0..len) is a valid permanent or temporary UPN with the right check letter.
 * Returns 0, or -EINVAL with a reason in why ("must be 13 characters, got 12",
 * "check letter is A, expected B", ...). */
int upn_check(const char *s, size_t len, char *why, size_t whylen)
        __attribute__((warn_unused_result));

#endif
