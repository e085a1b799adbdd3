/* stress_server.c: the builtin server of `pipespec stress`: overlapped named-pipe
 * instances on one I/O completion port served by a few threads. It verifies every
 * request (builtin or sample protocol), answers it (or not, in stream mode) and keeps
 * its own counts, which the checks compare with the clients'. */
#include "stress_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
} builtin_srv;

static void srv_listen(sconn *c);
static void srv_read(sconn *c);
static void srv_consume(sconn *c);

static void srv_close(sconn *c)
{
    EnterCriticalSection(&builtin_srv.lock);
    if (c->prev) c->prev->next = c->next;
    else builtin_srv.all = c->next;
    if (c->next) c->next->prev = c->prev;
    LeaveCriticalSection(&builtin_srv.lock);
    CloseHandle(c->h);
    free(c->rx);
    free(c->tx);
    free(c);
    InterlockedDecrement(&builtin_srv.live);
}

/* Creates one more listening instance (unless stopping or at --instances). */
static void srv_new_instance(void)
{
    sconn *c;
    HANDLE h;
    const ps_stress_opts *o = stress.opts;
    DWORD type = o->byte_mode ? PIPE_TYPE_BYTE | PIPE_READMODE_BYTE : PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE;
    if (builtin_srv.stop) return;
    h = CreateNamedPipeW(stress.pipe_w, PIPE_ACCESS_DUPLEX | FILE_FLAG_OVERLAPPED, type | PIPE_WAIT,
                         o->instances ? (DWORD)o->instances : PIPE_UNLIMITED_INSTANCES, PIPE_BUFSZ, PIPE_BUFSZ, 0,
                         NULL);
    if (h == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        char en[64];
        /* at --instances, ERROR_PIPE_BUSY: the limit, not a failure */
        if (e != ERROR_PIPE_BUSY && InterlockedIncrement(&builtin_srv.create_failed) <= 3)
            report_incident("server: CreateNamedPipe failed: %s", errname(e, en, sizeof en));
        return;
    }
    if (!CreateIoCompletionPort(h, builtin_srv.port, 0, 0)) {
        CloseHandle(h);
        return;
    }
    c = ps_xcalloc(1, sizeof *c);
    c->h = h;
    EnterCriticalSection(&builtin_srv.lock);
    c->next = builtin_srv.all;
    if (builtin_srv.all) builtin_srv.all->prev = c;
    builtin_srv.all = c;
    LeaveCriticalSection(&builtin_srv.lock);
    InterlockedIncrement(&builtin_srv.live);
    InterlockedIncrement64(&builtin_srv.instances);
    srv_listen(c);
}

static void srv_connected(sconn *c)
{
    if (InterlockedDecrement(&builtin_srv.idle) < SPARE) srv_new_instance();
    InterlockedIncrement(&builtin_srv.active);
    InterlockedIncrement64(&builtin_srv.connections);
    c->got = c->consumed = 0;
    c->reqs = 0;
    if (!c->rx) {
        c->rxcap = (DWORD)(stress.max_msg + 1 < RX_START ? stress.max_msg + 1 : RX_START);
        c->rx = ps_xmalloc(c->rxcap);
    }
    srv_read(c);
}

/* Waits for the next client on this instance (or closes it when stopping). */
static void srv_listen(sconn *c)
{
    for (;;) {
        DWORD e;
        if (builtin_srv.stop) {
            srv_close(c);
            return;
        }
        c->state = ST_CONNECT;
        memset(&c->ov, 0, sizeof c->ov);
        InterlockedIncrement(&builtin_srv.idle);
        if (ConnectNamedPipe(c->h, &c->ov)) return; /* completed: the packet comes */
        e = GetLastError();
        if (e == ERROR_IO_PENDING) return;
        if (e == ERROR_PIPE_CONNECTED) { /* a client was there first: no packet */
            srv_connected(c);
            return;
        }
        InterlockedDecrement(&builtin_srv.idle);
        if (e == ERROR_NO_DATA) { /* came and left before we listened */
            InterlockedIncrement64(&builtin_srv.client_left);
            DisconnectNamedPipe(c->h);
            continue;
        }
        {
            char en[64];
            InterlockedIncrement64(&builtin_srv.errors);
            report_incident("server: ConnectNamedPipe failed: %s", errname(e, en, sizeof en));
        }
        srv_close(c);
        return;
    }
}

