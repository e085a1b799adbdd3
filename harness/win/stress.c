/* stress.c: `pipespec stress`, the Win32 half (docs/STRESS.md).
 *
 * What runs where:
 *  - Clients are worker threads of this process (or of --processes client processes,
 *    which are this program again with --worker). A worker owns one or more
 *    connections (--connections spreads them over the workers) and runs blocking
 *    requests on them one at a time, drawing every choice (size, fault, slow read)
 *    from its own seeded stream, so a run is repeatable per client.
 *  - The builtin server is overlapped I/O on an I/O completion port with a few
 *    threads: any number of connections costs a small struct and two buffers each
 *    (under Wine a thread costs about 1 MB of resident memory, so a thread per
 *    connection could not hold 1,000 connections within the memory target). It
 *    verifies every request and counts on its own, which the checks compare with
 *    what the clients counted.
 *  - The reference server (--server reference) and a server under test
 *    (--server-cmd) are child processes in a job object, stdout and stderr to NUL,
 *    restarted on request (--restart-every); --server-pipe targets a running server.
 *  - The main thread supervises: it releases the clients once every connection is
 *    made, draws the progress line, samples memory, takes the warm and end
 *    measurements, restarts the server, cancels requests blocked longer than
 *    --request-timeout (CancelSynchronousIo) and stops a timed run.
 *
 * Every Win32 call of stress lives here; counting, checks and reports are the
 * portable core (stress_stats.c, stress_report.c). */
#include "platform.h"
#include "cli.h"
#include "errors.h"
#include "ratelimit.h"
#include "runner.h"
#include "stress_opts.h"
#include "stress_proto.h"
#include "stress_report.h"
#include "stress_stats.h"
#include <psapi.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FAULT_SIZE (256u * 1024u) /* a mid-message fault's request: larger than any pipe buffer */
#define PIPE_BUFSZ 65536          /* in/out buffers of the builtin server's pipes (as raw_pingpong) */
#define SPARE 2                   /* listening instances the builtin server keeps beyond those in use */
#define RX_START 1024             /* the builtin server's first receive buffer per connection */
#define RX_KEEP (64u * 1024u + 1) /* larger buffers are released when a connection ends */
#define TICK_MS 10                /* the supervisor's period */
#define SAMPLE_MS 250.0           /* memory series and progress period */
#define THREAD_STACK (256 * 1024) /* reservation for the harness's threads (no large locals) */
#define MAX_PROCS 64

/* ---------------- state shared with client processes (a named mapping) ---------------- */
typedef struct {
    volatile LONG gen;        /* bumped when a restart starts and when it ends */
    volatile LONG restarting; /* 1 while the server is down on purpose */
    volatile LONG stop;       /* everyone stops */
    volatile LONG pad;
    volatile LONG64 done, errors, busy; /* for the progress line */
} shared_state;

static const ps_stress_opts *O;
static shared_state *SH;
static shared_state sh_local;
static HANDLE sh_map;
static char sh_name[96];
static wchar_t *PIPE_W;  /* \\.\pipe\NAME */
static char *PIPE_NAME;  /* NAME */
static ps_msgpat PAT;
static size_t MAXMSG;    /* the largest message a client may send */
static double T0;        /* the run's clock origin */
static HANDLE JOB;       /* the server and client processes die with the harness */
static unsigned char SAMPLE_RSP[PS_SAMPLE_RESPONSE_SIZE];

/* The round in progress (clients and the builtin server report into it). */
static struct {
    CRITICAL_SECTION lock; /* round->series, round->incidents, rl */
    ps_round *round;
    ps_ratelimit rl;
    int use_rl;
    double series_t0;      /* series times are since this */
    double deadline;       /* 0: by count */
    uint64_t limit;        /* requests for this process; 0: by time */
    volatile LONG64 claimed;
    HANDLE connect;        /* manual reset: the clients make their connections */
    volatile LONG started; /* client threads running */
    HANDLE start;          /* manual reset: the clients go */
    HANDLE release;        /* manual reset: the clients may close their connections */
    volatile LONG ready;   /* clients connected and waiting */
    volatile LONG finished;/* clients done with the load */
    volatile LONG running; /* clients not yet gone */
    HANDLE all_finished;   /* set when finished reaches the count */
    char seen[PS_INCIDENTS][64]; /* errors already described in an incident this round */
    int nseen;
} R;

static void incident(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    EnterCriticalSection(&R.lock);
    if (R.round) ps_round_incident(R.round, buf);
    LeaveCriticalSection(&R.lock);
}

static const char *errname(DWORD e, char *buf, unsigned long n)
{
    return ps_error_format(e, buf, n);
}

/* ======================= the builtin server ======================= */
enum { ST_CONNECT, ST_READ, ST_WRITE };
typedef struct sconn {
    OVERLAPPED ov; /* first: the completion hands back &ov */
    HANDLE h;
    int state;
    int reqs;      /* requests on this connection */
    unsigned char *rx, *tx;
    DWORD rxcap, txcap, txbody; /* txbody: tx[16..txbody) holds the response pattern */
    DWORD got;     /* bytes in rx */
    DWORD consumed;/* bytes of rx the request in progress takes (byte mode) */
    struct sconn *next, *prev;
} sconn;

static struct {
    int running;
    HANDLE port;
    HANDLE threads[16];
    int nthreads;
    CRITICAL_SECTION lock; /* the instance list */
    sconn *all;
    volatile LONG idle, active, live, stop, create_failed;
    volatile LONG64 connections, requests, responses, corrupt, client_left, client_aborted, errors, instances;
    ps_server_counters base;
} S;

static void srv_listen(sconn *c);
static void srv_read(sconn *c);
static void srv_consume(sconn *c);

static void srv_close(sconn *c)
{
    EnterCriticalSection(&S.lock);
    if (c->prev) c->prev->next = c->next;
    else S.all = c->next;
    if (c->next) c->next->prev = c->prev;
    LeaveCriticalSection(&S.lock);
    CloseHandle(c->h);
    free(c->rx);
    free(c->tx);
    free(c);
    InterlockedDecrement(&S.live);
}

/* Creates one more listening instance (unless stopping or at --instances). */
static void srv_new_instance(void)
{
    sconn *c;
    HANDLE h;
    DWORD type = O->byte_mode ? PIPE_TYPE_BYTE | PIPE_READMODE_BYTE : PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE;
    if (S.stop) return;
    h = CreateNamedPipeW(PIPE_W, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, type | PIPE_WAIT,
                         O->instances ? (DWORD)O->instances : PIPE_UNLIMITED_INSTANCES, PIPE_BUFSZ, PIPE_BUFSZ, 0,
                         NULL);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        char en[64];
        /* at --instances, ERROR_PIPE_BUSY: the limit, not a failure */
        if (e != ERROR_PIPE_BUSY && InterlockedIncrement(&S.create_failed) <= 3)
            incident("server: CreateNamedPipe failed: %s", errname(e, en, sizeof en));
        return;
    }
    if (!CreateIoCompletionPort(h, S.port, 0, 0)) {
        CloseHandle(h);
        return;
    }
    c = ps_xcalloc(1, sizeof *c);
    c->h = h;
    EnterCriticalSection(&S.lock);
    c->next = S.all;
    if (S.all) S.all->prev = c;
    S.all = c;
    LeaveCriticalSection(&S.lock);
    InterlockedIncrement(&S.live);
    InterlockedIncrement64(&S.instances);
    srv_listen(c);
}

static void srv_connected(sconn *c)
{
    if (InterlockedDecrement(&S.idle) < SPARE) srv_new_instance();
    InterlockedIncrement(&S.active);
    InterlockedIncrement64(&S.connections);
    c->got = c->consumed = 0;
    c->reqs = 0;
    if (!c->rx) {
        c->rxcap = (DWORD)(MAXMSG + 1 < RX_START ? MAXMSG + 1 : RX_START);
        c->rx = ps_xmalloc(c->rxcap);
    }
    srv_read(c);
}

/* Waits for the next client on this instance (or closes it when stopping). */
static void srv_listen(sconn *c)
{
    for (;;) {
        DWORD e;
        if (S.stop) {
            srv_close(c);
            return;
        }
        c->state = ST_CONNECT;
        memset(&c->ov, 0, sizeof c->ov);
        InterlockedIncrement(&S.idle);
        if (ConnectNamedPipe(c->h, &c->ov)) return; /* completed: the packet comes */
        e = GetLastError();
        if (e == ERROR_IO_PENDING) return;
        if (e == ERROR_PIPE_CONNECTED) { /* a client was there first: no packet */
            srv_connected(c);
            return;
        }
        InterlockedDecrement(&S.idle);
        if (e == ERROR_NO_DATA) { /* came and left before we listened */
            InterlockedIncrement64(&S.client_left);
            DisconnectNamedPipe(c->h);
            continue;
        }
        {
            char en[64];
            InterlockedIncrement64(&S.errors);
            incident("server: ConnectNamedPipe failed: %s", errname(e, en, sizeof en));
        }
        srv_close(c);
        return;
    }
}

/* The connection is over: count why, free big buffers, listen again. */
static void srv_ended(sconn *c, DWORD e)
{
    int gone = e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED || e == ERROR_NO_DATA ||
               (e == ERROR_OPERATION_ABORTED && S.stop);
    if (gone) {
        if (c->state == ST_WRITE || (c->state == ST_READ && c->got > 0)) InterlockedIncrement64(&S.client_aborted);
        else if (c->reqs == 0) InterlockedIncrement64(&S.client_left);
    } else if (e) {
        char en[64];
        InterlockedIncrement64(&S.errors);
        incident("server: %s failed: %s", c->state == ST_WRITE ? "WriteFile" : "ReadFile", errname(e, en, sizeof en));
    }
    InterlockedDecrement(&S.active);
    if (c->rxcap > RX_KEEP) {
        free(c->rx);
        c->rx = NULL;
    }
    if (c->txcap > RX_KEEP) {
        free(c->tx);
        c->tx = NULL;
        c->txcap = c->txbody = 0;
    }
    DisconnectNamedPipe(c->h);
    srv_listen(c);
}

