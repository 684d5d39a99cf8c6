/* rollcall tsm (queue schools' Targeting Support Meeting packs and wait), rollcall tsm actions
 * import (the actions agreed at the meetings, into tsm_action) and rollcall boundaries (the
 * attendance category boundaries of the trust and of each LA, in attendance_setting). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin.h"
#include "rollcall/csvread.h"
#include "rollcall/date.h"
#include "rollcall/measures.h"
#include "rollcall/queue.h"
#include "rollcall/upn.h"
#include "rollcall/validate.h"

/* Queues a TSM job for each school (one, or all: urn NULL) unless one for it is queued or
 * running already, whose id is then waited for instead (with the same arguments; with others it
 * is refused, naming the school). ids gets n job ids (the caller frees it). */
static int tsm_queue(ctx *c, const char *urn, const char *args, int64_t **ids, size_t *n)
{
	const char *p[2] = {urn, args};
	PGresult *res;
	int bad = 0;

	*ids = NULL;
	*n = 0;
	res = exec(
	        c,
	        "WITH s AS (SELECT school_urn FROM school"
	        "  WHERE $1::integer IS NULL OR school_urn = $1),"
	        " cur AS (SELECT DISTINCT ON (school_urn) school_urn, job_id, args FROM job"
	        "  WHERE kind = 'tsm' AND state IN ('pending', 'running')"
	        "  AND school_urn IN (SELECT school_urn FROM s) ORDER BY school_urn, job_id DESC),"
	        " ins AS (INSERT INTO job (school_urn, kind, args)"
	        "  SELECT school_urn, 'tsm', $2 FROM s"
	        "  WHERE school_urn NOT IN (SELECT school_urn FROM cur) RETURNING school_urn, "
	        "job_id,"
	        "  args),"
	        " n AS (SELECT pg_notify('rollcall_jobs', '') WHERE EXISTS (SELECT 1 FROM ins))"
	        " SELECT school_urn, job_id, args FROM ins UNION ALL"
	        " SELECT school_urn, job_id, args FROM cur"
	        " UNION ALL SELECT NULL, NULL, NULL FROM n ORDER BY 1",
	        2, p);
	if (!res)
		return 1;
	*ids = calloc((size_t)PQntuples(res) + 1, sizeof(**ids));
	if (!*ids) {
		PQclear(res);
		return die("out of memory");
	}
	for (int i = 0; i < PQntuples(res); i++) {
		if (PQgetisnull(res, i, 0))
			continue;
		if (strcmp(PQgetvalue(res, i, 2), args)) {
			fprintf(stderr,
			        "rollcall: school %s: a TSM pack (%s) is queued already; try again "
			        "when it is done\n",
			        PQgetvalue(res, i, 0),
			        PQgetvalue(res, i, 2)[0] ? PQgetvalue(res, i, 2)
			                                 : "its current term");
			bad = 1;
			continue;
		}
		(*ids)[(*n)++] = atoll(PQgetvalue(res, i, 1));
	}
	PQclear(res);
	if (urn && *n == 0 && !bad)
		return die("no school %s", urn);
	return bad;
}

/* Waits for the jobs to end, showing "n of N" on a terminal (and every 10 s otherwise), then
 * prints each one's result or error. Returns 1 when one failed or the wait ran out. */
