/* The CSV side of the export reader: a school's register export folder (contract.md §1) read
 * row by row into wire items, with every syntactically wrong row rejected here, before sending. */
#include "export.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rollcall/columns.h"
#include "rollcall/csvread.h"
#include "rollcall/date.h"
#include "rollcall/upn.h"

#define REASON_MAX 192
#define ECHO_MAX   16 /* characters of a bad value quoted back in a reason */

/* One data row, trimmed of spaces and tabs and NUL-terminated. v[i] is NULL when the file has
 * no such column, "" when the field is empty. */
typedef struct row_vals {
	char *buf;
	const char *v[CSVREAD_MAX_COLUMNS];
	size_t n[CSVREAD_MAX_COLUMNS];
} row_vals;

typedef struct csv_ctx csv_ctx;

/* Turns one row into its item and, when the text parses, hands it to the sink (which applies
 * the item rules of lib/validate). Returns the sink's result; a row that does not parse sets
 * *bad to the field at fault and its reason into why. */
typedef int (*row_emit_fn)(csv_ctx *c, const row_vals *v, uint32_t line, const char **bad,
                           char *why, size_t whylen);

typedef struct csv_file_def {
	const char *name;
	bool required; /* the folder is refused without it */
	const csvread_column *cols;
	size_t ncols;
	row_emit_fn emit;
} csv_file_def;

/* The pupils.csv rows seen so far, by UPN: a UPN may appear again only for another spell on
 * roll (a re-admission), never twice for the same days. */
typedef struct spell_seen {
	char upn[UPN_LEN + 1]; /* "" : empty slot */
	uint32_t line;
	int32_t first, last; /* admission and leaving day (INT32_MAX while on roll) */
} spell_seen;

struct csv_ctx {
	const export_sink *sink;
	const csv_file_def *def;
	int err; /* -ENOMEM while loading a row */
	spell_seen *seen;
	size_t nseen, capseen; /* capseen: power of two, 0 before the first pupil */
};

static bool is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static void vals_free(row_vals *v)
{
	free(v->buf);
	v->buf = NULL;
}

/* Copies the first ncols fields of row into v, trimmed. Returns 0 or -ENOMEM. */
static int vals_load(row_vals *v, const csvread_row *row, size_t ncols)
{
	size_t total = 0, at = 0;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; i < ncols; i++)
		if (row->field[i])
			total += row->len[i] + 1;
	v->buf = malloc(total ? total : 1);
	if (!v->buf)
		return -ENOMEM;
	for (size_t i = 0; i < ncols; i++) {
		const char *s = row->field[i];
		size_t n = row->len[i];

		if (!s)
			continue;
		while (n > 0 && is_blank(*s)) {
			s++;
			n--;
		}
		while (n > 0 && is_blank(s[n - 1]))
			n--;
		memcpy(v->buf + at, s, n);
		v->buf[at + n] = '\0';
		v->v[i] = v->buf + at;
		v->n[i] = n;
		at += n + 1;
	}
	return 0;
}

static bool has(const row_vals *v, int i)
{
	return v->v[i] && v->n[i] > 0;
}

/* The field as a wire string, NULL when absent or empty (the item lives only during the sink
 * call and the sink does not write through it). */
static char *str(const row_vals *v, int i)
{
	return has(v, i) ? (char *)v->v[i] : NULL;
}

/* Quotes at most ECHO_MAX characters of a bad value, non-printable bytes as '?'. Only for fields
 * that carry no personal data. */
