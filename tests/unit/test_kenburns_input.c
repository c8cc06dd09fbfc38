/*
 * Unit tests for bad input to the offline renderer: odd, tiny, truncated
 * and lying images fail with one clear line, never a crash.
 */
#include "tests/unit/kenburns_fixture.h"

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void test_errors_are_one_clear_line(void)
{
    char *dir = scratch(), *err = NULL;

    char *notes = path_in(dir, "notes.png");
    write_text(notes, "just some text, not a picture\n");
    free(notes);
    CHECK_INT_EQ(render(dir, "notes.png", "{" SMALL "}", &err, NULL, NULL),
                 -EINVAL);
    CHECK_STR_EQ(err, "notes.png is not an image i2vfs can read (JPEG, PNG "
                      "or WebP)");
    free(err);
    err = NULL;

    CHECK_INT_EQ(
        write_image_in(dir, "a.png", "png", 64, 64, paint_texture, NULL, 0), 0);
    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"klingai\": "
                        "{\"imageTail\": \"end.png\"}}}",
                        &err, NULL, NULL),
                 -ENOENT);
    CHECK_STR_EQ(err, "imageTail end.png: no such file in this folder");
    free(err);
    err = NULL;

    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"local\": "
                        "{\"staticMask\": \"../x.png\"}}}",
                        &err, NULL, NULL),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "staticMask \"../x.png\"");
    CHECK_STR_CONTAINS(err, "no '/'");
    CHECK(err && !strchr(err, '\n'));
    free(err);
    err = NULL;

    CHECK_INT_EQ(render(dir, "a.png",
                        "{" SMALL ", \"providerOptions\": {\"local\": "
                        "{\"imageTail\": \"/etc/passwd\"}}}",
                        &err, NULL, NULL),
                 -EINVAL);
    free(err);
    err = NULL;

    /* A PNG whose header claims 20000 × 20000: refused before decoding. */
    static const uint8_t bomb[] = {
        0x89, 'P', 'N',  'G',  '\r', '\n', 0x1a, '\n', 0,    0,
        0,    13,  'I',  'H',  'D',  'R',  0,    0,    0x4e, 0x20,
        0,    0,   0x4e, 0x20, 8,    2,    0,    0,    0,
    };
    char *bomb_path = path_in(dir, "huge.png");
    FILE *f = fopen(bomb_path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(bomb, 1, sizeof(bomb), f);
        fclose(f);
    }
    CHECK_INT_EQ(render(dir, "huge.png", "{" SMALL "}", &err, NULL, NULL),
                 -EFBIG);
    CHECK_STR_EQ(err, "huge.png: image is 20000×20000; the largest supported "
                      "is 16384 px per side");
    free(err);
    err = NULL;

    CHECK_INT_EQ(render(dir, "missing.jpg", "{" SMALL "}", &err, NULL, NULL),
                 -ENOENT);
    CHECK_STR_CONTAINS(err, "missing.jpg");
    free(err);
    err = NULL;

    /* Out-of-range values that slipped past validation are still refused. */
    CHECK_INT_EQ(render(dir, "a.png",
                        "{\"duration\": 99, \"resolution\": \"320x180\"}", &err,
                        NULL, NULL),
                 -EINVAL);
    CHECK_STR_CONTAINS(err, "duration");
    free(err);
    free(bomb_path);
    rm_scratch(dir);
}

static void test_odd_tiny_and_truncated_inputs(void)
{
    char *dir = scratch(), *err = NULL;

    CHECK_INT_EQ(
        write_image_in(dir, "dot.png", "png", 1, 1, paint_bright, NULL, 0), 0);
    check_render_size(dir, "dot.png", "{" SMALL "}", 320, 180, 12);
    CHECK_INT_EQ(write_image_in(dir, "odd.jpg", "mjpeg", 301, 201,
                                paint_texture, NULL, 0),
                 0);
    check_render_size(dir, "odd.jpg",
                      "{\"resolution\": \"66x38\", \"duration\": 1, \"fps\": "
                      "3, \"providerOptions\": {\"local\": {\"resizeMode\": "
                      "\"pad\", \"padBackground\": \"blur\", "
                      "\"cameraControl\": {\"type\": \"forward_up\"}}}}",
                      66, 38, 3);
    /* The first 300 bytes of a JPEG: a header, then nothing. */
    char *full = path_in(dir, "odd.jpg"), *cut = path_in(dir, "cut.jpg");
    FILE *in = fopen(full, "rb"), *out = fopen(cut, "wb");
    char buf[300];
    CHECK(in && out);
    if (in && out) {
        size_t n = fread(buf, 1, sizeof(buf), in);
        fwrite(buf, 1, n, out);
    }
    if (in) {
        fclose(in);
    }
    if (out) {
        fclose(out);
    }
    /* A decoder would conceal the missing part in gray: refused instead. */
    int rc = render(dir, "cut.jpg", "{" SMALL "}", &err, NULL, NULL);
    CHECK_INT_EQ(rc, -EINVAL);
    CHECK_STR_CONTAINS(err, "cut.jpg is cut short");
    free(err);
    err = NULL;
    /* Past the 50 MB cap (sparse: no disk is used). */
    char *huge = path_in(dir, "huge.jpg");
    CHECK(truncate(huge, 0) != 0); /* not there yet */
    out = fopen(huge, "wb");
    CHECK(out != NULL);
    if (out) {
        fwrite(buf, 1, sizeof(buf), out);
        fclose(out);
    }
    CHECK_INT_EQ(truncate(huge, (50LL << 20) + 1), 0);
    rc = render(dir, "huge.jpg", "{" SMALL "}", &err, NULL, NULL);
    CHECK(rc < 0);
    CHECK_STR_CONTAINS(err, "huge.jpg is larger than 50 MB");
    free(huge);
    free(err);
    free(full);
    free(cut);
    rm_scratch(dir);
}

