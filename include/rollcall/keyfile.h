/* CURVE key files: "public = <Z85>" and "secret = <Z85>" lines, readable by the owner only. */
#ifndef ROLLCALL_KEYFILE_H
#define ROLLCALL_KEYFILE_H

#include <stddef.h>

#define KEY_Z85_LEN 40

typedef struct keypair {
	char public_key[KEY_Z85_LEN + 1];
	char secret_key[KEY_Z85_LEN + 1]; /* empty when the file holds a public key only */
} keypair;

/* Makes a new CURVE key pair. Returns 0 or -ENOTSUP when libzmq has no CURVE. */
int keyfile_generate(keypair *kp) __attribute__((warn_unused_result));

/* Writes kp to path, created exclusively with mode 0600 (O_CREAT | O_EXCL: an existing file
 * or symbolic link there is refused with -EEXIST and left alone), and fsyncs it. On failure
 * the file is removed. */
int keyfile_write(const char *path, const keypair *kp, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Reads path; a secret is required when need_secret. Checks the Z85 shape and, when both are
 * there, that the public key belongs to the secret one. A file holding a secret key that
 * group or others may read or write is refused (-EACCES, saying to chmod 600 it). */
int keyfile_read(const char *path, keypair *kp, int need_secret, char *err, size_t errlen)
        __attribute__((warn_unused_result));

/* Whether s is a 40-character Z85 string that decodes to a 32-byte key. */
int keyfile_valid_z85(const char *s);

#endif
