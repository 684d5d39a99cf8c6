/* Unit tests for export_ctf.c: the three fixture CTFs in tests/fixtures/ctf and synthetic CTFs
 * (written into a temporary directory) with FSM/SEN history, contacts and <AttendSessions>. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "export.h"
#include "rollcall/date.h"

#ifndef CTF_FIXTURES_DIR
#error "CTF_FIXTURES_DIR must name tests/fixtures/ctf"
#endif

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
	rec_note rejects[REC_MAX], warns[REC_MAX];
	size_t npupils, ncontacts, nmarks, nrejects, nwarns;
	char order[3 * REC_MAX + 1]; /* 'P', 'C', 'M' in the order items arrived */
} rec;

/* Each item is packed and unpacked, so the copy also proves the item is valid on the wire. */
#define REC_KEEP(r, arr, n, prefix, item, letter)                                                  \
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
		(r)->order[strlen((r)->order)] = (letter);                                         \
	} while (0)

static int rec_pupil(void *user, const Rollcall__Pupil *p)
{
	rec *r = user;
	assert_true(p->has_line);
	REC_KEEP(r, pupils, npupils, rollcall__pupil, p, 'P');
	return 0;
}

static int rec_contact(void *user, const Rollcall__Contact *c)
{
	rec *r = user;
	assert_true(c->has_line);
	REC_KEEP(r, contacts, ncontacts, rollcall__contact, c, 'C');
	return 0;
}

static int rec_mark(void *user, const Rollcall__Mark *m)
{
	rec *r = user;
	assert_true(m->has_line);
	REC_KEEP(r, marks, nmarks, rollcall__mark, m, 'M');
	return 0;
}

static int rec_session(void *user, const Rollcall__CalendarSession *s)
{
	fail_msg("a CTF has no calendar");
	return 0;
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

static void rec_free(rec *r)
{
	for (size_t i = 0; i < r->npupils; i++)
		rollcall__pupil__free_unpacked(r->pupils[i], NULL);
	for (size_t i = 0; i < r->ncontacts; i++)
		rollcall__contact__free_unpacked(r->contacts[i], NULL);
	for (size_t i = 0; i < r->nmarks; i++)
		rollcall__mark__free_unpacked(r->marks[i], NULL);
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

static int32_t ymd(int y, int m, int d)
{
	return date_from_ymd(y, m, d);
}

/* ---- the sample files ---- */

typedef struct sample_case {
	const char *file;
	uint32_t urn;
	int32_t exported_on;
	const char *order;   /* items as they reach the sink */
	size_t nrejects;     /* all of them wrong UPN check letters */
	const char *bad_upn; /* the first rejected UPN, its line, and upn_check's reason */
	unsigned long bad_line;
	const char *bad_reason;
} sample_case;

static void test_samples(void **state)
{
	const sample_case cases[] = {
	        /* one pupil with FSM and SEN history: four states, then four contacts */
	        {"secondary_history.xml", 139003, ymd(2024, 6, 19), "PPPPCCCC", 0, NULL, 0, NULL},
	        /* the second pupil's check letter is wrong: neither it nor its three contacts go */
	        {"primary_two_pupils.xml", 139001, ymd(2024, 4, 29), "PCCCC", 1, "A838120300112",
	         169, "check letter is A, expected K"},
	        {"partial_bad_upn.xml", 139002, ymd(2024, 4, 30), "", 1, "A933120700549", 26,
	         "check letter is A, expected L"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const sample_case *tc = &cases[i];
		char path[512], err[256];
		export_info info = {0, 0};
		rec r;
		export_sink sink = rec_sink(&r);

		print_message("sample %s\n", tc->file);
		snprintf(path, sizeof(path), "%s/%s", CTF_FIXTURES_DIR, tc->file);
		assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)), 0);
		assert_int_equal(info.school_urn, tc->urn);
		assert_int_equal(info.exported_on, tc->exported_on);
		assert_string_equal(r.order, tc->order);
		assert_int_equal(r.nrejects, tc->nrejects);
		if (tc->nrejects) {
			assert_string_equal(r.rejects[0].file, tc->file);
			assert_string_equal(r.rejects[0].field, "UPN");
			assert_int_equal(r.rejects[0].line, tc->bad_line);
			assert_string_equal(r.rejects[0].text, tc->bad_reason);
		}
		for (size_t k = 0; k < r.npupils; k++)
			assert_true(strcmp(r.pupils[k]->upn, tc->bad_upn ? tc->bad_upn : "") != 0);
		for (size_t k = 0; k < r.ncontacts; k++)
			assert_string_equal(r.contacts[k]->upn, r.pupils[0]->upn);
		rec_free(&r);
	}
}

