/* rawsend: sends frames to rollcalld as a CURVE client and prints the answer, for tests of
 * what the daemon does with malformed, oversized or unauthorised messages.
 * Usage: rawsend ENDPOINT SERVER_PUBLIC_KEY CLIENT_KEY_FILE MODE [ARG]
 *   MODE batch URN BATCH_ID  a valid empty batch for URN
 *   MODE file PATH           the bytes of PATH as one frame
 *   MODE garbage N           N random bytes
 *   MODE frames              a two-frame message
 *   MODE empties N           a batch with N empty marks (decode-budget test)
 * Prints "status=<STATUS> accepted=N rejected=N error=<text>" or "noanswer" after 5 s, then
 * each rejection as "file:line: field: reason". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "rollcall/keyfile.h"
#include "rollcall/wire.h"

static void *s_sock;

static int send_buf(const void *buf, size_t len, int more)
{
	return zmq_send(s_sock, buf, len, more ? ZMQ_SNDMORE : 0) < 0 ? -1 : 0;
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
		Rollcall__Batch b = ROLLCALL__BATCH__INIT;
		b.has_version = b.has_school_urn = 1;
		b.version = WIRE_VERSION;
		b.school_urn = (uint32_t)atoi(argv[5]);
		b.batch_id = argv[6];
		len = rollcall__batch__get_packed_size(&b);
		buf = malloc(len + 1);
		rollcall__batch__pack(&b, buf);
		rc = send_buf(buf, len, 0);
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
		Rollcall__Batch b = ROLLCALL__BATCH__INIT;
		size_t n = (size_t)atol(argv[5]), hl;
		b.has_version = b.has_school_urn = 1;
		b.version = WIRE_VERSION;
		b.school_urn = 100000;
		b.batch_id = "empties";
		hl = rollcall__batch__get_packed_size(&b);
		buf = malloc(hl + 2 * n + 1);
		rollcall__batch__pack(&b, buf);
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
	{
		zmq_pollitem_t it = {s_sock, 0, ZMQ_POLLIN, 0};
		zmq_msg_t m;
		Rollcall__BatchAck *ack;
		static const char *names[] = {"ACCEPTED", "DUPLICATE", "REFUSED", "RETRY"};

		if (zmq_poll(&it, 1, 5000) <= 0) {
			printf("noanswer\n");
			rc = 1;
			goto out;
		}
		zmq_msg_init(&m);
		zmq_msg_recv(&m, s_sock, 0);
		ack = rollcall__batch_ack__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
		zmq_msg_close(&m);
		if (!ack) {
			printf("badanswer\n");
			rc = 1;
			goto out;
		}
		printf("status=%s accepted=%u rejected=%u error=%s\n",
		       ack->status <= 3 ? names[ack->status] : "?", ack->accepted, ack->rejected,
		       ack->error ? ack->error : "");
		for (size_t i = 0; i < ack->n_rejections; i++) {
			const Rollcall__Rejection *r = ack->rejections[i];

			printf("%s:%u: %s: %s\n", wire_kind_file(r->kind), r->line,
			       r->field ? r->field : "", r->reason ? r->reason : "");
		}
		rollcall__batch_ack__free_unpacked(ack, NULL);
	}
out:
	fflush(stdout);
	free(buf);
	zmq_close(s_sock);
	zmq_ctx_term(ctx);
	return rc;
}
