/* rollcall status: is everything running, and what needs a person. The daemon is asked over its
 * own CURVE socket (a hello with the daemon's own key pair, read from the server key file: only
 * who may read that file can ask), the database as the reporting role: the schema version, the
 * job queue and its dead jobs, each school's last batch, its result and last rejection, schools
 * that have not pushed for --not-pushed-hours (26 by default), unmarked sessions over the last four
 * school weeks, the latest report of each kind and what retention did. Text for people, --json for
 * monitoring; the exit status is 1 when something needs a person (each such thing is listed
 * under "attention"). */
#include "admin.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "rollcall/keyfile.h"
#include "rollcall/rollcall.pb-c.h"
#include "rollcall/wire.h"

/* A school with no batch for this long has "not pushed tonight" (a nightly push, and slack);
 * --not-pushed-hours sets it (a trust whose MIS does not export at weekends: 74). */
#define NOT_PUSHED_HOURS 26
/* The oldest job waiting for a worker for longer than this: no worker is taking jobs. */
#define STUCK_MINUTES   60
#define PING_TIMEOUT_MS 3000

typedef struct attention {
	char **what;
	size_t n;
} attention;

static void need(attention *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void need(attention *a, const char *fmt, ...)
{
	char line[600];
	va_list ap;
	char **v = realloc(a->what, (a->n + 1) * sizeof(*v));

	if (!v)
		return;
	a->what = v;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if ((a->what[a->n] = strdup(line)))
		a->n++;
}

/* ---- JSON ----------------------------------------------------------------------------------- */

static void jstr(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

/* "key": value pairs, the value a string or, when num, a number (or null when empty). */
static void jkv(FILE *f, bool *first, const char *key, const char *val, bool num)
{
	fputs(*first ? "" : ",", f);
	*first = false;
	jstr(f, key);
	fputc(':', f);
	if (num)
		fputs(val && *val ? val : "null", f);
	else
		jstr(f, val ? val : "");
}

/* ---- the daemon ----------------------------------------------------------------------------- */

typedef struct daemon_state {
	int state; /* 1 reachable, 0 not reachable, -1 not checked */
	char endpoint[256];
	char detail[400];
	long ms, limit;
} daemon_state;

/* Where the daemon on this host answers: --endpoint, else its listen address made local
 * (a listen address of "*" or 0.0.0.0 becomes 127.0.0.1), else the push endpoint. */
static void daemon_endpoint(const rc_config *cfg, const char *given, char *out, size_t outlen)
{
	const char *l = cfg->listen ? cfg->listen : "";
	const char *port = strrchr(l, ':');

	if (given) {
		snprintf(out, outlen, "%s", given);
	} else if (!strncmp(l, "tcp://", 6) && port && strcmp(port, ":*") && strcmp(port, ":0")) {
		const char *host = l + 6;
		size_t hlen = (size_t)(port - host);

		if ((hlen == 1 && host[0] == '*') || (hlen == 7 && !strncmp(host, "0.0.0.0", 7)))
			snprintf(out, outlen, "tcp://127.0.0.1%s", port);
		else
			snprintf(out, outlen, "%s", l);
	} else {
		snprintf(out, outlen, "%s", cfg->endpoint ? cfg->endpoint : "");
	}
}

/* A hello over CURVE as the daemon itself: the answer says it is up and reading. */
static void ping_daemon(const rc_config *cfg, const char *given, daemon_state *d)
{
	Rollcall__Batch h = ROLLCALL__BATCH__INIT;
	char err[256], id[48];
	uint8_t buf[128];
	keypair kp;
	void *zctx = NULL, *s = NULL;
	int linger = 0, timeout = PING_TIMEOUT_MS;
	struct timespec t0, t1;

	daemon_endpoint(cfg, given, d->endpoint, sizeof(d->endpoint));
	d->state = -1;
	if (keyfile_read(cfg->server_key_file, &kp, 1, err, sizeof(err)) < 0) {
		snprintf(d->detail, sizeof(d->detail), "cannot read the server key file to ask: %s",
		         err);
		return;
	}
	d->state = 0;
	snprintf(id, sizeof(id), "status-%ld", (long)getpid());
	h.has_version = 1;
	h.version = WIRE_VERSION;
	h.batch_id = id;
	h.has_hello = 1;
	h.hello = 1;
	rollcall__batch__pack(&h, buf);
	zctx = zmq_ctx_new();
	s = zctx ? zmq_socket(zctx, ZMQ_DEALER) : NULL;
	if (!s || zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout)) ||
	    zmq_setsockopt(s, ZMQ_SNDTIMEO, &timeout, sizeof(timeout)) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, kp.public_key, KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kp.public_key, KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, kp.secret_key, KEY_Z85_LEN + 1) ||
	    zmq_connect(s, d->endpoint) != 0) {
		snprintf(d->detail, sizeof(d->detail), "cannot connect to %s (%s)", d->endpoint,
		         zmq_strerror(zmq_errno()));
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (zmq_send(s, buf, rollcall__batch__get_packed_size(&h), 0) < 0) {
		snprintf(d->detail, sizeof(d->detail), "no connection to %s within %d ms",
		         d->endpoint, PING_TIMEOUT_MS);
		goto out;
	}
	for (;;) {
		zmq_msg_t m;
		Rollcall__BatchAck *ack;
		int n;

		zmq_msg_init(&m);
		n = zmq_msg_recv(&m, s, 0);
		if (n < 0) {
			zmq_msg_close(&m);
			snprintf(d->detail, sizeof(d->detail), "no answer from %s within %d ms",
			         d->endpoint, PING_TIMEOUT_MS);
			goto out;
		}
		ack = rollcall__batch_ack__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		zmq_msg_close(&m);
		if (!ack)
			continue;
		if (ack->batch_id && !strcmp(ack->batch_id, id)) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			d->ms = (t1.tv_sec - t0.tv_sec) * 1000 +
			        (t1.tv_nsec - t0.tv_nsec) / 1000000;
			d->limit = ack->has_max_message_bytes ? (long)ack->max_message_bytes : 0;
			if (ack->status == ROLLCALL__BATCH_ACK__STATUS__ACCEPTED) {
				d->state = 1;
				snprintf(d->detail, sizeof(d->detail), "answered in %ld ms", d->ms);
			} else {
				snprintf(d->detail, sizeof(d->detail), "answered, but %s",
				         ack->error && ack->error[0] ? ack->error
				                                     : "not accepting");
			}
			rollcall__batch_ack__free_unpacked(ack, NULL);
			break;
		}
		rollcall__batch_ack__free_unpacked(ack, NULL);
	}
