/* fileio.h - what an output path names, for the writer (fileio.c) and for
 * the check made before two outputs are written as a pair (cli_common.c).
 */
#ifndef HP_FILEIO_H
#define HP_FILEIO_H

#include <sys/stat.h>

#include "hetplan.h"

typedef enum {
  HP_OUT_FD,      /* /dev/stdout, /dev/fd/N: the open descriptor fd */
  HP_OUT_THROUGH, /* an existing FIFO, device or socket: written through */
  HP_OUT_REPLACE, /* an existing regular file: replaced atomically */
  HP_OUT_NEW      /* nothing there yet: created atomically */
} hp_out_kind;

typedef struct hp_out_target {
  hp_out_kind kind;
  int fd;           /* HP_OUT_FD */
  const char *path; /* where to write: the path, or the file a symbolic
                       link names (then owned, in resolved) */
  char *resolved;   /* realpath's result (malloc'd), or NULL */
  struct stat st;   /* HP_OUT_THROUGH, HP_OUT_REPLACE: the target's stat */
} hp_out_target;

/* Classifies path. HP_OK, or HP_EINVAL (empty name) or HP_EIO with a
 * message naming the path: a directory, a dangling symbolic link, a
 * descriptor that is not open, a stat that failed. */
int hp_fileio_target(const char *path, hp_out_target *t, hp_diag *d);
void hp_fileio_target_cleanup(hp_out_target *t);

/* Output written as it is made, to the targets hp_write_file_atomic
 * knows, with the same guarantee: a replaced or new file appears whole at
 * close(commit = 1), and nothing of it with commit = 0 or on an error.
 * Fatal signals are held back from open to close when a temporary file
 * exists. open sets *out only on success; close frees s (NULL-safe) and
 * returns the commit's error. Writes and close name the path in d. */
typedef struct hp_out_stream hp_out_stream;
int hp_fileio_stream_open(const char *path, hp_out_stream **out, hp_diag *d);
int hp_fileio_stream_write(hp_out_stream *s, const char *data, size_t len,
                           hp_diag *d);
int hp_fileio_stream_close(hp_out_stream *s, int commit, hp_diag *d);

#endif
