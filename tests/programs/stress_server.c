/*
 * stress_server: a test-only server that speaks the sample's protocol and serves
 * several clients at once, with faults that `pipespec stress` must catch
 * (tests/e2e/stress_*.sh). Not a reference: the reference is reference_server.
 *
 * Each of --threads threads owns one instance of \\.\pipe\NAME (message type,
 * unlimited instances) and serves clients on it in turn: read a whole request
 * (looping on ERROR_MORE_DATA), write the sample's 58-byte response, flush,
 * disconnect, as the sample does.
 *
 * Usage: stress_server --pipe NAME [--clients N] [--threads N] [--spin MS] [--fault F]
 *   --clients N   accepted for the {clients} convention; 0 = forever (default)
 *   --threads N   instances served at once (default 4)
 *   --spin MS     first uses MS milliseconds of CPU time (its own, by
 *                 GetProcessTimes), then creates the pipe: a server whose CPU
 *                 time is known to be at least MS
 *   --fault none       (default) a correct server
 *   --fault leak       per request, an event handle and 64 KiB of touched memory
 *                      that are never released
 *   --fault corrupt=N  flips one byte of every Nth response (default N = 50)
 *   --fault exit=N     ends the process (exit code 3) after N requests
 *   --fault warmup=N   not a fault: over its first N requests (default 2000) it
 *                      allocates and touches 10 MiB in equal parts and creates 64
 *                      events, all kept for good, then allocates nothing per request,
 *                      as a server on a garbage-collected runtime does while its heap
 *                      and caches reach their working size; stress must not call that
 *                      a leak (tests/e2e/stress_judging.sh)
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
#define LEAK_BYTES (64 * 1024)

enum { F_NONE, F_LEAK, F_CORRUPT, F_EXIT, F_WARMUP };
#define WARMUP_BYTES (10L << 20)
#define WARMUP_HANDLES 64
static int g_fault = F_NONE;
static long g_every = 50;
static wchar_t g_name[256];
static long g_clients;
static volatile LONG g_served, g_requests;

/* The leaked blocks stay reachable from here, so no compiler or heap can drop them. */
typedef struct leak {
    struct leak *next;
    HANDLE event;
} leak;
static leak *volatile g_leaks;
static CRITICAL_SECTION g_leak_lock;

static const wchar_t RESPONSE[] = L"Default response from server";

static void leak_one(void)
{
    leak *l = malloc(LEAK_BYTES);
    if (!l) return;
    memset(l, 0xA5, LEAK_BYTES); /* touched: resident, counted as private memory */
    l->event = CreateEventW(NULL, FALSE, FALSE, NULL);
    EnterCriticalSection(&g_leak_lock);
    l->next = g_leaks;
    g_leaks = l;
    LeaveCriticalSection(&g_leak_lock);
}

/* --fault warmup: request number `req`'s share of the growth (kept on g_leaks and in
 * g_warm_events). */
static HANDLE g_warm_events[WARMUP_HANDLES];
static void warm_up(LONG req)
{
    size_t part = (size_t)(WARMUP_BYTES / g_every);
    long before = (long)((long long)(req - 1) * WARMUP_HANDLES / g_every);
    long after = (long)((long long)req * WARMUP_HANDLES / g_every);
    leak *l;
    if (req > g_every || part < sizeof(leak)) return;
    l = malloc(part);
    if (!l) return;
    memset(l, 0x5A, part); /* touched: resident, counted as private memory */
    l->event = NULL;
    for (; before < after; before++) g_warm_events[before] = CreateEventW(NULL, FALSE, FALSE, NULL);
    EnterCriticalSection(&g_leak_lock);
    l->next = g_leaks;
    g_leaks = l;
    LeaveCriticalSection(&g_leak_lock);
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
        fprintf(stderr, "stress_server: CreateNamedPipe failed with error %lu\n", GetLastError());
        ExitProcess(1);
    }
    for (;;) {
        DWORD got = 0, n, w;
        BOOL ok = FALSE;
        unsigned char rsp[sizeof RESPONSE];
        LONG req;
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
        req = InterlockedIncrement(&g_requests);
        memcpy(rsp, RESPONSE, sizeof rsp);
        if (g_fault == F_LEAK) leak_one();
        if (g_fault == F_WARMUP) warm_up(req);
        if (g_fault == F_CORRUPT && req % g_every == 0) rsp[10] ^= 0x01;
        if (g_fault == F_EXIT && req > g_every) ExitProcess(3);
        if (WriteFile(h, rsp, sizeof rsp, &w, NULL)) FlushFileBuffers(h);
        DisconnectNamedPipe(h);
        if (g_clients && InterlockedIncrement(&g_served) >= g_clients) ExitProcess(0);
    }
}

/* Uses `ms` of this process's CPU time (user + kernel). */
static void spin(long ms)
{
    volatile unsigned long x = 0;
    for (;;) {
        FILETIME c, e, k, u;
        ULARGE_INTEGER a, b;
        unsigned long i;
        if (!GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u)) return;
        a.LowPart = k.dwLowDateTime, a.HighPart = k.dwHighDateTime;
        b.LowPart = u.dwLowDateTime, b.HighPart = u.dwHighDateTime;
        if ((a.QuadPart + b.QuadPart) / 10000 >= (unsigned long long)ms) return;
        for (i = 0; i < 1000000; i++) x += i;
    }
}

static int usage(void)
{
    fprintf(stderr, "usage: stress_server --pipe NAME [--clients N] [--threads N] [--spin MS] "
                    "[--fault none|leak|corrupt[=N]|exit=N|warmup[=N]]\n");
    return 2;
}

int main(int argc, char **argv)
{
    int i, threads = 4;
    long spin_ms = 0;
    const char *pipe = NULL;
    HANDLE th[64];
    InitializeCriticalSection(&g_leak_lock);
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--pipe") && v) pipe = v, i++;
        else if (!strcmp(argv[i], "--clients") && v) g_clients = strtol(v, NULL, 10), i++;
        else if (!strcmp(argv[i], "--threads") && v) threads = atoi(v), i++;
        else if (!strcmp(argv[i], "--spin") && v) spin_ms = strtol(v, NULL, 10), i++;
        else if (!strcmp(argv[i], "--fault") && v) {
            if (!strcmp(v, "none")) g_fault = F_NONE;
            else if (!strcmp(v, "leak")) g_fault = F_LEAK;
            else if (!strncmp(v, "corrupt", 7)) {
                g_fault = F_CORRUPT;
                if (v[7] == '=') g_every = strtol(v + 8, NULL, 10);
            } else if (!strncmp(v, "exit=", 5)) {
                g_fault = F_EXIT;
                g_every = strtol(v + 5, NULL, 10);
            } else if (!strncmp(v, "warmup", 6)) {
                g_fault = F_WARMUP;
                g_every = v[6] == '=' ? strtol(v + 7, NULL, 10) : 2000;
            } else return usage();
            if (g_every < 1) return usage();
            i++;
        } else return usage();
    }
    if (!pipe || threads < 1 || threads > 64 || g_clients < 0 || spin_ms < 0) return usage();
    spin(spin_ms);
    swprintf(g_name, 256, L"\\\\.\\pipe\\%hs", pipe);
    for (i = 0; i < threads; i++) th[i] = CreateThread(NULL, 0, serve, NULL, 0, NULL);
    WaitForMultipleObjects((DWORD)threads, th, TRUE, INFINITE);
    return 0;
}