static int tsm_wait(ctx *c, const int64_t *ids, size_t n, int timeout_s)
{
	char *list = malloc(n * 21 + 3), *q = list;
	const char *p[1] = {list};
	time_t end = time(NULL) + timeout_s, shown = 0;
	int tty = isatty(STDERR_FILENO), rc = 0;
	long last = -1;
	PGresult *res;

	if (!list)
		return die("out of memory");
	*q++ = '{';
	for (size_t i = 0; i < n; i++)
		q += sprintf(q, i ? ",%lld" : "%lld", (long long)ids[i]);
	*q++ = '}';
	*q = '\0';
	for (;;) {
		long ended;

		res = exec(c,
		           "SELECT count(*) FILTER (WHERE state IN ('done', 'dead')) FROM job"
		           " WHERE job_id = ANY ($1::bigint[])",
		           1, p);
		if (!res) {
			free(list);
			return 1;
		}
		ended = atol(PQgetvalue(res, 0, 0));
		PQclear(res);
		if (ended != last && (tty || time(NULL) - shown >= 10 || (size_t)ended == n)) {
			fprintf(stderr,
			        tty ? "\r\033[Ktsm: %ld of %zu packs" : "tsm: %ld of %zu packs\n",
			        ended, n);
			last = ended;
			shown = time(NULL);
		}
		if ((size_t)ended == n)
			break;
		if (time(NULL) >= end) {
			if (tty)
				fputc('\n', stderr);
			free(list);
			return die("%zu of %zu TSM packs not finished after %d s (is a "
			           "rollcall-worker "
			           "running?); they stay queued",
			           n - (size_t)ended, n, timeout_s);
		}
		if (db_wait_notify(c->conn, 1000) < 0) {
			free(list);
			return die("lost the database connection waiting for the TSM packs");
		}
	}
	if (tty)
		fputc('\n', stderr);
	res = exec(c,
	           "SELECT job_id, school_urn, state, result, coalesce(last_error, '') FROM job"
	           " WHERE job_id = ANY ($1::bigint[]) ORDER BY school_urn",
	           1, p);
	free(list);
	if (!res)
		return 1;
	for (int i = 0; i < PQntuples(res); i++) {
		if (!strcmp(PQgetvalue(res, i, 2), "done")) {
			printf("%s\n", PQgetvalue(res, i, 3));
			continue;
		}
		fprintf(stderr, "rollcall: school %s: job %s failed: %s\n", PQgetvalue(res, i, 1),
		        PQgetvalue(res, i, 0), PQgetvalue(res, i, 4));
		rc = 1;
	}
	PQclear(res);
	return rc;
}

/* One row of an actions file, checked and copied. */
typedef struct action_row {
	char urn[8], term[MEASURES_TERM_LABEL_LEN], upn[UPN_LEN + 1], due[11], status[8];
	char *action, *owner, *note;
} action_row;

typedef struct action_import {
	import_state imp;  /* first: on_problem counts the file's problems in it */
	PGresult *schools; /* school_urn of every school */
	PGresult *pupils;  /* school_urn, upn of every pupil */
	action_row *rows;
	size_t n, cap;
} action_import;

static bool result_has(const PGresult *res, const char *a, const char *b)
{
	for (int i = 0; i < PQntuples(res); i++)
		if (!strcmp(PQgetvalue(res, i, 0), a) && (!b || !strcmp(PQgetvalue(res, i, 1), b)))
			return true;
	return false;
}

/* Says what is wrong with a row as file:line: field: reason (no text of the row but its
 * school, term, UPN, date or status, none of them personal), and returns false. */
