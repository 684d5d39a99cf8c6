/* Unit tests for rollcall-push's batcher (items packed straight into batch buffers) and spool:
 * the concatenated encoding decodes to the Batch that packing it whole gives, one pupil's
 * contacts never split, phases kept apart, batch limits, and the spool's files and lock. */
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

#include "batcher.h"
#include "rollcall/wire.h"
#include "spool.h"

#define RUN   "run-20241123T075300.000001Z-42"
#define URN   123456
#define TODAY 20000
#define MAXB  512

/* ---- a recording emit callback ------------------------------------------------------------ */

typedef struct got_batch {
	int phase;
	uint32_t seq;
	batch_counts n;
	uint8_t *data;
	size_t len;
} got_batch;

typedef struct got {
	got_batch b[MAXB];
	size_t nb;
	bool take; /* take the batcher's buffer instead of copying */
	unsigned rejects;
	uint32_t reject_lines[16];
	int closed_calls;
	uint32_t tier0, tier1;
	size_t closed_after; /* batches emitted when phase 0 was closed */
} got;

static int got_emit(void *user, batcher_batch *bb)
{
	got *g = user;
	got_batch *b;

	assert_true(g->nb < MAXB);
	b = &g->b[g->nb++];
	b->phase = bb->phase;
	b->seq = bb->seq;
	b->n = bb->n;
	b->len = bb->len;
	if (g->take) {
		memmove(bb->buf, bb->buf + bb->off, bb->len);
		b->data = bb->buf;
		bb->buf = NULL;
	} else {
		b->data = malloc(bb->len ? bb->len : 1);
		assert_non_null(b->data);
		memcpy(b->data, bb->buf + bb->off, bb->len);
	}
	return 0;
}

static void got_reject(void *user, Rollcall__ItemKind kind, uint32_t line, const char *field,
                       const char *reason)
{
	got *g = user;

	assert_non_null(field);
	assert_non_null(reason);
	if (g->rejects < 16)
		g->reject_lines[g->rejects] = line;
	g->rejects++;
}

static void got_closed(void *user, uint32_t tier0, uint32_t tier1)
{
	got *g = user;

	g->closed_calls++;
	g->tier0 = tier0;
	g->tier1 = tier1;
	g->closed_after = g->nb;
}

static void got_free(got *g)
{
	for (size_t i = 0; i < g->nb; i++)
		free(g->b[i].data);
	g->nb = 0;
}

static batcher *new_batcher_run(got *g, bool ordered, batcher_limits lim, const char *run)
{
	batcher_opts o = {.run_name = run,
	                  .school_urn = URN,
	                  .source = "csv",
	                  .ordered = ordered,
	                  .limits = lim,
	                  .cb = {g, got_emit, got_reject, got_closed}};
	batcher *b;

	if (!o.limits.marks)
		o.limits.marks = 5000;
	b = batcher_new(&o);
	assert_non_null(b);
	batcher_set_exported_on(b, TODAY);
	return b;
}

static batcher *new_batcher(got *g, bool ordered, batcher_limits lim)
{
	return new_batcher_run(g, ordered, lim, RUN);
}

/* Decodes a batch as the daemon does (budget, version, URN, id, limits). */
static Rollcall__Batch *decode(const got_batch *gb, wire_arena **arena)
{
	Rollcall__Batch *b = NULL;
	char err[256];

	*arena = wire_arena_new(256u << 20);
	assert_non_null(*arena);
	if (wire_batch_decode(*arena, gb->data, gb->len, &b, err, sizeof(err)) < 0)
		fail_msg("batch %d-%u does not decode: %s", gb->phase, gb->seq, err);
	return b;
}

/* ---- item makers ---------------------------------------------------------------------------- */

static char *text_of(size_t n, char fill)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, fill, n);
	s[n] = '\0';
	return s;
}

static char upns[64][16];

static const char *upn_n(size_t i)
{
	snprintf(upns[i % 64], sizeof(upns[0]), "X8012000%05u", (unsigned)(i % 100000));
	return upns[i % 64];
}

