/* Batch cutting for rollcall-push: items packed once into a reused buffer behind room for the
 * header, contacts held back and sorted so one pupil's contacts always share a batch. */
#include "batcher.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rollcall/wire.h"

/* Field tags of Batch's repeated fields, wire type 2 (length-delimited): (field << 3) | 2. */
#define TAG_PUPILS   ((10u << 3) | 2u)
#define TAG_CONTACTS ((11u << 3) | 2u)
#define TAG_MARKS    ((12u << 3) | 2u)
#define TAG_SESSIONS ((13u << 3) | 2u)

#define BATCH_ID_MAX 80
#define SOURCE_MAX   32
#define FIRST_CAP    (1u << 20)

/* One batch being filled: buf[0 .. BATCHER_HEADROOM) is kept for the header, the items follow
 * up to len. */
typedef struct builder {
	int phase;
	uint8_t *buf;
	size_t cap, len;
	batch_counts n;
	char last_upn[16]; /* the last pupil's UPN: pupils with the same UPN stay together */
} builder;

/* A contact waiting for phase 0 to close. The upn key is NUL-padded so memcmp sorts it. */
typedef struct contact_ref {
	char upn[16];
	uint32_t ord; /* arrival order, for a stable sort */
	uint32_t line;
	size_t off; /* packed item in the contact store */
	uint32_t len;
} contact_ref;

struct batcher {
	char run_name[SPOOL_NAME_MAX];
	char source[SOURCE_MAX + 1];
	uint32_t urn;
	int32_t exported_on;
	bool has_exported_on;
	bool ordered;
	bool p0_closed;
	batcher_limits lim;
	batcher_cb cb;
	builder b0, b1;
	uint32_t seq[2];
	uint32_t tier[2]; /* phase-0 batches without / with contacts */
	size_t last_cap;  /* size the last handed-off buffer grew to: the next one starts there */

	uint8_t *cstore; /* packed contacts */
	size_t cstore_len, cstore_cap;
	contact_ref *crefs;
	size_t ncrefs, crefs_cap;
};

