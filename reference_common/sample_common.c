/* sample_common.c: helpers the reference server and client share. None of this is
 * the sample's own logic (that stays in reference_server/server.c and
 * reference_client/client.c, call for call); these are the departures both need:
 * command-line parsing without shell32, bounded printing, generated message sizes. */
#include "sample_common.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Flushes stdout so that a reader at the other end of a pipe sees each line as it
   is printed (DEPARTURE: the original relies on the console being unbuffered). */
void flush_out(void)
{
    fflush(stdout);
}

/* Splits the process's UTF-16 command line into arguments with the rules of the
   Microsoft C runtime (2N backslashes + quote -> N backslashes and a quote toggle;
   2N+1 backslashes + quote -> N backslashes and a literal quote; "" inside quotes
   -> a literal quote). argv[0] is the program name. Returns a malloc'ed array
   (one block, free it once) and sets *argc; returns NULL when out of memory.
   DEPARTURE: the original's wmain gets argv from the CRT; CMake does not pass
   -municode and links no shell32, so the command line is parsed here. */
wchar_t **split_command_line(const wchar_t *cmd, int *argc)
{
    size_t len = wcslen(cmd);
    /* At most len/2+2 arguments; the strings need at most len+1 units each plus NULs. */
    size_t max_args = len / 2 + 2;
    size_t bytes = (max_args + 1) * sizeof(wchar_t *) + (len + max_args + 1) * sizeof(wchar_t);
    wchar_t **argv = (wchar_t **)malloc(bytes);
    wchar_t *out;
    const wchar_t *p = cmd;
    int n = 0;

    if (argv == NULL)
        return NULL;
    out = (wchar_t *)(argv + max_args + 1);

    /* argv[0]: quoted up to the next quote, else up to white space; no escapes. */
    argv[n++] = out;
    if (*p == L'"') {
        for (p++; *p && *p != L'"'; p++)
            *out++ = *p;
        if (*p == L'"')
            p++;
    } else {
        for (; *p && *p != L' ' && *p != L'\t'; p++)
            *out++ = *p;
    }
    *out++ = L'\0';

    for (;;) {
        int in_quotes = 0;
        while (*p == L' ' || *p == L'\t')
            p++;
        if (*p == L'\0')
            break;
        argv[n++] = out;
        while (*p) {
            if (*p == L'\\') {
                size_t slashes = 0, i;
                while (*p == L'\\') {
                    slashes++;
                    p++;
                }
                if (*p == L'"') {
                    for (i = 0; i < slashes / 2; i++)
                        *out++ = L'\\';
                    if (slashes % 2) {
                        *out++ = L'"';
                        p++;
                    }
                } else {
                    for (i = 0; i < slashes; i++)
                        *out++ = L'\\';
                }
            } else if (*p == L'"') {
                if (in_quotes && p[1] == L'"') {
                    *out++ = L'"';
                    p += 2;
                } else {
                    in_quotes = !in_quotes;
                    p++;
                }
            } else if (!in_quotes && (*p == L' ' || *p == L'\t')) {
                break;
            } else {
                *out++ = *p++;
            }
        }
        *out++ = L'\0';
    }
    argv[n] = NULL;
    *argc = n;
    return argv;
}

/* Parses a decimal number of at most 0xFFFFFFFF (digits only, no sign).
   Returns 1 and sets *value on success, 0 otherwise. */
int parse_count(const wchar_t *s, unsigned long *value)
{
    unsigned long long v = 0;
    if (s == NULL || *s == L'\0')
        return 0;
    for (; *s; s++) {
        if (*s < L'0' || *s > L'9')
            return 0;
        v = v * 10 + (unsigned long long)(*s - L'0');
        if (v > 0xFFFFFFFFull)
            return 0;
    }
    *value = (unsigned long)v;
    return 1;
}

/* Fills buf (size bytes) with text (without its NUL) repeated or truncated as
   UTF-16LE, then sets the last whole UTF-16 unit to NUL when size >= 2. With
   size = sizeof(the literal), the result is exactly the literal with its NUL. */
void fill_message(unsigned char *buf, size_t size, const wchar_t *text)
{
    size_t len = wcslen(text), i;
    for (i = 0; i < size; i++) {
        unsigned int unit = (unsigned int)text[(i / 2) % len] & 0xFFFFu;
        buf[i] = (unsigned char)((i % 2) ? (unit >> 8) : (unit & 0xFFu));
    }
    if (size >= 2) {
        buf[(size / 2) * 2 - 2] = 0;
        buf[(size / 2) * 2 - 1] = 0;
    }
}

/* The number of UTF-16 units to print from a buffer holding cb bytes: up to the
   first NUL, never past the data (DEPARTURE: the original prints the buffer with
   %s, which reads past the data when it holds no NUL). */
int printable_units(const wchar_t *buf, DWORD cb)
{
    DWORD n = 0, max = cb / sizeof(wchar_t);
    while (n < max && buf[n] != L'\0')
        n++;
    return (int)n;
}

