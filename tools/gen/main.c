/* rollcall-gen: writes a realistic synthetic multi-academy trust as register export folders
 * (contract.md §1), or with --check validates such a folder. Same flags, same bytes. */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "gen_check.h"
#include "gen_marks.h"
#include "gen_out.h"
#include "gen_roll.h"
#include "rollcall/codes.h"
#include "rollcall/date.h"

#define PROG       "rollcall-gen"
#define AVG_SCHOOL 580 /* mean nominal school size of the phase mix, for --schools' default */

static void usage(FILE *f)
{
	fprintf(f,
	        "Usage: " PROG " --out DIR [options]\n"
	        "       " PROG " --check DIR\n"
	        "\n"
	        "Writes a synthetic multi-academy trust as school register exports (contract.md\n"
	        "section 1): DIR/trust.csv, and DIR/<urn>/{pupils,contacts,marks,calendar}.csv "
	        "for\n"
	        "each school. All people, places and phone numbers are invented. The same flags\n"
	        "always give byte-identical files; existing files of the same name are replaced.\n"
	        "\n"
	        "marks.csv has a row for every open session from --from to --to for every pupil\n"
	        "on roll that day, ordered by date, session and UPN. Absence follows per-pupil\n"
	        "propensities (about 7%% overall; primary < secondary < special; about 20%%\n"
	        "persistently and 2%% severely absent; higher for FSM, SEN and social care) with\n"
	        "illness runs, appointments, term-time holidays next to school holidays, long\n"
	        "unauthorised runs, lateness, trips, suspensions and part-time timetables, using\n"
	        "only the 2024 codes. An amendment row (same upn, date and session, the real\n"
	        "code, office staff, amendment_reason) is written after the registers of the day\n"
	        "it was made, 1-3 school days later (U: the same morning).\n"
	        "\n"
	        "Options:\n"
	        "  --out DIR        folder to write (created if missing); required\n"
	        "  --seed N         random seed, 0..2^64-1 (default 1)\n"
	        "  --schools N      schools in the trust, 1..%d (default 6; when --pupils would "
	        "make\n"
	        "                   the default schools unrealistically large, about one school "
	        "per\n"
	        "                   %d pupils). About 60%% primary, 30%% secondary, 10%% special;\n"
	        "                   one school holds at most about 30000 pupils (UPN serials).\n"
	        "  --pupils N       pupils across the trust, N >= schools, up to %ld (default "
	        "3000);\n"
	        "                   split in proportion to realistic sizes (primary 200-450,\n"
	        "                   secondary 900-1600, special 80-150), scaled to N\n"
	        "  --year AY        academic year starting in September of AY, %d..2099\n"
	        "                   (default 2025, i.e. 2025/26)\n"
	        "  --from DATE      first day to write marks for, YYYY-MM-DD within the year\n"
	        "                   (default 1 Sep of AY)\n"
	        "  --to DATE        last day to write marks for (default: the end of the autumn\n"
	        "                   term); clamped to 31 Jul of the year\n"
	        "  --amend-pct P    percentage of the original marks, 0..20 (default 2), that are\n"
	        "                   entered as N at the register and re-coded later by an "
	        "amendment\n"
	        "                   row (I, M, G, O, U, C or R); capped by the absences available\n"
	        "  --years N        1, or 2 to write the academic year before AY too: its\n"
	        "                   calendar and every day of its marks first, for the same\n"
	        "                   pupils a year group lower, and last year's top year group,\n"
	        "                   who left at its end (AY must be 2025 or later)\n"
	        "  --la-count N     local authorities the schools lie in, 1..%d and at most the\n"
	        "                   number of schools (default 3, or fewer when there are fewer\n"
	        "                   schools)\n"
	        "  --check DIR      validate the trust folder DIR instead (UPN check letters, "
	        "codes\n"
	        "                   valid for their dates, amendments after their originals, "
	        "marks\n"
	        "                   only on open sessions while on roll) and print counts and the\n"
	        "                   headline absence of compulsory-age pupils; exit 1 on any "
	        "error\n"
	        "  -q, --quiet      no summary on stderr\n"
	        "  -h, --help       this text\n"
	        "\n"
	        "Exit status: 0 success, 1 failure (or invalid rows with --check), 2 bad usage.\n",
	        GEN_MAX_SCHOOLS, AVG_SCHOOL, GEN_MAX_PUPILS, 2024, GEN_MAX_LA);
}

__attribute__((format(printf, 1, 2))) static int bad_usage(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, PROG ": ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	return 2;
}

/* Parses a whole decimal integer in [lo, hi]. */
static bool parse_long(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_seed(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (s[0] < '0' || s[0] > '9')
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST) {
		struct stat st;
		if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		errno = ENOTDIR;
	}
	fprintf(stderr, PROG ": cannot create folder %s (%s)\n", path, strerror(errno));
	return -1;
}

