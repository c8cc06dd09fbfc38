/*
 * Unit tests for the JSON helpers (core/json.c): typed getters and parse
 * errors with line and column.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/json.h"
#include "tests/check.h"

static const char sample[] =
    "{\"name\": \"kenburns\", \"duration\": 5, \"ratio\": 1.5,\n"
    " \"big\": 1e300, \"half\": 2.5, \"neg\": -7, \"loop\": false,\n"
    " \"opts\": {\"fps\": 24}, \"list\": [1, 2], \"none\": null}";

static void getters_report_types(void)
{
    cJSON *root = NULL;
    char *err = NULL;
    const char *s = NULL;
    const cJSON *o = NULL;
    int64_t i = 0;
    double d = 0;
    bool b = true;

    CHECK_INT_EQ(json_parse(sample, strlen(sample), &root, &err), 0);
    CHECK(err == NULL);
    if (!root)
        return;
    CHECK_INT_EQ(json_get_string(root, "name", &s), 0);
    CHECK_STR_EQ(s, "kenburns");
    CHECK_INT_EQ(json_get_string(root, "duration", &s), -EINVAL);
    CHECK_INT_EQ(json_get_string(root, "missing", &s), -ENOENT);
    CHECK_INT_EQ(json_get_string(root, "none", &s), -ENOENT);
    CHECK_INT_EQ(json_get_string(root, "Name", &s), -ENOENT);

    CHECK_INT_EQ(json_get_int(root, "duration", &i), 0);
    CHECK_INT_EQ(i, 5);
    CHECK_INT_EQ(json_get_int(root, "neg", &i), 0);
    CHECK_INT_EQ(i, -7);
    CHECK_INT_EQ(json_get_int(root, "half", &i), -EINVAL);
    CHECK_INT_EQ(json_get_int(root, "big", &i), -ERANGE);
    CHECK_INT_EQ(json_get_int(root, "name", &i), -EINVAL);

    CHECK_INT_EQ(json_get_double(root, "ratio", &d), 0);
    CHECK_DBL_NEAR(d, 1.5, 1e-12);
    CHECK_INT_EQ(json_get_double(root, "loop", &d), -EINVAL);

    CHECK_INT_EQ(json_get_bool(root, "loop", &b), 0);
    CHECK(!b);
    CHECK_INT_EQ(json_get_bool(root, "duration", &b), -EINVAL);

    CHECK_INT_EQ(json_get_object(root, "opts", &o), 0);
    CHECK_INT_EQ(json_get_int(o, "fps", &i), 0);
    CHECK_INT_EQ(i, 24);
    CHECK_INT_EQ(json_get_object(root, "list", &o), -EINVAL);
    CHECK_INT_EQ(json_get_array(root, "list", &o), 0);
    CHECK_INT_EQ(cJSON_GetArraySize(o), 2);
    CHECK_INT_EQ(json_get_array(root, "opts", &o), -EINVAL);

    /* Not an object at all. */
    CHECK_INT_EQ(json_get_int(o, "x", &i), -EINVAL);
    CHECK_INT_EQ(json_get_int(NULL, "x", &i), -EINVAL);

    CHECK_STR_EQ(json_type_name(cJSON_GetObjectItem(root, "name")), "string");
    CHECK_STR_EQ(json_type_name(cJSON_GetObjectItem(root, "list")), "array");
    CHECK_STR_EQ(json_type_name(cJSON_GetObjectItem(root, "none")), "null");
    CHECK_STR_EQ(json_type_name(cJSON_GetObjectItem(root, "loop")), "boolean");
    CHECK_STR_EQ(json_type_name(NULL), "nothing");
    cJSON_Delete(root);
}

static void line_col_counts_characters(void)
{
    const char *text = "ab\ncd\n\xc3\xa9t\xc3\xa9x";
    int line = 0, col = 0;

    json_line_col(text, 0, &line, &col);
    CHECK_INT_EQ(line, 1);
    CHECK_INT_EQ(col, 1);
    json_line_col(text, 4, &line, &col); /* 'd' */
    CHECK_INT_EQ(line, 2);
    CHECK_INT_EQ(col, 2);
    json_line_col(text, 10, &line, &col); /* 'x' after "été" */
    CHECK_INT_EQ(line, 3);
    CHECK_INT_EQ(col, 4);
    json_line_col(text, 1000, &line, &col); /* past the end */
    CHECK_INT_EQ(line, 3);
    CHECK_INT_EQ(col, 5);
}

static void parse_errors_name_the_place(void)
{
    const char *bad = "{\n  \"duration\": 5,\n  \"fps\": 24 \"x\": 1\n}";
    cJSON *root = NULL;
    char *err = NULL;

    CHECK_INT_EQ(json_parse(bad, strlen(bad), &root, &err), -EINVAL);
    CHECK(root == NULL);
    CHECK_STR_CONTAINS(err, "line 3, column 13");
    CHECK_STR_CONTAINS(err, "near '\"'");
    free(err);
    err = NULL;

    const char *cut = "{\"duration\": 5,";
    CHECK_INT_EQ(json_parse(cut, strlen(cut), &root, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "line 1");
    CHECK_STR_CONTAINS(err, "end of the text");
    free(err);
    err = NULL;

    /* Trailing garbage is an error too. */
    const char *trail = "{} x";
    CHECK_INT_EQ(json_parse(trail, strlen(trail), &root, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "line 1, column 4");
    free(err);
    err = NULL;

    CHECK_INT_EQ(json_parse("", 0, &root, &err), -EINVAL);
    CHECK_STR_CONTAINS(err, "empty");
    free(err);
    err = NULL;

    /* Not NUL-terminated: only size bytes count. */
    const char buf[] = { '[', '1', ']', 'x' };
    CHECK_INT_EQ(json_parse(buf, 3, &root, &err), 0);
    CHECK(cJSON_IsArray(root));
    cJSON_Delete(root);
}

CHECK_MAIN(CHECK_CASE(getters_report_types),
           CHECK_CASE(line_col_counts_characters),
           CHECK_CASE(parse_errors_name_the_place))
