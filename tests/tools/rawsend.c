/* rawsend: sends frames to rollcalld as a CURVE client and prints the answer, for tests of
 * what the daemon does with malformed, oversized, unauthorised or too many messages.
 * Usage: rawsend ENDPOINT SERVER_PUBLIC_KEY CLIENT_KEY_FILE MODE [ARG]
 *   MODE batch URN BATCH_ID  a valid empty batch for URN
 *   MODE hello               a hello; prints the limit the daemon tells ("max=N")
 *   MODE pair URN ID1 ID2 FILE  two batches on one connection: ID1, then, once FILE exists
 *                            (at most 60 s), ID2; one answer line each
 *   MODE file PATH           the bytes of PATH as one frame
 *   MODE garbage N           N random bytes
 *   MODE frames              a two-frame message
 *   MODE empties N           a batch with N empty marks (decode-budget test)
 *   MODE flood URN MARKS SECONDS [STOPFILE]  batches of MARKS marks for URN as fast as the
 *                            socket takes them, never waiting for an answer nor sending one
 *                            again, for SECONDS or until STOPFILE exists; prints
 *                            "sent=N accepted=N retry=N refused=N"
 * Prints "status=<STATUS> accepted=N rejected=N error=<text>" or "noanswer" after 5 s, then
 * each rejection as "file:line: field: reason". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "rollcall/keyfile.h"
#include "rollcall/wire.h"

static void *s_sock;
static const char *s_names[] = {"ACCEPTED", "DUPLICATE", "REFUSED", "RETRY"};

static int send_buf(const void *buf, size_t len, int more)
{
	return zmq_send(s_sock, buf, len, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
}

static uint8_t *pack_batch(Rollcall__Batch *b, size_t *len)
{
	uint8_t *buf;

	*len = rollcall__batch__get_packed_size(b);
	buf = malloc(*len + 1);
	if (buf)
		rollcall__batch__pack(b, buf);
	return buf;
}

static uint8_t *empty_batch(uint32_t urn, const char *id, size_t *len)
{
	Rollcall__Batch b = ROLLCALL__BATCH__INIT;

	b.has_version = b.has_school_urn = 1;
	b.version = WIRE_VERSION;
	b.school_urn = urn;
	b.batch_id = (char *)id;
	return pack_batch(&b, len);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Waits up to timeout_ms for an answer and prints it. Returns 0, or 1 when none came. */
static int print_answer(int timeout_ms, int show_max)
{
	zmq_pollitem_t it = {s_sock, 0, ZMQ_POLLIN, 0};
	zmq_msg_t m;
	Rollcall__BatchAck *ack;

	if (zmq_poll(&it, 1, timeout_ms) <= 0) {
		printf("noanswer\n");
		return 1;
	}
	zmq_msg_init(&m);
	zmq_msg_recv(&m, s_sock, 0);
	ack = rollcall__batch_ack__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
	zmq_msg_close(&m);
	if (!ack) {
		printf("badanswer\n");
		return 1;
	}
	printf("status=%s accepted=%u rejected=%u error=%s",
	       ack->status <= 3 ? s_names[ack->status] : "?", ack->accepted, ack->rejected,
	       ack->error ? ack->error : "");
	if (show_max)
		printf(" max=%u", ack->has_max_message_bytes ? ack->max_message_bytes : 0);
	printf("\n");
	for (size_t i = 0; i < ack->n_rejections; i++) {
		const Rollcall__Rejection *r = ack->rejections[i];

		printf("%s:%u: %s: %s\n", wire_kind_file(r->kind), r->line,
		       r->field ? r->field : "", r->reason ? r->reason : "");
	}
	fflush(stdout);
	rollcall__batch_ack__free_unpacked(ack, NULL);
	return 0;
}

/* Sends batches of nmarks valid marks (one pupil, distinct days) for urn without waiting for
 * answers, counting the answers that come, for seconds. */
