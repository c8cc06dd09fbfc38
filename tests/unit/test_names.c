/*
 * Unit tests for the drop area's naming rules (core/names.c).
 */
#include <stdlib.h>

#include "core/names.h"
#include "tests/check.h"

static void junk_names_never_start_jobs(void)
{
    const char *junk[] = { ".goutputstream-ABC12",
                           ".photo.jpg.swp",
                           ".~lock.notes.odt#",
                           ".photo.jpg.Xa3b9Q",
                           ".syncthing.photo.tmp",
                           "._photo.jpg",
                           ".DS_Store",
                           "photo.jpg~",
                           "photo.jpg.part",
                           "photo.jpg.crdownload",
                           "upload.tmp",
                           "Thumbs.db",
                           "desktop.ini",
                           NULL };

    for (size_t i = 0; junk[i]; i++) {
        CHECK(names_is_junk(junk[i]));
    }
    CHECK(!names_is_junk("photo.jpg"));
    CHECK(!names_is_junk("request.json"));
    CHECK(!names_is_junk("été à Paris.png"));
}

static void images_by_extension(void)
{
    CHECK(names_is_image("a.jpg"));
    CHECK(names_is_image("A.JPEG"));
    CHECK(names_is_image("x.png"));
    CHECK(names_is_image("x.webp"));
    CHECK(!names_is_image("x.gif"));
    CHECK(!names_is_image("request.json"));
    CHECK(!names_is_image(".png"));
}

static void stems(void)
{
    char *s = names_stem("photo.final.jpg");

    CHECK_STR_EQ(s, "photo.final");
    free(s);
    s = names_stem("README");
    CHECK_STR_EQ(s, "README");
    free(s);
    CHECK_STR_EQ(names_base("local/kenburns/a.png"), "a.png");
    CHECK_STR_EQ(names_base("a.png"), "a.png");
}

CHECK_MAIN(CHECK_CASE(junk_names_never_start_jobs),
           CHECK_CASE(images_by_extension), CHECK_CASE(stems))