static Rollcall__Mark mark_of(uint32_t line, const char *upn, const char *by)
{
	Rollcall__Mark m = ROLLCALL__MARK__INIT;

	m.has_line = 1;
	m.line = line;
	m.upn = (char *)upn;
	m.has_date = 1;
	m.date = TODAY - (int32_t)(line % 300);
	m.has_session = 1;
	m.session = line % 2 ? ROLLCALL__SESSION__PM : ROLLCALL__SESSION__AM;
	m.code = line % 3 ? "/" : "C2";
	m.has_minutes_late = line % 5 == 0;
	m.minutes_late = 12;
	m.has_recorded_at = 1;
	m.recorded_at = 1700000000000000LL + line;
	m.recorded_by = (char *)by;
	return m;
}

static Rollcall__Pupil pupil_of(uint32_t line, const char *upn, const char *addr)
{
	Rollcall__Pupil p = ROLLCALL__PUPIL__INIT;

	p.has_line = 1;
	p.line = line;
	p.upn = (char *)upn;
	p.surname = "Testperson";
	p.forename = "Alpha";
	p.has_date_of_birth = 1;
	p.date_of_birth = -400; /* a negative int32 is a 10-byte varint */
	p.sex = "F";
	p.has_admission_date = 1;
	p.admission_date = TODAY - 100;
	p.address_line1 = (char *)addr;
	p.has_fsm = 1;
	p.fsm = line % 2;
	return p;
}

static Rollcall__Contact contact_of(uint32_t line, const char *upn, const char *name)
{
	Rollcall__Contact c = ROLLCALL__CONTACT__INIT;

	c.has_line = 1;
	c.line = line;
	c.upn = (char *)upn;
	c.name = (char *)name;
	c.relationship = "Parent";
	c.has_priority = 1;
	c.priority = 1;
	return c;
}

static Rollcall__CalendarSession session_of(uint32_t line)
{
	Rollcall__CalendarSession s = ROLLCALL__CALENDAR_SESSION__INIT;

	s.has_line = 1;
	s.line = line;
	s.has_date = 1;
	s.date = TODAY - (int32_t)line / 2;
	s.has_session = 1;
	s.session = line % 2;
	s.has_open = 1;
	s.open = line % 7 != 0;
	return s;
}

/* ---- 1. the concatenated encoding is the Batch ---------------------------------------------- */

typedef struct enc_case {
	const char *name;
	char kind; /* M marks, P pupils, C contacts, S sessions, X sessions and pupils mixed */
	size_t n;  /* items */
	size_t text_len; /* free text per item: sets the length prefix to 1, 2 or 3 bytes */
} enc_case;

static const enc_case enc_cases[] = {
        {"one short mark", 'M', 1, 5},
        {"short marks (1-byte lengths)", 'M', 300, 20},
        {"long marks (2-byte lengths)", 'M', 40, 300},
        {"huge marks (3-byte lengths)", 'M', 3, 20000},
        {"pupils", 'P', 50, 30},
        {"pupils with long addresses", 'P', 20, 500},
        {"contacts", 'C', 30, 40},
        {"contacts with 3-byte lengths", 'C', 3, 17000},
        {"sessions", 'S', 400, 0},
        {"sessions and pupils interleaved", 'X', 60, 150},
};

