/* PostgreSQL helpers: connection, statements, migrations, and binary COPY encoding. */
#include "rollcall/db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rollcall/grants.h"
#include "rollcall/migrations.h"

/* The first line of the connection's last error (TERSE already leaves out DETAIL and CONTEXT;
 * this keeps any later line out too). */
static void copy_error(PGconn *conn, const char *what, char *err, size_t errlen)
{
	const char *m = PQerrorMessage(conn);
	size_t n = strcspn(m, "\n");

	while (n && m[n - 1] == ' ')
		n--;
	snprintf(err, errlen, "%s: %.*s", what, (int)n, m);
}

void db_result_error(const PGresult *res, const char *what, char *err, size_t errlen)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
	const char *column = res ? PQresultErrorField(res, PG_DIAG_COLUMN_NAME) : NULL;

	if (!res) {
		snprintf(err, errlen, "%s: out of memory", what);
		return;
	}
	if (!primary) {
		/* Not from the server (a client-side failure): libpq's own text, first line. */
		const char *m = PQresultErrorMessage(res);
		snprintf(err, errlen, "%s: %.*s", what, (int)strcspn(m, "\n"), m);
		return;
	}
	if (state && !strncmp(state, "22", 2)) {
		/* "invalid input syntax for type date: \"<value>\"", "invalid byte sequence ...:
		 * 0x..": a data exception quotes what it refused. Say where instead: a COPY's
		 * context names the table, line and column before the value's ": ". */
		int n = 0;

		if (context && !strncmp(context, "COPY ", 5))
			n = (int)strcspn(context, ":\n");
		snprintf(err, errlen, "%s: invalid data (SQLSTATE %s)%s%s%s%.*s%s", what, state,
		         column ? " in column " : "", column ? column : "", n ? " (" : "", n,
		         context ? context : "", n ? ")" : "");
		return;
	}
	snprintf(err, errlen, "%s: %.*s", what, (int)strcspn(primary, "\n"), primary);
}

int db_connect(const char *conninfo, PGconn **out, char *err, size_t errlen)
{
	PGconn *conn = PQconnectdb(conninfo);

	*out = NULL;
	if (!conn) {
		snprintf(err, errlen, "database: out of memory");
		return -ENOMEM;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *m = PQerrorMessage(conn);
		size_t n = strlen(m);

		/* libpq's reasons take two lines at times ("... Is the server running ...?"). */
		while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
			n--;
		snprintf(err, errlen, "database: cannot connect: %.*s", (int)n, m);
		PQfinish(conn);
		return -ECONNREFUSED;
	}
	/* The server's DETAIL and CONTEXT lines can quote a row ("Failing row contains ..."):
	 * none of them reaches a message this connection produces, notices included. */
	PQsetErrorVerbosity(conn, PQERRORS_TERSE);
	PQsetErrorContextVisibility(conn, PQSHOW_CONTEXT_NEVER);
	*out = conn;
	return 0;
}

int db_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	int rc = 0;
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		db_result_error(res, "database", err, errlen);
		rc = -EIO;
	}
	PQclear(res);
	return rc;
}

/* res when it is command-ok or tuples-ok; otherwise NULL (res cleared) with
 * db_result_error's text in err. */
static PGresult *checked(PGconn *conn, PGresult *res, const char *what, char *err, size_t errlen)
{
	ExecStatusType st = PQresultStatus(res);

	if (!res && PQstatus(conn) != CONNECTION_OK) {
		/* No result because there is no connection (a server that closed it). */
		const char *m = PQerrorMessage(conn);

		snprintf(err, errlen, "%s: no connection (%.*s)", what, (int)strcspn(m, "\n"), m);
		return NULL;
	}
	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		db_result_error(res, what, err, errlen);
		PQclear(res);
		return NULL;
	}
	return res;
}

PGresult *db_params(PGconn *conn, const char *what, const char *sql, int n,
                    const char *const *params, char *err, size_t errlen)
{
	return checked(conn, PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0), what, err,
	               errlen);
}

/* The statements prepared on this thread's connections: a connection is known by its address
 * and its server process, so a new connection at a freed address starts with none. */
#define DB_PREPARED_MAX 256
static __thread struct prepared {
	const PGconn *conn;
	int pid;
	uint64_t hash;
} s_prepared[DB_PREPARED_MAX];
static __thread size_t s_n_prepared;

