/* Group commit. Bulk paths use binary COPY: calendar, pupils and contacts go through temporary
 * staging tables and a set-based merge; marks are compared in memory with the current marks of
 * the same dates (fetched with one query per school) and only new or changed marks are copied
 * into the append-only register, so each mark is written once. */
#include "writer.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollcall/codes.h"
#include "rollcall/date.h"
#include "rollcall/db.h"
#include "rollcall/log.h"

/* Academic years a writer remembers having made sure of (the register holds eight). */
#define WRITER_YEARS 16

struct writer {
	char *conninfo;
	PGconn *conn;
	copybuf cb;
	int years[WRITER_YEARS]; /* whose partition exists (rollcall_ensure_year said so) */
	size_t n_years;
	pthread_mutex_t cancel_mu; /* cancel, which writer_cancel uses from another thread */
	PGcancel *cancel;
	atomic_bool cancelled; /* writer_cancel was called: nothing more is committed */
};

#define COPY_FLUSH (1 << 20)

static const char stage_sql[] =
        "SET client_min_messages = warning;"
        "CREATE TEMP TABLE IF NOT EXISTS stage_session (school_urn integer, date date,"
        " session smallint, open boolean, term text, ord integer) ON COMMIT DELETE ROWS;"
        "CREATE TEMP TABLE IF NOT EXISTS stage_pupil (school_urn integer, ord integer,"
        " batch_no bigint, eff date, upn text, surname text, forename text,"
        " preferred_forename text, date_of_birth date, sex char(1), nc_year text,"
        " admission_date date, leaving_date date, leaving_reason text, address_line1 text,"
        " address_line2 text, town text, postcode text, ethnicity text, boarder boolean,"
        " pupil_premium boolean, fsm boolean, sen char(1), social_care text,"
        " previously_looked_after boolean, eal boolean, entered_on date, previous_school text,"
        " destination_school text, destination_address text, destination_start date,"
        " reg_group text) ON COMMIT DELETE ROWS;"
        "CREATE TEMP TABLE IF NOT EXISTS stage_contact (school_urn integer, pupil_id integer,"
        " ord integer, name text, relationship text, lives_with boolean, address text,"
        " phone text, priority smallint) ON COMMIT DELETE ROWS;"
        "CREATE TEMP TABLE IF NOT EXISTS stage_change (school_urn integer, from_date date)"
        " ON COMMIT DELETE ROWS;";

/* Identity and address: the row of the pupil's latest spell sent wins; unchanged rows are not
 * rewritten. A new pupil takes that row's dates; the spell merge below keeps them in step with
 * the latest stored spell afterwards. */
static const char merge_pupil_sql[] =
        "WITH latest AS (SELECT DISTINCT ON (school_urn, upn) * FROM stage_pupil"
        "  ORDER BY school_urn, upn, admission_date DESC, ord DESC),"
        " up AS (INSERT INTO pupil AS p (school_urn, upn, surname, forename, preferred_forename,"
        "  date_of_birth, sex, admission_date, leaving_date, leaving_reason, address_line1,"
        "  address_line2, town, postcode, ethnicity, first_batch, last_batch)"
        "  SELECT school_urn, upn, surname, forename, preferred_forename, date_of_birth,"
        "  coalesce(sex, 'U'), admission_date, leaving_date, leaving_reason, address_line1,"
        "  address_line2, town, postcode, ethnicity, batch_no, batch_no FROM latest"
        "  ON CONFLICT (school_urn, upn) DO UPDATE SET surname = excluded.surname,"
        "  forename = excluded.forename, preferred_forename = excluded.preferred_forename,"
        "  date_of_birth = excluded.date_of_birth, sex = excluded.sex,"
        "  address_line1 = excluded.address_line1,"
        "  address_line2 = excluded.address_line2, town = excluded.town,"
        "  postcode = excluded.postcode, ethnicity = excluded.ethnicity,"
        "  last_batch = excluded.last_batch, updated_at = now()"
        "  WHERE (p.surname, p.forename, p.preferred_forename, p.date_of_birth, p.sex,"
        "  p.address_line1, p.address_line2, p.town, p.postcode, p.ethnicity) IS DISTINCT FROM"
        "  (excluded.surname, excluded.forename, excluded.preferred_forename,"
        "  excluded.date_of_birth, excluded.sex, excluded.address_line1, excluded.address_line2,"
        "  excluded.town, excluded.postcode, excluded.ethnicity)"
        "  RETURNING school_urn, least(admission_date, leaving_date) AS from_date)"
        " INSERT INTO stage_change SELECT school_urn, min(from_date) FROM up GROUP BY school_urn";

/* Spells (contract.md §1): a row names a stored spell of the pupil when it has the same
 * admission date, or else when it overlaps a stored spell that no row names exactly (its dates
 * corrected; the nearest row takes it): that spell is updated. Any other row is a new spell (a
 * re-admission). Nothing is deleted: the admission register keeps every spell. */
static const char merge_spell_sql[] =
        "WITH sent AS (SELECT DISTINCT ON (s.school_urn, s.upn, s.admission_date) s.school_urn,"
        "   p.pupil_id, s.admission_date, s.leaving_date, s.leaving_reason,"
        "   coalesce(s.entered_on, s.admission_date) AS entered_on, s.previous_school,"
        "   s.destination_school, s.destination_address, s.destination_start, s.batch_no"
        "  FROM stage_pupil s JOIN pupil p USING (school_urn, upn)"
        "  ORDER BY s.school_urn, s.upn, s.admission_date, s.ord DESC),"
        " cand AS (SELECT sent.*, coalesce((SELECT sp.admission_date FROM pupil_spell sp"
        "    WHERE sp.school_urn = sent.school_urn AND sp.pupil_id = sent.pupil_id"
        "      AND sp.admission_date = sent.admission_date),"
        "   (SELECT sp.admission_date FROM pupil_spell sp"
        "    WHERE sp.school_urn = sent.school_urn AND sp.pupil_id = sent.pupil_id"
        "      AND sp.admission_date <= coalesce(sent.leaving_date, 'infinity')"
        "      AND coalesce(sp.leaving_date, 'infinity') >= sent.admission_date"
        "      AND NOT EXISTS (SELECT 1 FROM sent o WHERE o.school_urn = sp.school_urn"
        "        AND o.pupil_id = sp.pupil_id AND o.admission_date = sp.admission_date)"
        "    ORDER BY abs(sp.admission_date - sent.admission_date), sp.admission_date"
        "    LIMIT 1)) AS stored FROM sent),"
        " target AS (SELECT cand.*, row_number() OVER (PARTITION BY school_urn, pupil_id, stored"
        "   ORDER BY abs(admission_date - stored), admission_date) AS rk FROM cand),"
        " upd AS (UPDATE pupil_spell sp SET admission_date = t.admission_date,"
        "   leaving_date = t.leaving_date, leaving_reason = t.leaving_reason,"
        "   entered_on = t.entered_on, previous_school = t.previous_school,"
        "   destination_school = t.destination_school,"
        "   destination_address = t.destination_address,"
        "   destination_start = t.destination_start, last_batch = t.batch_no"
        "  FROM target t WHERE t.stored IS NOT NULL AND t.rk = 1"
        "   AND sp.school_urn = t.school_urn AND sp.pupil_id = t.pupil_id"
        "   AND sp.admission_date = t.stored"
        "   AND (sp.admission_date, sp.leaving_date, sp.leaving_reason, sp.entered_on,"
        "   sp.previous_school, sp.destination_school, sp.destination_address,"
        "   sp.destination_start) IS DISTINCT FROM (t.admission_date, t.leaving_date,"
        "   t.leaving_reason, t.entered_on, t.previous_school, t.destination_school,"
        "   t.destination_address, t.destination_start)"
        "  RETURNING sp.school_urn, least(t.admission_date, t.stored, t.leaving_date) AS "
        "from_date),"
        " ins AS (INSERT INTO pupil_spell (school_urn, pupil_id, admission_date, leaving_date,"
        "   leaving_reason, entered_on, previous_school, destination_school,"
        "   destination_address, destination_start, first_batch, last_batch)"
        "  SELECT school_urn, pupil_id, admission_date, leaving_date, leaving_reason, entered_on,"
        "   previous_school, destination_school, destination_address, destination_start,"
        "   batch_no, batch_no FROM target WHERE stored IS NULL OR rk > 1"
        "  RETURNING school_urn, least(admission_date, leaving_date) AS from_date)"
        " INSERT INTO stage_change SELECT school_urn, min(from_date)"
        "  FROM (SELECT * FROM upd UNION ALL SELECT * FROM ins) c GROUP BY school_urn";

