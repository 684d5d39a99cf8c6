/* Unit tests for export_csv.c: register export folders written into a temporary directory and
 * read into a recording sink (good rows, every reject reason, warnings, refused folders). */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "export.h"
#include "rollcall/date.h"

/* ---- a sink that keeps deep copies of everything it is given ---- */

#define REC_MAX 64

typedef struct rec_note {
	char *file, *field, *text;
	unsigned long line;
} rec_note;

typedef struct rec {
	Rollcall__Pupil *pupils[REC_MAX];
	Rollcall__Contact *contacts[REC_MAX];
	Rollcall__Mark *marks[REC_MAX];
	Rollcall__CalendarSession *sessions[REC_MAX];
	rec_note rejects[REC_MAX], warns[REC_MAX];
	size_t npupils, ncontacts, nmarks, nsessions, nrejects, nwarns;
	char order[4 * REC_MAX + 1]; /* 'S', 'P', 'C', 'M' in the order items arrived */
	int stop_with;               /* nonzero: every item callback returns this */
} rec;

/* Each item is packed and unpacked, so the copy also proves the item is valid on the wire. */
#define REC_KEEP(r, arr, n, type, prefix, item, letter)                                            \
	do {                                                                                       \
		size_t len = prefix##__get_packed_size(item);                                      \
		uint8_t *buf = malloc(len + 1);                                                    \
		assert_non_null(buf);                                                              \
		prefix##__pack(item, buf);                                                         \
		assert_true((r)->n < REC_MAX);                                                     \
		(r)->arr[(r)->n] = prefix##__unpack(NULL, len, buf);                               \
		assert_non_null((r)->arr[(r)->n]);                                                 \
		(r)->n++;                                                                          \
		free(buf);                                                                         \
		(r)->order[strlen((r)->order)] = (letter)[0];                                      \
	} while (0)

static int rec_pupil(void *user, const Rollcall__Pupil *p)
{
	rec *r = user;
	assert_true(p->has_line);
	REC_KEEP(r, pupils, npupils, Rollcall__Pupil, rollcall__pupil, p, "P");
	return r->stop_with;
}

static int rec_contact(void *user, const Rollcall__Contact *c)
{
	rec *r = user;
	assert_true(c->has_line);
	REC_KEEP(r, contacts, ncontacts, Rollcall__Contact, rollcall__contact, c, "C");
	return r->stop_with;
}

static int rec_mark(void *user, const Rollcall__Mark *m)
{
	rec *r = user;
	assert_true(m->has_line);
	REC_KEEP(r, marks, nmarks, Rollcall__Mark, rollcall__mark, m, "M");
	return r->stop_with;
}

static int rec_session(void *user, const Rollcall__CalendarSession *s)
{
	rec *r = user;
	assert_true(s->has_line);
	REC_KEEP(r, sessions, nsessions, Rollcall__CalendarSession, rollcall__calendar_session, s,
	         "S");
	return r->stop_with;
}

static void rec_note_add(rec_note *notes, size_t *n, const char *file, unsigned long line,
                         const char *field, const char *text)
{
	assert_true(*n < REC_MAX);
	notes[*n].file = strdup(file);
	notes[*n].field = strdup(field ? field : "");
	notes[*n].text = strdup(text);
	notes[*n].line = line;
	(*n)++;
}

static void rec_reject(void *user, const char *file, unsigned long line, const char *field,
                       const char *reason)
{
	rec *r = user;
	rec_note_add(r->rejects, &r->nrejects, file, line, field, reason);
}

static void rec_warn(void *user, const char *file, unsigned long line, const char *message)
{
	rec *r = user;
	rec_note_add(r->warns, &r->nwarns, file, line, NULL, message);
}

static export_sink rec_sink(rec *r)
{
	export_sink s = {r, rec_pupil, rec_contact, rec_mark, rec_session, rec_reject, rec_warn};
	memset(r, 0, sizeof(*r));
	return s;
}

/* Reads dir as rollcall-push does: through the checking sink (lib/validate's rules, as of
 * 2024-10-01) in front of the recorder. */
static int read_checked(const char *dir, const export_sink *sink, export_info *info, char *err,
                        size_t errlen)
{
	export_checker check;

	export_checker_init(&check, sink, date_from_ymd(2024, 10, 1), NULL);
	return export_read_csv_dir(dir, &check.sink, info, err, errlen);
}

