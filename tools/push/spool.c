/* The spool on disk: the school's locked folder, run folders with manifests, batch files written
 * with one write() each and made durable together (syncfs) before the run is marked complete. */
#include "spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "rollcall/rollcall.pb-c.h"
#include "rollcall/wire.h"

struct spool {
	char path[PATH_MAX];
	int lock_fd;
};

#define MANIFEST     "manifest"
#define MANIFEST_TMP "manifest.tmp"
#define BATCH_TMP    "batch.tmp" /* a batch file being written; renamed when whole */
#define ACKS_LOG     "acks.log"

static int path_fmt(char *out, size_t outlen, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

static int path_fmt(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= outlen ? -ENAMETOOLONG : 0;
}

static int mkdir_one(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == 0 || errno == EEXIST)
		return 0;
	return -errno;
}

int spool_open(const char *base, uint32_t urn, spool **out, char *err, size_t errlen)
{
	spool *sp = calloc(1, sizeof(*sp));
	char lock[PATH_MAX];
	int rc;

	*out = NULL;
	if (!sp)
		return -ENOMEM;
	sp->lock_fd = -1;
	rc = path_fmt(sp->path, sizeof(sp->path), "%s/%u", base, urn);
	if (rc == 0)
		rc = path_fmt(lock, sizeof(lock), "%s/lock", sp->path);
	if (rc < 0) {
		snprintf(err, errlen, "spool: %s: path too long", base);
		goto out;
	}
	/* The base folder may be shared by several schools' pushes; each school's is private. */
	rc = mkdir_one(base, 0750);
	if (rc == 0)
		rc = mkdir_one(sp->path, 0700);
	if (rc < 0) {
		snprintf(err, errlen, "spool: cannot create %s (%s)", sp->path, strerror(-rc));
		goto out;
	}
	sp->lock_fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (sp->lock_fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "spool: cannot open %s (%s)", lock, strerror(errno));
		goto out;
	}
	if (flock(sp->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		rc = errno == EWOULDBLOCK ? -EWOULDBLOCK : -errno;
		snprintf(err, errlen, "spool: cannot lock %s (%s)", lock, strerror(errno));
		goto out;
	}
	*out = sp;
	sp = NULL;
out:
	spool_close(&sp);
	return rc;
}

void spool_close(spool **spp)
{
	spool *sp = spp ? *spp : NULL;

	if (!sp)
		return;
	if (sp->lock_fd >= 0)
		close(sp->lock_fd);
	free(sp);
	*spp = NULL;
}

const char *spool_path(const spool *sp)
{
	return sp->path;
}

/* ---- manifests ---------------------------------------------------------------------------- */

static int manifest_parse(spool_manifest *m, char *text)
{
	int seen = 0;

	memset(m, 0, sizeof(*m));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char *eq = strchr(line, '=');
		const char *val;

		if (!eq)
			continue;
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(line, "export")) {
			snprintf(m->export_path, sizeof(m->export_path), "%s", val);
			seen |= 1;
		} else if (!strcmp(line, "signature")) {
			snprintf(m->signature, sizeof(m->signature), "%s", val);
			seen |= 2;
		} else if (!strcmp(line, "source")) {
			snprintf(m->source, sizeof(m->source), "%s", val);
			seen |= 4;
		} else if (!strcmp(line, "complete")) {
			m->complete = !strcmp(val, "1");
			seen |= 8;
		}
	}
	return seen == 15 ? 0 : -EBADMSG;
}

static int manifest_load(spool_run *r)
{
	char path[PATH_MAX], *text = NULL;
	struct stat st;
	int fd = -1, rc;
	ssize_t n;

	rc = path_fmt(path, sizeof(path), "%s/" MANIFEST, r->path);
	if (rc < 0)
		goto out;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (st.st_size > 16 * 1024) {
		rc = -EFBIG;
		goto out;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		rc = -ENOMEM;
		goto out;
	}
	n = read(fd, text, (size_t)st.st_size);
	if (n != st.st_size) {
		rc = -EIO;
		goto out;
	}
	text[n] = '\0';
	rc = manifest_parse(&r->m, text);
out:
	r->has_manifest = rc == 0;
	if (rc < 0)
		memset(&r->m, 0, sizeof(r->m));
	free(text);
	if (fd >= 0)
		close(fd);
	return rc;
}