static bool action_bad(const csvread_row *row, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static bool action_bad(const csvread_row *row, const char *field, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rollcall: %s:%lu: %s: ", row->file, row->line, field);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

/* Checks a row (columns: school_urn, term, upn, action, owner, due, status, note) into *a. */
static bool action_check(action_import *st, const csvread_row *row, action_row *a)
{
	static const struct {
		int col;
		const char *name;
		size_t max;
		bool required;
	} texts[] = {{3, "action", 500, true}, {4, "owner", 120, false}, {7, "note", 500, false}};
	const char *f[8];
	char why[160];
	validate_error e;
	int ay;
	measures_term_name name;
	int32_t day;

	for (int i = 0; i < 8; i++)
		f[i] = row->field[i] ? row->field[i] : "";
	if (!result_has(st->schools, f[0], NULL))
		return action_bad(row, "school_urn", "'%.12s' is not a registered school", f[0]);
	if (measures_term_parse(f[1], strlen(f[1]), &ay, &name) < 0)
		return action_bad(row, "term", "'%.20s' is not a term like 2025-autumn", f[1]);
	if (f[2][0] && upn_check(f[2], strlen(f[2]), why, sizeof(why)) < 0)
		return action_bad(row, "upn", "not a UPN (%s)", why);
	if (f[2][0] && !result_has(st->pupils, f[0], f[2]))
		return action_bad(row, "upn", "%s is not a pupil of school %s", f[2], f[0]);
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (validate_text(texts[i].name, f[texts[i].col], texts[i].max, texts[i].required,
		                  &e) < 0)
			return action_bad(row, e.field, "%s", e.reason);
	if (f[5][0] && date_parse(f[5], strlen(f[5]), &day) < 0)
		return action_bad(row, "due", "'%.20s' is not a date (YYYY-MM-DD)", f[5]);
	if (strcmp(f[6], "open") && strcmp(f[6], "done") && strcmp(f[6], "dropped"))
		return action_bad(row, "status", "'%.20s' is not open, done or dropped", f[6]);
	snprintf(a->urn, sizeof(a->urn), "%s", f[0]);
	snprintf(a->term, sizeof(a->term), "%s", f[1]);
	snprintf(a->upn, sizeof(a->upn), "%s", f[2]);
	snprintf(a->due, sizeof(a->due), "%s", f[5]);
	snprintf(a->status, sizeof(a->status), "%s", f[6]);
	a->action = strdup(f[3]);
	a->owner = strdup(f[4]);
	a->note = strdup(f[7]);
	return true;
}

static int on_action_row(void *user, const csvread_row *row)
{
	action_import *st = user;
	action_row a = {0};

	if (!action_check(st, row, &a)) {
		st->imp.failed++;
		return 0;
	}
	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 64;
		action_row *v = realloc(st->rows, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		st->rows = v;
		st->cap = cap;
	}
	st->rows[st->n++] = a;
	return a.action && a.owner && a.note ? 0 : -ENOMEM;
}

/* Replaces, in one transaction, the actions of each meeting (school and term) the rows name. */
static int actions_store(ctx *c, const action_import *st, size_t *meetings)
{
	PGresult *res = exec(c, "BEGIN", 0, NULL);

	*meetings = 0;
	if (!res)
		return 1;
	PQclear(res);
	for (size_t i = 0; i < st->n; i++) {
		const action_row *a = &st->rows[i];
		size_t seq = 1;
		bool first = true;
		char s[16];
		const char *p[9] = {a->urn,
		                    a->term,
		                    s,
		                    a->upn,
		                    a->action,
		                    a->owner,
		                    a->due[0] ? a->due : NULL,
		                    a->status,
		                    a->note};

		for (size_t j = 0; j < i; j++) {
			if (strcmp(st->rows[j].urn, a->urn) || strcmp(st->rows[j].term, a->term))
				continue;
			first = false;
			seq++;
		}
		if (first) {
			(*meetings)++;
			res = exec(c, "DELETE FROM tsm_action WHERE school_urn = $1 AND term = $2",
			           2, p);
			if (!res)
				goto fail;
			PQclear(res);
		}
		snprintf(s, sizeof(s), "%zu", seq);
		res = exec(c,
		           "INSERT INTO tsm_action (school_urn, term, seq, upn, action, owner, due,"
		           " status, note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		           9, p);
		if (!res)
			goto fail;
		PQclear(res);
	}
	res = exec(c, "COMMIT", 0, NULL);
	if (!res)
		goto fail;
	PQclear(res);
	return 0;
fail:
	PQclear(PQexec(c->conn, "ROLLBACK"));
	return 1;
}

/* rollcall tsm actions import FILE: every row checked first; nothing is stored unless all are
 * good. */
static int tsm_actions_import(ctx *c, const char *path)
{
	static const csvread_column cols[] = {
	        {"school_urn", true}, {"term", true}, {"upn", false},   {"action", true},
	        {"owner", false},     {"due", false}, {"status", true}, {"note", false}};
	action_import st = {0};
	char err[512];
	size_t meetings = 0;
	int rc = 1;

	if (connect_db(c, CONFIG_DB_OWNER))
		return 1;
	st.schools = exec(c, "SELECT school_urn::text FROM school", 0, NULL);
	st.pupils = st.schools ? exec(c, "SELECT school_urn::text, upn FROM pupil", 0, NULL) : NULL;
	if (!st.schools || !st.pupils)
		goto out;
	if (csvread_file(path, cols, 8, on_action_row, on_problem, &st, err, sizeof(err)) < 0) {
		die("%s", err[0] ? err : "out of memory");
		goto out;
	}
	if (st.imp.failed) {
		die("%s: nothing imported (fix the rows above)", path);
		goto out;
	}
	if (!st.n) {
		die("%s: nothing imported (no rows)", path);
		goto out;
	}
	if (actions_store(c, &st, &meetings))
		goto out;
	printf("%zu actions of %zu meeting%s imported from %s\n", st.n, meetings,
	       meetings == 1 ? "" : "s", path);
	rc = 0;
out:
	for (size_t i = 0; i < st.n; i++) {
		free(st.rows[i].action);
		free(st.rows[i].owner);
		free(st.rows[i].note);
	}
	free(st.rows);
	PQclear(st.schools);
	PQclear(st.pupils);
	return rc;
}

int cmd_tsm(ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {
	        {"school", required_argument, NULL, 's'},  {"all", no_argument, NULL, 'a'},
	        {"term", required_argument, NULL, 't'},    {"no-wait", no_argument, NULL, 'n'},
	        {"timeout", required_argument, NULL, 'T'}, {NULL, 0, NULL, 0}};
	const char *school = NULL, *term = NULL;
	int all = 0, nowait = 0, timeout = 1800, o, ay, rc;
	measures_term_name name;
	char args[64] = "";
	int64_t *ids = NULL;
	size_t n = 0;

	if (argc >= 2 && !strcmp(argv[1], "actions")) {
		if (argc != 4 || strcmp(argv[2], "import"))
			return usage(stderr);
		return tsm_actions_import(c, argv[3]);
	}
	optind = 1;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
			school = optarg;
			break;
		case 'a':
			all = 1;
			break;
		case 't':
			term = optarg;
			break;
		case 'n':
			nowait = 1;
			break;
		case 'T':
			timeout = atoi(optarg);
			break;
		default:
			return usage(stderr);
		}
	}
	if (optind != argc || !school == !all)
		return die("tsm needs --school URN or --all (see rollcall --help)");
	if (school && (strlen(school) != 6 || strspn(school, "0123456789") != 6))
		return die("--school: '%.12s' is not a URN (6 digits)", school);
	if (term) {
		if (measures_term_parse(term, strlen(term), &ay, &name) < 0)
			return die("--term: '%.20s' is not a term like 2025-autumn", term);
		snprintf(args, sizeof(args), "term=%s", term);
	}
	if (queue_connect(c, timeout, nowait))
		return 1;
	rc = tsm_queue(c, school, args, &ids, &n);
	if (n == 0) {
		free(ids);
		return rc ? rc : die("no schools registered");
	}
	if (nowait) {
		printf("%zu TSM pack job%s queued\n", n, n == 1 ? "" : "s");
	} else {
		int w = tsm_wait(c, ids, n, timeout);

		rc = rc || w;
	}
	free(ids);
	return rc;
}

/* A percentage with at most two decimals ("5", "4.5", "12.25") as basis points, 0..10000. */
static int parse_bp(const char *s, uint32_t *bp)
{
	unsigned whole = 0, frac = 0, digits = 0;
	const char *p = s;

	if (!*p)
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		whole = whole * 10 + (unsigned)(*p - '0');
		if (whole > 100)
			return -EINVAL;
	}
	if (p == s)
		return -EINVAL;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9' && digits < 2; p++, digits++)
			frac = frac * 10 + (unsigned)(*p - '0');
		if (digits == 0)
			return -EINVAL;
		if (digits == 1)
			frac *= 10;
	}
	if (*p || whole * 100 + frac > 10000)
		return -EINVAL;
	*bp = whole * 100 + frac;
	return 0;
}

