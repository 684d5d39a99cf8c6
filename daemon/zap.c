/* ZAP (ZeroMQ authentication protocol, RFC 27) handler thread and the key table it consults. */
#include "zap.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "rollcall/keyfile.h"
#include "rollcall/log.h"

typedef struct keyent {
	char key[KEY_Z85_LEN + 1];
	uint32_t urn;
} keyent;

struct keytab {
	keyent *e;
	size_t n, cap;
	bool sorted;
};

struct zap {
	void *sock;
	pthread_t thread;
	atomic_bool stop;
	pthread_mutex_t lock;
	keytab *keys;
	char self[41]; /* the daemon's own public key: let in, writes no school */
	atomic_uint_fast64_t accepted, refused;
};

keytab *keytab_new(void)
{
	return calloc(1, sizeof(keytab));
}

int keytab_add(keytab *t, const char *public_z85, uint32_t urn)
{
	if (!keyfile_valid_z85(public_z85))
		return -EINVAL;
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 64;
		keyent *e = realloc(t->e, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		t->e = e;
		t->cap = cap;
	}
	memcpy(t->e[t->n].key, public_z85, KEY_Z85_LEN + 1);
	t->e[t->n].urn = urn;
	t->n++;
	t->sorted = false;
	return 0;
}

size_t keytab_count(const keytab *t)
{
	return t ? t->n : 0;
}

void keytab_destroy(keytab **tp)
{
	if (!tp || !*tp)
		return;
	free((*tp)->e);
	free(*tp);
	*tp = NULL;
}

static int cmp_ent(const void *a, const void *b)
{
	const keyent *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : (x->urn > y->urn) - (x->urn < y->urn);
}

/* Index of the first entry for key, or t->n. */
static size_t lookup(const keytab *t, const char *key)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(t->e[mid].key, key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->n && !strcmp(t->e[lo].key, key) ? lo : t->n;
}

static void send_str(void *s, const char *str, int more)
{
	(void)zmq_send(s, str, strlen(str), more ? ZMQ_SNDMORE : 0);
}

static void serve_one(zap *z)
{
	char version[16] = "", request_id[256], mechanism[32] = "";
	char client[KEY_Z85_LEN + 1] = "";
	uint8_t key[64];
	int rid_len = 0, more = 1, frame = 0;
	bool ok = false;

	/* Frames: version, request id, domain, address, identity, mechanism, credentials... */
	while (more) {
		zmq_msg_t m;
		size_t size;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, z->sock, 0) < 0) {
			zmq_msg_close(&m);
			return;
		}
		size = zmq_msg_size(&m);
		switch (frame) {
		case 0:
			snprintf(version, sizeof(version), "%.*s", (int)size,
			         (char *)zmq_msg_data(&m));
			break;
		case 1:
			rid_len = size < sizeof(request_id) ? (int)size : (int)sizeof(request_id);
			memcpy(request_id, zmq_msg_data(&m), (size_t)rid_len);
			break;
		case 5:
			snprintf(mechanism, sizeof(mechanism), "%.*s", (int)size,
			         (char *)zmq_msg_data(&m));
			break;
		case 6:
			if (size == 32) {
				memcpy(key, zmq_msg_data(&m), 32);
				zmq_z85_encode(client, key, 32);
			}
			break;
		}
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
		frame++;
	}

	if (!strcmp(version, "1.0") && !strcmp(mechanism, "CURVE") && client[0]) {
		pthread_mutex_lock(&z->lock);
		ok = (z->keys && lookup(z->keys, client) < z->keys->n) || !strcmp(client, z->self);
		pthread_mutex_unlock(&z->lock);
	}
	if (ok)
		atomic_fetch_add(&z->accepted, 1);
	else
		atomic_fetch_add(&z->refused, 1);
	if (!ok)
		log_warning("zap: handshake refused (%s key %.8s...)",
		            client[0] ? "unknown" : "no CURVE", client[0] ? client : "-");

	send_str(z->sock, "1.0", 1);
	(void)zmq_send(z->sock, request_id, (size_t)rid_len, ZMQ_SNDMORE);
	send_str(z->sock, ok ? "200" : "400", 1);
	send_str(z->sock, ok ? "OK" : "key not authorised", 1);
	send_str(z->sock, ok ? client : "", 1); /* User-Id: the client's public key */
	send_str(z->sock, "", 0);               /* metadata */
}

static void *zap_main(void *arg)
{
	zap *z = arg;

	while (!atomic_load(&z->stop)) {
		zmq_pollitem_t item = {z->sock, 0, ZMQ_POLLIN, 0};
		int n = zmq_poll(&item, 1, 200);

		if (n < 0) {
			if (zmq_errno() == ETERM)
				break;
			continue;
		}
		if (n > 0)
			serve_one(z);
	}
	return NULL;
}

int zap_start(void *ctx, const char *self_z85, zap **out, char *err, size_t errlen)
{
	zap *z = calloc(1, sizeof(*z));
	int linger = 0;

	*out = NULL;
	if (!z)
		return -ENOMEM;
	pthread_mutex_init(&z->lock, NULL);
	snprintf(z->self, sizeof(z->self), "%s", self_z85 ? self_z85 : "");
	z->sock = zmq_socket(ctx, ZMQ_REP);
	if (!z->sock || zmq_setsockopt(z->sock, ZMQ_LINGER, &linger, sizeof(linger)) ||
	    zmq_bind(z->sock, "inproc://zeromq.zap.01") != 0) {
		snprintf(err, errlen, "zap: cannot bind (%s)", zmq_strerror(zmq_errno()));
		if (z->sock)
			zmq_close(z->sock);
		free(z);
		return -EIO;
	}
	if (pthread_create(&z->thread, NULL, zap_main, z) != 0) {
		snprintf(err, errlen, "zap: cannot start thread");
		zmq_close(z->sock);
		free(z);
		return -EAGAIN;
	}
	*out = z;
	return 0;
}

void zap_stop(zap **zp)
{
	zap *z = zp ? *zp : NULL;

	if (!z)
		return;
	atomic_store(&z->stop, true);
	pthread_join(z->thread, NULL);
	zmq_close(z->sock);
	keytab_destroy(&z->keys);
	pthread_mutex_destroy(&z->lock);
	free(z);
	*zp = NULL;
}

void zap_set_keys(zap *z, keytab **t)
{
	keytab *old;

	if ((*t)->n)
		qsort((*t)->e, (*t)->n, sizeof(keyent), cmp_ent);
	(*t)->sorted = true;
	pthread_mutex_lock(&z->lock);
	old = z->keys;
	z->keys = *t;
	pthread_mutex_unlock(&z->lock);
	*t = NULL;
	keytab_destroy(&old);
}

bool zap_key_allows(zap *z, const char *public_z85, uint32_t urn)
{
	bool ok = false;

	pthread_mutex_lock(&z->lock);
	if (z->keys)
		for (size_t i = lookup(z->keys, public_z85);
		     i < z->keys->n && !strcmp(z->keys->e[i].key, public_z85); i++)
			if (z->keys->e[i].urn == urn) {
				ok = true;
				break;
			}
	pthread_mutex_unlock(&z->lock);
	return ok;
}

void zap_counts(zap *z, uint64_t *accepted, uint64_t *refused)
{
	*accepted = atomic_load(&z->accepted);
	*refused = atomic_load(&z->refused);
}
