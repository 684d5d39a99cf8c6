/* The classification of every object of the schema (which role may do what to it), and
 * applying it. rollcall_owner owns everything and may do anything; the others get only what
 * their program's statements need (read daemon/writer.c, worker/ and tools/admin/ before
 * widening a line). */
#include "rollcall/grants.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollcall/db.h"

typedef struct grant_rule {
	const char *kind;   /* TABLE, VIEW, SEQUENCE or FUNCTION */
	const char *object; /* a function with its argument types, as "name(integer)" */
	/* What each role may do, as GRANT spells it; NULL: nothing. */
	const char *daemon, *worker, *reporting;
} grant_rule;

/* The daemon's merge rewrites a pupil's identity and address (never their keys), replaces a
 * pupil's contacts, and updates a calendar session's open flag and a characteristic row of the
 * same effective date. Reporting reads no names, addresses, contacts or characteristics:
 * only what "rollcall status", "jobs" and the lists show, and aggregate results. */
static const grant_rule rules[] = {
        /* reference data, changed by the owner's admin commands */
        {"TABLE", "la", NULL, "SELECT", "SELECT"},
        {"TABLE", "school", "SELECT", "SELECT", "SELECT"},
        {"TABLE", "school_key", "SELECT", NULL, "SELECT"},
        {"TABLE", "benchmark", NULL, "SELECT", "SELECT"},
        {"TABLE", "rollcall_migration", "SELECT", "SELECT", "SELECT"},
        /* the batch ledger and what validation refused */
        {"TABLE", "batch", "SELECT, INSERT, UPDATE (ack, accepted, rejected, new_versions)", NULL,
         "SELECT"},
        {"TABLE", "rejected_item", "INSERT", NULL, "SELECT"},
        /* the admission register */
        {"TABLE", "pupil",
         "SELECT, INSERT, UPDATE (surname, forename, preferred_forename, date_of_birth, sex,"
         " admission_date, leaving_date, leaving_reason, address_line1, address_line2, town,"
         " postcode, ethnicity, last_batch, updated_at)",
         "SELECT", "SELECT (school_urn, pupil_id, admission_date, leaving_date)"},
        {"SEQUENCE", "pupil_id_seq", "USAGE", NULL, NULL},
        {"TABLE", "pupil_spell",
         "SELECT, INSERT, UPDATE (admission_date, leaving_date, leaving_reason, entered_on,"
         " previous_school, destination_school, destination_address, destination_start,"
         " last_batch)",
         "SELECT", NULL},
        {"TABLE", "pupil_characteristic",
         "SELECT, INSERT, UPDATE (nc_year, boarder, pupil_premium, fsm, sen, social_care,"
         " previously_looked_after, eal, batch_no, reg_group)",
         "SELECT", NULL},
        {"TABLE", "contact", "SELECT, INSERT, DELETE", "SELECT", NULL},
        {"TABLE", "school_session", "SELECT, INSERT, UPDATE (open, term)", "SELECT", NULL},
        /* the register: appended to, never changed (and its partitions: the same) */
        {"TABLE", "mark_version", "SELECT, INSERT", "SELECT", "SELECT"},
        {"VIEW", "mark_current", NULL, "SELECT", "SELECT"},
        {"TABLE", "register_change", "INSERT", "SELECT", NULL},
        /* the job queue */
        {"TABLE", "job", "SELECT, INSERT, UPDATE (from_date, updated_at)", "SELECT, INSERT, UPDATE",
         "SELECT"},
        /* results, derived by the workers */
        {"TABLE", "school_result", NULL, "SELECT, INSERT, UPDATE, DELETE", "SELECT"},
        {"TABLE", "enrolment_result", NULL, "SELECT, INSERT, UPDATE, DELETE",
         "SELECT (school_urn, as_of, last4w_unmarked)"},
        {"TABLE", "cohort_result", NULL, "SELECT, INSERT, UPDATE, DELETE", "SELECT"},
        {"TABLE", "category_result", NULL, "SELECT, INSERT, UPDATE, DELETE", "SELECT"},
        {"TABLE", "week_result", NULL, "SELECT, INSERT, UPDATE, DELETE", "SELECT"},
        /* the LA returns: settings (the owner's admin commands) and what each return listed */
        {"TABLE", "la_setting", NULL, "SELECT", "SELECT"},
        {"TABLE", "la_return_item", NULL, "SELECT, INSERT, UPDATE, DELETE", NULL},
        /* TSM packs: category boundaries and agreed actions (the owner's admin commands); the
         * actions name pupils and carry notes, so reporting never reads them */
        {"TABLE", "attendance_setting", NULL, "SELECT", "SELECT"},
        {"TABLE", "tsm_action", NULL, "SELECT", NULL},
        {"TABLE", "la_return_run", NULL, "SELECT, INSERT, UPDATE", "SELECT"},
        /* the returns' parts: asked for and put together by the workers (and rollcall
         * returns, which runs as the worker role); the parts carry personal data */
        {"TABLE", "la_return_request", NULL, "SELECT, INSERT, DELETE", NULL},
        {"TABLE", "la_return_part", NULL, "SELECT, INSERT, UPDATE, DELETE", NULL},
        /* maintenance: written only by rollcall_retention */
        {"TABLE", "maintenance_log", NULL, NULL, "SELECT"},
        /* functions: the SECURITY DEFINER ones run as the owner for exactly one role */
        {"FUNCTION", "rollcall_forbid_change()", NULL, NULL, NULL},
        {"FUNCTION", "rollcall_academic_year(date)", NULL, NULL, "EXECUTE"},
        {"FUNCTION", "rollcall_register_years(date)", NULL, NULL, "EXECUTE"},
        {"FUNCTION", "rollcall_year_name(integer)", NULL, NULL, "EXECUTE"},
        {"FUNCTION", "rollcall_partition_setup(regclass)", NULL, NULL, NULL},
        {"FUNCTION", "rollcall_year_partition(integer)", NULL, NULL, NULL},
        {"FUNCTION", "rollcall_ensure_year(integer)", "EXECUTE", NULL, NULL},
        {"FUNCTION", "rollcall_ensure_years()", NULL, NULL, NULL},
        {"FUNCTION", "rollcall_retention()", NULL, "EXECUTE", NULL},
        {"FUNCTION", "rollcall_retention_parts()", NULL, "EXECUTE", NULL},
        /* school_key's statement trigger (migration 030): fired, never called */
        {"FUNCTION", "school_key_notify()", NULL, NULL, NULL},
};