/* rollcall boundaries show: the rows set and who each LA's schools follow. */
static int boundaries_show(ctx *c)
{
	measures_config d;
	PGresult *res;

	measures_config_init(&d);
	if (connect_db(c, CONFIG_DB_REPORTING))
		return 1;
	res = exec(c,
	           "SELECT 'la ' || l.la_code, l.name, s.expected_max_bp, s.pa_from_bp,"
	           " s.pa_max_bp, s.sa_from_bp, s.falling_bp, to_char(s.updated_at, 'YYYY-MM-DD')"
	           " FROM attendance_setting s JOIN la l USING (la_code)"
	           " UNION ALL SELECT 'trust', '', expected_max_bp, pa_from_bp, pa_max_bp,"
	           " sa_from_bp, falling_bp, to_char(updated_at, 'YYYY-MM-DD')"
	           " FROM attendance_setting WHERE la_code IS NULL ORDER BY 1 DESC",
	           0, NULL);
	if (!res)
		return 1;
	printf("%-8s %-22s %9s %8s %7s %8s %8s  %s\n", "SCOPE", "NAME", "EXPECTED", "PA FROM",
	       "PA TO", "SA FROM", "FALLING", "SET ON");
	printf("%-8s %-22s %8u%% %7u%% %6u%% %7u%% %5u.%02u  %s\n", "default", "",
	       d.category_bp[0] / 100, d.category_bp[1] / 100, d.category_bp[2] / 100,
	       d.category_bp[3] / 100, MEASURES_FALLING_BP / 100, MEASURES_FALLING_BP % 100,
	       "(built in)");
	for (int i = 0; i < PQntuples(res); i++) {
		unsigned v[5];

		for (int k = 0; k < 5; k++)
			v[k] = (unsigned)atoi(PQgetvalue(res, i, 2 + k));
		printf("%-8s %-22.22s %5u.%02u%% %4u.%02u%% %3u.%02u%% %4u.%02u%% %5u.%02u  %s\n",
		       PQgetvalue(res, i, 0), PQgetvalue(res, i, 1), v[0] / 100, v[0] % 100,
		       v[1] / 100, v[1] % 100, v[2] / 100, v[2] % 100, v[3] / 100, v[3] % 100,
		       v[4] / 100, v[4] % 100, PQgetvalue(res, i, 7));
	}
	PQclear(res);
	printf("An LA's row holds for the schools in it, the trust's for the others, else the "
	       "defaults.\nPA and SA flags stay at 10%% and 50%%; falling is in percentage "
	       "points.\n");
	return 0;
}

