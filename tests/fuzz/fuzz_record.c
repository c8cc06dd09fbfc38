/*
 * Fuzz target: a job record read back at start-up (record_read_file).
 * Records live in out/, where users can write through watch mode, so any
 * bytes may be there. A record that reads back must write out as UTF-8
 * JSON that reads back, and what the daemon wrote must read back the same
 * (what the engine relies on at restart).
 */
#include <errno.h>
#include <locale.h>
#include <wchar.h>

#include <cjson/cJSON.h>

#include "jobs/record.h"
#include "tests/fuzz/fuzz.h"

static struct fuzz_file input;

int LLVMFuzzerInitialize(int *argc, char ***argv);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (!setlocale(LC_CTYPE, "C.UTF-8")) {
        fprintf(stderr, "no C.UTF-8 locale\n");
        abort();
    }
    fuzz_file_open(&input);
    return 0;
}

/* True when s is UTF-8, as JSON text must be (RFC 8259), by glibc's rules. */
static bool is_utf8(const char *s)
{
    mbstate_t st;
    size_t left = strlen(s);

    memset(&st, 0, sizeof(st));
    while (left > 0) {
        size_t n = mbrtowc(NULL, s, left, &st);

        if (n == (size_t)-1 || n == (size_t)-2)
            return false;
        s += n ? n : 1;
        left -= n ? n : 1;
    }
    return true;
}

static void check_fields(const struct record *rec)
{
    FUZZ_CHECK(rec->progress >= -1 && rec->progress <= 100);
    FUZZ_CHECK(rec->attempts >= 0);
    FUZZ_CHECK(strlen(rec->key) == 0 || strlen(rec->key) == HASH_HEX_LEN);
    FUZZ_CHECK(!rec->request || cJSON_IsObject(rec->request));
    if (rec->has_output) {
        FUZZ_CHECK(rec->output.bytes >= 0 && rec->output.frames >= 0);
        FUZZ_CHECK(rec->output.width >= 0 && rec->output.height >= 0);
    }
}

/* Writes rec out and reads it back into *again: the text written. */
static char *write_and_read(const struct record *rec, struct record *again)
{
    char *text = record_to_json(rec), *err = NULL;
    int rc;

    FUZZ_CHECK(is_utf8(text));
    rc = record_parse(text, again, &err);
    if (rc < 0)
        fprintf(stderr, "written record does not read back: %s\n%s", err, text);
    FUZZ_CHECK(rc == 0);
    check_fields(again);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct record rec, once, twice;
    char *err = NULL, *text1, *text2;
    cJSON *copy;
    int rc;

    if (size > RECORD_MAX_BYTES)
        return -1;
    fuzz_file_set(&input, data, size);
    rc = record_read_file(input.path, &rec, &err);
    if (rc < 0) {
        FUZZ_CHECK(rc == -EINVAL);
        FUZZ_CHECK_LINE(err);
        free(err);
        record_release(&rec);
        return 0;
    }
    FUZZ_CHECK(!err);
    check_fields(&rec);
    /*
     * The first write may normalize what a person wrote (text that is not
     * UTF-8, a field cut to its size); what the daemon wrote must read
     * back and write out the same.
     */
    free(write_and_read(&rec, &once));
    text1 = write_and_read(&once, &twice);
    text2 = record_to_json(&twice);
    if (strcmp(text1, text2) != 0)
        fprintf(stderr, "record changed on a round trip:\n%s---\n%s", text1,
                text2);
    FUZZ_CHECK(strcmp(text1, text2) == 0);
    if (rec.request) {
        copy = record_request_copy(rec.request);
        FUZZ_CHECK(cJSON_IsObject(copy));
        cJSON_Delete(copy);
    }
    free(text2);
    free(text1);
    record_release(&twice);
    record_release(&once);
    record_release(&rec);
    return 0;
}