/* Field by field on the fixtures (tests/fixtures/ctf, shaped like real CTFs, all invented). */
static void test_sample_details(void **state)
{
	const struct {
		int32_t from;
		bool fsm;
		const char *sen;
	} y12_history[] = {
	        {ymd(2016, 10, 10), true, "N"}, /* FSM starts */
	        {ymd(2017, 4, 2), false, "N"},  /* the day after FSMendDate */
	        {ymd(2019, 3, 10), false, "K"}, /* SEN support */
	        {ymd(2020, 7, 10), false, "N"}, /* SEN ends (EndDate 07-09) and N starts */
	};
	const uint32_t priorities[] = {3, 1, 2, 4};
	const bool lives_with[] = {false, true, true, false};
	char path[512], err[256];
	export_info info;
	rec r;
	export_sink sink = rec_sink(&r);

	snprintf(path, sizeof(path), "%s/secondary_history.xml", CTF_FIXTURES_DIR);
	assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)), 0);
	assert_int_equal(r.npupils, 4);
	for (size_t k = 0; k < 4; k++) {
		const Rollcall__Pupil *p = r.pupils[k];

		assert_string_equal(p->upn, "G938120500071");
		assert_int_equal(p->line, 25);
		assert_true(p->has_effective_from);
		assert_int_equal(p->effective_from, y12_history[k].from);
		assert_true(p->has_fsm);
		assert_int_equal(p->fsm, y12_history[k].fsm);
		assert_string_equal(p->sen, y12_history[k].sen);
		assert_int_equal(p->admission_date, ymd(2022, 10, 3)); /* URN 139003 in history */
		assert_false(p->has_leaving_date);
		assert_string_equal(p->sex, "F");
		assert_string_equal(p->nc_year, "11");
		assert_true(p->has_eal && !p->eal);
		assert_non_null(p->address_line1);
		assert_null(strstr(p->address_line1, "  ")); /* padded PAON collapsed */
		assert_true(p->address_line1[0] != ' ');
		assert_null(p->address_line2);
		assert_non_null(p->postcode);
		assert_null(p->social_care);
	}
	for (size_t k = 0; k < 4; k++) {
		const Rollcall__Contact *c = r.contacts[k];

		assert_true(c->has_priority);
		assert_int_equal(c->priority, priorities[k]);
		assert_int_equal(c->has_lives_with, lives_with[k]);
		if (lives_with[k]) {
			assert_true(c->lives_with);
			assert_non_null(c->address);
			assert_non_null(strstr(c->address, r.pupils[0]->postcode));
		} else {
			assert_null(c->address);
		}
		assert_non_null(c->phone);
		assert_non_null(c->name);
	}
	assert_null(r.contacts[0]->relationship);
	assert_string_equal(r.contacts[1]->relationship, "PAF");
	rec_free(&r);

	/* no history at all: one Pupil, no effective_from, FSM and SEN unknown */
	sink = rec_sink(&r);
	snprintf(path, sizeof(path), "%s/primary_two_pupils.xml", CTF_FIXTURES_DIR);
	assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)), 0);
	assert_int_equal(r.npupils, 1);
	assert_string_equal(r.pupils[0]->upn, "A838120300104");
	assert_false(r.pupils[0]->has_effective_from);
	assert_false(r.pupils[0]->has_fsm);
	assert_null(r.pupils[0]->sen);
	assert_int_equal(r.pupils[0]->admission_date, ymd(2024, 2, 24));
	assert_true(r.pupils[0]->has_eal && !r.pupils[0]->eal); /* first language ENG */
	assert_non_null(r.pupils[0]->address_line2);            /* Locality */
	rec_free(&r);
}

