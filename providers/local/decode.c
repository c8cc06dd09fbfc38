/*
 * Image loading and conversion (see decode.h).
 */
#include "providers/local/decode.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavutil/display.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

#include "core/mem.h"
#include "providers/local/imghdr.h"

/*
 * The largest image file read: the same 50 MB as jobs/images.h's
 * IMAGES_MAX_BYTES, past which the mount refuses writes to an image.
 */
#define MAX_FILE_BYTES (50LL << 20)

static const char *const readable = "(JPEG, PNG or WebP)";

/* Reads the whole file into a padded packet. */
static int read_file(const char *path, const char *label, AVPacket *pkt,
                     char **err)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int rc = 0;

    if (fd < 0) {
        rc = -errno;
        *err = rc == -ENOENT
                   ? xasprintf("%s: no such file in this folder", label)
                   : xasprintf("%s: cannot open: %s", label, strerror(-rc));
        return rc;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *err = xasprintf("%s is not a regular file", label);
        rc = -EINVAL;
        goto out;
    }
    if (st.st_size > MAX_FILE_BYTES) {
        *err = xasprintf("%s is larger than %lld MB, the largest image file "
                         "i2vfs takes",
                         label, MAX_FILE_BYTES >> 20);
        rc = -EFBIG;
        goto out;
    }
    if (av_new_packet(pkt, (int)st.st_size) < 0) {
        *err = xasprintf("%s: out of memory", label);
        rc = -ENOMEM;
        goto out;
    }
    for (off_t done = 0; done < st.st_size;) {
        ssize_t n = read(fd, pkt->data + done, (size_t)(st.st_size - done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            *err = xasprintf("%s: read error", label);
            rc = -EIO;
            goto out;
        }
        done += n;
    }
out:
    close(fd);
    return rc;
}

/* EXIF orientation from the frame's metadata or display matrix. */
static int frame_orientation(const AVFrame *frame)
{
    const AVDictionaryEntry *e =
        av_dict_get(frame->metadata, "Orientation", NULL, 0);
    const AVFrameSideData *sd;

    if (e) {
        int o = atoi(e->value);
        return o >= 1 && o <= 8 ? o : 1;
    }
    sd = av_frame_get_side_data(frame, AV_FRAME_DATA_DISPLAYMATRIX);
    if (sd && sd->size >= 9 * sizeof(int32_t)) {
        double cw = -av_display_rotation_get((const int32_t *)sd->data);
        long r = lround(cw / 90) * 90 % 360;
        if (r < 0) {
            r += 360;
        }
        return r == 90 ? 6 : r == 180 ? 3 : r == 270 ? 8 : 1;
    }
    return 1;
}

static enum AVCodecID codec_for(enum kb_imgtype type)
{
    switch (type) {
    case KB_IMG_JPEG:
        return AV_CODEC_ID_MJPEG;
    case KB_IMG_PNG:
        return AV_CODEC_ID_PNG;
    case KB_IMG_WEBP:
        return AV_CODEC_ID_WEBP;
    default:
        return AV_CODEC_ID_NONE;
    }
}

/*
 * The most pixels the decoder may allocate for an image whose header says
 * width × height: a little more (FFmpeg aligns rows and blocks), so that a
 * bitstream larger than its header (a WebP whose VP8X says 1×1 in front of
 * 16384×16384 pixels) is refused instead of decoded. A header without a
 * size (a JPEG cut short) leaves the renderer's limit.
 */
static int64_t max_pixels_for(int width, int height)
{
    int64_t cap = (int64_t)KB_MAX_SIDE * KB_MAX_SIDE;
    int64_t header = (int64_t)(width + 128) * (height + 128);

    return width > 0 && height > 0 && header < cap ? header : cap;
}

static int decode_packet(enum AVCodecID id, AVPacket *pkt, int64_t max_pixels,
                         const char *label, AVFrame *frame, char **err)
{
    const AVCodec *codec = avcodec_find_decoder(id);
    AVCodecContext *ctx = NULL;
    int rc = -EINVAL;

    if (!codec) {
        *err = xasprintf("%s: this FFmpeg has no decoder for it", label);
        return -EIO;
    }
    ctx = avcodec_alloc_context3(codec);
    if (!ctx) {
        *err = xasprintf("%s: out of memory", label);
        return -ENOMEM;
    }
    ctx->max_pixels = max_pixels;
    ctx->thread_count = 1;
    if (avcodec_open2(ctx, codec, NULL) < 0 ||
        avcodec_send_packet(ctx, pkt) < 0) {
        goto bad;
    }
    /* Flushing makes decoders with a delay hand over the one frame. */
    (void)avcodec_send_packet(ctx, NULL); /* an error shows up below */
    if (avcodec_receive_frame(ctx, frame) < 0 || frame->width <= 0 ||
        frame->height <= 0 || frame->format < 0) {
        goto bad;
    }
    rc = 0;
    goto out;
bad:
    *err = xasprintf("%s is damaged or not an image i2vfs can read %s", label,
                     readable);
out:
    avcodec_free_context(&ctx);
    return rc;
}

