/* ROUTER loop: receive, decode, authorise, validate, group, commit, ack. */
#include "ingest.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zmq.h>

#include "batch.h"
#include "rollcall/keyfile.h"
#include "rollcall/log.h"
#include "rollcall/validate.h"
#include "writer.h"
#include "zap.h"

struct ingest {
	const rc_config *cfg;
	void *ctx;
	void *router;
	zap *zap;
	writer *writer;
	ingest_stats st;
	ingest_batch **group;
	size_t ngroup;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void batch_free(ingest_batch **ibp)
{
	ingest_batch *ib = ibp ? *ibp : NULL;

	if (!ib)
		return;
	free(ib->stored_ack);
	wire_arena_destroy(&ib->arena);
	free(ib);
	*ibp = NULL;
}

int ingest_reload_keys(ingest *in, char *err, size_t errlen)
{
	keytab *t = NULL;
	int rc = writer_load_keys(in->writer, &t, err, errlen);

	if (rc < 0)
		return rc;
	in->st.keys = keytab_count(t);
	zap_set_keys(in->zap, &t);
	return 0;
}

int ingest_new(const rc_config *cfg, ingest **out, char *err, size_t errlen)
{
	ingest *in = calloc(1, sizeof(*in));
	keypair kp;
	int rc, on = 1, linger = 0, hwm = 1000;
	int64_t maxmsg = (int64_t)cfg->max_message_bytes * 2;

	*out = NULL;
	if (!in)
		return -ENOMEM;
	in->cfg = cfg;
	in->group = calloc((size_t)cfg->group_max_batches, sizeof(*in->group));
	in->writer = writer_new(cfg->db_conninfo);
	in->ctx = zmq_ctx_new();
	if (!in->group || !in->writer || !in->ctx) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = keyfile_read(cfg->server_key_file, &kp, 1, err, errlen);
	if (rc < 0)
		goto fail;
	rc = writer_connect(in->writer, err, errlen);
	if (rc < 0)
		goto fail;
	rc = zap_start(in->ctx, &in->zap, err, errlen);
	if (rc < 0)
		goto fail;
	rc = ingest_reload_keys(in, err, errlen);
	if (rc < 0)
		goto fail;

	in->router = zmq_socket(in->ctx, ZMQ_ROUTER);
	if (!in->router || zmq_setsockopt(in->router, ZMQ_CURVE_SERVER, &on, sizeof(on)) ||
	    zmq_setsockopt(in->router, ZMQ_CURVE_SECRETKEY, kp.secret_key, KEY_Z85_LEN) ||
	    zmq_setsockopt(in->router, ZMQ_ZAP_DOMAIN, "rollcall", 8) ||
	    zmq_setsockopt(in->router, ZMQ_ROUTER_MANDATORY, &on, sizeof(on)) ||
	    zmq_setsockopt(in->router, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_setsockopt(in->router, ZMQ_RCVHWM, &hwm, sizeof(hwm)) ||
	    zmq_setsockopt(in->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg))) {
		snprintf(err, errlen, "ingest: cannot set up socket (%s)",
		         zmq_strerror(zmq_errno()));
		rc = -EIO;
		goto fail;
	}
	if (zmq_bind(in->router, cfg->listen) != 0) {
		snprintf(err, errlen, "ingest: cannot bind %s (%s)", cfg->listen,
		         zmq_strerror(zmq_errno()));
		rc = -EADDRINUSE;
		goto fail;
	}
	*out = in;
	return 0;
fail:
	ingest_destroy(&in);
	return rc;
}

void ingest_destroy(ingest **inp)
{
	ingest *in = inp ? *inp : NULL;

	if (!in)
		return;
	for (size_t i = 0; i < in->ngroup; i++)
		batch_free(&in->group[i]);
	if (in->router)
		zmq_close(in->router);
	zap_stop(&in->zap);
	if (in->ctx)
		zmq_ctx_term(in->ctx);
	writer_destroy(&in->writer);
	free(in->group);
	free(in);
	*inp = NULL;
}

void ingest_get_stats(ingest *in, ingest_stats *st)
{
	*st = in->st;
	if (in->zap)
		zap_counts(in->zap, &st->handshakes_ok, &st->handshakes_refused);
}

static void send_ack(ingest *in, ingest_batch *ib)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	if (ib->status == ROLLCALL__BATCH_ACK__STATUS__DUPLICATE && ib->stored_ack) {
		/* The first ack, with its rejections, now saying DUPLICATE. */
		Rollcall__BatchAck *a =
		        rollcall__batch_ack__unpack(NULL, ib->stored_ack_len, ib->stored_ack);
		if (a) {
			a->status = ROLLCALL__BATCH_ACK__STATUS__DUPLICATE;
			a->has_status = 1;
			len = rollcall__batch_ack__get_packed_size(a);
			buf = malloc(len ? len : 1);
			if (buf)
				rollcall__batch_ack__pack(a, buf);
			rollcall__batch_ack__free_unpacked(a, NULL);
		}
	}
	if (!buf && batch_pack_ack(ib, &buf, &len) < 0) {
		log_err("ingest: cannot build ack (out of memory)");
		return;
	}
	rc = zmq_send(in->router, ib->routing_id, ib->routing_len, ZMQ_SNDMORE);
	if (rc >= 0)
		rc = zmq_send(in->router, buf, len, 0);
	if (rc < 0)
		log_info("ingest: ack for batch %s not delivered (%s); the client will resend",
		         ib->b && ib->b->batch_id ? ib->b->batch_id : "-",
		         zmq_strerror(zmq_errno()));
	free(buf);
}