static int flood(uint32_t urn, size_t nmarks, int seconds, const char *stopfile)
{
	Rollcall__Batch b = ROLLCALL__BATCH__INIT;
	Rollcall__Mark *m = calloc(nmarks, sizeof(*m)), **pm = calloc(nmarks, sizeof(*pm));
	uint64_t end = mono_ms() + (uint64_t)seconds * 1000, counts[4] = {0}, sent = 0;
	int32_t today = (int32_t)(time(NULL) / 86400);
	char id[64];
	int hwm = 16;

	if (!m || !pm)
		return 2;
	zmq_setsockopt(s_sock, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	for (size_t i = 0; i < nmarks; i++) {
		rollcall__mark__init(&m[i]);
		m[i].upn = "B801200005001";
		m[i].has_date = m[i].has_session = 1;
		m[i].date = today - 1 - (int32_t)(i / 2 % 300);
		m[i].session = (Rollcall__Session)(i % 2);
		m[i].code = "/";
		m[i].has_line = 1;
		m[i].line = (uint32_t)i + 2;
		pm[i] = &m[i];
	}
	b.has_version = b.has_school_urn = 1;
	b.version = WIRE_VERSION;
	b.school_urn = urn;
	b.batch_id = id;
	b.n_marks = nmarks;
	b.marks = pm;
	while (mono_ms() < end) {
		zmq_pollitem_t it = {s_sock, 0, ZMQ_POLLIN | ZMQ_POLLOUT, 0};
		struct stat st;

		if (stopfile && stat(stopfile, &st) == 0)
			break;
		if (zmq_poll(&it, 1, 100) <= 0)
			continue;
		if (it.revents & ZMQ_POLLOUT) {
			size_t len;
			uint8_t *buf;

			snprintf(id, sizeof(id), "flood-%ld-%lu", (long)getpid(),
			         (unsigned long)sent + 1);
			buf = pack_batch(&b, &len);
			if (buf && zmq_send(s_sock, buf, len, ZMQ_DONTWAIT) >= 0)
				sent++;
			free(buf);
		}
		while (it.revents & ZMQ_POLLIN) {
			zmq_msg_t msg;
			Rollcall__BatchAck *ack;

			zmq_msg_init(&msg);
			if (zmq_msg_recv(&msg, s_sock, ZMQ_DONTWAIT) < 0) {
				zmq_msg_close(&msg);
				break;
			}
			ack = rollcall__batch_ack__unpack(NULL, zmq_msg_size(&msg),
			                                  zmq_msg_data(&msg));
			zmq_msg_close(&msg);
			if (ack && ack->status <= 3)
				counts[ack->status]++;
			rollcall__batch_ack__free_unpacked(ack, NULL);
		}
	}
	printf("sent=%lu accepted=%lu retry=%lu refused=%lu\n", (unsigned long)sent,
	       (unsigned long)(counts[0] + counts[1]), (unsigned long)counts[3],
	       (unsigned long)counts[2]);
	free(m);
	free(pm);
	return 0;
}

int main(int argc, char **argv)
{
	void *ctx = zmq_ctx_new();
	char err[512];
	keypair kp;
	int linger = 0, rc = 0;
	const char *mode;
	uint8_t *buf = NULL;
	size_t len = 0;

	if (argc < 5) {
		fprintf(stderr, "usage: rawsend ENDPOINT SERVER_KEY CLIENT_KEY_FILE MODE [ARGS]\n");
		return 2;
	}
	if (keyfile_read(argv[3], &kp, 1, err, sizeof(err)) < 0) {
		fprintf(stderr, "rawsend: %s\n", err);
		return 2;
	}
	s_sock = zmq_socket(ctx, ZMQ_DEALER);
	zmq_setsockopt(s_sock, ZMQ_LINGER, &linger, sizeof(linger));
	zmq_setsockopt(s_sock, ZMQ_CURVE_SERVERKEY, argv[2], 40);
	zmq_setsockopt(s_sock, ZMQ_CURVE_PUBLICKEY, kp.public_key, 40);
	zmq_setsockopt(s_sock, ZMQ_CURVE_SECRETKEY, kp.secret_key, 40);
	if (zmq_connect(s_sock, argv[1]) != 0) {
		fprintf(stderr, "rawsend: connect: %s\n", zmq_strerror(zmq_errno()));
		return 2;
	}
	mode = argv[4];
	if (!strcmp(mode, "batch") && argc == 7) {
		buf = empty_batch((uint32_t)atoi(argv[5]), argv[6], &len);
		rc = send_buf(buf, len, 0);
	} else if (!strcmp(mode, "hello") && argc == 5) {
		Rollcall__Batch b = ROLLCALL__BATCH__INIT;

		b.has_version = b.has_hello = 1;
		b.version = WIRE_VERSION;
		b.hello = 1;
		b.batch_id = "rawsend-hello";
		buf = pack_batch(&b, &len);
		rc = send_buf(buf, len, 0) || print_answer(5000, 1);
		goto out;
	} else if (!strcmp(mode, "pair") && argc == 9) {
		uint64_t end;
		struct stat st;

		buf = empty_batch((uint32_t)atoi(argv[5]), argv[6], &len);
		rc = send_buf(buf, len, 0) || print_answer(5000, 0);
		free(buf);
		end = mono_ms() + 60000;
		while (!rc && stat(argv[8], &st) != 0) {
			if (mono_ms() > end) {
				fprintf(stderr, "rawsend: %s did not appear within 60 s\n",
				        argv[8]);
				rc = 2;
				break;
			}
			usleep(20000);
		}
		buf = empty_batch((uint32_t)atoi(argv[5]), argv[7], &len);
		if (!rc)
			rc = send_buf(buf, len, 0) || print_answer(5000, 0);
		goto out;
	} else if (!strcmp(mode, "flood") && (argc == 8 || argc == 9)) {
		rc = flood((uint32_t)atoi(argv[5]), (size_t)atol(argv[6]), atoi(argv[7]),
		           argc == 9 ? argv[8] : NULL);
		goto out;
	} else if (!strcmp(mode, "file") && argc == 6) {
		FILE *f = fopen(argv[5], "rb");
		if (!f) {
			perror(argv[5]);
			return 2;
		}
		fseek(f, 0, SEEK_END);
		len = (size_t)ftell(f);
		rewind(f);
		buf = malloc(len + 1);
		if (fread(buf, 1, len, f) != len)
			return 2;
		fclose(f);
		rc = send_buf(buf, len, 0);
	} else if (!strcmp(mode, "garbage") && argc == 6) {
		len = (size_t)atol(argv[5]);
		buf = malloc(len + 1);
		srand(7);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rand();
		rc = send_buf(buf, len, 0);
	} else if (!strcmp(mode, "frames")) {
		rc = send_buf("a", 1, 1) || send_buf("b", 1, 0);
	} else if (!strcmp(mode, "empties") && argc == 6) {
		/* Header of a valid batch, then N empty Mark sub-messages (tag 12, length 0). */
		size_t n = (size_t)atol(argv[5]), hl;
		uint8_t *head = empty_batch(100000, "empties", &hl);

		buf = malloc(hl + 2 * n + 1);
		memcpy(buf, head, hl);
		free(head);
		for (size_t i = 0; i < n; i++) {
			buf[hl + 2 * i] = (12 << 3) | 2;
			buf[hl + 2 * i + 1] = 0;
		}
		len = hl + 2 * n;
		rc = send_buf(buf, len, 0);
	} else {
		fprintf(stderr, "rawsend: bad mode\n");
		return 2;
	}
	if (rc) {
		fprintf(stderr, "rawsend: send failed\n");
		return 2;
	}
	rc = print_answer(5000, 0);
out:
	fflush(stdout);
	free(buf);
	zmq_close(s_sock);
	zmq_ctx_term(ctx);
	return rc;
}