static void rec_free(rec *r)
{
	for (size_t i = 0; i < r->npupils; i++)
		rollcall__pupil__free_unpacked(r->pupils[i], NULL);
	for (size_t i = 0; i < r->ncontacts; i++)
		rollcall__contact__free_unpacked(r->contacts[i], NULL);
	for (size_t i = 0; i < r->nmarks; i++)
		rollcall__mark__free_unpacked(r->marks[i], NULL);
	for (size_t i = 0; i < r->nsessions; i++)
		rollcall__calendar_session__free_unpacked(r->sessions[i], NULL);
	for (size_t i = 0; i < r->nrejects; i++) {
		free(r->rejects[i].file);
		free(r->rejects[i].field);
		free(r->rejects[i].text);
	}
	for (size_t i = 0; i < r->nwarns; i++) {
		free(r->warns[i].file);
		free(r->warns[i].field);
		free(r->warns[i].text);
	}
	memset(r, 0, sizeof(*r));
}

/* ---- export folders in a temporary directory ---- */

static const char *const folder_files[] = {"calendar.csv", "pupils.csv", "contacts.csv",
                                           "marks.csv"};

static void write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void set_mtime(const char *dir, const char *name, time_t t)
{
	char path[512];
	struct timespec ts[2] = {{t, 0}, {t, 0}};

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
}

static void make_dir(char *dir, size_t len)
{
	snprintf(dir, len, "/tmp/rc_export_csv.XXXXXX");
	assert_non_null(mkdtemp(dir));
}