int kb_decode_file(const char *path, const char *label, struct kb_picture *pic,
                   char **err)
{
    AVPacket *pkt = av_packet_alloc();
    enum kb_imgtype type;
    int w, h, rc;

    memset(pic, 0, sizeof(*pic));
    if (!pkt) {
        *err = xasprintf("%s: out of memory", label);
        return -ENOMEM;
    }
    rc = read_file(path, label, pkt, err);
    if (rc != 0) {
        goto out;
    }
    type = kb_imghdr_read(pkt->data, (size_t)pkt->size, &w, &h);
    if (type == KB_IMG_UNKNOWN) {
        *err =
            xasprintf("%s is not an image i2vfs can read %s", label, readable);
        rc = -EINVAL;
        goto out;
    }
    if (type == KB_IMG_JPEG &&
        !kb_imghdr_jpeg_is_complete(pkt->data, (size_t)pkt->size)) {
        *err = xasprintf("%s is cut short: the JPEG ends before its last "
                         "byte (copied or downloaded only in part?)",
                         label);
        rc = -EINVAL;
        goto out;
    }
    if (w > KB_MAX_SIDE || h > KB_MAX_SIDE) {
        *err = xasprintf("%s: image is %d×%d; the largest supported is %d px "
                         "per side",
                         label, w, h, KB_MAX_SIDE);
        rc = -EFBIG;
        goto out;
    }
    pic->frame = av_frame_alloc();
    if (!pic->frame) {
        *err = xasprintf("%s: out of memory", label);
        rc = -ENOMEM;
        goto out;
    }
    rc = decode_packet(codec_for(type), pkt, max_pixels_for(w, h), label,
                       pic->frame, err);
    if (rc != 0) {
        goto out;
    }
    pic->orientation = frame_orientation(pic->frame);
    pic->width = pic->frame->width;
    pic->height = pic->frame->height;
    if (pic->orientation >= 5) {
        pic->width = pic->frame->height;
        pic->height = pic->frame->width;
    }
out:
    av_packet_free(&pkt);
    return rc;
}

void kb_picture_release(struct kb_picture *pic)
{
    av_frame_free(&pic->frame);
}

/* Maps the deprecated full-range "j" formats to their plain twins. */
static enum AVPixelFormat plain_format(enum AVPixelFormat fmt, int *full)
{
    switch (fmt) {
    case AV_PIX_FMT_YUVJ420P:
        *full = 1;
        return AV_PIX_FMT_YUV420P;
    case AV_PIX_FMT_YUVJ422P:
        *full = 1;
        return AV_PIX_FMT_YUV422P;
    case AV_PIX_FMT_YUVJ444P:
        *full = 1;
        return AV_PIX_FMT_YUV444P;
    case AV_PIX_FMT_YUVJ440P:
        *full = 1;
        return AV_PIX_FMT_YUV440P;
    case AV_PIX_FMT_YUVJ411P:
        *full = 1;
        return AV_PIX_FMT_YUV411P;
    default:
        return fmt;
    }
}

int kb_picture_convert(const struct kb_picture *pic, int width, int height,
                       int planes, struct kb_image *img, char **err)
{
    const AVFrame *f = pic->frame;
    bool swap = pic->orientation >= 5;
    int sw = swap ? height : width, sh = swap ? width : height;
    int full = f->color_range == AVCOL_RANGE_JPEG;
    enum AVPixelFormat src_fmt = plain_format(f->format, &full);
    enum AVPixelFormat dst_fmt =
        planes == 3 ? AV_PIX_FMT_YUV420P : AV_PIX_FMT_GRAY8;
    int shrinking = (int64_t)sw * sh < (int64_t)f->width * f->height;
    int flags = (shrinking ? SWS_AREA : SWS_BICUBIC) | SWS_ACCURATE_RND;
    struct SwsContext *sws;
    uint8_t *dst[4] = { NULL };
    int dst_stride[4] = { 0 };
    const AVPixFmtDescriptor *desc = av_pix_fmt_desc_get(src_fmt);

    if (desc && (desc->flags & AV_PIX_FMT_FLAG_RGB)) {
        full = 1;
    }
    sws = sws_getContext(f->width, f->height, src_fmt, sw, sh, dst_fmt, flags,
                         NULL, NULL, NULL);
    if (!sws) {
        *err = xasprintf("cannot convert a %s image",
                         desc ? desc->name : "strange");
        return -EIO;
    }
    int src_cs =
        f->colorspace == AVCOL_SPC_BT709 ? SWS_CS_ITU709 : SWS_CS_ITU601;
    /* Best effort: an unsupported combination keeps swscale's defaults. */
    (void)sws_setColorspaceDetails(sws, sws_getCoefficients(src_cs), full,
                                   sws_getCoefficients(SWS_CS_ITU709),
                                   planes == 3 ? 0 : 1, 0, 1 << 16, 1 << 16);
    kb_image_alloc(img, sw, sh, planes);
    for (int i = 0; i < planes; i++) {
        dst[i] = img->plane[i].data;
        dst_stride[i] = (int)img->plane[i].stride;
    }
    sws_scale(sws, (const uint8_t *const *)f->data, f->linesize, 0, f->height,
              dst, dst_stride);
    sws_freeContext(sws);
    kb_image_pad_edges(img);
    kb_image_orient(img, pic->orientation);
    return 0;
}
