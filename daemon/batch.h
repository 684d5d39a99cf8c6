/* One received batch on its way through the daemon: the decoded message, what validation
 * found, and the ack it will get. Everything hangs off the batch's arena. */
#ifndef ROLLCALLD_BATCH_H
#define ROLLCALLD_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollcall/keyfile.h"
#include "rollcall/wire.h"

typedef struct rejection {
	Rollcall__ItemKind kind;
	uint32_t index;
	uint32_t line;
	const char *field;  /* static or arena string */
	const char *reason; /* arena string */
	const char *upn;    /* borrowed from the item; may be NULL */
} rejection;

typedef struct ingest_batch {
	wire_arena *arena;
	uint8_t routing_id[256];
	size_t routing_len;
	char public_key[KEY_Z85_LEN + 1];
	wire_peek peek;     /* id, school and hello, read before decoding */
	Rollcall__Batch *b; /* NULL until decoded */
	size_t cost;        /* bytes it holds while the daemon has it (its arena's chunks) */

	/* Validation: code id per mark (0: rejected), ok flags per other item. */
	uint8_t *mark_code;
	uint8_t *pupil_ok, *contact_ok, *session_ok;
	rejection *rej;
	size_t nrej, caprej;
	size_t nrej_validated; /* rejections found before the database was asked */

	/* Outcome. */
	Rollcall__BatchAck__Status status;
	int64_t batch_no;
	uint32_t accepted, new_versions, unchanged;
	int32_t first_change; /* earliest date with a new mark version (INT32_MAX: none) */
	uint64_t group_ms;    /* how long the commit of its group took */
	char error[256];
	uint32_t retry_after_ms;    /* RETRY: when to send again */
	uint32_t max_message_bytes; /* the daemon's limit, told in every ack */
	uint8_t *stored_ack;        /* DUPLICATE: the ack committed the first time (malloc'd) */
	size_t stored_ack_len;
} ingest_batch;

/* Records a rejection; the reason is copied into the arena. Returns 0 or -ENOMEM. */
int batch_reject(ingest_batch *ib, Rollcall__ItemKind kind, uint32_t index, uint32_t line,
                 const char *upn, const char *field, const char *reason)
        __attribute__((warn_unused_result));

/* Packs the batch's ack (status, counts, rejections, limits) into a malloc'd buffer. The id
 * and school are the decoded batch's, or what the peek found when it was not decoded. */
int batch_pack_ack(const ingest_batch *ib, uint8_t **out, size_t *outlen)
        __attribute__((warn_unused_result));

#endif
