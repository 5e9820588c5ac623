/* Sequential byte input from a file or an open stream, gzip-compressed or
 * plain (told by the first two bytes, 1f 8b). Readers of file formats pull
 * bytes from here and never see the compression. */
#ifndef DL4C_BYTE_READER_INTERNAL_H
#define DL4C_BYTE_READER_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dl4c/status.h"

typedef struct dl4c_byte_reader dl4c_byte_reader;

/* Opens `path`; DL4C_IO (naming the path and the system's reason) when it
 * cannot be opened. */
dl4c_status dl4c_byte_reader_open(const char *path, dl4c_byte_reader **out);
/* Reads from an open stream, which is not closed at the end. */
dl4c_status dl4c_byte_reader_from_stream(FILE *stream, dl4c_byte_reader **out);
void dl4c_byte_reader_close(dl4c_byte_reader *r);

/* Reads up to n bytes into buf; *got < n only at the end of the data.
 * DL4C_IO on a read error, DL4C_FORMAT on corrupt or truncated gzip data.
 * The message has no file name: callers prefix it. */
dl4c_status dl4c_byte_reader_read(dl4c_byte_reader *r, void *buf, size_t n,
                                  size_t *got);
/* Next byte (0..255), or -1 at the end of the data; *status is set on
 * error (then -1 too). */
int dl4c_byte_reader_getc(dl4c_byte_reader *r, dl4c_status *status);

bool dl4c_byte_reader_is_gzip(const dl4c_byte_reader *r);
/* Size in bytes of the underlying regular file (compressed size for gzip),
 * or -1 when unknown (a pipe). */
int64_t dl4c_byte_reader_file_size(const dl4c_byte_reader *r);

#endif
