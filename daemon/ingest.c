/* The ROUTER loop and the writer threads. The main thread receives, decodes, authorises and
 * validates batches and sends every ack (a ZeroMQ socket belongs to one thread); each writer
 * thread has its own PostgreSQL connection and commits the batches of its schools in groups,
 * so the database is kept busy while the next batches are decoded. While a school has batches
 * with a writer, its next ones go to the same writer, so they are committed in the order they
 * arrived; a school with none goes to the least loaded writer.
 *
 * Memory is bounded by what the daemon agrees to hold, not by what clients send: the socket
 * is always read (so one client cannot hold the others up), and a batch that would take a
 * client key past client_hold_bytes, or everyone past hold_bytes, is answered RETRY at once
 * and dropped. A connection answered RETRY gets RETRY for every later batch until it sends
 * the refused one again, so a client's batches are still committed in the order it sent them.
 * ZeroMQ itself keeps at most RCVHWM messages per connection, and reads none larger than
 * max_message_bytes (a client learns the limit from the answer to its hello). */
#include "ingest.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "batch.h"
#include "keys.h"
#include "rollcall/keyfile.h"
#include "rollcall/log.h"
#include "rollcall/validate.h"
#include "writer.h"
#include "zap.h"

/* Messages ZeroMQ queues per connection before it stops reading that connection's socket:
 * the main thread reads as fast as messages come, so a few are enough, and a connection can
 * make the daemon hold no more than (RCVHWM + 2) * max_message_bytes before it is read. */
#define RCVHWM 4
/* ZeroMQ checks its size limit on the frame as it travels, which CURVE makes 33 bytes larger
 * than the message ("\x07MESSAGE", an 8-byte nonce, a 16-byte MAC and a flags byte): the limit
 * is set that much higher, so a message of exactly max_message_bytes is read, and one byte more
 * is not. */
#define CURVE_ENVELOPE 33
/* Connections waiting to send a batch again (a stale one is forgotten after STREAK_MAX_MS). */
#define STREAKS_MAX   4096
#define STREAK_MAX_MS (10 * 60 * 1000)
/* The wait a RETRY suggests: about two commits, within these bounds. */
#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 5000

/* A batch list (FIFO). */
typedef struct blist {
	ingest_batch **v;
	size_t n, cap;
} blist;

typedef struct wthread {
	struct ingest *in;
	pthread_t th;
	writer *w;
	ingest_batch **group; /* group_max_batches slots, made before the thread starts */
	blist queue;          /* batches waiting for this writer (under in->mu) */
	size_t queued_marks;
	size_t busy_marks; /* in the group being committed */
	pthread_cond_t cv; /* its queue grew, or stop */
	bool started;
} wthread;

/* What the daemon holds for one client key (main thread only). */
typedef struct holder {
	char key[KEY_Z85_LEN + 1];
	size_t bytes;
} holder;

/* A connection that was answered RETRY, and the batch it must send again before any other. */
typedef struct streak {
	uint8_t rid[256];
	size_t rid_len;
	char batch_id[WIRE_MAX_BATCH_ID + 1];
	uint64_t since_ms;
} streak;

struct ingest {
	const rc_config *cfg;
	void *ctx;
	void *router;
	zap *zap;
	keys *keys;
	ingest_stats st;
	int nwriters;
	wthread *writers;
	/* The schools with batches at a writer (queued or being committed), and which one. */
	struct route {
		uint32_t urn;
		int writer;
		uint32_t pending;
	} * routes;
	size_t nroutes, routes_cap;
	pthread_mutex_t mu; /* queues, routes, done, stop, in_writers, streaks, db state */
	blist done;         /* committed or failed batches whose acks the main thread sends */
	size_t in_writers;  /* batches handed to writers and not yet in done */
	size_t marks_in_writers;
	bool stop;
	int donefd;         /* eventfd: done has batches */
	wire_pool *pool;    /* arena chunks, reused batch after batch */
	char endpoint[256]; /* what the router is bound to */
	holder *holders;    /* main thread: bytes held per client key, and in all */
	size_t nholders, holders_cap, held;
	streak *streaks; /* under mu */
	size_t nstreaks;
	bool db_down; /* under mu: the last commit found no database */
	char db_error[160];
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

static int blist_push(blist *l, ingest_batch *ib)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		ingest_batch **v = realloc(l->v, cap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->n++] = ib;
	return 0;
}