static void srv_read(sconn *c)
{
    DWORD e;
    if (c->got == c->rxcap) {
        if (c->rxcap >= MAXMSG + 1) { /* longer than any request can be */
            InterlockedIncrement64(&S.corrupt);
            incident("server: a request longer than %lu bytes", (unsigned long)MAXMSG);
            c->got = 0;
            srv_ended(c, 0);
            return;
        }
        c->rxcap = c->rxcap * 2 > MAXMSG + 1 ? (DWORD)(MAXMSG + 1) : c->rxcap * 2;
        c->rx = ps_xrealloc(c->rx, c->rxcap);
    }
    c->state = ST_READ;
    memset(&c->ov, 0, sizeof c->ov);
    if (ReadFile(c->h, c->rx + c->got, c->rxcap - c->got, NULL, &c->ov)) return;
    e = GetLastError();
    if (e == ERROR_IO_PENDING || e == ERROR_MORE_DATA) return; /* the packet comes */
    srv_ended(c, e);
}

static void srv_write(sconn *c, const unsigned char *data, DWORD n)
{
    DWORD e;
    c->state = ST_WRITE;
    memset(&c->ov, 0, sizeof c->ov);
    if (WriteFile(c->h, data, n, NULL, &c->ov)) return;
    e = GetLastError();
    if (e == ERROR_IO_PENDING) return;
    srv_ended(c, e);
}

/* tx holding a builtin response of n bytes (the body is written once per size). */
static unsigned char *srv_response(sconn *c, uint32_t client, uint32_t seq, DWORD n)
{
    if (n > c->txcap) {
        c->txcap = n;
        c->tx = ps_xrealloc(c->tx, n);
    }
    if (n < PS_MSG_HDR) {
        memcpy(c->tx, PAT.rsp, n);
        return c->tx;
    }
    if (n > c->txbody) {
        memcpy(c->tx + PS_MSG_HDR, PAT.rsp + PS_MSG_HDR, n - PS_MSG_HDR);
        c->txbody = n;
    }
    ps_msg_header(c->tx, 1, client, seq, n);
    return c->tx;
}

/* One whole request in rx[0..n): verify, count, answer. */
static void srv_request(sconn *c, DWORD n)
{
    char why[160];
    uint32_t client = 0, seq = 0;
    int bad;
    if (O->proto == PS_SP_SAMPLE) {
        unsigned char *want = ps_xmalloc(n ? n : 1);
        ps_sample_fill(want, n, 0);
        bad = memcmp(want, c->rx, n) != 0;
        if (bad) snprintf(why, sizeof why, "%lu bytes that are not the sample's request text", (unsigned long)n);
        free(want);
    } else bad = ps_msg_check_any(&PAT, c->rx, n, 0, &client, &seq, why, sizeof why) != 0;
    if (bad) {
        InterlockedIncrement64(&S.corrupt);
        incident("server: request %d on a connection: %s", c->reqs + 1, why);
        c->got = 0;
        srv_ended(c, 0);
        return;
    }
    InterlockedIncrement64(&S.requests);
    c->reqs++;
    c->consumed = n;
    if (O->stream) {
        memmove(c->rx, c->rx + n, c->got - n);
        c->got -= n;
        c->consumed = 0;
        if (O->byte_mode) srv_consume(c);
        else srv_read(c);
        return;
    }
    if (O->proto == PS_SP_SAMPLE) srv_write(c, SAMPLE_RSP, sizeof SAMPLE_RSP);
    else srv_write(c, srv_response(c, client, seq, n), n);
}

/* Finds the next whole request in rx: in message mode rx holds exactly one; in byte
 * mode the header gives the length. Reads more when it is not all there. */
static void srv_consume(sconn *c)
{
    uint32_t want;
    if (!O->byte_mode) {
        srv_request(c, c->got);
        return;
    }
    if (c->got < PS_MSG_HDR) {
        srv_read(c);
        return;
    }
    if (ps_msg_header_size(c->rx, 0, &want) || want < PS_MSG_HDR || want > MAXMSG) {
        InterlockedIncrement64(&S.corrupt);
        incident("server: a byte-mode request without a valid header (%02x %02x %02x %02x)", c->rx[0], c->rx[1],
                 c->rx[2], c->rx[3]);
        c->got = 0;
        srv_ended(c, 0);
        return;
    }
    if (c->got < want) {
        if (c->rxcap < want + 1) {
            c->rxcap = want + 1;
            c->rx = ps_xrealloc(c->rx, c->rxcap);
        }
        srv_read(c);
        return;
    }
    srv_request(c, want);
}

static DWORD WINAPI srv_thread(LPVOID unused)
{
    (void)unused;
    for (;;) {
        DWORD n = 0, e;
        ULONG_PTR key;
        OVERLAPPED *ov = NULL;
        BOOL ok = GetQueuedCompletionStatus(S.port, &n, &key, &ov, INFINITE);
        sconn *c;
        e = ok ? 0 : GetLastError();
        if (!ov) break; /* the stop packet, or the port is gone */
        c = (sconn *)ov;
        switch (c->state) {
        case ST_CONNECT:
            if (ok || e == ERROR_PIPE_CONNECTED) srv_connected(c);
            else {
                InterlockedDecrement(&S.idle);
                if (e == ERROR_NO_DATA) InterlockedIncrement64(&S.client_left);
                DisconnectNamedPipe(c->h);
                srv_listen(c);
            }
            break;
        case ST_READ:
            if (!ok && e == ERROR_MORE_DATA) {
                c->got += n;
                srv_read(c);
            } else if (!ok) srv_ended(c, e);
            else {
                c->got += n;
                srv_consume(c);
            }
            break;
        default: /* ST_WRITE */
            if (!ok) srv_ended(c, e);
            else {
                InterlockedIncrement64(&S.responses);
                memmove(c->rx, c->rx + c->consumed, c->got - c->consumed);
                c->got -= c->consumed;
                c->consumed = 0;
                if (O->byte_mode && c->got) srv_consume(c);
                else srv_read(c);
            }
            break;
        }
    }
    return 0;
}