/* ---- synthetic CTFs ---- */

static const char synthetic_ctf[] =
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
        "<CTfile>\n"
        "<Header>\n"
        "<DocumentName>Common Transfer File</DocumentName>\n"
        "<CTFversion>20.0</CTFversion>\n"
        "<DateTime>2024-09-06T16:00:00</DateTime>\n"
        "<SourceSchool>\n"
        "<LEA>801</LEA>\n"
        "<Estab>2000</Estab>\n"
        "<URN>999001</URN>\n"
        "<SchoolName>Synthetic Primary</SchoolName>\n"
        "</SourceSchool>\n"
        "</Header>\n"
        "<CTFpupilData>\n"
        /* 1: history, looked after, marks */
        "<Pupil>\n"
        "<UPN>B801200005001</UPN>\n"
        "<Surname>Testpupil</Surname>\n"
        "<Forename>Alpha</Forename>\n"
        "<DOB>2015-03-04</DOB>\n"
        "<Gender>W</Gender>\n"
        "<BasicDetails>\n"
        "<PreferredForename>Al</PreferredForename>\n"
        "<NCyearActual>5</NCyearActual>\n"
        "<Ethnicity>WOTH</Ethnicity>\n"
        "<Languages><Type><LanguageType>F</LanguageType><Language>POL</Language></Type>"
        "</Languages>\n"
        "</BasicDetails>\n"
        "<LookedAfter><InCare>true</InCare><CareAuthority>801</CareAuthority></LookedAfter>\n"
        "<FSMhistory>\n"
        "<FSMinstance><FSMstartDate>2023-01-09</FSMstartDate><FSMendDate>2023-12-31</FSMendDate>"
        "</FSMinstance>\n"
        "<FSMinstance><FSMstartDate>2024-09-02</FSMstartDate></FSMinstance>\n"
        "</FSMhistory>\n"
        "<SENhistory>\n"
        "<SEN><StartDate>2024-04-01</StartDate><SENprovision>E</SENprovision></SEN>\n"
        "<SEN><StartDate>2023-06-01</StartDate><SENprovision>K</SENprovision>"
        "<EndDate>2024-03-31</EndDate></SEN>\n"
        "</SENhistory>\n"
        "<Address><BS7666Address><SAON> Flat  2 </SAON><PAON>  7 </PAON>"
        "<Street>Imaginary   Street</Street><Locality>Nowhere End</Locality><Town>Notown</Town>"
        "</BS7666Address><PostCode>ZZ9 9ZZ</PostCode></Address>\n"
        "<Contacts>\n"
        "<Contact><Order>1</Order><Title>Ms</Title><Surname>Testparent</Surname>"
        "<Forename>Gamma</Forename><Relationship>PAM</Relationship>"
        "<Address><AddressAsPupil>true</AddressAsPupil></Address>"
        "<Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>07000 000001</PhoneNo></Phone>"
        "<Phone><PhoneNo>07000 000002</PhoneNo></Phone></Phones></Contact>\n"
        "<Contact><Order>2</Order><Forename>Delta</Forename><Surname>Othercarer</Surname>"
        "<Relationship>OTH</Relationship><Address><AddressAsPupil>false</AddressAsPupil>"
        "<BS7666Address><PAON>9</PAON><Street>Pretend Lane</Street><Town>Elsewhere</Town>"
        "</BS7666Address><PostCode>ZZ8 8ZZ</PostCode></Address></Contact>\n"
        "<Contact><Order>x</Order><Surname>Nophone</Surname></Contact>\n"
        "<Contact><Order>4</Order><Title>Dr</Title></Contact>\n"
        "</Contacts>\n"
        "<Attendance>\n"
        "<YearData>\n"
        "<Year>2024</Year>\n"
        "<AttendSessions>\n"
        "<AttendanceStartDate>2024-09-02</AttendanceStartDate>\n"
        "<AttendanceMarks>/\\LN-#  /\\GA/H</AttendanceMarks>\n"
        "</AttendSessions>\n"
        "</YearData>\n"
        "</Attendance>\n"
        "<SchoolHistory>\n"
        "<School><LEA>801</LEA><Estab>3000</Estab><EntryDate>2018-09-05</EntryDate>"
        "<LeavingDate>2019-07-19</LeavingDate></School>\n"
        "<School><LEA>801</LEA><Estab>2000</Estab><URN>999001</URN><EntryDate>2019-09-04</"
        "EntryDate>"
        "</School>\n"
        "</SchoolHistory>\n"
        "</Pupil>\n"
        /* 2: SEN records that change nothing, admission by fallback, EAL from SuppInfo */
        "<Pupil>\n"
        "<UPN>M80120000500A</UPN>\n"
        "<Surname>Example</Surname>\n"
        "<Forename>Beta</Forename>\n"
        "<DOB>2016-11-30</DOB>\n"
        "<Gender>F</Gender>\n"
        "<BasicDetails>\n"
        "<NCyearActual>X</NCyearActual>\n"
        "<Languages><Type><LanguageType>F</LanguageType><Language>ENG</Language></Type></"
        "Languages>\n"
        "<SuppInfo><EnglishAsAdditionalLanguage>Y</EnglishAsAdditionalLanguage></SuppInfo>\n"
        "</BasicDetails>\n"
        "<SENhistory>\n"
        "<SEN><StartDate>2020-01-01</StartDate><SENprovision>N</SENprovision>"
        "<EndDate>2020-12-31</EndDate></SEN>\n"
        "<SEN><StartDate>2021-01-01</StartDate><SENprovision>N</SENprovision></SEN>\n"
        "</SENhistory>\n"
        "<SchoolHistory>\n"
        "<School><LEA>802</LEA><Estab>1111</Estab><EntryDate>2020-09-01</EntryDate></School>\n"
        "<School><LEA>802</LEA><Estab>2222</Estab><EntryDate>2021-09-01</EntryDate>"
        "<LeavingDate>2022-07-20</LeavingDate></School>\n"
        "<School><LEA>802</LEA><Estab>3333</Estab><EntryDate>2019-09-01</EntryDate></School>\n"
        "</SchoolHistory>\n"
        "</Pupil>\n"
        /* 3: wrong check letter: nothing of it goes */
        "<Pupil>\n"
        "<UPN>A801200005001</UPN>\n"
        "<Surname>Wrongletter</Surname>\n"
        "<Forename>Gamma</Forename>\n"
        "<DOB>2015-01-01</DOB>\n"
        "<Contacts><Contact><Order>1</Order><Surname>Parent</Surname></Contact></Contacts>\n"
        "<Attendance><YearData><AttendSessions>"
        "<AttendanceStartDate>2024-09-02</AttendanceStartDate>"
        "<AttendanceMarks>/\\/\\</AttendanceMarks></AttendSessions></YearData></Attendance>\n"
        "</Pupil>\n"
        /* 4: bad DOB: the pupil is rejected, its contact and marks still go */
        "<Pupil>\n"
        "<UPN>P201123456789</UPN>\n"
        "<Surname>Baddob</Surname>\n"
        "<Forename>Delta</Forename>\n"
        "<DOB>2015-02-30</DOB>\n"
        "<Contacts><Contact><Order>1</Order><Surname>Carer</Surname></Contact></Contacts>\n"
        "<Attendance><SessionAttendance>"
        "<AttendanceStartDate>2024-09-09</AttendanceStartDate>"
        "<AttendanceMarks>-I</AttendanceMarks></SessionAttendance></Attendance>\n"
        "</Pupil>\n"
        /* 5: no UPN */
        "<Pupil>\n"
        "<Surname>Noupn</Surname>\n"
        "</Pupil>\n"
        "</CTFpupilData>\n"
        "</CTfile>\n";