out:
	if (s)
		zmq_close(s);
	if (zctx)
		zmq_ctx_term(zctx);
}

/* ---- the database -----------------------------------------------------------------------------
 */

/* Rows of a query as strings, kept for both outputs. */
typedef struct table {
	PGresult *res;
} table;

static const char *v(const table *t, int row, int col)
{
	return PQgetvalue(t->res, row, col);
}

static int rows(const table *t)
{
	return t->res ? PQntuples(t->res) : 0;
}

int cmd_status(ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {{"school", required_argument, NULL, 's'},
	                                     {"json", no_argument, NULL, 'j'},
	                                     {"endpoint", required_argument, NULL, 'e'},
	                                     {"not-pushed-hours", required_argument, NULL, 'H'},
	                                     {NULL, 0, NULL, 0}};
	const char *school = NULL, *endpoint = NULL;
	bool json = false;
	daemon_state d = {0};
	attention a = {0};
	table schema = {0}, queue = {0}, dead = {0}, schools = {0}, reports = {0}, returns = {0},
	      reg = {0};
	char hours[16], stuck[16];
	int o, rc = 1, not_pushed = NOT_PUSHED_HOURS;
	long long tp = 0, tb = 0, tr = 0, tu = 0;

	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 's')
			school = optarg;
		else if (o == 'j')
			json = true;
		else if (o == 'e')
			endpoint = optarg;
		else if (o == 'H') {
			char *end;
			long h = strtol(optarg, &end, 10);

			if (end == optarg || *end || h < 1 || h > 24 * 31)
				return die(
				        "--not-pushed-hours: '%s' is not a number of hours 1..744",
				        optarg);
			not_pushed = (int)h;
		} else
			return usage(stderr);
	}
	if (optind != argc)
		return usage(stderr);
	if (school && (strlen(school) != 6 || strspn(school, "0123456789") != 6))
		return die("--school: '%s' is not a URN (6 digits)", school);

	ping_daemon(&c->cfg, endpoint, &d);
	if (d.state == 0)
		need(&a, "rollcalld is not reachable at %s: %s", d.endpoint, d.detail);
	else if (d.state < 0)
		need(&a, "rollcalld not checked: %s", d.detail);

	if (connect_db(c, CONFIG_DB_REPORTING)) {
		need(&a, "the database cannot be reached as the reporting role");
		goto print;
	}
	snprintf(hours, sizeof(hours), "%d", not_pushed);
	snprintf(stuck, sizeof(stuck), "%d", STUCK_MINUTES);
	schema.res = exec(c, "SELECT coalesce(max(version), 0) FROM rollcall_migration", 0, NULL);
	queue.res = exec(
	        c,
	        "SELECT count(*) FILTER (WHERE state = 'pending'),"
	        " count(*) FILTER (WHERE state = 'pending' AND run_after <= now()),"
	        " coalesce(floor(extract(epoch FROM now() - min(run_after)"
	        "  FILTER (WHERE state = 'pending' AND run_after <= now())) / 60)::text, ''),"
	        " count(*) FILTER (WHERE state = 'running'), count(*) FILTER (WHERE state = 'dead')"
	        " FROM job",
	        0, NULL);
	dead.res = exec(c,
	                "SELECT job_id, kind, coalesce(school_urn::text, ''),"
	                " to_char(updated_at, 'YYYY-MM-DD HH24:MI'), coalesce(last_error, ''),"
	                " attempts FROM job WHERE state = 'dead' ORDER BY updated_at DESC LIMIT 20",
	                0, NULL);
	/* Per school: pupils on roll, the last batch (when, its counts, hours ago), batches and
	 * rejections in all, the last rejection, unmarked sessions in the last four weeks of its
	 * latest results. */
	schools.res = exec(
	        c,
	        "SELECT s.school_urn, s.name,"
	        " (SELECT count(*) FROM pupil p WHERE p.school_urn = s.school_urn"
	        "   AND p.admission_date <= current_date"
	        "   AND (p.leaving_date IS NULL OR p.leaving_date >= current_date)),"
	        " coalesce(to_char(b.received_at, 'YYYY-MM-DD HH24:MI'), ''),"
	        " coalesce(b.accepted::text, ''), coalesce(b.rejected::text, ''),"
	        " (SELECT count(*) FROM batch x WHERE x.school_urn = s.school_urn),"
	        " (SELECT count(*) FROM rejected_item r WHERE r.school_urn = s.school_urn),"
	        " coalesce((SELECT CASE r.kind WHEN 1 THEN 'pupil' WHEN 2 THEN 'contact'"
	        "   WHEN 3 THEN 'mark' ELSE 'session' END || coalesce(' line ' || r.line, '') ||"
	        "   coalesce(' ' || r.upn, '') || ': ' || r.field || ': ' || r.reason"
	        "   FROM rejected_item r WHERE r.school_urn = s.school_urn"
	        "   ORDER BY r.batch_no DESC, r.item_index DESC LIMIT 1), ''),"
	        " coalesce((SELECT sum(e.last4w_unmarked)::text FROM enrolment_result e"
	        "   WHERE e.school_urn = s.school_urn), ''),"
	        " coalesce((SELECT max(as_of)::text FROM school_result r"
	        "   WHERE r.school_urn = s.school_urn), ''),"
	        " b.received_at IS NULL OR b.received_at < now() - make_interval(hours => "
	        "$2::integer)"
	        " FROM school s LEFT JOIN LATERAL (SELECT received_at, accepted, rejected FROM "
	        "batch"
	        "  WHERE school_urn = s.school_urn ORDER BY batch_no DESC LIMIT 1) b ON true"
	        " WHERE $1::integer IS NULL OR s.school_urn = $1::integer ORDER BY s.school_urn",
	        2, (const char *const[]){school, hours});
	/* The latest report of each kind (done jobs are kept a week; the LA returns' runs for
	 * good). */
	reports.res = exec(c,
	                   "SELECT kind, to_char(max(updated_at), 'YYYY-MM-DD HH24:MI'),"
	                   " (array_agg(result ORDER BY updated_at DESC))[1] FROM job"
	                   " WHERE state = 'done' AND kind NOT IN ('recompute', 'la_part')"
	                   " GROUP BY kind ORDER BY kind",
	                   0, NULL);
	returns.res =
	        exec(c,
	             "SELECT coalesce(max(period), ''), count(DISTINCT la_code),"
	             " coalesce(to_char(max(changed_on), 'YYYY-MM-DD'), '') FROM la_return_run",
	             0, NULL);
	reg.res = exec(
	        c,
	        "WITH p AS (SELECT substring(c.relname FROM '^mark_version_([0-9]{4})$')::integer"
	        "  AS y FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
	        "  WHERE i.inhparent = 'mark_version'::regclass),"
	        " lastrun AS (SELECT max(run_at) AS at FROM maintenance_log),"
	        " dropped AS (SELECT run_at, object, rows FROM maintenance_log"
	        "  WHERE action = 'dropped' ORDER BY log_id DESC LIMIT 1)"
	        " SELECT (SELECT coalesce(rollcall_year_name(min(y)) || ' to ' ||"
	        "   rollcall_year_name(max(y)) || ' (' || count(*) || ' partitions)', 'none')"
	        "   FROM p WHERE y IS NOT NULL),"
	        " (SELECT rollcall_year_name(first_year)"
	        "   FROM rollcall_register_years(current_date)),"
	        " (SELECT coalesce(to_char(at, 'YYYY-MM-DD HH24:MI'), '') FROM lastrun),"
	        " (SELECT coalesce(string_agg(l.action || ' ' || l.object ||"
	        "   CASE WHEN l.action = 'created' THEN '' ELSE ' (rows: ' || l.rows || ')' END,"
	        "   '; ' ORDER BY l.log_id), 'nothing to do') FROM maintenance_log l, lastrun"
	        "   WHERE l.run_at = lastrun.at AND l.action <> 'run'),"
	        " coalesce((SELECT object || ' (rows: ' || rows || ') on ' ||"
	        "   to_char(run_at, 'YYYY-MM-DD') FROM dropped), ''),"
	        " (SELECT at IS NULL OR at < now() - interval '2 days' FROM lastrun)",
	        0, NULL);
	if (!schema.res || !queue.res || !dead.res || !schools.res || !reports.res ||
	    !returns.res || !reg.res) {
		need(&a, "the database could not be read (see above)");
		goto print;
	}
	if (school && rows(&schools) == 0) {
		rc = die("no school %s", school);
		goto out;
	}

	/* What needs a person. */
	if (atoi(v(&schema, 0, 0)) != db_schema_latest())
		need(&a,
		     "the schema is at version %s, this rollcall expects %d: run rollcall migrate",
		     v(&schema, 0, 0), db_schema_latest());
	if (v(&queue, 0, 2)[0] && atoi(v(&queue, 0, 2)) >= STUCK_MINUTES)
		need(&a,
		     "the oldest job has waited %s minutes for a worker: are the workers running?",
		     v(&queue, 0, 2));
	for (int i = 0; i < rows(&dead); i++)
		need(&a, "job %s (%s%s%s) is dead: %s", v(&dead, i, 0), v(&dead, i, 1),
		     v(&dead, i, 2)[0] ? ", school " : "", v(&dead, i, 2), v(&dead, i, 4));
	for (int i = 0; i < rows(&schools); i++) {
		if (v(&schools, i, 11)[0] == 't' && v(&schools, i, 3)[0])
			need(&a, "school %s has not pushed for over %d hours (last batch %s)",
			     v(&schools, i, 0), not_pushed, v(&schools, i, 3));
		else if (v(&schools, i, 11)[0] == 't')
			need(&a, "school %s has never pushed", v(&schools, i, 0));
		if (atoll(v(&schools, i, 9)) > 0)
			need(&a, "school %s has %s unmarked sessions in its last four school weeks",
			     v(&schools, i, 0), v(&schools, i, 9));
	}
	if (!school && v(&reg, 0, 5)[0] == 't')
		need(&a, "retention has not run for two days (schedule rollcall retention daily)");
	rc = a.n ? 1 : 0;

