/*
 * Tests of probe_video: real small files made with the ffmpeg CLI (under a
 * deadline), probed for what the job record reports.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libavutil/log.h>

#include "core/mem.h"
#include "providers/probe.h"
#include "tests/check.h"

static char dir[64];

/* Runs an ffmpeg CLI command line (arguments after "ffmpeg") in dir. */
static int ffmpeg(const char *args)
{
    char *cmd = xasprintf("cd '%s' && timeout 60 ffmpeg -nostdin -v error -y "
                          "%s </dev/null",
                          dir, args);
    int rc = system(cmd);

    free(cmd);
    return rc;
}

static bool setup(void)
{
    if (dir[0]) {
        return true;
    }
    av_log_set_level(AV_LOG_FATAL); /* the refusals below are expected */
    snprintf(dir, sizeof(dir), "/tmp/test_probe.XXXXXX");
    return mkdtemp(dir) != NULL;
}

static char *in_dir(const char *name)
{
    return xasprintf("%s/%s", dir, name);
}

static void test_probe_h264_mp4(void)
{
    struct probe_info info;
    char *err = NULL, *path;

    CHECK(setup());
    CHECK_INT_EQ(ffmpeg("-f lavfi -i testsrc=size=160x120:rate=10 -t 1.5 "
                        "-c:v libx264 -profile:v high -pix_fmt yuv420p v.mp4"),
                 0);
    path = in_dir("v.mp4");
    CHECK_INT_EQ(probe_video(path, &info, &err), 0);
    CHECK(err == NULL);
    CHECK_STR_EQ(info.codec, "h264");
    CHECK_STR_EQ(info.profile, "High");
    CHECK_STR_EQ(info.pix_fmt, "yuv420p");
    CHECK_INT_EQ(info.width, 160);
    CHECK_INT_EQ(info.height, 120);
    CHECK_INT_EQ(info.frames, 15);
    CHECK_DBL_NEAR(info.fps, 10, 1e-6);
    CHECK_DBL_NEAR(info.duration_s, 1.5, 0.01);
    CHECK(info.bytes > 500);
    free(path);
}

static void test_probe_counts_frames_of_other_codecs(void)
{
    struct probe_info info;
    char *err = NULL, *path;

    CHECK(setup());
    CHECK_INT_EQ(ffmpeg("-f lavfi -i testsrc=size=64x48:rate=25 -frames:v 7 "
                        "-c:v mpeg4 m.mov"),
                 0);
    path = in_dir("m.mov");
    CHECK_INT_EQ(probe_video(path, &info, &err), 0);
    CHECK_STR_EQ(info.codec, "mpeg4");
    CHECK_INT_EQ(info.frames, 7);
    CHECK_INT_EQ(info.width, 64);
    free(path);
    free(err);
}

static void test_probe_refuses_what_is_not_an_mp4_video(void)
{
    struct probe_info info;
    char *err = NULL, *path;

    CHECK(setup());
    /* Missing. */
    path = in_dir("nothing.mp4");
    CHECK_INT_EQ(probe_video(path, &info, &err), -ENOENT);
    CHECK_STR_EQ(err, "nothing.mp4: no such file");
    free(path);
    free(err);
    err = NULL;

    /* Text. */
    path = in_dir("notes.mp4");
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs("this is not a video at all, just words\n", f);
        fclose(f);
    }
    CHECK_INT_EQ(probe_video(path, &info, &err), -EPROTO);
    CHECK_STR_CONTAINS(err, "notes.mp4");
    CHECK(err && !strchr(err, '\n'));
    free(path);
    free(err);
    err = NULL;

    /* A picture is no video, even if FFmpeg can open it. */
    CHECK_INT_EQ(ffmpeg("-f lavfi -i testsrc=size=32x32:rate=1 -frames:v 1 "
                        "p.png"),
                 0);
    path = in_dir("p.png");
    CHECK_INT_EQ(probe_video(path, &info, &err), -EPROTO);
    CHECK_STR_CONTAINS(err, "not an MP4 video");
    free(path);
    free(err);
    err = NULL;

    /* An MP4 with sound only. */
    CHECK_INT_EQ(ffmpeg("-f lavfi -i sine=frequency=440:duration=0.5 -c:a aac "
                        "a.mp4"),
                 0);
    path = in_dir("a.mp4");
    CHECK_INT_EQ(probe_video(path, &info, &err), -EPROTO);
    CHECK_STR_EQ(err, "a.mp4 has no video stream");
    free(path);
    free(err);
}

/* A faststart MP4 cut in half still opens (its index comes first). */
static void test_probe_refuses_a_video_cut_short(void)
{
    struct probe_info info;
    char *err = NULL, *path, *cmd;

    CHECK(setup());
    CHECK_INT_EQ(ffmpeg("-f lavfi -i testsrc2=size=160x96:rate=8 -t 1 "
                        "-c:v libx264 -pix_fmt yuv420p -movflags +faststart "
                        "h.mp4"),
                 0);
    path = in_dir("h.mp4");
    CHECK_INT_EQ(probe_video(path, &info, &err), 0);
    CHECK_INT_EQ(info.frames, 8);
    cmd = xasprintf("truncate -s $(( $(stat -c %%s '%s') / 2 )) '%s'", path,
                    path);
    CHECK_INT_EQ(system(cmd), 0);
    CHECK_INT_EQ(probe_video(path, &info, &err), -EPROTO);
    CHECK_STR_CONTAINS(err, "h.mp4 is cut short");
    free(cmd);
    free(path);
    free(err);
}

static void test_cleanup(void)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);

    CHECK(system(cmd) == 0);
    free(cmd);
}

CHECK_MAIN(CHECK_CASE(test_probe_h264_mp4),
           CHECK_CASE(test_probe_counts_frames_of_other_codecs),
           CHECK_CASE(test_probe_refuses_what_is_not_an_mp4_video),
           CHECK_CASE(test_probe_refuses_a_video_cut_short),
           CHECK_CASE(test_cleanup))