static uint64_t sql_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

PGresult *db_prepared(PGconn *conn, const char *what, const char *sql, int n,
                      const char *const *params, char *err, size_t errlen)
{
	uint64_t h = sql_hash(sql);
	int pid = PQbackendPID(conn);
	char name[24];
	size_t i;
	PGresult *res;

	snprintf(name, sizeof(name), "rc_%016llx", (unsigned long long)h);
	for (i = 0; i < s_n_prepared; i++)
		if (s_prepared[i].conn == conn && s_prepared[i].pid == pid &&
		    s_prepared[i].hash == h)
			break;
	if (i == s_n_prepared) {
		if (s_n_prepared == DB_PREPARED_MAX)
			return db_params(conn, what, sql, n, params, err, errlen);
		res = checked(conn, PQprepare(conn, name, sql, n, NULL), what, err, errlen);
		if (!res)
			return NULL;
		PQclear(res);
		s_prepared[s_n_prepared++] = (struct prepared){conn, pid, h};
	}
	return checked(conn, PQexecPrepared(conn, name, n, params, NULL, NULL, 0), what, err,
	               errlen);
}

int db_wait_notify(PGconn *conn, int timeout_ms)
{
	struct pollfd p = {PQsocket(conn), POLLIN, 0};
	PGnotify *n;
	int got = 0;

	if (p.fd < 0)
		return -EIO;
	/* Notifications already read with an earlier result count without waiting. */
	if (!PQconsumeInput(conn))
		return -EIO;
	while ((n = PQnotifies(conn))) {
		PQfreemem(n);
		got = 1;
	}
	if (got)
		return 1;
	if (poll(&p, 1, timeout_ms) > 0 && !PQconsumeInput(conn))
		return -EIO;
	while ((n = PQnotifies(conn))) {
		PQfreemem(n);
		got = 1;
	}
	return got;
}

int db_query_long(PGconn *conn, const char *sql, long *out, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	int rc = 0;

	*out = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_result_error(res, "database", err, errlen);
		rc = -EIO;
	} else if (PQntuples(res) > 0 && !PQgetisnull(res, 0, 0)) {
		*out = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	}
	PQclear(res);
	return rc;
}

int db_schema_latest(void)
{
	return migrations_count ? migrations[migrations_count - 1].version : 0;
}

/* The one value of sql over the migration ledger in *v, 0 while there is no ledger. */
static int ledger_value(PGconn *conn, const char *sql, long *v, char *err, size_t errlen)
{
	long exists = 0;
	int rc = db_query_long(conn,
	                       "SELECT count(*) FROM pg_class WHERE relname = 'rollcall_migration'"
	                       " AND relkind = 'r' AND pg_table_is_visible(oid)",
	                       &exists, err, errlen);

	*v = 0;
	if (rc < 0 || !exists)
		return rc;
	return db_query_long(conn, sql, v, err, errlen);
}

static int current_version(PGconn *conn, long *v, char *err, size_t errlen)
{
	return ledger_value(conn, "SELECT coalesce(max(version), 0) FROM rollcall_migration", v,
	                    err, errlen);
}

/* Whether migration version is recorded as applied (*yes 1 or 0). */
static int recorded_version(PGconn *conn, int version, long *yes, char *err, size_t errlen)
{
	char sql[96];

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM rollcall_migration WHERE version = %d",
	         version);
	return ledger_value(conn, sql, yes, err, errlen);
}