static int fsync_dir(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int manifest_store(const spool_run *r, char *err, size_t errlen)
{
	char tmp[PATH_MAX], final[PATH_MAX], text[PATH_MAX + SPOOL_SIG_MAX + SPOOL_SOURCE_MAX + 64];
	const spool_manifest *m = &r->m;
	int fd = -1, rc, n;

	if (strchr(m->export_path, '\n') || strchr(m->signature, '\n') || strchr(m->source, '\n')) {
		snprintf(err, errlen, "spool: the export path holds a line break");
		return -EINVAL;
	}
	rc = path_fmt(tmp, sizeof(tmp), "%s/" MANIFEST_TMP, r->path);
	if (rc == 0)
		rc = path_fmt(final, sizeof(final), "%s/" MANIFEST, r->path);
	if (rc < 0) {
		snprintf(err, errlen, "spool: %s: path too long", r->path);
		return rc;
	}
	n = snprintf(text, sizeof(text), "export=%s\nsignature=%s\nsource=%s\ncomplete=%d\n",
	             m->export_path, m->signature, m->source, m->complete ? 1 : 0);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, (size_t)n) != n || fsync(fd) < 0) {
		rc = errno ? -errno : -EIO;
		goto fail;
	}
	if (close(fd) < 0) {
		fd = -1;
		rc = -errno;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, final) < 0) {
		rc = -errno;
		goto fail;
	}
	rc = fsync_dir(r->path);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "spool: cannot write %s (%s)", final, strerror(-rc));
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- runs --------------------------------------------------------------------------------- */

static spool_run *run_new(const char *dir, const char *name)
{
	spool_run *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->acks_fd = -1;
	if (strlen(name) >= sizeof(r->name) ||
	    path_fmt(r->path, sizeof(r->path), "%s/%s", dir, name) < 0) {
		free(r);
		return NULL;
	}
	memcpy(r->name, name, strlen(name) + 1);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Names of the entries of dir that start with prefix, sorted. */
static int list_names(const char *dir, const char *prefix, char ***names, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t cnt = 0, cap = 0;
	int rc = 0;

	*names = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		if (cnt == cap) {
			size_t nc = cap ? cap * 2 : 16;
			char **nv = realloc(v, nc * sizeof(*v));
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			v = nv;
			cap = nc;
		}
		v[cnt] = strdup(e->d_name);
		if (!v[cnt]) {
			rc = -ENOMEM;
			break;
		}
		cnt++;
	}
	closedir(d);
	if (rc < 0) {
		for (size_t i = 0; i < cnt; i++)
			free(v[i]);
		free(v);
		return rc;
	}
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_str);
	*names = v;
	*n = cnt;
	return 0;
}

static void names_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

int spool_runs(spool *sp, spool_run ***out, size_t *nout, char *err, size_t errlen)
{
	char **names = NULL;
	size_t n = 0, k = 0;
	spool_run **runs = NULL;
	int rc;

	*out = NULL;
	*nout = 0;
	rc = list_names(sp->path, "run-", &names, &n);
	if (rc < 0) {
		snprintf(err, errlen, "spool: cannot list %s (%s)", sp->path, strerror(-rc));
		return rc;
	}
	runs = calloc(n ? n : 1, sizeof(*runs));
	if (!runs) {
		rc = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		spool_run *r = run_new(sp->path, names[i]);

		if (!r) {
			rc = -ENOMEM;
			goto out;
		}
		if (stat(r->path, &st) < 0 || !S_ISDIR(st.st_mode)) {
			spool_run_destroy(&r);
			continue;
		}
		(void)manifest_load(r); /* absent or torn: treated as an incomplete run */
		runs[k++] = r;
	}
	*out = runs;
	*nout = k;
	runs = NULL;
out:
	if (rc < 0)
		snprintf(err, errlen, "spool: out of memory listing %s", sp->path);
	spool_runs_free(&runs, k);
	names_free(names, n);
	return rc;
}

void spool_runs_free(spool_run ***runs, size_t n)
{
	if (!runs || !*runs)
		return;
	for (size_t i = 0; i < n; i++)
		spool_run_destroy(&(*runs)[i]);
	free(*runs);
	*runs = NULL;
}

