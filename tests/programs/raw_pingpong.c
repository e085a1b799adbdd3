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
 * With --server iocp the server thread instead uses overlapped I/O on an I/O completion
 * port (a read posted before the client writes, then the write), which is how the
 * stress builtin server works: the same server design, so stress against this variant
 * shows the client side's overhead alone.
 *
 * Usage: raw_pingpong [--sizes 56,4096,65536] [--count N] [--seconds S] [--pipe NAME]
 *                     [--server blocking|iocp]
 *        raw_pingpong --spawn N [--cmd CMDLINE]
 *   --count N     round trips per size (default 2000)
 *   --seconds S   or as many round trips as fit in S seconds per size
 *   --spawn N     instead: the floor of process isolation, N times CreateProcess of
 *                 this program with --noop (which exits at once) and wait for it;
 *                 with --cmd, of CMDLINE instead (e.g. "pipespec.exe --version")
 * Prints one line per size:
 *   RAW size=56 count=2000 seconds=0.5123 rps=3904.0 mbps=0.44 cpu_ms=310.0 server=blocking
 * (cpu_ms: user + kernel time of this process over the loop, both threads)
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
static unsigned long g_count = 2000;
static double g_seconds;
static unsigned long g_max;
static HANDLE g_ready;
static int g_iocp;

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

/* The same server with overlapped I/O on a completion port, one thread. */
static DWORD WINAPI server_iocp(LPVOID unused)
{
    unsigned char *buf = malloc(g_max + 1);
    OVERLAPPED ov;
    HANDLE h, port;
    DWORD n;
    ULONG_PTR key;
    OVERLAPPED *done;
    (void)unused;
    h = CreateNamedPipeW(g_name, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED,
                         PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_WAIT, 1, BUF_SIZE, BUF_SIZE, 0, NULL);
    if (h == INVALID_HANDLE_VALUE || !buf) die("CreateNamedPipe");
    port = CreateIoCompletionPort(h, NULL, 0, 1);
    if (!port) die("CreateIoCompletionPort");
    memset(&ov, 0, sizeof ov);
    SetEvent(g_ready);
    if (!ConnectNamedPipe(h, &ov)) {
        if (GetLastError() == ERROR_IO_PENDING) GetQueuedCompletionStatus(port, &n, &key, &done, INFINITE);
        else if (GetLastError() != ERROR_PIPE_CONNECTED) die("ConnectNamedPipe");
    }
    for (;;) {
        DWORD got = 0;
        for (;;) { /* one whole message; every started operation ends in one packet */
            BOOL ok;
            memset(&ov, 0, sizeof ov);
            if (!ReadFile(h, buf + got, g_max + 1 - got, NULL, &ov) && GetLastError() != ERROR_IO_PENDING &&
                GetLastError() != ERROR_MORE_DATA)
                goto out;
            ok = GetQueuedCompletionStatus(port, &n, &key, &done, INFINITE);
            got += n;
            if (ok) break;
            if (GetLastError() != ERROR_MORE_DATA || got > g_max) goto out;
        }
        memset(&ov, 0, sizeof ov);
        if (!WriteFile(h, buf, got, NULL, &ov) && GetLastError() != ERROR_IO_PENDING) break;
        if (!GetQueuedCompletionStatus(port, &n, &key, &done, INFINITE)) break;
    }
out:
    CloseHandle(h);
    CloseHandle(port);
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
        else if (!strcmp(argv[i], "--server") && v && (!strcmp(v, "iocp") || !strcmp(v, "blocking")))
            g_iocp = !strcmp(v, "iocp"), i++;
        else {
            fprintf(stderr, "usage: raw_pingpong [--sizes 56,4096,65536] [--count N] [--seconds S] [--pipe NAME] "
                            "[--server blocking|iocp]\n       raw_pingpong --spawn N [--cmd CMDLINE]\n");
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
    if (argc == 2 && !strcmp(argv[1], "--noop")) return 0;
    if ((argc == 3 || (argc == 5 && !strcmp(argv[3], "--cmd"))) && !strcmp(argv[1], "--spawn"))
        return spawn_loop(strtoul(argv[2], NULL, 10) ? strtoul(argv[2], NULL, 10) : 1, argc == 5 ? argv[4] : NULL);
    if (parse_args(argc, argv)) return 2;
    g_ready = CreateEventW(NULL, TRUE, FALSE, NULL);
    th = CreateThread(NULL, 0, g_iocp ? server_iocp : server, NULL, 0, NULL);
    WaitForSingleObject(g_ready, INFINITE);
    h = CreateFileW(g_name, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (h == INVALID_HANDLE_VALUE) die("CreateFile");
    if (!SetNamedPipeHandleState(h, &mode, NULL, NULL)) die("SetNamedPipeHandleState");
    req = calloc(1, g_max + 1);
    rsp = calloc(1, g_max + 1);
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
        printf("RAW size=%lu count=%lu seconds=%.4f rps=%.1f mbps=%.2f cpu_ms=%.1f server=%s\n", size, n, t,
               n / t, 2.0 * size * n / t / 1e6, cpu_ms() - c0, g_iocp ? "iocp" : "blocking");
        fflush(stdout);
    }
    CloseHandle(h);
    WaitForSingleObject(th, 10000);
    free(req);
    free(rsp);
    return 0;
}