static void remove_dir(const char *dir)
{
	char path[512];

	for (size_t i = 0; i < sizeof(folder_files) / sizeof(folder_files[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, folder_files[i]);
		unlink(path);
	}
	assert_int_equal(rmdir(dir), 0);
}

#define PUPILS_MIN_HEADER "upn,surname,forename,date_of_birth,admission_date\n"
#define MARKS_MIN_HEADER  "upn,date,session,code\n"

/* ---- a good folder: every file, every column, quoted fields, columns out of order ---- */

static const char good_calendar[] = "date,session,open\n"
                                    "2024-09-02,AM,Y\n"
                                    "2024-09-02,PM,N\n";

static const char good_pupils[] =
        "upn,surname,forename,preferred_forename,date_of_birth,sex,nc_year,admission_date,"
        "leaving_date,leaving_reason,address_line1,address_line2,town,postcode,boarder,"
        "pupil_premium,fsm,sen,social_care,previously_looked_after,eal,ethnicity\n"
        "B801200005001,Testpupil,Alpha,Al,2015-03-04,F,4,2019-09-04,,,\"1 Made-up Road, Flat "
        "\"\"B\"\"\",\"Line two, \"\"continued\"\"\",Notown,ZZ1 1ZZ,N,Y, Y ,K,CIN,N,Y,WOTH\n"
        "M80120000500A,Example,Beta,,2016-11-30,M,R,2020-09-03,2024-07-19,MOVED,,,,,,,,,,,,\n";

static const char good_contacts[] = "upn,name,relationship,lives_with,address,phone,priority\n"
                                    "B801200005001,Gamma Testparent,PAM,Y,\"1 Made-up Road, "
                                    "Notown\",01234 567890,1\n";

static const char good_marks[] =
        "code,upn,session,date,minutes_late,recorded_at,recorded_by,amendment_reason,colour\n"
        "/,B801200005001,AM,2024-09-02,,2024-09-02T08:41:00Z,A Teacher (form tutor),,blue\n"
        "L,B801200005001,PM,2024-09-02,12,2024-09-02T13:20:00+01:00,,,\n"
        "H,M80120000500A,AM,2024-07-01,0,,,Letter from parent,\n";

static void test_good_folder(void **state)
{
	char dir[64], err[256];
	export_info info = {123, 0};
	rec r;
	export_sink sink = rec_sink(&r);

	make_dir(dir, sizeof(dir));
	write_file(dir, "calendar.csv", good_calendar);
	write_file(dir, "pupils.csv", good_pupils);
	write_file(dir, "contacts.csv", good_contacts);
	write_file(dir, "marks.csv", good_marks);
	set_mtime(dir, "calendar.csv", 1725000000); /* 2024-08-30 */
	set_mtime(dir, "pupils.csv", 1725357600);   /* 2024-09-03 10:00Z */
	set_mtime(dir, "contacts.csv", 1725000000);
	set_mtime(dir, "marks.csv", date_from_ymd(2024, 9, 4) * 86400L + 86399); /* 23:59:59Z */

	assert_int_equal(read_checked(dir, &sink, &info, err, sizeof(err)), 0);
	assert_int_equal(info.school_urn, 0);
	assert_int_equal(info.exported_on, date_from_ymd(2024, 9, 4));
	assert_string_equal(r.order, "SSPPCMMM");
	assert_int_equal(r.nrejects, 0);

	/* the unknown column is a warning on the header line */
	assert_int_equal(r.nwarns, 1);
	assert_string_equal(r.warns[0].file, "marks.csv");
	assert_int_equal(r.warns[0].line, 1);
	assert_non_null(strstr(r.warns[0].text, "colour"));

	assert_int_equal(r.sessions[0]->date, date_from_ymd(2024, 9, 2));
	assert_true(r.sessions[0]->has_session && r.sessions[0]->session == ROLLCALL__SESSION__AM);
	assert_true(r.sessions[0]->has_open && r.sessions[0]->open);
	assert_true(r.sessions[1]->session == ROLLCALL__SESSION__PM && !r.sessions[1]->open);
	assert_int_equal(r.sessions[1]->line, 3);

	const Rollcall__Pupil *p = r.pupils[0];
	assert_int_equal(p->line, 2);
	assert_string_equal(p->upn, "B801200005001");
	assert_string_equal(p->surname, "Testpupil");
	assert_string_equal(p->forename, "Alpha");
	assert_string_equal(p->preferred_forename, "Al");
	assert_true(p->has_date_of_birth);
	assert_int_equal(p->date_of_birth, date_from_ymd(2015, 3, 4));
	assert_string_equal(p->sex, "F");
	assert_string_equal(p->nc_year, "4");
	assert_int_equal(p->admission_date, date_from_ymd(2019, 9, 4));
	assert_false(p->has_leaving_date);
	assert_null(p->leaving_reason);
	assert_string_equal(p->address_line1, "1 Made-up Road, Flat \"B\"");
	assert_string_equal(p->address_line2, "Line two, \"continued\"");
	assert_string_equal(p->town, "Notown");
	assert_string_equal(p->postcode, "ZZ1 1ZZ");
	assert_true(p->has_boarder && !p->boarder);
	assert_true(p->has_pupil_premium && p->pupil_premium);
	assert_true(p->has_fsm && p->fsm); /* " Y " is trimmed */
	assert_string_equal(p->sen, "K");
	assert_string_equal(p->social_care, "CIN");
	assert_true(p->has_previously_looked_after && !p->previously_looked_after);
	assert_true(p->has_eal && p->eal);
	assert_string_equal(p->ethnicity, "WOTH");
	assert_false(p->has_effective_from);

	p = r.pupils[1];
	assert_int_equal(p->line, 3);
	assert_null(p->preferred_forename);
	assert_string_equal(p->nc_year, "R");
	assert_int_equal(p->leaving_date, date_from_ymd(2024, 7, 19));
	assert_string_equal(p->leaving_reason, "MOVED");
	assert_null(p->address_line1);
	assert_null(p->postcode);
	assert_false(p->has_boarder);
	assert_false(p->has_fsm);
	assert_false(p->has_eal);
	assert_string_equal(p->sen, "N");        /* empty sen is N */
	assert_string_equal(p->social_care, ""); /* empty social_care is "none" */

	const Rollcall__Contact *c = r.contacts[0];
	assert_int_equal(c->line, 2);
	assert_string_equal(c->upn, "B801200005001");
	assert_string_equal(c->name, "Gamma Testparent");
	assert_string_equal(c->relationship, "PAM");
	assert_true(c->has_lives_with && c->lives_with);
	assert_string_equal(c->address, "1 Made-up Road, Notown");
	assert_string_equal(c->phone, "01234 567890");
	assert_true(c->has_priority);
	assert_int_equal(c->priority, 1);

	const Rollcall__Mark *m = r.marks[0];
	assert_int_equal(m->line, 2);
	assert_string_equal(m->upn, "B801200005001");
	assert_int_equal(m->date, date_from_ymd(2024, 9, 2));
	assert_int_equal(m->session, ROLLCALL__SESSION__AM);
	assert_string_equal(m->code, "/");
	assert_false(m->has_minutes_late);
	assert_true(m->has_recorded_at);
	assert_int_equal(m->recorded_at,
	                 (int64_t)(date_from_ymd(2024, 9, 2) * 86400L + 8 * 3600 + 41 * 60) *
	                         1000000);
	assert_string_equal(m->recorded_by, "A Teacher (form tutor)");
	assert_null(m->amendment_reason);
	m = r.marks[1];
	assert_string_equal(m->code, "L");
	assert_true(m->has_minutes_late);
	assert_int_equal(m->minutes_late, 12);
	assert_int_equal(m->recorded_at,
	                 (int64_t)(date_from_ymd(2024, 9, 2) * 86400L + 12 * 3600 + 20 * 60) *
	                         1000000);
	m = r.marks[2];
	assert_string_equal(m->code, "H"); /* retired code, but the session is before 19 Aug 2024 */
	assert_true(m->has_minutes_late);
	assert_int_equal(m->minutes_late, 0);
	assert_false(m->has_recorded_at);
	assert_string_equal(m->amendment_reason, "Letter from parent");
	assert_int_equal(m->line, 4);

	rec_free(&r);
	remove_dir(dir);
}

/* ---- one bad row per case: which file, line and field the reject names, and why ---- */

typedef struct reject_case {
	const char *file;   /* the file holding the bad row; the other required files are empty */
	const char *text;   /* its whole content */
	unsigned long line; /* expected reject */
	const char *field;
	const char *reason; /* exact reason, or with a trailing '*' a prefix */
	size_t accepted;    /* good rows in the same file that must still arrive */
} reject_case;

static const reject_case reject_cases[] = {
        /* pupils.csv */
        {"pupils.csv", PUPILS_MIN_HEADER "A801200005001,Doe,Jay,2015-01-01,2019-09-01\n", 2, "upn",
         "check letter is A, expected B", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B80120000500,Doe,Jay,2015-01-01,2019-09-01\n", 2, "upn",
         "must be 13 characters, got 12", 0},
        {"pupils.csv", PUPILS_MIN_HEADER ",Doe,Jay,2015-01-01,2019-09-01\n", 2, "upn", "required",
         0},
        {"pupils.csv",
         PUPILS_MIN_HEADER "B801200005001,Doe,Jay,2015-01-01,2019-09-01\n"
                           "M80120000500A,,Jay,2015-01-01,2019-09-01\n",
         3, "surname", "required", 1},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,,2015-01-01,2019-09-01\n", 2,
         "forename", "required", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,Jay,2015-02-30,2019-09-01\n", 2,
         "date_of_birth", "not a date (YYYY-MM-DD)", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,Jay,04/03/2015,2019-09-01\n", 2,
         "date_of_birth", "not a date (YYYY-MM-DD)", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,Jay,,2019-09-01\n", 2, "date_of_birth",
         "required", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,Jay,2015-01-01,01/09/2019\n", 2,
         "admission_date", "not a date (YYYY-MM-DD): '01/09/2019'", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,Jay,2015-01-01,\n", 2, "admission_date",
         "required", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,leaving_date\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,2019-08-31\n"
         "M80120000500A,Doe,Kay,2015-01-01,2019-09-01,2019-09-01\n",
         2, "leaving_date", "before the admission date", 1},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,leaving_date\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,2019-13-01\n",
         2, "leaving_date", "not a date (YYYY-MM-DD): '2019-13-01'", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,sex\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,X\n",
         2, "sex", "must be M, F or U", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,nc_year\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,15\n"
         "M80120000500A,Doe,Kay,2015-01-01,2019-09-01,14\n"
         "P201123456789,Doe,Lee,2015-01-01,2019-09-01,N1\n",
         2, "nc_year", "must be N1, N2, R or 1..14", 2},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,nc_year\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,0\n",
         2, "nc_year", "must be N1, N2, R or 1..14", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,nc_year\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,07\n",
         2, "nc_year", "must be N1, N2, R or 1..14", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,sen\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,S\n",
         2, "sen", "must be N, K or E", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,social_care\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,LAC\n",
         2, "social_care", "must be empty, CIN, CPP or CLA", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,boarder\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,yes\n",
         2, "boarder", "must be Y or N, got 'yes'", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,pupil_premium\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,1\n",
         2, "pupil_premium", "must be Y or N, got '1'", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,fsm\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,n\n",
         2, "fsm", "must be Y or N, got 'n'", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,previously_looked_after\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,X\n",
         2, "previously_looked_after", "must be Y or N, got 'X'", 0},
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,eal\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,YES\n",
         2, "eal", "must be Y or N, got 'YES'", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,Jay,2015-01-01\n", 2, "row",
         "row has 4 fields, header has 5", 0},
        /* a quoted field may span lines, but a line break is no part of a name or address */
        {"pupils.csv",
         "upn,surname,forename,date_of_birth,admission_date,address_line2\n"
         "B801200005001,Doe,Jay,2015-01-01,2019-09-01,\"Line two\ncontinued\"\n"
         "M80120000500A,Doe,Kay,2015-01-01,2019-09-01,Line two\n",
         2, "address_line2", "contains a control character", 1},
        {"pupils.csv",
         PUPILS_MIN_HEADER "B801200005001,Do\xff"
                           "e,Jay,2015-01-01,2019-09-01\n"
                           "M80120000500A,Doe,Kay,2015-01-01,2019-09-01\n",
         2, "surname", "not valid UTF-8 (byte 3)", 1},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,\xc0\xafJay,2015-01-01,2019-09-01\n", 2,
         "forename", "not valid UTF-8 (byte 1)", 0},
        {"pupils.csv",
         PUPILS_MIN_HEADER "B801200005001,Doe,Jay\xed\xa0\x80,2015-01-01,2019-09-01\n", 2,
         "forename", "not valid UTF-8 (byte 4)", 0},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,D\xc2\x85oe,Jay,2015-01-01,2019-09-01\n", 2,
         "surname", "contains a control character", 0},
        {"pupils.csv",
         PUPILS_MIN_HEADER "B801200005001,Doe,Jay,2015-01-01,2019-09-01\n"
                           "B801200005001,Doe,Jay,2015-01-01,2020-01-06\n",
         3, "upn", "the same pupil as line 2 (a second row for the same days on roll)", 1},
        {"pupils.csv", PUPILS_MIN_HEADER "B801200005001,Doe,Jay,1989-12-31,2019-09-01\n", 2,
         "date_of_birth", "not a plausible date for a pupil", 0},
        /* marks.csv */
        {"marks.csv", MARKS_MIN_HEADER "A801200005001,2024-09-02,AM,/\n", 2, "upn",
         "check letter is A, expected B", 0},
        {"marks.csv",
         MARKS_MIN_HEADER "B801200005001,2024-09-02,AM,/\n"
                          "B801200005001,2024-09-31,AM,/\n",
         3, "date", "not a date (YYYY-MM-DD): '2024-09-31'", 1},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,,AM,/\n", 2, "date", "required", 0},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,2024-09-02,am,/\n", 2, "session",
         "must be AM or PM, got 'am'", 0},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,2024-09-02,,/\n", 2, "session", "required",
         0},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,2024-09-02,AM,Q9\n", 2, "code",
         "unknown code 'Q9'", 0},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,2024-09-02,AM,l\n", 2, "code",
         "unknown code 'l'", 0},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,2024-09-02,AM,H\n", 2, "code",
         "code 'H' is retired*", 0},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,2024-07-01,AM,C1\n", 2, "code",
         "code 'C1' is only valid from*", 0},
        {"marks.csv", MARKS_MIN_HEADER "B801200005001,2024-09-02,AM,\n", 2, "code", "required", 0},
        {"marks.csv",
         "upn,date,session,code,minutes_late\n"
         "B801200005001,2024-09-02,AM,L,600\n"
         "B801200005001,2024-09-02,PM,L,601\n",
         3, "minutes_late", "must be 0..600", 1},
        {"marks.csv",
         "upn,date,session,code,minutes_late\n"
         "B801200005001,2024-09-02,AM,L,-1\n",
         2, "minutes_late", "not a whole number: '-1'", 0},
        {"marks.csv",
         "upn,date,session,code,minutes_late\n"
         "B801200005001,2024-09-02,AM,L,12.5\n",
         2, "minutes_late", "not a whole number: '12.5'", 0},
        {"marks.csv",
         "upn,date,session,code,minutes_late\n"
         "B801200005001,2024-09-02,AM,L,99999999999999999999\n",
         2, "minutes_late", "not a whole number: '9999999999999999...'", 0},
        {"marks.csv",
         "upn,date,session,code,recorded_at\n"
         "B801200005001,2024-09-02,AM,/,2024-09-02 08:41\n",
         2, "recorded_at", "not an ISO 8601 timestamp with zone: '2024-09-02 08:41'", 0},
        {"marks.csv",
         "upn,date,session,code,recorded_at\n"
         "B801200005001,2024-09-02,AM,/,9999-12-31T23:59:59Z\n",
         2, "recorded_at", "must be between 2018-08-01T00:00:00Z and 2024-10-02T23:59:59Z", 0},
        {"marks.csv",
         "upn,date,session,code,recorded_by\n"
         "B801200005001,2024-09-02,AM,/,A \x1b[31mTeacher\n",
         2, "recorded_by", "contains a control character", 0},
        /* contacts.csv */
        {"contacts.csv",
         "upn,name,lives_with,priority\n"
         "B801200005001,Gamma Doe,X,1\n",
         2, "lives_with", "must be Y or N, got 'X'", 0},
        {"contacts.csv",
         "upn,name,lives_with,priority\n"
         "B801200005001,Gamma Doe,Y,0\n",
         2, "priority", "must be 1..99", 0},
        {"contacts.csv",
         "upn,name,lives_with,priority\n"
         "B801200005001,,Y,1\n",
         2, "name", "required", 0},
        {"contacts.csv",
         "upn,name\n"
         "B801200005002,Gamma Doe\n",
         2, "upn", "check letter is B, expected*", 0},
        /* calendar.csv */
        {"calendar.csv", "date,session,open\n2024-02-30,AM,Y\n", 2, "date",
         "not a date (YYYY-MM-DD): '2024-02-30'", 0},
        {"calendar.csv", "date,session,open\n2024-09-02,EV,Y\n2024-09-02,AM,Y\n", 2, "session",
         "must be AM or PM, got 'EV'", 1},
        {"calendar.csv", "date,session,open\n2024-09-02,AM,maybe\n", 2, "open",
         "must be Y or N, got 'maybe'", 0},
        {"calendar.csv", "date,session,open\n2024-09-02,AM,\n", 2, "open", "required", 0},
};

