/* Item-level validation shared by rollcalld and rollcall-push: the one place where an item's own
 * rules live (the push client's readers only turn text into typed fields). */
#include "rollcall/validate.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/ncyear.h"
#include "rollcall/upn.h"
#include "rollcall/utf8.h"
#include "rollcall/wire.h"

#define USEC_PER_DAY (86400LL * 1000000LL)

/* Dates of birth and admission dates further back than this are not a pupil's. */
#define OLDEST_DAY 7305 /* 1990-01-01 */

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
	w->today = today;
	w->first_day = date_academic_year_start(date_academic_year(today) - 6);
	w->last_day = today + 1;
}

int validate_text(const char *field, const char *s, size_t max_chars, bool required,
                  validate_error *e)
{
	size_t len, bad = 0;
	long chars;

	if (!s || !s[0])
		return required ? fail(e, field, "required") : 0;
	len = strlen(s);
	/* The value is never quoted back: it may be a name or an address. */
	chars = utf8_count(s, len, &bad);
	if (chars < 0)
		return fail(e, field, "not valid UTF-8 (byte %zu)", bad + 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f ||
		    (c == 0xc2 && i + 1 < len && (unsigned char)s[i + 1] < 0xa0))
			return fail(e, field, "contains a control character");
	}
	if ((size_t)chars > max_chars)
		return fail(e, field, "longer than %zu characters", max_chars);
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

static bool one_of(const char *s, const char *const *allowed)
{
	for (; *allowed; allowed++)
		if (!strcmp(s, *allowed))
			return true;
	return false;
}

/* A date field within [first, last]; personal dates (birth) are never quoted back. */
static int check_date(validate_error *e, const char *field, int32_t day, int32_t first,
                      int32_t last, bool personal)
{
	char d[11], a[11], b[11];

	if (day >= first && day <= last)
		return 0;
	if (personal)
		return fail(e, field, "not a plausible date for a pupil");
	if (day < first)
		return fail(e, field, "%s is before %s", date_format(day, d),
		            date_format(first, a));
	return fail(e, field, "%s is after %s", date_format(day, d), date_format(last, b));
}

int validate_batch(const Rollcall__Batch *b, const validate_window *w, validate_error *e)
{
	int rc;

	if ((rc = validate_text("source", b->source, 32, false, e)) < 0)
		return rc;
	if (b->has_exported_on &&
	    (rc = check_date(e, "exported_on", b->exported_on, OLDEST_DAY, w->last_day, false)) < 0)
		return rc;
	return 0;
}

