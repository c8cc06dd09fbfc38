/*
 * The offline provider "local": runs the kenburns renderer on a worker
 * thread. No key, no network.
 */
#include "providers/provider.h"

#include "providers/local/kenburns.h"

static int local_render(const struct provider_render_job *job,
                        provider_progress_cb progress, void *arg,
                        const atomic_bool *cancel, char **err)
{
    const struct kenburns_job kb = {
        .image_path = job->image_path,
        .asset_dir = job->asset_dir,
        .request = job->request,
        .out_path = job->out_path,
    };

    return kenburns_render(&kb, progress, arg, cancel, err);
}

const struct provider provider_local = {
    .name = "local",
    .caps = PROVIDER_CAP_LOCAL | PROVIDER_CAP_INPUT_IMAGE,
    .render = local_render,
};
