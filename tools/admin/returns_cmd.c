/* rollcall returns (queue an LA's statutory returns for a month and wait) and rollcall la (the
 * per-LA settings of those returns, kept in la_setting). */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin.h"
#include "rollcall/date.h"
#include "rollcall/queue.h"
#include "rollcall/validate.h"

/* "YYYY-MM" of the calendar month before today. */
static void previous_month(char out[24])
{
	int y, m, d;

	date_to_ymd((int32_t)(time(NULL) / 86400), &y, &m, &d);
	if (--m == 0) {
		m = 12;
		y--;
	}
	snprintf(out, 24, "%04d-%02d", y, m);
}

static bool valid_month(const char *s, int *month)
{
	int32_t day;
	char d[11];

	if (strlen(s) != 7)
		return false;
	snprintf(d, sizeof(d), "%s-01", s);
	if (date_parse(d, 10, &day) < 0)
		return false;
	*month = atoi(s + 5);
	return true;
}

/* How long an LA's job waits for its schools' parts at most: past it, it computes the schools
 * whose part has not come itself. */
#define PART_WAIT_S 300

/* Queues la's returns for month: the LA's job, held back until every school's part is stored
 * (or PART_WAIT_S), what it is for, and one la_part job per school, claimed first by the worker
 * holding the school (a school's pending la_part job already takes every request). */
static int queue_returns(ctx *c, const char *la, const char *month, const char *args, int64_t *id)
{
	char wait[16];
	PGresult *res;

	snprintf(wait, sizeof(wait), "%d", PART_WAIT_S);
	res = exec(c,
	           "WITH j AS (INSERT INTO job (kind, args, run_after)"
	           "  VALUES ('la_returns', $3, now() + make_interval(secs => $4::integer))"
	           "  RETURNING job_id),"
	           " r AS (INSERT INTO la_return_request (job_id, la_code, period)"
	           "  SELECT job_id, $1::smallint, $2 FROM j),"
	           " p AS (INSERT INTO job (school_urn, kind)"
	           "  SELECT school_urn, 'la_part' FROM school WHERE la_code = $1::smallint"
	           "  ORDER BY school_urn"
	           "  ON CONFLICT (school_urn, kind) WHERE state = 'pending' AND school_urn IS NOT "
	           "NULL"
	           "  DO NOTHING)"
	           " SELECT job_id, pg_notify('rollcall_jobs', '') FROM j",
	           4, (const char *const[]){la, month, args, wait});
	if (!res)
		return -1;
	*id = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

static bool termly_month(int month)
{
	return month == 12 || month == 4 || month == 7;
}

int cmd_returns(ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"la", required_argument, NULL, 'l'},      {"all", no_argument, NULL, 'a'},
	        {"month", required_argument, NULL, 'm'},   {"no-wait", no_argument, NULL, 'n'},
	        {"timeout", required_argument, NULL, 't'}, {NULL, 0, NULL, 0}};
	const char *la = NULL;
	char month[24], err[512], code[8];
	bool all = false, nowait = false, given = false;
	int timeout = 1800, o, mon, rc = 0, queued = 0;
	int64_t *ids = NULL;
	PGresult *res;

	previous_month(month);
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'l':
			la = optarg;
			break;
		case 'a':
			all = true;
			break;
		case 'm':
			if (strlen(optarg) >= sizeof(month) || !valid_month(optarg, &mon))
				return die("--month: '%s' is not a month (YYYY-MM)", optarg);
			snprintf(month, sizeof(month), "%s", optarg);
			given = true;
			break;
		case 'n':
			nowait = true;
			break;
		case 't':
			timeout = atoi(optarg);
			break;
		default:
			return usage(stderr);
		}
	}
	if (optind != argc || (la != NULL) == all)
		return die("returns: give --la CODE or --all (see rollcall --help)");
	if (timeout < 1)
		return die("--timeout must be a positive number of seconds");
	if (la && (strlen(la) != 3 || strspn(la, "0123456789") != 3 || atoi(la) < 100))
		return die("--la: '%s' is not an LA code (3 digits)", la);
	(void)valid_month(month, &mon);
	if (connect_db(c, CONFIG_DB_WORKER))
		return 1;
	/* The LAs the trust has schools in (or the one asked for), and how often each gets its
	 * returns. */
	res = exec(c,
	           "SELECT l.la_code, coalesce(s.return_frequency, 'monthly')"
	           " FROM la l LEFT JOIN la_setting s USING (la_code)"
	           " WHERE ($1::smallint IS NULL OR l.la_code = $1::smallint)"
	           " AND EXISTS (SELECT 1 FROM school k WHERE k.la_code = l.la_code)"
	           " ORDER BY l.la_code",
	           1, (const char *const[]){la});
	if (!res)
		return 1;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return die(la ? "returns: LA %s has no trust school"
		              : "returns: no LA has a school",
		           la);
	}
	ids = calloc((size_t)PQntuples(res), sizeof(*ids));
	if (!ids ||
	    (!nowait && db_exec(c->conn, "LISTEN " QUEUE_END_CHANNEL, err, sizeof(err)) < 0)) {
		PQclear(res);
		free(ids);
		return die("%s", ids ? err : "out of memory");
	}
	for (int i = 0; i < PQntuples(res); i++) {
		char args[64];
		bool termly = !strcmp(PQgetvalue(res, i, 1), "termly");

		snprintf(code, sizeof(code), "%s", PQgetvalue(res, i, 0));
		if (termly && !termly_month(mon)) {
			if (la || given) {
				rc = die("returns: LA %s receives termly returns (December, April, "
				         "July):"
				         " none for %s",
				         code, month);
				goto out;
			}
			printf("LA %s: termly, no return due for %s\n", code, month);
			continue;
		}
		snprintf(args, sizeof(args), "la=%s month=%s", code, month);
		if (queue_returns(c, code, month, args, &ids[queued]) < 0) {
			rc = 1;
			goto out;
		}
		printf("LA %s: returns for %s queued as job %lld\n", code, month,
		       (long long)ids[queued]);
		queued++;
	}
	fflush(stdout);
	for (int i = 0; !nowait && i < queued; i++)
		rc |= wait_job(c, ids[i], timeout);