/* rollcall boundaries set|reset: the owner's, checked with measures_config_check. */
int cmd_boundaries(ctx *c, int argc, char **argv)
{
	static const struct option opts[] = {{"la", required_argument, NULL, 'l'},
	                                     {"edges", required_argument, NULL, 'e'},
	                                     {"falling", required_argument, NULL, 'f'},
	                                     {NULL, 0, NULL, 0}};
	const char *la = NULL, *edges = NULL, *falling = NULL;
	measures_config cfg;
	uint32_t falling_bp = MEASURES_FALLING_BP;
	char e[4][11], f[11], why[200];
	const char *p[8];
	PGresult *res;
	int o;

	if (argc < 2)
		return usage(stderr);
	if (!strcmp(argv[1], "show"))
		return argc == 2 ? boundaries_show(c) : usage(stderr);
	if (strcmp(argv[1], "set") && strcmp(argv[1], "reset"))
		return usage(stderr);
	optind = 2;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'l':
			la = optarg;
			break;
		case 'e':
			edges = optarg;
			break;
		case 'f':
			falling = optarg;
			break;
		default:
			return usage(stderr);
		}
	}
	if (optind != argc)
		return usage(stderr);
	if (la && (strlen(la) != 3 || strspn(la, "0123456789") != 3))
		return die("--la: '%.12s' is not an LA code (3 digits)", la);
	if (connect_db(c, CONFIG_DB_OWNER))
		return 1;
	p[0] = la;
	if (!strcmp(argv[1], "reset")) {
		if (edges || falling)
			return die("boundaries reset takes only --la");
		res = exec(c,
		           "DELETE FROM attendance_setting WHERE la_code IS NOT DISTINCT FROM $1",
		           1, p);
		if (!res)
			return 1;
		printf("boundaries of %s%s: %s\n", la ? "LA " : "the trust", la ? la : "",
		       atoi(PQcmdTuples(res)) ? "removed (the trust's or the defaults hold)"
		                              : "none were set");
		PQclear(res);
		return 0;
	}
	if (!edges && !falling)
		return die("boundaries set needs --edges E,P,Q,S and/or --falling PP");
	measures_config_init(&cfg);
	if (edges) {
		char buf[64], *tok, *save = NULL;
		int k = 0;

		snprintf(buf, sizeof(buf), "%s", edges);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), k++)
			if (k >= 4 || parse_bp(tok, &cfg.category_bp[k]) < 0)
				return die(
				        "--edges: give four percentages with up to two decimals, "
				        "like 5,10,20,50 (got '%.40s')",
				        edges);
		if (k != 4)
			return die("--edges: give four percentages, like 5,10,20,50 (got '%.40s')",
			           edges);
		if (measures_config_check(&cfg, why, sizeof(why)) < 0)
			return die("--edges: %s (expected up to E; at risk of PA under P; PA up to "
			           "Q; SA "
			           "from S: E < P < Q < S <= 100)",
			           why);
	}
	if (falling && parse_bp(falling, &falling_bp) < 0)
		return die("--falling: '%.20s' is not percentage points like 2.0 (0 to 100)",
		           falling);
	if (la) {
		res = exec(c, "SELECT 1 FROM la WHERE la_code = $1", 1, p);
		if (!res)
			return 1;
		if (PQntuples(res) == 0) {
			PQclear(res);
			return die("--la: no local authority %s (register its schools first)", la);
		}
		PQclear(res);
	}
	for (int k = 0; k < 4; k++)
		snprintf(e[k], sizeof(e[k]), "%u", cfg.category_bp[k]);
	snprintf(f, sizeof(f), "%u", falling_bp);
	p[1] = e[0];
	p[2] = e[1];
	p[3] = e[2];
	p[4] = e[3];
	p[5] = f;
	p[6] = edges ? "t" : "f";
	p[7] = falling ? "t" : "f";
	/* A new row takes the defaults for what is not given; an existing one keeps its own. */
	res = exec(
	        c,
	        "INSERT INTO attendance_setting (la_code, expected_max_bp, pa_from_bp, pa_max_bp,"
	        " sa_from_bp, falling_bp) VALUES ($1, $2, $3, $4, $5, $6)"
	        " ON CONFLICT ((coalesce(la_code, 0))) DO UPDATE SET"
	        " expected_max_bp = CASE WHEN $7 THEN excluded.expected_max_bp"
	        "  ELSE attendance_setting.expected_max_bp END,"
	        " pa_from_bp = CASE WHEN $7 THEN excluded.pa_from_bp"
	        "  ELSE attendance_setting.pa_from_bp END,"
	        " pa_max_bp = CASE WHEN $7 THEN excluded.pa_max_bp"
	        "  ELSE attendance_setting.pa_max_bp END,"
	        " sa_from_bp = CASE WHEN $7 THEN excluded.sa_from_bp"
	        "  ELSE attendance_setting.sa_from_bp END,"
	        " falling_bp = CASE WHEN $8 THEN excluded.falling_bp"
	        "  ELSE attendance_setting.falling_bp END,"
	        " updated_at = now()",
	        8, p);
	if (!res)
		return 1;
	PQclear(res);
	printf("boundaries of %s%s set; reports from the next job on use them\n",
	       la ? "LA " : "the trust", la ? la : "");
	return 0;
}
