/* Decoding batches under a heap budget, and the protocol limits. */
#include "rollcall/wire.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct chunk {
	struct chunk *next;
	size_t used, size;
	max_align_t data[];
} chunk;

struct wire_pool {
	pthread_mutex_t mu;
	chunk *spare; /* free standard-size chunks */
	size_t nspare, max_spare;
};

struct wire_arena {
	chunk *head;
	size_t handed, budget;
	size_t footprint; /* bytes of the chunks it holds */
	wire_pool *pool;
	ProtobufCAllocator alloc;
};

#define CHUNK_SIZE (256 * 1024)

wire_pool *wire_pool_new(size_t max_spare)
{
	wire_pool *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->mu, NULL);
	p->max_spare = max_spare / CHUNK_SIZE;
	return p;
}

void wire_pool_destroy(wire_pool **pp)
{
	wire_pool *p = pp ? *pp : NULL;

	if (!p)
		return;
	for (chunk *c = p->spare, *next; c; c = next) {
		next = c->next;
		free(c);
	}
	pthread_mutex_destroy(&p->mu);
	free(p);
	*pp = NULL;
}

static chunk *chunk_get(wire_pool *p, size_t size)
{
	chunk *c = NULL;

	if (p && size == CHUNK_SIZE) {
		pthread_mutex_lock(&p->mu);
		c = p->spare;
		if (c) {
			p->spare = c->next;
			p->nspare--;
		}
		pthread_mutex_unlock(&p->mu);
	}
	if (!c)
		c = malloc(sizeof(chunk) + size);
	return c;
}

static void chunk_put(wire_pool *p, chunk *c)
{
	if (p && c->size == CHUNK_SIZE) {
		pthread_mutex_lock(&p->mu);
		if (p->nspare < p->max_spare) {
			c->next = p->spare;
			p->spare = c;
			p->nspare++;
			c = NULL;
		}
		pthread_mutex_unlock(&p->mu);
	}
	free(c);
}

static void *arena_alloc(void *user, size_t size)
{
	wire_arena *a = user;
	chunk *c = a->head;
	size_t need = (size + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);

	if (need < size || a->handed + need > a->budget)
		return NULL;
	if (!c || c->size - c->used < need) {
		size_t sz = need > CHUNK_SIZE ? need : CHUNK_SIZE;

		c = chunk_get(a->pool, sz);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = sz;
		a->footprint += sizeof(chunk) + sz;
		/* A big one-off block goes behind the current chunk so its free space stays usable.
		 */
		if (a->head && sz > CHUNK_SIZE) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = (char *)c->data + c->used;
	c->used += need;
	a->handed += need;
	return p;
}

static void arena_free(void *user, void *p)
{
	/* Everything goes when the arena does. */
}

wire_arena *wire_arena_new(size_t budget)
{
	return wire_arena_new_pooled(budget, NULL);
}

wire_arena *wire_arena_new_pooled(size_t budget, wire_pool *pool)
{
	wire_arena *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->budget = budget;
	a->pool = pool;
	a->alloc.alloc = arena_alloc;
	a->alloc.free = arena_free;
	a->alloc.allocator_data = a;
	return a;
}

void wire_arena_destroy(wire_arena **ap)
{
	wire_arena *a = ap ? *ap : NULL;

	if (!a)
		return;
	for (chunk *c = a->head, *next; c; c = next) {
		next = c->next;
		chunk_put(a->pool, c);
	}
	free(a);
	*ap = NULL;
}

void *wire_arena_alloc(wire_arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	if (p)
		memset(p, 0, size);
	return p;
}

size_t wire_arena_used(const wire_arena *a)
{
	return a ? a->handed : 0;
}

size_t wire_arena_footprint(const wire_arena *a)
{
	return a ? a->footprint + sizeof(*a) : 0;
}

int wire_batch_decode(wire_arena *arena, const uint8_t *data, size_t len, Rollcall__Batch **out,
                      char *err, size_t errlen)
{
	Rollcall__Batch *b;

	*out = NULL;
	b = rollcall__batch__unpack(&arena->alloc, len, data);
	if (!b) {
		if (arena->handed + 4096 >= arena->budget) {
			snprintf(err, errlen, "decoded batch exceeds %zu bytes", arena->budget);
			return -E2BIG;
		}
		snprintf(err, errlen, "not a Batch message");
		return -EBADMSG;
	}
	if (!b->has_version || b->version != WIRE_VERSION) {
		snprintf(err, errlen, "wire version %u is not supported (this daemon speaks %d)",
		         b->has_version ? b->version : 0, WIRE_VERSION);
		return -EPROTO;
	}
	if (!b->has_school_urn || b->school_urn < 100000 || b->school_urn > 999999) {
		snprintf(err, errlen, "school_urn missing or not 6 digits");
		return -EPROTO;
	}
	if (wire_check_batch_id(b->batch_id, b->batch_id ? strlen(b->batch_id) : 0, err, errlen) <
	    0)
		return -EPROTO;
	if (b->n_pupils > WIRE_MAX_PUPILS || b->n_contacts > WIRE_MAX_CONTACTS ||
	    b->n_marks > WIRE_MAX_MARKS || b->n_sessions > WIRE_MAX_SESSIONS) {
		snprintf(err, errlen,
		         "batch too large (%zu pupils, %zu contacts, %zu marks, %zu sessions; "
		         "limits "
		         "%d, %d, %d, %d)",
		         b->n_pupils, b->n_contacts, b->n_marks, b->n_sessions, WIRE_MAX_PUPILS,
		         WIRE_MAX_CONTACTS, WIRE_MAX_MARKS, WIRE_MAX_SESSIONS);
		return -EPROTO;
	}
	*out = b;
	return 0;
}

int wire_check_batch_id(const char *id, size_t len, char *why, size_t whylen)
{
	if (!id || !len) {
		snprintf(why, whylen, "batch_id missing");
		return -EPROTO;
	}
	if (len > WIRE_MAX_BATCH_ID) {
		snprintf(why, whylen, "batch_id longer than %d characters", WIRE_MAX_BATCH_ID);
		return -EPROTO;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c <= 0x20 || c >= 0x7f) {
			snprintf(why, whylen,
			         "batch_id must be visible ASCII (character %zu is byte 0x%02x)",
			         i + 1, c);
			return -EPROTO;
		}
	}
	return 0;
}