int validate_pupil(const Rollcall__Pupil *p, const validate_window *w, validate_error *e)
{
	static const char *const sexes[] = {"M", "F", "U", NULL};
	static const char *const sens[] = {"N", "K", "E", NULL};
	static const char *const care[] = {"", "CIN", "CPP", "CLA", NULL};
	/* Admissions and leaving dates are entered ahead (a place offered for next term). */
	int32_t ahead = w->today + 366;
	int rc;

	if ((rc = check_upn(e, p->upn)) < 0 ||
	    (rc = validate_text("surname", p->surname, WIRE_MAX_NAME, true, e)) < 0 ||
	    (rc = validate_text("forename", p->forename, WIRE_MAX_NAME, true, e)) < 0 ||
	    (rc = validate_text("preferred_forename", p->preferred_forename, WIRE_MAX_NAME, false,
	                        e)) < 0 ||
	    (rc = validate_text("leaving_reason", p->leaving_reason, WIRE_MAX_REASON, false, e)) <
	            0 ||
	    (rc = validate_text("address_line1", p->address_line1, WIRE_MAX_TEXT, false, e)) < 0 ||
	    (rc = validate_text("address_line2", p->address_line2, WIRE_MAX_TEXT, false, e)) < 0 ||
	    (rc = validate_text("town", p->town, WIRE_MAX_TEXT, false, e)) < 0 ||
	    (rc = validate_text("postcode", p->postcode, 16, false, e)) < 0 ||
	    (rc = validate_text("ethnicity", p->ethnicity, 16, false, e)) < 0 ||
	    (rc = validate_text("previous_school", p->previous_school, WIRE_MAX_TEXT, false, e)) <
	            0 ||
	    (rc = validate_text("destination_school", p->destination_school, WIRE_MAX_TEXT, false,
	                        e)) < 0 ||
	    (rc = validate_text("destination_address", p->destination_address, WIRE_MAX_REASON,
	                        false, e)) < 0 ||
	    (rc = validate_text("class", p->reg_group, 32, false, e)) < 0)
		return rc;
	if (!p->has_date_of_birth)
		return fail(e, "date_of_birth", "required");
	if ((rc = check_date(e, "date_of_birth", p->date_of_birth, OLDEST_DAY, w->today, true)) < 0)
		return rc;
	if (!p->has_admission_date)
		return fail(e, "admission_date", "required");
	if (p->admission_date < p->date_of_birth)
		return fail(e, "admission_date", "before the date of birth");
	if ((rc = check_date(e, "admission_date", p->admission_date, OLDEST_DAY, ahead, false)) < 0)
		return rc;
	if (p->has_leaving_date && p->leaving_date < p->admission_date)
		return fail(e, "leaving_date", "before the admission date");
	if (p->has_leaving_date &&
	    (rc = check_date(e, "leaving_date", p->leaving_date, OLDEST_DAY, ahead, false)) < 0)
		return rc;
	/* A name is entered on the register on or before the day it is sent. */
	if (p->has_entered_on &&
	    (rc = check_date(e, "entered_on", p->entered_on, OLDEST_DAY, w->last_day, false)) < 0)
		return rc;
	if (p->has_destination_start &&
	    (rc = check_date(e, "destination_start", p->destination_start, OLDEST_DAY, ahead,
	                     false)) < 0)
		return rc;
	if (p->has_effective_from && (rc = check_date(e, "effective_from", p->effective_from,
	                                              OLDEST_DAY, w->last_day, false)) < 0)
		return rc;
	if (p->sex && p->sex[0] && !one_of(p->sex, sexes))
		return fail(e, "sex", "must be M, F or U");
	if (p->nc_year && p->nc_year[0] &&
	    ncyear_parse(p->nc_year, strlen(p->nc_year)) == NCYEAR_UNKNOWN)
		return fail(e, "nc_year", "must be " NCYEAR_EXPECTED);
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
	    (rc = validate_text("name", c->name, WIRE_MAX_NAME, true, e)) < 0 ||
	    (rc = validate_text("relationship", c->relationship, WIRE_MAX_TEXT, false, e)) < 0 ||
	    (rc = validate_text("address", c->address, WIRE_MAX_REASON, false, e)) < 0 ||
	    (rc = validate_text("phone", c->phone, 40, false, e)) < 0)
		return rc;
	if (c->has_priority && (c->priority < 1 || c->priority > VALIDATE_PRIORITY_MAX))
		return fail(e, "priority", "must be 1..%d", VALIDATE_PRIORITY_MAX);
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
	if (m->has_recorded_at && (m->recorded_at < (int64_t)w->first_day * USEC_PER_DAY ||
	                           m->recorded_at >= ((int64_t)w->last_day + 1) * USEC_PER_DAY)) {
		char f[11], l[11];

		return fail(e, "recorded_at", "must be between %sT00:00:00Z and %sT23:59:59Z",
		            date_format(w->first_day, f), date_format(w->last_day, l));
	}
	if ((rc = validate_text("recorded_by", m->recorded_by, WIRE_MAX_TEXT, false, e)) < 0 ||
	    (rc = validate_text("amendment_reason", m->amendment_reason, WIRE_MAX_REASON, false,
	                        e)) < 0 ||
	    (rc = validate_text("comment", m->comment, WIRE_MAX_REASON, false, e)) < 0)
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
	if (s->term && s->term[0] && strcmp(s->term, "autumn") && strcmp(s->term, "spring") &&
	    strcmp(s->term, "summer"))
		return fail(e, "term", "must be autumn, spring or summer");
	return 0;
}
