/* Rejections and acks of one received batch. */
#include "batch.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int batch_reject(ingest_batch *ib, Rollcall__ItemKind kind, uint32_t index, uint32_t line,
                 const char *upn, const char *field, const char *reason)
{
	size_t len = strlen(reason);
	char *copy;

	if (ib->nrej == ib->caprej) {
		size_t cap = ib->caprej ? ib->caprej * 2 : 16;
		rejection *r = wire_arena_alloc(ib->arena, cap * sizeof(*r));

		if (!r)
			return -ENOMEM;
		if (ib->nrej)
			memcpy(r, ib->rej, ib->nrej * sizeof(*r));
		ib->rej = r;
		ib->caprej = cap;
	}
	copy = wire_arena_alloc(ib->arena, len + 1);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, reason, len);
	ib->rej[ib->nrej++] = (rejection){kind, index, line, field, copy, upn};
	return 0;
}

int batch_pack_ack(const ingest_batch *ib, uint8_t **out, size_t *outlen)
{
	Rollcall__BatchAck ack = ROLLCALL__BATCH_ACK__INIT;
	Rollcall__Rejection *items = NULL, **ptrs = NULL;
	int rc = 0;

	*out = NULL;
	*outlen = 0;
	ack.has_version = 1;
	ack.version = WIRE_VERSION;
	ack.batch_id = ib->b && ib->b->batch_id ? ib->b->batch_id : (char *)ib->peek.batch_id;
	if (ib->b && ib->b->has_school_urn) {
		ack.has_school_urn = 1;
		ack.school_urn = ib->b->school_urn;
	} else if (ib->peek.school_urn) {
		ack.has_school_urn = 1;
		ack.school_urn = ib->peek.school_urn;
	}
	ack.has_status = 1;
	ack.status = ib->status;
	if (ib->error[0])
		ack.error = (char *)ib->error;
	if (ib->max_message_bytes) {
		ack.has_max_message_bytes = 1;
		ack.max_message_bytes = ib->max_message_bytes;
	}
	if (ib->retry_after_ms) {
		ack.has_retry_after_ms = 1;
		ack.retry_after_ms = ib->retry_after_ms;
	}
	/* A refused or retried batch stored nothing: its ack carries no counts and no rows, so the
	 * client never takes what a failed attempt had counted for stored. */
	if (ib->status == ROLLCALL__BATCH_ACK__STATUS__REFUSED ||
	    ib->status == ROLLCALL__BATCH_ACK__STATUS__RETRY)
		goto pack;
	ack.has_accepted = ack.has_rejected = ack.has_new_versions = ack.has_unchanged = 1;
	ack.accepted = ib->accepted;
	ack.rejected = (uint32_t)ib->nrej;
	ack.new_versions = ib->new_versions;
	ack.unchanged = ib->unchanged;
	if (ib->nrej) {
		items = calloc(ib->nrej, sizeof(*items));
		ptrs = calloc(ib->nrej, sizeof(*ptrs));
		if (!items || !ptrs) {
			rc = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < ib->nrej; i++) {
			const rejection *r = &ib->rej[i];

			rollcall__rejection__init(&items[i]);
			items[i].has_kind = items[i].has_index = items[i].has_line = 1;
			items[i].kind = r->kind;
			items[i].index = r->index;
			items[i].line = r->line;
			items[i].field = (char *)r->field;
			items[i].reason = (char *)r->reason;
			ptrs[i] = &items[i];
		}
		ack.n_rejections = ib->nrej;
		ack.rejections = ptrs;
	}
pack:
	*outlen = rollcall__batch_ack__get_packed_size(&ack);
	*out = malloc(*outlen ? *outlen : 1);
	if (!*out) {
		rc = -ENOMEM;
		goto out;
	}
	rollcall__batch_ack__pack(&ack, *out);
out:
	free(items);
	free(ptrs);
	return rc;
}
