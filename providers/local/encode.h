/*
 * The renderer's output: libx264 through libavcodec (High profile,
 * yuv420p, BT.709 limited range, preset veryfast, CRF 20) into an MP4
 * through libavformat with +faststart.
 */
#ifndef PROVIDERS_LOCAL_ENCODE_H
#define PROVIDERS_LOCAL_ENCODE_H

#include <libavutil/frame.h>
#include <libavutil/rational.h>

struct kb_encoder;

/*
 * Opens path for a width × height video at fps (even sizes). Returns 0
 * with *out set, or a negative errno with *err (caller frees).
 */
int kb_encoder_open(struct kb_encoder **out, const char *path, int width,
                    int height, AVRational fps, char **err);

/*
 * A new yuv420p frame of the encoder's size for the caller to fill and
 * pass to kb_encoder_write; free with av_frame_free.
 */
AVFrame *kb_encoder_frame(const struct kb_encoder *enc);

/*
 * Encodes frame as the next frame (its pts is set here) and writes the
 * packets that are ready. The encoder keeps a reference to frame's
 * buffers; call av_frame_make_writable before filling it again.
 */
int kb_encoder_write(struct kb_encoder *enc, AVFrame *frame, char **err);

/* Drains the encoder and writes the MP4 index (moved to the front). */
int kb_encoder_finish(struct kb_encoder *enc, char **err);

/* Closes and frees; NULL does nothing. */
void kb_encoder_free(struct kb_encoder *enc);

#endif