static void test_encoding_matches_whole_batch(void **state)
{
	for (size_t ci = 0; ci < sizeof(enc_cases) / sizeof(enc_cases[0]); ci++) {
		const enc_case *tc = &enc_cases[ci];
		char *text = text_of(tc->text_len, 'a' + (char)ci);
		Rollcall__Batch whole = ROLLCALL__BATCH__INIT;
		Rollcall__Mark *marks = calloc(tc->n, sizeof(*marks)),
		               **mp = calloc(tc->n, sizeof(*mp));
		Rollcall__Pupil *pupils = calloc(tc->n, sizeof(*pupils)),
		                **pp = calloc(tc->n, sizeof(*pp));
		Rollcall__Contact *contacts = calloc(tc->n, sizeof(*contacts)),
		                  **cp = calloc(tc->n, sizeof(*cp));
		Rollcall__CalendarSession *sessions = calloc(tc->n, sizeof(*sessions)),
		                          **sp = calloc(tc->n, sizeof(*sp));
		char(*keys)[16] = calloc(tc->n, 16);
		got g = {.take = ci % 2 == 1};
		batcher *b = new_batcher(&g, true, (batcher_limits){.marks = 50000});
		size_t want_len, np = 0, ns = 0;
		uint8_t *want, *again;
		wire_arena *arena;
		Rollcall__Batch *dec;

		for (size_t i = 0; i < tc->n; i++) {
			/* ascending: the contact sort keeps reading order */
			snprintf(keys[i], 16, "K%012u", (unsigned)i);
			switch (tc->kind) {
			case 'M':
				marks[i] = mark_of((uint32_t)i + 2, keys[i], text);
				mp[i] = &marks[i];
				assert_int_equal(batcher_mark(b, &marks[i]), 0);
				break;
			case 'P':
				pupils[i] = pupil_of((uint32_t)i + 2, keys[i], text);
				pp[np++] = &pupils[i];
				assert_int_equal(batcher_pupil(b, &pupils[i]), 0);
				break;
			case 'C':
				contacts[i] = contact_of((uint32_t)i + 2, keys[i], text);
				cp[i] = &contacts[i];
				assert_int_equal(batcher_contact(b, &contacts[i]), 0);
				break;
			case 'S':
				sessions[i] = session_of((uint32_t)i + 2);
				sp[ns++] = &sessions[i];
				assert_int_equal(batcher_session(b, &sessions[i]), 0);
				break;
			case 'X':
				if (i % 3) {
					sessions[i] = session_of((uint32_t)i + 2);
					sp[ns++] = &sessions[i];
					assert_int_equal(batcher_session(b, &sessions[i]), 0);
				} else {
					pupils[i] = pupil_of((uint32_t)i + 2, keys[i], text);
					pp[np++] = &pupils[i];
					assert_int_equal(batcher_pupil(b, &pupils[i]), 0);
				}
				break;
			}
		}
		assert_int_equal(batcher_finish(b), 0);
		if (g.nb != 1)
			fail_msg("%s: %zu batches, expected 1", tc->name, g.nb);

		whole.has_version = 1;
		whole.version = WIRE_VERSION;
		whole.has_school_urn = 1;
		whole.school_urn = URN;
		whole.batch_id = g.b[0].phase ? RUN "-1-00000001" : RUN "-0-00000001";
		whole.has_exported_on = 1;
		whole.exported_on = TODAY;
		whole.source = "csv";
		if (tc->kind == 'M') {
			whole.n_marks = tc->n;
			whole.marks = mp;
		} else if (tc->kind == 'C') {
			whole.n_contacts = tc->n;
			whole.contacts = cp;
		}
		whole.n_pupils = np;
		whole.pupils = pp;
		whole.n_sessions = ns;
		whole.sessions = sp;
		want_len = rollcall__batch__get_packed_size(&whole);
		want = malloc(want_len);
		assert_non_null(want);
		rollcall__batch__pack(&whole, want);

		/* One kind: byte for byte what protobuf-c packs. Mixed kinds arrive in reading
		 * order, not field order, so only the decoded message can be equal. */
		if (tc->kind != 'X') {
			if (g.b[0].len != want_len || memcmp(g.b[0].data, want, want_len) != 0)
				fail_msg(
				        "%s: bytes differ from the whole Batch packed (%zu vs %zu)",
				        tc->name, g.b[0].len, want_len);
		}
		dec = decode(&g.b[0], &arena);
		assert_int_equal(rollcall__batch__get_packed_size(dec), want_len);
		again = malloc(want_len);
		assert_non_null(again);
		rollcall__batch__pack(dec, again);
		if (memcmp(again, want, want_len) != 0)
			fail_msg("%s: decoded batch differs from the whole Batch", tc->name);
		assert_int_equal(dec->n_marks + dec->n_pupils + dec->n_contacts + dec->n_sessions,
		                 tc->n);
		assert_int_equal(g.b[0].n.marks, dec->n_marks);
		assert_int_equal(g.b[0].n.pupils, dec->n_pupils);
		assert_int_equal(g.b[0].n.contacts, dec->n_contacts);
		assert_int_equal(g.b[0].n.sessions, dec->n_sessions);
		assert_int_equal(g.b[0].phase, tc->kind == 'M' ? 1 : 0);

		wire_arena_destroy(&arena);
		free(again);
		free(want);
		batcher_destroy(&b);
		got_free(&g);
		free(keys);
		free(marks);
		free(mp);
		free(pupils);
		free(pp);
		free(contacts);
		free(cp);
		free(sessions);
		free(sp);
		free(text);
	}
}

/* ---- 2. one pupil's contacts in one batch, sorted by UPN ------------------------------------ */

