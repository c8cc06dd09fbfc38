/*
 * Motion words in the prompt mapped to Kling cameraControl axes (see
 * motion.h).
 */
#include "providers/local/motion.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#define WORD_STRENGTH 5 /* Kling units for a plain "pan left" */

struct phrase {
    const char *words;
    enum kb_axis axis;
    double value;
};

/* Zoom values follow Kling: negative narrows the view, i.e. zooms in. */
static const struct phrase phrases[] = {
    { "zoom in", KB_AXIS_ZOOM, -WORD_STRENGTH },
    { "zooms in", KB_AXIS_ZOOM, -WORD_STRENGTH },
    { "zooming in", KB_AXIS_ZOOM, -WORD_STRENGTH },
    { "dolly in", KB_AXIS_ZOOM, -WORD_STRENGTH },
    { "push in", KB_AXIS_ZOOM, -WORD_STRENGTH },
    { "zoom out", KB_AXIS_ZOOM, WORD_STRENGTH },
    { "zooms out", KB_AXIS_ZOOM, WORD_STRENGTH },
    { "zooming out", KB_AXIS_ZOOM, WORD_STRENGTH },
    { "dolly out", KB_AXIS_ZOOM, WORD_STRENGTH },
    { "pull back", KB_AXIS_ZOOM, WORD_STRENGTH },
    { "pull out", KB_AXIS_ZOOM, WORD_STRENGTH },
    { "pan left", KB_AXIS_PAN, -WORD_STRENGTH },
    { "pans left", KB_AXIS_PAN, -WORD_STRENGTH },
    { "pan right", KB_AXIS_PAN, WORD_STRENGTH },
    { "pans right", KB_AXIS_PAN, WORD_STRENGTH },
    { "tilt up", KB_AXIS_TILT, WORD_STRENGTH },
    { "tilts up", KB_AXIS_TILT, WORD_STRENGTH },
    { "tilt down", KB_AXIS_TILT, -WORD_STRENGTH },
    { "tilts down", KB_AXIS_TILT, -WORD_STRENGTH },
    { "truck left", KB_AXIS_HORIZONTAL, -WORD_STRENGTH },
    { "truck right", KB_AXIS_HORIZONTAL, WORD_STRENGTH },
    { "move left", KB_AXIS_HORIZONTAL, -WORD_STRENGTH },
    { "moves left", KB_AXIS_HORIZONTAL, -WORD_STRENGTH },
    { "move right", KB_AXIS_HORIZONTAL, WORD_STRENGTH },
    { "moves right", KB_AXIS_HORIZONTAL, WORD_STRENGTH },
    { "pedestal up", KB_AXIS_VERTICAL, WORD_STRENGTH },
    { "pedestal down", KB_AXIS_VERTICAL, -WORD_STRENGTH },
    { "rise up", KB_AXIS_VERTICAL, WORD_STRENGTH },
    { "rises up", KB_AXIS_VERTICAL, WORD_STRENGTH },
    { "move up", KB_AXIS_VERTICAL, WORD_STRENGTH },
    { "moves up", KB_AXIS_VERTICAL, WORD_STRENGTH },
    { "move down", KB_AXIS_VERTICAL, -WORD_STRENGTH },
    { "moves down", KB_AXIS_VERTICAL, -WORD_STRENGTH },
    { "descend", KB_AXIS_VERTICAL, -WORD_STRENGTH },
    { "roll left", KB_AXIS_ROLL, -WORD_STRENGTH },
    { "counter-clockwise", KB_AXIS_ROLL, -WORD_STRENGTH },
    { "counterclockwise", KB_AXIS_ROLL, -WORD_STRENGTH },
    { "roll", KB_AXIS_ROLL, WORD_STRENGTH },
};

/* True when text has words at a word boundary, ignoring case. */
static bool has_phrase(const char *text, const char *words)
{
    size_t n = strlen(words);

    for (const char *p = strcasestr(text, words); p;
         p = strcasestr(p + 1, words)) {
        bool starts = p == text || !isalpha((unsigned char)p[-1]);
        bool ends = !isalpha((unsigned char)p[n]) || p[n] == 's';
        if (starts && ends) {
            return true;
        }
    }
    return false;
}

int kb_motion_words(const char *text, struct kb_move *move)
{
    bool axis_seen[KB_AXIS_COUNT] = { false };
    int found = 0;

    if (!text) {
        return 0;
    }
    /* The first phrase per axis wins, so "roll left" shadows "roll". */
    for (size_t i = 0; i < sizeof(phrases) / sizeof(phrases[0]); i++) {
        const struct phrase *ph = &phrases[i];
        if (axis_seen[ph->axis] || !has_phrase(text, ph->words)) {
            continue;
        }
        axis_seen[ph->axis] = true;
        move->value[ph->axis] = ph->value;
        found++;
    }
    return found;
}

void kb_motion_default(struct kb_move *move)
{
    kb_move_init(move);
    move->value[KB_AXIS_ZOOM] = -3;
}
