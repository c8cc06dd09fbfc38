/*
 * The upload cache: <store>/.i2vfs/uploads/<uploader>/<sha256> holds the
 * URL an uploader gave for those bytes, so a restart or a second job with
 * the same image reuses the upload instead of sending it again.
 */
#ifndef JOBS_UPLOADS_H
#define JOBS_UPLOADS_H

/*
 * The cached URL of the bytes sha256 (hex) at uploader ("blob", "krea").
 * Returns 0 with *url (caller frees), or -ENOENT when there is none (or
 * the entry is not an http(s) URL).
 */
int uploads_lookup(const char *store_root, const char *uploader,
                   const char *sha256, char **url);

/* Remembers url for sha256 at uploader (atomic write). 0 or -errno. */
int uploads_store(const char *store_root, const char *uploader,
                  const char *sha256, const char *url);

#endif