static size_t accepted_in(const rec *r, const char *file)
{
	if (strcmp(file, "pupils.csv") == 0)
		return r->npupils;
	if (strcmp(file, "marks.csv") == 0)
		return r->nmarks;
	if (strcmp(file, "contacts.csv") == 0)
		return r->ncontacts;
	return r->nsessions;
}

static void test_reject_reasons(void **state)
{
	for (size_t i = 0; i < sizeof(reject_cases) / sizeof(reject_cases[0]); i++) {
		const reject_case *tc = &reject_cases[i];
		char dir[64], err[256];
		export_info info;
		rec r;
		export_sink sink = rec_sink(&r);
		size_t rlen = strlen(tc->reason);

		print_message("case %zu: %s %s\n", i, tc->file, tc->field);
		make_dir(dir, sizeof(dir));
		write_file(dir, "pupils.csv", PUPILS_MIN_HEADER);
		write_file(dir, "marks.csv", MARKS_MIN_HEADER);
		write_file(dir, tc->file, tc->text);

		assert_int_equal(read_checked(dir, &sink, &info, err, sizeof(err)), 0);
		assert_int_equal(r.nrejects, 1);
		assert_string_equal(r.rejects[0].file, tc->file);
		assert_int_equal(r.rejects[0].line, tc->line);
		assert_string_equal(r.rejects[0].field, tc->field);
		if (tc->reason[rlen - 1] == '*')
			assert_memory_equal(r.rejects[0].text, tc->reason, rlen - 1);
		else
			assert_string_equal(r.rejects[0].text, tc->reason);
		/* no name ever appears in a reason, nor a date of birth */
		assert_null(strstr(r.rejects[0].text, "Doe"));
		assert_null(strstr(r.rejects[0].text, "2015-"));
		assert_null(strstr(r.rejects[0].text, "04/03"));
		assert_int_equal(accepted_in(&r, tc->file), tc->accepted);
		assert_int_equal(r.npupils + r.nmarks + r.ncontacts + r.nsessions, tc->accepted);
		rec_free(&r);
		remove_dir(dir);
	}
}