int db_migrate(PGconn *conn, int *applied, char *err, size_t errlen)
{
	long have = 0;
	int rc;

	*applied = 0;
	rc = db_exec(conn,
	             "SET client_min_messages = warning;"
	             "CREATE TABLE IF NOT EXISTS rollcall_migration ("
	             " version integer PRIMARY KEY, name text NOT NULL,"
	             " applied_at timestamptz NOT NULL DEFAULT now())",
	             err, errlen);
	if (rc < 0)
		goto out;
	for (int i = 0; i < migrations_count; i++) {
		const migration_t *m = &migrations[i];
		PGresult *res;
		const char *params[2];
		char vbuf[16];

		rc = db_exec(conn, "BEGIN; SELECT pg_advisory_xact_lock(7243101)", err, errlen);
		if (rc < 0)
			goto out;
		/* Every migration not recorded yet, in order: one numbered below the latest applied
		 * (another branch's range, merged later) still runs. */
		rc = recorded_version(conn, m->version, &have, err, errlen);
		if (rc < 0 || have) {
			int rc2 = db_exec(conn, "ROLLBACK", err, errlen);
			if (rc < 0 || rc2 < 0)
				goto out;
			continue;
		}
		rc = db_exec(conn, m->sql, err, errlen);
		if (rc < 0) {
			char inner[1024];

			snprintf(inner, sizeof(inner), "%s", err);
			snprintf(err, errlen, "migration %03d_%s: %s", m->version, m->name, inner);
			PQclear(PQexec(conn, "ROLLBACK"));
			goto out;
		}
		snprintf(vbuf, sizeof(vbuf), "%d", m->version);
		params[0] = vbuf;
		params[1] = m->name;
		res = PQexecParams(conn,
		                   "INSERT INTO rollcall_migration (version, name) VALUES ($1, $2)",
		                   2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			db_result_error(res, "database", err, errlen);
			PQclear(res);
			PQclear(PQexec(conn, "ROLLBACK"));
			rc = -EIO;
			goto out;
		}
		PQclear(res);
		rc = db_exec(conn, "COMMIT", err, errlen);
		if (rc < 0)
			goto out;
		(*applied)++;
	}
	/* Then who may do what (one classification, lib/grants.c), and a partition for every
	 * year the register holds, under the same lock. */
	rc = db_exec(conn, "BEGIN; SELECT pg_advisory_xact_lock(7243101)", err, errlen);
	if (rc == 0)
		rc = grants_apply(conn, err, errlen);
	if (rc == 0)
		rc = db_exec(conn, "SELECT rollcall_ensure_years(); COMMIT", err, errlen);
	if (rc < 0)
		PQclear(PQexec(conn, "ROLLBACK"));
out:
	return rc;
}

int db_schema_check(PGconn *conn, char *err, size_t errlen)
{
	long have = 0, missing = 0;
	int rc = current_version(conn, &have, err, errlen);

	if (rc < 0)
		return rc;
	for (int i = 0; rc == 0 && have == db_schema_latest() && !missing && i < migrations_count;
	     i++) {
		long yes = 0;

		rc = recorded_version(conn, migrations[i].version, &yes, err, errlen);
		if (rc == 0 && !yes)
			missing = migrations[i].version;
	}
	if (rc < 0)
		return rc;
	if (missing) {
		snprintf(err, errlen,
		         "schema lacks migration %03ld, which this build needs: run 'rollcall "
		         "migrate'",
		         missing);
		return -ESTALE;
	}
	if (have != db_schema_latest()) {
		snprintf(err, errlen,
		         "schema is at version %ld, this build needs %d: run 'rollcall migrate'",
		         have, db_schema_latest());
		return -ESTALE;
	}
	return 0;
}

/* --- binary COPY ------------------------------------------------------------------------- */

static void cb_reserve(copybuf *cb, size_t more)
{
	size_t need = cb->len + more;
	char *p;

	if (need <= cb->cap || cb->failed)
		return;
	size_t cap = cb->cap ? cb->cap : 65536;
	while (cap < need)
		cap *= 2;
	p = realloc(cb->data, cap);
	if (!p) {
		cb->failed = true;
		return;
	}
	cb->data = p;
	cb->cap = cap;
}

static void cb_put(copybuf *cb, const void *p, size_t n)
{
	cb_reserve(cb, n);
	if (cb->failed)
		return;
	memcpy(cb->data + cb->len, p, n);
	cb->len += n;
}

