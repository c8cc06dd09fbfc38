/*
 * Unit tests for the rules of the mount's tree (fs/policy.c): which part of
 * the tree a path is in, and what users and the publisher may do there.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fs/policy.h"
#include "jobs/images.h"
#include "tests/check.h"

static struct policy *make(void)
{
    static const char *const folders[] = {
        "local/kenburns",
        "gateway/google/veo-3.1-generate-001",
        "gateway/klingai/kling-v2.6-i2v",
    };
    struct policy *p = NULL;

    CHECK_INT_EQ(policy_new(folders, 3, &p), 0);
    return p;
}

static void paths_fall_in_their_areas(void)
{
    struct policy *p = make();

    CHECK_INT_EQ(policy_area(p, ""), POLICY_FIXED);
    CHECK_INT_EQ(policy_area(p, "local"), POLICY_FIXED);
    CHECK_INT_EQ(policy_area(p, "gateway/google"), POLICY_FIXED);
    CHECK_INT_EQ(policy_area(p, "local/kenburns"), POLICY_FIXED);
    CHECK_INT_EQ(policy_area(p, "README.txt"), POLICY_VIRTUAL);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/MODEL.md"), POLICY_VIRTUAL);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/request.example.json"),
                 POLICY_VIRTUAL);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/sub/MODEL.md"), POLICY_DROP);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/photo.jpg"), POLICY_DROP);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/outdoor.jpg"), POLICY_DROP);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/out"), POLICY_OUT_DIR);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/out/photo.mp4"), POLICY_OUT);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/trip/out"), POLICY_OUT_DIR);
    CHECK_INT_EQ(policy_area(p, "local/kenburns/trip/out/a.json"), POLICY_OUT);
    CHECK_INT_EQ(policy_area(p, ".i2vfs"), POLICY_PRIVATE);
    CHECK_INT_EQ(policy_area(p, ".i2vfs/staging/x.mp4"), POLICY_PRIVATE);
    CHECK_INT_EQ(policy_area(p, ".i2vfsx"), POLICY_OUTSIDE);
    CHECK_INT_EQ(policy_area(p, "stray.txt"), POLICY_OUTSIDE);
    CHECK_INT_EQ(policy_area(p, "local/other"), POLICY_OUTSIDE);
    CHECK_INT_EQ(policy_area(p, "local/kenburns2/a.jpg"), POLICY_OUTSIDE);
    CHECK_INT_EQ(policy_area(p, "local/MODEL.md"), POLICY_OUTSIDE);
    policy_free(p);
}

static void users_cannot_change_the_fixed_part(void)
{
    struct policy *p = make();

    CHECK_INT_EQ(policy_check(p, "", POLICY_READ, false), 0);
    CHECK_INT_EQ(policy_check(p, "local", POLICY_READ, false), 0);
    CHECK_INT_EQ(policy_check(p, "photo.jpg", POLICY_CREATE, false), -EPERM);
    CHECK_INT_EQ(policy_check(p, "local/photo.jpg", POLICY_CREATE, false),
                 -EPERM);
    CHECK_INT_EQ(policy_check(p, "gateway/new", POLICY_CREATE, false), -EPERM);
    CHECK_INT_EQ(policy_check(p, "local/kenburns", POLICY_DELETE, false),
                 -EPERM);
    CHECK_INT_EQ(policy_check(p, "local/kenburns", POLICY_MOVE, false), -EPERM);
    CHECK_INT_EQ(policy_check(p, "local", POLICY_MODIFY, false), -EPERM);
    CHECK_INT_EQ(policy_check(p, "", POLICY_MODIFY, false), -EPERM);
    /* rsync -a sets the times of the model folder it copies into. */
    CHECK_INT_EQ(policy_check(p, "local/kenburns", POLICY_MODIFY, false), 0);
    /* The publisher is no exception. */
    CHECK_INT_EQ(policy_check(p, "local/x", POLICY_CREATE, true), -EPERM);
    CHECK_INT_EQ(policy_check(p, "local/kenburns", POLICY_DELETE, true),
                 -EPERM);
    /* Names the tree does not have are not there. */
    CHECK_INT_EQ(policy_check(p, "stray.txt", POLICY_READ, false), -ENOENT);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns", "local/kb", 0, false),
                 -EPERM);
    policy_free(p);
}