/* 1-based line of the first line of text that contains needle. */
static unsigned long line_with(const char *text, const char *needle)
{
	const char *at = strstr(text, needle);
	unsigned long line = 1;

	assert_non_null(at);
	for (const char *s = text; s < at; s++)
		line += *s == '\n';
	return line;
}

static void write_temp(char *path, size_t len, const char *name, const char *text)
{
	char dir[64] = "/tmp/rc_export_ctf.XXXXXX";
	FILE *f;

	assert_non_null(mkdtemp(dir));
	snprintf(path, len, "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void remove_temp(char *path)
{
	assert_int_equal(unlink(path), 0);
	*strrchr(path, '/') = '\0';
	assert_int_equal(rmdir(path), 0);
}

static void test_synthetic(void **state)
{
	const struct {
		int32_t from;
		bool fsm;
		const char *sen;
	} history[] = {
	        {ymd(2023, 1, 9), true, "N"},  /* FSM starts */
	        {ymd(2023, 6, 1), true, "K"},  /* SEN support */
	        {ymd(2024, 1, 1), false, "K"}, /* the day after FSMendDate */
	        {ymd(2024, 4, 1), false, "E"}, /* EHC plan */
	        {ymd(2024, 9, 2), true, "E"},  /* FSM again */
	};
	const int32_t mon = ymd(2024, 9, 2);
	const struct {
		int32_t date;
		Rollcall__Session session;
		const char *code;
	} marks[] = {
	        {mon, ROLLCALL__SESSION__AM, "/"},
	        {mon, ROLLCALL__SESSION__PM, "\\"},
	        {mon + 1, ROLLCALL__SESSION__AM, "L"},
	        {mon + 1, ROLLCALL__SESSION__PM, "N"},
	        {mon + 2, ROLLCALL__SESSION__PM, "#"},
	        {mon + 4, ROLLCALL__SESSION__AM, "/"},
	        {mon + 4, ROLLCALL__SESSION__PM, "\\"},
	        {mon + 5, ROLLCALL__SESSION__AM, "G"},
	        {mon + 6, ROLLCALL__SESSION__AM, "/"},
	        /* pupil 4, from Monday 2024-09-09 */
	        {mon + 7, ROLLCALL__SESSION__PM, "I"},
	};
	char path[512], err[256];
	export_info info;
	rec r;
	export_sink sink = rec_sink(&r);
	unsigned long marks_line = line_with(synthetic_ctf, "<AttendanceMarks>/\\LN");

	write_temp(path, sizeof(path), "synthetic.xml", synthetic_ctf);
	assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)), 0);
	assert_int_equal(info.school_urn, 999001);
	assert_int_equal(info.exported_on, ymd(2024, 9, 6));
	/* pupil 1: 5 states, 3 contacts (one has no name), 9 marks; pupil 2: one state;
	 * pupil 3: nothing; pupil 4: its contact and mark only */
	assert_string_equal(r.order, "PPPPPCCCMMMMMMMMMPCM");

	for (size_t k = 0; k < 5; k++) {
		const Rollcall__Pupil *p = r.pupils[k];

		assert_int_equal(p->line, line_with(synthetic_ctf, "<UPN>B80") - 1);
		assert_string_equal(p->upn, "B801200005001");
		assert_true(p->has_effective_from);
		assert_int_equal(p->effective_from, history[k].from);
		assert_true(p->has_fsm);
		assert_int_equal(p->fsm, history[k].fsm);
		assert_string_equal(p->sen, history[k].sen);
		assert_string_equal(p->surname, "Testpupil");
		assert_string_equal(p->forename, "Alpha");
		assert_string_equal(p->preferred_forename, "Al");
		assert_int_equal(p->date_of_birth, ymd(2015, 3, 4));
		assert_string_equal(p->sex, "U");
		assert_string_equal(p->nc_year, "5");
		assert_string_equal(p->ethnicity, "WOTH");
		assert_string_equal(p->address_line1, "Flat 2 7 Imaginary Street");
		assert_string_equal(p->address_line2, "Nowhere End");
		assert_string_equal(p->town, "Notown");
		assert_string_equal(p->postcode, "ZZ9 9ZZ");
		assert_int_equal(p->admission_date, ymd(2019, 9, 4));
		assert_true(p->has_eal && p->eal); /* first language POL */
		assert_string_equal(p->social_care, "CLA");
	}

	const Rollcall__Contact *c = r.contacts[0];
	assert_int_equal(c->line, line_with(synthetic_ctf, "<Contact><Order>1</Order><Title>Ms"));
	assert_string_equal(c->upn, "B801200005001");
	assert_string_equal(c->name, "Ms Gamma Testparent");
	assert_string_equal(c->relationship, "PAM");
	assert_true(c->has_lives_with && c->lives_with);
	assert_string_equal(c->address, "Flat 2 7 Imaginary Street, Nowhere End, Notown, ZZ9 9ZZ");
	assert_string_equal(c->phone, "07000 000001");
	assert_int_equal(c->priority, 1);
	c = r.contacts[1];
	assert_string_equal(c->name, "Delta Othercarer");
	assert_true(c->has_lives_with && !c->lives_with);
	assert_string_equal(c->address, "9 Pretend Lane, Elsewhere, ZZ8 8ZZ");
	assert_null(c->phone);
	assert_int_equal(c->priority, 2);
	c = r.contacts[2];
	assert_string_equal(c->name, "Nophone");
	assert_false(c->has_priority); /* Order "x": warned */
	assert_false(c->has_lives_with);
	assert_null(c->address);

	for (size_t k = 0; k < sizeof(marks) / sizeof(marks[0]); k++) {
		const Rollcall__Mark *m = r.marks[k];

		assert_true(m->has_date && m->has_session);
		assert_int_equal(m->date, marks[k].date);
		assert_int_equal(m->session, marks[k].session);
		assert_string_equal(m->code, marks[k].code);
		assert_string_equal(m->upn, k < 9 ? "B801200005001" : "P201123456789");
		if (k < 9)
			assert_int_equal(m->line, marks_line);
	}

	const Rollcall__Pupil *p = r.pupils[5];
	assert_string_equal(p->upn, "M80120000500A");
	assert_true(p->has_effective_from);
	assert_int_equal(p->effective_from, ymd(2020, 1, 1)); /* 2021-01-01 changes nothing */
	assert_false(p->has_fsm);                             /* no FSMhistory: unknown */
	assert_string_equal(p->sen, "N");
	assert_null(p->nc_year); /* "X": warned, left out */
	assert_string_equal(p->sex, "F");
	assert_true(p->has_eal && p->eal); /* SuppInfo's flag wins over the language */
	assert_int_equal(p->admission_date, ymd(2020, 9, 1)); /* latest entry not left */
	assert_null(p->social_care);
	assert_string_equal(r.contacts[3]->upn, "P201123456789");
	assert_string_equal(r.contacts[3]->name, "Carer");

	/* rejects, in file order */
	static const struct {
		const char *line_text, *field, *reason;
	} rejects[] = {
	        {"<Contact><Order>4</Order><Title>Dr", "Surname", "required"},
	        {"<AttendanceMarks>/\\LN", "AttendanceMarks", "unknown code 'A' (2024-09-07 PM)"},
	        {"<AttendanceMarks>/\\LN", "AttendanceMarks", "code 'H' is retired*"},
	        {"<UPN>A801200005001", "UPN", "check letter is A, expected B"},
	        {"<DOB>2015-02-30", "DOB", "not a date (YYYY-MM-DD)"},
	        {"<Surname>Noupn", "UPN", "required"},
	};
	assert_int_equal(r.nrejects, sizeof(rejects) / sizeof(rejects[0]));
	for (size_t k = 0; k < r.nrejects; k++) {
		size_t len = strlen(rejects[k].reason);
		unsigned long line = line_with(synthetic_ctf, rejects[k].line_text);

		print_message("reject %zu: %s %s\n", k, r.rejects[k].field, r.rejects[k].text);
		assert_string_equal(r.rejects[k].file, "synthetic.xml");
		assert_string_equal(r.rejects[k].field, rejects[k].field);
		assert_int_equal(r.rejects[k].line,
		                 k == 5 ? line - 1 : line); /* the <Pupil> line */
		if (rejects[k].reason[len - 1] == '*')
			assert_memory_equal(r.rejects[k].text, rejects[k].reason, len - 1);
		else
			assert_string_equal(r.rejects[k].text, rejects[k].reason);
		assert_null(strstr(r.rejects[k].text, "2015-"));
	}
	assert_non_null(strstr(r.rejects[2].text, "(2024-09-08 PM)"));

	/* warnings: Order "x" and NCyearActual "X"; neither names anyone */
	assert_int_equal(r.nwarns, 2);
	assert_int_equal(r.warns[0].line, line_with(synthetic_ctf, "<Order>x"));
	assert_int_equal(r.warns[1].line, line_with(synthetic_ctf, "<NCyearActual>X"));
	for (size_t k = 0; k < r.nwarns; k++) {
		assert_null(strstr(r.warns[k].text, "Nophone"));
		assert_null(strstr(r.warns[k].text, "Example"));
	}
	rec_free(&r);
	remove_temp(path);
}

