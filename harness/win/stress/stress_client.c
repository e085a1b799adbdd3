/* stress_client.c: the client workers of `pipespec stress`: each a thread that makes
 * its connections, waits for the start, then runs requests (or a fault) one at a time,
 * every choice drawn from its own seeded stream, verifying every response and counting
 * every outcome into its own counters. */
#include "stress_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void conn_close(cconn *c)
{
    if (c->h != INVALID_HANDLE_VALUE) CloseHandle(c->h);
    c->h = INVALID_HANDLE_VALUE;
}

int client_open_pipe(worker *w, HANDLE *out, int overlapped, double deadline, DWORD *err, const char **call)
{
    for (;;) {
        DWORD e;
        HANDLE h = CreateFileW(stress.pipe_w, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING,
                               overlapped ? FILE_FLAG_OVERLAPPED : 0, NULL);
        double left;
        if (h != INVALID_HANDLE_VALUE) {
            w->c.connects++; /* connected, whatever happens next */
            if (!stress.opts->byte_mode) {
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
            InterlockedIncrement64(&stress.shared->busy);
            if (left > 0) {
                DWORD wait = (DWORD)(left < stress.opts->wait_ms ? left : stress.opts->wait_ms);
                if (!WaitNamedPipeW(stress.pipe_w, wait ? wait : 1)) {
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
        if (stress.shared->stop) return 1;
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
    EnterCriticalSection(&live_round.lock);
    ps_series_add(&live_round.round->series, t - live_round.series_t0, ns, bytes, error);
    LeaveCriticalSection(&live_round.lock);
}

/* 1 when an incident already described this error (call and name) this round: the
 * ERRORS line counts them all, the incidents describe each cause once. */
static int seen_before(const char *key)
{
    int i, seen = 0;
    EnterCriticalSection(&live_round.lock);
    for (i = 0; i < live_round.nseen && !seen; i++) seen = !strcmp(live_round.seen[i], key);
    if (!seen && live_round.nseen < PS_INCIDENTS)
        snprintf(live_round.seen[live_round.nseen++], sizeof live_round.seen[0], "%s", key);
    LeaveCriticalSection(&live_round.lock);
    return seen;
}

static void req_fail(worker *w, DWORD e, const char *call, LONG gen0, LONG64 id, uint32_t seq, uint32_t size)
{
    int expected = stress.shared->gen != gen0 || stress.shared->restarting;
    char en[64], key[64];
    int timeout = w->cancel_id == id;
    const char *name = timeout ? "REQUEST_TIMEOUT" : errname(e, en, sizeof en);
    w->c.errors++;
    if (expected) w->c.errors_expected++;
    /* errors by the call that failed and its error: "ReadFile: ERROR_BROKEN_PIPE (109)" */
    if (timeout) snprintf(key, sizeof key, "%s", name);
    else snprintf(key, sizeof key, "%s: %s", call, name);
    ps_errmap_add(&w->c.errs, key, 1, (uint64_t)expected);
    InterlockedIncrement64(&stress.shared->errors);
    series_add(ps_now_ms(), 0, 0, 1);
    if (!expected && !seen_before(key))
        report_incident("client %d request %lu (%lu bytes): %s failed: %s%s", w->index, (unsigned long)seq,
                 (unsigned long)size, call, name, timeout ? "" : call_hint(call, e));
}

static void req_corrupt(worker *w, const char *why, uint32_t seq, uint32_t size)
{
    w->c.errors++;
    w->c.corrupt++;
    ps_errmap_add(&w->c.errs, "DATA_MISMATCH", 1, 0);
    InterlockedIncrement64(&stress.shared->errors);
    series_add(ps_now_ms(), 0, 0, 1);
    report_incident("client %d request %lu (%lu bytes): response: %s", w->index, (unsigned long)seq,
                    (unsigned long)size, why);
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
        DWORD want = stress.opts->byte_mode ? expected - *got : cap - *got, n = 0;
        BOOL ok;
        if (stress.opts->byte_mode && *got >= expected) return 0;
        if (!want) return 2;
        if (slow) {
            double t = ps_now_ms();
            if (want > 512) want = 512;
            Sleep((DWORD)stress.opts->slow_ms);
            *slept += ps_now_ms() - t;
        }
        ok = ReadFile(h, w->rx + *got, want, &n, NULL);
        *got += n;
        if (stress.opts->byte_mode) {
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
    LONG gen0 = stress.shared->gen;
    double t0 = ps_now_ms(), slept = 0;
    LONG64 id = InterlockedIncrement64(&w->req_id);
    DWORD e = 0, n = 0, got = 0, expected;
    uint32_t seq = 0;
    char why[200];
    int rc;
    w->req_t0 = t0; /* the watchdog's clock: when the request began */
    if (due > 0 && due < t0) t0 = due; /* paced: latency from the due time */
    InterlockedExchange(&w->in_req, 1);
    if (cn->h == INVALID_HANDLE_VALUE) {
        const char *call = "CreateFile";
        rc = client_open_pipe(w, &cn->h, 0, ps_now_ms() + stress.opts->connect_timeout_ms, &e, &call);
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
    if (stress.opts->proto == PS_SP_SAMPLE) {
        if (w->tx_sample != size + 1) {
            ps_sample_fill(w->tx, size, 0);
            w->tx_sample = size + 1;
        }
    } else if (size >= PS_MSG_HDR) ps_msg_header(w->tx, 0, (uint32_t)w->index, seq, size);
    else memcpy(w->tx, stress.pattern.req, size);
    if (!WriteFile(cn->h, w->tx, size, &n, NULL) || n != size) {
        e = GetLastError();
        conn_close(cn);
        req_fail(w, e, "WriteFile", gen0, id, seq, size);
        goto out;
    }
    w->c.bytes_out += size;
    if (stress.opts->stream) {
        double t1 = ps_now_ms();
        uint64_t ns = (uint64_t)((t1 - t0) * 1e6);
        w->c.verified++;
        ps_hist_record(&w->lat, ns);
        InterlockedIncrement64(&stress.shared->done);
        series_add(t1, ns, size, 0);
        if (stress.opts->churn) conn_close(cn);
        goto out;
    }
    expected = stress.opts->proto == PS_SP_SAMPLE ? PS_SAMPLE_RESPONSE_SIZE : size;
    if (slow) w->c.slow_reads++;
    rc = read_response(w, cn->h, expected, slow, &got, &slept, &e);
    if (rc == 1) {
        conn_close(cn);
        req_fail(w, e, "ReadFile", gen0, id, seq, size);
        goto out;
    }
    w->c.bytes_in += got;
    if (rc == 2) snprintf(why, sizeof why, "longer than %lu bytes", (unsigned long)w->rxcap);
    else if (stress.opts->proto == PS_SP_SAMPLE) {
        if (got != PS_SAMPLE_RESPONSE_SIZE) {
            snprintf(why, sizeof why, "%lu bytes, expected the sample's %d", (unsigned long)got,
                     PS_SAMPLE_RESPONSE_SIZE);
            rc = 2;
        } else if (memcmp(w->rx, stress.sample_rsp, got)) {
            DWORD i = 0;
            while (w->rx[i] == stress.sample_rsp[i]) i++;
            snprintf(why, sizeof why, "byte %lu is 0x%02x, expected 0x%02x (the sample's response text)",
                     (unsigned long)i, w->rx[i], stress.sample_rsp[i]);
            rc = 2;
        }
    } else if (ps_msg_check(&stress.pattern, w->rx, got, 1, (uint32_t)w->index, seq, size, why, sizeof why))
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
        InterlockedIncrement64(&stress.shared->done);
        series_add(t1, ns, (uint64_t)size + got, 0);
    }
    if (stress.opts->churn) conn_close(cn);
out:
    InterlockedExchange(&w->in_req, 0);
}

/* Fault: connect and leave at once. */
static void fault_leave(worker *w)
{
    HANDLE h;
    DWORD e;
    const char *call;
    int rc = client_open_pipe(w, &h, 0, ps_now_ms() + stress.opts->connect_timeout_ms, &e, &call);
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
    int rc = client_open_pipe(w, &h, 1, ps_now_ms() + stress.opts->connect_timeout_ms, &e, &call);
    if (rc == 1) {
        w->c.ops--;
        return;
    }
    w->c.fault_mid++;
    if (rc) return;
    if (!w->big) {
        w->big = ps_xmalloc(FAULT_SIZE);
        if (stress.opts->proto == PS_SP_SAMPLE) ps_sample_fill(w->big, FAULT_SIZE, 0);
        else ps_msg_build(&stress.pattern, w->big, 0, (uint32_t)w->index, 0, FAULT_SIZE);
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
            report_incident("client %d: a cancelled mid-message write did not complete within 5 s", w->index);
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
    if (live_round.use_rl) {
        EnterCriticalSection(&live_round.lock);
        due = ps_rl_reserve(&live_round.rl, ps_now_ms());
        LeaveCriticalSection(&live_round.lock);
        wait_until(due);
    }
    /* three draws per operation, whatever happens: a client's choices repeat with the seed */
    r = ps_rng_unit(&w->rng);
    size = ps_sizemix_sample(&stress.opts->sizes, &w->rng);
    slow = ps_rng_chance(&w->rng, stress.opts->p_slow);
    w->c.ops++;
    if (r < stress.opts->p_leave) fault_leave(w);
    else if (r < stress.opts->p_leave + stress.opts->p_mid) fault_mid(w);
    else request(w, &w->conns[w->next++ % w->nconns], size, slow, due);
}

DWORD WINAPI worker_main(LPVOID p)
{
    worker *w = p;
    int i;
    InterlockedIncrement(&live_round.started);
    WaitForSingleObject(live_round.connect, INFINITE);
    if (!stress.opts->churn)
        for (i = 0; i < w->nconns; i++) {
            DWORD e = 0;
            const char *call = "CreateFile";
            int rc = client_open_pipe(w, &w->conns[i].h, 0, ps_now_ms() + stress.opts->connect_timeout_ms, &e, &call);
            if (rc == 0) w->held++;
            else {
                /* the rest would wait as long for the same reason: left to the requests */
                char en[64];
                if (rc < 0)
                    report_incident("client %d: connection %d of %d not made: %s failed: %s%s (the other %d not tried)",
                             w->index, i + 1, w->nconns, call, errname(e, en, sizeof en), call_hint(call, e),
                             w->nconns - i - 1);
                break;
            }
        }
    InterlockedIncrement(&live_round.ready);
    WaitForSingleObject(live_round.start, INFINITE);
    while (!stress.shared->stop) {
        if (live_round.limit) {
            if (InterlockedIncrement64(&live_round.claimed) > (LONG64)live_round.limit) break;
        } else if (ps_now_ms() >= live_round.deadline) break;
        one_op(w);
    }
    w->t_last = ps_now_ms();
    if (InterlockedIncrement(&live_round.finished) == InterlockedCompareExchange(&live_round.running, 0, 0))
        SetEvent(live_round.all_finished);
    WaitForSingleObject(live_round.release, INFINITE);
    for (i = 0; i < w->nconns; i++) conn_close(&w->conns[i]);
    return 0;
}
