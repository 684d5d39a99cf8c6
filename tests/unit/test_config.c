/* Unit tests for config.c's database keys: each program's own connection string, the
 * [database] conninfo fallback for a key left empty, and their environment overrides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rollcall/config.h"

static const char *const env_keys[] = {
        "ROLLCALL_DATABASE_CONNINFO",           "ROLLCALL_DATABASE_OWNER_CONNINFO",
        "ROLLCALL_DATABASE_DAEMON_CONNINFO",    "ROLLCALL_DATABASE_WORKER_CONNINFO",
        "ROLLCALL_DATABASE_REPORTING_CONNINFO",
};

static void clear_env(void)
{
	for (size_t i = 0; i < sizeof(env_keys) / sizeof(env_keys[0]); i++)
		unsetenv(env_keys[i]);
}

/* Writes text to a temporary file; returns its path in buf. */
static void write_conf(const char *text, char *buf, size_t len)
{
	int fd;

	snprintf(buf, len, "/tmp/rollcall-test-config.XXXXXX");
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void test_conninfo_per_role(void **state)
{
	static const struct {
		const char *file; /* [database] section body */
		const char *env_key, *env_value;
		const char *want[4]; /* owner, daemon, worker, reporting */
	} cases[] = {
	        /* Nothing set: every program uses the default fallback. */
	        {"",
	         NULL,
	         NULL,
	         {"dbname=rollcall", "dbname=rollcall", "dbname=rollcall", "dbname=rollcall"}},
	        /* Only conninfo: every program uses it. */
	        {"conninfo = dbname=x\n",
	         NULL,
	         NULL,
	         {"dbname=x", "dbname=x", "dbname=x", "dbname=x"}},
	        /* Each its own; the fallback is not used. */
	        {"conninfo = dbname=x\nowner_conninfo = user=o\ndaemon_conninfo = user=d\n"
	         "worker_conninfo = user=w\nreporting_conninfo = user=r\n",
	         NULL,
	         NULL,
	         {"user=o", "user=d", "user=w", "user=r"}},
	        /* One set, the others fall back. */
	        {"conninfo = dbname=x\ndaemon_conninfo = user=d\n",
	         NULL,
	         NULL,
	         {"dbname=x", "user=d", "dbname=x", "dbname=x"}},
	        /* The environment overrides one program's key... */
	        {"conninfo = dbname=x\nworker_conninfo = user=w\n",
	         "ROLLCALL_DATABASE_WORKER_CONNINFO",
	         "user=env",
	         {"dbname=x", "dbname=x", "user=env", "dbname=x"}},
	        /* ...or the fallback, which does not touch a key that is set. */
	        {"conninfo = dbname=x\nreporting_conninfo = user=r\n",
	         "ROLLCALL_DATABASE_CONNINFO",
	         "dbname=env",
	         {"dbname=env", "dbname=env", "dbname=env", "user=r"}},
	        /* An empty override hands the program back to the fallback. */
	        {"conninfo = dbname=x\nowner_conninfo = user=o\n",
	         "ROLLCALL_DATABASE_OWNER_CONNINFO",
	         "",
	         {"dbname=x", "dbname=x", "dbname=x", "dbname=x"}},
	};
	static const config_db_role roles[4] = {CONFIG_DB_OWNER, CONFIG_DB_DAEMON, CONFIG_DB_WORKER,
	                                        CONFIG_DB_REPORTING};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[64], text[512], err[256];
		rc_config cfg;

		clear_env();
		if (cases[i].env_key)
			setenv(cases[i].env_key, cases[i].env_value, 1);
		snprintf(text, sizeof(text), "[database]\n%s", cases[i].file);
		write_conf(text, path, sizeof(path));
		assert_int_equal(config_load(&cfg, path, err, sizeof(err)), 0);
		for (int r = 0; r < 4; r++) {
			if (strcmp(config_conninfo(&cfg, roles[r]), cases[i].want[r]))
				fail_msg("case %zu, role %d: got '%s', expected '%s'", i, r,
				         config_conninfo(&cfg, roles[r]), cases[i].want[r]);
		}
		config_deinit(&cfg);
		unlink(path);
	}
	clear_env();
}

/* --check-config shows every program's key, so an operator sees which role each one uses. */
static void test_dump_names_every_key(void **state)
{
	static const char *const names[] = {
	        "conninfo = ", "owner_conninfo = ", "daemon_conninfo = ", "worker_conninfo = ",
	        "reporting_conninfo = "};
	char err[256], *buf;
	rc_config cfg;
	size_t n;

	(void)state;
	clear_env();
	assert_int_equal(config_load(&cfg, NULL, err, sizeof(err)), 0);
	n = config_dump(&cfg, NULL, 0);
	buf = malloc(n + 1);
	assert_non_null(buf);
	config_dump(&cfg, buf, n + 1);
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strstr(buf, names[i]))
			fail_msg("config dump lacks '%s'", names[i]);
	free(buf);
	config_deinit(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_conninfo_per_role),
	        cmocka_unit_test(test_dump_names_every_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
