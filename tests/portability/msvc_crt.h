/* msvc_crt.h: force-included (-include) by ci/portability after every C runtime and
 * Win32 header the Windows half uses. It poisons the functions and keywords that
 * mingw-w64's headers declare but MSVC's C runtime does not have (or deprecates with
 * C4996, an error at /W4 /WX), so using one is a compile error in the portability
 * build even though clang and mingw-w64 would accept it. The headers are included
 * first: a poisoned name inside a macro defined before the pragma is not an error. */
#ifndef PIPESPEC_MSVC_CRT_H
#define PIPESPEC_MSVC_CRT_H
#include <windows.h>
#include <sddl.h>
#include <psapi.h>
#include <ctype.h>
#include <fcntl.h>
#include <inttypes.h>
#include <io.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <process.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <errno.h>
#include <malloc.h>
/* mingw-w64 defines these three as macros: undefine them so that the poison applies. */
#undef strcasecmp
#undef strncasecmp
#undef alloca
/* Not in MSVC's C runtime at all. */
#pragma GCC poison strcasecmp strncasecmp strtok_r strndup strsep stpcpy getline asprintf vasprintf
#pragma GCC poison gettimeofday usleep nanosleep clock_gettime bzero bcopy strlcpy strlcat setenv
#pragma GCC poison unsetenv mkstemp realpath strerror_r localtime_r gmtime_r timegm
/* POSIX names MSVC deprecates (C4996, level 3): use the _-prefixed name or our own. */
#pragma GCC poison strdup wcsdup fileno isatty unlink getcwd stricmp strnicmp alloca fdopen
/* GNU keywords and builtins (-Wpedantic does not warn about the reserved spellings). */
#pragma GCC poison __attribute__ __typeof__ typeof __extension__ __thread __int128 __auto_type
#pragma GCC poison __builtin_expect __builtin_unreachable __builtin_popcount __builtin_clz
#pragma GCC poison __builtin_ctz __builtin_bswap32 __builtin_bswap64 __sync_fetch_and_add
#endif
