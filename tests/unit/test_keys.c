/*
 * Unit tests for job keys and the dedup index (jobs/keys.c).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "jobs/keys.h"
#include "tests/check.h"

static void canonical_text_sorts_keys_at_every_depth(void)
{
    cJSON *a = cJSON_Parse("{\"b\":1,\"a\":{\"y\":[3,{\"q\":1,\"p\":2}],"
                           "\"x\":\"s\"}}");
    char *text = keys_canonical(a);

    CHECK_STR_EQ(text, "{\"a\":{\"x\":\"s\",\"y\":[3,{\"p\":2,\"q\":1}]},"
                       "\"b\":1}");
    free(text);
    cJSON_Delete(a);
}

static void key_depends_on_what_is_asked_only(void)
{
    cJSON *r1 = cJSON_Parse("{\"duration\":5,\"fps\":24}");
    cJSON *r2 = cJSON_Parse("{\"fps\":24,\"duration\":5}");
    cJSON *r3 = cJSON_Parse("{\"fps\":24,\"duration\":6}");
    const char *assets1[] = { "aa" }, *assets2[] = { "ab" };
    char k1[HASH_HEX_LEN + 1], k2[HASH_HEX_LEN + 1], k3[HASH_HEX_LEN + 1];
    char k4[HASH_HEX_LEN + 1], k5[HASH_HEX_LEN + 1], k6[HASH_HEX_LEN + 1];

    keys_compute("local/kenburns", r1, "img", NULL, 0, k1);
    keys_compute("local/kenburns", r2, "img", NULL, 0, k2);
    keys_compute("local/kenburns", r3, "img", NULL, 0, k3);
    keys_compute("local/kenburns", r1, "img2", NULL, 0, k4);
    keys_compute("local/kenburns", r1, "img", assets1, 1, k5);
    keys_compute("local/kenburns", r1, "img", assets2, 1, k6);
    CHECK_STR_EQ(k1, k2);
    CHECK(strcmp(k1, k3) != 0);
    CHECK(strcmp(k1, k4) != 0);
    CHECK(strcmp(k1, k5) != 0);
    CHECK(strcmp(k5, k6) != 0);
    CHECK_INT_EQ(strlen(k1), HASH_HEX_LEN);
    cJSON_Delete(r1);
    cJSON_Delete(r2);
    cJSON_Delete(r3);
}

static void index_remembers_and_forgets(void)
{
    char *store = xstrdup("/tmp/i2vfs-test-keys.XXXXXX"), *got = NULL, *cmd;
    const char *key = "0123456789abcdef0123456789abcdef"
                      "0123456789abcdef0123456789abcdef";

    CHECK(mkdtemp(store) != NULL);
    CHECK(keys_lookup(store, key, &got) < 0);
    CHECK_INT_EQ(keys_store(store, key, "local/kenburns/out/photo"), 0);
    CHECK_INT_EQ(keys_lookup(store, key, &got), 0);
    CHECK_STR_EQ(got, "local/kenburns/out/photo");
    free(got);
    got = NULL;
    /* Forgetting another job's record leaves the entry. */
    CHECK_INT_EQ(keys_forget(store, key, "local/kenburns/out/other"), 0);
    CHECK_INT_EQ(keys_lookup(store, key, &got), 0);
    free(got);
    got = NULL;
    CHECK_INT_EQ(keys_forget(store, key, "local/kenburns/out/photo"), 0);
    CHECK(keys_lookup(store, key, &got) < 0);
    cmd = xasprintf("rm -rf '%s'", store);
    CHECK_INT_EQ(system(cmd), 0);
    free(cmd);
    free(store);
}

CHECK_MAIN(CHECK_CASE(canonical_text_sorts_keys_at_every_depth),
           CHECK_CASE(key_depends_on_what_is_asked_only),
           CHECK_CASE(index_remembers_and_forgets))