typedef struct contact_case {
	const char *name;
	const char *upns; /* one letter per contact, in reading order: the pupil it belongs to */
	uint32_t limit;   /* contacts per batch */
	size_t batches;   /* expected batches */
} contact_case;

static const contact_case contact_cases[] = {
        {"all fit in one batch", "BACBAACD", 100, 1},
        {"cut between pupils only", "BACBAACD", 3, 3}, /* AAA | BB | CCD */
        {"a pupil bigger than the limit stays whole", "AAAAABBC", 2, 3},
        {"every pupil alone", "ABCDEFG", 1, 7},
        {"reverse order", "GFEDCBAGFEDCBA", 4, 4},
};

static void test_contacts_never_split(void **state)
{
	for (size_t ci = 0; ci < sizeof(contact_cases) / sizeof(contact_cases[0]); ci++) {
		const contact_case *tc = &contact_cases[ci];
		size_t n = strlen(tc->upns);
		got g = {0};
		batcher *b = new_batcher(&g, true, (batcher_limits){.contacts = tc->limit});
		int batch_of[26];
		uint32_t last_line[26] = {0};
		char last_upn[16] = "";

		for (int k = 0; k < 26; k++)
			batch_of[k] = -1;
		for (size_t i = 0; i < n; i++) {
			char u[16];
			Rollcall__Contact c;

			snprintf(u, sizeof(u), "%c80120000500%c", tc->upns[i], tc->upns[i]);
			c = contact_of((uint32_t)i + 2, u, "Parent Name");
			assert_int_equal(batcher_contact(b, &c), 0);
		}
		assert_int_equal(g.nb, 0); /* held back until phase 0 closes */
		assert_int_equal(batcher_finish(b), 0);
		if (g.nb != tc->batches)
			fail_msg("%s: %zu batches, expected %zu", tc->name, g.nb, tc->batches);
		assert_int_equal(g.closed_calls, 1);
		assert_int_equal(g.tier0, 0);
		assert_int_equal(g.tier1, tc->batches);
		for (size_t k = 0; k < g.nb; k++) {
			wire_arena *arena;
			Rollcall__Batch *d = decode(&g.b[k], &arena);
			bool single = true;

			assert_int_equal(g.b[k].phase, 0);
			assert_int_equal(g.b[k].seq, k + 1);
			for (size_t j = 0; j < d->n_contacts; j++) {
				const Rollcall__Contact *c = d->contacts[j];
				int who = c->upn[0] - 'A';

				if (strcmp(c->upn, last_upn) < 0)
					fail_msg("%s: contacts not sorted by UPN", tc->name);
				if (batch_of[who] >= 0 && batch_of[who] != (int)k)
					fail_msg("%s: contacts of pupil %c split over batches %d "
					         "and %zu",
					         tc->name, c->upn[0], batch_of[who], k);
				if (c->line <= last_line[who])
					fail_msg("%s: contacts of pupil %c out of reading order",
					         tc->name, c->upn[0]);
				if (j && strcmp(c->upn, d->contacts[0]->upn))
					single = false;
				batch_of[who] = (int)k;
				last_line[who] = c->line;
				snprintf(last_upn, sizeof(last_upn), "%s", c->upn);
			}
			/* Over the limit only when one pupil alone has more contacts. */
			if (d->n_contacts > tc->limit && !single)
				fail_msg("%s: batch %zu has %zu contacts (limit %u)", tc->name, k,
				         d->n_contacts, tc->limit);
			wire_arena_destroy(&arena);
		}
		batcher_destroy(&b);
		got_free(&g);
	}
}

static void test_contacts_per_pupil_cap(void **state)
{
	got g = {0};
	batcher *b = new_batcher(&g, true, (batcher_limits){0});
	size_t total = BATCHER_PUPIL_CONTACTS + 5;

	for (size_t i = 0; i < total; i++) {
		Rollcall__Contact c = contact_of((uint32_t)i + 2, "B801200005001", "Parent Name");
		assert_int_equal(batcher_contact(b, &c), 0);
	}
	assert_int_equal(batcher_finish(b), 0);
	assert_int_equal(g.nb, 1);
	assert_int_equal(g.b[0].n.contacts, BATCHER_PUPIL_CONTACTS);
	assert_int_equal(g.rejects, 5);
	assert_int_equal(g.reject_lines[0], BATCHER_PUPIL_CONTACTS + 2); /* the last ones go */
	batcher_destroy(&b);
	got_free(&g);
}

