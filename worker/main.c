/* rollcall-worker: takes jobs from the PostgreSQL queue and computes them (school recomputes
 * after ingest, the trust cohort breakdown, LA returns, TSM packs). Startup: args, config, log,
 * signals,
 * database, LISTEN, READY, loop: claim, run, repeat; wait for NOTIFY when idle. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs.h"
#include "rollcall/config.h"
#include "rollcall/date.h"
#include "rollcall/db.h"
#include "rollcall/log.h"
#include "rollcall/notify.h"
#include "rollcall/queue.h"
#include "school.h"

static volatile sig_atomic_t s_stop;

static void on_signal(int sig)
{
	if (s_stop)
		_exit(1);
	s_stop = 1;
}

typedef struct worker {
	const rc_config *cfg;
	char name[64];
	PGconn *conn;
	school_cache cache;
	measures_config mc;
	job current;
	uint64_t done, failed;
	uint64_t watchdog_ms, last_watchdog, last_progress;
} worker;

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void keepalive(worker *w)
{
	uint64_t now = mono_ms();

	if (w->watchdog_ms && now - w->last_watchdog >= w->watchdog_ms) {
		notify_watchdog();
		w->last_watchdog = now;
	}
}

static void on_keepalive(void *user)
{
	keepalive(user);
}

static int on_progress(void *user, size_t done, size_t total)
{
	worker *w = user;
	char text[64], err[256];

	keepalive(w);
	/* The job row is written (and the lease renewed) at most once a second. */
	if (done < total && mono_ms() - w->last_progress < 1000)
		return s_stop ? -ECANCELED : 0;
	w->last_progress = mono_ms();
	snprintf(text, sizeof(text), "school %zu of %zu", done, total);
	if (queue_progress(w->conn, &w->current, w->cfg->lease_seconds, text, err, sizeof(err)) < 0)
		log_warning("worker: job %lld: cannot record progress (%s)",
		            (long long)w->current.id, err);
	return s_stop ? -ECANCELED : 0;
}

static void run_job(worker *w, const job *j)
{
	char result[512] = "", err[1024] = "";
	int rc, dead = 0;
	uint64_t t0 = mono_ms();

	job_env env = {.conn = w->conn,
	               .cache = &w->cache,
	               .mc = &w->mc,
	               .output_dir = w->cfg->output_dir,
	               .lock_wait_s = w->cfg->lease_seconds / 2 > 0 ? w->cfg->lease_seconds / 2 : 1,
	               .user = w,
	               .progress = on_progress,
	               .keepalive = on_keepalive};

	w->current = *j;
	rc = jobs_run(&env, j, result, sizeof(result), err, sizeof(err));
	if (rc == -ECANCELED || rc == -EBUSY) {
		/* Stopping, or the school is another worker's for now: give the job back. */
		int delay = rc == -EBUSY ? 5 : 0;

		if (rc == -EBUSY)
			log_info("worker: job %lld (%s, URN %u): %s", (long long)j->id, j->kind,
			         j->school_urn, err);
		if (queue_release(w->conn, j, delay, err, sizeof(err)) < 0)
			log_err("worker: job %lld: cannot release (%s)", (long long)j->id, err);
		else
			log_info("worker: job %lld (%s) released", (long long)j->id, j->kind);
		return;
	}
	if (rc == 0) {
		w->done++;
		if (queue_done(w->conn, j, result, err, sizeof(err)) < 0)
			log_err("worker: job %lld: cannot mark done (%s)", (long long)j->id, err);
		else
			log_info("worker: job %lld (%s, URN %u) done in %llu ms: %s",
			         (long long)j->id, j->kind, j->school_urn,
			         (unsigned long long)(mono_ms() - t0), result);
		return;
	}
	w->failed++;
	{
		char reason[1024];

		snprintf(reason, sizeof(reason), "%s", err);
		if (queue_fail(w->conn, j, reason, w->cfg->max_attempts, &dead, err, sizeof(err)) <
		    0)
			log_err("worker: job %lld: cannot record failure (%s)", (long long)j->id,
			        err);
		log_err("worker: job %lld (%s, URN %u) failed, attempt %d%s (%s)", (long long)j->id,
		        j->kind, j->school_urn, j->attempts, dead ? ", now dead" : "", reason);
	}
}