/* Parses "p<phase>-<8 digits>.pb" exactly. */
static int parse_file_name(const char *name, spool_file *f)
{
	uint32_t seq = 0;

	if (strlen(name) != 14 || name[0] != 'p' || (name[1] != '0' && name[1] != '1') ||
	    name[2] != '-' || strcmp(name + 11, ".pb") != 0)
		return -EINVAL;
	for (int i = 3; i < 11; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -EINVAL;
		seq = seq * 10 + (uint32_t)(name[i] - '0');
	}
	f->phase = name[1] - '0';
	f->seq = seq;
	return 0;
}

int spool_run_pending(const spool_run *r, spool_file **files, size_t *nfiles, char *err,
                      size_t errlen)
{
	char **names = NULL;
	size_t n = 0, k = 0;
	spool_file *v;
	int rc;

	*files = NULL;
	*nfiles = 0;
	rc = list_names(r->path, "p", &names, &n);
	if (rc < 0) {
		snprintf(err, errlen, "spool: cannot list %s (%s)", r->path, strerror(-rc));
		return rc;
	}
	v = calloc(n ? n : 1, sizeof(*v));
	if (!v) {
		names_free(names, n);
		snprintf(err, errlen, "spool: out of memory");
		return -ENOMEM;
	}
	/* Sorted names are sorted by phase, then seq: the digits have a fixed width. */
	for (size_t i = 0; i < n; i++)
		if (parse_file_name(names[i], &v[k]) == 0)
			k++;
	names_free(names, n);
	*files = v;
	*nfiles = k;
	return 0;
}

int spool_run_create(spool *sp, const spool_manifest *m, spool_run **out, char *err, size_t errlen)
{
	char name[SPOOL_NAME_MAX], stamp[32];
	struct timeval tv;
	struct tm tm;
	spool_run *r;
	int rc;

	*out = NULL;
	gettimeofday(&tv, NULL);
	gmtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%S", &tm);
	snprintf(name, sizeof(name), "run-%s.%06ldZ-%ld", stamp, (long)tv.tv_usec, (long)getpid());
	r = run_new(sp->path, name);
	if (!r) {
		snprintf(err, errlen, "spool: out of memory");
		return -ENOMEM;
	}
	if (mkdir(r->path, 0700) < 0) {
		rc = -errno;
		snprintf(err, errlen, "spool: cannot create %s (%s)", r->path, strerror(errno));
		goto fail;
	}
	r->m = *m;
	r->m.complete = 0;
	r->has_manifest = true;
	rc = manifest_store(r, err, errlen);
	if (rc < 0)
		goto fail;
	*out = r;
	return 0;
fail:
	spool_run_destroy(&r);
	return rc;
}

void spool_run_destroy(spool_run **rp)
{
	spool_run *r = rp ? *rp : NULL;

	if (!r)
		return;
	if (r->acks_fd >= 0)
		close(r->acks_fd);
	free(r);
	*rp = NULL;
}

int spool_run_finish(spool_run *r, char *err, size_t errlen)
{
	int fd = open(r->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC), rc = 0;

	if (fd < 0 || syncfs(fd) < 0 || fsync(fd) < 0) {
		rc = -errno;
		snprintf(err, errlen, "spool: cannot sync %s (%s)", r->path, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		return rc;
	r->m.complete = 1;
	rc = manifest_store(r, err, errlen);
	if (rc < 0)
		r->m.complete = 0;
	return rc;
}

/* ---- batch files -------------------------------------------------------------------------- */

void spool_file_name(int phase, uint32_t seq, char *out, size_t outlen)
{
	snprintf(out, outlen, "p%d-%08u.pb", phase, seq);
}

void spool_batch_id(const spool_run *r, int phase, uint32_t seq, char *out, size_t outlen)
{
	snprintf(out, outlen, "%s-%d-%08u", r->name, phase, seq);
}

static int batch_path(const spool_run *r, int phase, uint32_t seq, const char *suffix, char *out,
                      size_t outlen)
{
	char name[32];

	spool_file_name(phase, seq, name, sizeof(name));
	return path_fmt(out, outlen, "%s/%s%s", r->path, name, suffix);
}

int spool_batch_write(const spool_run *r, int phase, uint32_t seq, const void *data, size_t len,
                      char *err, size_t errlen)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int fd = -1, rc;
	ssize_t n;

	/* Written under a temporary name and renamed: a push killed while writing leaves no
	 * torn batch file behind (spool_run_finish makes the names and contents durable). */
	rc = batch_path(r, phase, seq, "", path, sizeof(path));
	if (rc == 0)
		rc = path_fmt(tmp, sizeof(tmp), "%s/" BATCH_TMP, r->path);
	if (rc < 0) {
		snprintf(err, errlen, "spool: %s: path too long", r->path);
		return rc;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = -errno;
		goto out;
	}
	n = write(fd, data, len);
	if (n < 0)
		rc = -errno;
	else if ((size_t)n != len)
		rc = -ENOSPC; /* a regular file takes all of it unless the disk is full */
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
out:
	if (rc < 0)
		snprintf(err, errlen, "spool: cannot write %s (%s)", path, strerror(-rc));
	return rc;
}

int spool_batch_read(const spool_run *r, int phase, uint32_t seq, uint8_t **data, size_t *len,
                     char *err, size_t errlen)
{
	char path[PATH_MAX];
	uint8_t *buf = NULL;
	struct stat st;
	int fd = -1, rc;
	ssize_t n;

	*data = NULL;
	*len = 0;
	rc = batch_path(r, phase, seq, "", path, sizeof(path));
	if (rc < 0) {
		snprintf(err, errlen, "spool: %s: path too long", r->path);
		return rc;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		rc = -errno;
		goto out;
	}
	if (st.st_size > 64 * 1024 * 1024) {
		rc = -EFBIG;
		goto out;
	}
	buf = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!buf) {
		rc = -ENOMEM;
		goto out;
	}
	n = read(fd, buf, (size_t)st.st_size);
	if (n != st.st_size) {
		rc = n < 0 ? -errno : -EIO;
		goto out;
	}
	*data = buf;
	*len = (size_t)n;
	buf = NULL;
out:
	if (rc < 0)
		snprintf(err, errlen, "spool: cannot read %s (%s)", path, strerror(-rc));
	free(buf);
	if (fd >= 0)
		close(fd);
	return rc;
}

