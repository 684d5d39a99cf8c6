/* The configuration table: every key, its type, bounds and default, in one place. Parsing with
 * inih; environment overrides for tests; values checked before they are used. */
#include "rollcall/config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum { T_STR, T_INT } key_type;

typedef struct key_def {
	const char *section;
	const char *name;
	key_type type;
	size_t offset;
	long min, max;     /* T_INT bounds; T_STR: maximum length in max */
	const char *deflt; /* default as text; NULL: no default (may stay empty) */
	const char *help;
} key_def;

#define STR(sec, key, field, def, help)                                                            \
	{                                                                                          \
		sec, key, T_STR, offsetof(rc_config, field), 0, 4096, def, help                    \
	}
#define INT(sec, key, field, lo, hi, def, help)                                                    \
	{                                                                                          \
		sec, key, T_INT, offsetof(rc_config, field), lo, hi, def, help                     \
	}

static const key_def keys[] = {
        STR("database", "conninfo", db_conninfo, "dbname=rollcall",
            "libpq connection string used by a program whose own key below is empty"),
        STR("database", "owner_conninfo", db_owner_conninfo, "",
            "rollcall migrate and the commands that change schools, keys and benchmarks"
            " (a member of rollcall_owner)"),
        STR("database", "daemon_conninfo", db_daemon_conninfo, "",
            "rollcalld (a member of rollcall_daemon)"),
        STR("database", "worker_conninfo", db_worker_conninfo, "",
            "rollcall-worker, rollcall report and rollcall retention (a member of "
            "rollcall_worker)"),
        STR("database", "reporting_conninfo", db_reporting_conninfo, "",
            "the read-only commands: status, jobs, school/key/benchmark list (a member of "
            "rollcall_reporting)"),
        STR("daemon", "listen", listen, "tcp://*:5555", "ZeroMQ endpoint to bind"),
        STR("daemon", "server_key_file", server_key_file, "/etc/rollcall/server.key",
            "CURVE key file of the daemon"),
        INT("daemon", "writers", writers, 1, 64, "2",
            "writer threads committing batches, each with its own database connection"),
        INT("daemon", "group_max_batches", group_max_batches, 1, 1000, "64",
            "batches committed in one transaction at most"),
        INT("daemon", "group_max_marks", group_max_marks, 1000, 1000000, "25000",
            "marks committed in one transaction at most"),
        INT("daemon", "group_wait_ms", group_wait_ms, 0, 5000, "5",
            "wait for more batches before committing a group"),
        INT("daemon", "max_message_bytes", max_message_bytes, 1024, 256 << 20, "16777216",
            "larger messages are refused unread"),
        INT("daemon", "decode_budget_bytes", decode_budget_bytes, 65536, 512 << 20, "33554432",
            "heap one decoded batch may use"),
        INT("daemon", "status_interval_ms", status_interval_ms, 100, 60000, "2000",
            "how often STATUS= is sent to systemd"),
        INT("daemon", "hold_bytes", hold_bytes, 4 << 20, INT_MAX, "268435456",
            "decoded batches held (queued or being committed) at most, all clients together; "
            "past it a batch is answered RETRY (busy), not kept"),
        INT("daemon", "client_hold_bytes", client_hold_bytes, 1 << 20, INT_MAX, "16777216",
            "decoded batches held at most for one client key (a client sending without "
            "waiting for acks gets RETRY past it, the others go on)"),
        INT("daemon", "drain_timeout_ms", drain_timeout_ms, 1000, 600000, "20000",
            "on SIGTERM, how long to commit and acknowledge the batches in hand before "
            "stopping anyway (keep it below the unit's TimeoutStopSec, with 5 s to spare)"),
        STR("push", "endpoint", endpoint, "tcp://localhost:5555", "where rollcall-push connects"),
        STR("push", "server_public_key", server_public_key, "", "Z85 public key of the daemon"),
        STR("push", "client_key_file", client_key_file, "", "CURVE key file of this client"),
        STR("push", "spool_dir", spool_dir, "/var/spool/rollcall",
            "unacknowledged batches wait here"),
        INT("push", "window", window, 1, 1024, "16", "batches in flight"),
        INT("push", "batch_marks", batch_marks, 100, 50000, "5000", "marks per batch"),
        INT("push", "ack_timeout_ms", ack_timeout_ms, 1000, 3600000, "60000",
            "resend a batch not acknowledged within this"),
        INT("worker", "lease_seconds", lease_seconds, 10, 86400, "300",
            "a claimed job is taken over by another worker when not renewed within this"),
        INT("worker", "max_attempts", max_attempts, 1, 100, "5",
            "a job that failed this many times is dead (kept with its error)"),
        STR("output", "output_dir", output_dir, "/var/lib/rollcall/output",
            "where reports are written"),
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

typedef struct load_state {
	rc_config *cfg;
	FILE *f;
	int line; /* the line inih is handling: counted by read_line, as inih reads line by line */
	const char *origin; /* file path or "environment" */
	char *err;
	size_t errlen;
	int rc;
} load_state;

static int set_value(rc_config *cfg, const key_def *k, const char *value, char *why, size_t whylen)
{
	char *base = (char *)cfg + k->offset;

	if (k->type == T_STR) {
		char **slot = (char **)base;
		char *copy;

		if (strlen(value) > (size_t)k->max) {
			snprintf(why, whylen, "longer than %ld characters", k->max);
			return -EINVAL;
		}
		copy = strdup(value);
		if (!copy)
			return -ENOMEM;
		free(*slot);
		*slot = copy;
		return 0;
	}

	{
		char *end;
		long v;

		errno = 0;
		v = strtol(value, &end, 10);
		while (*end && isspace((unsigned char)*end))
			end++;
		if (errno || end == value || *end) {
			snprintf(why, whylen, "not a whole number");
			return -EINVAL;
		}
		if (v < k->min || v > k->max) {
			snprintf(why, whylen, "%ld is out of range %ld..%ld", v, k->min, k->max);
			return -EINVAL;
		}
		*(int *)base = (int)v;
	}
	return 0;
}

static const key_def *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcasecmp(keys[i].section, section) && !strcasecmp(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static char *read_line(char *str, int num, void *stream)
{
	load_state *st = stream;
	char *r = fgets(str, num, st->f);

	if (r)
		st->line++;
	return r;
}

static int on_ini(void *user, const char *section, const char *name, const char *value)
{
	load_state *st = user;
	int line = st->line;
	const key_def *k;
	char why[128];
	int rc;

	if (!name) /* a section header */
		return 1;
	k = find_key(section, name);
	if (!k) {
		snprintf(st->err, st->errlen, "%s:%d: [%s] %s: unknown key", st->origin, line,
		         section, name);
		st->rc = -EINVAL;
		return 0;
	}
	rc = set_value(st->cfg, k, value, why, sizeof(why));
	if (rc < 0) {
		snprintf(st->err, st->errlen, "%s:%d: [%s] %s: %s", st->origin, line, section, name,
		         rc == -ENOMEM ? "out of memory" : why);
		st->rc = rc;
		return 0;
	}
	return 1;
}

static void env_name(const key_def *k, char *out, size_t outlen)
{
	size_t n = (size_t)snprintf(out, outlen, "ROLLCALL_%s_%s", k->section, k->name);

	for (size_t i = 0; i < n && i < outlen; i++)
		out[i] = (char)toupper((unsigned char)out[i]);
}

int config_load(rc_config *cfg, const char *path, char *err, size_t errlen)
{
	load_state st = {.cfg = cfg, .origin = path, .err = err, .errlen = errlen, .rc = 0};
	char why[128];
	int rc = 0;

	memset(cfg, 0, sizeof(*cfg));
	for (size_t i = 0; i < NKEYS; i++) {
		rc = set_value(cfg, &keys[i], keys[i].deflt ? keys[i].deflt : "", why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "default of %s.%s: %s", keys[i].section, keys[i].name,
			         why);
			goto out;
		}
	}

	if (path) {
		FILE *f = fopen(path, "r");
		int line;

		if (!f) {
			rc = -errno;
			snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
			goto out;
		}
		st.f = f;
		line = ini_parse_stream(read_line, &st, on_ini, &st);
		fclose(f);
		if (st.rc < 0) {
			rc = st.rc;
			goto out;
		}
		if (line > 0) {
			snprintf(err, errlen, "%s:%d: not a key = value line or [section]", path,
			         line);
			rc = -EINVAL;
			goto out;
		}
	}

	for (size_t i = 0; i < NKEYS; i++) {
		char name[96];
		const char *v;

		env_name(&keys[i], name, sizeof(name));
		v = getenv(name);
		if (!v)
			continue;
		rc = set_value(cfg, &keys[i], v, why, sizeof(why));
		if (rc < 0) {
			snprintf(err, errlen, "%s: %s", name, why);
			goto out;
		}
	}
out:
	if (rc < 0)
		config_deinit(cfg);
	return rc;
}

void config_deinit(rc_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < NKEYS; i++) {
		if (keys[i].type == T_STR) {
			char **slot = (char **)((char *)cfg + keys[i].offset);

			free(*slot);
			*slot = NULL;
		}
	}
}