static const char *echo(const char *s, size_t n, char out[ECHO_MAX + 4])
{
	size_t k = n < ECHO_MAX ? n : ECHO_MAX;

	for (size_t i = 0; i < k; i++)
		out[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (n > k) {
		memcpy(out + k, "...", 3);
		k += 3;
	}
	out[k] = '\0';
	return out;
}

static int __attribute__((format(printf, 3, 4)))
fail(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* An optional date; personal dates (date of birth) are never quoted back. */
static int get_date(const row_vals *v, int i, bool personal, protobuf_c_boolean *has_out,
                    int32_t *out, char *why, size_t whylen)
{
	char e[ECHO_MAX + 4];

	*has_out = 0;
	if (!has(v, i))
		return 0;
	if (date_parse(v->v[i], v->n[i], out) < 0) {
		if (personal)
			return fail(why, whylen, "not a date (YYYY-MM-DD)");
		return fail(why, whylen, "not a date (YYYY-MM-DD): '%s'",
		            echo(v->v[i], v->n[i], e));
	}
	*has_out = 1;
	return 0;
}

static int get_yn(const row_vals *v, int i, protobuf_c_boolean *has_out, protobuf_c_boolean *out,
                  char *why, size_t whylen)
{
	char e[ECHO_MAX + 4];

	*has_out = 0;
	if (!has(v, i))
		return 0;
	if (strcmp(v->v[i], "Y") != 0 && strcmp(v->v[i], "N") != 0)
		return fail(why, whylen, "must be Y or N, got '%s'", echo(v->v[i], v->n[i], e));
	*out = v->v[i][0] == 'Y';
	*has_out = 1;
	return 0;
}

static int get_session(const row_vals *v, int i, protobuf_c_boolean *has_out,
                       Rollcall__Session *out, char *why, size_t whylen)
{
	char e[ECHO_MAX + 4];

	*has_out = 0;
	if (!has(v, i))
		return 0;
	if (strcmp(v->v[i], "AM") == 0)
		*out = ROLLCALL__SESSION__AM;
	else if (strcmp(v->v[i], "PM") == 0)
		*out = ROLLCALL__SESSION__PM;
	else
		return fail(why, whylen, "must be AM or PM, got '%s'", echo(v->v[i], v->n[i], e));
	*has_out = 1;
	return 0;
}

/* An optional whole number (digits only, no sign, at most UINT32_MAX); its range is a rule of
 * lib/validate. */
static int get_uint(const row_vals *v, int i, protobuf_c_boolean *has_out, uint32_t *out, char *why,
                    size_t whylen)
{
	char e[ECHO_MAX + 4];
	uint64_t x = 0;

	*has_out = 0;
	if (!has(v, i))
		return 0;
	for (size_t k = 0; k < v->n[i]; k++) {
		char ch = v->v[i][k];

		if (ch < '0' || ch > '9' || (x = x * 10 + (uint64_t)(ch - '0')) > UINT32_MAX)
			return fail(why, whylen, "not a whole number: '%s'",
			            echo(v->v[i], v->n[i], e));
	}
	*out = (uint32_t)x;
	*has_out = 1;
	return 0;
}

static uint64_t upn_hash(const char *upn)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < UPN_LEN; i++)
		h = (h ^ (unsigned char)upn[i]) * 1099511628211ull;
	return h ^ (h >> 31);
}

/* The slot of upn in the open-addressing table (an empty one when it is not there). */
static spell_seen *spell_slot(csv_ctx *c, const char *upn)
{
	size_t i = upn_hash(upn) & (c->capseen - 1);

	while (c->seen[i].upn[0] && memcmp(c->seen[i].upn, upn, UPN_LEN))
		i = (i + 1) & (c->capseen - 1);
	return &c->seen[i];
}

static int spell_grow(csv_ctx *c)
{
	csv_ctx bigger = {.capseen = c->capseen ? c->capseen * 2 : 1024};

	bigger.seen = calloc(bigger.capseen, sizeof(*bigger.seen));
	if (!bigger.seen)
		return -ENOMEM;
	for (size_t i = 0; i < c->capseen; i++)
		if (c->seen[i].upn[0])
			*spell_slot(&bigger, c->seen[i].upn) = c->seen[i];
	free(c->seen);
	c->seen = bigger.seen;
	c->capseen = bigger.capseen;
	return 0;
}

/* A pupils.csv row for a UPN seen before is a second spell on roll (a re-admission, contract.md
 * §1) only when the two spells do not overlap; otherwise it is the same pupil twice and is
 * rejected, naming the first row. Only the latest row per UPN is remembered: an export lists a
 * pupil's spells oldest first, and a row overlapping an older one overlaps the latest too in
 * every export that lists them in order. Returns 0, -EINVAL (reason in why) or -ENOMEM. */
