/*
 * Fuzz target: an image dropped in a folder. Its header is sniffed
 * (kb_imghdr_read) and checked against every model's image rules, as
 * jobs/images.c does before a cloud job; a tiny image is then decoded
 * (kb_decode_file) and scaled (kb_picture_convert) as the local renderer
 * does. The pixel cap keeps each run fast; larger headers stop at sniffing.
 */
#include <errno.h>

#include <libavutil/log.h>

#include "providers/catalog.h"
#include "providers/local/decode.h"
#include "providers/local/image.h"
#include "providers/local/imghdr.h"
#include "tests/fuzz/fuzz.h"
#include "tests/fuzz/fuzz_catalog.h"

/* Decode only images whose header claims at most this many pixels. */
#define FUZZ_MAX_PIXELS (64 * 64)

static struct catalog *catalog;
static struct fuzz_file input;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    av_log_set_level(AV_LOG_QUIET);
    catalog = fuzz_catalog_all();
    fuzz_file_open(&input);
    return 0;
}

static const char *format_of(enum kb_imgtype type)
{
    switch (type) {
    case KB_IMG_JPEG:
        return "jpeg";
    case KB_IMG_PNG:
        return "png";
    case KB_IMG_WEBP:
        return "webp";
    case KB_IMG_UNKNOWN:
        break;
    }
    return NULL;
}

static void check_models(const char *format, size_t size, int w, int h)
{
    for (size_t i = 0; i < catalog_model_count(catalog); i++) {
        char *err = NULL;
        int rc = catalog_check_image(catalog_model_at(catalog, i), "photo.png",
                                     format, size, w, h, &err);

        FUZZ_CHECK(rc == 0 || rc == -EINVAL);
        FUZZ_CHECK(rc == 0 ? !err : fuzz_is_one_line(err));
        free(err);
    }
}

static void decode(const uint8_t *data, size_t size, int w, int h)
{
    struct kb_picture pic;
    struct kb_image img;
    char *err = NULL;
    int rc;

    fuzz_file_set(&input, data, size);
    rc = kb_decode_file(input.path, "photo.png", &pic, &err);
    if (rc != 0) {
        FUZZ_CHECK(rc == -EINVAL || rc == -EFBIG || rc == -EIO ||
                   rc == -ENOMEM);
        FUZZ_CHECK_LINE(err);
        free(err);
        kb_picture_release(&pic);
        return;
    }
    FUZZ_CHECK(!err);
    FUZZ_CHECK(pic.width > 0 && pic.height > 0);
    FUZZ_CHECK(pic.width <= KB_MAX_SIDE && pic.height <= KB_MAX_SIDE);
    FUZZ_CHECK(pic.orientation >= 1 && pic.orientation <= 8);
    /*
     * The header's size is what was checked: the decoder may not make a
     * picture much larger (decode.c allows 128 px of slack per side).
     */
    if ((long)pic.frame->width * pic.frame->height >
        (long)(w + 128) * (h + 128))
        fprintf(stderr, "header %dx%d, decoded %dx%d\n", w, h, pic.frame->width,
                pic.frame->height);
    FUZZ_CHECK((long)pic.frame->width * pic.frame->height <=
               (long)(w + 128) * (h + 128));
    /* Only when the decoder agrees the image is tiny: scaling is slow. */
    if ((long)pic.width * pic.height <= 4 * FUZZ_MAX_PIXELS) {
        rc = kb_picture_convert(&pic, 16, 8, 3, &img, &err);
        if (rc == 0) {
            FUZZ_CHECK(img.width == 16 && img.height == 8);
            kb_image_release(&img);
        } else {
            FUZZ_CHECK_LINE(err);
            free(err);
        }
    }
    kb_picture_release(&pic);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int w = -1, h = -1;
    enum kb_imgtype type = kb_imghdr_read(data, size, &w, &h);
    const char *format = format_of(type);

    FUZZ_CHECK(w >= 0 && h >= 0);
    if (!format) {
        FUZZ_CHECK(w == 0 && h == 0);
        return 0;
    }
    check_models(format, size, w, h);
    if (w > 0 && h > 0 && (long)w * h <= FUZZ_MAX_PIXELS)
        decode(data, size, w, h);
    return 0;
}
