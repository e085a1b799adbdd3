/*
 * raw_pingpong: the raw limit of a named-pipe request/response loop on this machine,
 * with no harness code: the figure `pipespec stress` is compared with (ci/bench).
 *
 * The threads are laid out as in `pipespec stress --clients 1`: a server, a client
 * thread, and the main thread waiting for the client in 10 ms ticks as stress's
 * supervisor does (it does nothing else). The server creates \\.\pipe\NAME (message
 * type, message read mode, 64 KiB buffers, as the stress builtin server does); the
 * client opens it, switches to message read mode and, for each size, sends a request
 * of SIZE bytes and reads a response of SIZE bytes, N times on one persistent
 * connection. Blocking calls in the client; no verification, no timing inside the
 * loop: just the time of the whole loop.
 *
 * The server is by default one thread with blocking calls. With --server iocp it is
 * the stress builtin server's design: overlapped I/O on an I/O completion port served
 * by --threads N threads (default 1; ci/bench passes the number stress reports), a
 * read posted before the client writes, then the write, whichever thread dequeues the
 * completion carrying on. Against it, stress's ratio is the harness's own cost.
 *
 * Usage: raw_pingpong [--sizes 56,4096,65536] [--count N] [--seconds S] [--pipe NAME]
 *                     [--server blocking|iocp] [--threads N]
 *        raw_pingpong --spawn N [--cmd CMDLINE]
 *   --count N     round trips per size (default 20000, as ci/bench's stress runs)
 *   --seconds S   or as many round trips as fit in S seconds per size
 *   --threads N   threads of the iocp server (1..16, default 1)
 *   --spawn N     instead: the floor of process isolation, N times CreateProcess of
 *                 this program with --noop (which exits at once) and wait for it;
 *                 with --cmd, of CMDLINE instead (e.g. "pipespec.exe --version")
 * Prints one line per size:
 *   RAW size=56 count=20000 seconds=3.5123 rps=5694.0 mbps=0.64 cpu_ms=2510.0 server=iocp threads=1
 * (cpu_ms: user + kernel time of this process over the loop, all threads)
 * or, with --spawn:
 *   RAW spawn count=50 seconds=1.2345 ms_per_process=24.69
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
static unsigned long g_count = 20000;
static double g_seconds;
static unsigned long g_max;
static HANDLE g_ready;
static int g_iocp;
static int g_threads = 1;

static double now_s(void)
{
    static LARGE_INTEGER f;
    LARGE_INTEGER c;
    if (!f.QuadPart) QueryPerformanceFrequency(&f);
    QueryPerformanceCounter(&c);
    return (double)c.QuadPart / (double)f.QuadPart;
}

static double cpu_ms(void)
{
    FILETIME c, e, k, u;
    ULARGE_INTEGER a, b;
    if (!GetProcessTimes(GetCurrentProcess(), &c, &e, &k, &u)) return 0;
    a.LowPart = k.dwLowDateTime, a.HighPart = k.dwHighDateTime;
    b.LowPart = u.dwLowDateTime, b.HighPart = u.dwHighDateTime;
    return (double)(a.QuadPart + b.QuadPart) / 10000.0;
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

/* --spawn N: start this program with --noop N times, one after the other. */
static int spawn_loop(unsigned long n, const char *cmdline)
{
    wchar_t exe[MAX_PATH * 2], cmd[MAX_PATH * 4 + 32];
    unsigned long i;
    double t0, t;
    GetModuleFileNameW(NULL, exe, MAX_PATH * 2);
    if (cmdline) MultiByteToWideChar(CP_UTF8, 0, cmdline, -1, exe, MAX_PATH * 2);
    t0 = now_s();
    for (i = 0; i < n; i++) {
        STARTUPINFOW si;
        PROCESS_INFORMATION pi;
        memset(&si, 0, sizeof si);
        si.cb = sizeof si;
        if (cmdline) swprintf(cmd, MAX_PATH * 4 + 32, L"%ls", exe);
        else swprintf(cmd, MAX_PATH * 4 + 32, L"\"%ls\" --noop", exe);
        si.dwFlags = STARTF_USESTDHANDLES; /* no output of the child shows */
        si.hStdInput = si.hStdOutput = si.hStdError = NULL;
        if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &pi)) die("CreateProcess");
        WaitForSingleObject(pi.hProcess, INFINITE);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
    }
    t = now_s() - t0;
    printf("RAW spawn count=%lu seconds=%.4f ms_per_process=%.2f\n", n, t, t * 1000.0 / n);
    return 0;
}