static void generated_files_are_read_only(void)
{
    struct policy *p = make();
    const char *doc = "local/kenburns/MODEL.md";

    CHECK_INT_EQ(policy_check(p, doc, POLICY_READ, false), 0);
    CHECK_INT_EQ(policy_check(p, doc, POLICY_MODIFY, false), -EACCES);
    CHECK_INT_EQ(policy_check(p, "README.txt", POLICY_MODIFY, true), -EACCES);
    CHECK_INT_EQ(policy_check(p, doc, POLICY_DELETE, false), -EPERM);
    CHECK_INT_EQ(policy_check_rename(p, doc, "local/kenburns/m.md", 0, false),
                 -EPERM);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/a.json",
                                     "local/kenburns/request.example.json", 0,
                                     false),
                 -EPERM);
    CHECK_INT_EQ(policy_check_link(p, doc, "local/kenburns/d.md", false),
                 -EACCES);
    policy_free(p);
}

static void the_drop_area_is_a_full_filesystem(void)
{
    struct policy *p = make();
    const enum policy_op ops[] = { POLICY_READ, POLICY_CREATE, POLICY_MODIFY,
                                   POLICY_DELETE, POLICY_MOVE };
    const char *paths[] = { "local/kenburns/photo.jpg", "local/kenburns/trip",
                            "local/kenburns/trip/deep/a.png",
                            "local/kenburns/trip/MODEL.md" };

    for (size_t i = 0; i < sizeof(paths) / sizeof(*paths); i++) {
        for (size_t j = 0; j < sizeof(ops) / sizeof(*ops); j++)
            CHECK_INT_EQ(policy_check(p, paths[i], ops[j], false), 0);
    }
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/a.tmp",
                                     "local/kenburns/trip/a.jpg",
                                     RENAME_NOREPLACE, false),
                 0);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/a.jpg",
                                     "local/kenburns/b.jpg", RENAME_EXCHANGE,
                                     false),
                 0);
    CHECK_INT_EQ(policy_check_link(p, "local/kenburns/a.jpg",
                                   "local/kenburns/trip/a.jpg", false),
                 0);
    policy_free(p);
}

static void users_only_read_and_delete_in_out(void)
{
    struct policy *p = make();
    const char *video = "local/kenburns/out/photo.mp4";

    CHECK_INT_EQ(policy_check(p, video, POLICY_READ, false), 0);
    CHECK_INT_EQ(policy_check(p, video, POLICY_DELETE, false), 0);
    CHECK_INT_EQ(policy_check(p, video, POLICY_MODIFY, false), -EACCES);
    CHECK_INT_EQ(
        policy_check(p, "local/kenburns/out/new.mp4", POLICY_CREATE, false),
        -EACCES);
    CHECK_INT_EQ(policy_check(p, "local/kenburns/out", POLICY_DELETE, false),
                 0);
    CHECK_INT_EQ(policy_check(p, "local/kenburns/out", POLICY_CREATE, false),
                 -EACCES);
    CHECK_INT_EQ(policy_check(p, "local/kenburns/out", POLICY_MODIFY, false),
                 -EACCES);
    /* Renaming into out/, within it, or a folder to "out": refused. */
    CHECK_INT_EQ(
        policy_check_rename(p, "local/kenburns/a.mp4", video, 0, false),
        -EACCES);
    CHECK_INT_EQ(
        policy_check_rename(p, video, "local/kenburns/out/b.mp4", 0, false),
        -EACCES);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/trip",
                                     "local/kenburns/out", 0, false),
                 -EACCES);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/out",
                                     "local/kenburns/old", 0, false),
                 -EACCES);
    /* Taking a result out of out/ is allowed. */
    CHECK_INT_EQ(
        policy_check_rename(p, video, "local/kenburns/keep.mp4", 0, false), 0);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/a.jpg", video,
                                     RENAME_EXCHANGE, false),
                 -EACCES);
    CHECK_INT_EQ(policy_check_link(p, video, "local/kenburns/v.mp4", false),
                 -EACCES);
    CHECK_INT_EQ(policy_check_symlink(p, "x", "local/kenburns/out/x", false),
                 -EACCES);
    policy_free(p);
}

