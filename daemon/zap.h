/* The ZAP handler: CURVE authenticates, this decides. Maps a client's public key to the schools
 * it may write, from the school_key table; a key with no school is refused at the handshake,
 * except the daemon's own (for monitoring: it may write nothing). */
#ifndef ROLLCALLD_ZAP_H
#define ROLLCALLD_ZAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct keytab keytab;
typedef struct zap zap;

/* A key table under construction: add (key, urn) pairs, then hand it to zap_set_keys. */
keytab *keytab_new(void);
int keytab_add(keytab *t, const char *public_z85, uint32_t urn) __attribute__((warn_unused_result));
size_t keytab_count(const keytab *t);
void keytab_destroy(keytab **t);

/* Binds inproc://zeromq.zap.01 in ctx and serves ZAP requests on a thread of its own.
 * Must be called before any CURVE socket binds. self_z85 is the daemon's own public key: a
 * client holding the daemon's key pair (an operator's "rollcall status", which reads the
 * server key file) is let in to say hello, and may write no school. */
int zap_start(void *ctx, const char *self_z85, zap **out, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Stops the thread and frees everything; NULL-safe, nulls *z. */
void zap_stop(zap **z);

/* Replaces the key table (takes ownership of *t and nulls it). Connections stay up; each batch
 * is checked against the table in force when it arrives. */
void zap_set_keys(zap *z, keytab **t);

/* Whether the key may write school urn now. */
bool zap_key_allows(zap *z, const char *public_z85, uint32_t urn);

/* Handshakes accepted / refused so far. */
void zap_counts(zap *z, uint64_t *accepted, uint64_t *refused);

#endif
