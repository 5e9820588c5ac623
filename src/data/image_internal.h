/* Decoded images before they become float tensors: interleaved 8- or
 * 16-bit samples in host order. Each format's decoder fills one of these
 * from bytes in memory; image.c picks the decoder by magic, converts
 * channels and makes the tensor. Decoder messages carry no file name
 * (callers prefix it). */
#ifndef DL4C_IMAGE_INTERNAL_H
#define DL4C_IMAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/image.h"

typedef struct dl4c_raw_image {
    int64_t width, height;
    int channels; /* 1..4 */
    int depth;    /* 8 or 16 */
    void *pixels; /* uint8_t or uint16_t samples, rows top to bottom;
                     dl4c_malloc'd, NULL after a failed decode */
} dl4c_raw_image;

void dl4c_raw_image_free(dl4c_raw_image *img);

/* DL4C_FORMAT "absurd image size WxH" unless both dims are positive and
 * within DL4C_IMAGE_MAX_*. */
dl4c_status dl4c_image_check_size(int64_t width, int64_t height);

/* Checks dims against DL4C_IMAGE_MAX_* and allocates the pixels
 * (uninitialized). DL4C_FORMAT "absurd size" / DL4C_NOMEM. */
dl4c_status dl4c_raw_image_alloc(dl4c_raw_image *img, int64_t width,
                                 int64_t height, int channels, int depth);

/* The decoders. `header_only` fills the dims without decoding pixels. */
dl4c_status dl4c_png_decode(const unsigned char *data, size_t size,
                            bool header_only, dl4c_raw_image *out);
dl4c_status dl4c_jpeg_decode(const unsigned char *data, size_t size,
                             bool header_only, dl4c_raw_image *out);
dl4c_status dl4c_pnm_decode(const unsigned char *data, size_t size,
                            bool header_only, dl4c_raw_image *out);
dl4c_status dl4c_bmp_decode(const unsigned char *data, size_t size,
                            bool header_only, dl4c_raw_image *out);

/* The format of a file starting with `data`, or -1 when unknown. */
int dl4c_image_sniff(const unsigned char *data, size_t size);

/* Decodes with the right decoder and converts to `channels` (0: keep).
 * Messages are prefixed with `name` when it is not NULL. */
dl4c_status dl4c_image_decode_raw(const unsigned char *data, size_t size,
                                  const char *name, int channels,
                                  dl4c_raw_image *out, dl4c_image_info *info);

/* Reads a whole file (at most `max` bytes) into memory (dl4c_free). */
dl4c_status dl4c_read_whole_file(const char *path, size_t max,
                                 unsigned char **data, size_t *size);

/* Writes raw samples as floats to dst; 16-bit samples are divided by 257
 * when `to_8bit` (0..65535 onto 0..255). */
void dl4c_raw_image_to_float(const dl4c_raw_image *img, bool to_8bit,
                             float *dst);

/* Resizes float HWC pixels (one image) into dst [oh, ow, c]. */
void dl4c_resize_hwc(const float *src, int64_t h, int64_t w, int64_t c,
                     float *dst, int64_t oh, int64_t ow, dl4c_resize_mode mode);

/* Decodes the image at `path` and brings it to height x width x channels
 * (all > 0) as floats on the 0..255 scale into dst (cap floats). With
 * o->height == 0 (no resizing) the image must already be height x width;
 * otherwise it is center-cropped when o->center_crop and resized with
 * o->resize. `ref` (may be NULL) names the image whose size was expected,
 * for the message. `info` (may be NULL) gets the stored properties. */
dl4c_status dl4c_image_load_into(const char *path, const dl4c_image_options *o,
                                 int64_t height, int64_t width, int channels,
                                 const char *ref, float *dst, int64_t cap,
                                 dl4c_image_info *info);

/* dl4c_image_load_into for n files at once, file i into dst + i * h*w*c,
 * decoded on the OpenMP threads. On failure the message is that of the
 * first failing file (in list order), as a serial loop would give. When
 * `ok` is not NULL, failures are recorded there (ok[i] false) instead and
 * the call succeeds. */
dl4c_status dl4c_image_load_many(const char *const *paths, int64_t n,
                                 const dl4c_image_options *o, int64_t height,
                                 int64_t width, int channels, const char *ref,
                                 float *dst, bool *ok);

#endif
