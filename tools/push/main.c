/* rollcall-push: reads a school's register export (CSV folder or CTF), spools it as batches and
 * sends them to rollcalld, forgetting nothing until the daemon has acknowledged it.
 * Startup: args, config, export, school, keys, spool lock, resume earlier runs, read, summary. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "batcher.h"
#include "export.h"
#include "rollcall/config.h"
#include "rollcall/date.h"
#include "rollcall/keyfile.h"
#include "rollcall/wire.h"
#include "sender.h"
#include "spool.h"

#define DEFAULT_CONFIG  "/etc/rollcall/rollcall.conf"
#define DEFAULT_GIVE_UP 600
#define RUNS_KEPT       8 /* finished run folders kept for their acks.log */

enum {
	EXIT_OK = 0,
	EXIT_REJECTED = 1,
	EXIT_USAGE = 2,
	EXIT_EXPORT = 3,
	EXIT_REFUSED = 4,
	EXIT_KEY = 5,
	EXIT_LEFT = 75,
};

typedef struct push_args {
	const char *config, *school, *endpoint, *server_key, *key_file, *spool_dir, *export_path;
	long window, batch_marks, give_up; /* -1: not given */
	int progress;                      /* -1: when stderr is a terminal; 0: never; 1: always */
	bool quiet;
	int32_t exported_on; /* --exported-on (day number), or -1 */
} push_args;

/* What the reader's sink needs. */
typedef struct push_ctx {
	batcher *b;
	sender *s;
	spool_run *run;
	const export_info *info;
	const char *ctf_name; /* the CTF's base name; NULL for a CSV folder */
	int32_t exported_on;  /* --exported-on, or -1: the export's own date */
	bool header_set;
	uint64_t local_rejects;
	int spool_error; /* a batch could not be spooled (negative errno) */
	char spool_err[512];
} push_ctx;

static void usage(FILE *f)
{
	fputs("Usage: rollcall-push [-c CONFIG] [--school URN] [--endpoint E] [--server-key Z85]\n"
	      "                     [--key FILE] [--spool DIR] [--window N] [--batch-marks N]\n"
	      "                     [--give-up SECONDS] [--exported-on DATE]\n"
	      "                     [--progress|--quiet] EXPORT\n"
	      "Sends a school's register export to rollcalld over ZeroMQ (CURVE). Every batch\n"
	      "is written to the spool first and stays there until the daemon has\n"
	      "acknowledged it, so nothing is lost when the daemon or the network is down.\n"
	      "\n"
	      "EXPORT is a folder holding a register export (pupils.csv, marks.csv, and\n"
	      "optionally calendar.csv and contacts.csv) or a Common Transfer File (CTF XML).\n"
	      "\n"
	      "  -c, --config FILE      configuration file (default " DEFAULT_CONFIG "\n"
	      "                         when it exists); ROLLCALL_PUSH_<KEY> environment\n"
	      "                         variables override it, the options below both\n"
	      "      --school URN       the school (6 digits); required for a CSV folder; for\n"
	      "                         a CTF the header's SourceSchool URN is used and, if\n"
	      "                         both are given, they must be the same\n"
	      "      --endpoint E       the daemon's ZeroMQ endpoint ([push] endpoint)\n"
	      "      --server-key Z85   the daemon's CURVE public key ([push] server_public_key)\n"
	      "      --key FILE         this client's CURVE key file ([push] client_key_file)\n"
	      "      --spool DIR        spool folder ([push] spool_dir); batches wait in\n"
	      "                         DIR/URN/\n"
	      "      --window N         batches in flight, 1..1024 ([push] window, default 16)\n"
	      "      --batch-marks N    marks per batch, 100..50000 ([push] batch_marks,\n"
	      "                         default 5000)\n"
	      "      --give-up SECONDS  stop sending when no acknowledgement has come for this\n"
	      "                         long while batches wait for one (default 600; 0:\n"
	      "                         never); the export is still read to the end, and what\n"
	      "                         was not acknowledged stays in the spool for the next\n"
	      "                         run\n"
	      "      --exported-on DATE the day (YYYY-MM-DD, not after today) from which the\n"
	      "                         export's changed pupil details hold; by default the\n"
	      "                         newest file's modification day (a CTF: its header's\n"
	      "                         date), so a copied folder would re-date every change\n"
	      "      --progress         show a progress line on stderr even when it is not a\n"
	      "                         terminal (by default only on a terminal)\n"
	      "  -q, --quiet            no progress line and no notes; rejected rows,\n"
	      "                         warnings, errors and the summary are still printed\n"
	      "  -h, --help             show this help\n"
	      "\n"
	      "Only one rollcall-push runs per school at a time (the spool is locked). A run\n"
	      "first resends what earlier runs left in the spool, oldest first. An export that\n"
	      "an earlier run read completely and that has not changed since (same file sizes\n"
	      "and modification times) is not read again; one whose reading was interrupted\n"
	      "is read again, and a torn batch file left by the interrupted run is deleted.\n"
	      "Calendar sessions and pupils are sent first, then contacts, then marks, each\n"
	      "only once everything before it is acknowledged. Resending is always safe: the\n"
	      "daemon recognises a batch it has already stored.\n"
	      "\n"
	      "Rejected rows are printed on stderr as \"file:line: field: reason\", warnings as\n"
	      "\"file:line: warning: message\"; the summary goes to stdout.\n"
	      "\n"
	      "Exit status (when several apply, the first in this order: 5, 75, 3, 4, 1):\n"
	      "  0   everything was stored and nothing was rejected\n"
	      "  1   some rows were rejected (here or by the daemon); the rest was stored\n"
	      "  2   usage or configuration error, or another rollcall-push is running for\n"
	      "      the school\n"
	      "  3   the export could not be read (what was read before the error is sent)\n"
	      "  4   the daemon refused a batch (kept in the spool as .refused, not sent\n"
	      "      again), or a batch file of a completely read run no longer decodes\n"
	      "      (kept as .corrupt)\n"
	      "  5   the daemon refused this client's key at the handshake (the spool is\n"
	      "      kept)\n"
	      "  75  stopped with batches left in the spool (no acknowledgement for\n"
	      "      --give-up seconds, or the spool could not be written or read); the next\n"
	      "      run sends them\n",
	      f);
}

