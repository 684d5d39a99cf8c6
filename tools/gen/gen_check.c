/* Validation of a generated (or any) trust folder: every row of every file is checked with the
 * library's rules, the marks are replayed in file order (an amendment must follow the row it
 * changes), and the current marks give the headline measures of domain.md §3. */
#include "gen_check.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gen_trust.h"
#include "rollcall/codes.h"
#include "rollcall/columns.h"
#include "rollcall/csvread.h"
#include "rollcall/date.h"
#include "rollcall/upn.h"

#define MAX_PRINTED 20
#define YEAR_DAYS   (2 * 366) /* 1 Aug .. 31 Jul of at most two academic years */

/* Open-addressing table of UPNs to an index. */
typedef struct upn_table {
	struct slot {
		char upn[UPN_LEN + 1];
		int32_t idx; /* -1: empty */
	} * slot;
	size_t cap, n;
} upn_table;

typedef struct chk_pupil {
	int32_t dob, admitted, left;
	int8_t nc;
	bool boarder;
} chk_pupil;

typedef struct chk_school {
	int urn;
	long laestab;
	char phase[16];
} chk_school;

typedef struct chk {
	FILE *out, *errs;
	long errors;
	int ay;        /* from the first calendar row; -1 until known */
	int ay_last;   /* of the last one (ay + 1 for an export of two years) */
	int32_t year0; /* 1 Aug of ay */
	upn_table all; /* every UPN of the trust */
	int nschools;
	chk_school *school;
	char laestab[8];

	/* the school being read */
	uint8_t cal[2 * YEAR_DAYS]; /* 0 not listed, 1 closed, 2 open */
	upn_table map;
	chk_pupil *pupil;
	long npupils, cap_pupils;
	uint8_t *cell;   /* [pupil * 2 * YEAR_DAYS + 2 * day + session]: current code id */
	uint32_t *stamp; /* recorded_at of the current row, seconds from year0 */
	int32_t mark_first, mark_last;

	/* totals */
	uint64_t pupils, joined, left, contacts, marks, amendments, unmarked;
	uint64_t code_rows[64];
	uint64_t possible, auth, unauth;
	uint64_t phase_possible[3], phase_absent[3];
	long pop, pa, sa;
	int phases[3];
} chk;

__attribute__((format(printf, 5, 6))) static void
problem(chk *c, const char *file, unsigned long line, const char *field, const char *fmt, ...)
{
	va_list ap;

	c->errors++;
	if (c->errors > MAX_PRINTED)
		return;
	fprintf(c->errs, "check: %s:%lu: %s: ", file, line, field);
	va_start(ap, fmt);
	vfprintf(c->errs, fmt, ap);
	va_end(ap);
	fputc('\n', c->errs);
}

static void on_problem(void *user, const char *file, unsigned long line, unsigned column,
                       const char *message, bool is_error)
{
	chk *c = user;
	if (is_error)
		problem(c, file, line, "row", "%s (column %u)", message, column);
}

/* ---- UPN table --------------------------------------------------------------------------- */

static uint64_t upn_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < UPN_LEN; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
	return h;
}

static int table_grow(upn_table *t)
{
	size_t cap = t->cap ? t->cap * 2 : 1024;
	struct slot *s = malloc(cap * sizeof(*s));

	if (s == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < cap; i++)
		s[i].idx = -1;
	for (size_t i = 0; i < t->cap; i++) {
		if (t->slot[i].idx < 0)
			continue;
		size_t j = upn_hash(t->slot[i].upn) & (cap - 1);
		while (s[j].idx >= 0)
			j = (j + 1) & (cap - 1);
		s[j] = t->slot[i];
	}
	free(t->slot);
	t->slot = s;
	t->cap = cap;
	return 0;
}

/* The index stored for upn, or -1. */
static int32_t table_get(const upn_table *t, const char *upn)
{
	if (t->cap == 0)
		return -1;
	for (size_t j = upn_hash(upn) & (t->cap - 1); t->slot[j].idx >= 0;
	     j = (j + 1) & (t->cap - 1))
		if (memcmp(t->slot[j].upn, upn, UPN_LEN) == 0)
			return t->slot[j].idx;
	return -1;
}

