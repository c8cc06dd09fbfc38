/*
 * i2vfs: the command line. Parses options in the style of sshfs, wires the
 * catalog, the publisher, the engine and a front end (the FUSE mount, or
 * `i2vfs watch DIR`), and turns failures into the exit status.
 */
#include "fs/fuse_version.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include <fuse.h>

#include "core/fsutil.h"
#include "core/log.h"
#include "core/loop.h"
#include "core/mem.h"
#include "fs/daemon.h"
#include "fs/fs.h"
#include "fs/hidden.h"
#include "fs/mountpoint.h"
#include "fs/watchdir.h"
#include "jobs/engine.h"
#include "jobs/publish.h"
#include "providers/catalog.h"
#include "providers/config.h"

#define I2VFS_VERSION "0.1.0"

/* The name mount.fuse3 passes as the first argument for the default store. */
#define DEFAULT_STORE_NAME "i2vfs"

#define UNSET UINT_MAX

struct options {
    char *store;
    char *config;
    unsigned quiet_ms;
    unsigned workers;
    int is_foreground;
    int is_single_thread;
    int is_debug;
    int show_help;
    int show_version;
    int has_allow_other;
    int has_default_permissions;
    char *positional[2];
    int positional_count;
    int is_bad;
};

enum option_key {
    KEY_DEBUG,
    KEY_ALLOW_OTHER,
    KEY_DEFAULT_PERMISSIONS,
};

#define OPT(templ, member, value)                      \
    {                                                  \
        templ, offsetof(struct options, member), value \
    }

static const struct fuse_opt option_spec[] = {
    OPT("store=%s", store, 0),
    OPT("--store %s", store, 0),
    OPT("config=%s", config, 0),
    OPT("--config %s", config, 0),
    OPT("quiet_ms=%u", quiet_ms, 0),
    OPT("workers=%u", workers, 0),
    OPT("-f", is_foreground, 1),
    OPT("-s", is_single_thread, 1),
    OPT("-h", show_help, 1),
    OPT("--help", show_help, 1),
    OPT("-V", show_version, 1),
    OPT("--version", show_version, 1),
    FUSE_OPT_KEY("-d", KEY_DEBUG),
    FUSE_OPT_KEY("--debug", KEY_DEBUG),
    FUSE_OPT_KEY("debug", KEY_DEBUG),
    FUSE_OPT_KEY("allow_other", KEY_ALLOW_OTHER),
    FUSE_OPT_KEY("default_permissions", KEY_DEFAULT_PERMISSIONS),
    FUSE_OPT_END,
};

static int option_cb(void *data, const char *arg, int key,
                     struct fuse_args *outargs)
{
    struct options *o = data;

    switch (key) {
    case KEY_DEBUG:
        o->is_debug = 1;
        o->is_foreground = 1;
        /* libfuse logs every request too; it knows -d. */
        return fuse_opt_add_arg(outargs, "-d") == 0 ? 0 : -1;
    case KEY_ALLOW_OTHER:
        o->has_allow_other = 1;
        return 1;
    case KEY_DEFAULT_PERMISSIONS:
        o->has_default_permissions = 1;
        return 1;
    case FUSE_OPT_KEY_NONOPT:
        if (o->positional_count == 2) {
            log_error("unexpected argument: %s (see i2vfs --help)", arg);
            o->is_bad = 1;
            return 0;
        }
        o->positional[o->positional_count++] = xstrdup(arg);
        return 0;
    default:
        return 1; /* a FUSE option: fuse_new checks it */
    }
}