static void the_publisher_writes_out_and_the_private_folder(void)
{
    struct policy *p = make();
    const char *staged = ".i2vfs/staging/j1.mp4";

    CHECK_INT_EQ(policy_check(p, "local/kenburns/out", POLICY_CREATE, true), 0);
    CHECK_INT_EQ(
        policy_check(p, "local/kenburns/out/a.json", POLICY_MODIFY, true), 0);
    CHECK_INT_EQ(policy_check(p, staged, POLICY_READ, true), 0);
    CHECK_INT_EQ(
        policy_check_rename(p, staged, "local/kenburns/out/a.mp4", 0, true), 0);
    CHECK_INT_EQ(policy_check_rename(p, staged, "local/kenburns/trip/out/a.mp4",
                                     0, true),
                 0);
    policy_free(p);
}

static void users_do_not_see_the_private_folder(void)
{
    struct policy *p = make();
    const enum policy_op ops[] = { POLICY_READ, POLICY_CREATE, POLICY_MODIFY,
                                   POLICY_DELETE, POLICY_MOVE };

    for (size_t j = 0; j < sizeof(ops) / sizeof(*ops); j++) {
        CHECK_INT_EQ(policy_check(p, ".i2vfs", ops[j], false), -ENOENT);
        CHECK_INT_EQ(policy_check(p, ".i2vfs/staging/x", ops[j], false),
                     -ENOENT);
    }
    CHECK_INT_EQ(policy_check_rename(p, ".i2vfs/staging/x",
                                     "local/kenburns/x.mp4", 0, false),
                 -ENOENT);
    CHECK_INT_EQ(policy_check_symlink(p, "../../.i2vfs", ".i2vfs/l", false),
                 -ENOENT);
    policy_free(p);
}

static void moves_between_models_cross_devices(void)
{
    struct policy *p = make();
    const char *veo = "gateway/google/veo-3.1-generate-001/a.jpg";
    const char *kling = "gateway/klingai/kling-v2.6-i2v/a.jpg";

    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/a.jpg", veo, 0, false),
                 -EXDEV);
    CHECK_INT_EQ(policy_check_rename(p, veo, kling, RENAME_NOREPLACE, false),
                 -EXDEV);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/trip",
                                     "gateway/klingai/kling-v2.6-i2v/trip", 0,
                                     false),
                 -EXDEV);
    CHECK_INT_EQ(policy_check_link(p, veo, kling, false), -EXDEV);
    CHECK(policy_model_of(p, veo) != policy_model_of(p, kling));
    CHECK_INT_EQ(policy_model_of(p, "local/kenburns"),
                 policy_model_of(p, "local/kenburns/trip/a.jpg"));
    CHECK_INT_EQ(policy_model_of(p, "local"), -1);
    policy_free(p);
}

static void symlinks_stay_inside_the_store(void)
{
    struct policy *p = make();
    const char *link = "local/kenburns/link";

    CHECK_INT_EQ(policy_check_symlink(p, "/etc/passwd", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "../../../etc/passwd", link, false),
                 -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "a/../../../../x", link, false),
                 -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "photo.jpg", link, false), 0);
    CHECK_INT_EQ(policy_check_symlink(p, "./trip/./photo.jpg", link, false), 0);
    CHECK_INT_EQ(policy_check_symlink(p, "../kenburns/trip/", link, false), 0);
    CHECK_INT_EQ(policy_check_symlink(p, "../../README.txt", link, false), 0);
    CHECK_INT_EQ(
        policy_check_symlink(p, "../../../x", "local/kenburns/a/link", false),
        0);
    CHECK_INT_EQ(policy_check_symlink(p, "photo.jpg", "local/link", false),
                 -EPERM);
    policy_free(p);
}

/*
 * A link "up" -> "../.." in local/kenburns/a/b is inside; "up/../../.."
 * beside it looks inside (depth 3 + 1 - 3) and leads out: ".." after a
 * name climbs from wherever the name leads, so it is refused. So are the
 * store's root and its private folder, which no chain may reach.
 */