/* The connection is over: count why, free big buffers, listen again. */
static void srv_ended(sconn *c, DWORD e)
{
    int gone = e == ERROR_BROKEN_PIPE || e == ERROR_PIPE_NOT_CONNECTED || e == ERROR_NO_DATA ||
               (e == ERROR_OPERATION_ABORTED && builtin_srv.stop);
    if (gone) {
        if (c->state == ST_WRITE || (c->state == ST_READ && c->got > 0))
            InterlockedIncrement64(&builtin_srv.client_aborted);
        else if (c->reqs == 0) InterlockedIncrement64(&builtin_srv.client_left);
    } else if (e) {
        char en[64];
        InterlockedIncrement64(&builtin_srv.errors);
        report_incident("server: %s failed: %s", c->state == ST_WRITE ? "WriteFile" : "ReadFile",
                        errname(e, en, sizeof en));
    }
    InterlockedDecrement(&builtin_srv.active);
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
        if (c->rxcap >= stress.max_msg + 1) { /* longer than any request can be */
            InterlockedIncrement64(&builtin_srv.corrupt);
            report_incident("server: a request longer than %lu bytes", (unsigned long)stress.max_msg);
            c->got = 0;
            srv_ended(c, 0);
            return;
        }
        c->rxcap = c->rxcap * 2 > stress.max_msg + 1 ? (DWORD)(stress.max_msg + 1) : c->rxcap * 2;
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
        memcpy(c->tx, stress.pattern.rsp, n);
        return c->tx;
    }
    if (n > c->txbody) {
        memcpy(c->tx + PS_MSG_HDR, stress.pattern.rsp + PS_MSG_HDR, n - PS_MSG_HDR);
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
    if (stress.opts->proto == PS_SP_SAMPLE) {
        unsigned char *want = ps_xmalloc(n ? n : 1);
        ps_sample_fill(want, n, 0);
        bad = memcmp(want, c->rx, n) != 0;
        if (bad) snprintf(why, sizeof why, "%lu bytes that are not the sample's request text", (unsigned long)n);
        free(want);
    } else bad = ps_msg_check_any(&stress.pattern, c->rx, n, 0, &client, &seq, why, sizeof why) != 0;
    if (bad) {
        InterlockedIncrement64(&builtin_srv.corrupt);
        report_incident("server: request %d on a connection: %s", c->reqs + 1, why);
        c->got = 0;
        srv_ended(c, 0);
        return;
    }
    InterlockedIncrement64(&builtin_srv.requests);
    c->reqs++;
    c->consumed = n;
    if (stress.opts->stream) {
        memmove(c->rx, c->rx + n, c->got - n);
        c->got -= n;
        c->consumed = 0;
        if (stress.opts->byte_mode) srv_consume(c);
        else srv_read(c);
        return;
    }
    if (stress.opts->proto == PS_SP_SAMPLE) srv_write(c, stress.sample_rsp, sizeof stress.sample_rsp);
    else srv_write(c, srv_response(c, client, seq, n), n);
}

/* Finds the next whole request in rx: in message mode rx holds exactly one; in byte
 * mode the header gives the length. Reads more when it is not all there. */