static void print_usage(void)
{
    printf("usage: i2vfs [options] MOUNTPOINT\n"
           "       i2vfs [options] STORE MOUNTPOINT\n"
           "       i2vfs watch [options] DIR\n"
           "\n"
           "Image-to-video generation as files: every model is a folder. Drop\n"
           "an image (and a request.json) into a model's folder; the video\n"
           "appears in its out/ folder. Unmount with: fusermount3 -u "
           "MOUNTPOINT\n"
           "\n"
           "The second form is how mount.fuse3 runs i2vfs from /etc/fstab\n"
           "(STORE \"i2vfs\" means the default store). `watch` serves a plain\n"
           "folder with inotify instead of a mount; DIR is also the store.\n"
           "\n"
           "options:\n"
           "    -h, --help          print this help and exit\n"
           "    -V, --version       print the version and exit\n"
           "    -f                  stay in the foreground\n"
           "    -d, --debug         log debug messages (implies -f)\n"
           "    -s                  serve requests on a single thread\n"
           "    --store DIR         where files are kept (default\n"
           "                        $XDG_DATA_HOME/i2vfs or "
           "~/.local/share/i2vfs)\n"
           "    -o store=DIR        same as --store\n"
           "    --config FILE       cloud keys and settings (default\n"
           "                        $XDG_CONFIG_HOME/i2vfs/config.json or\n"
           "                        ~/.config/i2vfs/config.json; must be\n"
           "                        mode 0600); the environment wins:\n"
           "                        AI_GATEWAY_API_KEY, KLINGAI_API_KEY or\n"
           "                        KLINGAI_ACCESS_KEY + KLINGAI_SECRET_KEY,\n"
           "                        KREA_API_KEY, BLOB_READ_WRITE_TOKEN\n"
           "    -o config=FILE      same as --config\n"
           "    -o quiet_ms=N       quiet moment before a written file counts\n"
           "                        (default 300, or $I2VFS_QUIET_MS)\n"
           "    -o workers=N        renders that run at once (default 1)\n"
           "    -o allow_other      let other users in; needs\n"
           "                        -o default_permissions as well\n"
           "    -o OPT[,OPT...]     other mount options, as below\n"
           "\n");
}

static void print_fuse_help(void)
{
    char *argv[] = { NULL, NULL };
    struct fuse_args args = FUSE_ARGS_INIT(1, argv);
    char name[] = "i2vfs";

    argv[0] = name;
    printf("FUSE options:\n");
    fflush(stdout);
    fuse_lib_help(&args);
    fuse_opt_free_args(&args);
}

static char *default_store(void)
{
    const char *xdg = getenv("XDG_DATA_HOME");
    const char *home = getenv("HOME");

    if (xdg && xdg[0] == '/')
        return xasprintf("%s/i2vfs", xdg);
    if (home && home[0] == '/')
        return xasprintf("%s/.local/share/i2vfs", home);
    return NULL;
}

/* Creates dir if missing; returns its resolved path or NULL (logged). */
static char *prepare_dir(const char *dir, const char *what)
{
    char *abs;
    int err = fsutil_mkdir_p(dir, 0700);

    if (err) {
        log_error("cannot create the %s %s: %s", what, dir, strerror(-err));
        return NULL;
    }
    abs = realpath(dir, NULL);
    if (!abs)
        log_error("cannot use the %s %s: %s", what, dir, strerror(errno));
    return abs;
}

/* True when path is dir or inside it (both resolved). */
static bool is_inside(const char *path, const char *dir)
{
    size_t len = strlen(dir);

    if (strcmp(dir, "/") == 0)
        return true;
    return strncmp(path, dir, len) == 0 &&
           (path[len] == '\0' || path[len] == '/');
}

static unsigned quiet_ms_of(const struct options *o)
{
    const char *env = getenv("I2VFS_QUIET_MS");
    char *end;
    unsigned long value;

    if (o->quiet_ms != UNSET)
        return o->quiet_ms;
    if (env && *env) {
        errno = 0;
        value = strtoul(env, &end, 10);
        if (!errno && !*end && value <= UINT_MAX / 2)
            return (unsigned)value;
        log_warn("ignoring I2VFS_QUIET_MS=%s: not a number of ms", env);
    }
    return 0;
}

/* The signals that stop i2vfs; only the thread that handles them sees them. */
static void stop_signals(sigset_t *set)
{
    /* These cannot fail for valid signal numbers. */
    (void)sigemptyset(set);
    (void)sigaddset(set, SIGINT);
    (void)sigaddset(set, SIGTERM);
    (void)sigaddset(set, SIGHUP);
}

/* The parts both front ends share, made and freed in order. */
struct stack {
    struct config *config;
    struct catalog *catalog;
    struct publisher *publisher;
    struct engine *engine;
};

static int stack_new(const struct options *o, const char *store,
                     struct stack *s)
{
    struct engine_config ecfg = { 0 };
    char *msg = NULL;
    int err;

