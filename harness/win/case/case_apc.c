/* case_apc.c: ReadFileEx/WriteFileEx completion routines and user APCs. Both run on
 * the actor's own thread, and only while it waits alertably (SleepEx, GetOverlapped-
 * ResultEx with alertable=1): `sleepex` reports which ran during it. */
#include "case_internal.h"

/* What ran on an actor's thread: counted by the routines themselves. */
typedef struct {
    actor *a;
    LONG apcs, routines;
    DWORD rerror, rbytes; /* the last completion routine's arguments */
} apc_state;
static apc_state g_st[PS_MAX_ACTORS];
static volatile LONG ex_live; /* ReadFileEx/WriteFileEx calls whose routine has not run */

static apc_state *state_of(actor *a)
{
    int i;
    apc_state *r = NULL;
    EnterCriticalSection(&the_case.qlock);
    for (i = 0; i < PS_MAX_ACTORS && !r; i++)
        if (g_st[i].a == a) r = &g_st[i];
    for (i = 0; i < PS_MAX_ACTORS && !r; i++)
        if (!g_st[i].a) {
            g_st[i].a = a;
            r = &g_st[i];
        }
    LeaveCriticalSection(&the_case.qlock);
    return r; /* never NULL: there are at most PS_MAX_ACTORS actors */
}

/* One ReadFileEx/WriteFileEx call: the OVERLAPPED first, so the routine finds the rest. */
typedef struct {
    OVERLAPPED ov;
    actor *a;
    unsigned char *buf; /* read into, or written from; owned */
    long msg;           /* a write's expected-data message */
    int write;
} ex_call;

static VOID CALLBACK ex_done(DWORD err, DWORD n, LPOVERLAPPED ov)
{
    ex_call *x = (ex_call *)ov;
    apc_state *st = state_of(x->a);
    st->routines++;
    st->rerror = err;
    st->rbytes = n;
    InterlockedDecrement(&ex_live);
    if (x->write) cp_settle(x->a, x->msg, n);
    else if (err == 0 || err == ERROR_MORE_DATA) cp_check_read(x->a, x->buf, n, err == 0);
    free(x->buf);
    free(x);
}

static VOID CALLBACK user_apc(ULONG_PTR p)
{
    state_of((actor *)p)->apcs++;
}

BOOL cp_apc_queue(actor *rec, actor *a)
{
    state_of(a);
    snprintf(rec->call, sizeof rec->call, "QueueUserAPC(apc, thread of %s, 0)", a->name);
    SetLastError(0xdeadbeef);
    return QueueUserAPC(user_apc, a->thread, (ULONG_PTR)a) != 0;
}

void op_readex(actor *a, const ps_step *s)
{
    DWORD size = (DWORD)cp_size_arg(s, "size", 1024);
    ex_call *x = ps_xcalloc(1, sizeof *x);
    BOOL ok;
    state_of(a);
    x->a = a;
    x->buf = cp_try_alloc(a, (size_t)size + 2, "the read buffer");
    if (!x->buf) {
        free(x);
        return;
    }
    CALL("ReadFileEx(%s, buf[%lu], &overlapped, routine)", a->name, size);
    cp_begin_call(a);
    InterlockedIncrement(&ex_live);
    ok = ReadFileEx(a->h, x->buf, size, &x->ov, ex_done);
    cp_set_bool_result(a, ok);
    if (!ok) InterlockedDecrement(&ex_live);
    if (!ok) { /* no routine will run */
        free(x->buf);
        free(x);
    }
}