/* Reads a varint at *p (before end), advancing *p. Returns 0, or -1 when it is cut off or
 * longer than 10 bytes. */
static int read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
	uint64_t x = 0;

	for (unsigned shift = 0; shift < 70; shift += 7) {
		uint8_t b;

		if (*p >= end)
			return -1;
		b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*v = x;
			return 0;
		}
	}
	return -1;
}

int wire_batch_peek(const uint8_t *data, size_t len, wire_peek *out)
{
	/* Field numbers and wire types of rollcall.proto's Batch. */
	enum {
		F_URN = 2,
		F_BATCH_ID = 3,
		F_HELLO = 6,
		WT_VARINT = 0,
		WT_I64 = 1,
		WT_LEN = 2,
		WT_I32 = 5
	};
	const uint8_t *p = data, *end = data + len;

	memset(out, 0, sizeof(*out));
	while (p < end) {
		uint64_t key, v = 0;
		unsigned field, type;
		const uint8_t *value;

		if (read_varint(&p, end, &key) < 0 || (key >> 3) == 0 || (key >> 3) > UINT32_MAX)
			return -EBADMSG;
		field = (unsigned)(key >> 3);
		type = (unsigned)(key & 7);
		switch (type) {
		case WT_VARINT:
			if (read_varint(&p, end, &v) < 0)
				return -EBADMSG;
			break;
		case WT_I64:
		case WT_I32:
			if ((size_t)(end - p) < (type == WT_I64 ? 8u : 4u))
				return -EBADMSG;
			p += type == WT_I64 ? 8 : 4;
			break;
		case WT_LEN:
			if (read_varint(&p, end, &v) < 0 || v > (uint64_t)(end - p))
				return -EBADMSG;
			value = p;
			p += v;
			if (field == F_BATCH_ID) {
				/* The last occurrence counts, as in a full decode. */
				out->batch_id[0] = '\0';
				out->why[0] = '\0';
				if (wire_check_batch_id((const char *)value, (size_t)v, out->why,
				                        sizeof(out->why)) == 0) {
					memcpy(out->batch_id, value, (size_t)v);
					out->batch_id[v] = '\0';
				}
			}
			continue;
		default: /* groups (3, 4) are not used by rollcall.proto */
			return -EBADMSG;
		}
		if (type == WT_VARINT && field == F_URN)
			out->school_urn = v <= UINT32_MAX ? (uint32_t)v : 0;
		else if (type == WT_VARINT && field == F_HELLO)
			out->hello = v != 0;
	}
	return 0;
}

const char *wire_kind_file(Rollcall__ItemKind kind)
{
	switch (kind) {
	case ROLLCALL__ITEM_KIND__PUPIL:
		return "pupils.csv";
	case ROLLCALL__ITEM_KIND__CONTACT:
		return "contacts.csv";
	case ROLLCALL__ITEM_KIND__MARK:
		return "marks.csv";
	case ROLLCALL__ITEM_KIND__SESSION:
		return "calendar.csv";
	default:
		return "batch";
	}
}