/* The pupil row's admission and leaving are its latest spell's. */
static const char sync_pupil_sql[] =
        "UPDATE pupil p SET admission_date = l.admission_date, leaving_date = l.leaving_date,"
        "  leaving_reason = l.leaving_reason, updated_at = now()"
        " FROM (SELECT DISTINCT ON (sp.school_urn, sp.pupil_id) sp.* FROM pupil_spell sp"
        "  JOIN pupil q USING (school_urn, pupil_id)"
        "  WHERE (q.school_urn, q.upn) IN (SELECT school_urn, upn FROM stage_pupil)"
        "  ORDER BY sp.school_urn, sp.pupil_id, sp.admission_date DESC) l"
        " WHERE p.school_urn = l.school_urn AND p.pupil_id = l.pupil_id"
        "  AND (p.admission_date, p.leaving_date, p.leaving_reason) IS DISTINCT FROM"
        "  (l.admission_date, l.leaving_date, l.leaving_reason)";

/* Characteristics: one row per distinct effective date, compared in date order with the row
 * in force before it; only a change makes a new row. A characteristic the export does not
 * carry is stored as its default and compared as stored (else every resend of an export
 * without, say, an FSM column would make a new row for every pupil). A pupil's first row holds from
 * their admission (nothing earlier is known). */
static const char merge_char_sql[] =
        "WITH snap AS (SELECT DISTINCT ON (s.school_urn, s.upn, s.eff) s.school_urn, s.upn,"
        "   s.eff, s.batch_no, s.nc_year, coalesce(s.boarder, false) AS boarder,"
        "   coalesce(s.pupil_premium, false) AS pupil_premium, coalesce(s.fsm, false) AS fsm,"
        "   coalesce(s.sen, 'N') AS sen, coalesce(s.social_care, '') AS social_care,"
        "   coalesce(s.previously_looked_after, false) AS previously_looked_after,"
        "   coalesce(s.eal, false) AS eal, s.reg_group, p.pupil_id,"
        "   (SELECT min(admission_date) FROM pupil_spell sp WHERE sp.school_urn = p.school_urn"
        "     AND sp.pupil_id = p.pupil_id) AS adm"
        "  FROM stage_pupil s JOIN pupil p USING (school_urn, upn)"
        "  ORDER BY s.school_urn, s.upn, s.eff, s.ord DESC),"
        " cmp AS (SELECT snap.*, lag(ROW(nc_year, boarder, pupil_premium, fsm, sen, social_care,"
        "   previously_looked_after, eal, reg_group)) OVER w AS prev, row_number() OVER w AS n,"
        "   (SELECT ROW(c.nc_year, c.boarder, c.pupil_premium, c.fsm, c.sen, c.social_care,"
        "     c.previously_looked_after, c.eal, c.reg_group) FROM pupil_characteristic c"
        "    WHERE c.school_urn = snap.school_urn AND c.pupil_id = snap.pupil_id"
        "      AND c.valid_from <= snap.eff ORDER BY c.valid_from DESC LIMIT 1) AS cur,"
        "   EXISTS (SELECT 1 FROM pupil_characteristic c WHERE c.school_urn = snap.school_urn"
        "      AND c.pupil_id = snap.pupil_id) AS known"
        "  FROM snap WINDOW w AS (PARTITION BY school_urn, upn ORDER BY eff)),"
        " ins AS (INSERT INTO pupil_characteristic AS pc (school_urn, pupil_id, valid_from,"
        "   nc_year, boarder, pupil_premium, fsm, sen, social_care, previously_looked_after, eal,"
        "   batch_no, reg_group)"
        "  SELECT school_urn, pupil_id,"
        "   CASE WHEN n = 1 AND NOT known THEN least(eff, adm) ELSE eff END, nc_year, boarder,"
        "   pupil_premium, fsm, sen, social_care, previously_looked_after, eal, batch_no,"
        "   reg_group"
        "  FROM cmp WHERE ROW(nc_year, boarder, pupil_premium, fsm, sen, social_care,"
        "   previously_looked_after, eal, reg_group) IS DISTINCT FROM"
        "   (CASE WHEN n = 1 THEN cur ELSE prev END)"
        "  ON CONFLICT (school_urn, pupil_id, valid_from) DO UPDATE SET nc_year = excluded.nc_year,"
        "   boarder = excluded.boarder, pupil_premium = excluded.pupil_premium,"
        "   fsm = excluded.fsm, sen = excluded.sen, social_care = excluded.social_care,"
        "   previously_looked_after = excluded.previously_looked_after, eal = excluded.eal,"
        "   batch_no = excluded.batch_no, reg_group = excluded.reg_group"
        "  RETURNING school_urn, valid_from)"
        " INSERT INTO stage_change SELECT school_urn, min(valid_from) FROM ins GROUP BY school_urn";

static const char merge_session_sql[] =
        "WITH up AS (INSERT INTO school_session AS t (school_urn, date, session, open, term)"
        "  SELECT DISTINCT ON (school_urn, date, session) school_urn, date, session, open, term"
        "  FROM stage_session ORDER BY school_urn, date, session, ord DESC"
        "  ON CONFLICT (school_urn, date, session) DO UPDATE SET open = excluded.open,"
        "  term = excluded.term"
        "  WHERE (t.open, t.term) IS DISTINCT FROM (excluded.open, excluded.term)"
        "  RETURNING school_urn, date)"
        " INSERT INTO stage_change SELECT school_urn, min(date) FROM up GROUP BY school_urn";

/* A pupil's contacts are replaced by the set sent for them, when it differs: first the changed
 * pupils' rows go, then every sent pupil left with none gets the set sent. Two statements: the
 * parts of one statement see the same snapshot, so an INSERT beside the DELETE would still
 * find the old rows' keys (seq) taken. */
#define SENT_CONTACTS                                                                              \
	"sent AS (SELECT school_urn, pupil_id, row_number() OVER (PARTITION BY school_urn,"        \
	"  pupil_id ORDER BY ord)::smallint AS seq, name, relationship, lives_with, address,"      \
	"  phone, priority FROM stage_contact)"
static const char delete_contact_sql[] =
        "WITH " SENT_CONTACTS ","
        " changed AS (SELECT school_urn, pupil_id FROM (SELECT * FROM sent EXCEPT"
        "   SELECT c.school_urn, c.pupil_id, c.seq, c.name, c.relationship, c.lives_with,"
        "   c.address, c.phone, c.priority FROM contact c"
        "   JOIN (SELECT DISTINCT school_urn, pupil_id FROM sent) k USING (school_urn, pupil_id)) d"
        "  UNION SELECT c.school_urn, c.pupil_id FROM contact c"
        "   JOIN (SELECT DISTINCT school_urn, pupil_id FROM sent) k USING (school_urn, pupil_id)"
        "   WHERE NOT EXISTS (SELECT 1 FROM sent s WHERE s.school_urn = c.school_urn"
        "    AND s.pupil_id = c.pupil_id AND s.seq = c.seq))"
        " DELETE FROM contact c USING changed ch WHERE c.school_urn = ch.school_urn"
        "  AND c.pupil_id = ch.pupil_id";
static const char insert_contact_sql[] =
        "WITH " SENT_CONTACTS
        " INSERT INTO contact (school_urn, pupil_id, seq, name, relationship, lives_with, address,"
        "  phone, priority) SELECT s.* FROM sent s WHERE NOT EXISTS (SELECT 1 FROM contact c"
        "  WHERE c.school_urn = s.school_urn AND c.pupil_id = s.pupil_id)";

/* Each changed school gets a register_change row (what the workers reload from) and one
 * pending recompute job, widened to the earliest change. */
