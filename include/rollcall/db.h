/* PostgreSQL helpers shared by the programs: connect, run a statement, migrate and check the
 * schema version, and build binary COPY streams for the bulk paths. */
#ifndef ROLLCALL_DB_H
#define ROLLCALL_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Connects with conninfo. Returns 0 and *out, or -ECONNREFUSED with libpq's reason in err.
 * The connection reports errors tersely: no DETAIL, HINT or CONTEXT line in any message. */
int db_connect(const char *conninfo, PGconn **out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Puts "<what>: <reason>" for a failed result into err, in words fit for a log, an ack or a
 * job error: the server's primary message, never its DETAIL or CONTEXT (which quote rows:
 * "Failing row contains (...)"), and for a data exception (SQLSTATE class 22, whose message
 * quotes the value refused) only the SQLSTATE and, for a COPY, the table, line and column.
 * res NULL: out of memory. */
void db_result_error(const PGresult *res, const char *what, char *err, size_t errlen);

/* Runs sql (no parameters, any number of statements). Returns 0, or -EIO with the server's
 * message in err. */
int db_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Runs sql with text parameters and returns its result when the status is command-ok or
 * tuples-ok (the caller PQclears it), or NULL with "<what>: <server message>" in err. */
PGresult *db_params(PGconn *conn, const char *what, const char *sql, int n,
                    const char *const *params, char *err, size_t errlen);

/* Waits up to timeout_ms for a notification on a channel conn LISTENs to, and discards what
 * arrived. Returns 1 when one came, 0 on timeout, -EIO when the connection is lost. */
int db_wait_notify(PGconn *conn, int timeout_ms);

/* Like db_params, but each distinct sql text is prepared once per connection (named after its
 * hash) and executed by name afterwards, so PostgreSQL parses and plans it once: for the
 * statements a worker runs for every job. Remembers up to 256 statements per thread; beyond
 * that it falls back to db_params. */
PGresult *db_prepared(PGconn *conn, const char *what, const char *sql, int n,
                      const char *const *params, char *err, size_t errlen);

/* Runs a one-value query and returns the value as a long in *out (0 when NULL). */
int db_query_long(PGconn *conn, const char *sql, long *out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* The highest migration compiled in. */
int db_schema_latest(void);

/* Applies every compiled-in migration not applied yet, each in its own transaction under an
 * advisory lock (so two migrators do not race), then the privileges of every object
 * (grants_apply: -EPROTO when an object is not classified) and a partition for every academic
 * year the register holds (rollcall_ensure_years). Connect as a member of rollcall_owner (the
 * first time: a role with CREATEROLE, sql/010). *applied gets how many migrations ran. */
int db_migrate(PGconn *conn, int *applied, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Checks the database is at db_schema_latest(). -ESTALE with "schema is at version N, this
 * build needs M: run 'rollcall migrate'" otherwise. */
int db_schema_check(PGconn *conn, char *err, size_t errlen) __attribute__((warn_unused_result));

/* A binary COPY stream under construction. Fields are appended in the table's column order;
 * copybuf_flush sends what has been built (call it when copybuf_len() grows large). */
typedef struct copybuf {
	char *data;
	size_t len, cap;
	bool failed; /* an allocation failed; copybuf_flush reports it */
} copybuf;

void copybuf_init(copybuf *cb);   /* writes the binary COPY header */
void copybuf_reset(copybuf *cb);  /* empties it for the next COPY, keeping its memory */
void copybuf_deinit(copybuf *cb); /* frees the buffer; NULL-safe */
void copybuf_row(copybuf *cb, int nfields);
void copybuf_null(copybuf *cb);
void copybuf_int2(copybuf *cb, int16_t v);
void copybuf_int4(copybuf *cb, int32_t v);
void copybuf_int8(copybuf *cb, int64_t v);
void copybuf_bool(copybuf *cb, bool v);
void copybuf_date(copybuf *cb, int32_t unix_day);          /* days since 1970-01-01 */
void copybuf_timestamptz(copybuf *cb, int64_t unix_usec);  /* microseconds since the epoch */
void copybuf_text(copybuf *cb, const char *s, size_t len); /* NULL s: SQL NULL */
void copybuf_cstr(copybuf *cb, const char *s);             /* NULL: SQL NULL */

/* Sends the buffered bytes with PQputCopyData and empties the buffer. */
int copybuf_flush(copybuf *cb, PGconn *conn, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Writes the trailer, flushes, ends the COPY and reads its result. *rows gets the row count. */
int copybuf_finish(copybuf *cb, PGconn *conn, long *rows, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Starts "COPY <target> FROM STDIN (FORMAT binary)". */
int db_copy_in_start(PGconn *conn, const char *target, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Day number (days since 1970-01-01) <-> PostgreSQL's binary date (days since 2000-01-01). */
#define DB_PG_EPOCH_DAY 10957

/* A binary COPY ... TO STDOUT being read, row by row. */
typedef struct copyout {
	PGconn *conn;
	char *buf;     /* the current row as libpq returned it */
	const char *p; /* read position in buf */
	const char *end;
	bool header_done;
} copyout;

/* Starts "COPY (<query>) TO STDOUT (FORMAT binary)". */
int copyout_start(copyout *co, PGconn *conn, const char *query, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Reads the next row: 1 with the fields ready to read, 0 at the end (the COPY's result has been
 * checked), or -EIO with the reason in err. */
int copyout_next(copyout *co, char *err, size_t errlen) __attribute__((warn_unused_result));

/* Field readers for the current row, in column order. A NULL reads as the given default (and
 * sets *is_null when not NULL). Binary sizes are checked; a mismatch makes the value 0. */
int32_t copyout_int4(copyout *co, bool *is_null);
int16_t copyout_int2(copyout *co, bool *is_null);
int64_t copyout_int8(copyout *co, bool *is_null);
int32_t copyout_date(copyout *co, bool *is_null); /* days since 1970-01-01 */
bool copyout_bool(copyout *co, bool *is_null);
/* Text: copied into out (NUL-terminated, cut at outlen - 1); returns the full length. */
size_t copyout_text(copyout *co, char *out, size_t outlen, bool *is_null);

/* Abandons a COPY in progress (the connection is usable again). */
void copyout_abort(copyout *co);

#endif
