/* The sender thread: one CURVE DEALER, a window of batches in flight, acks matched by batch id,
 * resends with backoff, handshake failures seen through a socket monitor. The reader talks to it
 * only through a mutex-guarded inbox and an eventfd that wakes its poll.
 *
 * Each connection starts with a hello, whose answer tells the daemon's message size limit: no
 * batch goes before it, and one larger than the limit is refused here, with the reason, since
 * the daemon would drop the connection unread. A busy daemon answers RETRY with a wait; the
 * window then halves (once per wait) and grows back by one per accepted batch. */
#include "sender.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "rollcall/keyfile.h"
#include "rollcall/log.h"
#include "rollcall/rollcall.pb-c.h"
#include "rollcall/wire.h"

#define HELD_MAX         (32u << 20) /* batch buffers kept in memory; beyond, read back */
#define BACKOFF_FIRST_MS 500
#define BACKOFF_MAX_MS   30000
#define EAGAIN_RETRY_MS  100 /* not connected yet: try the send again after this */
#define PROGRESS_MS      250
#define NO_DETAIL_LIMIT  3 /* handshakes failing without detail in a row before giving up */
#define ACK_MAX_BYTES    (64 << 20)
#define TIERS            3 /* sessions and pupils, contacts, marks */
#define ID_MAX           96
#define WAIT_CONNECTION  UINT64_MAX /* due_ms of a batch lost with its connection */
#define LIMIT_UNKNOWN    0          /* no answer to this connection's hello yet */

typedef struct srun srun;

/* A batch inside the sender. */
typedef struct sbatch {
	struct sbatch *next;
	spool_run *sr;
	sender_batch b;
	bool held; /* b.buf came from the reader and counts against HELD_MAX */
	int tier;
	char id[ID_MAX];
	uint64_t sent_ms;  /* last time it went into the socket */
	uint64_t due_ms;   /* 0: waiting for its ack; otherwise (re)send at this time */
	unsigned attempts; /* sends so far */
} sbatch;

/* A run as the sender sees it: how many batches of each tier came and were settled (acked,
 * refused or dropped), and the ones not sent yet. */
struct srun {
	spool_run *sr;
	bool closed[TIERS];
	uint32_t total[TIERS], done[TIERS];
	sbatch *head[TIERS], *tail[TIERS];
};

typedef enum { CMD_RUN, CMD_BATCH, CMD_PHASE_DONE, CMD_END } cmd_kind;

typedef struct cmd {
	struct cmd *next;
	cmd_kind kind;
	spool_run *sr;
	int phase;
	sbatch *sb;
} cmd;

struct sender {
	char endpoint[1024];
	char server_key[KEY_Z85_LEN + 1], public_key[KEY_Z85_LEN + 1], secret_key[KEY_Z85_LEN + 1];
	int window, ack_timeout_ms, give_up_s;
	bool progress;

	void *ctx, *dealer, *monitor;
	int wake_fd;
	pthread_t thread;
	bool started, joined;

	/* Shared with the reader. */
	pthread_mutex_t mu;
	cmd *in_head, *in_tail;
	atomic_size_t held_bytes;
	atomic_bool failed, stop;
	atomic_uint_fast64_t spooled, local_rejects;
	pthread_mutex_t print_mu;
	bool drawn; /* a progress line is on screen (print_mu) */

	/* The thread's own. */
	srun *runs;
	size_t nruns, capruns, active;
	sbatch **inflight;
	size_t ninflight;
	bool ended;
	unsigned no_detail;
	uint64_t start_ms, last_ack_ms, last_draw_ms;
	uint32_t limit;        /* the daemon's max_message_bytes on this connection */
	char hello_id[ID_MAX]; /* the hello waiting for its answer ("": none) */
	uint64_t hello_due_ms; /* when to send (again) a hello: 0 none due */
	unsigned hellos;       /* hellos sent, for their ids */
	size_t cwnd;           /* batches that may be in flight now, 1..window */
	uint64_t cut_until_ms; /* the window is halved at most once until then */
	unsigned rng;          /* for the jitter of busy waits */
	sender_result res;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- printing ----------------------------------------------------------------------------- */

static void clear_progress_locked(sender *s)
{
	if (s->drawn) {
		fputs("\r\033[K", stderr);
		s->drawn = false;
	}
}

void sender_say(sender *s, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&s->print_mu);
	clear_progress_locked(s);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&s->print_mu);
}

static int format_reject(char *out, size_t outlen, const char *file, unsigned long line,
                         const char *field, const char *reason)
{
	char f[256], fl[128], r[512];

	log_escape(file, f, sizeof(f));
	log_escape(field && field[0] ? field : "row", fl, sizeof(fl));
	log_escape(reason && reason[0] ? reason : "rejected", r, sizeof(r));
	if (line)
		return snprintf(out, outlen, "%s:%lu: %s: %s", f, line, fl, r);
	return snprintf(out, outlen, "%s: %s: %s", f, fl, r);
}

void sender_print_reject(sender *s, const char *file, unsigned long line, const char *field,
                         const char *reason, bool local)
{
	char text[1024];

	format_reject(text, sizeof(text), file, line, field, reason);
	sender_say(s, "%s", text);
	if (local)
		atomic_fetch_add(&s->local_rejects, 1);
}