void copybuf_init(copybuf *cb)
{
	static const char header[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

	memset(cb, 0, sizeof(*cb));
	cb_put(cb, header, 19);
}

void copybuf_reset(copybuf *cb)
{
	static const char header[] = "PGCOPY\n\377\r\n\0\0\0\0\0\0\0\0\0";

	cb->len = 0;
	cb->failed = false;
	cb_put(cb, header, 19);
}

void copybuf_deinit(copybuf *cb)
{
	if (!cb)
		return;
	free(cb->data);
	memset(cb, 0, sizeof(*cb));
}

void copybuf_row(copybuf *cb, int nfields)
{
	uint16_t n = htons((uint16_t)nfields);
	cb_put(cb, &n, 2);
}

void copybuf_null(copybuf *cb)
{
	uint32_t n = htonl(0xFFFFFFFFu);
	cb_put(cb, &n, 4);
}

void copybuf_int2(copybuf *cb, int16_t v)
{
	struct __attribute__((packed)) {
		uint32_t len;
		uint16_t v;
	} f = {htonl(2), htons((uint16_t)v)};
	cb_put(cb, &f, sizeof(f));
}

void copybuf_int4(copybuf *cb, int32_t v)
{
	uint32_t f[2] = {htonl(4), htonl((uint32_t)v)};
	cb_put(cb, f, sizeof(f));
}

void copybuf_int8(copybuf *cb, int64_t v)
{
	uint32_t f[3] = {htonl(8), htonl((uint32_t)((uint64_t)v >> 32)), htonl((uint32_t)v)};
	cb_put(cb, f, sizeof(f));
}

void copybuf_bool(copybuf *cb, bool v)
{
	char f[5] = {0, 0, 0, 1, v ? 1 : 0};
	cb_put(cb, f, sizeof(f));
}

void copybuf_date(copybuf *cb, int32_t unix_day)
{
	copybuf_int4(cb, unix_day - DB_PG_EPOCH_DAY);
}

void copybuf_timestamptz(copybuf *cb, int64_t unix_usec)
{
	copybuf_int8(cb, unix_usec - (int64_t)DB_PG_EPOCH_DAY * 86400 * 1000000);
}

void copybuf_text(copybuf *cb, const char *s, size_t len)
{
	uint32_t n;

	if (!s) {
		copybuf_null(cb);
		return;
	}
	n = htonl((uint32_t)len);
	cb_reserve(cb, 4 + len);
	cb_put(cb, &n, 4);
	cb_put(cb, s, len);
}

void copybuf_cstr(copybuf *cb, const char *s)
{
	copybuf_text(cb, s, s ? strlen(s) : 0);
}

int copybuf_flush(copybuf *cb, PGconn *conn, char *err, size_t errlen)
{
	if (cb->failed) {
		snprintf(err, errlen, "copy: out of memory");
		return -ENOMEM;
	}
	if (cb->len && PQputCopyData(conn, cb->data, (int)cb->len) != 1) {
		copy_error(conn, "copy", err, errlen);
		return -EIO;
	}
	cb->len = 0;
	return 0;
}

int copybuf_finish(copybuf *cb, PGconn *conn, long *rows, char *err, size_t errlen)
{
	uint16_t trailer = 0xFFFF;
	PGresult *res;
	int rc;

	cb_put(cb, &trailer, 2);
	rc = copybuf_flush(cb, conn, err, errlen);
	if (PQputCopyEnd(conn, rc < 0 ? "client failed" : NULL) != 1 && rc == 0) {
		copy_error(conn, "copy", err, errlen);
		rc = -EIO;
	}
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		if (rc == 0)
			db_result_error(res, "copy", err, errlen);
		rc = rc ? rc : -EIO;
	} else if (rows) {
		*rows = strtol(PQcmdTuples(res), NULL, 10);
	}
	PQclear(res);
	while ((res = PQgetResult(conn)))
		PQclear(res);
	return rc;
}

int db_copy_in_start(PGconn *conn, const char *target, char *err, size_t errlen)
{
	char sql[512];
	PGresult *res;
	int rc = 0;

	snprintf(sql, sizeof(sql), "COPY %s FROM STDIN (FORMAT binary)", target);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		db_result_error(res, "copy", err, errlen);
		rc = -EIO;
	}
	PQclear(res);
	return rc;
}

/* --- binary COPY out --------------------------------------------------------------------- */

int copyout_start(copyout *co, PGconn *conn, const char *query, char *err, size_t errlen)
{
	size_t n = strlen(query) + 64;
	char *sql = malloc(n);
	PGresult *res;
	int rc = 0;

	memset(co, 0, sizeof(*co));
	co->conn = conn;
	if (!sql)
		return -ENOMEM;
	snprintf(sql, n, "COPY (%s) TO STDOUT (FORMAT binary)", query);
	res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COPY_OUT) {
		db_result_error(res, "copy out", err, errlen);
		rc = -EIO;
	}
	PQclear(res);
	free(sql);
	return rc;
}

