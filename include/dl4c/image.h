/* Images: PNG, JPEG, PGM/PPM/PAM and BMP decoding into float tensors,
 * resizing, cropping, training-time augmentation, folders of images with
 * the label taken from the parent folder, and a streaming iterator over
 * image files.
 *
 *   dl4c_tensor *img = NULL;                  // [H, W, C], values 0..255
 *   dl4c_image_info info;
 *   if (dl4c_image_load("cat.jpg", 3, &img, &info) != DL4C_OK) ...
 *   dl4c_tensor *small = NULL;
 *   dl4c_image_resize(img, 224, 224, DL4C_RESIZE_AREA, &small);
 *
 *   dl4c_image_options o = dl4c_image_options_default();
 *   o.channels = 1;
 *   o.height = o.width = 28;                 // resize everything to 28x28
 *   dl4c_dataset *ds = NULL;                 // train/hotdog/1.jpg -> "hotdog"
 *   dl4c_image_folder_load("train", &o, &ds);
 *
 * Pixels are NHWC (a single image [H, W, C]) float32 holding the stored
 * sample values: 0..255 for 8-bit images; 16-bit images keep 0..65535
 * from dl4c_image_load and are scaled to 0..255 by the loaders that build
 * datasets (so DL4C_NORM_IMAGE fits every image). Channels: 1 gray,
 * 2 gray + alpha, 3 RGB, 4 RGBA.
 */
#ifndef DL4C_IMAGE_H
#define DL4C_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dl4c/data.h"
#include "dl4c/rng.h"
#include "dl4c/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum dl4c_image_format {
    DL4C_IMAGE_PNG = 0,
    DL4C_IMAGE_JPEG,
    DL4C_IMAGE_PNM, /* PBM, PGM, PPM (P1-P6) and PAM (P7) */
    DL4C_IMAGE_BMP,
    DL4C_IMAGE_FORMAT_COUNT
} dl4c_image_format;

/* "png", "jpeg", "pnm", "bmp"; "invalid" when out of range. */
DL4C_API const char *dl4c_image_format_name(dl4c_image_format f);

typedef struct dl4c_image_info {
    dl4c_image_format format;
    int64_t width, height;
    int channels;  /* as stored: 1, 2, 3 or 4 (palettes count as RGB(A)) */
    int bit_depth; /* 8 or 16 (1..7-bit samples are widened to 8) */
} dl4c_image_info;

/* Largest image accepted: each side at most 1 << 20 pixels and at most
 * 1 << 28 pixels in all. Larger dims are reported as a format error
 * before any pixel memory is taken. */
#define DL4C_IMAGE_MAX_SIDE (1 << 20)
#define DL4C_IMAGE_MAX_PIXELS (1 << 28)

/* Decodes an image held in memory. The format is told by the first bytes
 * (not the name). `channels` is 0 to keep the stored channels, or 1, 2, 3
 * or 4 to convert (RGB to gray as ITU-R 601 luma, L = 0.299 R + 0.587 G +
 * 0.114 B, rounded as PIL rounds it; gray to RGB by copying; a missing
 * alpha is opaque). *out is float32 [H, W, C] of stored sample values;
 * `info` (may be NULL) gets the stored properties. `name` (may be NULL)
 * prefixes messages. DL4C_FORMAT for an unknown format, a truncated or
 * corrupt file (JPEG warnings about corrupt data count as errors), or
 * dims beyond DL4C_IMAGE_MAX_*; DL4C_UNSUPPORTED for valid files dl4c does
 * not read (BMP RLE compression, arithmetic-coded JPEG, ...);
 * DL4C_INVALID_ARG for a bad `channels`. Thread-safe. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_image_decode(const void *data, size_t size, const char *name, int channels,
                  dl4c_tensor **out, dl4c_image_info *info);
/* dl4c_image_decode of a file; DL4C_IO when it cannot be read. Messages
 * start with the path. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_load(const char *path,
                                                    int channels,
                                                    dl4c_tensor **out,
                                                    dl4c_image_info *info);
/* Reads only the header: format, size, channels and depth. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_probe(const char *path,
                                                     dl4c_image_info *info);

/* Writes img (float32 [H, W, C], C = 1..4) as binary PGM (1 channel), PPM
 * (3) or PAM (2, 4) with 8- or 16-bit samples (`bit_depth`), rounding and
 * clamping each value to 0..255 or 0..65535. The file is written
 * atomically. DL4C_SHAPE for another shape, DL4C_INVALID_ARG for a depth
 * other than 8 or 16. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_save_pnm(const char *path,
                                                        const dl4c_tensor *img,
                                                        int bit_depth);

/* ---- geometry ------------------------------------------------------- */

