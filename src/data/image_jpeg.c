/* JPEG decoding with libjpeg-turbo, from memory.
 *
 * Layout: markers FF xx; SOI (FF D8) first, then segments (APPn, DQT,
 * DHT, SOFn with precision, height, width (u16 BE) and the components,
 * SOS followed by entropy-coded data), EOI (FF D9) last.
 *
 * libjpeg reports errors by longjmp, so the state that changes after the
 * setjmp lives in a job struct reached through a pointer. Decoding uses
 * libjpeg's defaults (accurate integer IDCT, fancy upsampling), as PIL
 * does. Warnings that mean the data is damaged (premature end of file,
 * bad Huffman code, ...) are errors: a damaged photo would otherwise come
 * out partly gray. Gray stays one channel; YCbCr and RGB become RGB; CMYK
 * and YCCK (Adobe's inverted convention) are converted to RGB. */
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <jpeglib.h>

/* after jpeglib.h: its configuration enables the arithmetic-coding codes */
#include <jerror.h>

#include "core/alloc_internal.h"
#include "core/error_internal.h"
#include "data/image_internal.h"

typedef struct jpeg_job {
    struct jpeg_error_mgr err; /* first: libjpeg's error manager */
    jmp_buf jump;
    struct jpeg_decompress_struct cinfo;
    bool created;
    bool header_only;
    int code; /* libjpeg message code of the failure */
    dl4c_raw_image *out;
    unsigned char *row; /* CMYK scratch row */
    dl4c_status status;
    char msg[JMSG_LENGTH_MAX + 64];
} jpeg_job;

static void error_exit(j_common_ptr c)
{
    jpeg_job *j = (jpeg_job *)c->err;
    j->code = c->err->msg_code;
    c->err->format_message(c, j->msg);
    longjmp(j->jump, 1);
}

static bool damaging(int code)
{
    return code == JWRN_JPEG_EOF || code == JWRN_HIT_MARKER ||
           code == JWRN_HUFF_BAD_CODE || code == JWRN_MUST_RESYNC ||
           code == JWRN_ARITH_BAD_CODE || code == JWRN_BOGUS_PROGRESSION;
}

static void emit_message(j_common_ptr c, int level)
{
    if (level >= 0 || !damaging(c->err->msg_code))
        return; /* trace messages and harmless warnings */
    error_exit(c);
}

static void cmyk_to_rgb(const unsigned char *in, unsigned char *out,
                        JDIMENSION w)
{
    /* Adobe writes inverted CMYK: stored = 255 - ink. Then R = (255 - C) *
     * (255 - K) / 255 = stored_c * stored_k / 255. */
    for (JDIMENSION x = 0; x < w; x++, in += 4, out += 3) {
        unsigned k = in[3];
        out[0] = (unsigned char)((in[0] * k + 127) / 255);
        out[1] = (unsigned char)((in[1] * k + 127) / 255);
        out[2] = (unsigned char)((in[2] * k + 127) / 255);
    }
}

/* 0: ok; 1: libjpeg error (msg, code set); 2: dl4c error (status set). */
static int decode(jpeg_job *j, const unsigned char *data, size_t size)
{
    if (setjmp(j->jump))
        return 1;
    jpeg_create_decompress(&j->cinfo);
    j->created = true;
    jpeg_mem_src(&j->cinfo, data, (unsigned long)size);
    jpeg_read_header(&j->cinfo, TRUE);
    J_COLOR_SPACE cs = j->cinfo.jpeg_color_space;
    bool cmyk = cs == JCS_CMYK || cs == JCS_YCCK;
    if (cs == JCS_GRAYSCALE)
        j->cinfo.out_color_space = JCS_GRAYSCALE;
    else if (cmyk)
        j->cinfo.out_color_space = JCS_CMYK;
    else
        j->cinfo.out_color_space = JCS_RGB;
    j->out->width = j->cinfo.image_width;
    j->out->height = j->cinfo.image_height;
    j->out->channels = cs == JCS_GRAYSCALE ? 1 : 3;
    j->out->depth = 8;
    if (j->header_only)
        return 0;
    j->status = dl4c_raw_image_alloc(j->out, j->out->width, j->out->height,
                                     j->out->channels, 8);
    if (j->status != DL4C_OK)
        return 2;
    jpeg_start_decompress(&j->cinfo);
    JDIMENSION w = j->cinfo.output_width;
    if ((int64_t)w != j->out->width ||
        (int64_t)j->cinfo.output_height != j->out->height ||
        j->cinfo.output_components != (cmyk ? 4 : j->out->channels)) {
        snprintf(j->msg, sizeof j->msg, "unexpected output layout");
        return 1;
    }
    size_t stride = (size_t)w * (size_t)j->out->channels;
    if (cmyk) {
        j->row = dl4c_malloc((size_t)w * 4);
        if (!j->row) {
            j->status = dl4c_error_set(DL4C_NOMEM, "out of memory");
            return 2;
        }
    }
    unsigned char *pix = j->out->pixels;
    while (j->cinfo.output_scanline < j->cinfo.output_height) {
        JDIMENSION y = j->cinfo.output_scanline;
        JSAMPROW row = cmyk ? j->row : pix + (size_t)y * stride;
        if (jpeg_read_scanlines(&j->cinfo, &row, 1) != 1) {
            snprintf(j->msg, sizeof j->msg, "no scanline %u", (unsigned)y);
            return 1;
        }
        if (cmyk)
            cmyk_to_rgb(j->row, pix + (size_t)y * stride, w);
    }
    jpeg_finish_decompress(&j->cinfo);
    return 0;
}

dl4c_status dl4c_jpeg_decode(const unsigned char *data, size_t size,
                             bool header_only, dl4c_raw_image *out)
{
    dl4c_status status = DL4C_OK;
    jpeg_job *j = NULL;
    memset(out, 0, sizeof *out);
    DL4C_CHECK(size >= 3 && data[0] == 0xFF && data[1] == 0xD8, DL4C_FORMAT,
               "not a JPEG file (no SOI marker)");
    j = dl4c_calloc(1, sizeof *j);
    if (!j)
        DL4C_NOMEM_FAIL();
    j->header_only = header_only;
    j->out = out;
    j->cinfo.err = jpeg_std_error(&j->err);
    j->err.error_exit = error_exit;
    j->err.emit_message = emit_message;
    switch (decode(j, data, size)) {
    case 0:
        break;
    case 1:
        if (j->code == JERR_BAD_PRECISION || j->code == JERR_NOT_COMPILED ||
            j->code == JERR_ARITH_NOTIMPL)
            status = dl4c_error_set(DL4C_UNSUPPORTED, "JPEG: %s", j->msg);
        else
            status = dl4c_error_set(DL4C_FORMAT, "corrupt JPEG: %s", j->msg);
        goto fail;
    default:
        status = j->status;
        goto fail;
    }
fail:
    if (j) {
        if (j->created)
            jpeg_destroy_decompress(&j->cinfo);
        dl4c_free(j->row);
        dl4c_free(j);
    }
    if (status != DL4C_OK)
        dl4c_raw_image_free(out);
    return status;
}
