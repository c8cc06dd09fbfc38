/*
 * H.264 in MP4 through libavcodec and libavformat (see encode.h).
 */
#include "providers/local/encode.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/opt.h>

#include "core/mem.h"

struct kb_encoder {
    AVFormatContext *fmt;
    AVCodecContext *codec;
    AVStream *stream;
    AVPacket *pkt;
    int64_t next_pts;
    bool header_written;
};

static int av_fail(int averr, const char *what, char **err)
{
    char msg[AV_ERROR_MAX_STRING_SIZE] = "";

    av_strerror(averr, msg, sizeof(msg));
    *err = xasprintf("%s: %s", what, msg);
    return averr == AVERROR(ENOMEM)   ? -ENOMEM
           : averr == AVERROR(ENOSPC) ? -ENOSPC
           : averr == AVERROR(EACCES) ? -EACCES
                                      : -EIO;
}

static int open_codec(struct kb_encoder *enc, int width, int height,
                      AVRational fps, char **err)
{
    const AVCodec *codec = avcodec_find_encoder_by_name("libx264");
    AVCodecContext *c;
    AVDictionary *opts = NULL;
    int rc;

    if (!codec) {
        *err = xasprintf("this FFmpeg has no libx264 encoder");
        return -ENOTSUP;
    }
    c = enc->codec = avcodec_alloc_context3(codec);
    if (!c) {
        *err = xasprintf("out of memory");
        return -ENOMEM;
    }
    c->width = width;
    c->height = height;
    c->pix_fmt = AV_PIX_FMT_YUV420P;
    c->time_base = av_inv_q(fps);
    c->framerate = fps;
    c->profile = FF_PROFILE_H264_HIGH;
    c->color_primaries = AVCOL_PRI_BT709;
    c->color_trc = AVCOL_TRC_BT709;
    c->colorspace = AVCOL_SPC_BT709;
    c->color_range = AVCOL_RANGE_MPEG;
    c->sample_aspect_ratio = (AVRational){ 1, 1 };
    c->thread_count = 0; /* x264's own threads, one set per core */
    if (enc->fmt->oformat->flags & AVFMT_GLOBALHEADER) {
        c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    }
    av_dict_set(&opts, "preset", "veryfast", 0);
    av_dict_set(&opts, "crf", "20", 0);
    av_dict_set(&opts, "profile", "high", 0);
    rc = avcodec_open2(c, codec, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        return av_fail(rc, "cannot start the H.264 encoder", err);
    }
    return 0;
}

int kb_encoder_open(struct kb_encoder **out, const char *path, int width,
                    int height, AVRational fps, char **err)
{
    struct kb_encoder *enc = xcalloc(1, sizeof(*enc));
    AVDictionary *opts = NULL;
    int rc;

    *out = NULL;
    rc = avformat_alloc_output_context2(&enc->fmt, NULL, "mp4", path);
    if (rc < 0) {
        rc = av_fail(rc, "cannot create the MP4 muxer", err);
        goto fail;
    }
    rc = open_codec(enc, width, height, fps, err);
    if (rc != 0) {
        goto fail;
    }
    enc->stream = avformat_new_stream(enc->fmt, NULL);
    enc->pkt = av_packet_alloc();
    if (!enc->stream || !enc->pkt) {
        *err = xasprintf("out of memory");
        rc = -ENOMEM;
        goto fail;
    }
    enc->stream->time_base = enc->codec->time_base;
    enc->stream->avg_frame_rate = fps;
    rc = avcodec_parameters_from_context(enc->stream->codecpar, enc->codec);
    if (rc < 0) {
        rc = av_fail(rc, "cannot set up the MP4 stream", err);
        goto fail;
    }
    rc = avio_open(&enc->fmt->pb, path, AVIO_FLAG_WRITE);
    if (rc < 0) {
        rc = av_fail(rc, "cannot create the video file", err);
        goto fail;
    }
    av_dict_set(&opts, "movflags", "+faststart", 0);
    rc = avformat_write_header(enc->fmt, &opts);
    av_dict_free(&opts);
    if (rc < 0) {
        rc = av_fail(rc, "cannot write the MP4 header", err);
        goto fail;
    }
    enc->header_written = true;
    *out = enc;
    return 0;
fail:
    kb_encoder_free(enc);
    return rc;
}

AVFrame *kb_encoder_frame(const struct kb_encoder *enc)
{
    AVFrame *f = av_frame_alloc();

    if (!f) {
        abort(); /* out of memory is fatal, as for xmalloc */
    }
    f->format = AV_PIX_FMT_YUV420P;
    f->width = enc->codec->width;
    f->height = enc->codec->height;
    f->color_primaries = AVCOL_PRI_BT709;
    f->color_trc = AVCOL_TRC_BT709;
    f->colorspace = AVCOL_SPC_BT709;
    f->color_range = AVCOL_RANGE_MPEG;
    if (av_frame_get_buffer(f, 0) < 0) {
        abort();
    }
    return f;
}

/* Writes every packet the encoder has ready. */
static int drain(struct kb_encoder *enc, char **err)
{
    for (;;) {
        int rc = avcodec_receive_packet(enc->codec, enc->pkt);
        if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) {
            return 0;
        }
        if (rc < 0) {
            return av_fail(rc, "H.264 encoding failed", err);
        }
        if (enc->pkt->duration == 0) {
            enc->pkt->duration = 1;
        }
        av_packet_rescale_ts(enc->pkt, enc->codec->time_base,
                             enc->stream->time_base);
        enc->pkt->stream_index = enc->stream->index;
        rc = av_interleaved_write_frame(enc->fmt, enc->pkt);
        if (rc < 0) {
            return av_fail(rc, "cannot write the video file", err);
        }
    }
}

int kb_encoder_write(struct kb_encoder *enc, AVFrame *frame, char **err)
{
    int rc;

    frame->pts = enc->next_pts++;
    rc = avcodec_send_frame(enc->codec, frame);
    if (rc < 0) {
        return av_fail(rc, "H.264 encoding failed", err);
    }
    return drain(enc, err);
}

int kb_encoder_finish(struct kb_encoder *enc, char **err)
{
    int rc = avcodec_send_frame(enc->codec, NULL);

    if (rc < 0) {
        return av_fail(rc, "H.264 encoding failed", err);
    }
    rc = drain(enc, err);
    if (rc != 0) {
        return rc;
    }
    rc = av_write_trailer(enc->fmt);
    enc->header_written = false;
    if (rc < 0) {
        return av_fail(rc, "cannot finish the video file", err);
    }
    return 0;
}

void kb_encoder_free(struct kb_encoder *enc)
{
    if (!enc) {
        return;
    }
    av_packet_free(&enc->pkt);
    avcodec_free_context(&enc->codec);
    if (enc->fmt) {
        if (enc->fmt->pb) {
            avio_closep(&enc->fmt->pb);
        }
        avformat_free_context(enc->fmt);
    }
    free(enc);
}