    err = config_load(o->config, &s->config, &msg);
    if (err) {
        log_error("cannot read the configuration: %s", msg ? msg : "?");
        free(msg);
        return err;
    }
    err = catalog_new(&s->catalog, &msg);
    if (err) {
        log_error("the model catalog is invalid: %s", msg ? msg : "?");
        free(msg);
        return err;
    }
    err = publisher_new(store, &s->publisher);
    if (err) {
        log_error("cannot start the publisher in %s: %s", store,
                  strerror(-err));
        return err;
    }
    ecfg.store_root = store;
    ecfg.catalog = s->catalog;
    ecfg.publisher = s->publisher;
    ecfg.quiet_ms = quiet_ms_of(o);
    ecfg.render_workers = o->workers == UNSET ? 0 : o->workers;
    ecfg.cloud_config = s->config;
    err = engine_new(&ecfg, &s->engine);
    if (err)
        log_error("cannot start the engine in %s: %s", store, strerror(-err));
    return err;
}

/* Publishes what is pending, then frees: the publisher outlives the engine. */
static void stack_free(struct stack *s)
{
    if (s->publisher)
        publisher_flush(s->publisher);
    engine_free(s->engine);
    publisher_free(s->publisher);
    catalog_free(s->catalog);
    config_free(s->config);
}

static void *engine_thread(void *arg)
{
    int err = engine_run(arg);

    if (err)
        log_error("the engine stopped: %s", strerror(-err));
    return NULL;
}

static int run_mount(struct options *o, struct fuse_args *args)
{
    const char *mount_arg, *store_arg = o->store;
    char *mountpoint = NULL, *store = NULL, *fallback = NULL;
    struct stack s = { 0 };
    struct fs_config fcfg = { 0 };
    pthread_t thread;
    sigset_t signals;
    int err, ready_fd = -1, swept;

    if (o->positional_count == 0) {
        log_error("no mountpoint given (see i2vfs --help)");
        return 1;
    }
    mount_arg = o->positional[o->positional_count - 1];
    if (o->positional_count == 2 &&
        strcmp(o->positional[0], DEFAULT_STORE_NAME) != 0) {
        if (store_arg && strcmp(store_arg, o->positional[0]) != 0) {
            log_error("two stores given: %s and %s", store_arg,
                      o->positional[0]);
            return 1;
        }
        store_arg = o->positional[0];
    }
    if (o->has_allow_other && !o->has_default_permissions) {
        log_error("allow_other needs default_permissions too "
                  "(-o allow_other,default_permissions), so that files "
                  "keep their owners' permissions");
        return 1;
    }
    if (!store_arg) {
        fallback = default_store();
        store_arg = fallback;
        if (!store_arg) {
            log_error("no store: set --store, XDG_DATA_HOME or HOME");
            return 1;
        }
    }
    err = mountpoint_prepare(mount_arg, &mountpoint);
    if (err) {
        log_error("cannot mount on %s: %s", mount_arg, strerror(-err));
        goto fail;
    }
    store = prepare_dir(store_arg, "store");
    if (!store)
        goto fail;
    if (is_inside(store, mountpoint) || is_inside(mountpoint, store)) {
        log_error("the store %s and the mountpoint %s must not contain each "
                  "other",
                  store, mountpoint);
        goto fail;
    }
    /*
     * The mountpoint is free, so no mount of this store is alive: files
     * libfuse hid for a killed one can never be closed, only swept.
     */
    swept = hidden_sweep(store);
    if (swept > 0)
        log_info("removed %d file(s) that a stopped mount left hidden in %s",
                 swept, store);
    if (!o->is_foreground) {
        err = daemon_start(&ready_fd);
        if (err) {
            log_error("cannot go to the background: %s", strerror(-err));
            goto fail;
        }
    }
    if (stack_new(o, store, &s) != 0)
        goto fail_stack;
    err = pthread_create(&thread, NULL, engine_thread, s.engine);
    if (err) {
        log_error("cannot start the engine thread: %s", strerror(err));
        goto fail_stack;
    }
    /* Only this thread takes SIGINT/SIGTERM/SIGHUP: libfuse's handlers. */
    stop_signals(&signals);
    (void)pthread_sigmask(SIG_UNBLOCK, &signals, NULL);

    fcfg.store_root = store;
    fcfg.mountpoint = mountpoint;
    fcfg.catalog = s.catalog;
    fcfg.engine = s.engine;
    fcfg.publisher = s.publisher;
    fcfg.foreground = o->is_foreground;
    fcfg.single_thread = o->is_single_thread;
    fcfg.ready_fd = ready_fd;
    fcfg.args = args;
    err = fs_main(&fcfg);

    (void)pthread_sigmask(SIG_BLOCK, &signals, NULL);
    engine_stop(s.engine);
    pthread_join(thread, NULL);
    stack_free(&s);
    free(store);
    free(mountpoint);
    free(fallback);
    return err ? 1 : 0;

fail_stack:
    stack_free(&s);
fail:
    free(store);
    free(mountpoint);
    free(fallback);
    return 1;
}