static void refuse(ingest *in, ingest_batch *ib, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void refuse(ingest *in, ingest_batch *ib, const char *fmt, ...)
{
	va_list ap;

	ib->status = ROLLCALL__BATCH_ACK__STATUS__REFUSED;
	va_start(ap, fmt);
	vsnprintf(ib->error, sizeof(ib->error), fmt, ap);
	va_end(ap);
	in->st.refused++;
	log_warning("ingest: batch %s for URN %u refused (%s)",
	            ib->b && ib->b->batch_id ? ib->b->batch_id : "-", ib->b ? ib->b->school_urn : 0,
	            ib->error);
	send_ack(in, ib);
}

/* Item validation that needs no database. */
static int validate_items(ingest_batch *ib)
{
	const Rollcall__Batch *b = ib->b;
	validate_window win;
	validate_error e;
	int32_t today = (int32_t)(time(NULL) / 86400);
	int rc = 0;

	validate_window_for(today, &win);
	ib->mark_code = wire_arena_alloc(ib->arena, b->n_marks + 1);
	ib->pupil_ok = wire_arena_alloc(ib->arena, b->n_pupils + 1);
	ib->contact_ok = wire_arena_alloc(ib->arena, b->n_contacts + 1);
	ib->session_ok = wire_arena_alloc(ib->arena, b->n_sessions + 1);
	if (!ib->mark_code || !ib->pupil_ok || !ib->contact_ok || !ib->session_ok)
		return -ENOMEM;
	for (size_t i = 0; rc == 0 && i < b->n_pupils; i++) {
		const Rollcall__Pupil *p = b->pupils[i];
		if (validate_pupil(p, today, &e) == 0)
			ib->pupil_ok[i] = 1;
		else
			rc = batch_reject(ib, ROLLCALL__ITEM_KIND__PUPIL, (uint32_t)i, p->line,
			                  p->upn, e.field, e.reason);
	}
	for (size_t i = 0; rc == 0 && i < b->n_contacts; i++) {
		const Rollcall__Contact *c = b->contacts[i];
		if (validate_contact(c, &e) == 0)
			ib->contact_ok[i] = 1;
		else
			rc = batch_reject(ib, ROLLCALL__ITEM_KIND__CONTACT, (uint32_t)i, c->line,
			                  c->upn, e.field, e.reason);
	}
	for (size_t i = 0; rc == 0 && i < b->n_marks; i++) {
		const Rollcall__Mark *m = b->marks[i];
		if (validate_mark(m, &win, &ib->mark_code[i], &e) < 0)
			rc = batch_reject(ib, ROLLCALL__ITEM_KIND__MARK, (uint32_t)i, m->line,
			                  m->upn, e.field, e.reason);
	}
	for (size_t i = 0; rc == 0 && i < b->n_sessions; i++) {
		const Rollcall__CalendarSession *s = b->sessions[i];
		if (validate_session(s, &win, &e) == 0)
			ib->session_ok[i] = 1;
		else
			rc = batch_reject(ib, ROLLCALL__ITEM_KIND__SESSION, (uint32_t)i, s->line,
			                  NULL, e.field, e.reason);
	}
	ib->nrej_validated = ib->nrej;
	return rc;
}

/* Receives one message without waiting. Returns 1 with *out set when a batch joins the group,
 * 1 with *out NULL when a message was answered at once (refused), 0 when none was waiting. */
static int receive_one(ingest *in, ingest_batch **out)
{
	zmq_msg_t id, body;
	ingest_batch *ib = NULL;
	const char *user;
	char err[256];
	int rc, more;

	*out = NULL;
	zmq_msg_init(&id);
	zmq_msg_init(&body);
	if (zmq_msg_recv(&id, in->router, ZMQ_DONTWAIT) < 0) {
		rc = zmq_errno() == EAGAIN || zmq_errno() == EINTR ? 0 : -1;
		goto out;
	}
	rc = 1;
	if (!zmq_msg_more(&id) || zmq_msg_recv(&body, in->router, 0) < 0)
		goto out;
	more = zmq_msg_more(&body);
	while (more) { /* one frame per batch: anything after it is dropped */
		zmq_msg_t extra;
		zmq_msg_init(&extra);
		if (zmq_msg_recv(&extra, in->router, 0) < 0)
			more = 0;
		else
			more = zmq_msg_more(&extra);
		zmq_msg_close(&extra);
	}

	ib = calloc(1, sizeof(*ib));
	if (!ib)
		goto out;
	ib->routing_len = zmq_msg_size(&id) < sizeof(ib->routing_id) ? zmq_msg_size(&id) : 0;
	memcpy(ib->routing_id, zmq_msg_data(&id), ib->routing_len);
	user = zmq_msg_gets(&body, "User-Id");
	snprintf(ib->public_key, sizeof(ib->public_key), "%s", user ? user : "");
	ib->arena = wire_arena_new((size_t)in->cfg->decode_budget_bytes);
	if (!ib->arena)
		goto out;
	if (zmq_msg_size(&body) > (size_t)in->cfg->max_message_bytes) {
		refuse(in, ib, "message of %zu bytes is over max_message_bytes (%d)",
		       zmq_msg_size(&body), in->cfg->max_message_bytes);
		goto out;
	}
	if (wire_batch_decode(ib->arena, zmq_msg_data(&body), zmq_msg_size(&body), &ib->b, err,
	                      sizeof(err)) < 0) {
		refuse(in, ib, "%s", err);
		goto out;
	}
	if (!zap_key_allows(in->zap, ib->public_key, ib->b->school_urn)) {
		refuse(in, ib, "this key may not write school %u", ib->b->school_urn);
		goto out;
	}
	if (validate_items(ib) < 0) {
		refuse(in, ib, "%s", "decoded batch exceeds the decode budget");
		goto out;
	}
	*out = ib;
	ib = NULL;
out:
	batch_free(&ib);
	zmq_msg_close(&id);
	zmq_msg_close(&body);
	return rc;
}

static void finish(ingest *in, ingest_batch *ib)
{
	if (ib->status == ROLLCALL__BATCH_ACK__STATUS__DUPLICATE)
		in->st.duplicates++;
	else if (ib->status == ROLLCALL__BATCH_ACK__STATUS__ACCEPTED) {
		in->st.marks_new += ib->new_versions;
		in->st.marks_unchanged += ib->unchanged;
		in->st.items_rejected += ib->nrej;
	}
	in->st.batches++;
	send_ack(in, ib);
}

static void commit_and_ack(ingest *in)
{
	char err[512];
	uint64_t t0 = now_ms();
	int rc = writer_commit(in->writer, in->group, in->ngroup, err, sizeof(err));

	if (rc == -EIO && in->ngroup > 1) {
		/* Find the batch that fails: commit each alone. */
		log_warning("ingest: group of %zu batches failed (%s); committing one by one",
		            in->ngroup, err);
		for (size_t i = 0; i < in->ngroup; i++) {
			ingest_batch *one = in->group[i];
			rc = writer_commit(in->writer, &one, 1, err, sizeof(err));
			if (rc == 0)
				finish(in, one);
			else if (rc == -EIO)
				refuse(in, one, "the register could not store this batch (%s)",
				       err);
			else
				goto retry_rest;
			continue;
		retry_rest:
			for (size_t j = i; j < in->ngroup; j++) {
				in->group[j]->status = ROLLCALL__BATCH_ACK__STATUS__RETRY;
				snprintf(in->group[j]->error, sizeof(in->group[j]->error),
				         "database unavailable");
				in->st.retries++;
				send_ack(in, in->group[j]);
			}
			break;
		}
	} else if (rc == -EIO) {
		refuse(in, in->group[0], "the register could not store this batch (%s)", err);
	} else if (rc < 0) {
		log_err("ingest: commit of %zu batches failed (%s); clients will resend",
		        in->ngroup, err);
		for (size_t i = 0; i < in->ngroup; i++) {
			in->group[i]->status = ROLLCALL__BATCH_ACK__STATUS__RETRY;
			snprintf(in->group[i]->error, sizeof(in->group[i]->error),
			         "database unavailable");
			in->st.retries++;
			send_ack(in, in->group[i]);
		}
	} else {
		for (size_t i = 0; i < in->ngroup; i++)
			finish(in, in->group[i]);
	}
	in->st.groups++;
	in->st.last_group_ms = now_ms() - t0;
	for (size_t i = 0; i < in->ngroup; i++)
		batch_free(&in->group[i]);
	in->ngroup = 0;
}

int ingest_step(ingest *in, int timeout_ms)
{
	zmq_pollitem_t item = {in->router, 0, ZMQ_POLLIN, 0};
	size_t marks = 0;
	uint64_t deadline = 0;

	if (zmq_poll(&item, 1, timeout_ms) < 0)
		return zmq_errno() == EINTR ? 0 : -1;
	if (!(item.revents & ZMQ_POLLIN))
		return 0;

	while (in->ngroup < (size_t)in->cfg->group_max_batches &&
	       marks < (size_t)in->cfg->group_max_marks) {
		ingest_batch *ib;
		int rc = receive_one(in, &ib);

		if (rc < 0)
			return -1;
		if (rc == 0) {
			uint64_t now = now_ms();
			int wait;

			if (!in->ngroup)
				return 0;
			if (!deadline)
				deadline = now + (uint64_t)in->cfg->group_wait_ms;
			if (now >= deadline)
				break;
			wait = (int)(deadline - now);
			if (zmq_poll(&item, 1, wait) <= 0)
				break;
			continue;
		}
		if (ib) {
			in->group[in->ngroup++] = ib;
			marks += ib->b->n_marks;
		}
	}
	if (in->ngroup)
		commit_and_ack(in);
	return 1;
}
