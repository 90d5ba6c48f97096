/* compat.h: included first by every vigil source file. */
#ifndef VIGIL_COMPAT_H
#define VIGIL_COMPAT_H

#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE 1

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vlimits.h"
#include "xmalloc.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__GNUC__)
#define PRINTFLIKE(f, a) __attribute__((format(printf, f, a)))
#define NORETURN __attribute__((noreturn))
#else
#define PRINTFLIKE(f, a)
#define NORETURN
#endif

#define VIGIL_VERSION "0.1.0"

#endif
