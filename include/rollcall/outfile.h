/* Report files under the output root: written atomically (temporary name in the same folder,
 * fsync, rename, fsync of the folder), readable only by the owner and the service's group
 * (files 0640, folders 0750), so a reader never sees half a file. */
#ifndef ROLLCALL_OUTFILE_H
#define ROLLCALL_OUTFILE_H

#include <stdio.h>

/* Writes the file root/relpath by calling write_fn with a stream to the temporary file; the file
 * appears only when write_fn returns 0 and everything reached the disk. Missing folders are
 * made. Returns 0, or a negative errno with the path and reason in err (nothing is left behind).
 */
int outfile_write(const char *root, const char *relpath, int (*write_fn)(void *user, FILE *f),
                  void *user, char *err, size_t errlen) __attribute__((warn_unused_result));

#endif
