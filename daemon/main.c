/* rollcalld: receives school register batches over ZeroMQ (CURVE) and commits them to the
 * PostgreSQL register. Startup: args, config, log, signals, ingest, READY, loop. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ingest.h"
#include "rollcall/config.h"
#include "rollcall/log.h"
#include "rollcall/notify.h"

static volatile sig_atomic_t s_stop, s_reload;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		s_reload = 1;
		return;
	}
	if (s_stop) /* a second SIGTERM or SIGINT: leave now */
		_exit(1);
	s_stop = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: rollcalld [-c FILE] [--check-config] [-v]\n"
	        "Receives school register batches over ZeroMQ (CURVE) and stores them in the\n"
	        "PostgreSQL attendance register.\n\n"
	        "  -c, --config FILE   configuration file (default /etc/rollcall/rollcall.conf)\n"
	        "      --check-config  check the configuration, print it, and exit\n"
	        "  -v, --verbose       log debug messages\n"
	        "  -h, --help          show this help\n\n"
	        "Signals: SIGHUP reloads the school keys from the database (a change to the keys\n"
	        "also reloads them by itself); SIGTERM stops after committing and acknowledging\n"
	        "the batches in hand, for at most [daemon] drain_timeout_ms (a second SIGTERM\n"
	        "exits now).\n"
	        "Environment: ROLLCALL_<SECTION>_<KEY> overrides a configuration key,\n"
	        "e.g. ROLLCALL_DATABASE_CONNINFO.\n");
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* STATUS=: readiness first ("ready", or "not ready" and why: no database, or a key table
 * that cannot be reloaded), then the counters. */
static void report_status(ingest *in)
{
	ingest_stats st;
	char ready[320], reload[200] = "";

	ingest_get_stats(in, &st);
	if (!st.db_ready)
		snprintf(ready, sizeof(ready), "not ready (%.150s)", st.db_error);
	else if (!st.keys.ok)
		snprintf(ready, sizeof(ready), "not ready (key table: %.150s)", st.keys.error);
	else
		snprintf(ready, sizeof(ready), "ready");
	if (!st.keys.ok) {
		struct tm tm;
		time_t since = (time_t)st.keys.failing_since;
		char at[32];

		gmtime_r(&since, &tm);
		strftime(at, sizeof(at), "%H:%M:%SZ", &tm);
		snprintf(reload, sizeof(reload), ", reload failing since %s, retrying", at);
	}
	notify_status("%s; batches %lu (dup %lu, refused %lu, retry %lu, busy %lu), marks new %lu "
	              "unchanged %lu, rejected items %lu, held %lu KiB, keys %lu%s, handshakes ok "
	              "%lu refused %lu, last group %lums",
	              ready, (unsigned long)st.batches, (unsigned long)st.duplicates,
	              (unsigned long)st.refused, (unsigned long)st.retries, (unsigned long)st.busy,
	              (unsigned long)st.marks_new, (unsigned long)st.marks_unchanged,
	              (unsigned long)st.items_rejected, (unsigned long)(st.held_bytes >> 10),
	              (unsigned long)st.keys.count, reload, (unsigned long)st.handshakes_ok,
	              (unsigned long)st.handshakes_refused, (unsigned long)st.last_group_ms);
}

/* Commits and acknowledges what is in hand, within cfg->drain_timeout_ms (kept below the unit's
 * stop timeout; the watchdog is not fed after STOPPING=1, systemd stops by its stop timeout
 * then); past it the writers' statements are cancelled and their batches answered RETRY, so
 * the daemon ends in time either way. */
static void drain(ingest *in, const rc_config *cfg)
{
	uint64_t start = mono_ms(), end = start + (uint64_t)cfg->drain_timeout_ms;
	int rc;

	while ((rc = ingest_drain(in, 250)) == -ETIMEDOUT && mono_ms() < end)
		report_status(in);
	if (rc == 0) {
		log_info("rollcalld: everything in hand committed and acknowledged (%lu ms)",
		         (unsigned long)(mono_ms() - start));
		return;
	}
	log_err("rollcalld: batches still uncommitted after %d ms; cancelling them (their "
	        "clients will resend)",
	        cfg->drain_timeout_ms);
	ingest_cancel(in);
	if (ingest_drain(in, 2000) < 0)
		log_err("rollcalld: writers did not stop after their statements were cancelled");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {{"config", required_argument, NULL, 'c'},
	                                     {"check-config", no_argument, NULL, 'C'},
	                                     {"verbose", no_argument, NULL, 'v'},
	                                     {"help", no_argument, NULL, 'h'},
	                                     {NULL, 0, NULL, 0}};
	const char *path = "/etc/rollcall/rollcall.conf";
	int check = 0, verbose = 0, c, rc = 1;
	rc_config cfg;
	ingest *in = NULL;
	char err[1024];
	struct sigaction sa;
	uint64_t watchdog_ms, last_status = 0, last_watchdog = 0;

	while ((c = getopt_long(argc, argv, "c:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			check = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}

	if (config_load(&cfg, path, err, sizeof(err)) < 0) {
		fprintf(stderr, "rollcalld: %s\n", err);
		return 1;
	}
	if (check) {
		size_t n = config_dump(&cfg, NULL, 0);
		char *buf = malloc(n + 1);
		if (buf) {
			config_dump(&cfg, buf, n + 1);
			fputs(buf, stdout);
			free(buf);
		}
		printf("# %s: configuration is valid\n", path);
		config_deinit(&cfg);
		return 0;
	}
	log_init("rollcalld", verbose ? LOG_DEBUG : LOG_INFO);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (ingest_new(&cfg, &in, err, sizeof(err)) < 0) {
		log_err("rollcalld: cannot start (%s)", err);
		goto out;
	}
	watchdog_ms = notify_watchdog_usec() / 2000;
	log_info("rollcalld: listening on %s", ingest_endpoint(in));
	notify_ready();
	report_status(in);

	while (!s_stop) {
		uint64_t now;
		int timeout = 250;

		if (s_reload) {
			s_reload = 0;
			log_info("rollcalld: SIGHUP: reloading the keys");
			ingest_reload_keys(in);
		}
		if (ingest_step(in, timeout) < 0 && !s_stop) {
			log_err("rollcalld: socket failed (%s)", strerror(errno));
			goto out;
		}
		now = mono_ms();
		if (watchdog_ms && now - last_watchdog >= watchdog_ms) {
			notify_watchdog();
			last_watchdog = now;
		}
		if (now - last_status >= (uint64_t)cfg.status_interval_ms) {
			report_status(in);
			last_status = now;
		}
	}
	notify_stopping();
	log_info("rollcalld: stopping; committing what is in hand");
	/* Drain: the batches in hand are committed and acknowledged; what is still queued in
	 * ZeroMQ is not read (its clients send it again). */
	drain(in, &cfg);
	report_status(in);
	rc = 0;
out:
	ingest_destroy(&in);
	config_deinit(&cfg);
	return rc;
}
