/*
 * Probes a finished video with libavformat (see probe.h): container, the
 * video stream's codec, profile, pixel format, size, rate, and a frame
 * count from demuxing every packet.
 */
#include "providers/probe.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>

#include "core/mem.h"

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void copy_name(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src ? src : "unknown");
}

static int64_t count_packets(AVFormatContext *fmt, int stream)
{
    AVPacket *pkt = av_packet_alloc();
    int64_t n = 0;

    if (!pkt) {
        return -ENOMEM;
    }
    while (av_read_frame(fmt, pkt) >= 0) {
        if (pkt->stream_index == stream) {
            n++;
        }
        av_packet_unref(pkt);
    }
    av_packet_free(&pkt);
    return n;
}

int probe_video(const char *path, struct probe_info *info, char **err)
{
    AVFormatContext *fmt = NULL;
    const char *name = base_name(path);
    struct stat st;
    int rc, idx;

    memset(info, 0, sizeof(*info));
    *err = NULL;
    if (stat(path, &st) != 0) {
        rc = -errno;
        *err = xasprintf("%s: %s", name,
                         rc == -ENOENT ? "no such file" : strerror(-rc));
        return rc == -ENOENT ? -ENOENT : -EIO;
    }
    if (avformat_open_input(&fmt, path, NULL, NULL) < 0) {
        *err = xasprintf("%s is not a video i2vfs can read (MP4)", name);
        return -EPROTO;
    }
    if (!strstr(fmt->iformat->name, "mp4") &&
        !strstr(fmt->iformat->name, "mov")) {
        *err = xasprintf("%s is %s, not an MP4 video", name,
                         fmt->iformat->long_name ? fmt->iformat->long_name
                                                 : fmt->iformat->name);
        rc = -EPROTO;
        goto out;
    }
    if (avformat_find_stream_info(fmt, NULL) < 0) {
        *err = xasprintf("%s is a damaged MP4 file", name);
        rc = -EPROTO;
        goto out;
    }
    idx = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
    if (idx < 0) {
        *err = xasprintf("%s has no video stream", name);
        rc = -EPROTO;
        goto out;
    }
    const AVStream *s = fmt->streams[idx];
    const AVCodecParameters *par = s->codecpar;
    AVRational rate =
        s->avg_frame_rate.num ? s->avg_frame_rate : s->r_frame_rate;
    if (par->width <= 0 || par->height <= 0) {
        *err = xasprintf("%s: its video stream has no picture size", name);
        rc = -EPROTO;
        goto out;
    }
    info->width = par->width;
    info->height = par->height;
    info->fps = rate.den ? av_q2d(rate) : 0;
    copy_name(info->codec, sizeof(info->codec),
              avcodec_get_name(par->codec_id));
    copy_name(info->profile, sizeof(info->profile),
              avcodec_profile_name(par->codec_id, par->profile));
    copy_name(info->pix_fmt, sizeof(info->pix_fmt),
              av_get_pix_fmt_name(par->format));
    if (s->duration != AV_NOPTS_VALUE && s->duration > 0) {
        info->duration_s = (double)s->duration * av_q2d(s->time_base);
    } else if (fmt->duration != AV_NOPTS_VALUE) {
        info->duration_s = (double)fmt->duration / AV_TIME_BASE;
    }
    info->bytes = st.st_size;
    info->frames = count_packets(fmt, idx);
    if (info->frames < 0) {
        *err = xasprintf("%s: out of memory", name);
        rc = -EIO;
        goto out;
    }
    /* A file cut short still opens when its index comes first. */
    if (s->nb_frames > 0 && info->frames < s->nb_frames) {
        *err =
            xasprintf("%s is cut short: %lld of its %lld frames are there",
                      name, (long long)info->frames, (long long)s->nb_frames);
        rc = -EPROTO;
        goto out;
    }
    rc = 0;
out:
    avformat_close_input(&fmt);
    return rc;
}