const char *config_conninfo(const rc_config *cfg, config_db_role role)
{
	const char *own = role == CONFIG_DB_OWNER    ? cfg->db_owner_conninfo
	                  : role == CONFIG_DB_DAEMON ? cfg->db_daemon_conninfo
	                  : role == CONFIG_DB_WORKER ? cfg->db_worker_conninfo
	                                             : cfg->db_reporting_conninfo;

	return own && own[0] ? own : cfg->db_conninfo;
}

size_t config_dump(const rc_config *cfg, char *buf, size_t buflen)
{
	size_t n = 0;
	const char *section = "";

	for (size_t i = 0; i < NKEYS; i++) {
		const key_def *k = &keys[i];
		const char *base = (const char *)cfg + k->offset;
		char line[4400];
		int w = 0;

		if (strcmp(section, k->section)) {
			section = k->section;
			w += snprintf(line + w, sizeof(line) - (size_t)w, "%s[%s]\n", n ? "\n" : "",
			              section);
		}
		if (k->type == T_STR) {
			const char *v = *(char *const *)base;
			w += snprintf(line + w, sizeof(line) - (size_t)w, "# %s\n%s = %s\n",
			              k->help, k->name, v ? v : "");
		} else {
			w += snprintf(line + w, sizeof(line) - (size_t)w,
			              "# %s (%ld..%ld)\n%s = %d\n", k->help, k->min, k->max,
			              k->name, *(const int *)base);
		}
		if (n < buflen)
			snprintf(buf + n, buflen - n, "%s", line);
		n += (size_t)w;
	}
	return n;
}

size_t config_key_count(void)
{
	return NKEYS;
}

int config_key_get(size_t i, config_key_info *info)
{
	const key_def *k;

	if (i >= NKEYS)
		return -ERANGE;
	k = &keys[i];
	info->section = k->section;
	info->name = k->name;
	info->help = k->help;
	info->deflt = k->deflt ? k->deflt : "";
	info->is_int = k->type == T_INT;
	info->min = k->min;
	info->max = k->max;
	env_name(k, info->env, sizeof(info->env));
	return 0;
}