/* The iocp server's one connection, handed from thread to thread by its completions. */
static struct {
    OVERLAPPED ov;
    HANDLE h, port;
    unsigned char *buf;
    DWORD got;
    int writing;
} g_conn;

/* Carries the connection on from an operation that ended (ok, n bytes, error e): a
 * read's end starts the write of the answer, a write's the next read. Every started
 * operation ends in one packet, also one that succeeds at once (no
 * FILE_SKIP_COMPLETION_PORT_ON_SUCCESS, as in the stress builtin server). 0, or -1: the
 * pipe ended. */
static int conn_step(BOOL ok, DWORD n, DWORD e)
{
    if (g_conn.writing) {
        if (!ok) return -1;
        g_conn.got = 0;
        g_conn.writing = 0;
    } else if (!ok && e == ERROR_MORE_DATA && g_conn.got + n <= g_max) g_conn.got += n;
    else if (!ok) return -1;
    else {
        g_conn.got += n;
        g_conn.writing = 1;
    }
    memset(&g_conn.ov, 0, sizeof g_conn.ov);
    if (g_conn.writing) ok = WriteFile(g_conn.h, g_conn.buf, g_conn.got, NULL, &g_conn.ov);
    else ok = ReadFile(g_conn.h, g_conn.buf + g_conn.got, g_max + 1 - g_conn.got, NULL, &g_conn.ov);
    e = ok ? 0 : GetLastError();
    return ok || e == ERROR_IO_PENDING || e == ERROR_MORE_DATA ? 0 : -1; /* the packet comes */
}

/* One server thread: whichever thread dequeues a completion carries the connection on. */
static DWORD WINAPI iocp_thread(LPVOID unused)
{
    (void)unused;
    for (;;) {
        DWORD n = 0;
        ULONG_PTR key;
        OVERLAPPED *done = NULL;
        BOOL ok = GetQueuedCompletionStatus(g_conn.port, &n, &key, &done, INFINITE);
        if (!done) break; /* the stop packet */
        if (conn_step(ok, n, ok ? 0 : GetLastError())) { /* the client left: every thread stops */
            int i;
            for (i = 0; i < g_threads; i++) PostQueuedCompletionStatus(g_conn.port, 0, 0, NULL);
        }
    }
    return 0;
}