static size_t varint_len(size_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static size_t varint_put(uint8_t *p, size_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (uint8_t)v;
	return n;
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 6 : 0; /* tag, length (up to 5 bytes) and the bytes */
}

batcher *batcher_new(const batcher_opts *o)
{
	batcher *b;

	if (!o || !o->run_name || strlen(o->run_name) >= SPOOL_NAME_MAX || !o->source ||
	    strlen(o->source) > SOURCE_MAX || !o->cb.emit || o->limits.marks == 0 ||
	    o->limits.marks > WIRE_MAX_MARKS || o->limits.pupils > WIRE_MAX_PUPILS ||
	    o->limits.sessions > WIRE_MAX_SESSIONS || o->limits.contacts > WIRE_MAX_CONTACTS ||
	    o->limits.bytes > BATCHER_HARD_BYTES)
		return NULL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	memcpy(b->run_name, o->run_name, strlen(o->run_name) + 1);
	memcpy(b->source, o->source, strlen(o->source) + 1);
	b->urn = o->school_urn;
	b->ordered = o->ordered;
	b->lim = o->limits;
	if (!b->lim.pupils)
		b->lim.pupils = BATCHER_PUPILS;
	if (!b->lim.sessions)
		b->lim.sessions = BATCHER_SESSIONS;
	if (!b->lim.contacts)
		b->lim.contacts = BATCHER_CONTACTS;
	if (!b->lim.bytes)
		b->lim.bytes = BATCHER_BYTES;
	b->cb = o->cb;
	b->b0.phase = 0;
	b->b1.phase = 1;
	b->b0.len = b->b1.len = BATCHER_HEADROOM;
	return b;
}

void batcher_destroy(batcher **bp)
{
	batcher *b = bp ? *bp : NULL;

	if (!b)
		return;
	free(b->b0.buf);
	free(b->b1.buf);
	free(b->cstore);
	free(b->crefs);
	free(b);
	*bp = NULL;
}

void batcher_set_exported_on(batcher *b, int32_t day)
{
	b->exported_on = day;
	b->has_exported_on = true;
}

uint32_t batcher_batches(const batcher *b, int phase)
{
	return b->seq[phase ? 1 : 0];
}

static void reject(batcher *b, Rollcall__ItemKind kind, uint32_t line, const char *field,
                   const char *reason)
{
	if (b->cb.reject)
		b->cb.reject(b->cb.user, kind, line, field, reason);
}

/* Room for need more bytes after bd->len. */
static int reserve(batcher *b, builder *bd, size_t need)
{
	size_t want = bd->len + need, cap;
	uint8_t *nb;

	if (want <= bd->cap)
		return 0;
	cap = bd->cap ? bd->cap : (b->last_cap > FIRST_CAP ? b->last_cap : FIRST_CAP);
	while (cap < want)
		cap *= 2;
	nb = realloc(bd->buf, cap);
	if (!nb)
		return -ENOMEM;
	bd->buf = nb;
	bd->cap = cap;
	return 0;
}

static bool builder_empty(const builder *bd)
{
	return bd->len == BATCHER_HEADROOM;
}

/* Emits bd as a Batch: header packed into the headroom just before the items. */
static int flush(batcher *b, builder *bd)
{
	Rollcall__Batch h = ROLLCALL__BATCH__INIT;
	char id[BATCH_ID_MAX];
	batcher_batch out;
	size_t hlen;
	int rc;

	if (builder_empty(bd))
		return 0;
	snprintf(id, sizeof(id), "%s-%d-%08u", b->run_name, bd->phase, b->seq[bd->phase] + 1);
	h.has_version = 1;
	h.version = WIRE_VERSION;
	h.has_school_urn = 1;
	h.school_urn = b->urn;
	h.batch_id = id;
	h.has_exported_on = b->has_exported_on;
	h.exported_on = b->exported_on;
	h.source = b->source;
	hlen = rollcall__batch__get_packed_size(&h);
	if (hlen > BATCHER_HEADROOM) /* cannot happen: id and source lengths are bounded */
		return -EOVERFLOW;
	rollcall__batch__pack(&h, bd->buf + BATCHER_HEADROOM - hlen);

	b->seq[bd->phase]++;
	if (bd->phase == 0)
		b->tier[bd->n.contacts ? 1 : 0]++;
	out.phase = bd->phase;
	out.seq = b->seq[bd->phase];
	out.n = bd->n;
	out.buf = bd->buf;
	out.off = BATCHER_HEADROOM - hlen;
	out.len = hlen + bd->len - BATCHER_HEADROOM;
	rc = b->cb.emit(b->cb.user, &out);
	if (!out.buf) { /* taken: the next batch gets a buffer of its own */
		b->last_cap = bd->cap;
		bd->buf = NULL;
		bd->cap = 0;
	}
	bd->len = BATCHER_HEADROOM;
	memset(&bd->n, 0, sizeof(bd->n));
	bd->last_upn[0] = '\0';
	return rc;
}

/* Appends tag + length + an item packed earlier (room reserved by the caller). */
static size_t put_item(builder *bd, uint8_t tag, size_t packed, const uint8_t *item)
{
	uint8_t *p = bd->buf + bd->len;
	size_t k;

	p[0] = tag;
	k = varint_put(p + 1, packed);
	memcpy(p + 1 + k, item, packed);
	bd->len += 1 + k + packed;
	return 1 + k + packed;
}

/* Appends tag + length + item, packed in place (room for the item + 6 reserved by the caller).
 * The length is written before it is known without a sizing pass: one byte is left for it
 * (items are almost always under 128 bytes) and the item moved up when it needs more. */
#define PACK_IN_PLACE(bd, tag, pack_fn, item)                                                      \
	do {                                                                                       \
		uint8_t *p_ = (bd)->buf + (bd)->len;                                               \
		size_t n_ = pack_fn((item), p_ + 2), k_ = varint_len(n_);                          \
		p_[0] = (tag);                                                                     \
		if (k_ > 1)                                                                        \
			memmove(p_ + 1 + k_, p_ + 2, n_);                                          \
		varint_put(p_ + 1, n_);                                                            \
		(bd)->len += 1 + k_ + n_;                                                          \
	} while (0)

static int phase0_open(batcher *b)
{
	return b->p0_closed ? -EPROTO : 0;
}

int batcher_session(batcher *b, const Rollcall__CalendarSession *s)
{
	builder *bd = &b->b0;
	size_t need = rollcall__calendar_session__get_packed_size(s) + 6;
	int rc = phase0_open(b);

	if (rc < 0)
		return rc;
	if (bd->n.sessions >= b->lim.sessions || bd->len + need > b->lim.bytes) {
		rc = flush(b, bd);
		if (rc < 0)
			return rc;
	}
	rc = reserve(b, bd, need);
	if (rc < 0)
		return rc;
	PACK_IN_PLACE(bd, TAG_SESSIONS, rollcall__calendar_session__pack, s);
	bd->n.sessions++;
	return 0;
}

int batcher_pupil(batcher *b, const Rollcall__Pupil *p)
{
	builder *bd = &b->b0;
	size_t packed = rollcall__pupil__get_packed_size(p), need = packed + 6;
	const char *upn = p->upn ? p->upn : "";
	bool same = bd->n.pupils > 0 && strncmp(bd->last_upn, upn, sizeof(bd->last_upn) - 1) == 0;
	int rc = phase0_open(b);

	if (rc < 0)
		return rc;
	if (packed > BATCHER_ITEM_MAX) {
		reject(b, ROLLCALL__ITEM_KIND__PUPIL, p->line, "row", "row too large to send");
		return 0;
	}
	/* A pupil's history (one item per change, in a row) is not split unless it must be. */
	if ((!same && (bd->n.pupils >= b->lim.pupils || bd->len + need > b->lim.bytes)) ||
	    bd->n.pupils >= WIRE_MAX_PUPILS || bd->len + need > BATCHER_HARD_BYTES) {
		rc = flush(b, bd);
		if (rc < 0)
			return rc;
	}
	rc = reserve(b, bd, need);
	if (rc < 0)
		return rc;
	PACK_IN_PLACE(bd, TAG_PUPILS, rollcall__pupil__pack, p);
	bd->n.pupils++;
	snprintf(bd->last_upn, sizeof(bd->last_upn), "%s", upn);
	return 0;
}

int batcher_contact(batcher *b, const Rollcall__Contact *c)
{
	size_t packed = rollcall__contact__get_packed_size(c);
	contact_ref *r;
	int rc = phase0_open(b);

	if (rc < 0)
		return rc;
	if (packed > BATCHER_ITEM_MAX) {
		reject(b, ROLLCALL__ITEM_KIND__CONTACT, c->line, "row", "row too large to send");
		return 0;
	}
	if (b->ncrefs == UINT32_MAX)
		return -E2BIG;
	if (b->ncrefs == b->crefs_cap) {
		size_t nc = b->crefs_cap ? b->crefs_cap * 2 : 1024;
		contact_ref *nr = realloc(b->crefs, nc * sizeof(*nr));
		if (!nr)
			return -ENOMEM;
		b->crefs = nr;
		b->crefs_cap = nc;
	}
	if (b->cstore_len + packed > b->cstore_cap) {
		size_t nc = b->cstore_cap ? b->cstore_cap : 64 * 1024;
		uint8_t *ns;

		while (nc < b->cstore_len + packed)
			nc *= 2;
		ns = realloc(b->cstore, nc);
		if (!ns)
			return -ENOMEM;
		b->cstore = ns;
		b->cstore_cap = nc;
	}
	r = &b->crefs[b->ncrefs];
	memset(r->upn, 0, sizeof(r->upn));
	if (c->upn)
		strncpy(r->upn, c->upn, sizeof(r->upn) - 1);
	r->ord = (uint32_t)b->ncrefs;
	r->line = c->line;
	r->off = b->cstore_len;
	r->len = (uint32_t)packed;
	rollcall__contact__pack(c, b->cstore + b->cstore_len);
	b->cstore_len += packed;
	b->ncrefs++;
	return 0;
}

int batcher_mark(batcher *b, const Rollcall__Mark *m)
{
	builder *bd = &b->b1;
	size_t need;
	int rc;

	if (!b->p0_closed && b->ordered) {
		rc = batcher_close_phase0(b);
		if (rc < 0)
			return rc;
	}
	/* An upper bound without a sizing pass: every scalar field at its widest varint. */
	need = 64 + slen(m->upn) + slen(m->code) + slen(m->recorded_by) + slen(m->amendment_reason);
	if (need > BATCHER_ITEM_MAX) {
		reject(b, ROLLCALL__ITEM_KIND__MARK, m->line, "row", "row too large to send");
		return 0;
	}
	if (bd->n.marks >= b->lim.marks || bd->len + need > b->lim.bytes) {
		rc = flush(b, bd);
		if (rc < 0)
			return rc;
	}
	rc = reserve(b, bd, need);
	if (rc < 0)
		return rc;
	PACK_IN_PLACE(bd, TAG_MARKS, rollcall__mark__pack, m);
	bd->n.marks++;
	return 0;
}

static int cmp_contact(const void *x, const void *y)
{
	const contact_ref *a = x, *b = y;
	int c = memcmp(a->upn, b->upn, sizeof(a->upn));

	if (c)
		return c;
	return a->ord < b->ord ? -1 : a->ord > b->ord;
}

/* Emits the buffered contacts, sorted by UPN, cutting batches only between pupils. */
static int emit_contacts(batcher *b)
{
	builder *bd = &b->b0;
	int rc = 0;

	if (b->ncrefs)
		qsort(b->crefs, b->ncrefs, sizeof(*b->crefs), cmp_contact);
	for (size_t i = 0; rc == 0 && i < b->ncrefs;) {
		size_t j = i, bytes = 0, keep;

		while (j < b->ncrefs &&
		       !memcmp(b->crefs[j].upn, b->crefs[i].upn, sizeof(b->crefs[i].upn)))
			j++;
		/* The group i..j is one pupil's contact set; it must fit in one batch. */
		for (keep = i; keep < j; keep++) {
			size_t add = 1 + varint_len(b->crefs[keep].len) + b->crefs[keep].len;

			if (keep - i >= BATCHER_PUPIL_CONTACTS ||
			    BATCHER_HEADROOM + bytes + add > BATCHER_HARD_BYTES)
				break;
			bytes += add;
		}
		for (size_t k = keep; k < j; k++) {
			char why[96];

			snprintf(why, sizeof(why),
			         "more than %d contacts for this pupil; this one was not sent",
			         BATCHER_PUPIL_CONTACTS);
			reject(b, ROLLCALL__ITEM_KIND__CONTACT, b->crefs[k].line, "upn", why);
		}
		if (!builder_empty(bd) && (bd->n.contacts + (keep - i) > b->lim.contacts ||
		                           bd->len + bytes > b->lim.bytes))
			rc = flush(b, bd);
		if (rc == 0)
			rc = reserve(b, bd, bytes);
		for (size_t k = i; rc == 0 && k < keep; k++) {
			put_item(bd, TAG_CONTACTS, b->crefs[k].len, b->cstore + b->crefs[k].off);
			bd->n.contacts++;
		}
		i = j;
	}
	if (rc == 0)
		rc = flush(b, bd);
	free(b->crefs);
	free(b->cstore);
	b->crefs = NULL;
	b->cstore = NULL;
	b->ncrefs = b->crefs_cap = b->cstore_len = b->cstore_cap = 0;
	return rc;
}

int batcher_close_phase0(batcher *b)
{
	int rc;

	if (b->p0_closed)
		return 0;
	b->p0_closed = true;
	rc = flush(b, &b->b0);
	if (rc == 0)
		rc = emit_contacts(b);
	if (rc == 0 && b->cb.phase0_closed)
		b->cb.phase0_closed(b->cb.user, b->tier[0], b->tier[1]);
	return rc;
}

int batcher_finish(batcher *b)
{
	int rc = batcher_close_phase0(b);

	if (rc == 0)
		rc = flush(b, &b->b1);
	return rc;
}
