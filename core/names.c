/*
 * Naming rules of the drop area (see names.h).
 */
#include "core/names.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "core/mem.h"

static bool has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), s = strlen(suffix);

    return n >= s && strcasecmp(name + n - s, suffix) == 0;
}

bool names_is_junk(const char *name)
{
    static const char *const suffixes[] = { "~",    ".part", ".crdownload",
                                            ".tmp", ".swp",  ".swx",
                                            NULL };

    if (name[0] == '.' || name[0] == '\0')
        return true;
    if (strcasecmp(name, "Thumbs.db") == 0 ||
        strcasecmp(name, "desktop.ini") == 0)
        return true;
    for (size_t i = 0; suffixes[i]; i++) {
        if (has_suffix(name, suffixes[i]))
            return true;
    }
    return false;
}

bool names_is_image(const char *name)
{
    static const char *const exts[] = { ".jpg", ".jpeg", ".png", ".webp",
                                        NULL };

    for (size_t i = 0; exts[i]; i++) {
        if (has_suffix(name, exts[i]) && strlen(name) > strlen(exts[i]))
            return true;
    }
    return false;
}

char *names_stem(const char *name)
{
    const char *dot = strrchr(name, '.');

    if (!dot || dot == name)
        return xstrdup(name);
    return xstrndup(name, (size_t)(dot - name));
}

const char *names_base(const char *path)
{
    const char *slash = strrchr(path, '/');

    return slash ? slash + 1 : path;
}
