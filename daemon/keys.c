/* The key table's upkeep thread: one connection that LISTENs on rollcall_keys, a reload on every
 * notification or request, and a retry with backoff while the database cannot be reached, so a
 * revoked key stops working without an operator and a failed reload is never silent. */
#include "keys.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "rollcall/db.h"
#include "rollcall/log.h"

#define RETRY_FIRST_MS 500
#define RETRY_MAX_MS   10000

struct keys {
	char *conninfo;
	zap *zap;
	PGconn *conn; /* the thread's once started */
	pthread_t thread;
	bool started;
	int wakefd; /* keys_reload and keys_stop wake the thread */
	atomic_bool stop, reload;
	pthread_mutex_t mu; /* st */
	keys_state st;
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Connects when needed (LISTEN first, so that a change made while the table loads is
 * notified), then loads the active keys into the ZAP handler. *count gets their number. On a
 * failure the connection is dropped, so the next attempt starts afresh. */
static int load(keys *k, size_t *count, char *err, size_t errlen)
{
	PGresult *res = NULL;
	keytab *t = NULL;
	int rc = 0;

	if (k->conn && PQstatus(k->conn) != CONNECTION_OK) {
		PQfinish(k->conn);
		k->conn = NULL;
	}
	if (!k->conn) {
		rc = db_connect(k->conninfo, &k->conn, err, errlen);
		if (rc == 0)
			rc = db_exec(
			        k->conn,
			        "SET application_name = 'rollcalld keys'; LISTEN rollcall_keys",
			        err, errlen);
		if (rc < 0)
			goto out;
	}
	res = PQexec(k->conn,
	             "SELECT public_key, school_urn FROM school_key WHERE revoked_at IS NULL");
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		db_result_error(res, "keys", err, errlen);
		rc = -EIO;
		goto out;
	}
	t = keytab_new();
	if (!t) {
		snprintf(err, errlen, "keys: out of memory");
		rc = -ENOMEM;
		goto out;
	}
	for (int i = 0; i < PQntuples(res); i++) {
		rc = keytab_add(t, PQgetvalue(res, i, 0), (uint32_t)atol(PQgetvalue(res, i, 1)));
		if (rc < 0) {
			snprintf(err, errlen, "keys: bad public key in school_key for URN %s",
			         PQgetvalue(res, i, 1));
			goto out;
		}
	}
	*count = keytab_count(t);
	zap_set_keys(k->zap, &t);
out:
	keytab_destroy(&t);
	PQclear(res);
	if (rc < 0 && k->conn) {
		PQfinish(k->conn);
		k->conn = NULL;
	}
	return rc;
}

/* One reload, its outcome recorded and logged (a failure once, not at every retry). */
static int reload_once(keys *k, const char *why)
{
	char err[256];
	size_t count = 0;
	bool was_ok;
	int rc = load(k, &count, err, sizeof(err));

	pthread_mutex_lock(&k->mu);
	was_ok = k->st.ok;
	if (rc == 0) {
		k->st.ok = true;
		k->st.count = count;
		k->st.reloads++;
		k->st.error[0] = '\0';
	} else {
		if (was_ok)
			k->st.failing_since = (int64_t)time(NULL);
		k->st.ok = false;
		snprintf(k->st.error, sizeof(k->st.error), "%s", err);
	}
	pthread_mutex_unlock(&k->mu);
	if (rc == 0)
		log_info("keys: reloaded (%zu in force; %s)", count, why);
	else if (was_ok)
		log_err("keys: reload failed, keeping the keys in force and trying again (%s)",
		        err);
	return rc;
}

static void *keys_main(void *arg)
{
	keys *k = arg;
	uint32_t delay = RETRY_FIRST_MS;
	uint64_t next_try = 0; /* 0: no retry pending */

	while (!atomic_load(&k->stop)) {
		struct pollfd p[2] = {{k->wakefd, POLLIN, 0}, {-1, POLLIN, 0}};
		const char *why = NULL;
		int timeout = -1;
		uint64_t v, now;

		if (k->conn)
			p[1].fd = PQsocket(k->conn);
		if (next_try) {
			now = mono_ms();
			timeout = next_try > now ? (int)(next_try - now) : 0;
		}
		if (poll(p, 2, timeout) < 0 && errno != EINTR)
			break;
		if ((p[0].revents & POLLIN) && read(k->wakefd, &v, sizeof(v)) < 0 &&
		    errno != EAGAIN)
			break;
		if (atomic_load(&k->stop))
			break;
		if (atomic_exchange(&k->reload, false))
			why = "asked to";
		if (p[1].fd >= 0 && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
			int got = db_wait_notify(k->conn, 0);

			if (got > 0)
				why = "a key changed";
			if (got < 0 || PQstatus(k->conn) != CONNECTION_OK) {
				/* Lost: changes cannot be heard until it is back, so reload then.
				 */
				PQfinish(k->conn);
				k->conn = NULL;
				why = "connection lost";
			}
		}
		if (!why && next_try && mono_ms() >= next_try)
			why = "retry";
		if (!why)
			continue;
		if (reload_once(k, why) == 0) {
			next_try = 0;
			delay = RETRY_FIRST_MS;
		} else {
			next_try = mono_ms() + delay;
			delay = delay * 2 < RETRY_MAX_MS ? delay * 2 : RETRY_MAX_MS;
		}
	}
	return NULL;
}

int keys_start(const char *conninfo, zap *z, keys **out, char *err, size_t errlen)
{
	keys *k = calloc(1, sizeof(*k));
	size_t count = 0;
	int rc;

	*out = NULL;
	if (!k)
		return -ENOMEM;
	pthread_mutex_init(&k->mu, NULL);
	k->zap = z;
	k->conninfo = strdup(conninfo);
	k->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (!k->conninfo || k->wakefd < 0) {
		snprintf(err, errlen, "keys: cannot set up (%s)", strerror(errno));
		rc = -ENOMEM;
		goto fail;
	}
	rc = load(k, &count, err, errlen);
	if (rc < 0)
		goto fail;
	k->st.ok = true;
	k->st.count = count;
	k->st.reloads = 1;
	if (pthread_create(&k->thread, NULL, keys_main, k) != 0) {
		snprintf(err, errlen, "keys: cannot start the key reload thread");
		rc = -EAGAIN;
		goto fail;
	}
	k->started = true;
	*out = k;
	return 0;
fail:
	keys_stop(&k);
	return rc;
}

static void wake(keys *k)
{
	uint64_t one = 1;

	if (write(k->wakefd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already set, the thread wakes anyway. */
	}
}

void keys_reload(keys *k)
{
	atomic_store(&k->reload, true);
	wake(k);
}

void keys_get_state(keys *k, keys_state *st)
{
	pthread_mutex_lock(&k->mu);
	*st = k->st;
	pthread_mutex_unlock(&k->mu);
}

void keys_stop(keys **kp)
{
	keys *k = kp ? *kp : NULL;

	if (!k)
		return;
	if (k->started) {
		atomic_store(&k->stop, true);
		wake(k);
		pthread_join(k->thread, NULL);
	}
	if (k->conn)
		PQfinish(k->conn);
	if (k->wakefd >= 0)
		close(k->wakefd);
	pthread_mutex_destroy(&k->mu);
	free(k->conninfo);
	free(k);
	*kp = NULL;
}