static void stop_cb(struct loop *loop, void *arg)
{
    (void)loop;
    engine_stop(arg);
}

static int run_watch(struct options *o, struct fuse_args *args)
{
    static const int signals[] = { SIGINT, SIGTERM, SIGHUP };
    struct watchdir *wd = NULL;
    struct stack s = { 0 };
    char *dir;
    int err;

    if (args->argc > 1) {
        /* Unknown options stay in args, "-o" "a,b" last. */
        log_error("watch: unknown option %s (see i2vfs --help)",
                  args->argv[args->argc - 1]);
        return 1;
    }
    if (o->positional_count != 1) {
        log_error("watch needs one folder: i2vfs watch DIR");
        return 1;
    }
    if (o->store) {
        log_error("watch: the watched folder is the store; drop --store");
        return 1;
    }
    dir = prepare_dir(o->positional[0], "folder");
    if (!dir)
        return 1;
    err = stack_new(o, dir, &s);
    if (!err)
        err = watchdir_new(dir, s.catalog, s.engine, &wd);
    for (size_t i = 0; !err && i < sizeof(signals) / sizeof(*signals); i++)
        err = loop_add_signal(engine_loop(s.engine), signals[i], stop_cb,
                              s.engine);
    if (!err) {
        log_info("watching %s", dir);
        err = engine_run(s.engine);
        if (err)
            log_error("the engine stopped: %s", strerror(-err));
    } else {
        log_error("cannot watch %s: %s", dir, strerror(-err));
    }
    watchdir_free(wd);
    stack_free(&s);
    free(dir);
    return err ? 1 : 0;
}

int main(int argc, char **argv)
{
    struct options o = { .quiet_ms = UNSET, .workers = UNSET };
    bool is_watch = argc > 1 && strcmp(argv[1], "watch") == 0;
    struct fuse_args args;
    sigset_t signals;
    int status;

    /*
     * The keys live in this process's memory: a crash writes no core file,
     * and other processes of the user cannot ptrace it or read its
     * /proc/<pid>/environ or mem. Best effort: without it we still run.
     */
    (void)prctl(PR_SET_DUMPABLE, 0L, 0L, 0L, 0L);
    /*
     * Block the stop signals before any thread starts, so every thread
     * inherits the mask; the thread that handles them unblocks them.
     */
    stop_signals(&signals);
    (void)pthread_sigmask(SIG_BLOCK, &signals, NULL);
    if (is_watch) {
        argv[1] = argv[0];
        argc--;
        argv++;
    }
    args = (struct fuse_args)FUSE_ARGS_INIT(argc, argv);
    if (fuse_opt_parse(&args, &o, option_spec, option_cb) != 0 || o.is_bad) {
        status = 1;
        goto out;
    }
    /* "--store %s" also matches "--store=DIR", leaving the '='. */
    if (o.store && o.store[0] == '=')
        memmove(o.store, o.store + 1, strlen(o.store));
    if (o.config && o.config[0] == '=')
        memmove(o.config, o.config + 1, strlen(o.config));
    if (o.show_help) {
        print_usage();
        if (!is_watch)
            print_fuse_help();
        status = 0;
        goto out;
    }
    if (o.show_version) {
        printf("i2vfs %s\nFUSE library %s\n", I2VFS_VERSION, fuse_pkgversion());
        status = 0;
        goto out;
    }
    log_set_level(o.is_debug ? LOG_DEBUG : LOG_INFO);
    status = is_watch ? run_watch(&o, &args) : run_mount(&o, &args);
out:
    fuse_opt_free_args(&args);
    for (int i = 0; i < o.positional_count; i++)
        free(o.positional[i]);
    free(o.store);
    free(o.config);
    return status;
}