/* Header oddities: a URN that is not 6 digits, a DateTime that is not a date. */
static void test_header(void **state)
{
	static const struct {
		const char *urn, *datetime;
		uint32_t want_urn;
		bool want_warn;
	} cases[] = {
	        {"123456", "2024-09-06T16:00:00", 123456, false},
	        {"XXXXXX", "2024-09-06", 0, false},
	        {"12345", "2024-09-06T16:00:00+01:00", 0, false},
	        {"1234567", "2024-09-06T16:00:00", 0, false},
	        {"012345", "06/09/2024", 12345, true},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char text[1024], path[512], err[256];
		export_info info = {99, 0};
		rec r;
		export_sink sink = rec_sink(&r);

		snprintf(text, sizeof(text),
		         "<?xml version=\"1.0\"?>\n<CTfile><Header><DateTime>%s</DateTime>"
		         "<SourceSchool><URN>%s</URN></SourceSchool></Header><CTFpupilData/>"
		         "</CTfile>\n",
		         cases[i].datetime, cases[i].urn);
		write_temp(path, sizeof(path), "header.xml", text);
		assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)), 0);
		assert_int_equal(info.school_urn, cases[i].want_urn);
		assert_int_equal(r.nwarns, cases[i].want_warn);
		if (!cases[i].want_warn)
			assert_int_equal(info.exported_on, ymd(2024, 9, 6));
		assert_string_equal(r.order, "");
		rec_free(&r);
		remove_temp(path);
	}
}