void op_writeex(actor *a, const ps_step *s)
{
    DWORD len;
    ex_call *x;
    unsigned char *d = cp_make_data(a, s, "size", &len);
    BOOL ok;
    if (!d) return;
    state_of(a);
    x = ps_xcalloc(1, sizeof *x);
    x->a = a;
    x->buf = d;
    x->write = 1;
    CALL("WriteFileEx(%s, %lu bytes, &overlapped, routine)", a->name, len);
    x->msg = cp_queue_to_peer(a, d, len);
    if (a->harness_error[0]) {
        free(d);
        free(x);
        return;
    }
    cp_begin_call(a);
    InterlockedIncrement(&ex_live);
    ok = WriteFileEx(a->h, d, len, &x->ov, ex_done);
    cp_set_bool_result(a, ok);
    if (!ok) InterlockedDecrement(&ex_live);
    if (!ok) {
        cp_settle(a, x->msg, 0);
        free(d);
        free(x);
    }
}

static void report_ran(actor *a, apc_state *st, LONG routines0, LONG apcs0)
{
    ps_actual_set(&a->act, "routines", "%ld", st->routines - routines0);
    ps_actual_set(&a->act, "apcs", "%ld", st->apcs - apcs0);
    if (st->routines != routines0) {
        const char *n = ps_error_name(st->rerror);
        if (n) ps_actual_set(&a->act, "rerror", "%s", n);
        else ps_actual_set(&a->act, "rerror", "%lu", st->rerror);
        ps_actual_set(&a->act, "rbytes", "%lu", st->rbytes);
    }
}

void op_sleepex(actor *a, const ps_step *s)
{
    DWORD t = cp_step_limit(cp_ms_arg(s, "timeout", 0)), r;
    BOOL alertable = ps_arg_get(s, "alertable") ? cp_bool_arg(s, "alertable") : TRUE;
    apc_state *st = state_of(a);
    LONG routines0 = st->routines, apcs0 = st->apcs;
    CALL("SleepEx(%lu, %s)", t, alertable ? "TRUE" : "FALSE");
    cp_begin_call(a);
    r = SleepEx(t, alertable);
    a->act.error = 0;
    snprintf(a->ret, sizeof a->ret, "%s", r == WAIT_IO_COMPLETION ? "WAIT_IO_COMPLETION" : "0");
    ps_actual_set(&a->act, "woke", "%s", r == WAIT_IO_COMPLETION ? "io_completion" : "timeout");
    report_ran(a, st, routines0, apcs0);
}

typedef BOOL(WINAPI *gore_fn)(HANDLE, LPOVERLAPPED, LPDWORD, DWORD, BOOL);

void op_resultex(actor *a, const ps_step *s)
{
    DWORD t = cp_step_limit(cp_ms_arg(s, "timeout", 0)), n = 0;
    BOOL alertable = cp_bool_arg(s, "alertable"), ok;
    gore_fn fn = (gore_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "GetOverlappedResultEx");
    apc_state *st = state_of(a);
    LONG routines0 = st->routines, apcs0 = st->apcs;
    ov_call *c = a->ov_head;
    CALL("GetOverlappedResultEx(%s, %s of line %d, %lu, %s)", a->name, c ? c->op : "none", c ? c->line : 0, t,
         alertable ? "TRUE" : "FALSE");
    if (!c) {
        cp_harness_fault(a, "resultex: %s has no outstanding overlapped call", a->name);
        return;
    }
    if (!fn) { /* Windows 8 and later have it */
        snprintf(a->stop_reason, sizeof a->stop_reason, "GetOverlappedResultEx is not available on this platform");
        a->stop_outcome = PS_SKIP;
        return;
    }
    cp_begin_call(a);
    ok = fn(a->h, &c->ov, &n, t, alertable);
    cp_set_bool_result(a, ok);
    if (ok) ps_actual_set(&a->act, "bytes", "%lu", n);
    report_ran(a, st, routines0, apcs0);
}

/* Between cases (case_serve.c): a routine that has not run still owns its OVERLAPPED
 * and buffer, which the platform may yet write. */
int cp_apc_idle(void)
{
    return ex_live == 0;
}

void cp_apc_reset(void)
{
    memset(g_st, 0, sizeof g_st);
}
