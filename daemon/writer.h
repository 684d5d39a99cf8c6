/* The daemon's database side: commits a group of validated batches in one transaction (ledger,
 * calendar, pupils, contacts, register versions, rejections, jobs). */
#ifndef ROLLCALLD_WRITER_H
#define ROLLCALLD_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "batch.h"

typedef struct writer writer;

/* Creates a writer for conninfo (copied). Does not connect yet. */
writer *writer_new(const char *conninfo);

/* Closes the connection and frees the writer; NULL-safe, nulls *w. */
void writer_destroy(writer **w);

/* Connects when not connected and checks the schema version. Returns 0, -ECONNREFUSED, or
 * -ESTALE when the schema needs migrating; the reason goes into err. */
int writer_connect(writer *w, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Asks the server to cancel the statement this writer is running, if any, so that a commit
 * stuck behind a lock or a slow server ends instead of holding up a shutdown; from then on
 * writer_commit commits nothing and returns -ECANCELED. Safe from any thread. */
void writer_cancel(writer *w);

/* Commits group[0..n) in one transaction. Each batch must have passed item validation. On 0,
 * every batch has its status (ACCEPTED or DUPLICATE), counts, rejections and batch_no, and its
 * ack is stored in the ledger. A batch whose key no longer may write its school (revoked since
 * the key table was loaded) is REFUSED, checked in the same transaction. Returns -EAGAIN when the
 * connection failed (nothing committed; the writer reconnects next time), -EIO when the data made
 * the transaction fail (nothing committed; the reason in err, so the caller can retry the batches
 * one at a time), -ECANCELED after writer_cancel (nothing committed). */
int writer_commit(writer *w, ingest_batch **group, size_t n, char *err, size_t errlen)
        __attribute__((warn_unused_result));

#endif