/* ---- folders that are refused as a whole ---- */

typedef struct refuse_case {
	const char *files[4]; /* content per folder_files entry; NULL: file absent */
	int rc;
	const char *err_has;
} refuse_case;

static const refuse_case refuse_cases[] = {
        {{NULL, NULL, NULL, MARKS_MIN_HEADER}, -ENOENT, "pupils.csv: cannot read"},
        {{NULL, PUPILS_MIN_HEADER, NULL, NULL}, -ENOENT, "marks.csv: cannot read"},
        {{NULL, PUPILS_MIN_HEADER, NULL, "upn,date,session\n"},
         -EINVAL,
         "missing required column 'code'"},
        {{NULL, "upn,surname,forename,date_of_birth\n", NULL, MARKS_MIN_HEADER},
         -EINVAL,
         "missing required column 'admission_date'"},
        {{"date,session\n", PUPILS_MIN_HEADER, NULL, MARKS_MIN_HEADER},
         -EINVAL,
         "missing required column 'open'"},
        {{NULL, PUPILS_MIN_HEADER, "upn,phone\n", MARKS_MIN_HEADER},
         -EINVAL,
         "missing required column 'name'"},
        {{NULL, PUPILS_MIN_HEADER, NULL, MARKS_MIN_HEADER "B801200005001,2024-09-02,AM,\"/\n"},
         -EINVAL,
         "unterminated quoted field"},
};