static void chains_of_symlinks_stay_inside(void)
{
    struct policy *p = make();
    const char *link = "local/kenburns/a/b/l";

    CHECK_INT_EQ(policy_check_symlink(p, "../..", link, false), 0);
    CHECK_INT_EQ(policy_check_symlink(p, "up/../../..", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "x/..", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "x/./..", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "../../../..", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "../../../../", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "../../../../.", link, false), -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "../../../../.i2vfs", link, false),
                 -EPERM);
    CHECK_INT_EQ(
        policy_check_symlink(p, "../../../.././.i2vfs/staging", link, false),
        -EPERM);
    CHECK_INT_EQ(policy_check_symlink(p, "../../../../local", link, false), 0);
    CHECK_INT_EQ(policy_check_symlink(p, "../../../../.i2vfsx", link, false),
                 0);
    CHECK_INT_EQ(policy_check_symlink(p, "../.i2vfs", link, false), 0);
    CHECK_INT_EQ(policy_check_symlink(p, "..", link, false), 0);
    policy_free(p);
}

static void rename_takes_only_noreplace_and_exchange(void)
{
    struct policy *p = make();
    const char *a = "local/kenburns/a", *b = "local/kenburns/b";

    CHECK_INT_EQ(policy_check_rename(p, a, b, RENAME_WHITEOUT, false), -EINVAL);
    CHECK_INT_EQ(
        policy_check_rename(p, a, b, RENAME_NOREPLACE | RENAME_WHITEOUT, false),
        -EINVAL);
    CHECK_INT_EQ(policy_check_rename(p, a, b, 1u << 8, false), -EINVAL);
    CHECK_INT_EQ(policy_check_rename(p, a, b, RENAME_NOREPLACE, false), 0);
    CHECK_INT_EQ(policy_check_rename(p, a, b, RENAME_EXCHANGE, false), 0);
    CHECK_INT_EQ(policy_check_rename(p, a, b, 0, false), 0);
    policy_free(p);
}

static void fixed_folders_list_the_catalog(void)
{
    struct policy *p = make();
    const char *const *names;
    size_t count;

    names = policy_fixed_children(p, "", &count);
    CHECK_INT_EQ(count, 2);
    if (count == 2) {
        CHECK_STR_EQ(names[0], "gateway");
        CHECK_STR_EQ(names[1], "local");
    }
    names = policy_fixed_children(p, "gateway", &count);
    CHECK_INT_EQ(count, 2);
    if (count == 2) {
        CHECK_STR_EQ(names[0], "google");
        CHECK_STR_EQ(names[1], "klingai");
    }
    names = policy_fixed_children(p, "gateway/google", &count);
    CHECK_INT_EQ(count, 1);
    if (count == 1)
        CHECK_STR_EQ(names[0], "veo-3.1-generate-001");
    CHECK(policy_fixed_children(p, "local/kenburns", &count) == NULL);
    CHECK(policy_fixed_children(p, "local/kenburns/trip", &count) == NULL);
    CHECK(policy_is_model_folder(p, "local/kenburns"));
    CHECK(!policy_is_model_folder(p, "local"));
    policy_free(p);
}

static void hiding_an_open_file_is_an_unlink(void)
{
    struct policy *p = make();

    /* rm of an open result: libfuse renames it aside first. */
    CHECK(policy_is_hide_rename("local/kenburns/out/a.mp4",
                                "local/kenburns/out/.fuse_hidden00000001"));
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/out/a.mp4",
                                     "local/kenburns/out/.fuse_hidden01", 0,
                                     false),
                 0);
    CHECK(policy_is_hide_rename("a", ".fuse_hidden1"));
    CHECK(!policy_is_hide_rename("local/kenburns/out/a.mp4",
                                 "local/kenburns/.fuse_hidden01"));
    CHECK(
        !policy_is_hide_rename("local/kenburns/a.mp4", "local/kenburns/b.mp4"));
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/a.mp4",
                                     "local/kenburns/out/.fuse_hidden01", 0,
                                     false),
                 -EACCES);
    CHECK_INT_EQ(policy_check_rename(p, "local/kenburns/MODEL.md",
                                     "local/kenburns/.fuse_hidden01", 0, false),
                 -EPERM);
    policy_free(p);
}