/* Moves the first n batches of l into out[]. */
static void blist_take(blist *l, ingest_batch **out, size_t n)
{
	memcpy(out, l->v, n * sizeof(*out));
	memmove(l->v, l->v + n, (l->n - n) * sizeof(*l->v));
	l->n -= n;
}

static void set_status(ingest_batch *ib, Rollcall__BatchAck__Status st, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void set_status(ingest_batch *ib, Rollcall__BatchAck__Status st, const char *fmt, ...)
{
	va_list ap;

	ib->status = st;
	va_start(ap, fmt);
	vsnprintf(ib->error, sizeof(ib->error), fmt, ap);
	va_end(ap);
}

/* The wait to suggest with a RETRY: about two commits of a group. */
static uint32_t retry_hint(const ingest *in)
{
	uint64_t ms = in->st.last_group_ms * 2;

	return (uint32_t)(ms < RETRY_MIN_MS ? RETRY_MIN_MS : ms > RETRY_MAX_MS ? RETRY_MAX_MS : ms);
}

/* A batch the register could not store. The client hears that, and which batch; the database's
 * own text goes only to the daemon's log (its first line, escaped: DETAIL lines quote row
 * values). */
static void refuse_stored(ingest_batch *ib, const char *err)
{
	char id[LOG_ESCAPE_SHORT], why[LOG_ESCAPE_SHORT], line[512];

	snprintf(line, sizeof(line), "%.*s", (int)strcspn(err, "\n"), err);
	log_err("ingest: batch %s for URN %u could not be stored (%s)",
	        log_escape(ib->b->batch_id, id, sizeof(id)), ib->b->school_urn,
	        log_escape(line, why, sizeof(why)));
	set_status(ib, ROLLCALL__BATCH_ACK__STATUS__REFUSED,
	           "the register could not store this batch (an error in the daemon or the "
	           "database, logged there with the batch id); nothing of it was stored");
}

/* ---- connections that must send a batch again first (under in->mu) ----------------------- */

static streak *streak_find(ingest *in, const ingest_batch *ib)
{
	uint64_t now = now_ms();

	for (size_t i = 0; i < in->nstreaks; i++) {
		streak *s = &in->streaks[i];

		if (now - s->since_ms > STREAK_MAX_MS) { /* the connection is long gone */
			in->streaks[i--] = in->streaks[--in->nstreaks];
			continue;
		}
		if (s->rid_len == ib->routing_len && !memcmp(s->rid, ib->routing_id, s->rid_len))
			return s;
	}
	return NULL;
}

/* ib was answered RETRY: unless its connection already waits for an earlier batch, it now
 * waits for this one. */
static void streak_start(ingest *in, const ingest_batch *ib)
{
	streak *s;

	if (streak_find(in, ib))
		return;
	if (!in->streaks) {
		in->streaks = calloc(STREAKS_MAX, sizeof(*in->streaks));
		if (!in->streaks)
			return; /* order is then kept by the client's window alone */
	}
	if (in->nstreaks == STREAKS_MAX) { /* forget the oldest */
		size_t oldest = 0;

		for (size_t i = 1; i < in->nstreaks; i++)
			if (in->streaks[i].since_ms < in->streaks[oldest].since_ms)
				oldest = i;
		in->streaks[oldest] = in->streaks[--in->nstreaks];
	}
	s = &in->streaks[in->nstreaks++];
	memcpy(s->rid, ib->routing_id, ib->routing_len);
	s->rid_len = ib->routing_len;
	snprintf(s->batch_id, sizeof(s->batch_id), "%s", ib->peek.batch_id);
	s->since_ms = now_ms();
}

/* Whether ib may be taken now as far as order goes: its connection waits for no batch, or ib
 * is the one it waits for (which ends the wait). Otherwise why says which. */
static bool streak_admits(ingest *in, const ingest_batch *ib, char *why, size_t whylen)
{
	streak *s = streak_find(in, ib);

	if (!s)
		return true;
	if (!strcmp(s->batch_id, ib->peek.batch_id)) {
		*s = in->streaks[--in->nstreaks];
		return true;
	}
	snprintf(why, whylen, "batch %s of this connection was not taken: send it first, then this",
	         s->batch_id);
	return false;
}

/* ---- what is held per client (main thread) ------------------------------------------------ */

static holder *holder_find(ingest *in, const char *key)
{
	for (size_t i = 0; i < in->nholders; i++)
		if (!strcmp(in->holders[i].key, key))
			return &in->holders[i];
	return NULL;
}

/* Counts ib's cost against its key. Returns 0 or -ENOMEM. */
static int hold(ingest *in, ingest_batch *ib)
{
	holder *h = holder_find(in, ib->public_key);

	if (!h) {
		if (in->nholders == in->holders_cap) {
			size_t cap = in->holders_cap ? in->holders_cap * 2 : 16;
			holder *v = realloc(in->holders, cap * sizeof(*v));

			if (!v)
				return -ENOMEM;
			in->holders = v;
			in->holders_cap = cap;
		}
		h = &in->holders[in->nholders++];
		memcpy(h->key, ib->public_key, sizeof(h->key));
		h->bytes = 0;
	}
	ib->cost = wire_arena_footprint(ib->arena) + sizeof(*ib);
	h->bytes += ib->cost;
	in->held += ib->cost;
	return 0;
}

static void release(ingest *in, ingest_batch *ib)
{
	holder *h = ib->cost ? holder_find(in, ib->public_key) : NULL;

	if (!h)
		return;
	h->bytes -= ib->cost;
	in->held -= ib->cost;
	ib->cost = 0;
	if (!h->bytes)
		*h = in->holders[--in->nholders];
}

/* Whether the daemon holds as much as it may for ib's client, or for everyone; why says so. */
static bool over_hold(ingest *in, const ingest_batch *ib, char *why, size_t whylen)
{
	const holder *h = holder_find(in, ib->public_key);

	if (h && h->bytes >= (size_t)in->cfg->client_hold_bytes) {
		snprintf(why, whylen,
		         "busy: %zu KiB of this client's batches wait to be committed "
		         "(client_hold_bytes %d KiB); send again later",
		         h->bytes >> 10, in->cfg->client_hold_bytes >> 10);
		return true;
	}
	if (in->held >= (size_t)in->cfg->hold_bytes) {
		snprintf(why, whylen,
		         "busy: %zu KiB of batches wait to be committed (hold_bytes %d KiB); send "
		         "again later",
		         in->held >> 10, in->cfg->hold_bytes >> 10);
		return true;
	}
	return false;
}

/* ---- the writer threads ------------------------------------------------------------------- */

/* Records whether the database could be reached, for STATUS (under in->mu). */
static void note_db(ingest *in, bool down, const char *why)
{
	in->db_down = down;
	if (down)
		snprintf(in->db_error, sizeof(in->db_error), "%.*s", (int)sizeof(in->db_error) - 1,
		         why); /* cut: STATUS shows the start */
}

/* Commits group[0..n) and sets every batch's outcome (the acks are the main thread's). */
static void commit_group(wthread *wt, ingest_batch **group, size_t n)
{
	char err[512], esc[LOG_ESCAPE_SHORT];
	uint64_t t0 = now_ms();
	int rc = writer_commit(wt->w, group, n, err, sizeof(err));

	if (rc == -EIO && n > 1) {
		/* Find the batch that fails: commit each alone. */
		log_warning("ingest: group of %zu batches failed; committing one by one", n);
		for (size_t i = 0; i < n; i++) {
			if (rc != -EIO && rc < 0) {
				set_status(group[i], ROLLCALL__BATCH_ACK__STATUS__RETRY,
				           rc == -ECANCELED ? "the daemon is stopping"
				                            : "database unavailable");
				continue;
			}
			rc = writer_commit(wt->w, &group[i], 1, err, sizeof(err));
			if (rc == -EIO)
				refuse_stored(group[i], err);
			else if (rc < 0)
				set_status(group[i], ROLLCALL__BATCH_ACK__STATUS__RETRY,
				           rc == -ECANCELED ? "the daemon is stopping"
				                            : "database unavailable");
		}
	} else if (rc == -EIO) {
		refuse_stored(group[0], err);
	} else if (rc < 0) {
		err[strcspn(err, "\n")] = '\0';
		if (rc != -ECANCELED)
			log_err("ingest: commit of %zu batches failed (%s); clients will resend", n,
			        log_escape(err, esc, sizeof(esc)));
		for (size_t i = 0; i < n; i++)
			set_status(group[i], ROLLCALL__BATCH_ACK__STATUS__RETRY,
			           rc == -ECANCELED ? "the daemon is stopping"
			                            : "database unavailable");
	}
	pthread_mutex_lock(&wt->in->mu);
	note_db(wt->in, rc == -EAGAIN, err);
	pthread_mutex_unlock(&wt->in->mu);
	for (size_t i = 0; i < n; i++)
		group[i]->group_ms = now_ms() - t0;
}

/* One batch of urn less at its writer (under in->mu). */
static void route_done(ingest *in, uint32_t urn)
{
	for (size_t i = 0; i < in->nroutes; i++)
		if (in->routes[i].urn == urn) {
			if (--in->routes[i].pending == 0)
				in->routes[i] = in->routes[--in->nroutes];
			return;
		}
}

/* The writer for a batch of urn (under in->mu): the one holding the school's earlier batches,
 * else the least loaded. Returns -1 when out of memory. */
static int route_take(ingest *in, uint32_t urn)
{
	size_t i, best = 0;

	for (i = 0; i < in->nroutes; i++)
		if (in->routes[i].urn == urn) {
			in->routes[i].pending++;
			return in->routes[i].writer;
		}
	if (in->nroutes == in->routes_cap) {
		size_t cap = in->routes_cap ? in->routes_cap * 2 : 16;
		struct route *v = realloc(in->routes, cap * sizeof(*v));

		if (!v)
			return -1;
		in->routes = v;
		in->routes_cap = cap;
	}
	for (i = 1; i < (size_t)in->nwriters; i++)
		if (in->writers[i].queued_marks + in->writers[i].busy_marks <
		    in->writers[best].queued_marks + in->writers[best].busy_marks)
			best = i;
	in->routes[in->nroutes++] = (struct route){urn, (int)best, 1};
	return (int)best;
}

/* A batch the writers are done with goes to the main thread for its ack (under in->mu). */
static void hand_back(ingest *in, ingest_batch *ib)
{
	route_done(in, ib->b->school_urn);
	if (blist_push(&in->done, ib) < 0) {
		log_err("ingest: out of memory; an ack is lost (the client will resend)");
		batch_free(&ib); /* its cost stays counted: memory is short anyway */
	}
	in->in_writers--;
}

/* After a RETRY in the group just committed, the batches still queued from the same
 * connections are answered RETRY too, uncommitted, so none overtakes the one to be sent again
 * (under in->mu). */
static void retry_followers(wthread *wt)
{
	ingest *in = wt->in;
	size_t kept = 0;

	for (size_t i = 0; i < wt->queue.n; i++) {
		ingest_batch *ib = wt->queue.v[i];
		const streak *s = streak_find(in, ib);

		if (!s) {
			wt->queue.v[kept++] = ib;
			continue;
		}
		set_status(
		        ib, ROLLCALL__BATCH_ACK__STATUS__RETRY,
		        "batch %s of this connection was not committed: send it first, then this",
		        s->batch_id);
		wt->queued_marks -= ib->b->n_marks;
		in->marks_in_writers -= ib->b->n_marks;
		hand_back(in, ib);
	}
	wt->queue.n = kept;
}

static void *writer_main(void *arg)
{
	wthread *wt = arg;
	ingest *in = wt->in;
	const rc_config *cfg = in->cfg;
	ingest_batch **group = wt->group;

	pthread_mutex_lock(&in->mu);
	for (;;) {
		size_t n = 0, marks = 0;
		bool retried = false;
		uint64_t one = 1;

		while (!wt->queue.n && !in->stop)
			pthread_cond_wait(&wt->cv, &in->mu);
		if (in->stop) /* what is still queued is not committed: its clients resend it */
			break;
		/* A short wait lets more batches join the group when they are on their way. */
		if (wt->queue.n < (size_t)cfg->group_max_batches &&
		    wt->queued_marks < (size_t)cfg->group_max_marks && cfg->group_wait_ms > 0) {
			struct timespec until;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_nsec += (long)cfg->group_wait_ms * 1000000L;
			until.tv_sec += until.tv_nsec / 1000000000L;
			until.tv_nsec %= 1000000000L;
			pthread_cond_timedwait(&wt->cv, &in->mu, &until);
		}
		while (n < wt->queue.n && n < (size_t)cfg->group_max_batches &&
		       (n == 0 ||
		        marks + wt->queue.v[n]->b->n_marks <= (size_t)cfg->group_max_marks))
			marks += wt->queue.v[n++]->b->n_marks;
		blist_take(&wt->queue, group, n);
		wt->queued_marks -= marks;
		wt->busy_marks = marks;
		pthread_mutex_unlock(&in->mu);

		commit_group(wt, group, n);

		pthread_mutex_lock(&in->mu);
		wt->busy_marks = 0;
		in->marks_in_writers -= marks;
		for (size_t i = 0; i < n; i++) {
			if (group[i]->status == ROLLCALL__BATCH_ACK__STATUS__RETRY) {
				streak_start(in, group[i]);
				retried = true;
			}
			hand_back(in, group[i]);
		}
		if (retried)
			retry_followers(wt);
		if (write(in->donefd, &one, sizeof(one)) < 0 && errno != EAGAIN)
			log_err("ingest: cannot wake the main thread (%s)", strerror(errno));
	}
	pthread_mutex_unlock(&in->mu);
	return NULL;
}

void ingest_reload_keys(ingest *in)
{
	keys_reload(in->keys);
}

int ingest_new(const rc_config *cfg, ingest **out, char *err, size_t errlen)
{
	ingest *in = calloc(1, sizeof(*in));
	keypair kp;
	int rc, on = 1, linger = 0, hwm = RCVHWM;
	int64_t maxmsg = (int64_t)cfg->max_message_bytes + CURVE_ENVELOPE;

	*out = NULL;
	if (!in)
		return -ENOMEM;
	/* Few malloc arenas: decoding happens in one thread, and per-thread arenas only hold
	 * on to memory (the daemon's RSS is a target). */
	mallopt(M_ARENA_MAX, 2);
	/* Arena chunks (256 KiB) are mapped once and reused through the pool; smaller blocks
	 * stay in the heap. A fixed threshold also stops glibc from moving big freed blocks into
	 * the heap, where they would fragment it. */
	mallopt(M_MMAP_THRESHOLD, 256 * 1024);

	in->cfg = cfg;
	in->donefd = -1;
	pthread_mutex_init(&in->mu, NULL);
	in->nwriters = cfg->writers;
	in->writers = calloc((size_t)in->nwriters, sizeof(*in->writers));
	in->ctx = zmq_ctx_new();
	in->donefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	in->pool = wire_pool_new(16u << 20);
	if (!in->writers || !in->ctx || in->donefd < 0 || !in->pool) {
		snprintf(err, errlen, "ingest: out of memory");
		rc = -ENOMEM;
		goto fail;
	}
	rc = keyfile_read(cfg->server_key_file, &kp, 1, err, errlen);
	if (rc < 0)
		goto fail;
	for (int i = 0; i < in->nwriters; i++) {
		wthread *wt = &in->writers[i];
		int e;

		wt->in = in;
		pthread_cond_init(&wt->cv, NULL);
		/* Everything a writer thread needs is made here, so a thread that runs cannot fail
		 * to start and leave its queue stranded. */
		wt->w = writer_new(config_conninfo(cfg, CONFIG_DB_DAEMON));
		wt->group = calloc((size_t)cfg->group_max_batches, sizeof(*wt->group));
		if (!wt->w || !wt->group) {
			snprintf(err, errlen, "ingest: out of memory");
			rc = -ENOMEM;
			goto fail;
		}
		rc = writer_connect(wt->w, err, errlen);
		if (rc < 0)
			goto fail;
		e = pthread_create(&wt->th, NULL, writer_main, wt);
		if (e != 0) {
			snprintf(err, errlen, "ingest: cannot start writer thread %d of %d (%s)",
			         i + 1, in->nwriters, strerror(e));
			rc = -e;
			goto fail;
		}
		wt->started = true;
	}
	rc = zap_start(in->ctx, kp.public_key, &in->zap, err, errlen);
	if (rc < 0)
		goto fail;
	rc = keys_start(config_conninfo(cfg, CONFIG_DB_DAEMON), in->zap, &in->keys, err, errlen);
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
	{
		size_t len = sizeof(in->endpoint);

		if (zmq_getsockopt(in->router, ZMQ_LAST_ENDPOINT, in->endpoint, &len) != 0)
			snprintf(in->endpoint, sizeof(in->endpoint), "%s", cfg->listen);
	}
	explicit_bzero(&kp, sizeof(kp));
	*out = in;
	return 0;
fail:
	explicit_bzero(&kp, sizeof(kp));
	ingest_destroy(&in);
	return rc;
}

void ingest_destroy(ingest **inp)
{
	ingest *in = inp ? *inp : NULL;

	if (!in)
		return;
	pthread_mutex_lock(&in->mu);
	in->stop = true;
	for (int i = 0; in->writers && i < in->nwriters; i++)
		pthread_cond_signal(&in->writers[i].cv);
	pthread_mutex_unlock(&in->mu);
	for (int i = 0; in->writers && i < in->nwriters; i++) {
		wthread *wt = &in->writers[i];

		if (wt->started)
			pthread_join(wt->th, NULL);
		for (size_t k = 0; k < wt->queue.n; k++)
			batch_free(&wt->queue.v[k]);
		free(wt->queue.v);
		free(wt->group);
		writer_destroy(&wt->w);
		if (wt->in)
			pthread_cond_destroy(&wt->cv);
	}
	for (size_t k = 0; k < in->done.n; k++)
		batch_free(&in->done.v[k]);
	free(in->done.v);
	if (in->router)
		zmq_close(in->router);
	keys_stop(&in->keys);
	zap_stop(&in->zap);
	if (in->ctx)
		zmq_ctx_term(in->ctx);
	if (in->donefd >= 0)
		close(in->donefd);
	pthread_mutex_destroy(&in->mu);
	wire_pool_destroy(&in->pool);
	free(in->writers);
	free(in->routes);
	free(in->holders);
	free(in->streaks);
	free(in);
	*inp = NULL;
}

const char *ingest_endpoint(const ingest *in)
{
	return in->endpoint;
}

void ingest_get_stats(ingest *in, ingest_stats *st)
{
	*st = in->st;
	st->held_bytes = in->held;
	if (in->zap)
		zap_counts(in->zap, &st->handshakes_ok, &st->handshakes_refused);
	keys_get_state(in->keys, &st->keys);
	pthread_mutex_lock(&in->mu);
	st->db_ready = !in->db_down;
	snprintf(st->db_error, sizeof(st->db_error), "%s", in->db_down ? in->db_error : "");
	pthread_mutex_unlock(&in->mu);
}

/* ---- answers ------------------------------------------------------------------------------ */

static void send_ack(ingest *in, ingest_batch *ib)
{
	char id[LOG_ESCAPE_SHORT];
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc;

	ib->max_message_bytes = (uint32_t)in->cfg->max_message_bytes;
	if (ib->status == ROLLCALL__BATCH_ACK__STATUS__DUPLICATE && ib->stored_ack) {
		/* The first ack, with its rejections, now saying DUPLICATE. */
		Rollcall__BatchAck *a =
		        rollcall__batch_ack__unpack(NULL, ib->stored_ack_len, ib->stored_ack);
		if (a) {
			a->status = ROLLCALL__BATCH_ACK__STATUS__DUPLICATE;
			a->has_status = 1;
			a->has_max_message_bytes = 1;
			a->max_message_bytes = ib->max_message_bytes;
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
		log_info(
		        "ingest: ack for batch %s not delivered (%s); the client will resend",
		        log_escape(ib->peek.batch_id[0] ? ib->peek.batch_id : NULL, id, sizeof(id)),
		        zmq_strerror(zmq_errno()));
	free(buf);
}

static void refuse(ingest *in, ingest_batch *ib, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void refuse(ingest *in, ingest_batch *ib, const char *fmt, ...)
{
	char id[LOG_ESCAPE_SHORT], why[LOG_ESCAPE_SHORT];
	va_list ap;

	ib->status = ROLLCALL__BATCH_ACK__STATUS__REFUSED;
	va_start(ap, fmt);
	vsnprintf(ib->error, sizeof(ib->error), fmt, ap);
	va_end(ap);
	in->st.refused++;
	log_warning("ingest: batch %s for URN %u refused (%s)",
	            log_escape(ib->peek.batch_id[0] ? ib->peek.batch_id : NULL, id, sizeof(id)),
	            ib->peek.school_urn, log_escape(ib->error, why, sizeof(why)));
	send_ack(in, ib);
}

/* Answers RETRY at once: nothing of the batch is kept. */
static void busy(ingest *in, ingest_batch *ib, const char *why)
{
	ib->status = ROLLCALL__BATCH_ACK__STATUS__RETRY;
	snprintf(ib->error, sizeof(ib->error), "%s", why);
	ib->retry_after_ms = retry_hint(in);
	in->st.busy++;
	send_ack(in, ib);
}

/* The answer to a hello: the limits, nothing stored. */
static void greet(ingest *in, ingest_batch *ib)
{
	ib->status = ROLLCALL__BATCH_ACK__STATUS__ACCEPTED;
	in->st.hellos++;
	send_ack(in, ib);
}

/* Item validation that needs no database. Returns 0, or a negative errno with the reason the
 * whole batch is refused in err (a bad header, or the decode budget exhausted). */
static int validate_items(ingest_batch *ib, char *err, size_t errlen)
{
	const Rollcall__Batch *b = ib->b;
	validate_window win;
	validate_error e;
	int32_t today = (int32_t)(time(NULL) / 86400);
	int rc = 0;

	validate_window_for(today, &win);
	if (validate_batch(b, &win, &e) < 0) {
		snprintf(err, errlen, "batch %s: %s", e.field, e.reason);
		return -EPROTO;
	}
	ib->mark_code = wire_arena_alloc(ib->arena, b->n_marks + 1);
	ib->pupil_ok = wire_arena_alloc(ib->arena, b->n_pupils + 1);
	ib->contact_ok = wire_arena_alloc(ib->arena, b->n_contacts + 1);
	ib->session_ok = wire_arena_alloc(ib->arena, b->n_sessions + 1);
	if (!ib->mark_code || !ib->pupil_ok || !ib->contact_ok || !ib->session_ok)
		rc = -ENOMEM;
	for (size_t i = 0; rc == 0 && i < b->n_pupils; i++) {
		const Rollcall__Pupil *p = b->pupils[i];
		if (validate_pupil(p, &win, &e) == 0)
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
	if (rc < 0)
		snprintf(err, errlen, "decoded batch exceeds the decode budget");
	return rc;
}

/* Receives one message without waiting. Returns 1 with *out set when a batch is to be handed
 * to a writer, 1 with *out NULL when a message was answered at once (hello, busy, refused),
 * 0 when none was waiting. */
static int receive_one(ingest *in, ingest_batch **out)
{
	zmq_msg_t id, body;
	ingest_batch *ib = NULL;
	const uint8_t *data;
	const char *user;
	char err[256];
	size_t size;
	bool admitted;
	int rc, more, peeked;

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
	data = zmq_msg_data(&body);
	size = zmq_msg_size(&body);

	/* What an answer needs (the id, the school) is read before anything is decoded. */
	peeked = wire_batch_peek(data, size, &ib->peek);
	if (size > (size_t)in->cfg->max_message_bytes) {
		/* Only if ZeroMQ's envelope were smaller than CURVE_ENVELOPE. */
		refuse(in, ib, "message of %zu bytes is over max_message_bytes (%d)", size,
		       in->cfg->max_message_bytes);
		goto out;
	}
	if (peeked < 0) {
		refuse(in, ib, "not a Batch message");
		goto out;
	}
	if (ib->peek.why[0]) {
		refuse(in, ib, "%s", ib->peek.why);
		goto out;
	}
	if (ib->peek.hello) {
		greet(in, ib);
		goto out;
	}
	pthread_mutex_lock(&in->mu);
	admitted = streak_admits(in, ib, err, sizeof(err));
	if (admitted && over_hold(in, ib, err, sizeof(err))) {
		admitted = false;
		streak_start(in, ib);
	}
	pthread_mutex_unlock(&in->mu);
	if (!admitted) {
		busy(in, ib, err);
		goto out;
	}

	ib->arena = wire_arena_new_pooled((size_t)in->cfg->decode_budget_bytes, in->pool);
	if (!ib->arena)
		goto out;
	if (wire_batch_decode(ib->arena, data, size, &ib->b, err, sizeof(err)) < 0) {
		refuse(in, ib, "%s", err);
		goto out;
	}
	if (!zap_key_allows(in->zap, ib->public_key, ib->b->school_urn)) {
		refuse(in, ib, "this key may not write school %u", ib->b->school_urn);
		goto out;
	}
	if (validate_items(ib, err, sizeof(err)) < 0) {
		refuse(in, ib, "%s", err);
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

/* Sends the ack of a batch a writer is done with, counts it, frees it. */
static void finish(ingest *in, ingest_batch *ib)
{
	char id[LOG_ESCAPE_SHORT], why[LOG_ESCAPE_SHORT];

	switch (ib->status) {
	case ROLLCALL__BATCH_ACK__STATUS__DUPLICATE:
		in->st.duplicates++;
		break;
	case ROLLCALL__BATCH_ACK__STATUS__ACCEPTED:
		in->st.marks_new += ib->new_versions;
		in->st.marks_unchanged += ib->unchanged;
		in->st.items_rejected += ib->nrej;
		break;
	case ROLLCALL__BATCH_ACK__STATUS__REFUSED:
		in->st.refused++;
		log_warning("ingest: batch %s for URN %u refused (%s)",
		            log_escape(ib->b->batch_id, id, sizeof(id)), ib->b->school_urn,
		            log_escape(ib->error, why, sizeof(why)));
		break;
	default: /* database unavailable, or stopping: the client's own backoff applies */
		in->st.retries++;
		break;
	}
	in->st.batches++;
	in->st.last_group_ms = ib->group_ms;
	release(in, ib);
	send_ack(in, ib);
	batch_free(&ib);
}

/* Acks for everything the writers have finished. Returns how many. */
static size_t send_done(ingest *in)
{
	blist done;
	uint64_t v;

	if (read(in->donefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		log_err("ingest: eventfd read failed (%s)", strerror(errno));
	pthread_mutex_lock(&in->mu);
	done = in->done;
	memset(&in->done, 0, sizeof(in->done));
	pthread_mutex_unlock(&in->mu);
	for (size_t i = 0; i < done.n; i++)
		finish(in, done.v[i]);
	free(done.v);
	return done.n;
}

/* Hands a validated batch to the writer of its school, unless its connection must first send
 * again a batch a writer answered RETRY since it was received. */
static void dispatch(ingest *in, ingest_batch *ib)
{
	char why[256];
	int w;
	wthread *wt;

	if (hold(in, ib) < 0) {
		refuse(in, ib, "%s", "the daemon is out of memory; send again later");
		batch_free(&ib);
		return;
	}
	pthread_mutex_lock(&in->mu);
	if (!streak_admits(in, ib, why, sizeof(why))) {
		pthread_mutex_unlock(&in->mu);
		release(in, ib);
		busy(in, ib, why);
		batch_free(&ib);
		return;
	}
	w = route_take(in, ib->b->school_urn);
	wt = w < 0 ? NULL : &in->writers[w];
	if (!wt || blist_push(&wt->queue, ib) < 0) {
		if (wt)
			route_done(in, ib->b->school_urn);
		pthread_mutex_unlock(&in->mu);
		release(in, ib);
		refuse(in, ib, "%s", "the daemon is out of memory; send again later");
		batch_free(&ib);
		return;
	}
	wt->queued_marks += ib->b->n_marks;
	in->in_writers++;
	in->marks_in_writers += ib->b->n_marks;
	pthread_cond_signal(&wt->cv);
	pthread_mutex_unlock(&in->mu);
}

int ingest_step(ingest *in, int timeout_ms)
{
	zmq_pollitem_t items[2] = {{in->router, 0, ZMQ_POLLIN, 0},
	                           {NULL, in->donefd, ZMQ_POLLIN, 0}};
	int handled = 0;

	if (zmq_poll(items, 2, timeout_ms) < 0)
		return zmq_errno() == EINTR ? 0 : -1;
	if (items[1].revents & ZMQ_POLLIN)
		handled += send_done(in) > 0;
	if (items[0].revents & ZMQ_POLLIN) {
		/* Read what is waiting, up to a group's worth per writer, then go back to acks. */
		for (int k = 0; k < in->cfg->group_max_batches * in->nwriters; k++) {
			ingest_batch *ib;
			int rc = receive_one(in, &ib);

			if (rc < 0)
				return -1;
			if (rc == 0)
				break;
			handled = 1;
			if (ib)
				dispatch(in, ib);
		}
	}
	return handled;
}

int ingest_drain(ingest *in, int timeout_ms)
{
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	for (;;) {
		size_t busy_now;
		struct pollfd p = {in->donefd, POLLIN, 0};
		uint64_t now;

		pthread_mutex_lock(&in->mu);
		busy_now = in->in_writers + in->done.n;
		pthread_mutex_unlock(&in->mu);
		if (!busy_now)
			return 0;
		now = now_ms();
		if (now >= end)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)(end - now < 100 ? end - now : 100)) > 0)
			send_done(in);
	}
}

void ingest_cancel(ingest *in)
{
	for (int i = 0; i < in->nwriters; i++)
		writer_cancel(in->writers[i].w);
}
