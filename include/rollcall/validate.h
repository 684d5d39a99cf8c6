/* The rules every item must meet on its own (domain.md §1-2, §9; contract.md §1), in one place:
 * rollcalld, which trusts nothing it receives, and rollcall-push, which checks before sending,
 * both call these, so the same item gets the same message on both sides. Every text field is
 * checked for well-formed UTF-8, control characters and length before it can reach the database.
 * Rules that need the register (pupil on roll, amendment of an existing mark) live in the
 * daemon's writer. */
#ifndef ROLLCALL_VALIDATE_H
#define ROLLCALL_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollcall/rollcall.pb-c.h"

#define VALIDATE_PRIORITY_MAX 99 /* contact priority 1..99 */

/* What is wrong with an item: the field and a reason with no personal data in it. */
typedef struct validate_error {
	const char *field;
	char reason[160];
} validate_error;

/* The dates and times items may carry, from today: marks from the first day of the academic
 * year (today's - 6) to today + 1 (a register is not taken in advance); timestamps from that
 * first day to the end of today + 1 (UTC). */
typedef struct validate_window {
	int32_t today;
	int32_t first_day;
	int32_t last_day;
} validate_window;

void validate_window_for(int32_t today, validate_window *w);

/* A text field: NULL or "" is fine unless required; otherwise well-formed UTF-8 without control
 * characters (C0, DEL, C1) and at most max_chars code points. Returns 0 or -EINVAL. */
int validate_text(const char *field, const char *s, size_t max_chars, bool required,
                  validate_error *e) __attribute__((warn_unused_result));

/* Each returns 0 when the item is acceptable, or -EINVAL and fills e. For a mark, *code_id
 * receives the code's id (codes.h). */
int validate_batch(const Rollcall__Batch *b, const validate_window *w, validate_error *e)
        __attribute__((warn_unused_result));
int validate_pupil(const Rollcall__Pupil *p, const validate_window *w, validate_error *e)
        __attribute__((warn_unused_result));
int validate_contact(const Rollcall__Contact *c, validate_error *e)
        __attribute__((warn_unused_result));
int validate_mark(const Rollcall__Mark *m, const validate_window *w, uint8_t *code_id,
                  validate_error *e) __attribute__((warn_unused_result));
int validate_session(const Rollcall__CalendarSession *s, const validate_window *w,
                     validate_error *e) __attribute__((warn_unused_result));

#endif