/* ---- 3. phases ----------------------------------------------------------------------------- */

typedef struct phase_case {
	const char *name;
	const char *items; /* S session, P pupil, C contact, M mark, in reading order */
	bool ordered;
	int fails_at;          /* index of the item refused with -EPROTO, or -1 */
	size_t closed_after;   /* batches emitted when phase 0 closed */
	uint32_t tier0, tier1; /* phase-0 batches without / with contacts */
	size_t phase1;         /* marks batches */
} phase_case;

static const phase_case phase_cases[] = {
        {"CSV order: phase 0 closes at the first mark", "SSPPCCMMMM", true, -1, 2, 1, 1, 1},
        {"CSV without contacts", "PPMM", true, -1, 1, 1, 0, 1},
        {"marks only", "MMM", true, -1, 0, 0, 0, 1},
        {"CTF order: pupil by pupil", "PCMMPCCMMPM", false, -1, 2, 1, 1, 1},
        {"a pupil after marks in CSV order is refused", "PPMMP", true, 4, 1, 1, 0, 0},
        {"nothing at all", "", true, -1, 0, 0, 0, 0},
};

static void test_phases_apart(void **state)
{
	for (size_t ci = 0; ci < sizeof(phase_cases) / sizeof(phase_cases[0]); ci++) {
		const phase_case *tc = &phase_cases[ci];
		got g = {0};
		batcher *b = new_batcher(&g, tc->ordered, (batcher_limits){.marks = 100});
		int failed = -1;
		size_t p1 = 0;

		for (size_t i = 0; tc->items[i] && failed < 0; i++) {
			const char *u = upn_n(i / 3);
			Rollcall__Pupil p = pupil_of((uint32_t)i + 2, u, "1 Street");
			Rollcall__Contact c = contact_of((uint32_t)i + 2, u, "Parent Name");
			Rollcall__Mark m = mark_of((uint32_t)i + 2, u, "Teacher");
			Rollcall__CalendarSession s = session_of((uint32_t)i + 2);
			int rc = 0;

			switch (tc->items[i]) {
			case 'S':
				rc = batcher_session(b, &s);
				break;
			case 'P':
				rc = batcher_pupil(b, &p);
				break;
			case 'C':
				rc = batcher_contact(b, &c);
				break;
			case 'M':
				rc = batcher_mark(b, &m);
				break;
			}
			if (rc == -EPROTO)
				failed = (int)i;
			else
				assert_int_equal(rc, 0);
		}
		if (failed != tc->fails_at)
			fail_msg("%s: refused item %d, expected %d", tc->name, failed,
			         tc->fails_at);
		if (failed >= 0) {
			batcher_destroy(&b);
			got_free(&g);
			continue;
		}
		if (tc->ordered && strchr(tc->items, 'M'))
			assert_int_equal(g.closed_calls, 1); /* closed before batcher_finish */
		assert_int_equal(batcher_finish(b), 0);
		assert_int_equal(g.closed_calls, 1);
		if (g.closed_after != tc->closed_after || g.tier0 != tc->tier0 ||
		    g.tier1 != tc->tier1)
			fail_msg("%s: phase 0 closed after %zu batches (%u + %u), expected %zu (%u "
			         "+ %u)",
			         tc->name, g.closed_after, g.tier0, g.tier1, tc->closed_after,
			         tc->tier0, tc->tier1);
		for (size_t k = 0; k < g.nb; k++) {
			const got_batch *gb = &g.b[k];

			if (gb->phase == 0) {
				assert_int_equal(gb->n.marks, 0);
				assert_true(k <
				            g.closed_after); /* no phase-0 batch after the close */
				/* a contacts batch holds nothing else */
				if (gb->n.contacts)
					assert_int_equal(gb->n.pupils + gb->n.sessions, 0);
			} else {
				assert_int_equal(gb->n.pupils + gb->n.contacts + gb->n.sessions, 0);
				p1++;
			}
		}
		assert_int_equal(p1, tc->phase1);
		batcher_destroy(&b);
		got_free(&g);
	}
}

/* ---- 4. limits ------------------------------------------------------------------------------ */

