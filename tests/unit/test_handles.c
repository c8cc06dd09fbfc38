/*
 * Unit tests for the write-handle bookkeeping of the mount (fs/handles.c):
 * the last close of a name reports it, and counts follow renames.
 */
#include <stdlib.h>

#include "fs/handles.h"
#include "tests/check.h"

static void the_last_close_reports_the_name(void)
{
    struct handles *hs = handles_new();
    struct handle *a = handles_open(hs, "local/kenburns/a.jpg");
    struct handle *b = handles_open(hs, "local/kenburns/a.jpg");
    char *rel = NULL;

    CHECK(a == b);
    CHECK_INT_EQ(handles_count(hs, "local/kenburns/a.jpg"), 2);
    CHECK(!handles_release(hs, a, &rel));
    CHECK(rel == NULL);
    CHECK(handles_release(hs, b, &rel));
    CHECK_STR_EQ(rel, "local/kenburns/a.jpg");
    CHECK_INT_EQ(handles_count(hs, "local/kenburns/a.jpg"), 0);
    free(rel);
    handles_free(hs);
}

static void a_rename_before_close_moves_the_count(void)
{
    struct handles *hs = handles_new();
    struct handle *h = handles_open(hs, "m/.goutputstream-XYZ");
    char *rel = NULL;

    /* gio save: write a temp file, rename it into place, then close. */
    handles_rename(hs, "m/.goutputstream-XYZ", "m/photo.jpg", false);
    CHECK_INT_EQ(handles_count(hs, "m/.goutputstream-XYZ"), 0);
    CHECK_INT_EQ(handles_count(hs, "m/photo.jpg"), 1);
    CHECK(handles_release(hs, h, &rel));
    CHECK_STR_EQ(rel, "m/photo.jpg");
    free(rel);
    handles_free(hs);
}

static void unlinked_and_replaced_names_report_nothing(void)
{
    struct handles *hs = handles_new();
    struct handle *gone = handles_open(hs, "m/a.jpg");
    struct handle *victim, *fresh;
    char *rel = NULL;

    handles_forget(hs, "m/a.jpg");
    CHECK_INT_EQ(handles_count(hs, "m/a.jpg"), 0);
    fresh = handles_open(hs, "m/a.jpg"); /* a new file of the same name */
    CHECK(fresh != gone);
    CHECK(!handles_release(hs, gone, &rel));
    CHECK(handles_release(hs, fresh, &rel));
    CHECK_STR_EQ(rel, "m/a.jpg");
    free(rel);
    rel = NULL;

    victim = handles_open(hs, "m/b.jpg");
    handles_rename(hs, "m/c.jpg", "m/b.jpg", false);
    CHECK_INT_EQ(handles_count(hs, "m/b.jpg"), 0);
    CHECK(!handles_release(hs, victim, &rel));
    handles_free(hs);
}

static void folder_renames_and_exchanges_move_entries(void)
{
    struct handles *hs = handles_new();
    struct handle *a = handles_open(hs, "m/trip/a.jpg");
    struct handle *b = handles_open(hs, "m/other/b.jpg");
    struct handle *c = handles_open(hs, "m/tripx/c.jpg");
    char *rel = NULL;

    handles_rename(hs, "m/trip", "m/journey", false);
    CHECK_INT_EQ(handles_count(hs, "m/journey/a.jpg"), 1);
    CHECK_INT_EQ(handles_count(hs, "m/tripx/c.jpg"), 1); /* not below */
    handles_rename(hs, "m/journey", "m/other", true);
    CHECK_INT_EQ(handles_count(hs, "m/other/a.jpg"), 1);
    CHECK_INT_EQ(handles_count(hs, "m/journey/b.jpg"), 1);
    CHECK(handles_release(hs, a, &rel));
    CHECK_STR_EQ(rel, "m/other/a.jpg");
    free(rel);
    CHECK(handles_release(hs, b, &rel));
    CHECK_STR_EQ(rel, "m/journey/b.jpg");
    free(rel);
    CHECK(handles_release(hs, c, &rel));
    free(rel);
    handles_free(hs);
}

static void busy_reports_are_throttled(void)
{
    struct handles *hs = handles_new();
    struct handle *h = handles_open(hs, "m/a.jpg");
    char *rel = NULL;

    CHECK(handles_busy_due(hs, h, 1000, 100, &rel));
    CHECK_STR_EQ(rel, "m/a.jpg");
    free(rel);
    rel = NULL;
    CHECK(!handles_busy_due(hs, h, 1050, 100, &rel));
    CHECK(handles_busy_due(hs, h, 1100, 100, &rel));
    free(rel);
    rel = NULL;
    handles_forget(hs, "m/a.jpg");
    CHECK(!handles_busy_due(hs, h, 5000, 100, &rel));
    CHECK(!handles_release(hs, h, &rel));
    handles_free(hs);
}

CHECK_MAIN(CHECK_CASE(the_last_close_reports_the_name),
           CHECK_CASE(a_rename_before_close_moves_the_count),
           CHECK_CASE(unlinked_and_replaced_names_report_nothing),
           CHECK_CASE(folder_renames_and_exchanges_move_entries),
           CHECK_CASE(busy_reports_are_throttled))
