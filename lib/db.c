/* PostgreSQL helpers: connection, statements, migrations, and binary COPY encoding. */
#include "rollcall/db.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rollcall/date.h"
#include "rollcall/migrations.h"

static void copy_error(PGconn *conn, const char *what, char *err, size_t errlen)
{
	const char *m = PQerrorMessage(conn);
	size_t n = strlen(m);

	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	snprintf(err, errlen, "%s: %.*s", what, (int)n, m);
}

static void result_error(PGresult *res, const char *what, char *err, size_t errlen)
{
	const char *m = PQresultErrorMessage(res);
	size_t n = strlen(m);

	while (n && (m[n - 1] == '\n' || m[n - 1] == ' '))
		n--;
	snprintf(err, errlen, "%s: %.*s", what, (int)n, m);
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
		copy_error(conn, "database: cannot connect", err, errlen);
		PQfinish(conn);
		return -ECONNREFUSED;
	}
	*out = conn;
	return 0;
}

int db_exec(PGconn *conn, const char *sql, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	int rc = 0;
	ExecStatusType st = PQresultStatus(res);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
		result_error(res, "database", err, errlen);
		rc = -EIO;
	}
	PQclear(res);
	return rc;
}

int db_query_long(PGconn *conn, const char *sql, long *out, char *err, size_t errlen)
{
	PGresult *res = PQexec(conn, sql);
	int rc = 0;

	*out = 0;
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		result_error(res, "database", err, errlen);
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

static int current_version(PGconn *conn, long *v, char *err, size_t errlen)
{
	long exists = 0;
	int rc = db_query_long(conn, "SELECT count(*) FROM pg_class WHERE relname = 'rollcall_migration'"
	                             " AND relkind = 'r' AND pg_table_is_visible(oid)",
	                       &exists, err, errlen);

	*v = 0;
	if (rc < 0 || !exists)
		return rc;
	return db_query_long(conn, "SELECT coalesce(max(version), 0) FROM rollcall_migration", v, err,
	                     errlen);
}

int db_migrate(PGconn *conn, int *applied, char *err, size_t errlen)
{
	char sql[256];
	long have = 0;
	int rc;
	int ay = date_academic_year((int32_t)(time(NULL) / 86400));

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
		rc = current_version(conn, &have, err, errlen);
		if (rc < 0 || have >= m->version) {
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
		res = PQexecParams(conn, "INSERT INTO rollcall_migration (version, name) VALUES ($1, $2)",
		                   2, NULL, params, NULL, NULL, 0);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			result_error(res, "database", err, errlen);
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
	/* The register keeps six years plus the current one; make room for next year too. */
	snprintf(sql, sizeof(sql),
	         "SELECT rollcall_year_partition(y) FROM generate_series(%d, %d) AS y", ay - 7,
	         ay + 1);
	rc = db_exec(conn, sql, err, errlen);
out:
	return rc;
}

int db_schema_check(PGconn *conn, char *err, size_t errlen)
{
	long have = 0;
	int rc = current_version(conn, &have, err, errlen);

	if (rc < 0)
		return rc;
	if (have != db_schema_latest()) {
		snprintf(err, errlen, "schema is at version %ld, this build needs %d: run 'rollcall migrate'",
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
			result_error(res, "copy", err, errlen);
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
		result_error(res, "copy", err, errlen);
		rc = -EIO;
	}
	PQclear(res);
	return rc;
}