typedef enum dl4c_resize_mode {
    /* Linear interpolation between the 4 nearest source pixels, with
     * pixel centers at half-integer coordinates (OpenCV INTER_LINEAR,
     * TensorFlow's half_pixel_centers). */
    DL4C_RESIZE_BILINEAR = 0,
    /* Each output pixel is the mean of the source area it covers,
     * partial pixels weighted by their covered fraction (OpenCV
     * INTER_AREA). For downscaling: no aliasing. Upscaling falls back to
     * bilinear. */
    DL4C_RESIZE_AREA,
    DL4C_RESIZE_NEAREST,
    DL4C_RESIZE_COUNT
} dl4c_resize_mode;

/* "bilinear", "area", "nearest" to a mode; DL4C_INVALID_ARG otherwise. */
DL4C_API DL4C_NODISCARD dl4c_status
dl4c_resize_mode_parse(const char *name, dl4c_resize_mode *out);
DL4C_API const char *dl4c_resize_mode_name(dl4c_resize_mode mode);

/* Resizes an image [H, W, C] or a batch [N, H, W, C] (float32) to
 * height x width into a new tensor. DL4C_SHAPE for another rank,
 * DL4C_INVALID_ARG for a size outside 1..DL4C_IMAGE_MAX_SIDE or a bad
 * mode. Thread-safe. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_resize(const dl4c_tensor *src,
                                                      int64_t height,
                                                      int64_t width,
                                                      dl4c_resize_mode mode,
                                                      dl4c_tensor **out);
/* The height x width window at (top, left) of an image [H, W, C] or batch
 * [N, H, W, C], copied. DL4C_SHAPE when it does not lie inside. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_crop(const dl4c_tensor *src,
                                                    int64_t top, int64_t left,
                                                    int64_t height,
                                                    int64_t width,
                                                    dl4c_tensor **out);
/* The centered height x width window (rounding the offsets down). */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_center_crop(
    const dl4c_tensor *src, int64_t height, int64_t width, dl4c_tensor **out);

/* ---- augmentation ----------------------------------------------------- */

/* Random changes made to each training image, drawn from a seeded
 * generator: the same seed gives the same changes. Zero fields do
 * nothing. */
typedef struct dl4c_augment {
    double flip_horizontal; /* probability of a left-right mirror */
    double flip_vertical;   /* probability of an upside-down mirror */
    double max_rotation;    /* degrees: rotate by a uniform angle in
                               [-max, max] about the center (bilinear,
                               edges replicated); at most 180 */
    int64_t crop_height;    /* > 0: a random crop_height x crop_width */
    int64_t crop_width;     /* window (both or neither set) */
} dl4c_augment;