print:
	if (json) {
		bool f = true;

		printf("{");
		jkv(stdout, &f, "attention_needed", a.n ? "true" : "false", true);
		printf(",\"attention\":[");
		for (size_t i = 0; i < a.n; i++) {
			fputs(i ? "," : "", stdout);
			jstr(stdout, a.what[i]);
		}
		printf("],\"daemon\":{");
		f = true;
		jkv(stdout, &f, "state",
		    d.state > 0    ? "reachable"
		    : d.state == 0 ? "unreachable"
		                   : "not checked",
		    false);
		jkv(stdout, &f, "endpoint", d.endpoint, false);
		jkv(stdout, &f, "detail", d.detail, false);
		if (d.state > 0) {
			char ms[24], lim[24];
			snprintf(ms, sizeof(ms), "%ld", d.ms);
			snprintf(lim, sizeof(lim), "%ld", d.limit);
			jkv(stdout, &f, "answer_ms", ms, true);
			jkv(stdout, &f, "max_message_bytes", lim, true);
		}
		printf("}");
		if (schema.res && queue.res && dead.res && schools.res && reports.res &&
		    returns.res && reg.res) {
			char want[16];

			snprintf(want, sizeof(want), "%d", db_schema_latest());
			printf(",\"schema\":{");
			f = true;
			jkv(stdout, &f, "version", v(&schema, 0, 0), true);
			jkv(stdout, &f, "expected", want, true);
			printf("},\"queue\":{");
			f = true;
			jkv(stdout, &f, "pending", v(&queue, 0, 0), true);
			jkv(stdout, &f, "waiting_for_a_worker", v(&queue, 0, 1), true);
			jkv(stdout, &f, "oldest_waiting_minutes", v(&queue, 0, 2), true);
			jkv(stdout, &f, "running", v(&queue, 0, 3), true);
			jkv(stdout, &f, "dead", v(&queue, 0, 4), true);
			printf(",\"dead_jobs\":[");
			for (int i = 0; i < rows(&dead); i++) {
				printf(i ? ",{" : "{");
				f = true;
				jkv(stdout, &f, "job", v(&dead, i, 0), true);
				jkv(stdout, &f, "kind", v(&dead, i, 1), false);
				jkv(stdout, &f, "school_urn", v(&dead, i, 2), true);
				jkv(stdout, &f, "at", v(&dead, i, 3), false);
				jkv(stdout, &f, "attempts", v(&dead, i, 5), true);
				jkv(stdout, &f, "error", v(&dead, i, 4), false);
				printf("}");
			}
			printf("]},\"schools\":[");
			for (int i = 0; i < rows(&schools); i++) {
				printf(i ? ",{" : "{");
				f = true;
				jkv(stdout, &f, "school_urn", v(&schools, i, 0), true);
				jkv(stdout, &f, "name", v(&schools, i, 1), false);
				jkv(stdout, &f, "on_roll", v(&schools, i, 2), true);
				jkv(stdout, &f, "last_batch", v(&schools, i, 3), false);
				jkv(stdout, &f, "last_batch_accepted", v(&schools, i, 4), true);
				jkv(stdout, &f, "last_batch_rejected", v(&schools, i, 5), true);
				jkv(stdout, &f, "batches", v(&schools, i, 6), true);
				jkv(stdout, &f, "rejected_items", v(&schools, i, 7), true);
				jkv(stdout, &f, "last_rejection", v(&schools, i, 8), false);
				jkv(stdout, &f, "unmarked_last4w", v(&schools, i, 9), true);
				jkv(stdout, &f, "results_as_of", v(&schools, i, 10), false);
				jkv(stdout, &f, "pushed_recently",
				    v(&schools, i, 11)[0] == 't' ? "false" : "true", true);
				printf("}");
			}
			printf("],\"reports\":{");
			f = true;
			for (int i = 0; i < rows(&reports); i++) {
				fputs(f ? "" : ",", stdout);
				f = false;
				jstr(stdout, v(&reports, i, 0));
				printf(":{");
				bool g = true;
				jkv(stdout, &g, "at", v(&reports, i, 1), false);
				jkv(stdout, &g, "result", v(&reports, i, 2), false);
				printf("}");
			}
			printf("},\"la_returns\":{");
			f = true;
			jkv(stdout, &f, "latest_period", v(&returns, 0, 0), false);
			jkv(stdout, &f, "las", v(&returns, 0, 1), true);
			jkv(stdout, &f, "last_changed", v(&returns, 0, 2), false);
			printf("},\"register\":{");
			f = true;
			jkv(stdout, &f, "years", v(&reg, 0, 0), false);
			jkv(stdout, &f, "retention_keeps_from", v(&reg, 0, 1), false);
			jkv(stdout, &f, "retention_last_run", v(&reg, 0, 2), false);
			jkv(stdout, &f, "retention_last_did", v(&reg, 0, 3), false);
			jkv(stdout, &f, "retention_last_dropped", v(&reg, 0, 4), false);
			printf("}");
		}
		printf("}\n");
		goto out;
	}

	if (d.state > 0)
		printf("daemon: reachable at %s (%s; reads messages up to %ld bytes)\n", d.endpoint,
		       d.detail, d.limit);
	else
		printf("daemon: %s at %s: %s\n", d.state == 0 ? "NOT REACHABLE" : "not checked",
		       d.endpoint, d.detail);
	if (!schema.res || !queue.res || !dead.res || !schools.res || !reports.res ||
	    !returns.res || !reg.res)
		goto attention;
	printf("schema: version %s%s\n", v(&schema, 0, 0),
	       atoi(v(&schema, 0, 0)) == db_schema_latest() ? ", as this rollcall expects"
	                                                    : " (behind: run rollcall migrate)");
	printf("queue: %s pending (%s waiting for a worker%s%s%s), %s running, %s dead\n",
	       v(&queue, 0, 0), v(&queue, 0, 1), v(&queue, 0, 2)[0] ? ", the oldest for " : "",
	       v(&queue, 0, 2), v(&queue, 0, 2)[0] ? " min" : "", v(&queue, 0, 3), v(&queue, 0, 4));
	for (int i = 0; i < rows(&dead); i++)
		printf("  dead job %s %s%s%s at %s after %s attempts: %s\n", v(&dead, i, 0),
		       v(&dead, i, 1), v(&dead, i, 2)[0] ? " school " : "", v(&dead, i, 2),
		       v(&dead, i, 3), v(&dead, i, 5), v(&dead, i, 4));
	printf("reports:");
	if (rows(&reports) == 0 && !v(&returns, 0, 0)[0])
		printf(" none written in the last week");
	printf("\n");
	for (int i = 0; i < rows(&reports); i++)
		printf("  %-11s %s  %s\n", v(&reports, i, 0), v(&reports, i, 1), v(&reports, i, 2));
	if (v(&returns, 0, 0)[0])
		printf("  LA returns  latest month %s for %s LA%s, last changed %s\n",
		       v(&returns, 0, 0), v(&returns, 0, 1),
		       atoi(v(&returns, 0, 1)) == 1 ? "" : "s", v(&returns, 0, 2));
	printf("\n%-7s %7s  %-16s %8s %8s %8s %8s %8s  %-10s %s\n", "URN", "ON ROLL", "LAST BATCH",
	       "ACCEPTED", "REJECTED", "BATCHES", "REJECTS", "UNMARKED", "RESULTS", "SCHOOL");
	for (int i = 0; i < rows(&schools); i++) {
		printf("%-7s %7s  %-16s %8s %8s %8s %8s %8s  %-10s %s%s\n", v(&schools, i, 0),
		       v(&schools, i, 2), v(&schools, i, 3)[0] ? v(&schools, i, 3) : "never",
		       v(&schools, i, 4), v(&schools, i, 5), v(&schools, i, 6), v(&schools, i, 7),
		       v(&schools, i, 9), v(&schools, i, 10), v(&schools, i, 1),
		       v(&schools, i, 11)[0] == 't' ? "  [NOT PUSHED]" : "");
		if (v(&schools, i, 8)[0])
			printf("        last rejection: %s\n", v(&schools, i, 8));
		tp += atoll(v(&schools, i, 2));
		tb += atoll(v(&schools, i, 6));
		tr += atoll(v(&schools, i, 7));
		tu += atoll(v(&schools, i, 9));
	}
	if (!school)
		printf("%-7s %7lld  %-16s %8s %8s %8lld %8lld %8lld\n", "total", tp, "", "", "", tb,
		       tr, tu);
	printf("\nregister: academic years %s; retention keeps %s onwards\n", v(&reg, 0, 0),
	       v(&reg, 0, 1));
	if (v(&reg, 0, 2)[0])
		printf("retention: last run %s: %s\n", v(&reg, 0, 2), v(&reg, 0, 3));
	else
		printf("retention: never run (schedule 'rollcall retention' daily)\n");
	if (v(&reg, 0, 4)[0])
		printf("retention: last dropped %s\n", v(&reg, 0, 4));
attention:
	if (a.n) {
		printf("\nattention: %zu thing%s need%s a person\n", a.n, a.n == 1 ? "" : "s",
		       a.n == 1 ? "s" : "");
		for (size_t i = 0; i < a.n; i++)
			printf("  - %s\n", a.what[i]);
	} else {
		printf("\nattention: nothing needs a person\n");
	}
out:
	PQclear(schema.res);
	PQclear(queue.res);
	PQclear(dead.res);
	PQclear(schools.res);
	PQclear(reports.res);
	PQclear(returns.res);
	PQclear(reg.res);
	for (size_t i = 0; i < a.n; i++)
		free(a.what[i]);
	free(a.what);
	return rc;
}