static int spell_check(csv_ctx *c, const Rollcall__Pupil *p, char *why, size_t whylen)
{
	int32_t first = p->admission_date;
	int32_t last = p->has_leaving_date ? p->leaving_date : INT32_MAX;
	spell_seen *e;
	int rc;

	if (!p->upn || strlen(p->upn) != UPN_LEN || !p->has_admission_date)
		return 0; /* the item rules reject it */
	if ((c->nseen + 1) * 2 > c->capseen && (rc = spell_grow(c)) < 0) {
		c->err = rc;
		return rc;
	}
	e = spell_slot(c, p->upn);
	if (e->upn[0] && first <= e->last && e->first <= last)
		return fail(why, whylen,
		            "the same pupil as line %u (a second row for the same days "
		            "on roll)",
		            e->line);
	if (!e->upn[0]) {
		memcpy(e->upn, p->upn, UPN_LEN + 1);
		c->nseen++;
	}
	e->line = p->line;
	e->first = first;
	e->last = last;
	return 0;
}

/* Inside an emit function: when check fails, the row is rejected on field. */
#define CHECK(field, check)                                                                        \
	do {                                                                                       \
		if ((check) < 0) {                                                                 \
			*bad = (field);                                                            \
			return 0;                                                                  \
		}                                                                                  \
	} while (0)

static int emit_session(csv_ctx *c, const row_vals *v, uint32_t line, const char **bad, char *why,
                        size_t whylen)
{
	Rollcall__CalendarSession s = ROLLCALL__CALENDAR_SESSION__INIT;

	s.has_line = 1;
	s.line = line;
	CHECK("date", get_date(v, COL_S_DATE, false, &s.has_date, &s.date, why, whylen));
	CHECK("session", get_session(v, COL_S_SESSION, &s.has_session, &s.session, why, whylen));
	CHECK("open", get_yn(v, COL_S_OPEN, &s.has_open, &s.open, why, whylen));
	s.term = str(v, COL_S_TERM);
	return c->sink->session ? c->sink->session(c->sink->user, &s) : 0;
}

static int emit_pupil(csv_ctx *c, const row_vals *v, uint32_t line, const char **bad, char *why,
                      size_t whylen)
{
	Rollcall__Pupil p = ROLLCALL__PUPIL__INIT;
	int rc;

	p.has_line = 1;
	p.line = line;
	CHECK("date_of_birth",
	      get_date(v, COL_P_DOB, true, &p.has_date_of_birth, &p.date_of_birth, why, whylen));
	CHECK("admission_date", get_date(v, COL_P_ADMISSION, false, &p.has_admission_date,
	                                 &p.admission_date, why, whylen));
	CHECK("leaving_date",
	      get_date(v, COL_P_LEAVING, false, &p.has_leaving_date, &p.leaving_date, why, whylen));
	CHECK("entered_on",
	      get_date(v, COL_P_ENTERED_ON, false, &p.has_entered_on, &p.entered_on, why, whylen));
	CHECK("destination_start", get_date(v, COL_P_DEST_START, false, &p.has_destination_start,
	                                    &p.destination_start, why, whylen));
	CHECK("boarder", get_yn(v, COL_P_BOARDER, &p.has_boarder, &p.boarder, why, whylen));
	CHECK("pupil_premium",
	      get_yn(v, COL_P_PP, &p.has_pupil_premium, &p.pupil_premium, why, whylen));
	CHECK("fsm", get_yn(v, COL_P_FSM, &p.has_fsm, &p.fsm, why, whylen));
	CHECK("previously_looked_after", get_yn(v, COL_P_PLA, &p.has_previously_looked_after,
	                                        &p.previously_looked_after, why, whylen));
	CHECK("eal", get_yn(v, COL_P_EAL, &p.has_eal, &p.eal, why, whylen));
	p.upn = str(v, COL_P_UPN);
	p.surname = str(v, COL_P_SURNAME);
	p.forename = str(v, COL_P_FORENAME);
	p.preferred_forename = str(v, COL_P_PREFERRED);
	p.sex = str(v, COL_P_SEX);
	p.nc_year = str(v, COL_P_NC_YEAR);
	/* In a file that has the column, an empty sen means no SEN and an empty social_care no
	 * social care (contract: N|K|E, empty|CIN|CPP|CLA). */
	p.sen = v->v[COL_P_SEN] ? (has(v, COL_P_SEN) ? (char *)v->v[COL_P_SEN] : "N") : NULL;
	p.social_care = (char *)v->v[COL_P_SOCIAL];
	p.leaving_reason = str(v, COL_P_LEAVING_REASON);
	p.address_line1 = str(v, COL_P_ADDR1);
	p.address_line2 = str(v, COL_P_ADDR2);
	p.town = str(v, COL_P_TOWN);
	p.postcode = str(v, COL_P_POSTCODE);
	p.ethnicity = str(v, COL_P_ETHNICITY);
	p.previous_school = str(v, COL_P_PREVIOUS_SCHOOL);
	p.destination_school = str(v, COL_P_DEST_SCHOOL);
	p.destination_address = str(v, COL_P_DEST_ADDRESS);
	p.reg_group = str(v, COL_P_CLASS);
	rc = spell_check(c, &p, why, whylen);
	if (rc == -EINVAL)
		*bad = "upn";
	if (rc < 0)
		return rc == -EINVAL ? 0 : rc;
	return c->sink->pupil ? c->sink->pupil(c->sink->user, &p) : 0;
}

