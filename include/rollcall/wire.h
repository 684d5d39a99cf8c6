/* The wire protocol's glue: decoding a Batch under a heap budget, the limits every batch must
 * respect, and the item-kind names used in reports. */
#ifndef ROLLCALL_WIRE_H
#define ROLLCALL_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rollcall/rollcall.pb-c.h"

#define WIRE_VERSION 1

/* Per-batch limits, checked by the daemon before any database work. */
#define WIRE_MAX_PUPILS   20000
#define WIRE_MAX_CONTACTS 60000
#define WIRE_MAX_MARKS    100000
#define WIRE_MAX_SESSIONS 20000
#define WIRE_MAX_BATCH_ID 64

/* Per-field limits, checked per item (an item over a limit is rejected, the batch goes on). */
#define WIRE_MAX_NAME    100 /* surname, forename, preferred forename, contact name */
#define WIRE_MAX_TEXT    200 /* address lines, town, recorded_by, relationship, phone */
#define WIRE_MAX_REASON  500 /* amendment reason, leaving reason */
#define WIRE_MAX_MINUTES 600 /* minutes late */

/* A bump allocator for one decoded message: everything protobuf-c allocates comes from it and
 * is freed at once; past its budget an allocation fails, so a crafted message of many empty
 * sub-messages cannot inflate the heap. */
typedef struct wire_arena wire_arena;

/* A pool of arena chunks shared by the arenas of one process, so a long-running daemon reuses
 * the same memory batch after batch instead of fragmenting the heap. Thread-safe. */
typedef struct wire_pool wire_pool;

/* A pool keeping at most max_spare bytes of free chunks. NULL when out of memory. */
wire_pool *wire_pool_new(size_t max_spare);

/* Frees the pool's spare chunks and the pool; every arena using it must be gone. NULL-safe. */
void wire_pool_destroy(wire_pool **p);

/* Returns a new arena that will hand out at most budget bytes, taking its chunks from pool
 * (NULL: plain malloc), or NULL when out of memory. */
wire_arena *wire_arena_new_pooled(size_t budget, wire_pool *pool);

/* Returns a new arena that will hand out at most budget bytes, or NULL when out of memory. */
wire_arena *wire_arena_new(size_t budget);

/* Frees the arena and everything allocated from it; NULL-safe, nulls *a. */
void wire_arena_destroy(wire_arena **a);

/* Allocates size bytes from the arena (counted against its budget); NULL past the budget.
 * The memory is zeroed. */
void *wire_arena_alloc(wire_arena *a, size_t size);

/* Bytes handed out so far. */
size_t wire_arena_used(const wire_arena *a);

/* Bytes of memory the arena holds (its chunks, whether handed out or not). */
size_t wire_arena_footprint(const wire_arena *a);

/* Decodes a Batch from data[0..len) into arena (the Batch lives as long as the arena).
 * Returns 0; -E2BIG when the arena's budget ran out ("decoded batch exceeds N bytes");
 * -EBADMSG when the bytes are not a Batch; -EPROTO when the version or counts are out of
 * bounds, school_urn is missing or batch_id is not a valid batch id (wire_check_batch_id).
 * The reason goes into err. */
int wire_batch_decode(wire_arena *arena, const uint8_t *data, size_t len, Rollcall__Batch **out,
                      char *err, size_t errlen) __attribute__((warn_unused_result));

/* Whether id[0..len) may be a batch id: 1..WIRE_MAX_BATCH_ID visible ASCII characters (no
 * space, control character or NUL), so that an id can be logged and echoed as it is. Returns
 * 0, or -EPROTO with a reason that does not echo the id in why. */
int wire_check_batch_id(const char *id, size_t len, char *why, size_t whylen)
        __attribute__((warn_unused_result));

/* What an answer to a Batch needs, read from the message's top level without decoding it: no
 * allocation, one pass over the top-level fields (a sub-message is skipped by its length). */
typedef struct wire_peek {
	uint32_t school_urn;                  /* 0 when absent */
	bool hello;                           /* the hello field is set */
	char batch_id[WIRE_MAX_BATCH_ID + 1]; /* "" when absent or not a valid batch id */
	char why[96];                         /* why batch_id is "" when the field is there */
} wire_peek;

/* Fills *out from data[0..len). Returns 0, or -EBADMSG when the top level is not a sequence of
 * well-formed protobuf fields (out then holds what came before the damage). */
int wire_batch_peek(const uint8_t *data, size_t len, wire_peek *out)
        __attribute__((warn_unused_result));

/* "pupils.csv"-like name of the file an item kind comes from in a CSV export. */
const char *wire_kind_file(Rollcall__ItemKind kind);

#endif