static const char enqueue_sql[] =
        "WITH ch AS (SELECT school_urn, min(from_date) AS from_date FROM stage_change"
        "  WHERE from_date IS NOT NULL GROUP BY school_urn),"
        " log AS (INSERT INTO register_change (school_urn, from_date)"
        "  SELECT school_urn, from_date FROM ch ORDER BY school_urn),"
        " q AS (INSERT INTO job (school_urn, kind, from_date) SELECT school_urn, 'recompute',"
        "  from_date FROM ch ORDER BY school_urn"
        "  ON CONFLICT (school_urn, kind) WHERE state = 'pending' AND school_urn IS NOT NULL"
        "  DO UPDATE SET from_date = least(job.from_date, excluded.from_date), updated_at = now()"
        "  RETURNING 1)"
        " SELECT count(*) FROM q";

/* --- small hash tables ------------------------------------------------------------------ */

/* A pupil of the admission register and its spells on roll (spells[first .. first + n), oldest
 * first, in the map's spell array). */
typedef struct pupil_ent {
	char upn[14];
	int32_t pupil_id;
	uint32_t first, n;
} pupil_ent;

typedef struct spell_days {
	int32_t admitted, left; /* first and last day on roll (INT32_MAX: still on roll) */
} spell_days;

typedef struct pupil_map {
	pupil_ent *slot;
	size_t cap; /* power of two */
	size_t n;
	spell_days *spells;
	size_t n_spells;
} pupil_map;

/* Where day lies for pupil p: on roll in one of its spells (0), before its latest admission and
 * in none of them (-1: only Z, the prospective pupil's code, may be marked then) or after it left
 * for the last time (1). */
static int roll_status(const pupil_map *m, const pupil_ent *p, int32_t day)
{
	const spell_days *sp = m->spells + p->first;

	for (uint32_t i = 0; i < p->n; i++)
		if (day >= sp[i].admitted && day <= sp[i].left)
			return 0;
	return p->n && day < sp[p->n - 1].admitted ? -1 : 1;
}

static uint64_t hash_bytes(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h ^ (h >> 29);
}

static int pupil_map_init(pupil_map *m, size_t n)
{
	m->cap = 64;
	while (m->cap < n * 2)
		m->cap *= 2;
	m->n = 0;
	m->n_spells = 0;
	m->slot = calloc(m->cap, sizeof(pupil_ent));
	m->spells = calloc(n + 1, sizeof(spell_days));
	return m->slot && m->spells ? 0 : -ENOMEM;
}

static void pupil_map_deinit(pupil_map *m)
{
	free(m->slot);
	free(m->spells);
	memset(m, 0, sizeof(*m));
}

static pupil_ent *pupil_map_find(const pupil_map *m, const char *upn)
{
	size_t i;

	if (!upn || strlen(upn) != 13)
		return NULL;
	i = hash_bytes(upn, 13) & (m->cap - 1);
	for (;; i = (i + 1) & (m->cap - 1)) {
		pupil_ent *e = &m->slot[i];
		if (!e->upn[0])
			return NULL;
		if (!memcmp(e->upn, upn, 13))
			return e;
	}
}

/* Adds a spell; the rows come by pupil, oldest spell first. */
static void pupil_map_put(pupil_map *m, const char *upn, int32_t id, int32_t adm, int32_t left)
{
	pupil_ent *e = pupil_map_find(m, upn);

	m->spells[m->n_spells] = (spell_days){adm, left};
	if (e) {
		e->n++;
		m->n_spells++;
		return;
	}
	size_t i = hash_bytes(upn, 13) & (m->cap - 1);

	while (m->slot[i].upn[0])
		i = (i + 1) & (m->cap - 1);
	e = &m->slot[i];
	memcpy(e->upn, upn, 13);
	e->upn[13] = 0;
	e->pupil_id = id;
	e->first = (uint32_t)m->n_spells++;
	e->n = 1;
	m->n++;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdull;
	x ^= x >> 33;
	return x;
}

/* Current mark per (date, pupil, session). */
typedef struct cur_ent {
	uint64_t key;        /* 0: empty */
	int64_t recorded_at; /* -1: none */
	uint32_t comment;    /* comment_hash of its comment */
	int16_t version;
	int16_t minutes; /* -1: none */
	uint8_t code;
} cur_ent;

/* A mark's comment, for telling a changed comment from the same one (0: none). The comment is
 * part of the entry: a changed comment is a new version like a changed code. */
static uint32_t comment_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;

	if (!s || !s[0])
		return 0;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return (uint32_t)(h ^ (h >> 32)) | 1u;
}

typedef struct cur_map {
	cur_ent *slot;
	size_t cap, n;
} cur_map;

/* Earlier (superseded) versions, so that an export which repeats a mark's history (the original
 * row, then its amendment) is recognised as a resend and not taken for a change back. A version
 * is known by its code, minutes late and recorded_at. */
typedef struct hist_ent {
	uint64_t key;        /* mark_key; 0: empty */
	int64_t recorded_at; /* -1: none */
	int16_t minutes;
	uint8_t code;
} hist_ent;

typedef struct hist_set {
	hist_ent *slot;
	size_t cap, n;
} hist_set;

static uint64_t hist_hash(uint64_t key, int64_t at, int16_t minutes, uint8_t code)
{
	return mix64(key ^ mix64((uint64_t)at ^ ((uint64_t)(uint16_t)minutes << 48) ^
	                         ((uint64_t)code << 40)));
}

static int hist_grow(hist_set *h)
{
	hist_set bigger = {calloc(h->cap ? h->cap * 2 : 256, sizeof(hist_ent)),
	                   h->cap ? h->cap * 2 : 256, 0};

	if (!bigger.slot)
		return -ENOMEM;
	for (size_t i = 0; i < h->cap; i++) {
		const hist_ent *e = &h->slot[i];
		size_t j;

		if (!e->key)
			continue;
		j = hist_hash(e->key, e->recorded_at, e->minutes, e->code) & (bigger.cap - 1);
		while (bigger.slot[j].key)
			j = (j + 1) & (bigger.cap - 1);
		bigger.slot[j] = *e;
		bigger.n++;
	}
	free(h->slot);
	*h = bigger;
	return 0;
}

static int hist_add(hist_set *h, uint64_t key, int64_t at, int16_t minutes, uint8_t code)
{
	size_t j;

	if ((h->n + 1) * 2 > h->cap && hist_grow(h) < 0)
		return -ENOMEM;
	j = hist_hash(key, at, minutes, code) & (h->cap - 1);
	while (h->slot[j].key) {
		const hist_ent *e = &h->slot[j];
		if (e->key == key && e->recorded_at == at && e->minutes == minutes &&
		    e->code == code)
			return 0;
		j = (j + 1) & (h->cap - 1);
	}
	h->slot[j] = (hist_ent){key, at, minutes, code};
	h->n++;
	return 0;
}

static bool hist_has(const hist_set *h, uint64_t key, int64_t at, int16_t minutes, uint8_t code)
{
	size_t j;

	if (!h->n)
		return false;
	j = hist_hash(key, at, minutes, code) & (h->cap - 1);
	for (; h->slot[j].key; j = (j + 1) & (h->cap - 1)) {
		const hist_ent *e = &h->slot[j];
		if (e->key == key && e->recorded_at == at && e->minutes == minutes &&
		    e->code == code)
			return true;
	}
	return false;
}

static uint64_t mark_key(int32_t day, int32_t pupil_id, int session)
{
	return ((uint64_t)(uint32_t)pupil_id << 22) | ((uint64_t)(day & 0x1FFFFF) << 1) |
	       (uint64_t)(session & 1) | (1ull << 63);
}

static int cur_map_init(cur_map *m, size_t n)
{
	m->cap = 1024;
	while (m->cap < n * 2)
		m->cap *= 2;
	m->n = 0;
	m->slot = calloc(m->cap, sizeof(cur_ent));
	return m->slot ? 0 : -ENOMEM;
}