/* A whole JPEG ends with its end-of-image marker; a cut one does not. */
static void test_jpeg_completeness(void)
{
    char *dir = scratch();
    char *path = path_in(dir, "whole.jpg");
    static unsigned char data[1 << 20];
    size_t n = 0;
    FILE *f;

    CHECK_INT_EQ(write_image_in(dir, "whole.jpg", "mjpeg", 320, 240,
                                paint_texture, NULL, 0),
                 0);
    f = fopen(path, "rb");
    CHECK(f != NULL);
    if (f) {
        n = fread(data, 1, sizeof(data) - 16, f);
        fclose(f);
    }
    CHECK(n > 1000);
    CHECK(kb_imghdr_jpeg_is_complete(data, n));
    memcpy(data + n, "trailing bytes", 14); /* as some cameras append */
    CHECK(kb_imghdr_jpeg_is_complete(data, n + 14));
    CHECK(!kb_imghdr_jpeg_is_complete(data, n - 2));
    CHECK(!kb_imghdr_jpeg_is_complete(data, n / 2));
    CHECK(!kb_imghdr_jpeg_is_complete(data, 300));
    CHECK(!kb_imghdr_jpeg_is_complete(data, 2));
    free(path);
    rm_scratch(dir);
}

/*
 * Found by tests/fuzz/fuzz_imghdr: a WebP whose VP8X header says 1x1 in
 * front of a 1000x1000 image passed the header's size check, and the
 * decoder made the large picture anyway. It must be refused.
 */
static void test_header_that_lies_about_the_size(void)
{
    char *dir = scratch(), *err = NULL;
    char *real = path_in(dir, "real.webp"), *lie = path_in(dir, "lie.webp");
    static const uint8_t vp8x[] = { 'V', 'P', '8', 'X', 10, 0, 0, 0, 0,
                                    0,   0,   0,   0,   0,  0, 0, 0, 0 };
    uint8_t data[1 << 16];
    struct kb_picture pic;
    size_t n = 0;
    FILE *f;

    if (!avcodec_find_encoder_by_name("libwebp")) {
        rm_scratch(dir);
        free(real);
        free(lie);
        return;
    }
    CHECK_INT_EQ(write_image_in(dir, "real.webp", "libwebp", 1000, 1000,
                                paint_dark, NULL, 0),
                 0);
    f = fopen(real, "rb");
    CHECK(f != NULL);
    if (f) {
        n = fread(data, 1, sizeof(data), f);
        fclose(f);
    }
    CHECK(n > 12 && n < sizeof(data) && memcmp(data + 8, "WEBP", 4) == 0);
    f = fopen(lie, "wb");
    CHECK(f != NULL);
    if (f && n > 12) {
        uint32_t riff = (uint32_t)(n - 8 + sizeof(vp8x));
        uint8_t size_le[4] = { riff & 0xff, (riff >> 8) & 0xff,
                               (riff >> 16) & 0xff, riff >> 24 };

        fwrite("RIFF", 1, 4, f);
        fwrite(size_le, 1, 4, f);
        fwrite("WEBP", 1, 4, f);
        fwrite(vp8x, 1, sizeof(vp8x), f);
        fwrite(data + 12, 1, n - 12, f);
        fclose(f);
    }
    CHECK_INT_EQ(kb_decode_file(real, "real.webp", &pic, &err), 0);
    CHECK_INT_EQ(pic.width, 1000);
    kb_picture_release(&pic);
    free(err);
    err = NULL;
    CHECK_INT_EQ(kb_decode_file(lie, "lie.webp", &pic, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "lie.webp is damaged");
    kb_picture_release(&pic);
    free(err);
    free(real);
    free(lie);
    rm_scratch(dir);
}

CHECK_MAIN(CHECK_CASE(test_errors_are_one_clear_line),
           CHECK_CASE(test_odd_tiny_and_truncated_inputs),
           CHECK_CASE(test_header_that_lies_about_the_size),
           CHECK_CASE(test_jpeg_completeness))