/* Starts the builtin server with `prepare` listening instances. 0 ok, -1 failed. */
static int srv_start(int prepare)
{
    SYSTEM_INFO si;
    int i;
    memset(&S, 0, sizeof S);
    InitializeCriticalSection(&S.lock);
    S.port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (!S.port) return -1;
    GetSystemInfo(&si);
    S.nthreads = (int)si.dwNumberOfProcessors;
    if (S.nthreads < 2) S.nthreads = 2;
    if (S.nthreads > 8) S.nthreads = 8;
    for (i = 0; i < S.nthreads; i++)
        S.threads[i] = CreateThread(NULL, THREAD_STACK, srv_thread, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    if (O->instances && prepare > O->instances) prepare = O->instances;
    for (i = 0; i < prepare + SPARE; i++) srv_new_instance();
    if (!S.live) return -1;
    S.running = 1;
    return 0;
}

/* Stops the server: every instance closed, its threads gone. */
static void srv_stop(void)
{
    int i;
    double until = ps_now_ms() + 5000;
    if (!S.running) return;
    S.stop = 1;
    while (S.live > 0 && ps_now_ms() < until) {
        sconn *c;
        EnterCriticalSection(&S.lock);
        for (c = S.all; c; c = c->next) CancelIoEx(c->h, NULL);
        LeaveCriticalSection(&S.lock);
        Sleep(5);
    }
    for (i = 0; i < S.nthreads; i++) PostQueuedCompletionStatus(S.port, 0, 0, NULL);
    WaitForMultipleObjects((DWORD)S.nthreads, S.threads, TRUE, 5000);
    for (i = 0; i < S.nthreads; i++) CloseHandle(S.threads[i]);
    if (S.live > 0) fprintf(stderr, "pipespec stress: %ld server instance(s) did not close\n", (long)S.live);
    CloseHandle(S.port);
    S.running = 0;
}

static void srv_counters(ps_server_counters *c)
{
    c->connections = (uint64_t)S.connections;
    c->requests = (uint64_t)S.requests;
    c->responses = (uint64_t)S.responses;
    c->corrupt = (uint64_t)S.corrupt;
    c->client_left = (uint64_t)S.client_left;
    c->client_aborted = (uint64_t)S.client_aborted;
    c->errors = (uint64_t)S.errors;
    c->instances = (uint64_t)S.instances;
}

/* ======================= measurements ======================= */
/* SystemHandleInformation (16): every handle of the system in one call. The layout is
 * Wine's (a 32-bit owner pid); Windows has a 16-bit pid and a back-trace index there,
 * but on Windows GetProcessHandleCount answers first and this is not used. */
typedef struct {
    ULONG owner_pid;
    BYTE type, flags;
    USHORT value;
    PVOID object;
    ULONG access;
} sys_handle_entry;
typedef struct {
    ULONG count;
    sys_handle_entry h[1];
} sys_handle_info;
typedef LONG(WINAPI *nt_query_system_information_fn)(int, PVOID, ULONG, PULONG);

static long count_handles_system(DWORD pid)
{
    static nt_query_system_information_fn f;
    ULONG size = 1 << 16, ret = 0, i;
    long n = 0;
    LONG st;
    sys_handle_info *p;
    if (!f) {
        HMODULE nt = GetModuleHandleW(L"ntdll.dll");
        f = nt ? (nt_query_system_information_fn)(void (*)(void))GetProcAddress(nt, "NtQuerySystemInformation") : NULL;
        if (!f) return -1;
    }
    for (;;) {
        p = ps_xmalloc(size);
        st = f(16, p, size, &ret);
        if (st == (LONG)0xC0000004 && size < (1u << 28)) { /* STATUS_INFO_LENGTH_MISMATCH */
            free(p);
            size *= 2;
            continue;
        }
        break;
    }
    if (st != 0) {
        free(p);
        return -1;
    }
    for (i = 0; i < p->count; i++)
        if (p->h[i].owner_pid == pid) n++;
    free(p);
    return n;
}

/* Handles of a process: GetProcessHandleCount; where it answers 0 (Wine 8), the
 * system handle table (one call); failing that, probing handle values
 * (GetHandleInformation for this process, DuplicateHandle for another, one
 * wineserver call each) until 1024 values in a row are free. -1: not measurable. */
static long count_handles(HANDLE proc, int self)
{
    DWORD n = 0;
    long count = 0, misses = 0, denied = 0;
    uintptr_t v;
    if (GetProcessHandleCount(proc, &n) && n > 0) return (long)n;
    count = count_handles_system(self ? GetCurrentProcessId() : GetProcessId(proc));
    if (count > 0) return count;
    count = 0;
    for (v = 4; misses < 1024 && v < ((uintptr_t)1 << 24); v += 4) {
        BOOL ok;
        if (self) {
            DWORD flags;
            ok = GetHandleInformation((HANDLE)v, &flags);
        } else {
            HANDLE d = NULL;
            ok = DuplicateHandle(proc, (HANDLE)v, GetCurrentProcess(), &d, 0, FALSE, DUPLICATE_SAME_ACCESS);
            if (ok) CloseHandle(d);
            else if (GetLastError() != ERROR_INVALID_HANDLE) {
                denied++;
                ok = GetLastError() != ERROR_ACCESS_DENIED;
            }
        }
        if (ok) {
            count++;
            misses = 0;
        } else misses++;
    }
    if (!self && count == 0 && denied) return -1;
    return count;
}

static int64_t private_bytes(HANDLE proc)
{
    PROCESS_MEMORY_COUNTERS_EX m;
    memset(&m, 0, sizeof m);
    m.cb = sizeof m;
    /* PagefileUsage: the commit charge on Windows (= PrivateUsage), anonymous resident
     * memory under Wine (whose PrivateUsage is not filled in). */
    if (!proc || !GetProcessMemoryInfo(proc, (PROCESS_MEMORY_COUNTERS *)&m, sizeof m)) return -1;
    return (int64_t)m.PagefileUsage;
}

static ps_procmem measure(HANDLE proc, int self, int handles)
{
    ps_procmem r;
    PROCESS_MEMORY_COUNTERS_EX m;
    r.t_ms = ps_now_ms() - T0;
    r.private_bytes = r.working_set = -1;
    r.handles = -1;
    if (!proc || (!self && WaitForSingleObject(proc, 0) == WAIT_OBJECT_0)) return r; /* gone: n/a */
    memset(&m, 0, sizeof m);
    m.cb = sizeof m;
    if (GetProcessMemoryInfo(proc, (PROCESS_MEMORY_COUNTERS *)&m, sizeof m)) {
        r.private_bytes = (int64_t)m.PagefileUsage;
        r.working_set = (int64_t)m.WorkingSetSize;
    }
    if (handles) r.handles = count_handles(proc, self);
    return r;
}

static double cpu_ms(HANDLE proc)
{
    FILETIME c, e, k, u;
    ULARGE_INTEGER a, b;
    if (!proc || !GetProcessTimes(proc, &c, &e, &k, &u)) return -1;
    a.LowPart = k.dwLowDateTime, a.HighPart = k.dwHighDateTime;
    b.LowPart = u.dwLowDateTime, b.HighPart = u.dwHighDateTime;
    return (double)(a.QuadPart + b.QuadPart) / 10000.0;
}

/* The CPU time of another process (the server): which source is right here is
 * decided once (ps_cpu_choose), on a process that has not run. */
static struct {
    ps_cpu_source source;
    int decided;
    char note[160];
} CPU;

/* SystemProcessInformation (5): one entry per process; the fields up to the pid. */
typedef struct {
    ULONG next;
    ULONG threads;
    LARGE_INTEGER reserved[3];
    LARGE_INTEGER create, user, kernel;
    USHORT name_len, name_max;
    PWSTR name;
    LONG base_priority;
    HANDLE pid;
} sys_process_entry;

/* User + kernel time of process `pid` by SystemProcessInformation, -1 n/a. */
static double spi_cpu_ms(DWORD pid)
{
    static nt_query_system_information_fn f;
    ULONG size = 1 << 18, ret = 0;
    double r = -1;
    LONG st;
    unsigned char *p;
    if (!f) {
        HMODULE nt = GetModuleHandleW(L"ntdll.dll");
        f = nt ? (nt_query_system_information_fn)(void (*)(void))GetProcAddress(nt, "NtQuerySystemInformation") : NULL;
        if (!f) return -1;
    }
    for (;;) {
        p = ps_xmalloc(size);
        st = f(5, p, size, &ret);
        if (st == (LONG)0xC0000004 && size < (1u << 26)) { /* STATUS_INFO_LENGTH_MISMATCH */
            free(p);
            size *= 2;
            continue;
        }
        break;
    }
    if (st == 0) {
        size_t off = 0;
        while (off + sizeof(sys_process_entry) <= (size_t)size) {
            const sys_process_entry *e = (const sys_process_entry *)(p + off);
            if ((DWORD)(ULONG_PTR)e->pid == pid) {
                r = (double)(e->user.QuadPart + e->kernel.QuadPart) / 10000.0;
                break;
            }
            if (!e->next) break;
            off += e->next;
        }
    }
    free(p);
    return r;
}

/* Decides the source on `idle`, a process created suspended (it has not run). */
static void cpu_decide(HANDLE idle, DWORD idle_pid)
{
    double own0, own1, gpt, self_spi, idle_spi, until = ps_now_ms() + 3000;
    volatile unsigned long spin = 0;
    if (CPU.decided) return;
    CPU.decided = 1;
    /* enough CPU time of our own to tell it from an idle process's */
    while ((own0 = cpu_ms(GetCurrentProcess())) >= 0 && own0 < PS_CPU_OWN_MIN_MS && ps_now_ms() < until)
        for (spin = 0; spin < 100000; spin++) {
        }
    gpt = cpu_ms(idle);
    self_spi = spi_cpu_ms(GetCurrentProcessId());
    idle_spi = spi_cpu_ms(idle_pid);
    own1 = cpu_ms(GetCurrentProcess());
    CPU.source = ps_cpu_choose(own0, own1, gpt, self_spi, idle_spi, CPU.note, sizeof CPU.note);
}

/* Decides the source on a suspended copy of this program (for a server that stress
 * did not start). */
static void cpu_decide_spawn(void)
{
    wchar_t exe[MAX_PATH * 2], cmd[MAX_PATH * 2 + 32];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    if (CPU.decided) return;
    GetModuleFileNameW(NULL, exe, MAX_PATH * 2);
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --version", exe);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
        CPU.decided = 1;
        snprintf(CPU.note, sizeof CPU.note, "not measurable: the check of the CPU time source could not start");
        return;
    }
    if (JOB) AssignProcessToJobObject(JOB, pi.hProcess);
    cpu_decide(pi.hProcess, pi.dwProcessId);
    TerminateProcess(pi.hProcess, 0);
    WaitForSingleObject(pi.hProcess, 5000);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
}

/* User + kernel time of another process by the source decided, -1 n/a. */
static double cpu_other_ms(HANDLE proc)
{
    if (!proc) return -1;
    if (CPU.source == PS_CPU_GPT) return cpu_ms(proc);
    if (CPU.source == PS_CPU_SPI) return spi_cpu_ms(GetProcessId(proc));
    return -1;
}

/* ======================= server processes ======================= */
static struct {
    HANDLE proc;
    DWORD pid;
    char *cmdline;
    double cpu_before; /* CPU of the incarnations already ended */
    int restarting;
} P;

static char *replace_all(const char *s, const char *what, const char *with)
{
    ps_buf b;
    const char *p;
    size_t wl = strlen(what);
    ps_buf_init(&b);
    while ((p = strstr(s, what)) != NULL) {
        ps_buf_add(&b, s, (size_t)(p - s));
        ps_buf_adds(&b, with);
        s = p + wl;
    }
    ps_buf_adds(&b, s);
    return ps_buf_steal(&b);
}

/* Starts the server process and waits until its pipe answers. 0 ok, -1 with err. */
static int proc_start(char *err, size_t errlen)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE nul;
    wchar_t *wcmd;
    double until;
    BOOL ok;
    nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0,
                      NULL);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = si.hStdOutput = si.hStdError = nul;
    wcmd = ps_wide(P.cmdline);
    ok = CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    free(wcmd);
    if (nul != INVALID_HANDLE_VALUE) CloseHandle(nul);
    if (!ok) {
        char en[64];
        snprintf(err, errlen, "cannot start the server (%s): %s", P.cmdline, errname(GetLastError(), en, sizeof en));
        return -1;
    }
    AssignProcessToJobObject(JOB, pi.hProcess);
    cpu_decide(pi.hProcess, pi.dwProcessId); /* the first time: it has not run yet */
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    P.proc = pi.hProcess;
    P.pid = pi.dwProcessId;
    until = ps_now_ms() + 10000;
    for (;;) {
        DWORD code;
        if (WaitNamedPipeW(PIPE_W, 50)) return 0;
        if (GetLastError() == ERROR_SEM_TIMEOUT) return 0; /* there, but busy */
        if (GetExitCodeProcess(P.proc, &code) && code != STILL_ACTIVE) {
            snprintf(err, errlen, "the server exited with code %lu before creating \\\\.\\pipe\\%s (%s)", code,
                     PIPE_NAME, P.cmdline);
            return -1;
        }
        if (ps_now_ms() > until) {
            snprintf(err, errlen, "the server did not create \\\\.\\pipe\\%s within 10 s (%s)", PIPE_NAME, P.cmdline);
            return -1;
        }
        Sleep(10);
    }
}

static void proc_kill(void)
{
    double c;
    if (!P.proc) return;
    c = cpu_other_ms(P.proc); /* before it ends: afterwards it may not be known */
    TerminateProcess(P.proc, 1);
    WaitForSingleObject(P.proc, 5000);
    if (c >= 0) P.cpu_before += c;
    CloseHandle(P.proc);
    P.proc = NULL;
}

