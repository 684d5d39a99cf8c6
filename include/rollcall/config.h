/* Rollcall's configuration: one INI file shared by all programs, described by one declarative
 * table of typed, bounded keys; environment variables override the file (for tests). */
#ifndef ROLLCALL_CONFIG_H
#define ROLLCALL_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

/* Who connects to the database: each program has its own role (least privilege, issue 9). */
typedef enum config_db_role {
	CONFIG_DB_OWNER,     /* rollcall migrate and the commands that change reference data */
	CONFIG_DB_DAEMON,    /* rollcalld */
	CONFIG_DB_WORKER,    /* rollcall-worker, and the commands that queue or run maintenance */
	CONFIG_DB_REPORTING, /* read-only commands such as rollcall status */
} config_db_role;

typedef struct rc_config {
	/* [database] */
	char *db_conninfo;       /* fallback for a program whose own key is empty */
	char *db_owner_conninfo; /* the CONFIG_DB_* connection strings; "" = db_conninfo */
	char *db_daemon_conninfo;
	char *db_worker_conninfo;
	char *db_reporting_conninfo;
	/* [daemon] */
	char *listen;            /* ZeroMQ endpoint the daemon binds */
	char *server_key_file;   /* CURVE key file of the daemon (public + secret) */
	int writers;             /* writer threads, each with its own database connection */
	int group_max_batches;   /* batches committed in one transaction at most */
	int group_max_marks;     /* marks committed in one transaction at most */
	int group_wait_ms;       /* how long to wait for more batches before committing */
	int max_message_bytes;   /* larger messages are refused unread */
	int decode_budget_bytes; /* heap one decoded batch may use */
	int status_interval_ms;  /* how often STATUS= is sent to systemd */
	int hold_bytes;          /* batches the daemon holds at most, all clients together */
	int client_hold_bytes;   /* ... and for one client key */
	int drain_timeout_ms;    /* on SIGTERM, time to commit and acknowledge what is in hand */
	/* [push] */
	char *endpoint;          /* where rollcall-push connects */
	char *server_public_key; /* Z85 public key of the daemon */
	char *client_key_file;   /* CURVE key file of this client */
	char *spool_dir;         /* unacknowledged batches wait here */
	int window;              /* batches in flight */
	int batch_marks;         /* marks per batch */
	int ack_timeout_ms;      /* resend a batch not acknowledged within this */
	/* [worker] */
	int lease_seconds; /* a claimed job is someone else's again after this */
	int max_attempts;  /* a job failing this often is dead */
	/* [output] */
	char *output_dir;
} rc_config;

/* Fills cfg with the defaults, then the file at path (NULL: defaults only), then environment
 * overrides ROLLCALL_<SECTION>_<KEY> (e.g. ROLLCALL_DATABASE_CONNINFO). Every value is checked
 * against its type and bounds. Returns 0, or -EINVAL / -errno with "path:line: key: reason" (or
 * "ROLLCALL_X: reason") in err; cfg then holds nothing that needs freeing.
 * The caller keeps cfg and releases it with config_deinit. */
int config_load(rc_config *cfg, const char *path, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Frees what config_load allocated; NULL-safe, idempotent. */
void config_deinit(rc_config *cfg);

/* The connection string the program acting as role uses: its own [database] key, or
 * [database] conninfo when that key is empty. The string stays cfg's. */
const char *config_conninfo(const rc_config *cfg, config_db_role role);

/* Writes every key with its value as INI text to buf (for --check-config). Returns the length
 * that was needed, like snprintf. */
size_t config_dump(const rc_config *cfg, char *buf, size_t buflen);

/* One key of the configuration table as documentation sees it (rollcall.conf(5) is generated
 * from these at build time, so the manual cannot drift from the parser). */
typedef struct config_key_info {
	const char *section; /* "database", "daemon", ... */
	const char *name;
	const char *help;
	const char *deflt; /* the default as text; "" when there is none */
	bool is_int;       /* a whole number within min..max; else text of at most max bytes */
	long min, max;
	char env[96]; /* the environment variable that overrides it: ROLLCALL_<SECTION>_<KEY> */
} config_key_info;

/* The number of keys in the configuration table. */
size_t config_key_count(void);

/* Fills *info with key i of the table, in table order (sections stay together). Returns 0, or
 * -ERANGE when i >= config_key_count(). The strings are static; the caller keeps info. */
int config_key_get(size_t i, config_key_info *info) __attribute__((warn_unused_result));

#endif
