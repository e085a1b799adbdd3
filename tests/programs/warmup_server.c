/*
 * warmup_server: a test-only server whose memory and handles grow early and then
 * stay flat, as a server on a garbage-collected runtime does while its heap and
 * caches reach their working size. `pipespec stress` must not call that a leak
 * (tests/e2e/stress_judging.sh).
 *
 * It speaks the sample's protocol and serves several clients at once, as
 * stress_server does: each of --threads threads owns one instance of \\.\pipe\NAME
 * (message type, unlimited instances) and serves clients on it in turn: read a whole
 * request (looping on ERROR_MORE_DATA), write the sample's 58-byte response, flush,
 * disconnect. Over its first --warmup requests it allocates and touches --grow
 * bytes in equal parts, and creates --grow-handles events, all kept for good; after
 * that it allocates nothing per request.
 *
 * Usage: warmup_server --pipe NAME [--clients N] [--threads N] [--warmup N]
 *                      [--grow BYTES] [--grow-handles N]
 *   --clients N        accepted for the {clients} convention; 0 = forever (default)
 *   --threads N        instances served at once (default 4)
 *   --warmup N         requests over which it grows (default 2000)
 *   --grow BYTES       memory it grows by (default 10485760, 10 MiB)
 *   --grow-handles N   handles it grows by (default 64)
 * Exit code 0 after --clients N clients; 2 on a usage error; 1 if the pipe cannot
 * be created.
 */
#ifndef UNICODE
#define UNICODE
#endif
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_START 4096

static wchar_t g_name[256];
static long g_clients, g_warmup = 2000, g_grow_handles = 64;
static long long g_grow = 10LL << 20;
static volatile LONG g_served, g_requests;

/* What the warm-up keeps: reachable from here for good. */
typedef struct kept {
    struct kept *next;
} kept;
static kept *volatile g_kept;
static HANDLE *g_events;
static CRITICAL_SECTION g_lock;

static const wchar_t RESPONSE[] = L"Default response from server";

/* The warm-up's share of request number `req` (1-based). */
static void warm_up(LONG req)
{
    size_t part = (size_t)(g_grow / g_warmup);
    long before = (long)((long long)(req - 1) * g_grow_handles / g_warmup);
    long after = (long)((long long)req * g_grow_handles / g_warmup);
    if (req > g_warmup) return;
    if (part >= sizeof(kept)) {
        kept *k = malloc(part);
        if (k) {
            memset(k, 0x5A, part); /* touched: resident, counted as private memory */
            EnterCriticalSection(&g_lock);
            k->next = g_kept;
            g_kept = k;
            LeaveCriticalSection(&g_lock);
        }
    }
    for (; before < after; before++) g_events[before] = CreateEventW(NULL, FALSE, FALSE, NULL);
}

static DWORD WINAPI serve(LPVOID unused)
{
    HANDLE h;
    unsigned char *buf = malloc(BUF_START);
    DWORD cap = BUF_START;
    (void)unused;
    h = CreateNamedPipeW(g_name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT,
                         PIPE_UNLIMITED_INSTANCES, 1024, 1024, 0, NULL);
    if (h == INVALID_HANDLE_VALUE || !buf) {
        fprintf(stderr, "warmup_server: CreateNamedPipe failed with error %lu\n", GetLastError());
        ExitProcess(1);
    }
    for (;;) {
        DWORD got = 0, n, w;
        BOOL ok = FALSE;
        if (!ConnectNamedPipe(h, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) {
            DisconnectNamedPipe(h);
            continue;
        }
        for (;;) { /* one whole request */
            if (got == cap) {
                unsigned char *bigger = realloc(buf, (size_t)cap * 2);
                if (!bigger) break;
                buf = bigger;
                cap *= 2;
            }
            ok = ReadFile(h, buf + got, cap - got, &n, NULL);
            got += n;
            if (ok || GetLastError() != ERROR_MORE_DATA) break;
        }
        if (!ok) { /* the client left */
            DisconnectNamedPipe(h);
            continue;
        }
        warm_up(InterlockedIncrement(&g_requests));
        if (WriteFile(h, RESPONSE, sizeof RESPONSE, &w, NULL)) FlushFileBuffers(h);
        DisconnectNamedPipe(h);
        if (g_clients && InterlockedIncrement(&g_served) >= g_clients) ExitProcess(0);
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: warmup_server --pipe NAME [--clients N] [--threads N] [--warmup N] [--grow BYTES] "
                    "[--grow-handles N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    int i, threads = 4;
    const char *pipe = NULL;
    HANDLE th[64];
    InitializeCriticalSection(&g_lock);
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!v) return usage();
        if (!strcmp(argv[i], "--pipe")) pipe = v;
        else if (!strcmp(argv[i], "--clients")) g_clients = strtol(v, NULL, 10);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(v);
        else if (!strcmp(argv[i], "--warmup")) g_warmup = strtol(v, NULL, 10);
        else if (!strcmp(argv[i], "--grow")) g_grow = strtoll(v, NULL, 10);
        else if (!strcmp(argv[i], "--grow-handles")) g_grow_handles = strtol(v, NULL, 10);
        else return usage();
        i++;
    }
    if (!pipe || strlen(pipe) > 200 || threads < 1 || threads > 64 || g_clients < 0 || g_warmup < 1 || g_grow < 0 ||
        g_grow_handles < 0 || g_grow_handles > 100000)
        return usage();
    g_events = calloc((size_t)g_grow_handles + 1, sizeof(HANDLE));
    if (!g_events) return 1;
    swprintf(g_name, 256, L"\\\\.\\pipe\\%hs", pipe);
    for (i = 0; i < threads; i++) th[i] = CreateThread(NULL, 0, serve, NULL, 0, NULL);
    WaitForMultipleObjects((DWORD)threads, th, TRUE, INFINITE);
    return 0;
}
