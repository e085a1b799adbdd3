/* platform.h: the Win32 side of pipespec (every Win32 call of the harness lives in
 * harness/win). */
#ifndef PLATFORM_H
#define PLATFORM_H
#include <windows.h>
#include "psutil.h"
#include "results.h"


/* Platform facts. */
/* The platform on one line, every detail in it: "Wine 8.0 (Debian 8.0~repack-4) presenting
 * Windows 10.0.18362 on Linux 6.1.0-18-amd64, x86_64" or "Windows 10 Pro 22H2 (Professional) build 19045.3803, x86_64". */
const char *ps_platform_describe(void);
/* The platform in full, field by field (results.h's ps_platform_info; free with
 * ps_platform_info_free). */
void ps_platform_fill(ps_platform_info *pi);
int ps_platform_is_wine(void);
const char *ps_wine_version(void);      /* NULL on Windows */

/* UTF-8 <-> UTF-16 (malloc'ed). */
wchar_t *ps_wide(const char *s);
char *ps_utf8(const wchar_t *w);
char *ps_utf8n(const wchar_t *w, int n);

/* The current UTC time as ISO 8601 ("2026-11-30T02:42:26Z"), into buf. */
void ps_iso_now(char *buf, size_t n);

/* CreateProcessW of cmd with only the handles in inherit[] inheritable (they are just
 * while this child is created, under one process-wide lock), trying again when a start
 * fails for a moment under load (ERROR_INTERNAL_ERROR, seen under Wine while many
 * processes start). *err: 0, or the last error. */
BOOL ps_spawn(wchar_t *cmd, const HANDLE *inherit, int ninherit, STARTUPINFOW *si, DWORD flags,
              PROCESS_INFORMATION *pi, DWORD *err);

/* High-resolution milliseconds since an arbitrary start. */
double ps_now_ms(void);

/* The directory of pipespec.exe (no trailing separator), UTF-8. */
const char *ps_exe_dir(void);

/* The catalogue `pipespec run` uses when given no path: the first folder that exists of
 * scenarios in the current directory, scenarios beside pipespec.exe (an installed or
 * unpacked release) and ../../scenarios from it (build/win/pipespec.exe in a checkout);
 * NULL when there is none. */
const char *ps_scenarios_dir(void);

/* Turns a command line whose program is a Unix path (/usr/x/prog.exe) into one Wine can
 * start (Z:\usr\x\prog.exe) on Wine; elsewhere returns a copy. */
char *ps_translate_cmdline(const char *cmd);

/* The handle values this process holds (ascending), found by asking GetHandleInformation
 * about each value from 4 up: every value up to `upto`, then on until `gap` values in a
 * row are not handles (gap 0: stop at `upto`). Handle values are handed out lowest-free
 * first, so they are dense. Not the system handle table
 * (NtQuerySystemInformation(SystemHandleInformation) or its extended form): Wine 8.0's
 * wineserver crashes under that request while other processes come and go
 * (docs/STRESS.md, "Handles"); nor GetProcessHandleCount alone: Wine 8.0 answers 0. */
typedef struct {
    ULONG_PTR *v;
    size_t n, cap;
} ps_handle_set;
void ps_own_handles(ps_handle_set *hs, ULONG_PTR upto, int gap);
#endif