/* Files that are refused as a whole. */
static void test_refused(void **state)
{
	static const struct {
		const char *text; /* NULL: the file does not exist */
		int rc;
		const char *err_has;
	} cases[] = {
	        {NULL, -ENOENT, "bad.xml: cannot read"},
	        {"<CTfile><Header></CTfile>\n", -EINVAL, "bad.xml:1: not well-formed XML"},
	        {"", -EINVAL, "not well-formed XML"},
	        {"<?xml version=\"1.0\"?>\n<Other/>\n", -EINVAL, "not a CTF"},
	        /* no entity is ever declared in a CTF: external, general or parameter */
	        {"<!DOCTYPE CTfile [<!ENTITY x SYSTEM \"http://127.0.0.1:9/x\">]>\n"
	         "<CTfile><Header>&x;</Header></CTfile>\n",
	         -EINVAL, "bad.xml:1: declares an entity (<!ENTITY>), which a CTF never does"},
	        {"<?xml version=\"1.0\"?>\n<!DOCTYPE CTfile [\n<!ENTITY % p "
	         "\"x\">\n]>\n<CTfile/>\n",
	         -EINVAL, "bad.xml:3: declares an entity"},
	        {"<!DOCTYPE CTfile [<!ENTITY a \"aaaa\">]><CTfile><Header>&a;&a;</Header></CTfile>",
	         -EINVAL, "bad.xml:1: declares an entity"},
	        /* an undeclared entity is not well-formed */
	        {"<CTfile><Header>&nope;</Header></CTfile>\n", -EINVAL, "not well-formed XML"},
	        /* an external DTD is not fetched: the file is read as it is */
	        {"<!DOCTYPE CTfile SYSTEM \"http://127.0.0.1:9/ctf.dtd\">\n<CTfile><Header/>"
	         "</CTfile>\n",
	         0, ""},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char path[512], err[256] = "";
		export_info info;
		rec r;
		export_sink sink = rec_sink(&r);

		print_message("case %zu: %s\n", i, cases[i].err_has);
		if (cases[i].text) {
			write_temp(path, sizeof(path), "bad.xml", cases[i].text);
		} else {
			write_temp(path, sizeof(path), "bad.xml", "");
			assert_int_equal(unlink(path), 0);
		}
		assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)),
		                 cases[i].rc);
		print_message("  err: %s\n", err);
		assert_non_null(strstr(err, cases[i].err_has));
		assert_string_equal(r.order, "");
		rec_free(&r);
		if (cases[i].text) {
			remove_temp(path);
		} else {
			*strrchr(path, '/') = '\0';
			assert_int_equal(rmdir(path), 0);
		}
	}
}

