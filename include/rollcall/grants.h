/* Who may do what to every object of Rollcall's schema: one classification (lib/grants.c),
 * applied by "rollcall migrate" after the migrations. A migration that adds a table, view,
 * sequence or function adds its line there; until it does, migrate refuses to finish and names
 * the object, so nothing is ever left with PostgreSQL's default rights. */
#ifndef ROLLCALL_GRANTS_H
#define ROLLCALL_GRANTS_H

#include <libpq-fe.h>
#include <stddef.h>

/* The roles of sql/010_roles.sql. */
#define GRANTS_OWNER     "rollcall_owner"
#define GRANTS_DAEMON    "rollcall_daemon"
#define GRANTS_WORKER    "rollcall_worker"
#define GRANTS_REPORTING "rollcall_reporting"

/* Checks that every object of schema public is classified and every classified object
 * exists, then makes rollcall_owner own each one and replaces what PUBLIC and the other three
 * roles may do with the classification (the register's partitions get their parent's
 * privileges). Runs in the caller's transaction. Returns 0, -EPROTO with the unclassified and
 * missing objects named in err, or -EIO with the database's reason. */
int grants_apply(PGconn *conn, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