typedef struct limit_case {
	const char *name;
	char kind;
	size_t n;
	batcher_limits lim;
	size_t text_len;
	size_t same_from, same_to; /* pupils in [from, to) share one UPN (a CTF history) */
	size_t sizes[8];           /* expected items per batch; {0} to check bytes only */
} limit_case;

static const limit_case limit_cases[] = {
        {"marks per batch", 'M', 250, {.marks = 100}, 10, 0, 0, {100, 100, 50}},
        {"marks exactly full", 'M', 200, {.marks = 100}, 10, 0, 0, {100, 100}},
        {"pupils per batch (2000)", 'P', 4500, {.marks = 5000}, 10, 0, 0, {2000, 2000, 500}},
        {"sessions per batch (5000)", 'S', 12000, {.marks = 5000}, 0, 0, 0, {5000, 5000, 2000}},
        {"one pupil's history is not split", 'P', 2005, {.marks = 5000}, 10, 1998, 2001, {2001, 4}},
        {"bytes: marks cut before 64 KiB",
         'M',
         300,
         {.marks = 50000, .bytes = 64 * 1024},
         1000,
         0,
         0,
         {0}},
        {"bytes: pupils cut before 32 KiB",
         'P',
         200,
         {.marks = 5000, .bytes = 32 * 1024},
         700,
         0,
         0,
         {0}},
};

static void test_batch_limits(void **state)
{
	for (size_t ci = 0; ci < sizeof(limit_cases) / sizeof(limit_cases[0]); ci++) {
		const limit_case *tc = &limit_cases[ci];
		char *text = text_of(tc->text_len, 't');
		got g = {0};
		batcher *b = new_batcher(&g, false, tc->lim);
		size_t total = 0;

		for (size_t i = 0; i < tc->n; i++) {
			char u[16];
			Rollcall__Pupil p;
			Rollcall__Mark m;
			Rollcall__CalendarSession s;

			snprintf(u, sizeof(u), "U%012u",
			         (unsigned)(i >= tc->same_from && i < tc->same_to ? tc->same_from
			                                                          : i));
			p = pupil_of((uint32_t)i + 2, u, text);
			m = mark_of((uint32_t)i + 2, u, text);
			s = session_of((uint32_t)i + 2);
			if (tc->kind == 'M')
				assert_int_equal(batcher_mark(b, &m), 0);
			else if (tc->kind == 'P')
				assert_int_equal(batcher_pupil(b, &p), 0);
			else
				assert_int_equal(batcher_session(b, &s), 0);
		}
		assert_int_equal(batcher_finish(b), 0);
		for (size_t k = 0; k < g.nb; k++) {
			const got_batch *gb = &g.b[k];
			size_t items = gb->n.marks + gb->n.pupils + gb->n.sessions;
			wire_arena *arena;
			Rollcall__Batch *d = decode(gb, &arena);

			assert_int_equal(d->n_marks + d->n_pupils + d->n_sessions, items);
			assert_int_equal(gb->seq, k + 1);
			if (tc->sizes[0] && items != tc->sizes[k])
				fail_msg("%s: batch %zu has %zu items, expected %zu", tc->name, k,
				         items, tc->sizes[k]);
			if (tc->lim.bytes && gb->len > tc->lim.bytes)
				fail_msg("%s: batch %zu is %zu bytes (limit %zu)", tc->name, k,
				         gb->len, tc->lim.bytes);
			total += items;
			wire_arena_destroy(&arena);
		}
		if (tc->sizes[0] && (g.nb == 8 || tc->sizes[g.nb]))
			fail_msg("%s: %zu batches", tc->name, g.nb);
		if (!tc->sizes[0] && g.nb < 2)
			fail_msg("%s: the byte limit cut nothing", tc->name);
		assert_int_equal(total, tc->n);
		batcher_destroy(&b);
		got_free(&g);
		free(text);
	}
}

static void test_oversized_item_rejected(void **state)
{
	got g = {0};
	batcher *b = new_batcher(&g, true, (batcher_limits){0});
	char *huge = text_of(BATCHER_ITEM_MAX + 10, 'h');
	Rollcall__Mark m = mark_of(7, "B801200005001", huge);
	Rollcall__Mark ok = mark_of(8, "B801200005001", "Teacher");

	assert_int_equal(batcher_mark(b, &m), 0);
	assert_int_equal(batcher_mark(b, &ok), 0);
	assert_int_equal(batcher_finish(b), 0);
	assert_int_equal(g.rejects, 1);
	assert_int_equal(g.reject_lines[0], 7);
	assert_int_equal(g.nb, 1);
	assert_int_equal(g.b[0].n.marks, 1);
	batcher_destroy(&b);
	got_free(&g);
	free(huge);
}

