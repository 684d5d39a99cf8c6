/* What the admin command's subcommands share: the context (configuration, the connection and
 * the role it was made as) and the helpers every subcommand uses. Each subcommand is one
 * function; the LA returns' live in returns_cmd.c, status in status_cmd.c, the TSM packs'
 * and the boundaries' in tsm_cmd.c. */
#ifndef ROLLCALL_ADMIN_H
#define ROLLCALL_ADMIN_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rollcall/config.h"
#include "rollcall/db.h"

typedef struct ctx {
	rc_config cfg;
	const char *config_path;
	PGconn *conn;
	config_db_role role; /* the role conn is connected as */
} ctx;

/* Prints the usage to f; returns 0 for stdout (asked for), 2 otherwise. */
int usage(FILE *f);

/* Prints "rollcall: <message>" on stderr; returns 1. */
int die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Connects as role: a command that changes reference data is the owner's, one that queues or
 * runs maintenance is the worker's, one that only reads is the reporting role's. Returns 0, or
 * 1 after saying why. */
int connect_db(ctx *c, config_db_role role);

/* Runs a parameterised statement; prints the server's reason on failure (never its DETAIL,
 * which can quote the row) and returns NULL. */
PGresult *exec(ctx *c, const char *sql, int n, const char *const *params);

/* Waits for job id to end (woken by the worker's notice), showing its progress on a terminal.
 * Returns 0 when it is done, 1 when it died or did not end in timeout_s. */
int wait_job(ctx *c, int64_t id, int timeout_s);

/* rollcall status (status_cmd.c). */
int cmd_status(ctx *c, int argc, char **argv);

/* What a CSV import (schools, benchmarks, TSM actions) has done so far. */
typedef struct import_state {
	ctx *c;
	int rows, failed;
} import_state;

/* csvread's problem callback for an import: prints "rollcall: FILE:LINE: message" and counts
 * the errors in the import_state that user points to (or begins with). */
void on_problem(void *user, const char *file, unsigned long line, unsigned column,
                const char *message, bool is_error);

/* What a command that queues report jobs needs first: a positive timeout, the worker role's
 * connection, and (unless it will not wait) a LISTEN for jobs ending. Returns 0, or 1 after
 * saying why. */
int queue_connect(ctx *c, int timeout, int nowait);

/* rollcall returns ... and rollcall la ... (returns_cmd.c). */
int cmd_returns(ctx *c, int argc, char **argv);
int cmd_la(ctx *c, int argc, char **argv);

/* rollcall tsm ..., rollcall tsm actions import and rollcall boundaries ... (tsm_cmd.c). */
int cmd_tsm(ctx *c, int argc, char **argv);
int cmd_boundaries(ctx *c, int argc, char **argv);

#endif