static void draw_progress(sender *s, uint64_t now)
{
	double secs = (double)(now - s->start_ms) / 1000.0;
	double rate = secs > 0 ? (double)s->res.marks / secs : 0;

	pthread_mutex_lock(&s->print_mu);
	fprintf(stderr,
	        "\r%" PRIu64 "/%" PRIu64 " batches acked, %" PRIu64 " marks accepted, %" PRIu64
	        " rows rejected, %.0f marks/s\033[K",
	        s->res.acked + s->res.refused, (uint64_t)atomic_load(&s->spooled), s->res.marks,
	        s->res.rejected + (uint64_t)atomic_load(&s->local_rejects), rate);
	fflush(stderr);
	s->drawn = true;
	pthread_mutex_unlock(&s->print_mu);
	s->last_draw_ms = now;
}

/* ---- the inbox ---------------------------------------------------------------------------- */

static int post(sender *s, cmd_kind kind, spool_run *sr, int phase, sbatch *sb)
{
	cmd *c = calloc(1, sizeof(*c));
	uint64_t one = 1;

	if (!c)
		return -ENOMEM;
	c->kind = kind;
	c->sr = sr;
	c->phase = phase;
	c->sb = sb;
	pthread_mutex_lock(&s->mu);
	if (s->in_tail)
		s->in_tail->next = c;
	else
		s->in_head = c;
	s->in_tail = c;
	pthread_mutex_unlock(&s->mu);
	if (write(s->wake_fd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already nonzero, the thread will wake anyway. */
	}
	return 0;
}

static void sbatch_free(sender *s, sbatch *sb)
{
	if (!sb)
		return;
	if (sb->held)
		atomic_fetch_sub(&s->held_bytes, sb->b.len);
	free(sb->b.buf);
	free(sb);
}

int sender_add_run(sender *s, spool_run *run)
{
	return post(s, CMD_RUN, run, 0, NULL);
}

int sender_submit(sender *s, spool_run *run, sender_batch *b)
{
	sbatch *sb = calloc(1, sizeof(*sb));
	int rc;

	if (!sb) {
		free(b->buf);
		b->buf = NULL;
		return -ENOMEM;
	}
	sb->sr = run;
	sb->b = *b;
	b->buf = NULL;
	if (sb->b.buf) {
		if (atomic_load(&s->held_bytes) + sb->b.len > HELD_MAX) {
			free(sb->b.buf); /* the spool file has it */
			sb->b.buf = NULL;
		} else {
			atomic_fetch_add(&s->held_bytes, sb->b.len);
			sb->held = true;
		}
	}
	rc = post(s, CMD_BATCH, run, b->phase, sb);
	if (rc < 0)
		sbatch_free(s, sb);
	else
		atomic_fetch_add(&s->spooled, 1);
	return rc;
}

bool sender_can_hold(sender *s, size_t len)
{
	return atomic_load(&s->held_bytes) + len <= HELD_MAX;
}

int sender_phase_done(sender *s, spool_run *run, int phase)
{
	return post(s, CMD_PHASE_DONE, run, phase, NULL);
}

int sender_end(sender *s)
{
	return post(s, CMD_END, NULL, 0, NULL);
}

bool sender_failed(sender *s)
{
	return atomic_load(&s->failed);
}

/* ---- runs and the order of sending -------------------------------------------------------- */

static srun *run_find(sender *s, const spool_run *sr)
{
	for (size_t i = 0; i < s->nruns; i++)
		if (s->runs[i].sr == sr)
			return &s->runs[i];
	return NULL;
}

static bool tier_settled(const srun *r, int t)
{
	return r->closed[t] && r->done[t] == r->total[t];
}

static bool run_settled(const srun *r)
{
	for (int t = 0; t < TIERS; t++)
		if (!tier_settled(r, t))
			return false;
	return true;
}

static void stop_with(sender *s, sender_outcome o, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static void stop_with(sender *s, sender_outcome o, const char *fmt, ...)
{
	va_list ap;

	if (atomic_load(&s->stop))
		return;
	s->res.outcome = o;
	va_start(ap, fmt);
	vsnprintf(s->res.message, sizeof(s->res.message), fmt, ap);
	va_end(ap);
	if (o == SENDER_KEY_REFUSED || o == SENDER_BROKEN)
		atomic_store(&s->failed, true);
	atomic_store(&s->stop, true);
}

static void file_label(const sbatch *sb, char *out, size_t outlen)
{
	char name[32];

	spool_file_name(sb->b.phase, sb->b.seq, name, sizeof(name));
	snprintf(out, outlen, "%s/%s", sb->sr->name, name);
}

/* Reads the batch from the spool when it is not in memory and checks a batch of an earlier run
 * decodes. Returns 1 when it can be sent, 0 when it was dropped (torn, corrupt, vanished). */
static int prepare(sender *s, sbatch *sb)
{
	char err[512], label[SPOOL_NAME_MAX + 40];
	int rc;

	file_label(sb, label, sizeof(label));
	if (!sb->b.buf) {
		rc = spool_batch_read(sb->sr, sb->b.phase, sb->b.seq, &sb->b.buf, &sb->b.len, err,
		                      sizeof(err));
		sb->b.off = 0;
		if (rc == -ENOENT) {
			sender_say(s,
			           "rollcall-push: %s: batch file vanished from the spool; skipped",
			           label);
			return 0;
		}
		if (rc < 0) {
			stop_with(s, SENDER_BROKEN, "%s", err);
			return 0;
		}
	}
	if (sb->b.verified)
		return 1;
	if (spool_batch_inspect(sb->sr, sb->b.phase, sb->b.seq, sb->b.buf + sb->b.off, sb->b.len,
	                        &sb->b.n) == 0) {
		sb->b.verified = true;
		return 1;
	}
	if (!sb->sr->m.complete) {
		rc = spool_batch_remove(sb->sr, sb->b.phase, sb->b.seq);
		sender_say(
		        s,
		        "rollcall-push: warning: %s does not decode (torn write of a run that did "
		        "not finish reading its export)%s",
		        label, rc == 0 ? "; removed" : "; could not remove it");
		s->res.torn++;
	} else {
		rc = spool_batch_set_aside(sb->sr, sb->b.phase, sb->b.seq, "corrupt");
		sender_say(s, "rollcall-push: %s does not decode; %s", label,
		           rc == 0 ? "kept as .corrupt, not sent" : "kept, not sent");
		s->res.corrupt++;
	}
	return 0;
}

static int tier_of(const sender_batch *b)
{
	return b->phase ? 2 : (b->n.contacts ? 1 : 0);
}

static void handle_cmd(sender *s, cmd *c)
{
	srun *r;

	switch (c->kind) {
	case CMD_RUN:
		if (s->nruns == s->capruns) {
			size_t nc = s->capruns ? s->capruns * 2 : 8;
			srun *nr = realloc(s->runs, nc * sizeof(*nr));
			if (!nr) {
				stop_with(s, SENDER_BROKEN, "out of memory");
				return;
			}
			s->runs = nr;
			s->capruns = nc;
		}
		memset(&s->runs[s->nruns], 0, sizeof(s->runs[0]));
		s->runs[s->nruns++].sr = c->sr;
		return;
	case CMD_BATCH: {
		sbatch *sb = c->sb;

		c->sb = NULL;
		r = run_find(s, c->sr);
		if (!r) {
			sbatch_free(s, sb);
			return;
		}
		/* A phase-0 batch of an earlier run is looked at now: whether it holds contacts
		 * decides when it may go. */
		if (!sb->b.verified && sb->b.phase == 0) {
			if (!prepare(s, sb)) {
				sbatch_free(s, sb);
				return;
			}
			if (!sb->held) { /* read back later, when its turn comes */
				free(sb->b.buf);
				sb->b.buf = NULL;
			}
		}
		sb->tier = tier_of(&sb->b);
		spool_batch_id(sb->sr, sb->b.phase, sb->b.seq, sb->id, sizeof(sb->id));
		if (r->tail[sb->tier])
			r->tail[sb->tier]->next = sb;
		else
			r->head[sb->tier] = sb;
		r->tail[sb->tier] = sb;
		r->total[sb->tier]++;
		return;
	}
	case CMD_PHASE_DONE:
		r = run_find(s, c->sr);
		if (!r)
			return;
		if (c->phase == 0)
			r->closed[0] = r->closed[1] = true;
		else
			r->closed[0] = r->closed[1] = r->closed[2] = true;
		return;
	case CMD_END:
		s->ended = true;
		return;
	}
}

static void drain_inbox(sender *s)
{
	cmd *c;
	uint64_t v;

	if (read(s->wake_fd, &v, sizeof(v)) < 0) {
		/* EAGAIN: nothing posted since the last read */
	}
	pthread_mutex_lock(&s->mu);
	c = s->in_head;
	s->in_head = s->in_tail = NULL;
	pthread_mutex_unlock(&s->mu);
	while (c) {
		cmd *next = c->next;

		handle_cmd(s, c);
		if (c->sb)
			sbatch_free(s, c->sb);
		free(c);
		c = next;
	}
}

/* The next batch that may go: from the first run not yet settled, from its lowest tier that
 * has batches waiting, provided every tier below it is settled. */
static sbatch *next_sendable(sender *s)
{
	while (s->active < s->nruns) {
		srun *r = &s->runs[s->active];

		for (int t = 0; t < TIERS; t++) {
			sbatch *sb = r->head[t];

			if (sb) {
				r->head[t] = sb->next;
				if (!r->head[t])
					r->tail[t] = NULL;
				sb->next = NULL;
				return sb;
			}
			if (!tier_settled(r, t))
				return NULL;
		}
		if (!run_settled(r))
			return NULL;
		s->active++;
	}
	return NULL;
}

static void settle(sender *s, sbatch *sb)
{
	srun *r = run_find(s, sb->sr);

	if (r)
		r->done[sb->tier]++;
}

static bool all_settled(const sender *s)
{
	if (!s->ended)
		return false;
	for (size_t i = 0; i < s->nruns; i++)
		if (!run_settled(&s->runs[i]))
			return false;
	return true;
}

/* ---- sending and acks --------------------------------------------------------------------- */

static uint64_t backoff_ms(unsigned attempts)
{
	uint64_t d = BACKOFF_FIRST_MS;

	for (unsigned i = 1; i < attempts && d < BACKOFF_MAX_MS; i++)
		d *= 2;
	return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

static void fill_window(sender *s, uint64_t now)
{
	while (!atomic_load(&s->stop) && s->ninflight < s->cwnd) {
		sbatch *sb = next_sendable(s);

		if (!sb)
			return;
		if (!prepare(s, sb)) {
			settle(s, sb);
			sbatch_free(s, sb);
			continue;
		}
		sb->due_ms = now;
		s->inflight[s->ninflight++] = sb;
	}
}

/* Sends what is due, in window order. A batch waiting to be (re)sent holds back every later
 * batch that is also waiting to go: the daemon commits in the order it receives, and a mark
 * amended in a later batch must not be committed before the mark it amends. */
static void refuse_ack(sender *s, size_t i, const Rollcall__BatchAck *a);

/* A batch larger than the daemon reads is refused here, as the daemon would refuse it: the
 * connection would otherwise be dropped without an answer, again and again. */
static void refuse_too_big(sender *s, size_t i)
{
	Rollcall__BatchAck a = ROLLCALL__BATCH_ACK__INIT;
	char why[256];

	snprintf(why, sizeof(why),
	         "the batch is %zu bytes, more than the daemon reads (its max_message_bytes is "
	         "%u): send smaller batches (--batch-marks) or raise max_message_bytes",
	         s->inflight[i]->b.len, s->limit);
	a.has_status = 1;
	a.status = ROLLCALL__BATCH_ACK__STATUS__REFUSED;
	a.error = why;
	refuse_ack(s, i, &a);
}

static void send_due(sender *s, uint64_t now)
{
	if (s->limit == LIMIT_UNKNOWN) /* nothing goes before the hello's answer */
		return;
	for (size_t i = 0; i < s->ninflight && !atomic_load(&s->stop); i++) {
		sbatch *sb = s->inflight[i];

		if (!sb->due_ms)
			continue;
		if (sb->due_ms > now)
			return;
		if (sb->b.len > s->limit) {
			refuse_too_big(s, i--);
			continue;
		}
		if (zmq_send(s->dealer, sb->b.buf + sb->b.off, sb->b.len, ZMQ_DONTWAIT) < 0) {
			int e = zmq_errno();

			if (e == EAGAIN || e == EINTR) { /* no connection yet */
				sb->due_ms = now + EAGAIN_RETRY_MS;
				return;
			}
			stop_with(s, SENDER_BROKEN, "cannot send to %s (%s)", s->endpoint,
			          zmq_strerror(e));
			return;
		}
		sb->attempts++;
		sb->sent_ms = now;
		sb->due_ms = 0;
	}
}

static void retire(sender *s, size_t i)
{
	sbatch *sb = s->inflight[i];

	/* The window stays in sending order: resends go out in the order of first sending. */
	memmove(&s->inflight[i], &s->inflight[i + 1],
	        (s->ninflight - i - 1) * sizeof(*s->inflight));
	s->ninflight--;
	settle(s, sb);
	sbatch_free(s, sb);
}

static const char *status_name(Rollcall__BatchAck__Status st)
{
	switch (st) {
	case ROLLCALL__BATCH_ACK__STATUS__ACCEPTED:
		return "ACCEPTED";
	case ROLLCALL__BATCH_ACK__STATUS__DUPLICATE:
		return "DUPLICATE";
	case ROLLCALL__BATCH_ACK__STATUS__REFUSED:
		return "REFUSED";
	case ROLLCALL__BATCH_ACK__STATUS__RETRY:
		return "RETRY";
	default:
		return "?";
	}
}

/* The file a rejection points into: by kind for a CSV folder, the CTF file itself for a CTF. */
static const char *reject_file(const sbatch *sb, Rollcall__ItemKind kind)
{
	const char *src = sb->sr->m.source;

	if (!strncmp(src, "ctf:", 4) && src[4])
		return src + 4;
	if (kind == ROLLCALL__ITEM_KIND__BATCH)
		return sb->id;
	return wire_kind_file(kind);
}

static uint64_t less(uint32_t n, uint32_t minus)
{
	return n > minus ? n - minus : 0;
}

static void log_ack(sender *s, sbatch *sb, const Rollcall__BatchAck *a)
{
	char name[32], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	spool_file_name(sb->b.phase, sb->b.seq, name, sizeof(name));
	fprintf(f,
	        "%s %s pupils=%u contacts=%u marks=%u sessions=%u accepted=%u rejected=%u "
	        "new=%u unchanged=%u",
	        name, status_name(a->status), sb->b.n.pupils, sb->b.n.contacts, sb->b.n.marks,
	        sb->b.n.sessions, a->accepted, a->rejected, a->new_versions, a->unchanged);
	if (a->error && a->error[0]) {
		char e[512];
		fprintf(f, " error=%s", log_escape(a->error, e, sizeof(e)));
	}
	fputc('\n', f);
	for (size_t i = 0; i < a->n_rejections; i++) {
		const Rollcall__Rejection *rj = a->rejections[i];
		char line[1024];

		format_reject(line, sizeof(line), reject_file(sb, rj->kind), rj->line, rj->field,
		              rj->reason);
		fprintf(f, "  %s\n", line);
	}
	if (fclose(f) == 0 && spool_ack_append(sb->sr, text, len) < 0)
		sender_say(s, "rollcall-push: warning: cannot append to %s/acks.log", sb->sr->path);
	free(text);
}

static void accept_ack(sender *s, size_t i, const Rollcall__BatchAck *a)
{
	sbatch *sb = s->inflight[i];
	uint32_t rej[5] = {0};
	char label[SPOOL_NAME_MAX + 40];
	int rc;

	for (size_t k = 0; k < a->n_rejections; k++) {
		const Rollcall__Rejection *rj = a->rejections[k];

		if ((unsigned)rj->kind < 5)
			rej[rj->kind]++;
		sender_print_reject(s, reject_file(sb, rj->kind), rj->line, rj->field, rj->reason,
		                    false);
	}
	log_ack(s, sb, a);
	s->res.pupils += less(sb->b.n.pupils, rej[ROLLCALL__ITEM_KIND__PUPIL]);
	s->res.contacts += less(sb->b.n.contacts, rej[ROLLCALL__ITEM_KIND__CONTACT]);
	s->res.marks += less(sb->b.n.marks, rej[ROLLCALL__ITEM_KIND__MARK]);
	s->res.sessions += less(sb->b.n.sessions, rej[ROLLCALL__ITEM_KIND__SESSION]);
	s->res.marks_new += a->new_versions;
	s->res.marks_unchanged += a->unchanged;
	s->res.rejected += a->rejected > a->n_rejections ? a->rejected : a->n_rejections;
	s->res.acked++;
	rc = spool_batch_remove(sb->sr, sb->b.phase, sb->b.seq);
	if (rc < 0) {
		file_label(sb, label, sizeof(label));
		sender_say(s, "rollcall-push: warning: cannot remove acknowledged %s (%s)", label,
		           strerror(-rc));
	}
	retire(s, i);
}

static void refuse_ack(sender *s, size_t i, const Rollcall__BatchAck *a)
{
	sbatch *sb = s->inflight[i];
	char e[512];
	int rc;

	sender_say(
	        s, "rollcall-push: batch %s refused: %s", sb->id,
	        log_escape(a->error && a->error[0] ? a->error : "no reason given", e, sizeof(e)));
	log_ack(s, sb, a);
	rc = spool_batch_set_aside(sb->sr, sb->b.phase, sb->b.seq, "refused");
	if (rc < 0)
		sender_say(s, "rollcall-push: warning: cannot rename batch %s to .refused (%s)",
		           sb->id, strerror(-rc));
	s->res.refused++;
	retire(s, i);
}

/* When to send again a batch answered RETRY: after the wait the daemon asks for (busy), with
 * up to half as much again at random so that clients turned away together do not come back
 * together; after the usual backoff otherwise (database unavailable). A busy answer also
 * halves the window, once per wait. */
static uint64_t retry_due(sender *s, const sbatch *sb, const Rollcall__BatchAck *a, uint64_t now)
{
	uint64_t wait;

	if (!a->has_retry_after_ms || !a->retry_after_ms)
		return now + backoff_ms(sb->attempts);
	wait = a->retry_after_ms;
	s->rng = s->rng * 1103515245u + 12345u;
	wait += (wait / 2) * ((s->rng >> 16) & 0xff) / 255;
	if (now >= s->cut_until_ms) {
		s->cwnd = s->cwnd > 1 ? s->cwnd / 2 : 1;
		s->cut_until_ms = now + wait;
	}
	return now + (wait < BACKOFF_MAX_MS ? wait : BACKOFF_MAX_MS);
}

static void handle_ack(sender *s, const void *data, size_t len, uint64_t now)
{
	Rollcall__BatchAck *a = rollcall__batch_ack__unpack(NULL, len, data);
	size_t i;

	if (!a) {
		sender_say(s, "rollcall-push: warning: ignored a reply that is not a BatchAck");
		return;
	}
	if (a->has_max_message_bytes && a->max_message_bytes)
		s->limit = a->max_message_bytes;
	if (s->hello_id[0] && a->batch_id && !strcmp(a->batch_id, s->hello_id)) {
		/* The hello's answer: batches may go now (an answer without a limit comes from a
		 * daemon that reads anything). */
		if (s->limit == LIMIT_UNKNOWN)
			s->limit = UINT32_MAX;
		s->hello_id[0] = '\0';
		s->hello_due_ms = 0;
		s->last_ack_ms = now;
		goto out;
	}
	for (i = 0; i < s->ninflight; i++)
		if (a->batch_id && !strcmp(a->batch_id, s->inflight[i]->id))
			break;
	if (i == s->ninflight) /* the ack of an earlier copy of a batch already settled */
		goto out;
	s->last_ack_ms = now;
	if (!a->has_status) {
		s->inflight[i]->due_ms = now + backoff_ms(s->inflight[i]->attempts);
		goto out;
	}
	switch (a->status) {
	case ROLLCALL__BATCH_ACK__STATUS__ACCEPTED:
	case ROLLCALL__BATCH_ACK__STATUS__DUPLICATE:
		if (s->cwnd < (size_t)s->window)
			s->cwnd++;
		accept_ack(s, i, a);
		break;
	case ROLLCALL__BATCH_ACK__STATUS__REFUSED:
		refuse_ack(s, i, a);
		break;
	default: /* RETRY, or a status this client does not know: nothing was committed */
		s->res.retried++;
		log_ack(s, s->inflight[i], a); /* acks.log shows why it was sent again */
		s->inflight[i]->due_ms = retry_due(s, s->inflight[i], a, now);
		break;
	}
out:
	rollcall__batch_ack__free_unpacked(a, NULL);
}

/* Sends the connection's hello when one is due (a new connection, or no answer within the
 * ack timeout). */
static void send_hello(sender *s, uint64_t now)
{
	Rollcall__Batch h = ROLLCALL__BATCH__INIT;
	uint8_t buf[128];
	size_t len;

	if (s->limit != LIMIT_UNKNOWN || !s->hello_due_ms || s->hello_due_ms > now)
		return;
	snprintf(s->hello_id, sizeof(s->hello_id), "hello-%ld-%u", (long)getpid(), ++s->hellos);
	h.has_version = 1;
	h.version = WIRE_VERSION;
	h.batch_id = s->hello_id;
	h.has_hello = 1;
	h.hello = 1;
	len = rollcall__batch__get_packed_size(&h);
	if (len > sizeof(buf)) {
		stop_with(s, SENDER_BROKEN, "cannot build a hello");
		return;
	}
	rollcall__batch__pack(&h, buf);
	if (zmq_send(s->dealer, buf, len, ZMQ_DONTWAIT) < 0) {
		int e = zmq_errno();

		if (e == EAGAIN || e == EINTR) { /* no connection yet */
			s->hello_due_ms = now + EAGAIN_RETRY_MS;
			return;
		}
		stop_with(s, SENDER_BROKEN, "cannot send to %s (%s)", s->endpoint, zmq_strerror(e));
		return;
	}
	s->hello_due_ms = now + (uint64_t)s->ack_timeout_ms;
}

static void receive_acks(sender *s, uint64_t now)
{
	for (;;) {
		zmq_msg_t m;
		int more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->dealer, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		more = zmq_msg_more(&m);
		handle_ack(s, zmq_msg_data(&m), zmq_msg_size(&m), now);
		zmq_msg_close(&m);
		while (more) { /* one frame per ack: anything after it is dropped */
			zmq_msg_init(&m);
			more = zmq_msg_recv(&m, s->dealer, 0) >= 0 && zmq_msg_more(&m);
			zmq_msg_close(&m);
		}
	}
}

static void handle_monitor(sender *s, uint64_t now)
{
	for (;;) {
		zmq_msg_t m;
		uint16_t ev = 0;
		uint32_t val = 0;
		int more;

		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, s->monitor, ZMQ_DONTWAIT) < 0) {
			zmq_msg_close(&m);
			return;
		}
		if (zmq_msg_size(&m) >= 6) {
			memcpy(&ev, zmq_msg_data(&m), 2);
			memcpy(&val, (const char *)zmq_msg_data(&m) + 2, 4);
		}
		more = zmq_msg_more(&m);
		zmq_msg_close(&m);
		while (more) { /* the endpoint frame */
			zmq_msg_init(&m);
			more = zmq_msg_recv(&m, s->monitor, 0) >= 0 && zmq_msg_more(&m);
			zmq_msg_close(&m);
		}
		switch (ev) {
		case ZMQ_EVENT_DISCONNECTED:
			/* The next connection may lead to a daemon with other limits. */
			s->limit = LIMIT_UNKNOWN;
			s->hello_id[0] = '\0';
			s->hello_due_ms = 0;
			/* What was sent on the lost connection waits for the next one (and holds
			 * back what comes after it). */
			for (size_t i = 0; i < s->ninflight; i++)
				if (!s->inflight[i]->due_ms)
					s->inflight[i]->due_ms = WAIT_CONNECTION;
			break;
		case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
			s->no_detail = 0;
			s->limit = LIMIT_UNKNOWN; /* ask this connection's daemon */
			s->hello_id[0] = '\0';
			s->hello_due_ms = now;
			/* Send again, in order, whatever was in flight when a connection was lost
			 * (a resend keeps its batch id, so the daemon sees at worst a duplicate).
			 */
			for (size_t i = 0; i < s->ninflight; i++)
				if (!s->inflight[i]->due_ms ||
				    s->inflight[i]->due_ms == WAIT_CONNECTION)
					s->inflight[i]->due_ms = now;
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
			stop_with(s, SENDER_KEY_REFUSED,
			          "the daemon refused this client's key (handshake failed: "
			          "authentication, status %u; is the key registered for this "
			          "school?)",
			          val);
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
			stop_with(
			        s, SENDER_KEY_REFUSED,
			        "the daemon refused this client's key (handshake failed: protocol "
			        "error 0x%x; is server_public_key the daemon's key?)",
			        val);
			break;
		case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
			/* Also what a connection dropped mid-handshake looks like: only a repeat
			 * is taken as a refusal. */
			if (++s->no_detail >= NO_DETAIL_LIMIT)
				stop_with(
				        s, SENDER_KEY_REFUSED,
				        "the daemon refused this client's key (handshake failed "
				        "with no "
				        "detail (%s), %u times in a row; is server_public_key the "
				        "daemon's key?)",
				        val ? strerror((int)val) : "-", s->no_detail);
			break;
		default:
			break;
		}
	}
}

static void check_timeouts(sender *s, uint64_t now)
{
	for (size_t i = 0; i < s->ninflight; i++) {
		sbatch *sb = s->inflight[i];

		/* Also a batch waiting for a connection: should the monitor's news of the new
		 * connection be missed, the ack timeout still sends it again. */
		if ((!sb->due_ms || sb->due_ms == WAIT_CONNECTION) &&
		    now - sb->sent_ms >= (uint64_t)s->ack_timeout_ms)
			sb->due_ms = now + backoff_ms(sb->attempts);
	}
	if (!s->ninflight) {
		s->last_ack_ms = now; /* the clock runs only while something waits for an ack */
		return;
	}
	if (s->give_up_s > 0 && now - s->last_ack_ms >= (uint64_t)s->give_up_s * 1000)
		stop_with(s, SENDER_GAVE_UP, "no acknowledgement from %s for %d s", s->endpoint,
		          s->give_up_s);
}

/* How long to wait for the next thing to do: an ack timeout, or the first resend that is due
 * (later ones wait behind it, as in send_due). */
static int poll_timeout(const sender *s, uint64_t now)
{
	uint64_t until = now + 1000;
	bool held_back = s->limit == LIMIT_UNKNOWN; /* batches wait for the hello's answer */

	if (s->hello_due_ms && s->hello_due_ms < until)
		until = s->hello_due_ms;
	for (size_t i = 0; i < s->ninflight; i++) {
		const sbatch *sb = s->inflight[i];
		uint64_t t;

		if (!sb->due_ms || (sb->due_ms == WAIT_CONNECTION && !held_back)) {
			t = sb->sent_ms + (uint64_t)s->ack_timeout_ms;
			if (sb->due_ms == WAIT_CONNECTION)
				held_back = true;
		} else if (held_back || sb->due_ms == WAIT_CONNECTION) {
			held_back = true;
			continue;
		} else {
			t = sb->due_ms;
			held_back = true;
		}
		if (t < until)
			until = t;
	}
	if (s->progress && s->last_draw_ms + PROGRESS_MS < until)
		until = s->last_draw_ms + PROGRESS_MS;
	return until > now ? (int)(until - now) : 0;
}

static void *thread_main(void *arg)
{
	sender *s = arg;

	s->start_ms = s->last_ack_ms = s->last_draw_ms = now_ms();
	while (!atomic_load(&s->stop)) {
		zmq_pollitem_t items[3] = {{s->dealer, 0, ZMQ_POLLIN, 0},
		                           {s->monitor, 0, ZMQ_POLLIN, 0},
		                           {NULL, s->wake_fd, ZMQ_POLLIN, 0}};
		uint64_t now = now_ms();

		drain_inbox(s);
		handle_monitor(s, now); /* a lost connection is known before anything is sent */
		fill_window(s, now);
		send_hello(s, now);
		send_due(s, now);
		if (all_settled(s) && !s->ninflight) {
			s->res.outcome = SENDER_DONE;
			break;
		}
		if (zmq_poll(items, 3, poll_timeout(s, now)) < 0 && zmq_errno() != EINTR) {
			stop_with(s, SENDER_BROKEN, "poll failed (%s)", zmq_strerror(zmq_errno()));
			break;
		}
		now = now_ms();
		if (items[1].revents & ZMQ_POLLIN)
			handle_monitor(s, now);
		if (items[0].revents & ZMQ_POLLIN)
			receive_acks(s, now);
		check_timeouts(s, now);
		if (s->progress && now - s->last_draw_ms >= PROGRESS_MS)
			draw_progress(s, now);
	}
	if (s->progress)
		draw_progress(s, now_ms());
	pthread_mutex_lock(&s->print_mu);
	clear_progress_locked(s);
	pthread_mutex_unlock(&s->print_mu);
	atomic_store(&s->stop, true);
	return NULL;
}

/* ---- life cycle --------------------------------------------------------------------------- */

int sender_new(const sender_opts *o, sender **out, char *err, size_t errlen)
{
	sender *s = calloc(1, sizeof(*s));
	char addr[64];
	int zero = 0, one = 1, ivl_max = 5000, hb_ivl = 10000, hb_timeout = 30000, rc = 0;
	int64_t maxmsg = ACK_MAX_BYTES;

	*out = NULL;
	if (!s)
		return -ENOMEM;
	s->wake_fd = -1;
	pthread_mutex_init(&s->mu, NULL);
	pthread_mutex_init(&s->print_mu, NULL);
	if (strlen(o->endpoint) >= sizeof(s->endpoint) || strlen(o->server_key) != KEY_Z85_LEN ||
	    strlen(o->public_key) != KEY_Z85_LEN || strlen(o->secret_key) != KEY_Z85_LEN ||
	    o->window < 1 || o->window > 1024 || o->ack_timeout_ms < 1) {
		snprintf(err, errlen, "sender: bad options (endpoint, keys or window)");
		rc = -EINVAL;
		goto fail;
	}
	memcpy(s->endpoint, o->endpoint, strlen(o->endpoint) + 1);
	memcpy(s->server_key, o->server_key, KEY_Z85_LEN + 1);
	memcpy(s->public_key, o->public_key, KEY_Z85_LEN + 1);
	memcpy(s->secret_key, o->secret_key, KEY_Z85_LEN + 1);
	s->window = o->window;
	s->cwnd = (size_t)o->window;
	s->hello_due_ms = 1; /* at once: sending fails until a connection is up */
	s->rng = (unsigned)getpid() ^ (unsigned)now_ms();
	s->ack_timeout_ms = o->ack_timeout_ms;
	s->give_up_s = o->give_up_s;
	s->progress = o->progress;
	s->inflight = calloc((size_t)o->window, sizeof(*s->inflight));
	s->ctx = zmq_ctx_new();
	s->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!s->inflight || !s->ctx || s->wake_fd < 0) {
		snprintf(err, errlen, "sender: cannot set up (%s)", strerror(errno));
		rc = -ENOMEM;
		goto fail;
	}
	s->dealer = zmq_socket(s->ctx, ZMQ_DEALER);
	if (!s->dealer ||
	    zmq_setsockopt(s->dealer, ZMQ_CURVE_SERVERKEY, s->server_key, KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s->dealer, ZMQ_CURVE_PUBLICKEY, s->public_key, KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s->dealer, ZMQ_CURVE_SECRETKEY, s->secret_key, KEY_Z85_LEN + 1) ||
	    zmq_setsockopt(s->dealer, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_setsockopt(s->dealer, ZMQ_IMMEDIATE, &one, sizeof(one)) ||
	    zmq_setsockopt(s->dealer, ZMQ_RECONNECT_IVL_MAX, &ivl_max, sizeof(ivl_max)) ||
	    zmq_setsockopt(s->dealer, ZMQ_HEARTBEAT_IVL, &hb_ivl, sizeof(hb_ivl)) ||
	    zmq_setsockopt(s->dealer, ZMQ_HEARTBEAT_TIMEOUT, &hb_timeout, sizeof(hb_timeout)) ||
	    zmq_setsockopt(s->dealer, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg))) {
		snprintf(err, errlen, "sender: cannot set up the socket (%s)",
		         zmq_strerror(zmq_errno()));
		rc = -EINVAL;
		goto fail;
	}
	snprintf(addr, sizeof(addr), "inproc://rollcall-push-monitor-%p", (void *)s);
	if (zmq_socket_monitor(s->dealer, addr,
	                       ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
	                               ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
	                               ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
	                               ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0 ||
	    !(s->monitor = zmq_socket(s->ctx, ZMQ_PAIR)) ||
	    zmq_setsockopt(s->monitor, ZMQ_LINGER, &zero, sizeof(zero)) ||
	    zmq_connect(s->monitor, addr) != 0) {
		snprintf(err, errlen, "sender: cannot monitor the socket (%s)",
		         zmq_strerror(zmq_errno()));
		rc = -EIO;
		goto fail;
	}
	if (zmq_connect(s->dealer, s->endpoint) != 0) {
		snprintf(err, errlen, "endpoint %s: %s", s->endpoint, zmq_strerror(zmq_errno()));
		rc = -EINVAL;
		goto fail;
	}
	if (pthread_create(&s->thread, NULL, thread_main, s) != 0) {
		snprintf(err, errlen, "sender: cannot start its thread");
		rc = -EAGAIN;
		goto fail;
	}
	s->started = true;
	*out = s;
	return 0;
fail:
	sender_destroy(&s);
	return rc;
}

void sender_wait(sender *s, sender_result *res)
{
	if (s->started && !s->joined) {
		pthread_join(s->thread, NULL);
		s->joined = true;
	}
	if (res)
		*res = s->res;
}

void sender_destroy(sender **sp)
{
	sender *s = sp ? *sp : NULL;
	cmd *c;

	if (!s)
		return;
	if (s->started && !s->joined) {
		uint64_t one = 1;

		atomic_store(&s->stop, true);
		if (write(s->wake_fd, &one, sizeof(one)) < 0) {
			/* already signalled */
		}
		pthread_join(s->thread, NULL);
		s->joined = true;
	}
	for (c = s->in_head; c;) {
		cmd *next = c->next;

		sbatch_free(s, c->sb);
		free(c);
		c = next;
	}
	for (size_t i = 0; i < s->ninflight; i++)
		sbatch_free(s, s->inflight[i]);
	for (size_t i = 0; i < s->nruns; i++)
		for (int t = 0; t < TIERS; t++)
			for (sbatch *sb = s->runs[i].head[t], *next; sb; sb = next) {
				next = sb->next;
				sbatch_free(s, sb);
			}
	if (s->dealer) {
		zmq_socket_monitor(s->dealer, NULL, 0);
		zmq_close(s->dealer);
	}
	if (s->monitor)
		zmq_close(s->monitor);
	if (s->ctx)
		zmq_ctx_term(s->ctx);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	explicit_bzero(s->secret_key, sizeof(s->secret_key));
	pthread_mutex_destroy(&s->mu);
	pthread_mutex_destroy(&s->print_mu);
	free(s->inflight);
	free(s->runs);
	free(s);
	*sp = NULL;
}