int spool_batch_remove(const spool_run *r, int phase, uint32_t seq)
{
	char path[PATH_MAX];
	int rc = batch_path(r, phase, seq, "", path, sizeof(path));

	if (rc < 0)
		return rc;
	if (unlink(path) < 0 && errno != ENOENT)
		return -errno;
	return 0;
}

int spool_batch_set_aside(const spool_run *r, int phase, uint32_t seq, const char *suffix)
{
	char from[PATH_MAX], to[PATH_MAX], dot[32];
	int rc;

	snprintf(dot, sizeof(dot), ".%s", suffix);
	rc = batch_path(r, phase, seq, "", from, sizeof(from));
	if (rc == 0)
		rc = batch_path(r, phase, seq, dot, to, sizeof(to));
	if (rc < 0)
		return rc;
	return rename(from, to) < 0 ? -errno : 0;
}

int spool_ack_append(spool_run *r, const char *text, size_t len)
{
	if (r->acks_fd < 0) {
		char path[PATH_MAX];

		if (path_fmt(path, sizeof(path), "%s/" ACKS_LOG, r->path) < 0)
			return -ENAMETOOLONG;
		r->acks_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (r->acks_fd < 0)
			return -errno;
	}
	while (len > 0) {
		ssize_t n = write(r->acks_fd, text, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		text += n;
		len -= (size_t)n;
	}
	return 0;
}

int spool_batch_inspect(const spool_run *r, int phase, uint32_t seq, const uint8_t *data,
                        size_t len, batch_counts *c)
{
	Rollcall__Batch *b = rollcall__batch__unpack(NULL, len, data);
	char id[SPOOL_NAME_MAX + 16];

	memset(c, 0, sizeof(*c));
	if (!b)
		return -EBADMSG;
	/* An empty file decodes too (every field absent): the header must be this batch's. */
	spool_batch_id(r, phase, seq, id, sizeof(id));
	if (!b->has_version || b->version != WIRE_VERSION || !b->batch_id ||
	    strcmp(b->batch_id, id) != 0) {
		rollcall__batch__free_unpacked(b, NULL);
		return -EBADMSG;
	}
	c->pupils = (uint32_t)b->n_pupils;
	c->contacts = (uint32_t)b->n_contacts;
	c->marks = (uint32_t)b->n_marks;
	c->sessions = (uint32_t)b->n_sessions;
	rollcall__batch__free_unpacked(b, NULL);
	return 0;
}

/* ---- export signature --------------------------------------------------------------------- */

static int sig_add(char *out, size_t outlen, size_t *at, const char *path, const char *label)
{
	struct stat st;
	int n;

	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			return -errno;
		n = snprintf(out + *at, outlen - *at, "%s%s:-", *at ? ";" : "", label);
	} else {
		n = snprintf(out + *at, outlen - *at, "%s%s:%lld:%lld.%09ld", *at ? ";" : "", label,
		             (long long)st.st_size, (long long)st.st_mtim.tv_sec,
		             st.st_mtim.tv_nsec);
	}
	if (n < 0 || (size_t)n >= outlen - *at)
		return -ENAMETOOLONG;
	*at += (size_t)n;
	return 0;
}

