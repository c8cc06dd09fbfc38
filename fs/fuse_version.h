/*
 * The one place that chooses the libfuse API version (3.14, as Debian 12
 * ships). Include this before <fuse.h> or <fuse_lowlevel.h>.
 */
#ifndef FS_FUSE_VERSION_H
#define FS_FUSE_VERSION_H

#define FUSE_USE_VERSION 314

#endif
