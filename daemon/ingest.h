/* The receiving side of rollcalld: a CURVE ROUTER socket, batches decoded under a budget,
 * checked against the key they came with, validated, committed in groups, acked after COMMIT. */
#ifndef ROLLCALLD_INGEST_H
#define ROLLCALLD_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "keys.h"
#include "rollcall/config.h"

typedef struct ingest ingest;

typedef struct ingest_stats {
	uint64_t batches, duplicates, refused, retries, groups;
	uint64_t busy;   /* answered RETRY at once: over a hold limit, or out of order */
	uint64_t hellos; /* hellos answered */
	uint64_t marks_new, marks_unchanged, items_rejected;
	uint64_t handshakes_ok, handshakes_refused;
	uint64_t last_group_ms;
	uint64_t held_bytes; /* decoded batches held now */
	bool db_ready;       /* the last commit could reach the database */
	char db_error[160];  /* when !db_ready: why */
	keys_state keys;     /* the key table's upkeep */
} ingest_stats;

/* Reads the server key, connects the writers to the database and checks the schema, starts
 * the writer threads, the ZAP handler and the key table's upkeep, and binds cfg->listen.
 * cfg must outlive the ingest. */
int ingest_new(const rc_config *cfg, ingest **out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Waits up to timeout_ms for batches or for the writers' results: hands received batches to
 * the writer threads and sends the acks of committed ones. Returns 1 when something was
 * handled, 0 when nothing came, negative on a fatal socket error. */
int ingest_step(ingest *in, int timeout_ms);

/* Waits (up to timeout_ms) until every batch handed to the writers is committed or failed and
 * acknowledged; nothing new is read meanwhile (call it instead of ingest_step). Returns 0, or
 * -ETIMEDOUT when batches are still in hand. */
int ingest_drain(ingest *in, int timeout_ms);

/* Cancels the writers' statements in progress and lets them commit nothing more: what they
 * hold is answered RETRY (sent by the next ingest_drain). For a shutdown that cannot wait. */
void ingest_cancel(ingest *in);

/* Asks for the key table to be reloaded from the database (connections stay up); the outcome
 * is logged and shows in the stats. Changes to school_key reload it without being asked. */
void ingest_reload_keys(ingest *in);

void ingest_get_stats(ingest *in, ingest_stats *st);

/* The endpoint the socket is bound to, as ZeroMQ reports it (ZMQ_LAST_ENDPOINT): with a
 * wildcard port such as tcp://127.0.0.1:* it names the port the system chose. */
const char *ingest_endpoint(const ingest *in);

/* Closes the socket (unsent acks are dropped: clients resend and get DUPLICATE) and frees
 * everything; NULL-safe. */
void ingest_destroy(ingest **in);

#endif