int copyout_next(copyout *co, char *err, size_t errlen)
{
	for (;;) {
		int len;
		uint16_t nf;

		if (co->buf) {
			PQfreemem(co->buf);
			co->buf = NULL;
		}
		len = PQgetCopyData(co->conn, &co->buf, 0);
		if (len == -1) {
			PGresult *res = PQgetResult(co->conn);
			int rc = 0;

			if (PQresultStatus(res) != PGRES_COMMAND_OK) {
				db_result_error(res, "copy out", err, errlen);
				rc = -EIO;
			}
			PQclear(res);
			while ((res = PQgetResult(co->conn)))
				PQclear(res);
			return rc;
		}
		if (len < 0) {
			copy_error(co->conn, "copy out", err, errlen);
			return -EIO;
		}
		co->p = co->buf;
		co->end = co->buf + len;
		if (!co->header_done) {
			/* Signature (11), flags (4), header extension length (4) + extension. */
			uint32_t ext;

			if (len < 19 || memcmp(co->p, "PGCOPY\n\377\r\n\0", 11) != 0) {
				snprintf(err, errlen, "copy out: not a binary COPY stream");
				return -EIO;
			}
			memcpy(&ext, co->p + 15, 4);
			co->p += 19 + ntohl(ext);
			co->header_done = true;
			if (co->p >= co->end)
				continue;
		}
		if (co->end - co->p < 2)
			continue;
		memcpy(&nf, co->p, 2);
		co->p += 2;
		if (ntohs(nf) == 0xFFFF) /* trailer */
			continue;
		return 1;
	}
}

/* The next field: its bytes, or NULL for SQL NULL; *len its length. */
static const char *field(copyout *co, int32_t *len)
{
	uint32_t n;

	if (co->end - co->p < 4) {
		*len = -1;
		return NULL;
	}
	memcpy(&n, co->p, 4);
	co->p += 4;
	*len = (int32_t)ntohl(n);
	if (*len < 0 || co->end - co->p < *len) {
		*len = -1;
		return NULL;
	}
	co->p += *len;
	return co->p - *len;
}

int32_t copyout_int4(copyout *co, bool *is_null)
{
	int32_t len;
	const char *f = field(co, &len);
	uint32_t v = 0;

	if (is_null)
		*is_null = !f;
	if (f && len == 4)
		memcpy(&v, f, 4);
	return (int32_t)ntohl(v);
}

int16_t copyout_int2(copyout *co, bool *is_null)
{
	int32_t len;
	const char *f = field(co, &len);
	uint16_t v = 0;

	if (is_null)
		*is_null = !f;
	if (f && len == 2)
		memcpy(&v, f, 2);
	return (int16_t)ntohs(v);
}

int64_t copyout_int8(copyout *co, bool *is_null)
{
	int32_t len;
	const char *f = field(co, &len);
	uint32_t v[2] = {0, 0};

	if (is_null)
		*is_null = !f;
	if (f && len == 8)
		memcpy(v, f, 8);
	return (int64_t)(((uint64_t)ntohl(v[0]) << 32) | ntohl(v[1]));
}

int32_t copyout_date(copyout *co, bool *is_null)
{
	return copyout_int4(co, is_null) + DB_PG_EPOCH_DAY;
}

bool copyout_bool(copyout *co, bool *is_null)
{
	int32_t len;
	const char *f = field(co, &len);

	if (is_null)
		*is_null = !f;
	return f && len == 1 && f[0];
}

size_t copyout_text(copyout *co, char *out, size_t outlen, bool *is_null)
{
	int32_t len;
	const char *f = field(co, &len);
	size_t n;

	if (is_null)
		*is_null = !f;
	if (!f) {
		if (outlen)
			out[0] = 0;
		return 0;
	}
	n = (size_t)len < outlen ? (size_t)len : outlen - 1;
	memcpy(out, f, n);
	out[n] = 0;
	return (size_t)len;
}

void copyout_abort(copyout *co)
{
	PGresult *res;

	if (co->buf) {
		PQfreemem(co->buf);
		co->buf = NULL;
	}
	/* Drain what is left of the COPY so the connection can be used again. */
	while (PQgetCopyData(co->conn, &co->buf, 0) > 0) {
		PQfreemem(co->buf);
		co->buf = NULL;
	}
	while ((res = PQgetResult(co->conn)))
		PQclear(res);
}
