/* Item-level validation shared by rollcalld and rollcall-push. */
#include "rollcall/validate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/upn.h"
#include "rollcall/wire.h"

static int fail(validate_error *e, const char *field, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int fail(validate_error *e, const char *field, const char *fmt, ...)
{
	va_list ap;

	e->field = field;
	va_start(ap, fmt);
	vsnprintf(e->reason, sizeof(e->reason), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void validate_window_for(int32_t today, validate_window *w)
{
	w->first_day = date_academic_year_start(date_academic_year(today) - 6);
	w->last_day = today + 1;
}

static int check_text(validate_error *e, const char *field, const char *s, size_t max, int required)
{
	if (!s || !s[0])
		return required ? fail(e, field, "required") : 0;
	if (strlen(s) > max)
		return fail(e, field, "longer than %zu characters", max);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return fail(e, field, "contains a control character");
	return 0;
}

static int check_upn(validate_error *e, const char *upn)
{
	char why[128];

	if (!upn || !upn[0])
		return fail(e, "upn", "required");
	if (upn_check(upn, strlen(upn), why, sizeof(why)) < 0)
		return fail(e, "upn", "%s", why);
	return 0;
}

static int one_of(const char *s, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(s, *allowed))
			return 1;
	return 0;
}

int validate_pupil(const Rollcall__Pupil *p, int32_t today, validate_error *e)
{
	static const char *const sexes[] = {"M", "F", "U", NULL};
	static const char *const years[] = {"N1", "N2", "R", "1",  "2",  "3",  "4",  "5",  "6",
	                                    "7",  "8",  "9", "10", "11", "12", "13", "14", NULL};
	static const char *const sens[] = {"N", "K", "E", NULL};
	static const char *const care[] = {"", "CIN", "CPP", "CLA", NULL};
	int rc;

	if ((rc = check_upn(e, p->upn)) < 0 ||
	    (rc = check_text(e, "surname", p->surname, WIRE_MAX_NAME, 1)) < 0 ||
	    (rc = check_text(e, "forename", p->forename, WIRE_MAX_NAME, 1)) < 0 ||
	    (rc = check_text(e, "preferred_forename", p->preferred_forename, WIRE_MAX_NAME, 0)) <
	            0 ||
	    (rc = check_text(e, "leaving_reason", p->leaving_reason, WIRE_MAX_REASON, 0)) < 0 ||
	    (rc = check_text(e, "address_line1", p->address_line1, WIRE_MAX_TEXT, 0)) < 0 ||
	    (rc = check_text(e, "address_line2", p->address_line2, WIRE_MAX_TEXT, 0)) < 0 ||
	    (rc = check_text(e, "town", p->town, WIRE_MAX_TEXT, 0)) < 0 ||
	    (rc = check_text(e, "postcode", p->postcode, 16, 0)) < 0 ||
	    (rc = check_text(e, "ethnicity", p->ethnicity, 16, 0)) < 0)
		return rc;
	/* Dates of birth are personal: the reason never echoes the value. */
	if (!p->has_date_of_birth)
		return fail(e, "date_of_birth", "required");
	if (p->date_of_birth > today || p->date_of_birth < date_from_ymd(1990, 1, 1))
		return fail(e, "date_of_birth", "not a plausible date of birth for a pupil");
	if (!p->has_admission_date)
		return fail(e, "admission_date", "required");
	if (p->admission_date < p->date_of_birth)
		return fail(e, "admission_date", "before the date of birth");
	if (p->has_leaving_date && p->leaving_date < p->admission_date)
		return fail(e, "leaving_date", "before the admission date");
	if (p->sex && p->sex[0] && !one_of(p->sex, sexes))
		return fail(e, "sex", "must be M, F or U");
	if (p->nc_year && p->nc_year[0] && !one_of(p->nc_year, years))
		return fail(e, "nc_year", "must be N1, N2, R or 1..14");
	if (p->sen && p->sen[0] && !one_of(p->sen, sens))
		return fail(e, "sen", "must be N, K or E");
	if (p->social_care && !one_of(p->social_care, care))
		return fail(e, "social_care", "must be empty, CIN, CPP or CLA");
	return 0;
}

int validate_contact(const Rollcall__Contact *c, validate_error *e)
{
	int rc;

	if ((rc = check_upn(e, c->upn)) < 0 ||
	    (rc = check_text(e, "name", c->name, WIRE_MAX_NAME, 1)) < 0 ||
	    (rc = check_text(e, "relationship", c->relationship, WIRE_MAX_TEXT, 0)) < 0 ||
	    (rc = check_text(e, "address", c->address, WIRE_MAX_REASON, 0)) < 0 ||
	    (rc = check_text(e, "phone", c->phone, 40, 0)) < 0)
		return rc;
	if (c->has_priority && c->priority > 99)
		return fail(e, "priority", "must be 0..99");
	return 0;
}

static int check_day(validate_error *e, const char *field, int has, int32_t day,
                     const validate_window *w)
{
	char d[11], f[11];

	if (!has)
		return fail(e, field, "required");
	if (day < w->first_day)
		return fail(e, field, "%s is before the register's retention window (from %s)",
		            date_format(day, d), date_format(w->first_day, f));
	if (day > w->last_day)
		return fail(e, field, "%s is in the future", date_format(day, d));
	return 0;
}

int validate_mark(const Rollcall__Mark *m, const validate_window *w, uint8_t *code_id,
                  validate_error *e)
{
	const rc_code *code;
	char why[128];
	int rc;

	if ((rc = check_upn(e, m->upn)) < 0 ||
	    (rc = check_day(e, "date", m->has_date, m->date, w)) < 0)
		return rc;
	if (!m->has_session)
		return fail(e, "session", "required");
	if (m->session != ROLLCALL__SESSION__AM && m->session != ROLLCALL__SESSION__PM)
		return fail(e, "session", "must be AM or PM");
	if (!m->code || !m->code[0])
		return fail(e, "code", "required");
	if (codes_check(m->code, strlen(m->code), m->date, &code, why, sizeof(why)) < 0)
		return fail(e, "code", "%s", why);
	if (m->has_minutes_late && m->minutes_late > WIRE_MAX_MINUTES)
		return fail(e, "minutes_late", "must be 0..%d", WIRE_MAX_MINUTES);
	if ((rc = check_text(e, "recorded_by", m->recorded_by, WIRE_MAX_TEXT, 0)) < 0 ||
	    (rc = check_text(e, "amendment_reason", m->amendment_reason, WIRE_MAX_REASON, 0)) < 0)
		return rc;
	*code_id = code->id;
	return 0;
}

int validate_session(const Rollcall__CalendarSession *s, const validate_window *w,
                     validate_error *e)
{
	char d[11];

	if (!s->has_date)
		return fail(e, "date", "required");
	/* Calendars are published ahead: only the past edge is bounded, and loosely. */
	if (s->date < w->first_day || s->date > w->last_day + 800)
		return fail(e, "date", "%s is outside the years the register keeps",
		            date_format(s->date, d));
	if (!s->has_session ||
	    (s->session != ROLLCALL__SESSION__AM && s->session != ROLLCALL__SESSION__PM))
		return fail(e, "session", "must be AM or PM");
	if (!s->has_open)
		return fail(e, "open", "required");
	return 0;
}