/* A restart: clients that fail meanwhile see the generation change (expected). */
static int proc_restart(char *err, size_t errlen)
{
    int rc;
    InterlockedIncrement(&SH->gen);
    InterlockedExchange(&SH->restarting, 1);
    proc_kill();
    rc = proc_start(err, errlen);
    InterlockedExchange(&SH->restarting, 0);
    InterlockedIncrement(&SH->gen);
    return rc;
}

/* ======================= clients ======================= */
typedef struct {
    HANDLE h;
} cconn;

typedef struct {
    int index;            /* global client number: the header's client field and the seed stream */
    HANDLE thread;
    ps_counters c;
    ps_hist lat;
    ps_rng rng;
    cconn *conns;
    int nconns, next, held;
    uint32_t seq;
    unsigned char *tx, *rx, *big;
    OVERLAPPED *fov;           /* the mid-message fault's write (heap: it may outlive a wait) */
    size_t rxcap;
    uint32_t tx_sample; /* the size tx holds as a sample request + 1, 0 none */
    HANDLE ev;
    volatile LONG64 req_id;    /* the request in progress */
    volatile LONG64 cancel_id; /* the request the watchdog cancelled */
    volatile LONG in_req;
    volatile double req_t0;
    double t_last;             /* when its load ended */
} worker;

static void conn_close(cconn *c)
{
    if (c->h != INVALID_HANDLE_VALUE) CloseHandle(c->h);
    c->h = INVALID_HANDLE_VALUE;
}

/* Opens the pipe, waiting on ERROR_PIPE_BUSY (WaitNamedPipe) and retrying while the
 * name is missing (a restart), until the deadline. 0 ok, 1 abandoned (stop), -1
 * failed with *err and *call, the call that failed. */
static int open_pipe(worker *w, HANDLE *out, int overlapped, double deadline, DWORD *err, const char **call)
{
    for (;;) {
        DWORD e;
        HANDLE h = CreateFileW(PIPE_W, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                               overlapped ? FILE_FLAG_OVERLAPPED : 0, NULL);
        double left;
        if (h != INVALID_HANDLE_VALUE) {
            w->c.connects++; /* connected, whatever happens next */
            if (!O->byte_mode) {
                DWORD mode = PIPE_READMODE_MESSAGE;
                if (!SetNamedPipeHandleState(h, &mode, NULL, NULL)) {
                    *err = GetLastError();
                    *call = "SetNamedPipeHandleState";
                    CloseHandle(h);
                    return -1;
                }
            }
            *out = h;
            return 0;
        }
        e = GetLastError();
        *call = "CreateFile";
        left = deadline - ps_now_ms();
        if (e == ERROR_PIPE_BUSY) {
            w->c.busy++;
            InterlockedIncrement64(&SH->busy);
            if (left > 0) {
                DWORD wait = (DWORD)(left < O->wait_ms ? left : O->wait_ms);
                if (!WaitNamedPipeW(PIPE_W, wait ? wait : 1)) {
                    DWORD e2 = GetLastError();
                    if (e2 == ERROR_SEM_TIMEOUT) {
                        w->c.wait_timeouts++;
                        e = e2;
                        *call = "WaitNamedPipe";
                    } else if (e2 == ERROR_OPERATION_ABORTED) {
                        e = e2;
                        *call = "WaitNamedPipe";
                    } else Sleep(1);
                }
            }
        } else if (e == ERROR_FILE_NOT_FOUND || e == ERROR_PIPE_NOT_CONNECTED) {
            Sleep(2); /* not there (yet, or again: a restart) */
        } else {
            *err = e;
            return -1;
        }
        if (SH->stop) return 1;
        if (e == ERROR_OPERATION_ABORTED || ps_now_ms() >= deadline) {
            *err = e;
            return -1;
        }
    }
}

/* What a failed call means for the server under test, when it can be told: "" or
 * a sentence starting with "; ". */
static const char *call_hint(const char *call, DWORD e)
{
    if (!strcmp(call, "SetNamedPipeHandleState") && e == ERROR_INVALID_PARAMETER)
        return "; the pipe refuses message-read mode, so the server's pipe is byte-type (try --type byte)";
    return "";
}

static void series_add(double t, uint64_t ns, uint64_t bytes, int error)
{
    EnterCriticalSection(&R.lock);
    ps_series_add(&R.round->series, t - R.series_t0, ns, bytes, error);
    LeaveCriticalSection(&R.lock);
}

/* 1 when an incident already described this error (call and name) this round: the
 * ERRORS line counts them all, the incidents describe each cause once. */
static int seen_before(const char *key)
{
    int i, seen = 0;
    EnterCriticalSection(&R.lock);
    for (i = 0; i < R.nseen && !seen; i++) seen = !strcmp(R.seen[i], key);
    if (!seen && R.nseen < PS_INCIDENTS) snprintf(R.seen[R.nseen++], sizeof R.seen[0], "%s", key);
    LeaveCriticalSection(&R.lock);
    return seen;
}

static void req_fail(worker *w, DWORD e, const char *call, LONG gen0, LONG64 id, uint32_t seq, uint32_t size)
{
    int expected = SH->gen != gen0 || SH->restarting;
    char en[64], key[64];
    int timeout = w->cancel_id == id;
    const char *name = timeout ? "REQUEST_TIMEOUT" : errname(e, en, sizeof en);
    w->c.errors++;
    if (expected) w->c.errors_expected++;
    /* errors by the call that failed and its error: "ReadFile: ERROR_BROKEN_PIPE (109)" */
    if (timeout) snprintf(key, sizeof key, "%s", name);
    else snprintf(key, sizeof key, "%s: %s", call, name);
    ps_errmap_add(&w->c.errs, key, 1, (uint64_t)expected);
    InterlockedIncrement64(&SH->errors);
    series_add(ps_now_ms(), 0, 0, 1);
    if (!expected && !seen_before(key))
        incident("client %d request %lu (%lu bytes): %s failed: %s%s", w->index, (unsigned long)seq,
                 (unsigned long)size, call, name, timeout ? "" : call_hint(call, e));
}

static void req_corrupt(worker *w, const char *why, uint32_t seq, uint32_t size)
{
    w->c.errors++;
    w->c.corrupt++;
    ps_errmap_add(&w->c.errs, "DATA_MISMATCH", 1, 0);
    InterlockedIncrement64(&SH->errors);
    series_add(ps_now_ms(), 0, 0, 1);
    incident("client %d request %lu (%lu bytes): response: %s", w->index, (unsigned long)seq, (unsigned long)size, why);
}

/* Reads one response: message mode loops on ERROR_MORE_DATA to the message's end;
 * byte mode reads `expected` bytes. A slow reader waits before each piece of at most
 * 512 bytes (the waits are added to *slept). 0 ok, 1 error (*err), 2 longer than the
 * buffer. */
static int read_response(worker *w, HANDLE h, DWORD expected, int slow, DWORD *got, double *slept, DWORD *err)
{
    DWORD cap = (DWORD)w->rxcap;
    *got = 0;
    for (;;) {
        DWORD want = O->byte_mode ? expected - *got : cap - *got, n = 0;
        BOOL ok;
        if (O->byte_mode && *got >= expected) return 0;
        if (!want) return 2;
        if (slow) {
            double t = ps_now_ms();
            if (want > 512) want = 512;
            Sleep((DWORD)O->slow_ms);
            *slept += ps_now_ms() - t;
        }
        ok = ReadFile(h, w->rx + *got, want, &n, NULL);
        *got += n;
        if (O->byte_mode) {
            if (!ok) {
                *err = GetLastError();
                return 1;
            }
            if (!n) {
                *err = ERROR_HANDLE_EOF;
                return 1;
            }
            continue;
        }
        if (ok) return 0;
        *err = GetLastError();
        if (*err != ERROR_MORE_DATA) return 1;
    }
}

static void request(worker *w, cconn *cn, uint32_t size, int slow, double due)
{
    LONG gen0 = SH->gen;
    double t0 = ps_now_ms(), slept = 0;
    LONG64 id = InterlockedIncrement64(&w->req_id);
    DWORD e = 0, n = 0, got = 0, expected;
    uint32_t seq = 0;
    char why[200];
    int rc;
    if (due > 0 && due < t0) t0 = due; /* paced: latency from the due time */
    w->req_t0 = ps_now_ms();
    InterlockedExchange(&w->in_req, 1);
    if (cn->h == INVALID_HANDLE_VALUE) {
        const char *call = "CreateFile";
        rc = open_pipe(w, &cn->h, 0, ps_now_ms() + O->connect_timeout_ms, &e, &call);
        if (rc == 1) {
            w->c.ops--; /* abandoned: the run stopped before it could start */
            goto out;
        }
        if (rc < 0) {
            w->c.sent++;
            req_fail(w, e, call, gen0, id, 0, size);
            goto out;
        }
    }
    w->c.sent++;
    seq = ++w->seq;
    if (O->proto == PS_SP_SAMPLE) {
        if (w->tx_sample != size + 1) {
            ps_sample_fill(w->tx, size, 0);
            w->tx_sample = size + 1;
        }
    } else if (size >= PS_MSG_HDR) ps_msg_header(w->tx, 0, (uint32_t)w->index, seq, size);
    else memcpy(w->tx, PAT.req, size);
    if (!WriteFile(cn->h, w->tx, size, &n, NULL) || n != size) {
        e = GetLastError();
        conn_close(cn);
        req_fail(w, e, "WriteFile", gen0, id, seq, size);
        goto out;
    }
    w->c.bytes_out += size;
    if (O->stream) {
        double t1 = ps_now_ms();
        uint64_t ns = (uint64_t)((t1 - t0) * 1e6);
        w->c.verified++;
        ps_hist_record(&w->lat, ns);
        InterlockedIncrement64(&SH->done);
        series_add(t1, ns, size, 0);
        if (O->churn) conn_close(cn);
        goto out;
    }
    expected = O->proto == PS_SP_SAMPLE ? PS_SAMPLE_RESPONSE_SIZE : size;
    if (slow) w->c.slow_reads++;
    rc = read_response(w, cn->h, expected, slow, &got, &slept, &e);
    if (rc == 1) {
        conn_close(cn);
        req_fail(w, e, "ReadFile", gen0, id, seq, size);
        goto out;
    }
    w->c.bytes_in += got;
    if (rc == 2) snprintf(why, sizeof why, "longer than %lu bytes", (unsigned long)w->rxcap);
    else if (O->proto == PS_SP_SAMPLE) {
        if (got != PS_SAMPLE_RESPONSE_SIZE) {
            snprintf(why, sizeof why, "%lu bytes, expected the sample's %d", (unsigned long)got, PS_SAMPLE_RESPONSE_SIZE);
            rc = 2;
        } else if (memcmp(w->rx, SAMPLE_RSP, got)) {
            DWORD i = 0;
            while (w->rx[i] == SAMPLE_RSP[i]) i++;
            snprintf(why, sizeof why, "byte %lu is 0x%02x, expected 0x%02x (the sample's response text)",
                     (unsigned long)i, w->rx[i], SAMPLE_RSP[i]);
            rc = 2;
        }
    } else if (ps_msg_check(&PAT, w->rx, got, 1, (uint32_t)w->index, seq, size, why, sizeof why))
        rc = 2;
    if (rc == 2) {
        conn_close(cn);
        req_corrupt(w, why, seq, size);
        goto out;
    }
    {
        double t1 = ps_now_ms(), lat = t1 - t0 - slept;
        uint64_t ns = lat > 0 ? (uint64_t)(lat * 1e6) : 0;
        w->c.verified++;
        ps_hist_record(&w->lat, ns);
        InterlockedIncrement64(&SH->done);
        series_add(t1, ns, (uint64_t)size + got, 0);
    }
    if (O->churn) conn_close(cn);
out:
    InterlockedExchange(&w->in_req, 0);
}