#define NRULES (sizeof(rules) / sizeof(rules[0]))

/* Every object of schema public that can carry privileges, as (kind, name, owned by
 * rollcall_owner): partitions go with their parent, and sequences behind identity or serial
 * columns with their table. */
static const char objects_sql[] =
        "SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' WHEN 'v' THEN 'VIEW'"
        "  WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,"
        " c.relname::text, c.relowner = '" GRANTS_OWNER "'::regrole FROM pg_class c"
        " WHERE c.relnamespace = 'public'::regnamespace"
        "  AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND NOT c.relispartition"
        "  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass"
        "   AND d.objid = c.oid AND (d.deptype = 'e' OR (c.relkind = 'S'"
        "   AND d.deptype IN ('a', 'i'))))"
        " UNION ALL"
        " SELECT CASE p.prokind WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END,"
        " p.proname || '(' || oidvectortypes(p.proargtypes) || ')',"
        " p.proowner = '" GRANTS_OWNER "'::regrole FROM pg_proc p"
        " WHERE p.pronamespace = 'public'::regnamespace"
        "  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass"
        "   AND d.objid = p.oid AND d.deptype = 'e')"
        " ORDER BY 1, 2";

static const grant_rule *find_rule(const char *kind, const char *object)
{
	for (size_t i = 0; i < NRULES; i++)
		if (!strcmp(rules[i].kind, kind) && !strcmp(rules[i].object, object))
			return &rules[i];
	return NULL;
}

/* Appends ", KIND name" to a list in buf (len bytes). */
static void list_add(char *buf, size_t len, const char *kind, const char *name)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s%s %s", n ? ", " : "", kind, name);
}

