/* The checking sink: lib/validate's item rules applied to what a reader produces, before anything
 * is batched, with the same messages the daemon would give. */
#include <stddef.h>

#include "export.h"
#include "rollcall/wire.h"

static int rejected(export_checker *c, Rollcall__ItemKind kind, uint32_t line,
                    const validate_error *e)
{
	if (c->next->reject)
		c->next->reject(c->next->user, c->file ? c->file : wire_kind_file(kind), line,
		                e->field, e->reason);
	return 0;
}

static int check_pupil(void *user, const Rollcall__Pupil *p)
{
	export_checker *c = user;
	validate_error e;

	if (validate_pupil(p, &c->win, &e) < 0)
		return rejected(c, ROLLCALL__ITEM_KIND__PUPIL, p->line, &e);
	return c->next->pupil ? c->next->pupil(c->next->user, p) : 0;
}

static int check_contact(void *user, const Rollcall__Contact *k)
{
	export_checker *c = user;
	validate_error e;

	if (validate_contact(k, &e) < 0)
		return rejected(c, ROLLCALL__ITEM_KIND__CONTACT, k->line, &e);
	return c->next->contact ? c->next->contact(c->next->user, k) : 0;
}

static int check_mark(void *user, const Rollcall__Mark *m)
{
	export_checker *c = user;
	validate_error e;
	uint8_t code;

	if (validate_mark(m, &c->win, &code, &e) < 0)
		return rejected(c, ROLLCALL__ITEM_KIND__MARK, m->line, &e);
	return c->next->mark ? c->next->mark(c->next->user, m) : 0;
}

static int check_session(void *user, const Rollcall__CalendarSession *s)
{
	export_checker *c = user;
	validate_error e;

	if (validate_session(s, &c->win, &e) < 0)
		return rejected(c, ROLLCALL__ITEM_KIND__SESSION, s->line, &e);
	return c->next->session ? c->next->session(c->next->user, s) : 0;
}

static void pass_reject(void *user, const char *file, unsigned long line, const char *field,
                        const char *reason)
{
	export_checker *c = user;

	if (c->next->reject)
		c->next->reject(c->next->user, file, line, field, reason);
}

static void pass_warn(void *user, const char *file, unsigned long line, const char *message)
{
	export_checker *c = user;

	if (c->next->warn)
		c->next->warn(c->next->user, file, line, message);
}

void export_checker_init(export_checker *c, const export_sink *next, int32_t today,
                         const char *file)
{
	c->next = next;
	c->file = file;
	validate_window_for(today, &c->win);
	c->sink = (export_sink){.user = c,
	                        .pupil = check_pupil,
	                        .contact = check_contact,
	                        .mark = check_mark,
	                        .session = check_session,
	                        .reject = pass_reject,
	                        .warn = pass_warn};
}
