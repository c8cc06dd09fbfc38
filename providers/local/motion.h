/*
 * Motion words: a camera move read from the prompt ("zoom in", "pan left",
 * "dolly out" …) when the request gives no cameraControl.
 */
#ifndef PROVIDERS_LOCAL_MOTION_H
#define PROVIDERS_LOCAL_MOTION_H

#include "providers/local/camera.h"

/*
 * Adds to move every motion phrase found in text (case-insensitive).
 * Returns how many were found; 0 leaves move unchanged.
 */
int kb_motion_words(const char *text, struct kb_move *move);

/* The move used when nothing asks for one: a gentle zoom in. */
void kb_motion_default(struct kb_move *move);

#endif