out:
	PQclear(res);
	free(ids);
	return rc;
}

/* "12.5" (percent, at most two decimals, over 0 and at most 100) as basis points. */
static int percent_bp(const char *s, long *bp)
{
	char *end;
	double v = strtod(s, &end);

	if (end == s || *end || !(v > 0) || v > 100 || (long)(v * 100 + 0.5) < 1)
		return -EINVAL;
	*bp = (long)(v * 100 + 0.5);
	return 0;
}

static int yes_no(const char *s, bool *v)
{
	if (!strcmp(s, "yes"))
		*v = true;
	else if (!strcmp(s, "no"))
		*v = false;
	else
		return -EINVAL;
	return 0;
}

static int la_list(ctx *c)
{
	PGresult *res;

	if (connect_db(c, CONFIG_DB_REPORTING))
		return 1;
	res = exec(c,
	           "SELECT l.la_code, l.name, coalesce(s.return_frequency, 'monthly'),"
	           " coalesce(to_char(s.irregular_bp / 100.0, 'FM990.00') || '%', 'off'),"
	           " CASE WHEN coalesce(s.include_junior_intake, false) THEN 'yes' ELSE 'no' END,"
	           " CASE WHEN coalesce(s.include_standard_transition, false) THEN 'yes' ELSE 'no'"
	           " END, coalesce(s.contact_name, ''),"
	           " (SELECT count(*) FROM school k WHERE k.la_code = l.la_code)"
	           " FROM la l LEFT JOIN la_setting s USING (la_code) ORDER BY l.la_code",
	           0, NULL);
	if (!res)
		return 1;
	printf("%-4s %-24s %-8s %-9s %-7s %-10s %-7s %s\n", "LA", "NAME", "RETURNS", "IRREGULAR",
	       "JUNIOR", "TRANSITION", "SCHOOLS", "CONTACT");
	for (int i = 0; i < PQntuples(res); i++)
		printf("%-4s %-24.24s %-8s %-9s %-7s %-10s %-7s %s\n", PQgetvalue(res, i, 0),
		       PQgetvalue(res, i, 1), PQgetvalue(res, i, 2), PQgetvalue(res, i, 3),
		       PQgetvalue(res, i, 4), PQgetvalue(res, i, 5), PQgetvalue(res, i, 7),
		       PQgetvalue(res, i, 6));
	PQclear(res);
	return 0;
}