static cur_ent *cur_map_slot(cur_map *m, uint64_t key)
{
	size_t i = mix64(key) & (m->cap - 1);

	while (m->slot[i].key && m->slot[i].key != key)
		i = (i + 1) & (m->cap - 1);
	return &m->slot[i];
}

/* --- connection ------------------------------------------------------------------------- */

writer *writer_new(const char *conninfo)
{
	writer *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->conninfo = strdup(conninfo);
	if (!w->conninfo) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->cancel_mu, NULL);
	return w;
}

/* Closes the connection (and forgets how to cancel its queries). */
static void disconnect(writer *w)
{
	pthread_mutex_lock(&w->cancel_mu);
	if (w->cancel)
		PQfreeCancel(w->cancel);
	w->cancel = NULL;
	pthread_mutex_unlock(&w->cancel_mu);
	if (w->conn)
		PQfinish(w->conn);
	w->conn = NULL;
}

void writer_cancel(writer *w)
{
	char err[256];

	atomic_store(&w->cancelled, true);
	pthread_mutex_lock(&w->cancel_mu);
	if (w->cancel && !PQcancel(w->cancel, err, sizeof(err)))
		log_warning("writer: cannot cancel the query in progress (%s)", err);
	pthread_mutex_unlock(&w->cancel_mu);
}

void writer_destroy(writer **wp)
{
	writer *w = wp ? *wp : NULL;

	if (!w)
		return;
	disconnect(w);
	pthread_mutex_destroy(&w->cancel_mu);
	copybuf_deinit(&w->cb);
	free(w->conninfo);
	free(w);
	*wp = NULL;
}

int writer_connect(writer *w, char *err, size_t errlen)
{
	int rc;

	if (w->conn && PQstatus(w->conn) == CONNECTION_OK)
		return 0;
	disconnect(w);
	rc = db_connect(w->conninfo, &w->conn, err, errlen);
	if (rc < 0)
		return rc;
	rc = db_schema_check(w->conn, err, errlen);
	if (rc == 0)
		rc = db_exec(w->conn, stage_sql, err, errlen);
	if (rc == 0)
		rc = db_exec(w->conn,
		             "SET synchronous_commit = on; SET application_name = 'rollcalld'", err,
		             errlen);
	if (rc < 0) {
		disconnect(w);
		return rc;
	}
	pthread_mutex_lock(&w->cancel_mu);
	w->cancel = PQgetCancel(w->conn);
	pthread_mutex_unlock(&w->cancel_mu);
	return 0;
}

/* --- helpers for one transaction -------------------------------------------------------- */

/* Runs a statement with text parameters; returns the result (caller clears) or NULL with the
 * reason in err. */
static PGresult *q(writer *w, const char *sql, int n, const char *const *params,
                   ExecStatusType want, char *err, size_t errlen)
{
	PGresult *res = PQexecParams(w->conn, sql, n, NULL, params, NULL, NULL, 0);

	if (PQresultStatus(res) != want) {
		db_result_error(res, "database", err, errlen);
		PQclear(res);
		return NULL;
	}
	return res;
}

static int run(writer *w, const char *sql, char *err, size_t errlen)
{
	PGresult *res = q(w, sql, 0, NULL, PGRES_COMMAND_OK, err, errlen);

	if (!res)
		return -EIO;
	PQclear(res);
	return 0;
}

static int run_tuples(writer *w, const char *sql, long *value, char *err, size_t errlen)
{
	PGresult *res = q(w, sql, 0, NULL, PGRES_TUPLES_OK, err, errlen);

	if (!res)
		return -EIO;
	if (value)
		*value = PQntuples(res) ? atol(PQgetvalue(res, 0, 0)) : 0;
	PQclear(res);
	return 0;
}

static int flush_if_big(writer *w, char *err, size_t errlen)
{
	return w->cb.len >= COPY_FLUSH ? copybuf_flush(&w->cb, w->conn, err, errlen) : 0;
}

static int copy_begin(writer *w, const char *target, char *err, size_t errlen)
{
	int rc = db_copy_in_start(w->conn, target, err, errlen);

	if (rc == 0)
		copybuf_reset(&w->cb); /* the writer's buffer is reused from COPY to COPY */
	return rc;
}

static const char *nz(const char *s)
{
	return s && s[0] ? s : NULL;
}

static int reject(ingest_batch *ib, Rollcall__ItemKind kind, uint32_t index, uint32_t line,
                  const char *upn, const char *field, const char *reason)
{
	return batch_reject(ib, kind, index, line, upn, field, reason);
}

/* --- the stages -------------------------------------------------------------------------- */