static void test_bad_options(void **state)
{
	batcher_opts o = {.run_name = RUN,
	                  .school_urn = URN,
	                  .source = "csv",
	                  .limits = {.marks = 5000},
	                  .cb = {.emit = got_emit}};
	batcher_opts bad[4];
	batcher *b;

	for (size_t i = 0; i < 4; i++)
		bad[i] = o;
	bad[0].limits.marks = 0;
	bad[1].limits.marks = WIRE_MAX_MARKS + 1;
	bad[2].cb.emit = NULL;
	bad[3].limits.bytes = BATCHER_HARD_BYTES + 1;
	for (size_t i = 0; i < 4; i++)
		assert_null(batcher_new(&bad[i]));
	b = batcher_new(&o);
	assert_non_null(b);
	batcher_destroy(&b);
	assert_null(b);
	batcher_destroy(NULL);
}

/* ---- 5. the spool -----------------------------------------------------------------------------
 */

static void test_spool_runs_and_files(void **state)
{
	char base[] = "/tmp/rollcall-spool-test.XXXXXX", err[512], path[PATH_MAX];
	spool *sp = NULL, *sp2 = NULL;
	spool_run *run = NULL, **runs = NULL;
	spool_manifest m = {0};
	spool_file *files = NULL;
	size_t nruns = 0, nfiles = 0;
	got g = {0};
	batcher *b;
	uint8_t *data;
	size_t len;
	batch_counts c;
	int fd;

	assert_non_null(mkdtemp(base));
	assert_int_equal(spool_open(base, URN, &sp, err, sizeof(err)), 0);
	/* A second push for the same school is turned away. */
	assert_int_equal(spool_open(base, URN, &sp2, err, sizeof(err)), -EWOULDBLOCK);
	assert_null(sp2);

	snprintf(m.export_path, sizeof(m.export_path), "%s", base);
	assert_int_equal(
	        spool_signature(base, true, m.signature, sizeof(m.signature), err, sizeof(err)), 0);
	assert_string_equal(m.signature, "calendar.csv:-;pupils.csv:-;contacts.csv:-;marks.csv:-");
	snprintf(m.source, sizeof(m.source), "csv");
	assert_int_equal(spool_run_create(sp, &m, &run, err, sizeof(err)), 0);
	assert_int_equal(strncmp(run->name, "run-", 4), 0);

	/* Batches from the batcher written as files, listed back in phase, seq order. */
	b = new_batcher_run(&g, true, (batcher_limits){.marks = 100}, run->name);
	for (uint32_t i = 0; i < 3; i++) {
		Rollcall__Pupil p = pupil_of(i + 2, upn_n(i), "1 Street");
		assert_int_equal(batcher_pupil(b, &p), 0);
	}
	for (uint32_t i = 0; i < 250; i++) {
		Rollcall__Mark mk = mark_of(i + 2, "B801200005001", "Teacher");
		assert_int_equal(batcher_mark(b, &mk), 0);
	}
	assert_int_equal(batcher_finish(b), 0);
	assert_int_equal(g.nb, 4);
	for (size_t k = g.nb; k-- > 0;)
		assert_int_equal(spool_batch_write(run, g.b[k].phase, g.b[k].seq, g.b[k].data,
		                                   g.b[k].len, err, sizeof(err)),
		                 0);
	assert_int_equal(spool_run_pending(run, &files, &nfiles, err, sizeof(err)), 0);
	assert_int_equal(nfiles, 4);
	assert_int_equal(files[0].phase, 0);
	assert_int_equal(files[0].seq, 1);
	for (size_t k = 1; k < 4; k++) {
		assert_int_equal(files[k].phase, 1);
		assert_int_equal(files[k].seq, k);
	}
	free(files);
	assert_int_equal(spool_batch_read(run, 1, 3, &data, &len, err, sizeof(err)), 0);
	assert_int_equal(len, g.b[3].len);
	assert_memory_equal(data, g.b[3].data, len);
	assert_int_equal(spool_batch_inspect(run, 1, 3, data, len, &c), 0);
	assert_int_equal(c.marks, 50);
	/* A torn write does not decode; an empty file decodes but is no batch of this run. */
	assert_int_equal(spool_batch_inspect(run, 1, 3, data, len - 3, &c), -EBADMSG);
	assert_int_equal(spool_batch_inspect(run, 1, 3, data, 0, &c), -EBADMSG);
	/* Another batch's file under this name is not this batch. */
	assert_int_equal(spool_batch_inspect(run, 1, 2, data, len, &c), -EBADMSG);
	free(data);

	/* Settled files leave the pending list; a refused one is kept under another name. */
	assert_int_equal(spool_batch_remove(run, 1, 1), 0);
	assert_int_equal(spool_batch_remove(run, 1, 1), 0); /* already gone: fine */
	assert_int_equal(spool_batch_set_aside(run, 1, 2, "refused"), 0);
	assert_int_equal(spool_ack_append(run, "p1-00000001.pb ACCEPTED\n", 24), 0);
	assert_int_equal(spool_run_pending(run, &files, &nfiles, err, sizeof(err)), 0);
	assert_int_equal(nfiles, 2);
	free(files);
	assert_int_equal(spool_count_pending(sp), 2);

	/* The manifest says complete only after spool_run_finish. */
	assert_int_equal(spool_runs(sp, &runs, &nruns, err, sizeof(err)), 0);
	assert_int_equal(nruns, 1);
	assert_true(runs[0]->has_manifest);
	assert_int_equal(runs[0]->m.complete, 0);
	spool_runs_free(&runs, nruns);
	assert_int_equal(spool_run_finish(run, err, sizeof(err)), 0);
	assert_int_equal(spool_runs(sp, &runs, &nruns, err, sizeof(err)), 0);
	assert_int_equal(runs[0]->m.complete, 1);
	assert_string_equal(runs[0]->m.export_path, base);
	assert_string_equal(runs[0]->m.signature, m.signature);
	assert_string_equal(runs[0]->m.source, "csv");
	spool_runs_free(&runs, nruns);

	/* The signature changes when a file appears. */
	snprintf(path, sizeof(path), "%s/marks.csv", base);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
	assert_int_equal(
	        spool_signature(base, true, m.signature, sizeof(m.signature), err, sizeof(err)), 0);
	assert_int_equal(
	        strncmp(m.signature, "calendar.csv:-;pupils.csv:-;contacts.csv:-;marks.csv:1:", 55),
	        0);

	/* A spent run is pruned; one with files left is not. */
	assert_int_equal(spool_prune(sp, 0, NULL), 0);
	assert_int_equal(spool_batch_remove(run, 0, 1), 0);
	assert_int_equal(spool_batch_remove(run, 1, 3), 0);
	assert_int_equal(spool_prune(sp, 0, NULL), 0); /* the .refused file keeps it */
	assert_true(strlen(run->path) < sizeof(path) - 32);
	memcpy(path, run->path, strlen(run->path) + 1);
	strcat(path, "/p1-00000002.pb.refused");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(spool_prune(sp, 1, NULL), 0); /* the newest spent run is kept */
	assert_int_equal(spool_prune(sp, 0, NULL), 1);
	assert_int_equal(spool_runs(sp, &runs, &nruns, err, sizeof(err)), 0);
	assert_int_equal(nruns, 0);
	spool_runs_free(&runs, nruns);

	batcher_destroy(&b);
	got_free(&g);
	spool_run_destroy(&run);
	spool_close(&sp);
	/* The lock went with it. */
	assert_int_equal(spool_open(base, URN, &sp, err, sizeof(err)), 0);
	spool_close(&sp);
	snprintf(path, sizeof(path), "%s/%d/lock", base, URN);
	unlink(path);
	snprintf(path, sizeof(path), "%s/%d", base, URN);
	rmdir(path);
	unlink(path);
	snprintf(path, sizeof(path), "%s/marks.csv", base);
	unlink(path);
	rmdir(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_encoding_matches_whole_batch),
	        cmocka_unit_test(test_contacts_never_split),
	        cmocka_unit_test(test_contacts_per_pupil_cap),
	        cmocka_unit_test(test_phases_apart),
	        cmocka_unit_test(test_batch_limits),
	        cmocka_unit_test(test_oversized_item_rejected),
	        cmocka_unit_test(test_bad_options),
	        cmocka_unit_test(test_spool_runs_and_files),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
