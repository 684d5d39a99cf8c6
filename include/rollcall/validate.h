/* The rules every item must meet on its own (domain.md §1-2, §9; contract.md §1), shared by the
 * daemon, which trusts nothing it receives, and the push client, which checks before sending.
 * Rules that need the register (pupil on roll, amendment of an existing mark) live in the
 * daemon's writer. */
#ifndef ROLLCALL_VALIDATE_H
#define ROLLCALL_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "rollcall/rollcall.pb-c.h"

/* What is wrong with an item: the field and a reason with no personal data in it. */
typedef struct validate_error {
	const char *field;
	char reason[160];
} validate_error;

/* The window of dates a mark may carry: academic years (today's - 6) .. today's, and not after
 * today + 1 (a register is not taken in advance). */
typedef struct validate_window {
	int32_t first_day;
	int32_t last_day;
} validate_window;

void validate_window_for(int32_t today, validate_window *w);

/* Each returns 0 when the item is acceptable, or -EINVAL and fills e. For a mark, *code_id
 * receives the code's id (codes.h). */
int validate_pupil(const Rollcall__Pupil *p, int32_t today, validate_error *e)
        __attribute__((warn_unused_result));
int validate_contact(const Rollcall__Contact *c, validate_error *e)
        __attribute__((warn_unused_result));
int validate_mark(const Rollcall__Mark *m, const validate_window *w, uint8_t *code_id,
                  validate_error *e) __attribute__((warn_unused_result));
int validate_session(const Rollcall__CalendarSession *s, const validate_window *w,
                     validate_error *e) __attribute__((warn_unused_result));

#endif