static int ledger_open(writer *w, ingest_batch *ib, char *err, size_t errlen)
{
	char urn[16], exp[16], counts[4][16];
	const Rollcall__Batch *b = ib->b;
	const char *params[9];
	PGresult *res;

	snprintf(urn, sizeof(urn), "%u", b->school_urn);
	snprintf(counts[0], 16, "%zu", b->n_pupils);
	snprintf(counts[1], 16, "%zu", b->n_contacts);
	snprintf(counts[2], 16, "%zu", b->n_marks);
	snprintf(counts[3], 16, "%zu", b->n_sessions);
	params[0] = urn;
	params[1] = b->batch_id;
	params[2] = ib->public_key;
	params[3] = b->source ? b->source : "";
	params[4] = b->has_exported_on ? date_format(b->exported_on, exp) : NULL;
	params[5] = counts[0];
	params[6] = counts[1];
	params[7] = counts[2];
	params[8] = counts[3];
	res = q(w,
	        "INSERT INTO batch (school_urn, batch_id, public_key, source, exported_on, pupils,"
	        " contacts, marks, sessions, ack) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, '')"
	        " RETURNING batch_no",
	        9, params, PGRES_TUPLES_OK, err, errlen);
	if (!res)
		return -EIO;
	ib->batch_no = atoll(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Looks the batch up in the ledger: a hit makes it a DUPLICATE carrying its first ack. */
static int ledger_lookup(writer *w, ingest_batch *ib, char *err, size_t errlen)
{
	char urn[16];
	const char *params[2] = {urn, ib->b->batch_id};
	PGresult *res;

	snprintf(urn, sizeof(urn), "%u", ib->b->school_urn);
	res = PQexecParams(w->conn, "SELECT ack FROM batch WHERE school_urn = $1 AND batch_id = $2",
	                   2, NULL, params, NULL, NULL, 1);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_result_error(res, "database", err, errlen);
		PQclear(res);
		return -EIO;
	}
	if (PQntuples(res) == 1) {
		size_t len = (size_t)PQgetlength(res, 0, 0);

		ib->status = ROLLCALL__BATCH_ACK__STATUS__DUPLICATE;
		ib->stored_ack = malloc(len ? len : 1);
		if (!ib->stored_ack) {
			PQclear(res);
			return -ENOMEM;
		}
		memcpy(ib->stored_ack, PQgetvalue(res, 0, 0), len);
		ib->stored_ack_len = len;
	}
	PQclear(res);
	return 0;
}

static int ledger_close(writer *w, ingest_batch *ib, char *err, size_t errlen)
{
	char urn[16], acc[16], rej[16], nv[16];
	const char *params[6];
	int lengths[6] = {0}, formats[6] = {0};
	uint8_t *ack = NULL;
	size_t acklen = 0;
	PGresult *res;
	int rc = batch_pack_ack(ib, &ack, &acklen);

	if (rc < 0)
		return rc;
	snprintf(urn, sizeof(urn), "%u", ib->b->school_urn);
	snprintf(acc, sizeof(acc), "%u", ib->accepted);
	snprintf(rej, sizeof(rej), "%zu", ib->nrej);
	snprintf(nv, sizeof(nv), "%u", ib->new_versions);
	params[0] = urn;
	params[1] = ib->b->batch_id;
	params[2] = (const char *)ack;
	lengths[2] = (int)acklen;
	formats[2] = 1;
	params[3] = acc;
	params[4] = rej;
	params[5] = nv;
	res = PQexecParams(w->conn,
	                   "UPDATE batch SET ack = $3, accepted = $4, rejected = $5,"
	                   " new_versions = $6 WHERE school_urn = $1 AND batch_id = $2",
	                   6, NULL, params, lengths, formats, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		db_result_error(res, "database", err, errlen);
		rc = -EIO;
	}
	PQclear(res);
	free(ack);
	return rc;
}

static bool live(const ingest_batch *ib)
{
	return ib->status == ROLLCALL__BATCH_ACK__STATUS__ACCEPTED;
}

static int stage_sessions(writer *w, ingest_batch **g, size_t n, bool *any, char *err,
                          size_t errlen)
{
	int rc, ord = 0;

	*any = false;
	for (size_t i = 0; i < n; i++)
		if (live(g[i]) && g[i]->b->n_sessions)
			*any = true;
	if (!*any)
		return 0;
	rc = copy_begin(w, "stage_session (school_urn, date, session, open, term, ord)", err,
	                errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		ingest_batch *ib = g[i];

		if (!live(ib))
			continue;
		for (size_t k = 0; rc == 0 && k < ib->b->n_sessions; k++) {
			const Rollcall__CalendarSession *s = ib->b->sessions[k];

			if (!ib->session_ok[k])
				continue;
			copybuf_row(&w->cb, 6);
			copybuf_int4(&w->cb, (int32_t)ib->b->school_urn);
			copybuf_date(&w->cb, s->date);
			copybuf_int2(&w->cb, (int16_t)s->session);
			copybuf_bool(&w->cb, s->open);
			copybuf_cstr(&w->cb, nz(s->term));
			copybuf_int4(&w->cb, ord++);
			ib->accepted++;
			rc = flush_if_big(w, err, errlen);
		}
	}
	if (rc == 0)
		rc = copybuf_finish(&w->cb, w->conn, NULL, err, errlen);
	return rc ? rc : run(w, merge_session_sql, err, errlen);
}

static void copy_opt_date(copybuf *cb, int has, int32_t day)
{
	if (has)
		copybuf_date(cb, day);
	else
		copybuf_null(cb);
}

static void copy_opt_bool(copybuf *cb, int has, int v)
{
	if (has)
		copybuf_bool(cb, v);
	else
		copybuf_null(cb);
}

static int stage_pupils(writer *w, ingest_batch **g, size_t n, char *err, size_t errlen)
{
	bool any = false;
	int rc, ord = 0;

	for (size_t i = 0; i < n; i++)
		if (live(g[i]) && g[i]->b->n_pupils)
			any = true;
	if (!any)
		return 0;
	rc = copy_begin(w,
	                "stage_pupil (school_urn, ord, batch_no, eff, upn, surname, forename,"
	                " preferred_forename, date_of_birth, sex, nc_year, admission_date,"
	                " leaving_date, leaving_reason, address_line1, address_line2, town,"
	                " postcode, ethnicity, boarder, pupil_premium, fsm, sen, social_care,"
	                " previously_looked_after, eal, entered_on, previous_school,"
	                " destination_school, destination_address, destination_start, reg_group)",
	                err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		ingest_batch *ib = g[i];
		const Rollcall__Batch *b = ib->b;

		if (!live(ib))
			continue;
		for (size_t k = 0; rc == 0 && k < b->n_pupils; k++) {
			const Rollcall__Pupil *p = b->pupils[k];
			copybuf *cb = &w->cb;
			int32_t eff = p->has_effective_from ? p->effective_from
			              : b->has_exported_on  ? b->exported_on
			                                    : p->admission_date;

			if (!ib->pupil_ok[k])
				continue;
			copybuf_row(cb, 32);
			copybuf_int4(cb, (int32_t)b->school_urn);
			copybuf_int4(cb, ord++);
			copybuf_int8(cb, ib->batch_no);
			copybuf_date(cb, eff);
			copybuf_cstr(cb, p->upn);
			copybuf_cstr(cb, p->surname);
			copybuf_cstr(cb, p->forename);
			copybuf_cstr(cb, nz(p->preferred_forename));
			copybuf_date(cb, p->date_of_birth);
			copybuf_cstr(cb, nz(p->sex));
			copybuf_cstr(cb, nz(p->nc_year));
			copybuf_date(cb, p->admission_date);
			copy_opt_date(cb, p->has_leaving_date, p->leaving_date);
			copybuf_cstr(cb, nz(p->leaving_reason));
			copybuf_cstr(cb, nz(p->address_line1));
			copybuf_cstr(cb, nz(p->address_line2));
			copybuf_cstr(cb, nz(p->town));
			copybuf_cstr(cb, nz(p->postcode));
			copybuf_cstr(cb, nz(p->ethnicity));
			copy_opt_bool(cb, p->has_boarder, p->boarder);
			copy_opt_bool(cb, p->has_pupil_premium, p->pupil_premium);
			copy_opt_bool(cb, p->has_fsm, p->fsm);
			copybuf_cstr(cb, nz(p->sen));
			copybuf_cstr(cb, p->social_care ? p->social_care : NULL);
			copy_opt_bool(cb, p->has_previously_looked_after,
			              p->previously_looked_after);
			copy_opt_bool(cb, p->has_eal, p->eal);
			copy_opt_date(cb, p->has_entered_on, p->entered_on);
			copybuf_cstr(cb, nz(p->previous_school));
			copybuf_cstr(cb, nz(p->destination_school));
			copybuf_cstr(cb, nz(p->destination_address));
			copy_opt_date(cb, p->has_destination_start, p->destination_start);
			copybuf_cstr(cb, nz(p->reg_group));
			ib->accepted++;
			rc = flush_if_big(w, err, errlen);
		}
	}
	if (rc == 0)
		rc = copybuf_finish(&w->cb, w->conn, NULL, err, errlen);
	if (rc == 0)
		rc = run(w, merge_pupil_sql, err, errlen);
	if (rc == 0)
		rc = run(w, merge_spell_sql, err, errlen);
	if (rc == 0)
		rc = run(w, sync_pupil_sql, err, errlen);
	if (rc == 0)
		rc = run(w, merge_char_sql, err, errlen);
	return rc;
}

/* Loads the school's admission register (UPN -> pupil id and dates on roll). */
static int load_pupils(writer *w, uint32_t urn, pupil_map *m, char *err, size_t errlen)
{
	char u[16];
	const char *params[1] = {u};
	PGresult *res;
	int rc;

	snprintf(u, sizeof(u), "%u", urn);
	res = q(w,
	        "SELECT p.upn, p.pupil_id, s.admission_date - date '1970-01-01',"
	        " coalesce(s.leaving_date - date '1970-01-01', 2147483647)"
	        " FROM pupil p JOIN pupil_spell s USING (school_urn, pupil_id)"
	        " WHERE p.school_urn = $1 ORDER BY p.pupil_id, s.admission_date",
	        1, params, PGRES_TUPLES_OK, err, errlen);
	if (!res)
		return -EIO;
	rc = pupil_map_init(m, (size_t)PQntuples(res));
	for (int i = 0; rc == 0 && i < PQntuples(res); i++)
		pupil_map_put(m, PQgetvalue(res, i, 0), atoi(PQgetvalue(res, i, 1)),
		              atoi(PQgetvalue(res, i, 2)), atoi(PQgetvalue(res, i, 3)));
	PQclear(res);
	return rc;
}

static int stage_contacts(writer *w, ingest_batch **g, size_t n, uint32_t urn, const pupil_map *pm,
                          char *err, size_t errlen)
{
	bool started = false;
	int rc = 0, ord = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		ingest_batch *ib = g[i];

		if (!live(ib) || ib->b->school_urn != urn)
			continue;
		for (size_t k = 0; rc == 0 && k < ib->b->n_contacts; k++) {
			const Rollcall__Contact *c = ib->b->contacts[k];
			const pupil_ent *p;

			if (!ib->contact_ok[k])
				continue;
			p = pupil_map_find(pm, c->upn);
			if (!p) {
				rc = reject(ib, ROLLCALL__ITEM_KIND__CONTACT, (uint32_t)k, c->line,
				            c->upn, "upn",
				            "pupil is not on the admission register");
				continue;
			}
			if (!started) {
				rc = copy_begin(
				        w,
				        "stage_contact (school_urn, pupil_id, ord, name,"
				        " relationship, lives_with, address, phone, priority)",
				        err, errlen);
				started = rc == 0;
				if (rc < 0)
					break;
			}
			copybuf_row(&w->cb, 9);
			copybuf_int4(&w->cb, (int32_t)urn);
			copybuf_int4(&w->cb, p->pupil_id);
			copybuf_int4(&w->cb, ord++);
			copybuf_cstr(&w->cb, c->name);
			copybuf_cstr(&w->cb, nz(c->relationship));
			copybuf_bool(&w->cb, c->has_lives_with && c->lives_with);
			copybuf_cstr(&w->cb, nz(c->address));
			copybuf_cstr(&w->cb, nz(c->phone));
			if (c->has_priority)
				copybuf_int2(&w->cb, (int16_t)c->priority);
			else
				copybuf_null(&w->cb);
			ib->accepted++;
			rc = flush_if_big(w, err, errlen);
		}
	}
	if (started && rc == 0)
		rc = copybuf_finish(&w->cb, w->conn, NULL, err, errlen);
	if (started && rc == 0)
		rc = run(w, delete_contact_sql, err, errlen);
	if (started && rc == 0)
		rc = run(w, insert_contact_sql, err, errlen);
	return rc;
}