static int la_set(ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {{"frequency", required_argument, NULL, 'f'},
	                                     {"irregular", required_argument, NULL, 'i'},
	                                     {"junior-intake", required_argument, NULL, 'j'},
	                                     {"standard-transition", required_argument, NULL, 's'},
	                                     {"contact", required_argument, NULL, 'c'},
	                                     {NULL, 0, NULL, 0}};
	const char *p[7] = {NULL};
	char bps[24];
	long bp;
	bool yn;
	int o;
	PGresult *res;
	validate_error e;

	if (argc < 3)
		return usage(stderr);
	p[0] = argv[2];
	if (strlen(p[0]) != 3 || strspn(p[0], "0123456789") != 3)
		return die("la set: '%s' is not an LA code (3 digits)", p[0]);
	optind = 3;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'f':
			if (strcmp(optarg, "monthly") && strcmp(optarg, "termly"))
				return die("--frequency: '%s' is not monthly or termly", optarg);
			p[1] = optarg;
			break;
		case 'i':
			if (!strcmp(optarg, "off")) {
				p[2] = "off";
				break;
			}
			if (percent_bp(optarg, &bp) < 0)
				return die(
				        "--irregular: '%s' is not off or a percentage over 0 and "
				        "at most 100",
				        optarg);
			snprintf(bps, sizeof(bps), "%ld", bp);
			p[2] = bps;
			break;
		case 'j':
			if (yes_no(optarg, &yn) < 0)
				return die("--junior-intake: '%s' is not yes or no", optarg);
			p[3] = yn ? "t" : "f";
			break;
		case 's':
			if (yes_no(optarg, &yn) < 0)
				return die("--standard-transition: '%s' is not yes or no", optarg);
			p[4] = yn ? "t" : "f";
			break;
		case 'c':
			if (validate_text("contact", optarg, 120, false, &e) < 0)
				return die("--contact: %s", e.reason);
			p[5] = optarg;
			break;
		default:
			return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);
	if (connect_db(c, CONFIG_DB_OWNER))
		return 1;
	/* Unnamed settings keep their value (or the default for a new row). */
	res = exec(c,
	           "INSERT INTO la_setting AS s (la_code, return_frequency, irregular_bp,"
	           " include_junior_intake, include_standard_transition, contact_name)"
	           " SELECT l.la_code, coalesce($2, 'monthly'), nullif(nullif($3, 'off'), '')::int,"
	           " coalesce($4::boolean, false), coalesce($5::boolean, false), coalesce($6, '')"
	           " FROM la l WHERE l.la_code = $1::smallint"
	           " ON CONFLICT (la_code) DO UPDATE SET"
	           " return_frequency = coalesce($2, s.return_frequency),"
	           " irregular_bp = CASE WHEN $3 IS NULL THEN s.irregular_bp"
	           "  ELSE nullif($3, 'off')::int END,"
	           " include_junior_intake = coalesce($4::boolean, s.include_junior_intake),"
	           " include_standard_transition = coalesce($5::boolean,"
	           "  s.include_standard_transition),"
	           " contact_name = coalesce($6, s.contact_name), updated_at = now()"
	           " RETURNING la_code",
	           6, p);
	if (!res)
		return 1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return die("la set: there is no LA %s (rollcall school add registers it)", p[0]);
	}
	PQclear(res);
	printf("LA %s: settings saved\n", p[0]);
	return 0;
}

int cmd_la(ctx *c, int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "list") && argc == 2)
		return la_list(c);
	if (argc >= 2 && !strcmp(argv[1], "set"))
		return la_set(c, argc, argv);
	return usage(stderr);
}