static void bad_model_folders_are_refused(void)
{
    const char *nested[] = { "local/kenburns", "local/kenburns/fast" };
    const char *absolute[] = { "/local/kenburns" };
    const char *dotdot[] = { "local/../x" };
    struct policy *p = NULL;

    CHECK_INT_EQ(policy_new(nested, 2, &p), -EINVAL);
    CHECK_INT_EQ(policy_new(absolute, 1, &p), -EINVAL);
    CHECK_INT_EQ(policy_new(dotdot, 1, &p), -EINVAL);
    CHECK(p == NULL);
}

static void images_are_capped_while_written(void)
{
    const char *models[] = { "local/kenburns" };
    struct policy *p = NULL;

    CHECK_INT_EQ(policy_new(models, 1, &p), 0);
    CHECK_INT_EQ(policy_write_cap_bytes(p, "local/kenburns/a.jpg"),
                 IMAGES_MAX_BYTES + 1ULL);
    CHECK_INT_EQ(policy_write_cap_bytes(p, "local/kenburns/trip/B.PNG"),
                 IMAGES_MAX_BYTES + 1ULL);
    /* Temporaries, other files and out/ are not images of a job. */
    CHECK_INT_EQ(policy_write_cap_bytes(p, "local/kenburns/.a.jpg.XyZ"), 0);
    CHECK_INT_EQ(policy_write_cap_bytes(p, "local/kenburns/a.jpg.part"), 0);
    CHECK_INT_EQ(policy_write_cap_bytes(p, "local/kenburns/request.json"), 0);
    CHECK_INT_EQ(policy_write_cap_bytes(p, "local/kenburns/film.mov"), 0);
    CHECK_INT_EQ(policy_write_cap_bytes(p, "local/kenburns/out/a.png"), 0);
    policy_free(p);
}

/* out/<stem>.json must fit in a name: a 251-byte stem's record cannot. */
static void images_whose_record_cannot_be_named_are_refused(void)
{
    const char *models[] = { "local/kenburns" };
    struct policy *p = NULL;
    char rel[400], stem[260];

    CHECK_INT_EQ(policy_new(models, 1, &p), 0);
    memset(stem, 'a', 251);
    stem[251] = '\0';
    snprintf(rel, sizeof(rel), "local/kenburns/%s.png", stem);
    CHECK_INT_EQ(policy_check(p, rel, POLICY_CREATE, false), -ENAMETOOLONG);
    CHECK_INT_EQ(policy_check(p, rel, POLICY_READ, false), 0);
    stem[250] = '\0';
    snprintf(rel, sizeof(rel), "local/kenburns/%s.png", stem);
    CHECK_INT_EQ(policy_check(p, rel, POLICY_CREATE, false), 0);
    /* Other files keep every name the disk allows. */
    stem[250] = 'a';
    snprintf(rel, sizeof(rel), "local/kenburns/%s.txt", stem);
    CHECK_INT_EQ(policy_check(p, rel, POLICY_CREATE, false), 0);
    policy_free(p);
}

CHECK_MAIN(CHECK_CASE(paths_fall_in_their_areas),
           CHECK_CASE(images_are_capped_while_written),
           CHECK_CASE(images_whose_record_cannot_be_named_are_refused),
           CHECK_CASE(users_cannot_change_the_fixed_part),
           CHECK_CASE(generated_files_are_read_only),
           CHECK_CASE(the_drop_area_is_a_full_filesystem),
           CHECK_CASE(users_only_read_and_delete_in_out),
           CHECK_CASE(the_publisher_writes_out_and_the_private_folder),
           CHECK_CASE(users_do_not_see_the_private_folder),
           CHECK_CASE(moves_between_models_cross_devices),
           CHECK_CASE(symlinks_stay_inside_the_store),
           CHECK_CASE(chains_of_symlinks_stay_inside),
           CHECK_CASE(rename_takes_only_noreplace_and_exchange),
           CHECK_CASE(fixed_folders_list_the_catalog),
           CHECK_CASE(hiding_an_open_file_is_an_unlink),
           CHECK_CASE(bad_model_folders_are_refused))