/* Fetches every version of school urn's marks between two days: the latest of each session
 * into cur, the superseded ones into hist. Rows come in key order, so the last row of a
 * session is its current version. */
static int load_versions(writer *w, uint32_t urn, int32_t lo, int32_t hi, const char *pupils,
                         cur_map *cur, hist_set *hist, size_t expect, char *err, size_t errlen)
{
	char u[16], a[11], b[11];
	const char *params[4] = {u, date_format(lo, a), date_format(hi, b), pupils};
	PGresult *res;
	int rc;

	snprintf(u, sizeof(u), "%u", urn);
	res = q(w,
	        "SELECT pupil_id, date - date '1970-01-01', session, version, code,"
	        " coalesce(minutes_late, -1),"
	        " coalesce((extract(epoch FROM recorded_at) * 1000000)::bigint, -1), comment"
	        " FROM mark_version WHERE school_urn = $1 AND date BETWEEN $2 AND $3"
	        " AND ($4::integer[] IS NULL OR pupil_id = ANY ($4::integer[]))"
	        " ORDER BY date, pupil_id, session, version",
	        4, params, PGRES_TUPLES_OK, err, errlen);
	if (!res)
		return -EIO;
	rc = cur_map_init(cur, (size_t)PQntuples(res) + expect);
	for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
		const char *code = PQgetvalue(res, i, 4);
		const rc_code *c = codes_find(code, strlen(code));
		uint64_t key = mark_key(atoi(PQgetvalue(res, i, 1)), atoi(PQgetvalue(res, i, 0)),
		                        atoi(PQgetvalue(res, i, 2)));
		cur_ent *e = cur_map_slot(cur, key);

		if (e->key) /* a later version follows: this one is history */
			rc = hist_add(hist, key, e->recorded_at, e->minutes, e->code);
		else
			cur->n++;
		e->key = key;
		e->version = (int16_t)atoi(PQgetvalue(res, i, 3));
		e->minutes = (int16_t)atoi(PQgetvalue(res, i, 5));
		e->recorded_at = atoll(PQgetvalue(res, i, 6));
		e->comment = comment_hash(PQgetvalue(res, i, 7));
		e->code = c ? c->id : 0;
	}
	PQclear(res);
	return rc;
}

typedef struct school_marks {
	int32_t first_change; /* earliest date with a new version; INT32_MAX: none */
	uint32_t written;
} school_marks;

/* The school's latest stored mark date (INT32_MIN when none): no version exists after it. */
static int latest_date(writer *w, uint32_t urn, int32_t *day, char *err, size_t errlen)
{
	char u[16];
	const char *params[1] = {u};
	PGresult *res;

	snprintf(u, sizeof(u), "%u", urn);
	res = q(w,
	        "SELECT coalesce(max(date) - date '1970-01-01', -2147483648) FROM mark_version"
	        " WHERE school_urn = $1",
	        1, params, PGRES_TUPLES_OK, err, errlen);
	if (!res)
		return -EIO;
	*day = (int32_t)atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	return 0;
}

/* Adds id to a small sorted set (for the pupils whose marks may already exist). */
static int id_set_add(int32_t **v, size_t *n, size_t *cap, int32_t id)
{
	size_t lo = 0, hi = *n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if ((*v)[mid] < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < *n && (*v)[lo] == id)
		return 0;
	if (*n == *cap) {
		size_t c = *cap ? *cap * 2 : 256;
		int32_t *t = realloc(*v, c * sizeof(*t));
		if (!t)
			return -ENOMEM;
		*v = t;
		*cap = c;
	}
	memmove(*v + lo + 1, *v + lo, (*n - lo) * sizeof(**v));
	(*v)[lo] = id;
	(*n)++;
	return 0;
}

/* The field an amendment of an existing mark lacks (reason, who, when), or NULL. */
static const char *amendment_missing(const Rollcall__Mark *m)
{
	if (!m->amendment_reason || !m->amendment_reason[0])
		return "amendment_reason";
	if (!m->recorded_by || !m->recorded_by[0])
		return "recorded_by";
	if (!m->has_recorded_at)
		return "recorded_at";
	return NULL;
}

/* Above this many pupils the date range alone selects the versions to read. */
#define MAX_PUPIL_FILTER 2000