int spool_signature(const char *export_path, bool is_dir, char *out, size_t outlen, char *err,
                    size_t errlen)
{
	static const char *const files[] = {"calendar.csv", "pupils.csv", "contacts.csv",
	                                    "marks.csv"};
	char path[PATH_MAX];
	size_t at = 0;
	int rc = 0;

	if (outlen)
		out[0] = '\0';
	if (!is_dir) {
		const char *slash = strrchr(export_path, '/');
		rc = sig_add(out, outlen, &at, export_path, slash ? slash + 1 : export_path);
	}
	for (size_t i = 0; is_dir && rc == 0 && i < sizeof(files) / sizeof(files[0]); i++) {
		rc = path_fmt(path, sizeof(path), "%s/%s", export_path, files[i]);
		if (rc == 0)
			rc = sig_add(out, outlen, &at, path, files[i]);
	}
	if (rc < 0)
		snprintf(err, errlen, "%s: cannot stat the export (%s)", export_path,
		         strerror(-rc));
	return rc;
}

/* ---- whole-spool views -------------------------------------------------------------------- */

size_t spool_count_pending(spool *sp)
{
	spool_run **runs = NULL;
	size_t n = 0, total = 0;
	char err[256];

	if (spool_runs(sp, &runs, &n, err, sizeof(err)) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		spool_file *f = NULL;
		size_t k = 0;

		if (spool_run_pending(runs[i], &f, &k, err, sizeof(err)) == 0)
			total += k;
		free(f);
	}
	spool_runs_free(&runs, n);
	return total;
}

bool spool_run_has_set_aside(const spool_run *r)
{
	DIR *d = opendir(r->path);
	struct dirent *e;
	bool found = false;

	if (!d)
		return true; /* unreadable: do not take it for delivered */
	while (!found && (e = readdir(d))) {
		const char *dot = e->d_name[0] == 'p' ? strrchr(e->d_name, '.') : NULL;

		found = dot && (!strcmp(dot, ".refused") || !strcmp(dot, ".corrupt"));
	}
	closedir(d);
	return found;
}

/* Whether a run folder holds only its manifest and acks.log. */
static bool run_is_spent(const spool_run *r)
{
	DIR *d = opendir(r->path);
	struct dirent *e;
	bool spent = true;

	if (!d)
		return false;
	while (spent && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (strcmp(e->d_name, MANIFEST) && strcmp(e->d_name, ACKS_LOG) &&
		    strcmp(e->d_name, MANIFEST_TMP) && strcmp(e->d_name, BATCH_TMP))
			spent = false;
	}
	closedir(d);
	return spent;
}

static int remove_run(const spool_run *r)
{
	static const char *const names[] = {MANIFEST, MANIFEST_TMP, ACKS_LOG, BATCH_TMP};
	char path[PATH_MAX];

	/* The manifest goes last: a half-removed run still reads as a spent run. */
	for (size_t i = sizeof(names) / sizeof(names[0]); i-- > 0;) {
		if (path_fmt(path, sizeof(path), "%s/%s", r->path, names[i]) < 0)
			return -ENAMETOOLONG;
		if (unlink(path) < 0 && errno != ENOENT)
			return -errno;
	}
	return rmdir(r->path) < 0 ? -errno : 0;
}

size_t spool_prune(spool *sp, size_t keep, const char *spare)
{
	spool_run **runs = NULL;
	size_t n = 0, removed = 0, kept = 0;
	char err[256];

	if (spool_runs(sp, &runs, &n, err, sizeof(err)) < 0)
		return 0;
	for (size_t i = n; i-- > 0;) {
		if ((spare && !strcmp(runs[i]->name, spare)) || !run_is_spent(runs[i]))
			continue;
		if (kept < keep) {
			kept++;
			continue;
		}
		if (remove_run(runs[i]) == 0)
			removed++;
	}
	spool_runs_free(&runs, n);
	return removed;
}
