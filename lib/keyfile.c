/* CURVE key files (read, write, generate) for the daemon and its clients. */
#include "rollcall/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zmq.h>

int keyfile_generate(keypair *kp)
{
	memset(kp, 0, sizeof(*kp));
	if (zmq_curve_keypair(kp->public_key, kp->secret_key) != 0)
		return -ENOTSUP;
	return 0;
}

int keyfile_valid_z85(const char *s)
{
	uint8_t raw[32];

	return s && strlen(s) == KEY_Z85_LEN && zmq_z85_decode(raw, s) != NULL;
}

int keyfile_write(const char *path, const keypair *kp, char *err, size_t errlen)
{
	char body[128];
	int fd, rc = 0, n;

	/* Created exclusively, 0600 from the first byte: no window in which another process can
	 * open it, put a file or a symbolic link in its place, or have it overwritten. */
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		if (errno == EEXIST)
			snprintf(err, errlen, "%s: already exists (not overwritten)", path);
		else
			snprintf(err, errlen, "%s: cannot create (%s)", path, strerror(errno));
		return rc;
	}
	n = snprintf(body, sizeof(body), "public = %s\n%s%s%s", kp->public_key,
	             kp->secret_key[0] ? "secret = " : "", kp->secret_key,
	             kp->secret_key[0] ? "\n" : "");
	errno = 0;
	if (write(fd, body, (size_t)n) != n || fsync(fd) != 0) {
		rc = errno ? -errno : -EIO;
		snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(-rc));
	}
	if (close(fd) != 0 && rc == 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot write (%s)", path, strerror(errno));
	}
	if (rc < 0)
		unlink(path); /* ours: created above */
	return rc;
}

int keyfile_read(const char *path, keypair *kp, int need_secret, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char line[256];
	int lineno = 0, rc = 0;
	struct stat st;

	memset(kp, 0, sizeof(*kp));
	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open (%s)", path, strerror(errno));
		return rc;
	}
	if (fstat(fileno(f), &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot stat (%s)", path, strerror(errno));
		goto out;
	}
	while (fgets(line, sizeof(line), f)) {
		char key[16], val[64];

		lineno++;
		if (line[0] == '#' || line[0] == '\n')
			continue;
		if (sscanf(line, " %15[a-z] = %63s", key, val) != 2 || strlen(val) != KEY_Z85_LEN ||
		    !keyfile_valid_z85(val)) {
			snprintf(err, errlen,
			         "%s:%d: expected 'public = <40 Z85 characters>' or "
			         "'secret = ...'",
			         path, lineno);
			rc = -EINVAL;
			goto out;
		}
		if (!strcmp(key, "public"))
			memcpy(kp->public_key, val, KEY_Z85_LEN + 1);
		else if (!strcmp(key, "secret"))
			memcpy(kp->secret_key, val, KEY_Z85_LEN + 1);
		else {
			snprintf(err, errlen, "%s:%d: unknown key '%s'", path, lineno, key);
			rc = -EINVAL;
			goto out;
		}
	}
	if (kp->secret_key[0] && (st.st_mode & (S_IRWXG | S_IRWXO))) {
		/* Whoever can read it can be the daemon or this school. */
		snprintf(err, errlen,
		         "%s: holds a secret key but group or others may read or write it (mode "
		         "%04o);"
		         " chmod 600 it",
		         path, (unsigned)(st.st_mode & 07777));
		rc = -EACCES;
		goto out;
	}
	if (need_secret && !kp->secret_key[0]) {
		snprintf(err, errlen, "%s: no secret key", path);
		rc = -EINVAL;
		goto out;
	}
	if (kp->secret_key[0]) {
		char derived[KEY_Z85_LEN + 1];

		if (zmq_curve_public(derived, kp->secret_key) != 0) {
			snprintf(err, errlen, "%s: bad secret key", path);
			rc = -EINVAL;
			goto out;
		}
		if (kp->public_key[0] && strcmp(derived, kp->public_key)) {
			snprintf(err, errlen, "%s: public key does not belong to the secret key",
			         path);
			rc = -EINVAL;
			goto out;
		}
		memcpy(kp->public_key, derived, sizeof(derived));
	}
	if (!kp->public_key[0]) {
		snprintf(err, errlen, "%s: no key", path);
		rc = -EINVAL;
	}
out:
	fclose(f);
	return rc;
}
