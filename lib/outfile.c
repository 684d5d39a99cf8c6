/* Atomic report files with restrictive permissions. */
#include "rollcall/outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p of path's folders, each 0750. */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(path, 0750) != 0 && errno != EEXIST) {
			int rc = -errno;
			*p = '/';
			return rc;
		}
		*p = '/';
	}
	return 0;
}

int outfile_write(const char *root, const char *relpath, int (*write_fn)(void *user, FILE *f),
                  void *user, char *err, size_t errlen)
{
	char path[4096], tmp[4200], dir[4096];
	FILE *f = NULL;
	int fd = -1, dfd = -1, rc;

	if (!relpath[0] || relpath[0] == '/' || strstr(relpath, "..")) {
		snprintf(err, errlen, "output: bad relative path '%s'", relpath);
		return -EINVAL;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", root, relpath) >= sizeof(path)) {
		snprintf(err, errlen, "output: path too long");
		return -ENAMETOOLONG;
	}
	rc = make_dirs(path);
	if (rc < 0) {
		snprintf(err, errlen, "output: cannot create the folders of %s (%s)", path,
		         strerror(-rc));
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		rc = -errno;
		snprintf(err, errlen, "output: cannot create %s (%s)", tmp, strerror(errno));
		goto out;
	}
	fd = -1; /* owned by f now */
	/* The umask may have cleared group read; the mode is the contract, so set it. */
	(void)fchmod(fileno(f), 0640);
	rc = write_fn(user, f);
	/* A writer says -EIO when stdio failed; flushing again tells why (a full disk: ENOSPC). */
	if (rc == -EIO && fflush(f) != 0 && errno)
		rc = -errno;
	if (rc < 0) {
		snprintf(err, errlen, "output: writing %s failed (%s)", path, strerror(-rc));
		goto out;
	}
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		rc = -errno;
		snprintf(err, errlen, "output: writing %s failed (%s)", path, strerror(errno));
		goto out;
	}
	if (fclose(f) != 0) {
		f = NULL;
		rc = -errno;
		snprintf(err, errlen, "output: writing %s failed (%s)", path, strerror(errno));
		goto out;
	}
	f = NULL;
	if (rename(tmp, path) != 0) {
		rc = -errno;
		snprintf(err, errlen, "output: cannot rename into %s (%s)", path, strerror(errno));
		goto out;
	}
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = 0;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0)
		(void)fsync(dfd);
	rc = 0;
out:
	if (f)
		fclose(f);
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	if (rc < 0)
		unlink(tmp);
	return rc;
}
