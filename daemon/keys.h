/* The school key table's upkeep: a thread with its own database connection that LISTENs for
 * changes to school_key (the trigger of migration 030 notifies rollcall_keys), reloads the
 * table into the ZAP handler when one comes or when asked (SIGHUP), and keeps trying when the
 * connection or a reload fails (a PostgreSQL restart), saying so in its state. */
#ifndef ROLLCALLD_KEYS_H
#define ROLLCALLD_KEYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "zap.h"

typedef struct keys keys;

/* What the key table's upkeep has to report (for STATUS). */
typedef struct keys_state {
	uint64_t count;        /* keys in the table in force */
	uint64_t reloads;      /* successful loads so far, the first included */
	bool ok;               /* the last load succeeded and changes are being listened for */
	int64_t failing_since; /* when !ok: wall-clock seconds of the first failure */
	char error[256];       /* when !ok: the last failure */
} keys_state;

/* Connects with conninfo (copied), LISTENs, loads the key table into z, and starts the thread.
 * z must outlive the keys. Returns 0, or a negative errno with the reason in err when the
 * first load fails (nothing is started then). */
int keys_start(const char *conninfo, zap *z, keys **out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Asks for a reload now; the thread does it and logs the outcome. Safe from any thread. */
void keys_reload(keys *k);

void keys_get_state(keys *k, keys_state *st);

/* Stops the thread, closes the connection and frees everything; NULL-safe, nulls *k. */
void keys_stop(keys **k);

#endif
