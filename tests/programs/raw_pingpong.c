/*
 * raw_pingpong: the raw limit of a named-pipe request/response loop on this machine,
 * with no harness code: the figure `pipespec stress` is compared with (ci/bench).
 *
 * One process, two threads: a server thread creates \\.\pipe\NAME (message type,
 * message read mode, blocking, 64 KiB buffers, as the stress builtin server does),
 * and a client thread opens it, switches to message read mode and, for each size,
 * sends a request of SIZE bytes and reads a response of SIZE bytes, N times on one
 * persistent connection. Blocking calls only; no verification, no timing inside the
 * loop: just the time of the whole loop.
 *
 * Usage: raw_pingpong [--sizes 56,4096,65536] [--count N] [--seconds S] [--pipe NAME]
 *   --count N     round trips per size (default 2000)
 *   --seconds S   or as many round trips as fit in S seconds per size
 * Prints one line per size:
 *   RAW size=56 count=2000 seconds=0.5123 rps=3904.0 mbps=0.44
 * Exit code 0, 1 on a failed call (reported on stderr), 2 on a usage error.
 */
#ifndef UNICODE
#define UNICODE
#endif
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SIZES 16
#define BUF_SIZE 65536

static wchar_t g_name[200];
static unsigned long g_sizes[MAX_SIZES];
static int g_nsizes;
static unsigned long g_count = 2000;
static double g_seconds;
static unsigned long g_max;
static HANDLE g_ready;

static double now_s(void)
{
    static LARGE_INTEGER f;
    LARGE_INTEGER c;
    if (!f.QuadPart) QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / (double)f.QuadPart;
}

static void die(const char *what)
{
    fprintf(stderr, "raw_pingpong: %s failed with error %lu\n", what, GetLastError());
    exit(1);
}

/* Reads one whole message (looping on ERROR_MORE_DATA); returns its length, or
 * (DWORD)-1 when the pipe ended. */
static DWORD read_message(HANDLE h, unsigned char *buf, DWORD cap)
{
    DWORD got = 0, n;
    for (;;) {
        BOOL ok = ReadFile(h, buf + got, cap - got, &n, NULL);
        got += n;
        if (ok) return got;
        if (GetLastError() != ERROR_MORE_DATA || got >= cap) return (DWORD)-1;
    }
}

/* The server: answers every message with one of the same size until the client leaves. */
static DWORD WINAPI server(LPVOID unused)
{
    unsigned char *buf = malloc(g_max + 1);
    HANDLE h;
    (void)unused;
    h = CreateNamedPipeW(g_name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, 1,
                         BUF_SIZE, BUF_SIZE, 0, NULL);
    if (h == INVALID_HANDLE_VALUE || !buf) die("CreateNamedPipe");
    SetEvent(g_ready);
    if (!ConnectNamedPipe(h, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) die("ConnectNamedPipe");
    for (;;) {
        DWORD n = read_message(h, buf, g_max + 1), w;
        if (n == (DWORD)-1) break;
        if (!WriteFile(h, buf, n, &w, NULL) || w != n) break;
    }
    CloseHandle(h);
    free(buf);
    return 0;
}

static int parse_args(int argc, char **argv)
{
    int i;
    const char *sizes = "56,4096,65536";
    swprintf(g_name, 200, L"\\\\.\\pipe\\raw-pingpong-%lu", GetCurrentProcessId());
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--sizes") && v) sizes = v, i++;
        else if (!strcmp(argv[i], "--count") && v) g_count = strtoul(v, NULL, 10), i++;
        else if (!strcmp(argv[i], "--seconds") && v) g_seconds = atof(v), i++;
        else if (!strcmp(argv[i], "--pipe") && v) swprintf(g_name, 200, L"\\\\.\\pipe\\%hs", v), i++;
        else {
            fprintf(stderr, "usage: raw_pingpong [--sizes 56,4096,65536] [--count N] [--seconds S] [--pipe NAME]\n");
            return -1;
        }
    }
    while (*sizes && g_nsizes < MAX_SIZES) {
        char *e;
        unsigned long s = strtoul(sizes, &e, 10);
        if (e == sizes || s > (16ul << 20)) return -1;
        g_sizes[g_nsizes++] = s;
        if (s > g_max) g_max = s;
        sizes = *e == ',' ? e + 1 : e;
        if (*e && *e != ',') return -1;
    }
    return g_nsizes && (g_count || g_seconds > 0) ? 0 : -1;
}

int main(int argc, char **argv)
{
    HANDLE th, h;
    DWORD mode = PIPE_READMODE_MESSAGE;
    unsigned char *req, *rsp;
    int k;
    if (parse_args(argc, argv)) return 2;
    g_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    th = CreateThread(NULL, 0, server, NULL, 0, NULL);
    WaitForSingleObject(g_ready, INFINITE);
    h = CreateFileW(g_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) die("CreateFile");
    if (!SetNamedPipeHandleState(h, &mode, NULL, NULL)) die("SetNamedPipeHandleState");
    req = calloc(1, g_max + 1);
    rsp = calloc(1, g_max + 1);
    memset(req, 'r', g_max);
    for (k = 0; k < g_nsizes; k++) {
        unsigned long size = g_sizes[k], n = 0;
        double t0 = now_s(), t;
        for (;;) {
            DWORD w;
            if (!WriteFile(h, req, size, &w, NULL) || w != size) die("WriteFile");
            if (read_message(h, rsp, g_max + 1) != size) die("ReadFile");
            n++;
            if (g_seconds > 0 ? (n % 16 == 0 && now_s() - t0 >= g_seconds) : n >= g_count) break;
        }
        t = now_s() - t0;
        printf("RAW size=%lu count=%lu seconds=%.4f rps=%.1f mbps=%.2f\n", size, n, t, n / t,
               2.0 * size * n / t / 1e6);
        fflush(stdout);
    }
    CloseHandle(h);
    WaitForSingleObject(th, 10000);
    free(req);
    free(rsp);
    return 0;
}