static double now_sec(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Writes one school's folder. With last (the trust the year before, or NULL), its calendar and
 * marks come first in calendar.csv and marks.csv, for the roll as it was a year earlier. */
static int write_school(const gen_trust *t, const gen_trust *last, int i, long *ncontacts,
                        gen_mark_stats *st)
{
	const gen_school *s = &t->school[i];
	char dir[4096], path[4200], err[512];
	gen_roll roll = {0}, before = {0};
	gen_out o = {.fd = -1};
	int rc;

	snprintf(dir, sizeof(dir), "%s/%d", t->opt.out, s->urn);
	if (make_dir(dir) != 0)
		return -1;
	snprintf(path, sizeof(path), "%s/calendar.csv", dir);
	rc = out_open(&o, path, err, sizeof(err));
	if (rc == 0) {
		if (last)
			trust_write_calendar(last, &last->school[i], &o, true);
		trust_write_calendar(t, s, &o, !last);
		rc = out_close(&o, err, sizeof(err));
	}
	if (rc == 0)
		rc = roll_build(t, s, &roll, err, sizeof(err));
	if (rc == 0)
		rc = roll_write(t, s, &roll, dir, ncontacts, err, sizeof(err));
	if (rc == 0 && last && roll_year_before(&roll, &before) != 0) {
		snprintf(err, sizeof(err), "out of memory");
		rc = -ENOMEM;
	}
	snprintf(path, sizeof(path), "%s/marks.csv", dir);
	if (rc == 0)
		rc = out_open(&o, path, err, sizeof(err));
	if (rc == 0 && last)
		rc = marks_write(last, &last->school[i], &before, &o, true, st, err, sizeof(err));
	if (rc == 0)
		rc = marks_write(t, s, &roll, &o, !last, st, err, sizeof(err));
	if (out_close(&o, err, sizeof(err)) != 0 && rc == 0)
		rc = -EIO;
	roll_deinit(&roll);
	roll_deinit(&before);
	if (rc == 0)
		return 0;
	fprintf(stderr, PROG ": school %d: %s\n", s->urn, err);
	return -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
	        {"out", required_argument, NULL, 'o'},
	        {"seed", required_argument, NULL, 's'},
	        {"schools", required_argument, NULL, 'S'},
	        {"pupils", required_argument, NULL, 'p'},
	        {"year", required_argument, NULL, 'y'},
	        {"from", required_argument, NULL, 'f'},
	        {"to", required_argument, NULL, 't'},
	        {"amend-pct", required_argument, NULL, 'a'},
	        {"la-count", required_argument, NULL, 'l'},
	        {"years", required_argument, NULL, 'Y'},
	        {"check", required_argument, NULL, 'c'},
	        {"quiet", no_argument, NULL, 'q'},
	        {"help", no_argument, NULL, 'h'},
	        {NULL, 0, NULL, 0},
	};
	gen_opts opt = {.seed = 1,
	                .schools = 6,
	                .pupils = 3000,
	                .year = 2025,
	                .amend_pct = 2,
	                .la_count = 3,
	                .years = 1};
	const char *from_s = NULL, *to_s = NULL, *check_dir = NULL;
	bool schools_given = false, la_given = false, quiet = false;
	gen_trust trust, before;
	gen_mark_stats st = {0};
	long v, ncontacts = 0;
	char err[512];
	double t0 = now_sec();
	int c, rc;

	while ((c = getopt_long(argc, argv, "qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			opt.out = optarg;
			break;
		case 's':
			if (!parse_seed(optarg, &opt.seed))
				return bad_usage(
				        "--seed must be a whole number 0..2^64-1, got '%s'",
				        optarg);
			break;
		case 'S':
			if (!parse_long(optarg, 1, GEN_MAX_SCHOOLS, &v))
				return bad_usage("--schools must be 1..%d, got '%s'",
				                 GEN_MAX_SCHOOLS, optarg);
			opt.schools = (int)v;
			schools_given = true;
			break;
		case 'p':
			if (!parse_long(optarg, 1, GEN_MAX_PUPILS, &v))
				return bad_usage("--pupils must be 1..%ld, got '%s'",
				                 GEN_MAX_PUPILS, optarg);
			opt.pupils = v;
			break;
		case 'y':
			if (!parse_long(optarg, 2024, 2099, &v))
				return bad_usage(
				        "--year must be 2024..2099 (the 2024 codes apply from "
				        "19 Aug 2024), got '%s'",
				        optarg);
			opt.year = (int)v;
			break;
		case 'f':
			from_s = optarg;
			break;
		case 't':
			to_s = optarg;
			break;
		case 'a': {
			char *end;
			errno = 0;
			opt.amend_pct = strtod(optarg, &end);
			if (errno != 0 || end == optarg || *end != '\0' || !(opt.amend_pct >= 0) ||
			    opt.amend_pct > 20)
				return bad_usage("--amend-pct must be a number 0..20, got '%s'",
				                 optarg);
			break;
		}
		case 'l':
			if (!parse_long(optarg, 1, GEN_MAX_LA, &v))
				return bad_usage("--la-count must be 1..%d, got '%s'", GEN_MAX_LA,
				                 optarg);
			opt.la_count = (int)v;
			la_given = true;
			break;
		case 'Y':
			if (!parse_long(optarg, 1, 2, &v))
				return bad_usage("--years must be 1 or 2, got '%s'", optarg);
			opt.years = (int)v;
			break;
		case 'c':
			check_dir = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			return bad_usage("unknown option");
		}
	}
	if (optind < argc)
		return bad_usage("unexpected argument '%s'", argv[optind]);

	if (check_dir != NULL) {
		if (opt.out != NULL)
			return bad_usage("--check and --out cannot be used together");
		rc = check_trust(check_dir, stdout, stderr);
		return rc == 0 ? 0 : 1;
	}
	if (opt.out == NULL)
		return bad_usage("--out DIR is required");

	/* Dates: the marked period lies within the academic year. */
	{
		gen_year y;
		int32_t first = date_from_ymd(opt.year, 9, 1),
		        last = date_from_ymd(opt.year + 1, 7, 31);
		calendar_init(&y, opt.year);
		opt.from = first;
		opt.to = y.autumn_end;
		if (from_s != NULL && date_parse(from_s, strlen(from_s), &opt.from) != 0)
			return bad_usage("--from must be a date YYYY-MM-DD, got '%s'", from_s);
		if (to_s != NULL && date_parse(to_s, strlen(to_s), &opt.to) != 0)
			return bad_usage("--to must be a date YYYY-MM-DD, got '%s'", to_s);
		if (opt.from < first || opt.from > last)
			return bad_usage("--from %s is outside the academic year %d/%02d (1 Sep %d "
			                 "- 31 Jul %d)",
			                 from_s, opt.year, (opt.year + 1) % 100, opt.year,
			                 opt.year + 1);
		if (opt.to > last)
			opt.to = last;
		if (opt.to < opt.from)
			return bad_usage("--to is before --from");
	}
	if (!schools_given && opt.pupils > 6L * 900) {
		long n = (opt.pupils + AVG_SCHOOL - 1) / AVG_SCHOOL;
		opt.schools = n > GEN_MAX_SCHOOLS ? GEN_MAX_SCHOOLS : (int)n;
		if (!quiet)
			fprintf(stderr,
			        PROG ": %ld pupils: using %d schools (set --schools to choose)\n",
			        opt.pupils, opt.schools);
	}
	if (opt.pupils < opt.schools)
		return bad_usage("--pupils (%ld) must be at least --schools (%d)", opt.pupils,
		                 opt.schools);
	if (!la_given && opt.la_count > opt.schools)
		opt.la_count = opt.schools;
	if (opt.la_count > opt.schools)
		return bad_usage("--la-count (%d) cannot exceed the number of schools (%d)",
		                 opt.la_count, opt.schools);

	if (opt.years > 1 && opt.year - 1 < 2024)
		return bad_usage("--years 2 needs --year 2025 or later (the 2024 codes start in "
		                 "2024/25)");
	if (marks_selfcheck(opt.years > 1 ? date_from_ymd(opt.year - 1, 9, 1) : opt.from, err,
	                    sizeof(err)) != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		return 1;
	}
	if (make_dir(opt.out) != 0)
		return 1;
	rc = trust_build(&trust, &opt, err, sizeof(err));
	if (rc == 0 && opt.years > 1) {
		/* The year before: the same schools (they depend on the seed, not the year), its
		 * own calendar, every day of it marked, and marks of their own. */
		gen_opts o = opt;

		o.year = opt.year - 1;
		o.from = date_from_ymd(o.year, 9, 1);
		o.to = date_from_ymd(o.year + 1, 7, 31);
		rc = trust_build(&before, &o, err, sizeof(err));
		before.opt.seed = rng_hash(opt.seed, GEN_RNG_PUPIL_MARKS, (uint64_t)o.year);
	}
	if (rc != 0) {
		fprintf(stderr, PROG ": %s\n", err);
		trust_deinit(&trust);
		return 1;
	}
	{
		char path[4200];
		snprintf(path, sizeof(path), "%s/trust.csv", opt.out);
		rc = trust_write(&trust, path, err, sizeof(err));
		if (rc != 0)
			fprintf(stderr, PROG ": %s\n", err);
	}
	for (int i = 0; i < trust.nschools && rc == 0; i++)
		rc = write_school(&trust, opt.years > 1 ? &before : NULL, i, &ncontacts, &st);
	trust_deinit(&trust);
	if (opt.years > 1)
		trust_deinit(&before);
	if (rc != 0)
		return 1;
	if (!quiet) {
		char a[11], b[11];
		fprintf(stderr,
		        PROG ": %d schools in %d LAs, %ld pupils, %ld contacts, %llu mark rows "
		             "(%llu amendments) for %s..%s, %.1f MB of marks in %.1f s -> %s\n",
		        opt.schools, opt.la_count, opt.pupils, ncontacts,
		        (unsigned long long)st.rows, (unsigned long long)st.amendments,
		        date_format(opt.from, a), date_format(opt.to, b), (double)st.bytes / 1e6,
		        now_sec() - t0, opt.out);
	}
	return 0;
}
