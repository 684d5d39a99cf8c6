/* rollcall-push's sending side: a thread with a CURVE DEALER socket that keeps a window of spooled
 * batches in flight, matches acks by batch id, retires acknowledged files from the spool and
 * resends the rest with backoff. Runs are sent strictly one after another, and within a run
 * sessions and pupils, then contacts, then marks: each only once the one before is all acked. */
#ifndef ROLLCALL_PUSH_SENDER_H
#define ROLLCALL_PUSH_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spool.h"

typedef struct sender_opts {
	const char *endpoint;   /* e.g. tcp://rollcall.example.org:5555 (copied) */
	const char *server_key; /* Z85 public key of the daemon (copied) */
	const char *public_key; /* this client's Z85 key pair (copied) */
	const char *secret_key;
	int window;         /* batches in flight, 1..1024 */
	int ack_timeout_ms; /* resend a batch not acknowledged within this */
	int give_up_s;      /* stop when no ack came for this long while batches were in flight */
	bool progress;      /* draw a one-line progress display on stderr */
} sender_opts;

/* A spooled batch handed to the sender. */
typedef struct sender_batch {
	int phase; /* 0: sessions, pupils, contacts; 1: marks */
	uint32_t seq;
	batch_counts n; /* required for phase 0 (it decides the order); for phase 1 only when
	                   verified */
	bool verified;  /* known to decode (written by this run, or inspected); otherwise the
	                   sender inspects the file before sending it */
	uint8_t *buf;   /* malloc'd block holding the packed Batch at buf + off, len bytes; NULL:
	                   read from the spool when its turn comes */
	size_t off, len;
} sender_batch;

typedef enum sender_outcome {
	SENDER_DONE,        /* every batch handed over was acked or refused */
	SENDER_GAVE_UP,     /* no ack for give_up_s seconds */
	SENDER_KEY_REFUSED, /* the CURVE handshake failed: the daemon refused this client */
	SENDER_BROKEN,      /* a local failure (socket, spool): see message */
} sender_outcome;

typedef struct sender_result {
	sender_outcome outcome;
	char message[320]; /* why it stopped, for GAVE_UP, KEY_REFUSED and BROKEN */
	/* Items acknowledged, per kind, less the ones the daemon rejected. */
	uint64_t pupils, contacts, marks, sessions;
	uint64_t marks_new, marks_unchanged;
	uint64_t rejected;                      /* items the daemon rejected */
	uint64_t acked, refused, corrupt, torn; /* batches */
	uint64_t retried;                       /* RETRY answers (busy, database down) */
} sender_result;

typedef struct sender sender;

/* Sets up the socket (CURVE client, LINGER 0, a monitor for handshake failures), connects and
 * starts the thread. Returns 0 or a negative errno with the reason in err. The caller ends it
 * with sender_wait and frees it with sender_destroy. */
int sender_new(const sender_opts *o, sender **out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Announces a run; runs are sent in the order announced. run is borrowed and must outlive the
 * sender. Its manifest's complete flag decides what happens to a batch file of it that does
 * not decode: removed when the run is incomplete (its export is read again), set aside as
 * .corrupt otherwise. */
int sender_add_run(sender *s, spool_run *run) __attribute__((warn_unused_result));

/* Hands over a batch of run (announced before). Takes ownership of b->buf whatever the result
 * (the buffer may be dropped to bound memory: the file is then read back when needed).
 * Returns 0 or -ENOMEM. */
int sender_submit(sender *s, spool_run *run, sender_batch *b) __attribute__((warn_unused_result));

/* Whether a buffer of len bytes handed over now would be kept in memory (otherwise it is
 * dropped at once, so the caller may as well keep it and hand over none). */
bool sender_can_hold(sender *s, size_t len);

/* No more batches of phase (0 or 1) will come for run; closing phase 1 closes the run. */
int sender_phase_done(sender *s, spool_run *run, int phase) __attribute__((warn_unused_result));

/* No more runs or batches: the thread ends once everything handed over is acked or refused. */
int sender_end(sender *s) __attribute__((warn_unused_result));

/* Whether the thread stopped for good (key refused, broken): a reader should stop too. */
bool sender_failed(sender *s);

/* Waits for the thread to end and fills res. */
void sender_wait(sender *s, sender_result *res);

/* Closes the socket and frees everything, unsent batches included (their files stay in the
 * spool); NULL-safe, nulls *s. */
void sender_destroy(sender **s);

/* Writes one line to stderr, clearing the progress display first. Safe from any thread. */
void sender_say(sender *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints a rejection as "file:line: field: reason" (bytes outside printable ASCII shown as
 * \xNN, log_escape: text from the daemon never moves the cursor) and
 * counts it for the progress display when local. */
void sender_print_reject(sender *s, const char *file, unsigned long line, const char *field,
                         const char *reason, bool local);

#endif