static int write_marks(writer *w, ingest_batch **g, size_t n, uint32_t urn, const pupil_map *pm,
                       bool *copying, char *err, size_t errlen)
{
	int32_t lo = INT32_MAX, hi = INT32_MIN, latest;
	int32_t first_day = INT32_MAX, last_day = INT32_MIN;
	bool one_year;
	size_t count = 0, nids = 0, capids = 0;
	int32_t *ids = NULL;
	char *idlist = NULL;
	cur_map cur = {0};
	hist_set hist = {0};
	const uint8_t code_z = codes_find("Z", 1)->id;
	int rc = 0;

	rc = latest_date(w, urn, &latest, err, errlen);
	if (rc < 0)
		return rc;
	/* Only marks on or before the latest stored date can change a version; a fresh night's
	 * marks are new without asking. Those that may exist are looked up for their pupils. */
	for (size_t i = 0; rc == 0 && i < n; i++) {
		ingest_batch *ib = g[i];

		if (!live(ib) || ib->b->school_urn != urn)
			continue;
		for (size_t k = 0; rc == 0 && k < ib->b->n_marks; k++) {
			const Rollcall__Mark *m = ib->b->marks[k];
			const pupil_ent *p;

			if (!ib->mark_code[k])
				continue;
			count++;
			first_day = m->date < first_day ? m->date : first_day;
			last_day = m->date > last_day ? m->date : last_day;
			if (m->date > latest)
				continue;
			lo = m->date < lo ? m->date : lo;
			hi = m->date > hi ? m->date : hi;
			p = pupil_map_find(pm, m->upn);
			if (p && nids <= MAX_PUPIL_FILTER)
				rc = id_set_add(&ids, &nids, &capids, p->pupil_id);
		}
	}
	if (rc < 0 || !count)
		goto out;
	one_year = date_academic_year(first_day) == date_academic_year(last_day);
	if (lo <= hi && nids <= MAX_PUPIL_FILTER) {
		size_t len = 2;

		idlist = malloc(nids * 12 + 3);
		if (!idlist) {
			rc = -ENOMEM;
			goto out;
		}
		idlist[0] = '{';
		idlist[1] = 0;
		for (size_t i = 0; i < nids; i++)
			len += (size_t)sprintf(idlist + len - 1, "%s%d", i ? "," : "", ids[i]);
		strcpy(idlist + len - 1, "}");
	}
	if (lo <= hi)
		rc = load_versions(w, urn, lo, hi, idlist, &cur, &hist, count, err, errlen);
	else
		rc = cur_map_init(&cur, count);
	if (rc < 0)
		goto out;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		ingest_batch *ib = g[i];

		if (!live(ib) || ib->b->school_urn != urn)
			continue;
		for (size_t k = 0; rc == 0 && k < ib->b->n_marks; k++) {
			const Rollcall__Mark *m = ib->b->marks[k];
			const pupil_ent *p;
			const rc_code *code;
			const char *missing;
			uint32_t comment;
			int roll;
			cur_ent *e;
			uint64_t key;
			int16_t minutes = m->has_minutes_late ? (int16_t)m->minutes_late : -1;
			int16_t version;
			int64_t at;

			if (!ib->mark_code[k])
				continue;
			p = pupil_map_find(pm, m->upn);
			if (!p) {
				rc = reject(ib, ROLLCALL__ITEM_KIND__MARK, (uint32_t)k, m->line,
				            m->upn, "upn",
				            "pupil is not on the admission register");
				continue;
			}
			/* Z (prospective pupil) is the one code a day before admission may carry
			 * (domain.md §2); nothing is marked after the leaving day. */
			roll = roll_status(pm, p, m->date);
			if (roll > 0 || (roll < 0 && ib->mark_code[k] != code_z)) {
				char d[11], why[96];

				snprintf(why, sizeof(why), "pupil is not on roll on %s%s",
				         date_format(m->date, d),
				         roll < 0 ? " (only Z is accepted before admission)" : "");
				rc = reject(ib, ROLLCALL__ITEM_KIND__MARK, (uint32_t)k, m->line,
				            m->upn, "date", why);
				continue;
			}
			key = mark_key(m->date, p->pupil_id, m->session);
			e = cur_map_slot(&cur, key);
			at = m->has_recorded_at ? m->recorded_at : -1;
			comment = comment_hash(m->comment);
			if (e->key && ((e->code == ib->mark_code[k] && e->minutes == minutes &&
			                e->comment == comment) ||
			               hist_has(&hist, key, at, minutes, ib->mark_code[k]))) {
				/* The current mark again, or a repeat of an earlier version. */
				ib->unchanged++;
				ib->accepted++;
				continue;
			}
			/* An amendment keeps why, who and when (domain.md §1, contract.md §1). */
			if (e->key && (missing = amendment_missing(m))) {
				const rc_code *old = codes_by_id(e->code);
				char why[128];

				snprintf(why, sizeof(why),
				         "required to change the current mark ('%s' to '%s'%s)",
				         old ? old->code : "?", codes_by_id(ib->mark_code[k])->code,
				         e->code != ib->mark_code[k] ? ""
				         : e->minutes != minutes     ? ", minutes late"
				                                     : ", comment");
				rc = reject(ib, ROLLCALL__ITEM_KIND__MARK, (uint32_t)k, m->line,
				            m->upn, missing, why);
				continue;
			}
			version = e->key ? (int16_t)(e->version + 1) : 1;
			if (!e->key)
				cur.n++;
			else if ((rc = hist_add(&hist, key, e->recorded_at, e->minutes, e->code)) <
			         0)
				break;
			e->key = key;
			e->recorded_at = at;
			e->version = version;
			e->code = ib->mark_code[k];
			e->minutes = minutes;
			e->comment = comment;

			if (!*copying) {
				char part[16] = "", target[256];

				/* Straight into the academic year's partition when the school's
				 * marks in this group all fall in one year: no routing per row. */
				if (one_year)
					snprintf(part, sizeof(part), "_%d",
					         date_academic_year(first_day));
				snprintf(target, sizeof(target),
				         "mark_version%s (school_urn, date, pupil_id, session, "
				         "version,"
				         " code, minutes_late, recorded_at, recorded_by,"
				         " amendment_reason, batch_no, comment)",
				         part);
				rc = copy_begin(w, target, err, errlen);
				if (rc < 0)
					break;
				*copying = true;
			}
			code = codes_by_id(ib->mark_code[k]);
			copybuf_row(&w->cb, 12);
			copybuf_int4(&w->cb, (int32_t)urn);
			copybuf_date(&w->cb, m->date);
			copybuf_int4(&w->cb, p->pupil_id);
			copybuf_int2(&w->cb, (int16_t)m->session);
			copybuf_int2(&w->cb, version);
			copybuf_cstr(&w->cb, code->code);
			if (minutes >= 0)
				copybuf_int2(&w->cb, minutes);
			else
				copybuf_null(&w->cb);
			if (m->has_recorded_at)
				copybuf_timestamptz(&w->cb, m->recorded_at);
			else
				copybuf_null(&w->cb);
			copybuf_cstr(&w->cb, m->recorded_by ? m->recorded_by : "");
			copybuf_cstr(&w->cb, nz(m->amendment_reason));
			copybuf_int8(&w->cb, ib->batch_no);
			copybuf_cstr(&w->cb, nz(m->comment));
			ib->new_versions++;
			ib->accepted++;
			if (ib->first_change > m->date)
				ib->first_change = m->date;
			rc = flush_if_big(w, err, errlen);
		}
	}
out:
	free(cur.slot);
	free(hist.slot);
	free(ids);
	free(idlist);
	return rc;
}

/* Whether a rejected item's UPN is kept with the rejection: 13 upper-case letters and digits
 * (a wrong check letter still identifies the pupil for the school; anything else is not an
 * identifier, and may not even be text PostgreSQL accepts). */
static bool upn_shaped(const char *upn)
{
	if (!upn || strlen(upn) != 13)
		return false;
	for (const char *p = upn; *p; p++)
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

static int copy_rejections(writer *w, ingest_batch **g, size_t n, char *err, size_t errlen)
{
	bool any = false;
	int rc;

	for (size_t i = 0; i < n; i++)
		if (live(g[i]) && g[i]->nrej)
			any = true;
	if (!any)
		return 0;
	rc = copy_begin(w,
	                "rejected_item (school_urn, batch_no, kind, item_index, line, upn, field,"
	                " reason)",
	                err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		ingest_batch *ib = g[i];

		if (!live(ib))
			continue;
		for (size_t k = 0; rc == 0 && k < ib->nrej; k++) {
			const rejection *r = &ib->rej[k];

			copybuf_row(&w->cb, 8);
			copybuf_int4(&w->cb, (int32_t)ib->b->school_urn);
			copybuf_int8(&w->cb, ib->batch_no);
			copybuf_int2(&w->cb, (int16_t)r->kind);
			copybuf_int4(&w->cb, (int32_t)r->index);
			copybuf_int4(&w->cb, (int32_t)r->line);
			copybuf_cstr(&w->cb, upn_shaped(r->upn) ? r->upn : NULL);
			copybuf_cstr(&w->cb, r->field);
			copybuf_cstr(&w->cb, r->reason);
			rc = flush_if_big(w, err, errlen);
		}
	}
	if (rc == 0)
		rc = copybuf_finish(&w->cb, w->conn, NULL, err, errlen);
	return rc;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

static int record_mark_changes(writer *w, ingest_batch **g, size_t n, char *err, size_t errlen)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		char u[16], d[11];
		const char *params[2] = {u, d};
		PGresult *res;

		if (!live(g[i]) || g[i]->first_change == INT32_MAX)
			continue;
		snprintf(u, sizeof(u), "%u", g[i]->b->school_urn);
		date_format(g[i]->first_change, d);
		res = q(w, "INSERT INTO stage_change VALUES ($1, $2)", 2, params, PGRES_COMMAND_OK,
		        err, errlen);
		if (!res)
			rc = -EIO;
		PQclear(res);
	}
	return rc;
}

static bool year_known(const writer *w, int ay)
{
	for (size_t i = 0; i < w->n_years; i++)
		if (w->years[i] == ay)
			return true;
	return false;
}

/* Makes sure the register has a partition for each academic year the group's marks fall in,
 * through rollcall_ensure_year (SECURITY DEFINER: the daemon may not create tables), before
 * the group's transaction: a mark on 1 August of a year nobody migrated for does not fail its
 * batch, and the DDL lock is not held while the group is committed. */