/* The same server with overlapped I/O on a completion port and g_threads threads. */
static DWORD WINAPI server_iocp(LPVOID unused)
{
    HANDLE th[16];
    DWORD n;
    ULONG_PTR key;
    OVERLAPPED *done;
    int i;
    (void)unused;
    g_conn.buf = malloc(g_max + 1);
    g_conn.h = CreateNamedPipeW(g_name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                                PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, 1, BUF_SIZE, BUF_SIZE, 0, NULL);
    if (g_conn.h == INVALID_HANDLE_VALUE || !g_conn.buf) die("CreateNamedPipe");
    g_conn.port = CreateIoCompletionPort(g_conn.h, NULL, 0, 0);
    if (!g_conn.port) die("CreateIoCompletionPort");
    memset(&g_conn.ov, 0, sizeof g_conn.ov);
    SetEvent(g_ready);
    if (!ConnectNamedPipe(g_conn.h, &g_conn.ov)) {
        if (GetLastError() == ERROR_IO_PENDING) GetQueuedCompletionStatus(g_conn.port, &n, &key, &done, INFINITE);
        else if (GetLastError() != ERROR_PIPE_CONNECTED) die("ConnectNamedPipe");
    }
    g_conn.writing = 1; /* as if an answer had been written: the first step reads */
    if (conn_step(TRUE, 0, 0)) die("ReadFile");
    for (i = 1; i < g_threads; i++) th[i] = CreateThread(NULL, 0, iocp_thread, NULL, 0, NULL);
    iocp_thread(NULL); /* this thread is the first of them */
    for (i = 1; i < g_threads; i++) {
        WaitForSingleObject(th[i], INFINITE);
        CloseHandle(th[i]);
    }
    CloseHandle(g_conn.h);
    CloseHandle(g_conn.port);
    free(g_conn.buf);
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
        else if (!strcmp(argv[i], "--server") && v && (!strcmp(v, "iocp") || !strcmp(v, "blocking")))
            g_iocp = !strcmp(v, "iocp"), i++;
        else if (!strcmp(argv[i], "--threads") && v && atoi(v) >= 1 && atoi(v) <= 16) g_threads = atoi(v), i++;
        else {
            fprintf(stderr, "usage: raw_pingpong [--sizes 56,4096,65536] [--count N] [--seconds S] [--pipe NAME] "
                            "[--server blocking|iocp] [--threads N]\n       raw_pingpong --spawn N [--cmd CMDLINE]\n");
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

/* The client thread: for each size, N round trips on one connection, timed as a whole. */
static DWORD WINAPI client(LPVOID unused)
{
    HANDLE h;
    DWORD mode = PIPE_READMODE_MESSAGE;
    unsigned char *req, *rsp;
    int k;
    (void)unused;
    h = CreateFileW(g_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) die("CreateFile");
    if (!SetNamedPipeHandleState(h, &mode, NULL, NULL)) die("SetNamedPipeHandleState");
    req = calloc(1, g_max + 1);
    rsp = calloc(1, g_max + 1);
    if (!req || !rsp) die("calloc");
    memset(req, 'r', g_max);
    for (k = 0; k < g_nsizes; k++) {
        unsigned long size = g_sizes[k], n = 0;
        double c0 = cpu_ms(), t0 = now_s(), t;
        for (;;) {
            DWORD w;
            if (!WriteFile(h, req, size, &w, NULL) || w != size) die("WriteFile");
            if (read_message(h, rsp, g_max + 1) != size) die("ReadFile");
            n++;
            if (g_seconds > 0 ? (n % 16 == 0 && now_s() - t0 >= g_seconds) : n >= g_count) break;
        }
        t = now_s() - t0;
        printf("RAW size=%lu count=%lu seconds=%.4f rps=%.1f mbps=%.2f cpu_ms=%.1f server=%s threads=%d\n", size, n,
               t, n / t, 2.0 * size * n / t / 1e6, cpu_ms() - c0, g_iocp ? "iocp" : "blocking", g_iocp ? g_threads : 1);
        fflush(stdout);
    }
    CloseHandle(h);
    free(req);
    free(rsp);
    return 0;
}

int main(int argc, char **argv)
{
    HANDLE srv, cli;
    if (argc == 2 && !strcmp(argv[1], "--noop")) return 0;
    if ((argc == 3 || (argc == 5 && !strcmp(argv[3], "--cmd"))) && !strcmp(argv[1], "--spawn"))
        return spawn_loop(strtoul(argv[2], NULL, 10) ? strtoul(argv[2], NULL, 10) : 1, argc == 5 ? argv[4] : NULL);
    if (parse_args(argc, argv)) return 2;
    g_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    srv = CreateThread(NULL, 0, g_iocp ? server_iocp : server, NULL, 0, NULL);
    WaitForSingleObject(g_ready, INFINITE);
    cli = CreateThread(NULL, 0, client, NULL, 0, NULL);
    if (!srv || !cli) die("CreateThread");
    /* the main thread as stress's supervisor: awake every 10 ms until the client is done */
    while (WaitForSingleObject(cli, 10) == WAIT_TIMEOUT) {
    }
    WaitForSingleObject(srv, 10000);
    return 0;
}