static int fail_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("rollcall-push: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'rollcall-push --help'.\n", stderr);
	return EXIT_USAGE;
}

static int number(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static int parse_args(int argc, char **argv, push_args *a)
{
	enum {
		O_SCHOOL = 256,
		O_ENDPOINT,
		O_SERVER_KEY,
		O_KEY,
		O_SPOOL,
		O_WINDOW,
		O_MARKS,
		O_GIVE_UP,
		O_PROGRESS,
		O_EXPORTED_ON
	};
	static const struct option opts[] = {
	        {"config", required_argument, NULL, 'c'},
	        {"school", required_argument, NULL, O_SCHOOL},
	        {"endpoint", required_argument, NULL, O_ENDPOINT},
	        {"server-key", required_argument, NULL, O_SERVER_KEY},
	        {"key", required_argument, NULL, O_KEY},
	        {"spool", required_argument, NULL, O_SPOOL},
	        {"window", required_argument, NULL, O_WINDOW},
	        {"batch-marks", required_argument, NULL, O_MARKS},
	        {"give-up", required_argument, NULL, O_GIVE_UP},
	        {"progress", no_argument, NULL, O_PROGRESS},
	        {"exported-on", required_argument, NULL, O_EXPORTED_ON},
	        {"quiet", no_argument, NULL, 'q'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0}};
	int c;

	memset(a, 0, sizeof(*a));
	a->window = a->batch_marks = a->give_up = -1;
	a->progress = -1;
	a->exported_on = -1;
	while ((c = getopt_long(argc, argv, "c:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			a->config = optarg;
			break;
		case O_SCHOOL:
			a->school = optarg;
			break;
		case O_ENDPOINT:
			a->endpoint = optarg;
			break;
		case O_SERVER_KEY:
			a->server_key = optarg;
			break;
		case O_KEY:
			a->key_file = optarg;
			break;
		case O_SPOOL:
			a->spool_dir = optarg;
			break;
		case O_WINDOW:
			if (number(optarg, 1, 1024, &a->window) < 0)
				return fail_usage("--window: '%s' is not a number 1..1024", optarg);
			break;
		case O_MARKS:
			if (number(optarg, 100, 50000, &a->batch_marks) < 0)
				return fail_usage("--batch-marks: '%s' is not a number 100..50000",
				                  optarg);
			break;
		case O_GIVE_UP:
			if (number(optarg, 0, 30L * 86400, &a->give_up) < 0)
				return fail_usage(
				        "--give-up: '%s' is not a number of seconds 0..2592000",
				        optarg);
			break;
		case O_EXPORTED_ON:
			if (date_parse(optarg, strlen(optarg), &a->exported_on) != 0 ||
			    a->exported_on > (int32_t)(time(NULL) / 86400) || a->exported_on < 0)
				return fail_usage("--exported-on: '%s' is not a date YYYY-MM-DD "
				                  "between 1970 and today",
				                  optarg);
			break;
		case O_PROGRESS:
			if (a->quiet)
				return fail_usage("--progress and --quiet exclude each other");
			a->progress = 1;
			break;
		case 'q':
			if (a->progress == 1)
				return fail_usage("--progress and --quiet exclude each other");
			a->quiet = true;
			a->progress = 0;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		default:
			fputs("Try 'rollcall-push --help'.\n", stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return fail_usage(optind == argc ? "EXPORT is missing"
		                                 : "only one EXPORT at a time");
	a->export_path = argv[optind];
	return 0;
}

/* Replaces a config string with an option's value. */
static int override(char **slot, const char *value)
{
	char *copy;

	if (!value)
		return 0;
	copy = strdup(value);
	if (!copy)
		return -ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

static int parse_urn(const char *s, uint32_t *urn)
{
	long v;

	if (strlen(s) != 6 || strspn(s, "0123456789") != 6 || number(s, 100000, 999999, &v) < 0)
		return -EINVAL;
	*urn = (uint32_t)v;
	return 0;
}

/* ---- the reader's sink -------------------------------------------------------------------- */

/* The day from which the export's changed values hold: --exported-on, else its own date. */
static int32_t export_day(const push_ctx *c)
{
	return c->exported_on >= 0 ? c->exported_on : c->info->exported_on;
}

static int item_start(push_ctx *c)
{
	if (!c->header_set) {
		batcher_set_exported_on(c->b, export_day(c));
		c->header_set = true;
	}
	return sender_failed(c->s) ? -ECANCELED : 0;
}

static int on_pupil(void *user, const Rollcall__Pupil *p)
{
	push_ctx *c = user;
	int rc = item_start(c);

	return rc < 0 ? rc : batcher_pupil(c->b, p);
}

static int on_contact(void *user, const Rollcall__Contact *k)
{
	push_ctx *c = user;
	int rc = item_start(c);

	return rc < 0 ? rc : batcher_contact(c->b, k);
}

static int on_mark(void *user, const Rollcall__Mark *m)
{
	push_ctx *c = user;
	int rc = item_start(c);

	return rc < 0 ? rc : batcher_mark(c->b, m);
}

static int on_session(void *user, const Rollcall__CalendarSession *s)
{
	push_ctx *c = user;
	int rc = item_start(c);

	return rc < 0 ? rc : batcher_session(c->b, s);
}

static void on_reject(void *user, const char *file, unsigned long line, const char *field,
                      const char *reason)
{
	push_ctx *c = user;

	c->local_rejects++;
	sender_print_reject(c->s, file, line, field, reason, true);
}

static void on_warn(void *user, const char *file, unsigned long line, const char *message)
{
	push_ctx *c = user;

	if (line)
		sender_say(c->s, "%s:%lu: warning: %s", file, line, message);
	else
		sender_say(c->s, "%s: warning: %s", file, message);
}

/* A finished batch: into the spool with one write, then to the sender (with its buffer when
 * the sender can keep it, so it is not read back). */
static int on_batch(void *user, batcher_batch *bb)
{
	push_ctx *c = user;
	sender_batch sb = {.phase = bb->phase, .seq = bb->seq, .n = bb->n, .verified = true};
	int rc;

	rc = spool_batch_write(c->run, bb->phase, bb->seq, bb->buf + bb->off, bb->len, c->spool_err,
	                       sizeof(c->spool_err));
	if (rc < 0) {
		c->spool_error = rc;
		return rc;
	}
	if (sender_can_hold(c->s, bb->len)) {
		sb.buf = bb->buf;
		sb.off = bb->off;
		sb.len = bb->len;
		bb->buf = NULL; /* the sender's now */
	}
	return sender_submit(c->s, c->run, &sb);
}

static void on_batcher_reject(void *user, Rollcall__ItemKind kind, uint32_t line, const char *field,
                              const char *reason)
{
	push_ctx *c = user;

	on_reject(c, c->ctf_name ? c->ctf_name : wire_kind_file(kind), line, field, reason);
}

static void on_phase0_closed(void *user, uint32_t tier0, uint32_t tier1)
{
	push_ctx *c = user;

	if (sender_phase_done(c->s, c->run, 0) < 0) {
		/* Out of memory for a message: phase 0 then closes with the run, when reading
		 * ends, and marks wait until then. */
	}
}

/* The peek's sink: the first item ends the reading (the header has been read by then). */
static int peek_pupil(void *user, const Rollcall__Pupil *p)
{
	return -ECANCELED;
}

static int peek_contact(void *user, const Rollcall__Contact *c)
{
	return -ECANCELED;
}

static int peek_mark(void *user, const Rollcall__Mark *m)
{
	return -ECANCELED;
}

static int peek_session(void *user, const Rollcall__CalendarSession *s)
{
	return -ECANCELED;
}

/* The school a CTF says it comes from (0 when its header has none). Returns 0, or the reader's
 * error. The whole file is parsed, but reading stops at the first item. */
static int ctf_school(const char *path, uint32_t *urn, char *err, size_t errlen)
{
	export_sink sink = {.pupil = peek_pupil,
	                    .contact = peek_contact,
	                    .mark = peek_mark,
	                    .session = peek_session};
	export_info info = {0};
	int rc = export_read_ctf(path, &sink, &info, err, errlen);

	if (rc < 0 && rc != -ECANCELED)
		return rc;
	*urn = info.school_urn;
	return 0;
}

/* ---- earlier runs ------------------------------------------------------------------------- */

/* Hands every pending batch of the earlier runs to the sender, oldest run first, counting them
 * in *count, and finds the run (if any) that already read this export completely (*same).
 * Returns 0 or a negative errno with the reason in err. */
static int resume_runs(sender *s, spool_run **runs, size_t nruns, const spool_manifest *now,
                       spool_run **same, size_t *count, char *err, size_t errlen)
{
	*same = NULL;
	*count = 0;
	for (size_t i = 0; i < nruns; i++) {
		spool_run *r = runs[i];
		spool_file *files = NULL;
		size_t n = 0;
		int rc;

		/* A run counts as this export sent only when nothing of it was refused: an export
		 * with a refused batch is read again, never taken for delivered. */
		if (r->has_manifest && r->m.complete &&
		    !strcmp(r->m.export_path, now->export_path) &&
		    !strcmp(r->m.signature, now->signature) && !spool_run_has_set_aside(r))
			*same = r;
		rc = spool_run_pending(r, &files, &n, err, errlen);
		if (rc < 0)
			return rc;
		if (n)
			rc = sender_add_run(s, r);
		for (size_t k = 0; rc == 0 && k < n; k++) {
			sender_batch b = {.phase = files[k].phase, .seq = files[k].seq};

			rc = sender_submit(s, r, &b);
		}
		if (rc == 0 && n)
			rc = sender_phase_done(s, r, 1);
		free(files);
		if (rc < 0) {
			snprintf(err, errlen, "out of memory");
			return rc;
		}
		*count += n;
	}
	return 0;
}

/* ---- reading this run's export ------------------------------------------------------------ */

/* Reads the export into a new run. Returns 0, -ECANCELED when the sender stopped the reader,
 * -EIO when the spool could not be written (reason in ctx), or the reader's error (in err). */
static int read_export(const rc_config *cfg, uint32_t urn, bool is_dir, push_ctx *ctx,
                       spool_run *run, char *err, size_t errlen)
{
	export_info info = {0};
	export_sink sink = {.user = ctx,
	                    .pupil = on_pupil,
	                    .contact = on_contact,
	                    .mark = on_mark,
	                    .session = on_session,
	                    .reject = on_reject,
	                    .warn = on_warn};
	batcher_opts bo = {.run_name = run->name,
	                   .school_urn = urn,
	                   .source = is_dir ? "csv" : "ctf",
	                   .ordered = is_dir,
	                   .limits = {.marks = (uint32_t)cfg->batch_marks},
	                   .cb = {.user = ctx,
	                          .emit = on_batch,
	                          .reject = on_batcher_reject,
	                          .phase0_closed = on_phase0_closed}};
	export_checker check;
	int rc, frc;

	ctx->run = run;
	ctx->info = &info;
	/* Every item meets the daemon's item rules before it is batched. */
	export_checker_init(&check, &sink, (int32_t)(time(NULL) / 86400), ctx->ctf_name);
	ctx->b = batcher_new(&bo);
	if (!ctx->b) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (is_dir)
		rc = export_read_csv_dir(run->m.export_path, &check.sink, &info, err, errlen);
	else
		rc = export_read_ctf(run->m.export_path, &check.sink, &info, err, errlen);
	if (!sender_failed(ctx->s) && !ctx->spool_error) {
		/* What was read before an error is good: it is sent too. */
		if (!ctx->header_set)
			batcher_set_exported_on(ctx->b, export_day(ctx));
		frc = batcher_finish(ctx->b);
		if (rc == 0)
			rc = frc;
	}
	if (ctx->spool_error)
		rc = -EIO;
	else if (sender_failed(ctx->s))
		rc = -ECANCELED;
	if (rc == 0) {
		rc = spool_run_finish(run, ctx->spool_err, sizeof(ctx->spool_err));
		if (rc < 0) {
			ctx->spool_error = rc;
			rc = -EIO;
		}
	}
	if (sender_phase_done(ctx->s, run, 1) < 0 && rc == 0)
		rc = -ENOMEM;
	batcher_destroy(&ctx->b);
	return rc;
}

/* ---- main --------------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	push_args a;
	rc_config cfg;
	bool cfg_loaded = false, is_dir, progress, read_failed = false, spool_failed = false;
	char err[1024], export_abs[PATH_MAX];
	uint32_t urn = 0, ctf_urn = 0;
	keypair kp;
	spool *sp = NULL;
	spool_run **runs = NULL, *same = NULL, *run = NULL;
	size_t nruns = 0, resumed = 0, left;
	sender *s = NULL;
	sender_opts so;
	sender_result res = {0};
	spool_manifest man;
	push_ctx ctx = {0};
	struct stat st;
	const char *cfg_path;
	int rc, status = EXIT_USAGE;

	memset(&kp, 0, sizeof(kp));
	rc = parse_args(argc, argv, &a);
	if (rc != 0)
		return rc;

	/* Configuration: file (or defaults), environment, then options. */
	cfg_path =
	        a.config ? a.config : (access(DEFAULT_CONFIG, F_OK) == 0 ? DEFAULT_CONFIG : NULL);
	if (config_load(&cfg, cfg_path, err, sizeof(err)) < 0) {
		fprintf(stderr, "rollcall-push: %s\n", err);
		goto out;
	}
	cfg_loaded = true;
	if (override(&cfg.endpoint, a.endpoint) < 0 ||
	    override(&cfg.server_public_key, a.server_key) < 0 ||
	    override(&cfg.client_key_file, a.key_file) < 0 ||
	    override(&cfg.spool_dir, a.spool_dir) < 0) {
		fprintf(stderr, "rollcall-push: out of memory\n");
		goto out;
	}
	if (a.window > 0)
		cfg.window = (int)a.window;
	if (a.batch_marks > 0)
		cfg.batch_marks = (int)a.batch_marks;
	if (a.give_up < 0)
		a.give_up = DEFAULT_GIVE_UP;
	if (!keyfile_valid_z85(cfg.server_public_key)) {
		fprintf(stderr, "rollcall-push: %s\n",
		        cfg.server_public_key[0]
		                ? "the server public key is not a 40-character Z85 key"
		                : "no server public key: set [push] server_public_key or give "
		                  "--server-key");
		goto out;
	}
	if (!cfg.client_key_file[0]) {
		fprintf(stderr, "rollcall-push: no client key file: set [push] client_key_file or "
		                "give --key\n");
		goto out;
	}
	if (cfg.batch_marks > WIRE_MAX_MARKS)
		cfg.batch_marks = WIRE_MAX_MARKS;

	/* The export and the school it belongs to. */
	if (!realpath(a.export_path, export_abs) || stat(export_abs, &st) < 0) {
		fprintf(stderr, "rollcall-push: cannot read the export %s (%s)\n", a.export_path,
		        strerror(errno));
		status = EXIT_EXPORT;
		goto out;
	}
	is_dir = S_ISDIR(st.st_mode);
	if (!is_dir && !S_ISREG(st.st_mode)) {
		fprintf(stderr, "rollcall-push: the export %s is neither a folder nor a file\n",
		        a.export_path);
		status = EXIT_EXPORT;
		goto out;
	}
	if (a.school && parse_urn(a.school, &urn) < 0) {
		fail_usage("--school: '%s' is not a school URN (6 digits)", a.school);
		goto out;
	}
	if (!is_dir) {
		if (ctf_school(export_abs, &ctf_urn, err, sizeof(err)) < 0) {
			fprintf(stderr, "rollcall-push: cannot read the export: %s\n", err);
			status = EXIT_EXPORT;
			goto out;
		}
		if (urn && ctf_urn && urn != ctf_urn) {
			fprintf(stderr,
			        "rollcall-push: --school %06u does not match the CTF, which is "
			        "from "
			        "school %06u\n",
			        urn, ctf_urn);
			goto out;
		}
		if (!urn)
			urn = ctf_urn;
	}
	if (!urn) {
		fail_usage(is_dir ? "--school is required: a CSV export does not say which school "
		                    "it is from"
		                  : "--school is required: the CTF header has no SourceSchool URN");
		goto out;
	}
	if (keyfile_read(cfg.client_key_file, &kp, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "rollcall-push: client key: %s\n", err);
		goto out;
	}

	/* The spool, locked for this school. */
	rc = spool_open(cfg.spool_dir, urn, &sp, err, sizeof(err));
	if (rc == -EWOULDBLOCK) {
		fprintf(stderr, "rollcall-push: another rollcall-push is running for school %06u\n",
		        urn);
		goto out;
	} else if (rc < 0) {
		fprintf(stderr, "rollcall-push: %s\n", err);
		goto out;
	}
	memset(&man, 0, sizeof(man));
	snprintf(man.export_path, sizeof(man.export_path), "%s", export_abs);
	if (is_dir) {
		snprintf(man.source, sizeof(man.source), "csv");
	} else {
		const char *base = strrchr(export_abs, '/');
		/* A file name is at most 255 bytes: it fits. */
		snprintf(man.source, sizeof(man.source), "ctf:%.*s", (int)(sizeof(man.source) - 5),
		         base ? base + 1 : export_abs);
		ctx.ctf_name = man.source + 4;
	}
	if (spool_signature(export_abs, is_dir, man.signature, sizeof(man.signature), err,
	                    sizeof(err)) < 0) {
		fprintf(stderr, "rollcall-push: %s\n", err);
		status = EXIT_EXPORT;
		goto out;
	}
	ctx.exported_on = a.exported_on;
	if (a.exported_on >= 0) {
		/* Another date is another export: the same files re-dated are read again. */
		size_t len = strlen(man.signature);
		char day[11];

		snprintf(man.signature + len, sizeof(man.signature) - len, " exported-on=%s",
		         date_format(a.exported_on, day));
	}

	/* The sender, then what earlier runs left. */
	progress = a.progress == 1 || (a.progress < 0 && isatty(STDERR_FILENO));
	so = (sender_opts){.endpoint = cfg.endpoint,
	                   .server_key = cfg.server_public_key,
	                   .public_key = kp.public_key,
	                   .secret_key = kp.secret_key,
	                   .window = cfg.window,
	                   .ack_timeout_ms = cfg.ack_timeout_ms,
	                   .give_up_s = (int)a.give_up,
	                   .progress = progress};
	if (sender_new(&so, &s, err, sizeof(err)) < 0) {
		fprintf(stderr, "rollcall-push: %s\n", err);
		goto out;
	}
	ctx.s = s;
	if (spool_runs(sp, &runs, &nruns, err, sizeof(err)) < 0 ||
	    resume_runs(s, runs, nruns, &man, &same, &resumed, err, sizeof(err)) < 0) {
		fprintf(stderr, "rollcall-push: %s\n", err);
		status = EXIT_LEFT;
		goto out;
	}
	if (resumed && !a.quiet)
		sender_say(s, "rollcall-push: resuming %zu batches left by an earlier run",
		           resumed);

	/* This run's export, unless an earlier run read it all and it has not changed. */
	if (same) {
		if (!a.quiet)
			sender_say(
			        s,
			        "rollcall-push: %s was read completely by %s and has not changed "
			        "since; not reading it again",
			        a.export_path, same->name);
	} else {
		if (spool_run_create(sp, &man, &run, err, sizeof(err)) < 0 ||
		    sender_add_run(s, run) < 0) {
			fprintf(stderr, "rollcall-push: %s\n", err);
			status = EXIT_LEFT;
			goto out;
		}
		rc = read_export(&cfg, urn, is_dir, &ctx, run, err, sizeof(err));
		if (rc == -EIO) {
			sender_say(s, "rollcall-push: %s", ctx.spool_err);
			spool_failed = true;
		} else if (rc < 0 && rc != -ECANCELED) {
			sender_say(s, "rollcall-push: cannot read the export: %s", err);
			read_failed = true;
		}
	}
	if (sender_end(s) < 0) {
		fprintf(stderr, "rollcall-push: out of memory\n");
		status = EXIT_LEFT;
		goto out;
	}
	sender_wait(s, &res);
	sender_destroy(&s);

	spool_prune(sp, RUNS_KEPT, run ? run->name : NULL);
	left = spool_count_pending(sp);
	switch (res.outcome) {
	case SENDER_KEY_REFUSED:
	case SENDER_BROKEN:
		fprintf(stderr, "rollcall-push: %s; %zu batches stay in the spool\n", res.message,
		        left);
		break;
	case SENDER_GAVE_UP:
		fprintf(stderr,
		        "rollcall-push: %s; giving up with %zu batches left in the spool (the next "
		        "run sends them)\n",
		        res.message, left);
		break;
	default:
		break;
	}
	printf("school %06u: %" PRIu64 " pupils, %" PRIu64 " contacts, %" PRIu64 " marks (%" PRIu64
	       " new, %" PRIu64 " unchanged), %" PRIu64 " sessions; %" PRIu64
	       " rows rejected (%" PRIu64 " locally, %" PRIu64 " by the daemon); %" PRIu64
	       " batches refused; %zu left in spool\n",
	       urn, res.pupils, res.contacts, res.marks, res.marks_new, res.marks_unchanged,
	       res.sessions, ctx.local_rejects + res.rejected, ctx.local_rejects, res.rejected,
	       res.refused + res.corrupt, left);
	fflush(stdout);

	if (res.outcome == SENDER_KEY_REFUSED)
		status = EXIT_KEY;
	else if (res.outcome != SENDER_DONE || spool_failed)
		status = EXIT_LEFT;
	else if (read_failed)
		status = EXIT_EXPORT;
	else if (res.refused + res.corrupt)
		status = EXIT_REFUSED;
	else if (ctx.local_rejects + res.rejected)
		status = EXIT_REJECTED;
	else
		status = EXIT_OK;
out:
	sender_destroy(&s);
	spool_run_destroy(&run);
	spool_runs_free(&runs, nruns);
	spool_close(&sp);
	explicit_bzero(&kp, sizeof(kp));
	if (cfg_loaded)
		config_deinit(&cfg);
	return status;
}