/* Adds upn -> idx. Returns 0, -EEXIST, or -ENOMEM. */
static int table_put(upn_table *t, const char *upn, int32_t idx)
{
	if ((t->n + 1) * 2 > t->cap && table_grow(t) != 0)
		return -ENOMEM;
	size_t j = upn_hash(upn) & (t->cap - 1);
	for (; t->slot[j].idx >= 0; j = (j + 1) & (t->cap - 1))
		if (memcmp(t->slot[j].upn, upn, UPN_LEN) == 0)
			return -EEXIST;
	memcpy(t->slot[j].upn, upn, UPN_LEN);
	t->slot[j].upn[UPN_LEN] = '\0';
	t->slot[j].idx = idx;
	t->n++;
	return 0;
}

static void table_clear(upn_table *t)
{
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

/* ---- field helpers -------------------------------------------------------------------------- */

static bool is_yn(const char *s)
{
	return (s[0] == 'Y' || s[0] == 'N') && s[1] == '\0';
}

/* Parses a non-negative decimal of up to 9 digits; -1 when not one. */
static long parse_num(const char *s, size_t len)
{
	long v = 0;
	if (len == 0 || len > 9)
		return -1;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int parse_nc(const char *s)
{
	if (strcmp(s, "N1") == 0)
		return -2;
	if (strcmp(s, "N2") == 0)
		return -1;
	if (strcmp(s, "R") == 0)
		return 0;
	long v = parse_num(s, strlen(s));
	return v >= 1 && v <= 14 ? (int)v : -99;
}

/* ---- trust.csv ------------------------------------------------------------------------------ */

enum { T_URN, T_LAESTAB, T_NAME, T_PHASE, T_LACODE, T_LANAME, T_COLS };
static const csvread_column s_trust_cols[T_COLS] = {
        {"school_urn", true}, {"laestab", true}, {"name", true},
        {"phase", true},      {"la_code", true}, {"la_name", true},
};

static int on_trust(void *user, const csvread_row *row)
{
	chk *c = user;
	long urn = parse_num(row->field[T_URN], row->len[T_URN]);
	long laestab = parse_num(row->field[T_LAESTAB], row->len[T_LAESTAB]);
	long la = parse_num(row->field[T_LACODE], row->len[T_LACODE]);
	const char *phase = row->field[T_PHASE];
	chk_school *s;

	if (urn < 100000 || urn > 999999 || row->len[T_URN] != 6) {
		problem(c, row->file, row->line, "school_urn", "not a 6-digit URN");
		return 0;
	}
	if (row->len[T_LAESTAB] != 7 || laestab < 0 || la < 100 || la > 999 ||
	    laestab / 10000 != la) {
		problem(c, row->file, row->line, "laestab", "not la_code followed by 4 digits");
		return 0;
	}
	if (strcmp(phase, "primary") != 0 && strcmp(phase, "secondary") != 0 &&
	    strcmp(phase, "special") != 0) {
		problem(c, row->file, row->line, "phase", "not primary, secondary or special");
		return 0;
	}
	if (row->len[T_NAME] == 0 || row->len[T_LANAME] == 0)
		problem(c, row->file, row->line, "name", "empty");
	s = realloc(c->school, (size_t)(c->nschools + 1) * sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	c->school = s;
	s = &c->school[c->nschools++];
	s->urn = (int)urn;
	s->laestab = laestab;
	snprintf(s->phase, sizeof(s->phase), "%s", phase);
	return 0;
}

/* ---- calendar.csv --------------------------------------------------------------------------- */

static int session_of(const char *s)
{
	return strcmp(s, "AM") == 0 ? 0 : strcmp(s, "PM") == 0 ? 1 : -1;
}

static int on_calendar(void *user, const csvread_row *row)
{
	chk *c = user;
	int32_t day;
	int h = session_of(row->field[COL_S_SESSION]);

	if (date_parse(row->field[COL_S_DATE], row->len[COL_S_DATE], &day) != 0) {
		problem(c, row->file, row->line, "date", "not a YYYY-MM-DD date");
		return 0;
	}
	if (c->ay < 0) {
		c->ay = c->ay_last = date_academic_year(day);
		c->year0 = date_academic_year_start(c->ay);
	}
	if (day < c->year0 || day >= c->year0 + YEAR_DAYS || date_academic_year(day) > c->ay + 1) {
		problem(c, row->file, row->line, "date",
		        "outside academic years %d/%02d and %d/%02d (two at the most)", c->ay,
		        (c->ay + 1) % 100, c->ay + 1, (c->ay + 2) % 100);
		return 0;
	}
	if (date_academic_year(day) > c->ay_last)
		c->ay_last = date_academic_year(day);
	if (h < 0) {
		problem(c, row->file, row->line, "session", "not AM or PM");
		return 0;
	}
	if (!is_yn(row->field[COL_S_OPEN])) {
		problem(c, row->file, row->line, "open", "not Y or N");
		return 0;
	}
	if (row->len[COL_S_TERM] > 0 && strcmp(row->field[COL_S_TERM], "autumn") != 0 &&
	    strcmp(row->field[COL_S_TERM], "spring") != 0 &&
	    strcmp(row->field[COL_S_TERM], "summer") != 0)
		problem(c, row->file, row->line, "term", "not empty, autumn, spring or summer");
	if (c->cal[2 * (day - c->year0) + h] != 0)
		problem(c, row->file, row->line, "date", "session listed twice");
	c->cal[2 * (day - c->year0) + h] = row->field[COL_S_OPEN][0] == 'Y' ? 2 : 1;
	return 0;
}

/* ---- pupils.csv ----------------------------------------------------------------------------- */

static int on_pupil(void *user, const csvread_row *row)
{
	chk *c = user;
	const char *upn = row->field[COL_P_UPN];
	char why[128];
	chk_pupil p = {.left = INT32_MAX};
	int nc, rc;

	if (upn_check(upn, row->len[COL_P_UPN], why, sizeof(why)) != 0) {
		problem(c, row->file, row->line, "upn", "%s", why);
		return 0;
	}
	if (memcmp(upn + 1, c->laestab, 7) != 0)
		problem(c, row->file, row->line, "upn",
		        "LA and establishment are not the school's");
	if (date_parse(row->field[COL_P_DOB], row->len[COL_P_DOB], &p.dob) != 0)
		problem(c, row->file, row->line, "date_of_birth", "not a YYYY-MM-DD date");
	if (date_parse(row->field[COL_P_ADMISSION], row->len[COL_P_ADMISSION], &p.admitted) != 0) {
		problem(c, row->file, row->line, "admission_date", "not a YYYY-MM-DD date");
		return 0;
	}
	if (row->len[COL_P_LEAVING] > 0 &&
	    date_parse(row->field[COL_P_LEAVING], row->len[COL_P_LEAVING], &p.left) != 0) {
		problem(c, row->file, row->line, "leaving_date", "not a YYYY-MM-DD date");
		return 0;
	}
	if (p.left < p.admitted)
		problem(c, row->file, row->line, "leaving_date", "before admission_date");
	if ((row->len[COL_P_LEAVING] > 0) != (row->len[COL_P_LEAVING_REASON] > 0))
		problem(c, row->file, row->line, "leaving_reason",
		        "given without leaving_date or missing");
	nc = parse_nc(row->field[COL_P_NC_YEAR]);
	if (nc == -99) {
		problem(c, row->file, row->line, "nc_year", "not N1, N2, R or 1-14");
		return 0;
	}
	p.nc = (int8_t)nc;
	/* year 1 children were 5 on 31 Aug before the year: born Sep (ay - 6) .. Aug (ay - 5); nc
	 * is the year group of the latest year the pupil was on roll in */
	{
		int y, m, d;
		int ay = p.left < date_academic_year_start(c->ay_last) ? date_academic_year(p.left)
		                                                       : c->ay_last;
		date_to_ymd(p.dob, &y, &m, &d);
		if (c->ay >= 0 && (m >= 9 ? y : y - 1) != ay - 5 - nc)
			problem(c, row->file, row->line, "date_of_birth", "does not fit nc_year %s",
			        row->field[COL_P_NC_YEAR]);
	}
	if (strlen(row->field[COL_P_SEX]) != 1 || strchr("MFU", row->field[COL_P_SEX][0]) == NULL)
		problem(c, row->file, row->line, "sex", "not M, F or U");
	if (strlen(row->field[COL_P_SEN]) != 1 || strchr("NKE", row->field[COL_P_SEN][0]) == NULL)
		problem(c, row->file, row->line, "sen", "not N, K or E");
	if (row->len[COL_P_SOCIAL] > 0 && strcmp(row->field[COL_P_SOCIAL], "CIN") != 0 &&
	    strcmp(row->field[COL_P_SOCIAL], "CPP") != 0 &&
	    strcmp(row->field[COL_P_SOCIAL], "CLA") != 0)
		problem(c, row->file, row->line, "social_care", "not empty, CIN, CPP or CLA");
	{
		static const int yn[] = {COL_P_BOARDER, COL_P_PP, COL_P_FSM, COL_P_PLA, COL_P_EAL};
		for (size_t k = 0; k < sizeof(yn) / sizeof(yn[0]); k++)
			if (!is_yn(row->field[yn[k]]))
				problem(c, row->file, row->line, columns_pupils[yn[k]].name,
				        "not Y or N");
	}
	if (row->len[COL_P_SURNAME] == 0 || row->len[COL_P_FORENAME] == 0 ||
	    row->len[COL_P_POSTCODE] < 6 || row->len[COL_P_ETHNICITY] != 4)
		problem(c, row->file, row->line, "surname/forename/postcode/ethnicity",
		        "missing or malformed");
	p.boarder = row->field[COL_P_BOARDER][0] == 'Y';
	{
		int32_t entered, start;
		if (date_parse(row->field[COL_P_ENTERED_ON], row->len[COL_P_ENTERED_ON],
		               &entered) != 0 ||
		    entered > p.admitted)
			problem(c, row->file, row->line, "entered_on",
			        "not a date on or before admission_date");
		if (row->len[COL_P_DEST_START] > 0 &&
		    (date_parse(row->field[COL_P_DEST_START], row->len[COL_P_DEST_START], &start) !=
		             0 ||
		     row->len[COL_P_LEAVING] == 0 || start <= p.left))
			problem(c, row->file, row->line, "destination_start",
			        "not a date after leaving_date");
		if (row->len[COL_P_CLASS] == 0)
			problem(c, row->file, row->line, "class", "empty");
	}

	rc = table_put(&c->all, upn, 0);
	if (rc == -EEXIST) {
		problem(c, row->file, row->line, "upn", "%s is on the roll twice in the trust",
		        upn);
		return 0;
	}
	if (rc != 0)
		return rc;
	if (c->npupils == c->cap_pupils) {
		long cap = c->cap_pupils ? c->cap_pupils * 2 : 1024;
		chk_pupil *np = realloc(c->pupil, (size_t)cap * sizeof(*np));
		if (np == NULL)
			return -ENOMEM;
		c->pupil = np;
		c->cap_pupils = cap;
	}
	if (table_put(&c->map, upn, (int32_t)c->npupils) != 0)
		return -ENOMEM;
	c->pupil[c->npupils++] = p;
	return 0;
}

/* ---- contacts.csv --------------------------------------------------------------------------- */

static int on_contact(void *user, const csvread_row *row)
{
	chk *c = user;

	if (row->len[COL_C_UPN] != UPN_LEN || table_get(&c->map, row->field[COL_C_UPN]) < 0)
		problem(c, row->file, row->line, "upn", "not a pupil of the school");
	if (!is_yn(row->field[COL_C_LIVES_WITH]))
		problem(c, row->file, row->line, "lives_with", "not Y or N");
	if (parse_num(row->field[COL_C_PRIORITY], row->len[COL_C_PRIORITY]) < 1)
		problem(c, row->file, row->line, "priority", "not a positive number");
	if (row->len[COL_C_NAME] == 0 || row->len[COL_C_PHONE] == 0)
		problem(c, row->file, row->line, "name/phone", "empty");
	c->contacts++;
	return 0;
}

/* ---- marks.csv ------------------------------------------------------------------------------ */

static int on_mark(void *user, const csvread_row *row)
{
	chk *c = user;
	int32_t day, idx;
	int64_t at;
	long mins = -1;
	int h;
	const rc_code *code;
	char why[128];
	size_t cell;
	uint32_t stamp;

	idx = row->len[COL_M_UPN] == UPN_LEN ? table_get(&c->map, row->field[COL_M_UPN]) : -1;
	if (idx < 0) {
		problem(c, row->file, row->line, "upn", "not a pupil of the school");
		return 0;
	}
	if (date_parse(row->field[COL_M_DATE], row->len[COL_M_DATE], &day) != 0 || day < c->year0 ||
	    day >= c->year0 + YEAR_DAYS) {
		problem(c, row->file, row->line, "date", "not a date of the calendar's year");
		return 0;
	}
	h = session_of(row->field[COL_M_SESSION]);
	if (h < 0) {
		problem(c, row->file, row->line, "session", "not AM or PM");
		return 0;
	}
	if (codes_check(row->field[COL_M_CODE], row->len[COL_M_CODE], day, &code, why,
	                sizeof(why)) != 0) {
		problem(c, row->file, row->line, "code", "%s", why);
		return 0;
	}
	if (row->len[COL_M_MINUTES_LATE] > 0) {
		mins = parse_num(row->field[COL_M_MINUTES_LATE], row->len[COL_M_MINUTES_LATE]);
		if (mins < 0)
			problem(c, row->file, row->line, "minutes_late", "not a number");
	}
	if (strcmp(code->code, "L") == 0 && (mins < 1 || mins > 29))
		problem(c, row->file, row->line, "minutes_late", "L needs 1-29 minutes");
	else if (strcmp(code->code, "U") == 0 && mins < 30)
		problem(c, row->file, row->line, "minutes_late", "U needs 30 minutes or more");
	else if (strcmp(code->code, "L") != 0 && strcmp(code->code, "U") != 0 && mins >= 0)
		problem(c, row->file, row->line, "minutes_late", "given for code %s", code->code);
	if (ts_parse(row->field[COL_M_RECORDED_AT], row->len[COL_M_RECORDED_AT], &at) != 0) {
		problem(c, row->file, row->line, "recorded_at", "not an ISO 8601 time with zone");
		return 0;
	}
	if (at / 1000000 < (int64_t)day * 86400 - 3600) {
		problem(c, row->file, row->line, "recorded_at", "before the session's day");
		return 0;
	}
	if (row->len[COL_M_RECORDED_BY] == 0)
		problem(c, row->file, row->line, "recorded_by", "empty");
	if (c->cal[2 * (day - c->year0) + h] != 2)
		problem(c, row->file, row->line, "date", "session is not open in calendar.csv");
	{
		const chk_pupil *p = &c->pupil[idx];
		if (day < p->admitted || day > p->left)
			problem(c, row->file, row->line, "date", "pupil not on roll that day");
	}
	stamp = (uint32_t)(at / 1000000 - (int64_t)c->year0 * 86400);
	cell = (size_t)idx * 2 * YEAR_DAYS + 2 * (size_t)(day - c->year0) + (size_t)h;
	if (c->cell[cell] != 0) {
		c->amendments++;
		if (row->len[COL_M_AMENDMENT_REASON] == 0)
			problem(c, row->file, row->line, "amendment_reason",
			        "missing on a row that changes an existing mark");
		if (stamp <= c->stamp[cell])
			problem(c, row->file, row->line, "recorded_at",
			        "amendment not later than the mark it changes");
	} else if (row->len[COL_M_AMENDMENT_REASON] > 0) {
		problem(c, row->file, row->line, "amendment_reason", "given on a first mark");
	}
	c->cell[cell] = code->id;
	c->stamp[cell] = stamp;
	c->marks++;
	if (code->id < 64)
		c->code_rows[code->id]++;
	if (day < c->mark_first)
		c->mark_first = day;
	if (day > c->mark_last)
		c->mark_last = day;
	return 0;
}

/* ---- per school ----------------------------------------------------------------------------- */

static int read_file(chk *c, const char *dir, const char *name, const csvread_column *cols,
                     size_t ncols, csvread_row_fn fn)
{
	char path[4200], err[512];
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		problem(c, dir, 0, "file", "%s", "path too long");
		return 0;
	}
	/* The generator writes every column of the contract: all are required here. */
	csvread_column all[COL_P_N];
	if (ncols > sizeof(all) / sizeof(all[0]))
		return -EINVAL;
	for (size_t i = 0; i < ncols; i++)
		all[i] = (csvread_column){cols[i].name, true};
	rc = csvread_file(path, all, ncols, fn, on_problem, c, err, sizeof(err));
	if (rc == -EINVAL) {
		problem(c, path, 1, "file", "%s", err);
		return 0;
	}
	if (rc != 0)
		fprintf(c->errs, "check: %s\n", err);
	return rc;
}

/* Measures over the current marks: possible, authorised and unauthorised sessions per pupil. */
static void measure_school(chk *c, int phase)
{
	for (long i = 0; i < c->npupils; i++) {
		const chk_pupil *p = &c->pupil[i];
		const uint8_t *cell = c->cell + (size_t)i * 2 * YEAR_DAYS;
		uint64_t poss = 0, auth = 0, unauth = 0;

		if (c->mark_first <= c->mark_last) {
			for (int32_t d = c->mark_first; d <= c->mark_last; d++)
				for (int h = 0; h < 2; h++)
					if (c->cal[2 * (d - c->year0) + h] == 2 &&
					    d >= p->admitted && d <= p->left &&
					    cell[2 * (d - c->year0) + h] == 0)
						c->unmarked++;
		}
		if (p->admitted >= c->mark_first && p->admitted <= c->mark_last &&
		    p->admitted > c->year0 + 31)
			c->joined++;
		if (p->left != INT32_MAX)
			c->left++;
		for (int k = 0; k < 2 * YEAR_DAYS; k++) {
			const rc_code *code = cell[k] ? codes_by_id(cell[k]) : NULL;
			if (code == NULL || !codes_possible(code->category))
				continue;
			poss++;
			auth += code->category == RC_CAT_AUTHORISED;
			unauth += code->category == RC_CAT_UNAUTHORISED;
		}
		if (poss == 0 || p->boarder || !trust_compulsory_age(p->dob, c->ay_last))
			continue;
		c->pop++;
		c->possible += poss;
		c->auth += auth;
		c->unauth += unauth;
		c->pa += (auth + unauth) * 10 >= poss;
		c->sa += (auth + unauth) * 2 >= poss;
		c->phase_possible[phase] += poss;
		c->phase_absent[phase] += auth + unauth;
	}
}

static int check_school(chk *c, const char *root, const chk_school *s)
{
	char dir[4200];
	int rc, phase = strcmp(s->phase, "primary") == 0     ? 0
	                : strcmp(s->phase, "secondary") == 0 ? 1
	                                                     : 2;

	snprintf(dir, sizeof(dir), "%s/%d", root, s->urn);
	snprintf(c->laestab, sizeof(c->laestab), "%07ld", s->laestab);
	c->phases[phase]++;
	memset(c->cal, 0, sizeof(c->cal));
	c->npupils = 0;
	table_clear(&c->map);
	c->mark_first = INT32_MAX;
	c->mark_last = INT32_MIN;

	rc = read_file(c, dir, "calendar.csv", columns_calendar, COL_S_N, on_calendar);
	if (rc == 0 && c->ay < 0)
		problem(c, dir, 1, "calendar.csv", "no sessions");
	if (rc != 0 || c->ay < 0)
		return rc;
	rc = read_file(c, dir, "pupils.csv", columns_pupils, COL_P_N, on_pupil);
	if (rc != 0)
		return rc;
	c->pupils += (uint64_t)c->npupils;
	rc = read_file(c, dir, "contacts.csv", columns_contacts, COL_C_N, on_contact);
	if (rc != 0)
		return rc;
	free(c->cell);
	free(c->stamp);
	c->cell = calloc((size_t)c->npupils * 2 * YEAR_DAYS + 1, 1);
	c->stamp = calloc((size_t)c->npupils * 2 * YEAR_DAYS + 1, sizeof(*c->stamp));
	if (c->cell == NULL || c->stamp == NULL)
		return -ENOMEM;
	rc = read_file(c, dir, "marks.csv", columns_marks, COL_M_N, on_mark);
	if (rc != 0)
		return rc;
	measure_school(c, phase);
	return 0;
}

static double pct(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void report(chk *c)
{
	FILE *o = c->out;
	uint64_t absent = c->auth + c->unauth;
	static const char *const phase[3] = {"primary", "secondary", "special"};

	fprintf(o, "schools: %d (%d primary, %d secondary, %d special), academic year%s %d/%02d",
	        c->nschools, c->phases[0], c->phases[1], c->phases[2],
	        c->ay_last > c->ay ? "s" : "", c->ay, (c->ay + 1) % 100);
	if (c->ay_last > c->ay)
		fprintf(o, " to %d/%02d", c->ay_last, (c->ay_last + 1) % 100);
	fputc('\n', o);
	fprintf(o,
	        "pupils: %llu with valid UPN check letters, unique across the trust; %llu "
	        "joined and %llu left during the marked period\n",
	        (unsigned long long)c->pupils, (unsigned long long)c->joined,
	        (unsigned long long)c->left);
	fprintf(o, "contacts: %llu\n", (unsigned long long)c->contacts);
	fprintf(o, "marks: %llu rows, %llu of them amendments; every code valid for its date\n",
	        (unsigned long long)c->marks, (unsigned long long)c->amendments);
	fprintf(o, "codes (rows):");
	for (size_t id = 1; id <= codes_count() && id < 64; id++)
		if (c->code_rows[id])
			fprintf(o, " %s=%llu", codes_by_id((uint8_t)id)->code,
			        (unsigned long long)c->code_rows[id]);
	fprintf(o, "\nunmarked sessions (open, on roll, within the marked dates): %llu\n",
	        (unsigned long long)c->unmarked);
	fprintf(o,
	        "headline (compulsory school age, boarders excluded): %ld pupils, %llu possible "
	        "sessions, absence %.2f%% (authorised %.2f%%, unauthorised %.2f%%), persistent "
	        "absence %.1f%%, severe absence %.1f%%\n",
	        c->pop, (unsigned long long)c->possible, pct(absent, c->possible),
	        pct(c->auth, c->possible), pct(c->unauth, c->possible),
	        pct((uint64_t)c->pa, (uint64_t)c->pop), pct((uint64_t)c->sa, (uint64_t)c->pop));
	fprintf(o, "absence by phase:");
	for (int k = 0; k < 3; k++)
		if (c->phase_possible[k])
			fprintf(o, " %s %.2f%%", phase[k],
			        pct(c->phase_absent[k], c->phase_possible[k]));
	fprintf(o, "\nerrors: %ld\n", c->errors);
	fprintf(o,
	        "summary: schools=%d pupils=%llu marks=%llu amendments=%llu unmarked=%llu "
	        "absence_pct=%.2f pa_pct=%.1f sa_pct=%.1f errors=%ld\n",
	        c->nschools, (unsigned long long)c->pupils, (unsigned long long)c->marks,
	        (unsigned long long)c->amendments, (unsigned long long)c->unmarked,
	        pct(absent, c->possible), pct((uint64_t)c->pa, (uint64_t)c->pop),
	        pct((uint64_t)c->sa, (uint64_t)c->pop), c->errors);
}

int check_trust(const char *dir, FILE *out, FILE *errs)
{
	chk *c = calloc(1, sizeof(*c));
	char path[4200], err[512];
	int rc;

	if (c == NULL)
		return -ENOMEM;
	c->out = out;
	c->errs = errs;
	c->ay = c->ay_last = -1;
	snprintf(path, sizeof(path), "%s/trust.csv", dir);
	rc = csvread_file(path, s_trust_cols, T_COLS, on_trust, on_problem, c, err, sizeof(err));
	if (rc != 0) {
		fprintf(errs, "check: %s\n", err);
		goto out;
	}
	if (c->nschools == 0)
		problem(c, path, 1, "school_urn", "no schools");
	for (int i = 0; i < c->nschools; i++) {
		rc = check_school(c, dir, &c->school[i]);
		if (rc != 0)
			goto out;
	}
	report(c);
	rc = c->errors > 0 ? 1 : 0;
out:
	table_clear(&c->all);
	table_clear(&c->map);
	free(c->school);
	free(c->pupil);
	free(c->cell);
	free(c->stamp);
	free(c);
	return rc;
}