/* Entity amplification: a 110 KB file whose one entity is referenced 20,000 times would
 * expand to 1 GB (libxml2 2.9.14's own check catches only deep nesting, as in billion
 * laughs). It is refused at the declaration, and reading it costs next to no memory. */
static void test_amplification(void **state)
{
	static const char laughs_head[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE CTfile [\n";
	size_t big = 50000, refs = 20000;
	char *text = malloc(big + 3 * refs + 512), *o = text, path[512], err[256];
	struct rusage before, after;
	export_info info;
	rec r;
	export_sink sink = rec_sink(&r);

	assert_non_null(text);
	o += sprintf(o, "%s<!ENTITY a \"", laughs_head);
	memset(o, 'A', big);
	o += big;
	o += sprintf(o, "\">\n]>\n<CTfile><Header><SourceSchool><URN>123456</URN></SourceSchool>"
	                "</Header><CTFpupilData><Pupil><UPN>");
	for (size_t i = 0; i < refs; i++)
		o += sprintf(o, "&a;");
	sprintf(o, "</UPN></Pupil></CTFpupilData></CTfile>\n");
	write_temp(path, sizeof(path), "quadratic.xml", text);
	free(text);
	assert_int_equal(getrusage(RUSAGE_SELF, &before), 0);
	assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)), -EINVAL);
	assert_int_equal(getrusage(RUSAGE_SELF, &after), 0);
	print_message("%s; peak RSS grew by %ld KiB\n", err, after.ru_maxrss - before.ru_maxrss);
	assert_string_equal(err, "quadratic.xml:3: declares an entity (<!ENTITY>), which a CTF "
	                         "never does: refused, as entities can expand without bound");
	assert_true(after.ru_maxrss - before.ru_maxrss < 32 * 1024);
	assert_string_equal(r.order, "");
	rec_free(&r);
	remove_temp(path);

	/* A file over the size budget is refused unread (a sparse file: no disk is used). */
	write_temp(path, sizeof(path), "huge.xml", "<CTfile/>");
	assert_int_equal(truncate(path, (off_t)257 << 20), 0);
	sink = rec_sink(&r);
	assert_int_equal(export_read_ctf(path, &sink, &info, err, sizeof(err)), -EFBIG);
	assert_string_equal(err, "huge.xml: 269484032 bytes, more than the 256 MiB a CTF may be");
	rec_free(&r);
	remove_temp(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_samples),   cmocka_unit_test(test_sample_details),
	        cmocka_unit_test(test_synthetic), cmocka_unit_test(test_header),
	        cmocka_unit_test(test_refused),   cmocka_unit_test(test_amplification),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