/* Fault: connect and leave at once. */
static void fault_leave(worker *w)
{
    HANDLE h;
    DWORD e;
    const char *call;
    int rc = open_pipe(w, &h, 0, ps_now_ms() + O->connect_timeout_ms, &e, &call);
    if (rc == 1) {
        w->c.ops--;
        return;
    }
    if (rc == 0) CloseHandle(h);
    w->c.fault_leave++;
}

/* Fault: start a request larger than any pipe buffer (overlapped, so it stays
 * pending while the server reads it), give the server a moment to read a part, then
 * cancel it and leave. */
static void fault_mid(worker *w)
{
    HANDLE h;
    DWORD e;
    const char *call;
    int rc = open_pipe(w, &h, 1, ps_now_ms() + O->connect_timeout_ms, &e, &call);
    if (rc == 1) {
        w->c.ops--;
        return;
    }
    w->c.fault_mid++;
    if (rc) return;
    if (!w->big) {
        w->big = ps_xmalloc(FAULT_SIZE);
        if (O->proto == PS_SP_SAMPLE) ps_sample_fill(w->big, FAULT_SIZE, 0);
        else ps_msg_build(&PAT, w->big, 0, (uint32_t)w->index, 0, FAULT_SIZE);
    }
    if (!w->fov) w->fov = ps_xcalloc(1, sizeof(OVERLAPPED));
    memset(w->fov, 0, sizeof(OVERLAPPED));
    w->fov->hEvent = w->ev;
    ResetEvent(w->ev);
    if (!WriteFile(h, w->big, FAULT_SIZE, NULL, w->fov) && GetLastError() == ERROR_IO_PENDING) {
        Sleep(1);
        CancelIo(h);
        CloseHandle(h);
        if (WaitForSingleObject(w->ev, 5000) != WAIT_OBJECT_0) {
            /* never completed: leave its buffer and OVERLAPPED to it */
            incident("client %d: a cancelled mid-message write did not complete within 5 s", w->index);
            w->fov = NULL;
            w->big = NULL;
            w->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
        }
        return;
    }
    CloseHandle(h);
}

static void wait_until(double due)
{
    double d;
    while ((d = due - ps_now_ms()) > 0) Sleep(d > 1.5 ? (DWORD)(d - 1) : 0);
}

static void one_op(worker *w)
{
    double due = 0, r;
    uint32_t size;
    int slow;
    if (R.use_rl) {
        EnterCriticalSection(&R.lock);
        due = ps_rl_reserve(&R.rl, ps_now_ms());
        LeaveCriticalSection(&R.lock);
        wait_until(due);
    }
    /* three draws per operation, whatever happens: a client's choices repeat with the seed */
    r = ps_rng_unit(&w->rng);
    size = ps_sizemix_sample(&O->sizes, &w->rng);
    slow = ps_rng_chance(&w->rng, O->p_slow);
    w->c.ops++;
    if (r < O->p_leave) fault_leave(w);
    else if (r < O->p_leave + O->p_mid) fault_mid(w);
    else request(w, &w->conns[w->next++ % w->nconns], size, slow, due);
}

static DWORD WINAPI worker_main(LPVOID p)
{
    worker *w = p;
    int i;
    InterlockedIncrement(&R.started);
    WaitForSingleObject(R.connect, INFINITE);
    if (!O->churn)
        for (i = 0; i < w->nconns; i++) {
            DWORD e = 0;
            const char *call = "CreateFile";
            int rc = open_pipe(w, &w->conns[i].h, 0, ps_now_ms() + O->connect_timeout_ms, &e, &call);
            if (rc == 0) w->held++;
            else {
                /* the rest would wait as long for the same reason: left to the requests */
                char en[64];
                if (rc < 0)
                    incident("client %d: connection %d of %d not made: %s failed: %s%s (the other %d not tried)",
                             w->index, i + 1, w->nconns, call, errname(e, en, sizeof en), call_hint(call, e),
                             w->nconns - i - 1);
                break;
            }
        }
    InterlockedIncrement(&R.ready);
    WaitForSingleObject(R.start, INFINITE);
    while (!SH->stop) {
        if (R.limit) {
            if (InterlockedIncrement64(&R.claimed) > (LONG64)R.limit) break;
        } else if (ps_now_ms() >= R.deadline) break;
        one_op(w);
    }
    w->t_last = ps_now_ms();
    if (InterlockedIncrement(&R.finished) == InterlockedCompareExchange(&R.running, 0, 0)) SetEvent(R.all_finished);
    WaitForSingleObject(R.release, INFINITE);
    for (i = 0; i < w->nconns; i++) conn_close(&w->conns[i]);
    return 0;
}

/* ======================= client processes ======================= */
typedef struct {
    HANDLE proc, out, reader;
    ps_buf text;
} child;

static DWORD WINAPI child_reader(LPVOID p)
{
    child *c = p;
    char buf[4096];
    DWORD n;
    while (ReadFile(c->out, buf, sizeof buf, &n, NULL) && n > 0) ps_buf_add(&c->text, buf, n);
    return 0;
}

static void add_arg(ps_buf *b, const char *s)
{
    ps_buf_addc(b, ' ');
    ps_quote_arg(b, s);
}