static int emit_contact(csv_ctx *c, const row_vals *v, uint32_t line, const char **bad, char *why,
                        size_t whylen)
{
	Rollcall__Contact k = ROLLCALL__CONTACT__INIT;

	k.has_line = 1;
	k.line = line;
	CHECK("lives_with",
	      get_yn(v, COL_C_LIVES_WITH, &k.has_lives_with, &k.lives_with, why, whylen));
	CHECK("priority", get_uint(v, COL_C_PRIORITY, &k.has_priority, &k.priority, why, whylen));
	k.upn = str(v, COL_C_UPN);
	k.name = str(v, COL_C_NAME);
	k.relationship = str(v, COL_C_RELATIONSHIP);
	k.address = str(v, COL_C_ADDRESS);
	k.phone = str(v, COL_C_PHONE);
	return c->sink->contact ? c->sink->contact(c->sink->user, &k) : 0;
}

static int get_timestamp(const row_vals *v, int i, protobuf_c_boolean *has_out, int64_t *out,
                         char *why, size_t whylen)
{
	char e[ECHO_MAX + 4];

	*has_out = 0;
	if (!has(v, i))
		return 0;
	if (ts_parse(v->v[i], v->n[i], out) < 0)
		return fail(why, whylen, "not an ISO 8601 timestamp with zone: '%s'",
		            echo(v->v[i], v->n[i], e));
	*has_out = 1;
	return 0;
}

static int emit_mark(csv_ctx *c, const row_vals *v, uint32_t line, const char **bad, char *why,
                     size_t whylen)
{
	Rollcall__Mark m = ROLLCALL__MARK__INIT;

	m.has_line = 1;
	m.line = line;
	CHECK("date", get_date(v, COL_M_DATE, false, &m.has_date, &m.date, why, whylen));
	CHECK("session", get_session(v, COL_M_SESSION, &m.has_session, &m.session, why, whylen));
	CHECK("minutes_late",
	      get_uint(v, COL_M_MINUTES_LATE, &m.has_minutes_late, &m.minutes_late, why, whylen));
	CHECK("recorded_at",
	      get_timestamp(v, COL_M_RECORDED_AT, &m.has_recorded_at, &m.recorded_at, why, whylen));
	m.upn = str(v, COL_M_UPN);
	m.code = str(v, COL_M_CODE);
	m.recorded_by = str(v, COL_M_RECORDED_BY);
	m.amendment_reason = str(v, COL_M_AMENDMENT_REASON);
	m.comment = str(v, COL_M_COMMENT);
	return c->sink->mark ? c->sink->mark(c->sink->user, &m) : 0;
}

#undef CHECK