/* Unclassified objects and classified ones that do not exist, as one message; owned[i] tells
 * whether rules[i]'s object is rollcall_owner's already. */
static int check(PGconn *conn, bool owned[NRULES], char *err, size_t errlen)
{
	char unknown[1024] = "", missing[1024] = "";
	bool seen[NRULES] = {false};
	PGresult *res;
	int rc = 0;

	res = db_params(conn, "grants: listing the schema", objects_sql, 0, NULL, err, errlen);
	if (!res)
		return -EIO;
	for (int i = 0; i < PQntuples(res); i++) {
		const grant_rule *r = find_rule(PQgetvalue(res, i, 0), PQgetvalue(res, i, 1));

		if (r) {
			seen[r - rules] = true;
			owned[r - rules] = !strcmp(PQgetvalue(res, i, 2), "t");
		} else {
			list_add(unknown, sizeof(unknown), PQgetvalue(res, i, 0),
			         PQgetvalue(res, i, 1));
		}
	}
	PQclear(res);
	for (size_t i = 0; i < NRULES; i++)
		if (!seen[i])
			list_add(missing, sizeof(missing), rules[i].kind, rules[i].object);
	if (unknown[0] || missing[0]) {
		snprintf(err, errlen, "grants: %s%s%s%s%s (lib/grants.c classifies every object)",
		         unknown[0] ? "not classified: " : "", unknown,
		         unknown[0] && missing[0] ? "; " : "",
		         missing[0] ? "classified but not in the schema: " : "", missing);
		rc = -EPROTO;
	}
	return rc;
}

/* Runs sql, naming the object in the error. */
static int run(PGconn *conn, const char *sql, const grant_rule *r, char *err, size_t errlen)
{
	char what[160];
	PGresult *res;

	snprintf(what, sizeof(what), "grants: %s %s", r->kind, r->object);
	res = db_params(conn, what, sql, 0, NULL, err, errlen);
	if (!res)
		return -EIO;
	PQclear(res);
	return 0;
}

/* owned: the object is rollcall_owner's already (ALTER ... OWNER would lock it for nothing). */
static int apply_rule(PGconn *conn, const grant_rule *r, bool owned, char *err, size_t errlen)
{
	const char *on = !strcmp(r->kind, "VIEW") ? "TABLE" : r->kind;
	const char *privs[3] = {r->daemon, r->worker, r->reporting};
	const char *roles[3] = {GRANTS_DAEMON, GRANTS_WORKER, GRANTS_REPORTING};
	char sql[1024];
	int rc = 0;

	snprintf(sql, sizeof(sql), "ALTER %s %s OWNER TO " GRANTS_OWNER, r->kind, r->object);
	if (!owned)
		rc = run(conn, sql, r, err, errlen);
	snprintf(sql, sizeof(sql),
	         "REVOKE ALL ON %s %s FROM PUBLIC, " GRANTS_DAEMON ", " GRANTS_WORKER
	         ", " GRANTS_REPORTING,
	         on, r->object);
	if (rc == 0)
		rc = run(conn, sql, r, err, errlen);
	for (int i = 0; rc == 0 && i < 3; i++) {
		if (!privs[i])
			continue;
		snprintf(sql, sizeof(sql), "GRANT %s ON %s %s TO %s", privs[i], on, r->object,
		         roles[i]);
		rc = run(conn, sql, r, err, errlen);
	}
	return rc;
}

int grants_apply(PGconn *conn, char *err, size_t errlen)
{
	bool owned[NRULES] = {false};
	PGresult *res;
	int rc = check(conn, owned, err, errlen);

	for (size_t i = 0; rc == 0 && i < NRULES; i++)
		rc = apply_rule(conn, &rules[i], owned[i], err, errlen);
	if (rc < 0)
		return rc;
	/* The partitions: their parent's privileges, their own TRUNCATE trigger (sql/011). */
	res = db_params(conn, "grants: the register's partitions",
	                "SELECT rollcall_partition_setup(inhrelid::regclass) FROM pg_inherits"
	                " WHERE inhparent = 'mark_version'::regclass",
	                0, NULL, err, errlen);
	if (!res)
		return -EIO;
	PQclear(res);
	return 0;
}