static int child_start(child *c, int index, int clients, double t0, char *err, size_t errlen)
{
    ps_buf cmd;
    char num[64], sizes[300];
    wchar_t exe[MAX_PATH * 2], *wcmd;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE wr;
    BOOL ok;
    char *u;
    GetModuleFileNameW(NULL, exe, MAX_PATH * 2);
    u = ps_utf8(exe);
    ps_buf_init(&cmd);
    add_arg(&cmd, u);
    memmove(cmd.data, cmd.data + 1, cmd.len--); /* no space before the program */
    free(u);
    ps_buf_adds(&cmd, " stress --no-progress --quiet --worker");
#define NUM(fmt, v) (snprintf(num, sizeof num, fmt, v), add_arg(&cmd, num))
    NUM("%d", index);
    ps_buf_adds(&cmd, " --processes");
    NUM("%d", O->processes);
    ps_buf_adds(&cmd, " --server-pipe");
    add_arg(&cmd, PIPE_NAME);
    ps_buf_adds(&cmd, O->proto == PS_SP_SAMPLE ? " --protocol sample" : " --protocol builtin");
    ps_buf_adds(&cmd, " --clients");
    NUM("%d", clients);
    if (O->connections) {
        ps_buf_adds(&cmd, " --connections");
        NUM("%d", O->connections);
    }
    if (O->requests) {
        ps_buf_adds(&cmd, " --requests");
        NUM("%" PRIu64, O->requests);
    } else {
        ps_buf_adds(&cmd, " --duration");
        NUM("%.3f", O->duration_s);
    }
    if (O->rate > 0) {
        ps_buf_adds(&cmd, " --rate");
        NUM("%.6f", O->rate);
        ps_buf_adds(&cmd, " --burst");
        NUM("%.3f", O->burst);
    }
    ps_sizemix_format(&O->sizes, sizes, sizeof sizes);
    ps_buf_adds(&cmd, " --size");
    add_arg(&cmd, sizes);
    ps_buf_adds(&cmd, O->stream ? " --mode stream" : " --mode reqresp");
    ps_buf_adds(&cmd, O->byte_mode ? " --type byte" : " --type message");
    ps_buf_adds(&cmd, O->churn ? " --churn" : " --persistent");
    ps_buf_adds(&cmd, " --fault-mid-message");
    NUM("%.9f", O->p_mid);
    ps_buf_adds(&cmd, " --fault-connect-leave");
    NUM("%.9f", O->p_leave);
    ps_buf_adds(&cmd, " --slow-reader");
    NUM("%.9f", O->p_slow);
    ps_buf_adds(&cmd, " --slow-ms");
    NUM("%.3f", O->slow_ms);
    ps_buf_adds(&cmd, " --seed");
    NUM("%" PRIu64, O->seed);
    ps_buf_adds(&cmd, " --wait-ms");
    NUM("%.3f", O->wait_ms);
    ps_buf_adds(&cmd, " --connect-timeout");
    NUM("%.3f", O->connect_timeout_ms);
    ps_buf_adds(&cmd, " --request-timeout");
    NUM("%.3f", O->request_timeout_ms);
    ps_buf_adds(&cmd, " --t0");
    NUM("%.6f", t0);
    ps_buf_adds(&cmd, " --shared");
    add_arg(&cmd, sh_name);
#undef NUM
    memset(c, 0, sizeof *c);
    ps_buf_init(&c->text);
    if (!CreatePipe(&c->out, &wr, &sa, 0)) {
        ps_buf_free(&cmd);
        snprintf(err, errlen, "CreatePipe failed");
        return -1;
    }
    SetHandleInformation(c->out, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = NULL;
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    wcmd = ps_wide(cmd.data);
    ok = CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    free(wcmd);
    CloseHandle(wr);
    if (!ok) {
        char en[64];
        snprintf(err, errlen, "cannot start client process %d: %s", index, errname(GetLastError(), en, sizeof en));
        ps_buf_free(&cmd);
        CloseHandle(c->out);
        return -1;
    }
    ps_buf_free(&cmd);
    AssignProcessToJobObject(JOB, pi.hProcess);
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    c->proc = pi.hProcess;
    c->reader = CreateThread(NULL, THREAD_STACK, child_reader, c, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    return 0;
}

/* ======================= the round ======================= */
static struct {
    ps_stress_run *run;
    HANDLE server;          /* the server process to measure, or NULL */
    int warm_taken;
    double next_restart;    /* in completed requests */
    int restart_failed;
    char restart_err[200];
} M;

/* The leak samples (stress_leak.h): memory and handles of the harness and the
 * server process (or, in a client process, of itself) against the requests done,
 * during the last round's load. */
static ps_leakseries W_LEAK; /* a client process's own */

static double leak_interval(void)
{
    return O->worker ? W_LEAK.interval_ms : M.run->leak_harness.interval_ms;
}

/* Adds one sample; `self` is a measurement of this process just taken, or NULL. */
static void leak_sample(const ps_procmem *self, int force)
{
    double t = ps_now_ms() - T0, work = (double)SH->done;
    ps_procmem m = self ? *self : measure(GetCurrentProcess(), 1, 1);
    if (O->worker) {
        ps_leak_add(&W_LEAK, t, work, m.private_bytes, m.handles, force);
        return;
    }
    ps_leak_add(&M.run->leak_harness, t, work, m.private_bytes, m.handles, force);
    if (M.server && !SH->restarting && !force) {
        m = measure(M.server, 0, 1);
        ps_leak_add(&M.run->leak_server, t, work, m.private_bytes, m.handles, 0);
    }
}

static double progress_fraction(double elapsed_ms, uint64_t total_requests)
{
    if (total_requests) return (double)SH->done / (double)total_requests;
    return elapsed_ms / (O->duration_s * 1000.0);
}

static void progress_print(double elapsed_ms, double *last_t, LONG64 *last_done, int final)
{
    char line[160];
    double t = ps_now_ms(), rps = 0;
    LONG64 done = SH->done;
    if (t > *last_t) rps = (double)(done - *last_done) * 1000.0 / (t - *last_t);
    *last_t = t;
    *last_done = done;
    if (final) {
        fprintf(stderr, "\r%-100s\r", "");
        return;
    }
    ps_stress_progress_text(line, sizeof line, elapsed_ms / 1000.0, rps, (uint64_t)done, (uint64_t)SH->errors,
                            (uint64_t)SH->busy);
    fprintf(stderr, "\r%-100s", line);
    fflush(stderr);
}

/* Runs one round of `clients` clients (over all processes) into *r. */
static int run_round(ps_round *r, int clients, int last, int progress)
{
    int nproc = (O->processes > 1 && !O->worker) ? O->processes : 0;
    int pidx = O->worker ? O->worker_index : 0, P_ = O->worker ? O->processes : 1;
    int local = nproc ? 0 : (int)ps_stress_share((uint64_t)clients, P_, pidx);
    int base = 0, i, conns_total = O->connections ? O->connections : clients, local_conns;
    uint64_t total_requests = O->requests;
    worker *ws = NULL;
    child kids[MAX_PROCS];
    double t_measure, cpu_start, last_sample = 0, last_prog = 0, prog_t = ps_now_ms(), last_leak = 0;
    LONG64 prog_done = SH->done;
    int kids_left = nproc;
    char err[300];

    for (i = 0; i < pidx; i++) base += (int)ps_stress_share((uint64_t)clients, P_, i);
    local_conns = (int)ps_stress_share((uint64_t)conns_total, P_, pidx);
    ps_round_init(r, SAMPLE_MS);
    r->clients = clients;
    r->connections = O->connections;
    EnterCriticalSection(&R.lock);
    R.round = r;
    LeaveCriticalSection(&R.lock);
    R.limit = O->requests ? ps_stress_share(O->requests, P_, pidx) : 0;
    R.claimed = 0;
    R.ready = R.finished = R.started = 0;
    R.nseen = 0;
    R.running = local;
    ResetEvent(R.connect);
    ResetEvent(R.start);
    ResetEvent(R.release);
    ResetEvent(R.all_finished);
    if (!O->worker) SH->stop = 0;
    if (S.running) srv_counters(&S.base);
    if (local) ws = ps_xcalloc((size_t)local, sizeof *ws);
    for (i = 0; i < local; i++) {
        worker *w = &ws[i];
        int k;
        w->index = base + i;
        w->nconns = O->churn ? 1 : (int)ps_stress_share((uint64_t)local_conns, local, i);
        if (w->nconns < 1) w->nconns = 1;
        w->conns = ps_xcalloc((size_t)w->nconns, sizeof(cconn));
        for (k = 0; k < w->nconns; k++) w->conns[k].h = INVALID_HANDLE_VALUE;
        ps_hist_init(&w->lat, PS_LAT_SUB_BITS, PS_LAT_MAX_BITS);
        ps_rng_seed(&w->rng, O->seed, (uint64_t)w->index);
        w->tx = ps_xmalloc(MAXMSG ? MAXMSG : 1);
        if (O->proto == PS_SP_BUILTIN) ps_msg_build(&PAT, w->tx, 0, 0, 0, (uint32_t)MAXMSG);
        w->rxcap = MAXMSG + 1 > PS_SAMPLE_RESPONSE_SIZE + 1 ? MAXMSG + 1 : PS_SAMPLE_RESPONSE_SIZE + 1;
        w->rx = ps_xmalloc(w->rxcap);
        w->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
    for (i = 0; i < local; i++)
        ws[i].thread = CreateThread(NULL, THREAD_STACK, worker_main, &ws[i], STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    /* memory per connection: measured around the connections alone, the client
     * threads already running; every connection made before the clock starts */
    while (R.started < local) Sleep(2);
    r->mem_before = private_bytes(GetCurrentProcess());
    SetEvent(R.connect);
    while (R.ready < local) Sleep(2);
    r->mem_connected = private_bytes(GetCurrentProcess());
    for (i = 0; i < local; i++) r->held += ws[i].held;
    t_measure = ps_now_ms();
    cpu_start = local ? cpu_ms(GetCurrentProcess()) : -1;
    R.series_t0 = O->worker ? O->t0_ms : t_measure;
    R.deadline = O->requests ? 0 : t_measure + O->duration_s * 1000.0;
    R.use_rl = O->rate > 0;
    if (R.use_rl) ps_rl_init(&R.rl, O->rate / P_, O->burst, t_measure);
    for (i = 0; i < nproc; i++)
        if (child_start(&kids[i], i, clients, t_measure, err, sizeof err)) {
            /* counted below as a client process without a result */
            fprintf(stderr, "pipespec stress: %s\n", err);
            memset(&kids[i], 0, sizeof kids[i]);
            ps_buf_init(&kids[i].text);
        }
    if (last && O->worker) ps_leak_init(&W_LEAK);
    SetEvent(R.start);

    /* supervise */
    for (;;) {
        double now = ps_now_ms(), elapsed = now - t_measure;
        int clients_done = !local || WaitForSingleObject(R.all_finished, 0) == WAIT_OBJECT_0;
        if (kids_left) {
            kids_left = 0;
            for (i = 0; i < nproc; i++)
                if (kids[i].proc && WaitForSingleObject(kids[i].proc, 0) != WAIT_OBJECT_0) kids_left++;
        }
        if (clients_done && !kids_left) break;
        if (progress && now - last_prog >= SAMPLE_MS) {
            progress_print(elapsed, &prog_t, &prog_done, 0);
            last_prog = now;
        }
        if (!O->worker && now - last_sample >= SAMPLE_MS) {
            ps_stress_run_mem(M.run, now - T0, private_bytes(GetCurrentProcess()), private_bytes(M.server));
            last_sample = now;
        }
        if (last && now - last_leak >= leak_interval()) {
            leak_sample(NULL, 0);
            last_leak = now;
        }
        /* the warm measurement: the last round 10 % in, every connection made */
        if (last && !M.warm_taken && progress_fraction(elapsed, total_requests) >= 0.10) {
            M.warm_taken = 1;
            if (O->worker) r->proc_warm[0] = measure(GetCurrentProcess(), 1, 1);
            else {
                M.run->harness[1] = measure(GetCurrentProcess(), 1, 1);
                if (M.server) M.run->server[1] = measure(M.server, 0, 1);
            }
        }
        /* restarts */
        if (O->restart_every && P.proc && !M.restart_failed && (double)SH->done >= M.next_restart) {
            M.next_restart += (double)O->restart_every;
            if (proc_restart(M.restart_err, sizeof M.restart_err)) {
                M.restart_failed = 1;
                SH->stop = 1;
            } else {
                M.run->server_restarts++;
                M.server = P.proc;
            }
        }
        /* the server process died on its own */
        if (P.proc && !SH->restarting && WaitForSingleObject(P.proc, 0) == WAIT_OBJECT_0 && !M.run->server_died) {
            DWORD code = 0;
            GetExitCodeProcess(P.proc, &code);
            M.run->server_died = 1;
            snprintf(M.run->server_died_note, sizeof M.run->server_died_note,
                     "the server exited with code %lu (0x%08lx) %.1f s into round %d", code, code, elapsed / 1000.0,
                     M.run->nrounds);
            SH->stop = 1;
        }
        /* requests blocked too long */
        for (i = 0; i < local; i++) {
            worker *w = &ws[i];
            if (w->in_req && now - w->req_t0 > O->request_timeout_ms) {
                InterlockedExchange64(&w->cancel_id, w->req_id);
                CancelSynchronousIo(w->thread);
            }
        }
        if (local && clients_done) {
            /* the load is over: the end measurement, with the clients' connections open */
            break;
        }
        if (local) WaitForSingleObject(R.all_finished, TICK_MS);
        else Sleep(TICK_MS);
    }
    if (local) {
        double t_end = 0;
        if (cpu_start >= 0 && cpu_ms(GetCurrentProcess()) >= 0) r->cpu_ms = cpu_ms(GetCurrentProcess()) - cpu_start;
        for (i = 0; i < local; i++)
            if (ws[i].t_last > t_end) t_end = ws[i].t_last;
        r->wall_ms = t_end - t_measure;
        if (last) {
            if (!M.warm_taken) { /* too short to see 10 %: warm = end */
                M.warm_taken = 1;
                if (O->worker) r->proc_warm[0] = measure(GetCurrentProcess(), 1, 1);
                else M.run->harness[1] = measure(GetCurrentProcess(), 1, 1);
            }
            if (O->worker) {
                r->proc_end[0] = measure(GetCurrentProcess(), 1, 1);
                r->nprocs = 1;
                leak_sample(&r->proc_end[0], 1);
                ps_leak_fit(&W_LEAK, 0, &r->proc_fit[0][0]);
                ps_leak_fit(&W_LEAK, 1, &r->proc_fit[0][1]);
            } else {
                M.run->harness[2] = measure(GetCurrentProcess(), 1, 1);
                leak_sample(&M.run->harness[2], 1);
            }
        }
        SetEvent(R.release);
        for (i = 0; i < local; i++) {
            WaitForSingleObject(ws[i].thread, INFINITE);
            CloseHandle(ws[i].thread);
        }
    }
    r->t_begin_ms = t_measure - (O->worker ? O->t0_ms : T0);
    if (progress) progress_print(0, &prog_t, &prog_done, 1);
    for (i = 0; i < local; i++) {
        worker *w = &ws[i];
        ps_counters_merge(&r->c, &w->c);
        ps_hist_merge(&r->lat, &w->lat);
        ps_hist_free(&w->lat);
        free(w->conns);
        free(w->tx);
        free(w->rx);
        free(w->big);
        free(w->fov);
        CloseHandle(w->ev);
    }
    free(ws);
    /* client processes: their rounds */
    if (nproc) {
        double b = 1e300, e = 0;
        for (i = 0; i < nproc; i++) {
            ps_round kr;
            DWORD code = 0;
            if (kids[i].proc) {
                WaitForSingleObject(kids[i].reader, 10000);
                CloseHandle(kids[i].reader);
                CloseHandle(kids[i].out);
                GetExitCodeProcess(kids[i].proc, &code);
                CloseHandle(kids[i].proc);
            }
            if (ps_round_read(&kr, kids[i].text.data) == 0) {
                ps_round_merge(r, &kr);
                if (kr.t_begin_ms < b) b = kr.t_begin_ms;
                if (kr.t_begin_ms + kr.wall_ms > e) e = kr.t_begin_ms + kr.wall_ms;
                ps_round_free(&kr);
            } else {
                /* no result: one failed request, so the run cannot pass */
                r->c.ops++;
                r->c.sent++;
                r->c.errors++;
                ps_errmap_add(&r->c.errs, "CLIENT_PROCESS_FAILED", 1, 0);
                EnterCriticalSection(&R.lock);
                ps_round_incident(r, "a client process gave no result");
                LeaveCriticalSection(&R.lock);
                fprintf(stderr, "pipespec stress: client process %d ended with code %lu and no result\n", i, code);
            }
            ps_buf_free(&kids[i].text);
        }
        r->wall_ms = e > b ? e - b : 0;
        r->t_begin_ms = b < 1e300 ? b : 0;
        r->mem_before = r->mem_connected = -1;
        if (last) {
            M.run->harness[2] = measure(GetCurrentProcess(), 1, 1);
            leak_sample(&M.run->harness[2], 1);
        }
    }
    /* the builtin server: its own counts, once it has seen every client leave */
    if (S.running && !O->worker) {
        double until = ps_now_ms() + 5000;
        ps_server_counters now;
        while (S.active > 0 && ps_now_ms() < until) Sleep(2);
        if (S.active > 0) {
            EnterCriticalSection(&R.lock);
            ps_round_incident(r, "server: connections still open 5 s after the clients left");
            LeaveCriticalSection(&R.lock);
        }
        srv_counters(&now);
        r->srv.connections = now.connections - S.base.connections;
        r->srv.requests = now.requests - S.base.requests;
        r->srv.responses = now.responses - S.base.responses;
        r->srv.corrupt = now.corrupt - S.base.corrupt;
        r->srv.client_left = now.client_left - S.base.client_left;
        r->srv.client_aborted = now.client_aborted - S.base.client_aborted;
        r->srv.errors = now.errors - S.base.errors;
        r->srv.instances = now.instances - S.base.instances;
        r->have_server = 1;
    }
    return 0;
}

/* ======================= entry ======================= */
static void iso_now(char *buf, size_t n)
{
    SYSTEMTIME st;
    GetSystemTime(&st);
    snprintf(buf, n, "%04u-%02u-%02uT%02u:%02u:%02uZ", st.wYear, st.wMonth, st.wDay, st.wHour, st.wMinute,
             st.wSecond);
}

static char *config_text(void)
{
    char sizes[300];
    ps_buf b;
    ps_sizemix_format(&O->sizes, sizes, sizeof sizes);
    ps_buf_init(&b);
    ps_buf_printf(&b, "%s server, %s protocol, %s, %s, %s",
                  O->server == PS_SS_BUILTIN ? "builtin" : O->server == PS_SS_REFERENCE ? "reference"
                  : O->server == PS_SS_CMD ? "command" : "running",
                  O->proto == PS_SP_SAMPLE ? "sample" : "builtin", O->stream ? "stream" : "reqresp",
                  O->byte_mode ? "byte" : "message", O->churn ? "churn" : "persistent");
    if (O->nscale) {
        int i;
        ps_buf_adds(&b, ", clients ");
        for (i = 0; i < O->nscale; i++) ps_buf_printf(&b, "%s%d", i ? "," : "", O->scale[i]);
    } else ps_buf_printf(&b, ", %d client%s", O->clients, O->clients == 1 ? "" : "s");
    if (O->connections) ps_buf_printf(&b, ", %d connections", O->connections);
    if (O->processes > 1) ps_buf_printf(&b, ", %d processes", O->processes);
    if (O->requests) ps_buf_printf(&b, ", %" PRIu64 " requests", O->requests);
    else ps_buf_printf(&b, ", %g s", O->duration_s);
    if (O->nscale) ps_buf_adds(&b, " per round");
    ps_buf_printf(&b, ", sizes %s", sizes);
    if (O->rate > 0) ps_buf_printf(&b, ", rate %g/s", O->rate);
    if (O->p_mid > 0) ps_buf_printf(&b, ", mid-message %g", O->p_mid);
    if (O->p_leave > 0) ps_buf_printf(&b, ", connect-leave %g", O->p_leave);
    if (O->p_slow > 0) ps_buf_printf(&b, ", slow-reader %g", O->p_slow);
    if (O->restart_every) ps_buf_printf(&b, ", restart every %" PRIu64, O->restart_every);
    ps_buf_printf(&b, ", seed %" PRIu64, O->seed);
    return ps_buf_steal(&b);
}

static int console_stderr(void)
{
    DWORD m;
    return GetConsoleMode(GetStdHandle(STD_ERROR_HANDLE), &m) != 0;
}

static int setup_shared(void)
{
    if (O->worker) {
        wchar_t *w = ps_wide(O->shared_name ? O->shared_name : "");
        sh_map = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, w);
        free(w);
    } else if (O->processes > 1) {
        wchar_t *w;
        snprintf(sh_name, sizeof sh_name, "Local\\pipespec-stress-%lu-%lu", GetCurrentProcessId(), GetTickCount());
        w = ps_wide(sh_name);
        sh_map = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, sizeof(shared_state), w);
        free(w);
    }
    if (sh_map) SH = MapViewOfFile(sh_map, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(shared_state));
    if (!SH) {
        if (O->worker) return -1;
        SH = &sh_local;
    }
    return 0;
}

/* --server-pipe: which process serves it (for its memory and handles). */
static HANDLE find_server_process(void)
{
    worker tmp;
    HANDLE h, proc = NULL;
    DWORD e;
    const char *call;
    ULONG pid = 0;
    memset(&tmp, 0, sizeof tmp);
    if (open_pipe(&tmp, &h, 0, ps_now_ms() + O->connect_timeout_ms, &e, &call) != 0) return NULL;
    if (GetNamedPipeServerProcessId(h, &pid) && pid)
        proc = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ | PROCESS_DUP_HANDLE | SYNCHRONIZE, FALSE, pid);
    CloseHandle(h);
    return proc;
}

int ps_stress_main(int argc, char **argv)
{
    static ps_stress_opts opts;
    static ps_stress_run run;
    char err[400], when[32];
    int rc, i, nrounds, progress;
    double cpu0;

    rc = ps_stress_parse(argc, argv, &opts, err, sizeof err);
    if (rc == 1) {
        fputs(ps_stress_usage(), stdout);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "pipespec stress: %s\n\n%s", err, ps_stress_usage());
        return 2;
    }
    O = &opts;
    T0 = O->worker ? O->t0_ms : ps_now_ms();
    cpu0 = cpu_ms(GetCurrentProcess());
    InitializeCriticalSection(&R.lock);
    R.connect = CreateEventW(NULL, TRUE, FALSE, NULL);
    R.start = CreateEventW(NULL, TRUE, FALSE, NULL);
    R.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    R.all_finished = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (setup_shared()) {
        fprintf(stderr, "pipespec stress: the client process cannot open the harness's shared state\n");
        return 2;
    }
    if (!opts.seed) {
        LARGE_INTEGER c;
        QueryPerformanceCounter(&c);
        opts.seed = ((uint64_t)c.QuadPart ^ ((uint64_t)GetCurrentProcessId() << 20)) & 0xFFFFFFFFull;
        if (!opts.seed) opts.seed = 1;
    }
    /* the pipe */
    if (opts.server == PS_SS_PIPE || (opts.server == PS_SS_BUILTIN && opts.server_pipe))
        PIPE_NAME = ps_xstrdup(opts.server_pipe);
    else PIPE_NAME = ps_sprintf("pipespec-stress-%lu-%lu", GetCurrentProcessId(), GetTickCount());
    {
        char *full = ps_sprintf("\\\\.\\pipe\\%s", PIPE_NAME);
        PIPE_W = ps_wide(full);
        free(full);
    }
    MAXMSG = ps_sizemix_max(&opts.sizes);
    /* the mid-message fault's request; a server for unknown clients (--serve-only)
     * accepts it too */
    if ((opts.p_mid > 0 || opts.serve_only) && MAXMSG < FAULT_SIZE) MAXMSG = FAULT_SIZE;
    if (MAXMSG < PS_SAMPLE_RESPONSE_SIZE) MAXMSG = PS_SAMPLE_RESPONSE_SIZE;
    ps_msgpat_init(&PAT, MAXMSG);
    ps_sample_fill(SAMPLE_RSP, sizeof SAMPLE_RSP, 1);
    JOB = CreateJobObjectW(NULL, NULL);
    if (JOB) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
        memset(&lim, 0, sizeof lim);
        lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(JOB, JobObjectExtendedLimitInformation, &lim, sizeof lim);
    }

    if (opts.serve_only) {
        if (srv_start(SPARE)) {
            fprintf(stderr, "pipespec stress: cannot create \\\\.\\pipe\\%s\n", PIPE_NAME);
            return 2;
        }
        printf("pipespec stress: serving \\\\.\\pipe\\%s (%s protocol, %s)\n", PIPE_NAME,
               opts.proto == PS_SP_SAMPLE ? "sample" : "builtin", opts.byte_mode ? "byte" : "message");
        fflush(stdout);
        for (;;) Sleep(60000);
    }

    if (opts.worker) {
        ps_round r;
        ps_buf b;
        run_round(&r, opts.clients, 1, 0);
        ps_buf_init(&b);
        ps_round_write(&b, &r);
        fwrite(b.data, 1, b.len, stdout);
        fflush(stdout);
        ps_buf_free(&b);
        ps_round_free(&r);
        return 0;
    }

    ps_stress_run_init(&run);
    M.run = &run;
    run.opts = opts;
    run.seed = opts.seed;
    run.stream = opts.stream;
    run.byte_mode = opts.byte_mode;
    run.churn = opts.churn;
    run.proto_sample = opts.proto == PS_SP_SAMPLE;
    run.rate = opts.rate;
    run.platform = ps_xstrdup(ps_platform_describe());
    run.version = ps_xstrdup(PIPESPEC_VERSION);
    iso_now(when, sizeof when);
    run.started = ps_xstrdup(when);
    run.config = config_text();
    run.pipe = ps_sprintf("\\\\.\\pipe\\%s", PIPE_NAME);
    progress = opts.progress == -1 ? console_stderr() : opts.progress;
    if (opts.quiet) progress = 0;

    run.harness[0] = measure(GetCurrentProcess(), 1, 1);
    /* the server */
    switch (opts.server) {
    case PS_SS_BUILTIN: {
        int prepare = opts.connections ? opts.connections : opts.clients;
        for (i = 0; i < opts.nscale; i++)
            if (opts.scale[i] > prepare) prepare = opts.scale[i];
        if (prepare > 4096) prepare = 4096;
        if (srv_start(prepare)) {
            fprintf(stderr, "pipespec stress: cannot create \\\\.\\pipe\\%s\n", PIPE_NAME);
            return 2;
        }
        run.server_desc = ps_sprintf("builtin (in the harness: %d I/O threads, overlapped, completion port)", S.nthreads);
        break;
    }
    case PS_SS_REFERENCE:
    case PS_SS_CMD: {
        char *cmd;
        if (opts.server == PS_SS_REFERENCE) {
            char *exe = ps_sprintf("%s\\reference_server.exe", ps_exe_dir());
            wchar_t *w = ps_wide(exe);
            DWORD attr = GetFileAttributesW(w);
            free(w);
            if (attr == INVALID_FILE_ATTRIBUTES) {
                fprintf(stderr, "pipespec stress: %s is missing (build the Windows half)\n", exe);
                free(exe);
                return 2;
            }
            cmd = ps_sprintf("\"%s\" --pipe {pipe} --clients {clients}", exe);
            free(exe);
        } else cmd = ps_xstrdup(opts.server_cmd);
        {
            char *a = replace_all(cmd, "{pipe}", PIPE_NAME);
            char *b2 = replace_all(a, "{clients}", "0");
            P.cmdline = ps_translate_cmdline(b2);
            free(a);
            free(b2);
            free(cmd);
        }
        if (proc_start(err, sizeof err)) {
            fprintf(stderr, "pipespec stress: %s\n", err);
            return 2;
        }
        M.server = P.proc;
        run.server_desc = ps_sprintf("%s (pid %lu)", P.cmdline, P.pid);
        break;
    }
    default:
        if (!WaitNamedPipeW(PIPE_W, 0) && GetLastError() == ERROR_FILE_NOT_FOUND) {
            fprintf(stderr, "pipespec stress: no server on \\\\.\\pipe\\%s\n", PIPE_NAME);
            return 2;
        }
        M.server = find_server_process();
        if (M.server) cpu_decide_spawn();
        run.server_desc = M.server ? ps_sprintf("a running server (pid %lu)", GetProcessId(M.server))
                                   : ps_xstrdup("a running server (its process could not be opened)");
        break;
    }
    if (M.server) {
        run.server[0] = measure(M.server, 0, 1);
        if (run.server[0].handles < 0)
            snprintf(run.server_handles_note, sizeof run.server_handles_note,
                     "n/a (the server's handles cannot be duplicated for counting)");
    } else if (opts.server == PS_SS_PIPE)
        snprintf(run.server_handles_note, sizeof run.server_handles_note, "n/a (server process not found)");
    M.next_restart = opts.restart_every ? (double)opts.restart_every : 0;

    /* the rounds */
    nrounds = opts.nscale ? opts.nscale : 1;
    run.rounds = ps_xcalloc((size_t)nrounds, sizeof(ps_round));
    for (i = 0; i < nrounds && !SH->stop; i++) {
        int clients = opts.nscale ? opts.scale[i] : opts.clients;
        if (opts.processes > clients) {
            fprintf(stderr, "pipespec stress: round %d: %d clients cannot fill %d processes\n", i + 1, clients,
                    opts.processes);
            break;
        }
        run.nrounds = i + 1;
        run_round(&run.rounds[i], clients, i == nrounds - 1, progress);
    }
    if (M.restart_failed) {
        run.server_died = 1;
        snprintf(run.server_died_note, sizeof run.server_died_note, "restart failed: %s", M.restart_err);
    }

    /* end: the server idle, then measured; then everything stopped */
    if (M.server) {
        Sleep(100);
        run.server[2] = measure(M.server, 0, 1);
        if (!run.server_restarts) /* the end of the load, the server idle */
            ps_leak_add(&run.leak_server, run.server[2].t_ms, (double)SH->done, run.server[2].private_bytes,
                        run.server[2].handles, 1);
        if (opts.server != PS_SS_PIPE) {
            double c = cpu_other_ms(M.server);
            run.cpu_server_ms = c >= 0 ? c + P.cpu_before : -1;
        } else run.cpu_server_ms = cpu_other_ms(M.server);
        snprintf(run.cpu_server_note, sizeof run.cpu_server_note, "%s", CPU.note);
        if (run.cpu_server_ms < 0 && !run.cpu_server_note[0])
            snprintf(run.cpu_server_note, sizeof run.cpu_server_note, "the server's times could not be read");
    }
    if (S.running) srv_stop();
    if (P.proc) proc_kill();
    if (M.server && M.server != P.proc && opts.server == PS_SS_PIPE) CloseHandle(M.server);
    run.cpu_harness_ms = cpu_ms(GetCurrentProcess()) >= 0 && cpu0 >= 0 ? cpu_ms(GetCurrentProcess()) - cpu0 : -1;
    ps_stress_run_mem(&run, ps_now_ms() - T0, private_bytes(GetCurrentProcess()), -1);

    ps_stress_evaluate(&run);
    if (!opts.quiet) ps_stress_summary(opts.json ? stderr : stdout, &run);
    if (opts.json) {
        ps_buf b;
        ps_buf_init(&b);
        ps_stress_json(&b, &run);
        fwrite(b.data, 1, b.len, stdout);
        ps_buf_free(&b);
    }
    fflush(stdout);
    fflush(stderr);
    if (opts.report_dir) {
        const char *failed = NULL;
        wchar_t *wd = ps_wide(opts.report_dir);
        CreateDirectoryW(wd, NULL);
        free(wd);
        if (ps_stress_write_reports(opts.report_dir, &run, &failed)) {
            fprintf(stderr, "pipespec stress: cannot write %s in %s\n", failed ? failed : "a report", opts.report_dir);
            return 2;
        }
    }
    rc = run.ok ? 0 : 1;
    if (JOB) CloseHandle(JOB);
    return rc;
}
