/* Cuts the items a reader produces into Batch messages without building Batch structs: each
 * item is packed once, with its field tag and length, straight into a reused buffer, and the
 * packed Batch header is put in front at flush (a repeated field on the wire is just its
 * elements one after another, so header + items decodes as one Batch). Phase 0 batches carry
 * calendar sessions, pupils and contacts; phase 1 batches carry marks. */
#ifndef ROLLCALL_PUSH_BATCHER_H
#define ROLLCALL_PUSH_BATCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollcall/rollcall.pb-c.h"
#include "spool.h"

#define BATCHER_PUPILS         2000        /* pupils per batch */
#define BATCHER_SESSIONS       5000        /* calendar sessions per batch */
#define BATCHER_CONTACTS       10000       /* contacts per batch (cut between pupils) */
#define BATCHER_BYTES          (8u << 20)  /* a batch is cut before its items pass this */
#define BATCHER_HARD_BYTES     (15u << 20) /* not even one pupil's items may pass this */
#define BATCHER_ITEM_MAX       (1u << 20)  /* a bigger item is rejected, never sent */
#define BATCHER_PUPIL_CONTACTS 1000        /* contacts kept per pupil; more are rejected */
#define BATCHER_HEADROOM       256         /* room kept in front for the Batch header */

typedef struct batcher_limits {
	uint32_t marks;    /* marks per batch (config batch_marks) */
	uint32_t pupils;   /* 0: BATCHER_PUPILS */
	uint32_t sessions; /* 0: BATCHER_SESSIONS */
	uint32_t contacts; /* 0: BATCHER_CONTACTS */
	size_t bytes;      /* 0: BATCHER_BYTES */
} batcher_limits;

/* A finished batch. The packed Batch is buf[off .. off + len). */
typedef struct batcher_batch {
	int phase;    /* 0 or 1 */
	uint32_t seq; /* 1, 2, ... within the phase */
	batch_counts n;
	uint8_t *buf; /* the batcher's buffer: the emit callback may take it (and set buf NULL) */
	size_t off, len;
} batcher_batch;

typedef struct batcher_cb {
	void *user;
	/* A batch is ready. Return 0, or a negative value that the item call then returns. */
	int (*emit)(void *user, batcher_batch *b);
	/* An item the batcher will not send (too large, too many contacts for one pupil). */
	void (*reject)(void *user, Rollcall__ItemKind kind, uint32_t line, const char *field,
	               const char *reason);
	/* Phase 0 is over: every phase-0 batch has been emitted, tier0 of them with sessions and
	 * pupils, then tier1 with contacts. May be NULL. */
	void (*phase0_closed)(void *user, uint32_t tier0, uint32_t tier1);
} batcher_cb;

typedef struct batcher_opts {
	const char *run_name; /* batch ids are "<run_name>-<phase>-<seq 8 digits>" (copied) */
	uint32_t school_urn;
	const char *source; /* Batch.source: "csv" or "ctf" (copied; at most 32 characters) */
	/* true when every phase-0 item comes before the first mark (a CSV folder): phase 0 is
	 * then closed at the first mark, so marks can be sent while the reader goes on. Otherwise
	 * (a CTF, pupil by pupil) it is closed by batcher_finish. */
	bool ordered;
	batcher_limits limits;
	batcher_cb cb;
} batcher_opts;

typedef struct batcher batcher;

/* Returns a new batcher, or NULL when out of memory or the options are out of bounds. The
 * caller frees it with batcher_destroy. */
batcher *batcher_new(const batcher_opts *o);

/* Frees the batcher and any batch it still holds unsent; NULL-safe, nulls *b. */
void batcher_destroy(batcher **b);

/* Sets Batch.exported_on for the batches emitted from now on (unset: left out). */
void batcher_set_exported_on(batcher *b, int32_t day);

/* Add one item (packed at once; the item is not kept). Each returns 0, or the negative value of
 * the emit callback, -ENOMEM, or -EPROTO for a phase-0 item after phase 0 was closed. */
int batcher_pupil(batcher *b, const Rollcall__Pupil *p) __attribute__((warn_unused_result));
int batcher_contact(batcher *b, const Rollcall__Contact *c) __attribute__((warn_unused_result));
int batcher_mark(batcher *b, const Rollcall__Mark *m) __attribute__((warn_unused_result));
int batcher_session(batcher *b, const Rollcall__CalendarSession *s)
        __attribute__((warn_unused_result));

/* Closes phase 0 now: emits what it holds, then the buffered contacts sorted by UPN. Later
 * phase-0 items are refused with -EPROTO. Idempotent. */
int batcher_close_phase0(batcher *b) __attribute__((warn_unused_result));

/* Closes phase 0 if it is open and emits the last marks batch. */
int batcher_finish(batcher *b) __attribute__((warn_unused_result));

/* Batches emitted so far per phase. */
uint32_t batcher_batches(const batcher *b, int phase);

#endif