static const csv_file_def csv_files[] = {
        {"calendar.csv", false, columns_calendar, COL_S_N, emit_session},
        {"pupils.csv", true, columns_pupils, COL_P_N, emit_pupil},
        {"contacts.csv", false, columns_contacts, COL_C_N, emit_contact},
        {"marks.csv", true, columns_marks, COL_M_N, emit_mark},
};
#define NFILES (sizeof(csv_files) / sizeof(csv_files[0]))

static int csv_row(void *user, const csvread_row *row)
{
	csv_ctx *c = user;
	row_vals v;
	const char *bad = NULL;
	char why[REASON_MAX] = "";
	uint32_t line = row->line > UINT32_MAX ? UINT32_MAX : (uint32_t)row->line;
	int rc;

	rc = vals_load(&v, row, c->def->ncols);
	if (rc < 0) {
		c->err = rc;
		goto out;
	}
	rc = c->def->emit(c, &v, line, &bad, why, sizeof(why));
	if (rc >= 0 && bad && c->sink->reject)
		c->sink->reject(c->sink->user, c->def->name, row->line, bad, why);
out:
	vals_free(&v);
	return rc;
}

/* csvread's problems: a malformed row is a rejected row, the rest (an unknown column) a warning. */
static void csv_problem(void *user, const char *file, unsigned long line, unsigned column,
                        const char *message, bool is_error)
{
	csv_ctx *c = user;

	(void)file;
	(void)column;
	if (is_error) {
		if (c->sink->reject)
			c->sink->reject(c->sink->user, c->def->name, line, "row", message);
	} else if (c->sink->warn) {
		c->sink->warn(c->sink->user, c->def->name, line, message);
	}
}

static int path_join(char *out, size_t outlen, const char *dir, const char *name, char *err,
                     size_t errlen)
{
	int n = snprintf(out, outlen, "%s/%s", dir, name);

	if (n < 0 || (size_t)n >= outlen) {
		snprintf(err, errlen, "%s: path too long", name);
		return -ENAMETOOLONG;
	}
	return 0;
}

/* Day number of a Unix time, UTC. */
static int32_t day_of(time_t t)
{
	int64_t s = (int64_t)t;

	return (int32_t)(s >= 0 ? s / 86400 : -((-s + 86399) / 86400));
}

int export_read_csv_dir(const char *dir, const export_sink *sink, export_info *info, char *err,
                        size_t errlen)
{
	char path[PATH_MAX];
	bool present[NFILES];
	time_t newest = 0;
	bool any = false;
	int rc = 0;

	if (errlen)
		err[0] = '\0';
	/* Look at every file first: a folder without a required file is refused before anything
	 * reaches the sink, and the newest mtime dates the export. */
	for (size_t i = 0; i < NFILES; i++) {
		struct stat st;

		rc = path_join(path, sizeof(path), dir, csv_files[i].name, err, errlen);
		if (rc < 0)
			goto out;
		present[i] = stat(path, &st) == 0;
		if (!present[i] && (errno != ENOENT || csv_files[i].required)) {
			rc = -errno;
			snprintf(err, errlen, "%s: cannot read (%s)", csv_files[i].name,
			         strerror(errno));
			goto out;
		}
		if (present[i] && (!any || st.st_mtime > newest)) {
			newest = st.st_mtime;
			any = true;
		}
	}
	if (info) {
		info->school_urn = 0;
		info->exported_on = day_of(newest);
	}
	for (size_t i = 0; i < NFILES; i++) {
		csv_ctx c = {.sink = sink, .def = &csv_files[i]};

		if (!present[i])
			continue;
		rc = path_join(path, sizeof(path), dir, csv_files[i].name, err, errlen);
		if (rc < 0)
			goto out;
		rc = csvread_file(path, csv_files[i].cols, csv_files[i].ncols, csv_row, csv_problem,
		                  &c, err, errlen);
		free(c.seen);
		if (rc < 0 && c.err < 0)
			snprintf(err, errlen, "%s: out of memory", csv_files[i].name);
		else if (rc < 0 && errlen && err[0] == '\0')
			snprintf(err, errlen, "%s: reading stopped by the sink (%d)",
			         csv_files[i].name, rc);
		if (rc < 0)
			goto out;
	}
out:
	return rc;
}