static void srv_consume(sconn *c)
{
    uint32_t want;
    if (!stress.opts->byte_mode) {
        srv_request(c, c->got);
        return;
    }
    if (c->got < PS_MSG_HDR) {
        srv_read(c);
        return;
    }
    if (ps_msg_header_size(c->rx, 0, &want) || want < PS_MSG_HDR || want > stress.max_msg) {
        InterlockedIncrement64(&builtin_srv.corrupt);
        report_incident("server: a byte-mode request without a valid header (%02x %02x %02x %02x)", c->rx[0], c->rx[1],
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
        BOOL ok = GetQueuedCompletionStatus(builtin_srv.port, &n, &key, &ov, INFINITE);
        sconn *c;
        e = ok ? 0 : GetLastError();
        if (!ov) break; /* the stop packet, or the port is gone */
        c = (sconn *)ov;
        switch (c->state) {
        case ST_CONNECT:
            if (ok || e == ERROR_PIPE_CONNECTED) srv_connected(c);
            else {
                InterlockedDecrement(&builtin_srv.idle);
                if (e == ERROR_NO_DATA) InterlockedIncrement64(&builtin_srv.client_left);
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
                InterlockedIncrement64(&builtin_srv.responses);
                memmove(c->rx, c->rx + c->consumed, c->got - c->consumed);
                c->got -= c->consumed;
                c->consumed = 0;
                if (stress.opts->byte_mode && c->got) srv_consume(c);
                else srv_read(c);
            }
            break;
        }
    }
    return 0;
}

int builtin_server_start(int prepare)
{
    SYSTEM_INFO si;
    int i;
    memset(&builtin_srv, 0, sizeof builtin_srv);
    InitializeCriticalSection(&builtin_srv.lock);
    builtin_srv.port = CreateIoCompletionPort(INVALID_HANDLE_VALUE, NULL, 0, 0);
    if (!builtin_srv.port) return -1;
    /* As many threads as CPUs (at most 8), but no more than the connections expected:
     * every thread waiting on the port wakes for every packet under Wine (the port is
     * one waitable object), so a spare thread costs two wineserver calls per packet
     * and a request here makes two packets. */
    GetSystemInfo(&si);
    builtin_srv.nthreads = (int)si.dwNumberOfProcessors;
    if (builtin_srv.nthreads > prepare) builtin_srv.nthreads = prepare;
    if (builtin_srv.nthreads < 1) builtin_srv.nthreads = 1;
    if (builtin_srv.nthreads > 8) builtin_srv.nthreads = 8;
    for (i = 0; i < builtin_srv.nthreads; i++)
        builtin_srv.threads[i] =
            CreateThread(NULL, THREAD_STACK, srv_thread, NULL, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    if (stress.opts->instances && prepare > stress.opts->instances) prepare = stress.opts->instances;
    for (i = 0; i < prepare + SPARE; i++) srv_new_instance();
    if (!builtin_srv.live) return -1;
    builtin_srv.running = 1;
    return 0;
}

void builtin_server_stop(void)
{
    int i;
    double until = ps_now_ms() + 5000;
    if (!builtin_srv.running) return;
    builtin_srv.stop = 1;
    while (builtin_srv.live > 0 && ps_now_ms() < until) {
        sconn *c;
        EnterCriticalSection(&builtin_srv.lock);
        for (c = builtin_srv.all; c; c = c->next) CancelIoEx(c->h, NULL);
        LeaveCriticalSection(&builtin_srv.lock);
        Sleep(5);
    }
    for (i = 0; i < builtin_srv.nthreads; i++) PostQueuedCompletionStatus(builtin_srv.port, 0, 0, NULL);
    WaitForMultipleObjects((DWORD)builtin_srv.nthreads, builtin_srv.threads, TRUE, 5000);
    for (i = 0; i < builtin_srv.nthreads; i++) CloseHandle(builtin_srv.threads[i]);
    if (builtin_srv.live > 0)
        fprintf(stderr, "pipespec stress: %ld server instance(s) did not close\n", (long)builtin_srv.live);
    CloseHandle(builtin_srv.port);
    builtin_srv.running = 0;
}

void builtin_server_counters(ps_server_counters *c)
{
    c->connections = (uint64_t)builtin_srv.connections;
    c->requests = (uint64_t)builtin_srv.requests;
    c->responses = (uint64_t)builtin_srv.responses;
    c->corrupt = (uint64_t)builtin_srv.corrupt;
    c->client_left = (uint64_t)builtin_srv.client_left;
    c->client_aborted = (uint64_t)builtin_srv.client_aborted;
    c->errors = (uint64_t)builtin_srv.errors;
    c->instances = (uint64_t)builtin_srv.instances;
}

int builtin_server_running(void)
{
    return builtin_srv.running;
}

long builtin_server_active(void)
{
    return (long)builtin_srv.active;
}

int builtin_server_threads(void)
{
    return builtin_srv.nthreads;
}
