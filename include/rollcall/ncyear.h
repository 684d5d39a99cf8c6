/* National Curriculum year groups, defined once: N1, N2 (nursery), R (Reception), 1..14. Every
 * reader, writer and report names and orders them through this module. */
#ifndef ROLLCALL_NCYEAR_H
#define ROLLCALL_NCYEAR_H

#include <stddef.h>
#include <stdint.h>

#define NCYEAR_N1      (-2)
#define NCYEAR_N2      (-1)
#define NCYEAR_R       0
#define NCYEAR_LAST    14
#define NCYEAR_UNKNOWN INT8_MIN
#define NCYEAR_COUNT   (NCYEAR_LAST - NCYEAR_N1 + 1) /* 17 year groups */

/* The year group spelt s[0..len) ("N1", "R", "7"), or NCYEAR_UNKNOWN when it is none. */
int8_t ncyear_parse(const char *s, size_t len);

/* "N1", "N2", "R", "1" .. "14" for a year group; NULL for anything else. */
const char *ncyear_name(int year);

/* "N1, N2, R or 1..14": for messages. */
#define NCYEAR_EXPECTED "N1, N2, R or 1..14"

#endif