/* Parses "hflip,vflip,rotate=10,crop=24x24" (any subset; "hflip" alone
 * means probability 0.5, "hflip=0.3" sets it). DL4C_INVALID_ARG naming
 * the bad item. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_augment_parse(const char *text,
                                                       dl4c_augment *out);

/* Applies `a` to one image src [H, W, C] into dst ([crop_h, crop_w, C]
 * when cropping, else [H, W, C]), drawing from `rng`. src and dst must
 * not overlap. DL4C_SHAPE when the shapes do not fit or the crop is
 * larger than the image. Never allocates. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_augment(const dl4c_augment *a,
                                                       dl4c_rng *rng,
                                                       const dl4c_tensor *src,
                                                       dl4c_tensor *dst);

/* An iterator applying `a` to the features [N, H, W, C] of every batch of
 * `inner` (which it takes over, also on failure, and frees with itself).
 * Each epoch draws from a generator seeded with `seed`, so runs repeat
 * exactly and a saved state resumes exactly. The normalizer set on the
 * returned iterator applies after augmentation; `inner` should have none.
 * The first batch sizes the buffer (the only allocation); dl4c_iterator_next
 * fails with DL4C_SHAPE when the features are not images [N, H, W, C] or
 * are smaller than the crop. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_iterator_augment(dl4c_iterator *inner,
                                                          const dl4c_augment *a,
                                                          uint64_t seed,
                                                          dl4c_iterator **out);

/* ---- folders of images -------------------------------------------------- */

typedef struct dl4c_image_options {
    int channels;          /* 0: those of the first image; else 1..4 */
    int64_t height, width; /* 0: keep the size (every image must then have
                              the first image's size); else resize */
    dl4c_resize_mode resize;
    bool center_crop; /* crop to the target aspect ratio before resizing */
} dl4c_image_options;

/* channels 0, no resize, DL4C_RESIZE_BILINEAR (area when shrinking by
 * more than 2x would be better: set it), no crop. */
DL4C_API dl4c_image_options dl4c_image_options_default(void);

/* Loads every image below `dir` (PNG, JPEG, PGM/PPM/PAM, BMP by file
 * extension, case-insensitive; other files are ignored), the label of
 * each being the name of its parent folder (dir/cat/1.png -> "cat").
 * Classes are numbered in sorted (strcmp) order and named; files are
 * taken in sorted path order. Features are [N, H, W, C]. Images
 * directly in `dir` (no class folder) give an unlabeled dataset when all
 * are like that. Errors name the file: a corrupt image, an image whose
 * size differs from the first one's when no size is set ("a.png: 30x32
 * image, expected 28x28 (as b.png); set a height and width to resize"),
 * or no image at all (DL4C_FORMAT). DL4C_IO when `dir` cannot be read. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_folder_load(
    const char *dir, const dl4c_image_options *o, dl4c_dataset **out);

/* True when `path` ends in an image extension dl4c reads (.png, .jpg,
 * .jpeg, .pgm, .ppm, .pbm, .pnm, .pam, .bmp; case-insensitive). */
DL4C_API bool dl4c_image_path_supported(const char *path);

/* The image files at `path`: the file itself when it has an image
 * extension, or every image file below a folder (as
 * dl4c_image_folder_load finds them), as full paths in sorted order, in a
 * new array (free with dl4c_image_list_free). *n is 0 when there are none
 * (a CSV file, a folder of IDX files). DL4C_IO when `path` cannot be
 * read. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_list(const char *path,
                                                    char ***paths, int64_t *n);
DL4C_API void dl4c_image_list_free(char **paths, int64_t n);

/* ---- streaming from files ------------------------------------------------ */

/* An iterator that decodes image files batch by batch instead of holding
 * the dataset in memory: paths[i] with class labels[i] (0..num_classes-1;
 * labels may be NULL for unlabeled data), each image brought to height x
 * width x channels (o->height/width/channels must all be set). Paths and
 * labels are copied. Shuffling as dl4c_iterator_create. A file that
 * fails to decode fails the batch with its path named. Combine with
 * dl4c_iterator_prefetch so decoding overlaps training. */
DL4C_API DL4C_NODISCARD dl4c_status dl4c_image_iterator_create(
    const char *const *paths, const int *labels, int64_t n, int num_classes,
    const dl4c_image_options *o, int64_t batch_size, bool shuffle,
    uint64_t seed, dl4c_iterator **out);

#ifdef __cplusplus
}
#endif
#endif