static void test_refused_folders(void **state)
{
	for (size_t i = 0; i < sizeof(refuse_cases) / sizeof(refuse_cases[0]); i++) {
		const refuse_case *tc = &refuse_cases[i];
		char dir[64], err[256] = "";
		export_info info;
		rec r;
		export_sink sink = rec_sink(&r);

		print_message("case %zu: %s\n", i, tc->err_has);
		make_dir(dir, sizeof(dir));
		for (size_t f = 0; f < 4; f++)
			if (tc->files[f])
				write_file(dir, folder_files[f], tc->files[f]);
		assert_int_equal(read_checked(dir, &sink, &info, err, sizeof(err)), tc->rc);
		assert_non_null(strstr(err, tc->err_has));
		rec_free(&r);
		remove_dir(dir);
	}
}

/* A missing file is noticed before anything reaches the sink. */
static void test_missing_file_sends_nothing(void **state)
{
	char dir[64], err[256];
	export_info info;
	rec r;
	export_sink sink = rec_sink(&r);

	make_dir(dir, sizeof(dir));
	write_file(dir, "calendar.csv", good_calendar);
	write_file(dir, "pupils.csv", good_pupils);
	assert_int_equal(read_checked(dir, &sink, &info, err, sizeof(err)), -ENOENT);
	assert_string_equal(r.order, "");
	rec_free(&r);
	remove_dir(dir);
}

/* Optional files may be absent; a sink that fails stops the reader with its own value. */
static void test_optional_files_and_sink_stop(void **state)
{
	char dir[64], err[256];
	export_info info;
	rec r;
	export_sink sink = rec_sink(&r);

	make_dir(dir, sizeof(dir));
	write_file(dir, "pupils.csv", good_pupils);
	write_file(dir, "marks.csv", good_marks);
	assert_int_equal(read_checked(dir, &sink, &info, err, sizeof(err)), 0);
	assert_string_equal(r.order, "PPMMM");
	rec_free(&r);

	sink = rec_sink(&r);
	r.stop_with = -ECANCELED;
	assert_int_equal(read_checked(dir, &sink, &info, err, sizeof(err)), -ECANCELED);
	assert_string_equal(r.order, "P");
	assert_true(err[0] != '\0');
	rec_free(&r);
	remove_dir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_good_folder),
	        cmocka_unit_test(test_reject_reasons),
	        cmocka_unit_test(test_refused_folders),
	        cmocka_unit_test(test_missing_file_sends_nothing),
	        cmocka_unit_test(test_optional_files_and_sink_stop),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