static int ensure_years(writer *w, ingest_batch **g, size_t n, char *err, size_t errlen)
{
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		const ingest_batch *ib = g[i];

		for (size_t k = 0; rc == 0 && k < ib->b->n_marks; k++) {
			int ay;
			char y[16];
			const char *params[1] = {y};
			PGresult *res;

			if (!ib->mark_code[k])
				continue;
			ay = date_academic_year(ib->b->marks[k]->date);
			if (year_known(w, ay))
				continue;
			snprintf(y, sizeof(y), "%d", ay);
			res = q(w, "SELECT rollcall_ensure_year($1)", 1, params, PGRES_TUPLES_OK,
			        err, errlen);
			if (!res) {
				rc = -EIO;
				break;
			}
			if (!strcmp(PQgetvalue(res, 0, 0), "t"))
				log_info("writer: made the partition of academic year %d", ay);
			PQclear(res);
			if (w->n_years == WRITER_YEARS)
				w->n_years = 0;
			w->years[w->n_years++] = ay;
		}
	}
	return rc;
}

/* Whether g[i]'s key may still write its school, asked inside the transaction: the key table
 * the daemon checked the batch against may be older than a revocation (the reload follows the
 * notification), so a key revoked before this commit is refused from its next batch on. The
 * answer for a key and school is asked once per group. */
static int key_check(writer *w, ingest_batch **g, size_t i, char *err, size_t errlen)
{
	ingest_batch *ib = g[i];
	char urn[16];
	const char *params[2] = {urn, ib->public_key};
	PGresult *res;

	for (size_t j = 0; j < i; j++)
		if (g[j]->b->school_urn == ib->b->school_urn &&
		    !strcmp(g[j]->public_key, ib->public_key)) {
			if (g[j]->status == ROLLCALL__BATCH_ACK__STATUS__REFUSED) {
				ib->status = g[j]->status;
				memcpy(ib->error, g[j]->error, sizeof(ib->error));
			}
			return 0;
		}
	snprintf(urn, sizeof(urn), "%u", ib->b->school_urn);
	res = q(w,
	        "SELECT 1 FROM school_key WHERE school_urn = $1 AND public_key = $2"
	        " AND revoked_at IS NULL",
	        2, params, PGRES_TUPLES_OK, err, errlen);
	if (!res)
		return -EIO;
	if (PQntuples(res) == 0) {
		ib->status = ROLLCALL__BATCH_ACK__STATUS__REFUSED;
		snprintf(ib->error, sizeof(ib->error),
		         "this key may no longer write school %u (revoked)", ib->b->school_urn);
	}
	PQclear(res);
	return 0;
}

static int commit_group(writer *w, ingest_batch **g, size_t n, char *err, size_t errlen)
{
	uint32_t *urns = calloc(n, sizeof(uint32_t));
	size_t nurn = 0;
	bool sessions = false, copying = false;
	long jobs = 0;
	int rc;

	if (!urns)
		return -ENOMEM;
	rc = ensure_years(w, g, n, err, errlen);
	if (rc == 0)
		rc = run(w, "BEGIN", err, errlen);
	if (rc < 0)
		goto out;

	/* One writer per school at a time, taken in URN order so two daemons cannot deadlock. */
	for (size_t i = 0; i < n; i++)
		urns[nurn++] = g[i]->b->school_urn;
	qsort(urns, nurn, sizeof(*urns), cmp_u32);
	for (size_t i = 0; rc == 0 && i < nurn; i++) {
		char sql[96];

		if (i && urns[i] == urns[i - 1])
			continue;
		snprintf(sql, sizeof(sql), "SELECT pg_advisory_xact_lock(72431, %u)", urns[i]);
		rc = run_tuples(w, sql, NULL, err, errlen);
	}

	for (size_t i = 0; rc == 0 && i < n; i++) {
		ingest_batch *ib = g[i];

		ib->status = ROLLCALL__BATCH_ACK__STATUS__ACCEPTED;
		ib->error[0] = '\0';
		ib->first_change = INT32_MAX;
		rc = key_check(w, g, i, err, errlen);
		for (size_t j = 0; rc == 0 && live(ib) && j < i; j++)
			if (live(g[j]) && g[j]->b->school_urn == ib->b->school_urn &&
			    !strcmp(g[j]->b->batch_id, ib->b->batch_id))
				ib->status = ROLLCALL__BATCH_ACK__STATUS__DUPLICATE; /* ack filled
				                                                        later */
		if (live(ib))
			rc = ledger_lookup(w, ib, err, errlen);
		if (rc == 0 && live(ib))
			rc = ledger_open(w, ib, err, errlen);
	}
	if (rc == 0)
		rc = stage_sessions(w, g, n, &sessions, err, errlen);
	if (rc == 0)
		rc = stage_pupils(w, g, n, err, errlen);

	for (size_t u = 0; rc == 0 && u < nurn; u++) {
		pupil_map pm = {0};

		if (u && urns[u] == urns[u - 1])
			continue;
		rc = load_pupils(w, urns[u], &pm, err, errlen);
		if (rc == 0)
			rc = stage_contacts(w, g, n, urns[u], &pm, err, errlen);
		if (rc == 0)
			rc = write_marks(w, g, n, urns[u], &pm, &copying, err, errlen);
		pupil_map_deinit(&pm);
		if (rc == 0 && copying) {
			rc = copybuf_finish(&w->cb, w->conn, NULL, err, errlen);
			copying = false;
		}
	}
	if (rc == 0)
		rc = copy_rejections(w, g, n, err, errlen);
	if (rc == 0)
		rc = record_mark_changes(w, g, n, err, errlen);
	if (rc == 0)
		rc = run_tuples(w, enqueue_sql, &jobs, err, errlen);
	if (rc == 0 && jobs > 0)
		rc = run(w, "NOTIFY rollcall_jobs", err, errlen);
	for (size_t i = 0; rc == 0 && i < n; i++)
		if (live(g[i]))
			rc = ledger_close(w, g[i], err, errlen);
	if (rc == 0)
		rc = run(w, "COMMIT", err, errlen);
out:
	if (rc < 0 && w->conn && PQtransactionStatus(w->conn) != PQTRANS_IDLE) {
		if (PQtransactionStatus(w->conn) == PQTRANS_ACTIVE) {
			PGresult *res;
			/* A COPY in progress: end it so the connection can roll back. */
			PQputCopyEnd(w->conn, "aborted");
			while ((res = PQgetResult(w->conn)))
				PQclear(res);
		}
		PQclear(PQexec(w->conn, "ROLLBACK"));
	}
	free(urns);
	return rc;
}

int writer_commit(writer *w, ingest_batch **group, size_t n, char *err, size_t errlen)
{
	int rc;

	if (atomic_load(&w->cancelled)) {
		snprintf(err, errlen, "the daemon is stopping");
		return -ECANCELED;
	}
	rc = writer_connect(w, err, errlen);
	if (rc < 0)
		return -EAGAIN;
	for (size_t i = 0; i < n; i++) {
		/* A retry starts from the validation result: drop what the last attempt added. */
		ingest_batch *ib = group[i];
		size_t keep = ib->nrej_validated;

		ib->nrej = keep;
		ib->accepted = ib->new_versions = ib->unchanged = 0;
		free(ib->stored_ack);
		ib->stored_ack = NULL;
		ib->stored_ack_len = 0;
	}
	rc = commit_group(w, group, n, err, errlen);
	if (rc < 0) {
		if (atomic_load(&w->cancelled)) /* not the batches' fault: they are sent again */
			return -ECANCELED;
		if (!w->conn || PQstatus(w->conn) != CONNECTION_OK)
			return -EAGAIN;
		return rc == -ENOMEM ? -ENOMEM : -EIO;
	}
	/* A batch sent twice within one group: the second copy answers as a duplicate. */
	for (size_t i = 0; i < n; i++) {
		ingest_batch *ib = group[i];

		if (ib->status != ROLLCALL__BATCH_ACK__STATUS__DUPLICATE || ib->stored_ack)
			continue;
		for (size_t j = 0; j < i; j++)
			if (live(group[j]) && group[j]->b->school_urn == ib->b->school_urn &&
			    !strcmp(group[j]->b->batch_id, ib->b->batch_id)) {
				if (batch_pack_ack(group[j], &ib->stored_ack, &ib->stored_ack_len) <
				    0)
					return -ENOMEM;
				break;
			}
	}
	return 0;
}
