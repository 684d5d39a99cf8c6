/* libFuzzer target: what rollcalld does with a message before any database work. The peek
 * (id, school, hello), the decode under a heap budget, and every item rule of lib/validate, as
 * ingest.c applies them. */
#include <stddef.h>
#include <stdint.h>

#include "rollcall/date.h"
#include "rollcall/validate.h"
#include "rollcall/wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	wire_peek peek;
	wire_arena *arena = wire_arena_new(8u << 20);
	Rollcall__Batch *b = NULL;
	validate_window win;
	validate_error e;
	char err[256];
	uint8_t code;

	if (wire_batch_peek(data, size, &peek) == 0 && peek.batch_id[0])
		(void)wire_check_batch_id(peek.batch_id, WIRE_MAX_BATCH_ID, err, sizeof(err));
	if (!arena)
		return 0;
	/* A fixed day, so that a crash found on one day reproduces on another. */
	validate_window_for(date_from_ymd(2025, 10, 1), &win);
	if (wire_batch_decode(arena, data, size, &b, err, sizeof(err)) == 0 &&
	    validate_batch(b, &win, &e) == 0) {
		for (size_t i = 0; i < b->n_pupils; i++)
			(void)validate_pupil(b->pupils[i], &win, &e);
		for (size_t i = 0; i < b->n_contacts; i++)
			(void)validate_contact(b->contacts[i], &e);
		for (size_t i = 0; i < b->n_marks; i++)
			(void)validate_mark(b->marks[i], &win, &code, &e);
		for (size_t i = 0; i < b->n_sessions; i++)
			(void)validate_session(b->sessions[i], &win, &e);
	}
	wire_arena_destroy(&arena);
	return 0;
}
