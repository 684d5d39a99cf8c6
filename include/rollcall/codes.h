/* The national attendance codes (2024 rules, domain.md §2) and their statistical categories.
 * Pure data and lookups; no allocation. */
#ifndef ROLLCALL_CODES_H
#define ROLLCALL_CODES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum rc_category {
	RC_CAT_PRESENT = 0,
	RC_CAT_AEA, /* approved educational activity: counts as attendance */
	RC_CAT_AUTHORISED,
	RC_CAT_UNAUTHORISED,
	RC_CAT_NOT_COUNTED, /* not a possible session */
} rc_category;

/* DfE reason buckets for breakdowns (domain.md §2, last bullet). */
typedef enum rc_bucket {
	RC_BUCKET_NONE = 0, /* present, AEA, not counted, or retired code without a bucket */
	RC_BUCKET_I,
	RC_BUCKET_M,
	RC_BUCKET_R,
	RC_BUCKET_S,
	RC_BUCKET_T,
	RC_BUCKET_E,
	RC_BUCKET_J1,
	RC_BUCKET_C1,
	RC_BUCKET_C2,
	RC_BUCKET_C,
	RC_BUCKET_G,
	RC_BUCKET_U,
	RC_BUCKET_O,
	RC_BUCKET_N,
	RC_BUCKET_COUNT
} rc_bucket;

/* The day the 2024 codes took effect (19 Aug 2024), in days since 1970-01-01. */
#define RC_CODES_2024_FROM 19954

typedef struct rc_code {
	uint8_t id;   /* 1..codes_count(); 0 is reserved for "unmarked" */
	char code[3]; /* NUL-terminated, case-sensitive, 1 or 2 characters */
	rc_category category;
	rc_bucket bucket;
	int32_t valid_from;  /* first day the code may be used (INT32_MIN: always) */
	int32_t valid_until; /* last day the code may be used (INT32_MAX: still valid) */
	const char *meaning;
} rc_code;

/* Number of codes in the table (ids run 1..codes_count()). */
size_t codes_count(void);

/* The code with id, or NULL when id is 0 or out of range. */
const rc_code *codes_by_id(uint8_t id);

/* The code spelled by s[0..len), or NULL when there is none (case-sensitive). */
const rc_code *codes_find(const char *s, size_t len);

/* Whether the category counts as a possible session. */
bool codes_possible(rc_category cat);

/* Checks that s[0..len) is a code valid on day. Returns 0 and sets *out, or -EINVAL with a
 * reason in why ("unknown code 'Q9'", "code 'H' was retired on 2024-08-19", ...). */
int codes_check(const char *s, size_t len, int32_t day, const rc_code **out, char *why,
                size_t whylen) __attribute__((warn_unused_result));

/* "present", "aea", "authorised", "unauthorised", "not_counted". */
const char *codes_category_name(rc_category cat);

/* "I", "M", ... "N" for a bucket; "" for RC_BUCKET_NONE. */
const char *codes_bucket_name(rc_bucket b);

#endif