static int connect_db(worker *w)
{
	char err[512], app[96];
	PGresult *res = NULL;

	if (w->conn && PQstatus(w->conn) == CONNECTION_OK)
		return 0;
	if (w->conn)
		PQfinish(w->conn);
	w->conn = NULL;
	/* The session is named after the worker, so a worker that hung past its lease can be
	 * told from one that holds a lease (jobs.c, end_stale_holder). */
	snprintf(app, sizeof(app), "rollcall-worker %s", w->name);
	if (db_connect(config_conninfo(w->cfg, CONFIG_DB_WORKER), &w->conn, err, sizeof(err)) < 0 ||
	    db_schema_check(w->conn, err, sizeof(err)) < 0 ||
	    db_exec(w->conn, "LISTEN rollcall_jobs", err, sizeof(err)) < 0 ||
	    !(res = db_params(w->conn, "application name",
	                      "SELECT set_config('application_name', $1, false)", 1,
	                      (const char *const[]){app}, err, sizeof(err)))) {
		log_err("worker: database not ready (%s)", err);
		if (w->conn)
			PQfinish(w->conn);
		w->conn = NULL;
		return -1;
	}
	PQclear(res);
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: rollcall-worker [-c FILE] [--name NAME] [--once] [-v]\n"
	        "Takes jobs from the Rollcall job queue in PostgreSQL and computes them: a "
	        "school's\n"
	        "results after its register changed, the trust cohort breakdown\n"
	        "(<output_dir>/trust/<as-of>/cohorts.csv and index.html), the LA returns\n"
	        "(<output_dir>/la/<la_code>/<YYYY-MM>/, each school's part computed by the "
	        "worker\n"
	        "holding it) and schools' TSM packs (<output_dir>/tsm/<urn>/<term>/). Run "
	        "several:\n"
	        "each job is claimed by one worker; a worker that dies loses its claim when the "
	        "lease\n"
	        "expires.\n\n"
	        "  -c, --config FILE   configuration file (default /etc/rollcall/rollcall.conf)\n"
	        "      --name NAME     name recorded on claimed jobs (default host:pid)\n"
	        "      --once          exit when no job is ready instead of waiting for more\n"
	        "  -v, --verbose       log debug messages\n"
	        "  -h, --help          show this help\n\n"
	        "SIGTERM: a running job is finished (a trust breakdown is given back between\n"
	        "schools), then the worker exits; a second SIGTERM exits at once.\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
	        {"config", required_argument, NULL, 'c'}, {"name", required_argument, NULL, 'n'},
	        {"once", no_argument, NULL, 'o'},         {"verbose", no_argument, NULL, 'v'},
	        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0}};
	const char *path = "/etc/rollcall/rollcall.conf";
	int once = 0, verbose = 0, c, rc = 1;
	rc_config cfg;
	worker w;
	char err[1024], host[40] = "worker";
	struct sigaction sa;
	uint64_t last_status = 0;

	memset(&w, 0, sizeof(w));
	while ((c = getopt_long(argc, argv, "c:n:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'n':
			snprintf(w.name, sizeof(w.name), "%s", optarg);
			break;
		case 'o':
			once = 1;
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
		fprintf(stderr, "rollcall-worker: %s\n", err);
		return 2;
	}
	log_init("rollcall-worker", verbose ? LOG_DEBUG : LOG_INFO);
	w.cfg = &cfg;
	measures_config_init(&w.mc);
	if (!w.name[0]) {
		gethostname(host, sizeof(host) - 1);
		snprintf(w.name, sizeof(w.name), "%s:%ld", host, (long)getpid());
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (connect_db(&w) < 0)
		goto out;
	w.watchdog_ms = notify_watchdog_usec() / 2000;
	log_info("worker %s: ready", w.name);
	notify_ready();

	while (!s_stop) {
		job j;
		int got;

		keepalive(&w);
		if (connect_db(&w) < 0) {
			for (int i = 0; i < 20 && !s_stop; i++) { /* 2 s, watchdog kept */
				keepalive(&w);
				usleep(100000);
			}
			continue;
		}
		got = queue_claim(w.conn, w.name, cfg.lease_seconds, w.cache.urns, w.cache.n, &j,
		                  err, sizeof(err));
		if (got < 0) {
			log_err("worker: cannot claim a job (%s)", err);
			PQfinish(w.conn);
			w.conn = NULL;
			continue;
		}
		if (mono_ms() - last_status >= 2000) {
			notify_status("jobs done %llu, failed %llu, schools held %zu",
			              (unsigned long long)w.done, (unsigned long long)w.failed,
			              w.cache.n);
			last_status = mono_ms();
		}
		if (got == 1) {
			run_job(&w, &j);
			continue;
		}
		if (once)
			break;
		db_wait_notify(w.conn, 1000); /* a lost connection shows at the next claim */
	}
	notify_stopping();
	log_info("worker %s: stopping (%llu jobs done, %llu failed)", w.name,
	         (unsigned long long)w.done, (unsigned long long)w.failed);
	rc = 0;
out:
	if (w.conn)
		PQfinish(w.conn);
	school_cache_deinit(&w.cache);
	config_deinit(&cfg);
	return rc;
}
