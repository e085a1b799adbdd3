/* case_ntio.c: NtFsControlFile (the FSCTL_PIPE_* codes), NtReadFile/NtWriteFile with an
 * event and an I/O APC, NtQueryInformationFile/NtSetInformationFile with the pipe
 * classes, NtQuerySecurityObject/NtSetSecurityObject. A call that pends keeps its
 * IO_STATUS_BLOCK, event and buffers (one per actor) until `ntresult` collects it. */
#include "case_nt.h"

typedef struct {
    LARGE_INTEGER Timeout;
    ULONG NameLength;
    BOOLEAN TimeoutSpecified;
    WCHAR Name[1];
} ps_pipe_wait_buffer; /* FILE_PIPE_WAIT_FOR_BUFFER */
typedef struct {
    ULONG NamedPipeState, ReadDataAvailable, NumberOfMessages, MessageLength;
    CHAR Data[1];
} ps_pipe_peek_buffer; /* FILE_PIPE_PEEK_BUFFER */
/* An NT call that may pend; an actor may have several (a pending listen, then a peek). */
typedef struct {
    actor *a;
    IO_STATUS_BLOCK io;
    HANDLE ev;
    unsigned char *out, *in;
    ULONG outsz;
    const char *what; /* "fsctl", "read", "write" */
    ULONG code;
    long msg, seq;
    int line, live, has_event;
    volatile LONG user_apc, io_apc;
} nt_call;
#define NT_MAX_CALLS (PS_MAX_ACTORS * 4)
static nt_call calls[NT_MAX_CALLS];
static long call_seq;

static const struct {
    const char *name;
    ULONG code;
} fsctls[] = {
    {"assign_event", 0x110000}, {"disconnect", 0x110004},         {"listen", 0x110008},
    {"peek", 0x11400C},         {"query_event", 0x110010},        {"transceive", 0x11C017},
    {"wait", 0x110018},         {"impersonate", 0x11001C},        {"set_client_process", 0x110020},
    {"query_client_process", 0x110024}, {"get_connection_attribute", 0x110030},
};

static const char *const pipe_states[] = {"0", "disconnected", "listening", "connected", "closing"};

/* The actor's oldest pending call (for ntresult), or NULL. */
static nt_call *nt_oldest(actor *a)
{
    nt_call *best = NULL;
    int i;
    for (i = 0; i < NT_MAX_CALLS; i++)
        if (calls[i].a == a && calls[i].live && (!best || calls[i].seq < best->seq)) best = &calls[i];
    return best;
}

/* A fresh call record for actor a: a free one, or one of a's that is no longer pending. */
static nt_call *nt_begin(actor *a, const char *what)
{
    nt_call *c = NULL;
    int i;
    for (i = 0; i < NT_MAX_CALLS && !c; i++)
        if (!calls[i].a || (calls[i].a == a && !calls[i].live)) c = &calls[i];
    if (!c) {
        cp_harness_fault(a, "more than %d NT calls are pending; collect some with ntresult", NT_MAX_CALLS);
        return NULL;
    }
    c->a = a;
    free(c->out);
    free(c->in);
    c->out = c->in = NULL;
    if (!c->ev) c->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!c->ev) {
        cp_harness_fault(a, "CreateEventW failed with error %lu", GetLastError());
        return NULL;
    }
    ResetEvent(c->ev);
    memset(&c->io, 0x55, sizeof c->io);
    c->what = what;
    c->code = 0;
    c->msg = 0;
    c->seq = ++call_seq;
    c->has_event = 0;
    c->line = a->step ? a->step->line : 0;
    InterlockedExchange(&c->user_apc, 0);
    InterlockedExchange(&c->io_apc, 0);
    return c;
}

int nt_size_ok(actor *a, const ps_step *s, const char *key)
{
    unsigned long long n = cp_size_arg(s, key, 0);
    if (n <= PS_MAX_WRITE) return 1;
    CALL("%s", s->op);
    cp_harness_fault(a, "%s=%llu: the harness gives a call at most %lu bytes", key, n, (unsigned long)PS_MAX_WRITE);
    return 0;
}

static void WINAPI nt_user_apc(ULONG_PTR p)
{
    InterlockedIncrement((volatile LONG *)p);
}

static void NTAPI nt_io_apc(void *ctx, IO_STATUS_BLOCK *io, ULONG reserved)
{
    (void)io;
    (void)reserved;
    InterlockedIncrement((volatile LONG *)ctx);
}

typedef struct {
    HANDLE thread;
    DWORD ms;
    volatile LONG *counter;
} apc_later;

static DWORD WINAPI nt_apc_thread(LPVOID p)
{
    apc_later *l = p;
    Sleep(l->ms);
    QueueUserAPC(nt_user_apc, l->thread, (ULONG_PTR)l->counter);
    free(l);
    return 0;
}

/* user_apc=before: QueueUserAPC to the actor's own thread before the call (NT
 * test_alertable); user_apc=MS: from another thread MS after the call starts. */
static void nt_queue_user_apc(actor *a, const ps_step *s, nt_call *c)
{
    const char *v = ps_arg_get(s, "user_apc");
    apc_later *l;
    HANDLE t;
    if (!v) return;
    if (!strcmp(v, "before")) {
        if (!QueueUserAPC(nt_user_apc, GetCurrentThread(), (ULONG_PTR)&c->user_apc))
            cp_harness_fault(a, "QueueUserAPC failed with error %lu", GetLastError());
        return;
    }
    l = cp_try_alloc(a, sizeof *l, "the APC thread's record");
    if (!l) return;
    l->thread = a->thread;
    l->ms = (DWORD)(cp_ms_arg(s, "user_apc", 100) * (the_case.o->time_scale > 0 ? the_case.o->time_scale : 1.0));
    l->counter = &c->user_apc;
    cp_taint("line %d queues a user APC from a thread of its own", s->line); /* it may outlive the case */
    t = CreateThread(NULL, 64 * 1024, nt_apc_thread, l, 0, NULL);
    if (!t) {
        cp_harness_fault(a, "CreateThread for the user APC failed with error %lu", GetLastError());
        free(l);
        return;
    }
    CloseHandle(t);
}

/* Waits up to ms for call c to complete: its event, or without one its IO_STATUS_BLOCK
 * (written when the call completes; the harness never waits on the file handle, which
 * is what a no-event call's completion signals and what the step reports). */
static int nt_completed(nt_call *c, DWORD ms)
{
    double end = ps_now_ms() + ms;
    if (c->has_event) return WaitForSingleObject(c->ev, ms) == WAIT_OBJECT_0;
    for (;;) {
        ULONG st = (ULONG)((volatile IO_STATUS_BLOCK *)&c->io)->Status;
        if (st != 0x55555555UL && st != PS_STATUS_PENDING) return 1;
        if (ps_now_ms() >= end) return 0;
        Sleep(1);
    }
}

/* After an NT call: pending, it stays for ntresult (or, with wait=1, is waited for and
 * judged by its IO_STATUS_BLOCK, as Wine's tests do); the fields of the record. */
static NTSTATUS nt_after(actor *a, const ps_step *s, nt_call *c, NTSTATUS st)
{
    int waited = 0;
    if ((ULONG)st == PS_STATUS_PENDING && cp_bool_arg(s, "wait")) {
        if (nt_completed(c, cp_step_limit(10000))) {
            st = c->io.Status;
            waited = 1;
        }
    } else if (st == 0 && cp_bool_arg(s, "wait"))
        st = c->io.Status;
    c->live = (ULONG)st == PS_STATUS_PENDING;
    nt_set_status(a, st);
    if (ps_arg_get(s, "user_apc")) ps_actual_set(&a->act, "apc_ran", "%s", c->user_apc ? "yes" : "no");
    if (cp_bool_arg(s, "apc")) ps_actual_set(&a->act, "ioapc", "%s", c->io_apc ? "yes" : "no");
    if (!c->live) {
        if ((ULONG)c->io.Status == 0x55555555UL) ps_actual_set(&a->act, "iosb", "untouched");
        else ps_actual_set(&a->act, "iosb", "%lu", (unsigned long)(ULONG)c->io.Status);
    }
    if (waited) ps_actual_set(&a->act, "pended", "yes");
    return st;
}

static ULONG nt_fsctl_code(const char *name)
{
    size_t i;
    for (i = 0; name && i < sizeof fsctls / sizeof fsctls[0]; i++)
        if (!strcmp(fsctls[i].name, name)) return fsctls[i].code;
    return 0;
}

/* The input of an FSCTL: the FILE_PIPE_WAIT_FOR_BUFFER of wait, the attribute name
 * of get_connection_attribute, the request of transceive. */
static int nt_fsctl_input(actor *a, const ps_step *s, nt_call *c, ULONG code, ULONG *len)
{
    *len = 0;
    if (cp_bool_arg(s, "nobuf")) return 1;
    if (code == 0x110018) {
        char *e = cp_expand(ps_arg_get(s, "name") ? ps_arg_get(s, "name") : "{pipe}");
        wchar_t *w = ps_wide(e);
        ULONG nl = (ULONG)(wcslen(w) * sizeof(wchar_t));
        ps_pipe_wait_buffer *b;
        free(e);
        *len = (ULONG)offsetof(ps_pipe_wait_buffer, Name) + nl;
        b = cp_try_alloc(a, *len + sizeof(wchar_t), "the wait buffer");
        if (!b) {
            free(w);
            return 0;
        }
        memset(b, 0, *len);
        b->NameLength = nl;
        b->TimeoutSpecified = ps_arg_get(s, "timeout") != NULL;
        b->Timeout.QuadPart = -10000LL * (LONGLONG)cp_ms_arg(s, "timeout", 0);
        memcpy(b->Name, w, nl);
        free(w);
        c->in = (unsigned char *)b;
    } else if (code == 0x110030) {
        const char *at = ps_arg_get(s, "attr") ? ps_arg_get(s, "attr") : "ClientProcessId";
        *len = (ULONG)strlen(at) + 1;
        c->in = cp_try_alloc(a, *len, "the attribute name");
        if (!c->in) return 0;
        memcpy(c->in, at, *len);
    } else if (code == 0x11C017) {
        DWORD n;
        c->in = cp_make_data(a, s, "size", &n);
        if (!c->in) return 0;
        *len = n;
        c->msg = cp_queue_to_peer(a, c->in, n);
    }
    return 1;
}

static void nt_fsctl_fields(actor *a, nt_call *c, NTSTATUS st)
{
    ULONG got = (ULONG)c->io.Information;
    if (st != 0 && (ULONG)st != PS_STATUS_BUFFER_OVERFLOW) return;
    ps_actual_set(&a->act, "bytes", "%lu", (unsigned long)got);
    if (c->code == 0x11400C && c->out && c->outsz >= 16) {
        ps_pipe_peek_buffer *p = (ps_pipe_peek_buffer *)c->out;
        ULONG k = p->NamedPipeState;
        ps_actual_set(&a->act, "state", "%s", k < 5 ? pipe_states[k] : "?");
        ps_actual_set(&a->act, "avail", "%lu", (unsigned long)p->ReadDataAvailable);
        ps_actual_set(&a->act, "msgs", "%lu", (unsigned long)p->NumberOfMessages);
        ps_actual_set(&a->act, "msglen", "%lu", (unsigned long)p->MessageLength);
    } else if (c->code == 0x110030 && c->out && c->outsz >= sizeof(ULONG)) {
        ULONG pid = *(ULONG *)c->out;
        if (pid == GetCurrentProcessId()) ps_actual_set(&a->act, "pid", "self");
        else ps_actual_set(&a->act, "pid", "%lu", (unsigned long)pid);
    } else if (c->code == 0x11C017 && c->out) {
        cp_check_read(a, c->out, got, st == 0);
    }
}

void op_fsctl(actor *a, const ps_step *s)
{
    ps_NtFsControlFile fn = (ps_NtFsControlFile)nt_proc(a, "NtFsControlFile");
    const char *cn = ps_arg_get(s, "code");
    ULONG code = nt_fsctl_code(cn), inlen = 0, defout;
    nt_call *c;
    NTSTATUS st;
    int noev = ps_arg_get(s, "event") && !cp_bool_arg(s, "event");
    if (!fn) return;
    if (!code) {
        CALL("NtFsControlFile(%s)", a->name);
        cp_harness_fault(a, "fsctl needs code= (listen, peek, disconnect, wait, transceive, ...)");
        return;
    }
    if (!nt_size_ok(a, s, "out") || !(c = nt_begin(a, "fsctl"))) return;
    c->code = code;
    defout = code == 0x11400C ? (ULONG)sizeof(ps_pipe_peek_buffer) : code == 0x110030 ? (ULONG)sizeof(ULONG)
             : code == 0x11C017 ? 1024 : 0;
    c->outsz = cp_bool_arg(s, "nobuf") ? 0 : (ULONG)cp_size_arg(s, "out", defout);
    if (c->outsz && !(c->out = cp_try_alloc(a, (size_t)c->outsz + 2, "the FSCTL output buffer"))) return;
    if (c->out) memset(c->out, 0xcc, c->outsz);
    if (!nt_fsctl_input(a, s, c, code, &inlen)) return;
    CALL("NtFsControlFile(%s, %s, %s, FSCTL_PIPE_%s (0x%lx), in=%lu bytes, out=%lu bytes%s)", a->name,
         noev ? "no event" : "event", cp_bool_arg(s, "apc") ? "I/O APC" : "no APC", cn, (unsigned long)code, (unsigned long)inlen,
         (unsigned long)c->outsz, ps_arg_get(s, "user_apc") ? ", a user APC queued to the thread" : "");
    c->has_event = !noev;
    nt_queue_user_apc(a, s, c);
    if (a->harness_error[0]) return;
    cp_begin_call(a);
    st = fn(a->h, noev ? NULL : c->ev, cp_bool_arg(s, "apc") ? nt_io_apc : NULL,
            cp_bool_arg(s, "apc") ? (void *)&c->io_apc : NULL, &c->io, code, c->in, inlen, c->out, c->outsz);
    if (!noev) ps_actual_set(&a->act, "event", "%s", WaitForSingleObject(c->ev, 0) == WAIT_OBJECT_0 ? "yes" : "no");
    st = nt_after(a, s, c, st);
    if (code == 0x11C017 && (st < 0 && (ULONG)st != PS_STATUS_BUFFER_OVERFLOW)) cp_settle(a, c->msg, 0);
    else if (code == 0x11C017 && !c->live) cp_settle(a, c->msg, inlen);
    nt_fsctl_fields(a, c, st);
    if (code == 0x110004 && st == 0) cp_disconnected(a); /* as DisconnectNamedPipe */
}

static void nt_rw(actor *a, const ps_step *s, int write)
{
    ps_NtReadWriteFile fn = (ps_NtReadWriteFile)nt_proc(a, write ? "NtWriteFile" : "NtReadFile");
    int ev = cp_bool_arg(s, "event"), apc = cp_bool_arg(s, "apc");
    nt_call *c;
    NTSTATUS st;
    DWORD len = 0;
    if (!fn || !nt_size_ok(a, s, "size") || !(c = nt_begin(a, write ? "write" : "read"))) return;
    if (write) {
        if (!(c->in = cp_make_data(a, s, "size", &len))) return;
        c->msg = cp_queue_to_peer(a, c->in, len);
    } else {
        len = (DWORD)cp_size_arg(s, "size", 1024);
        if (!(c->out = cp_try_alloc(a, (size_t)len + 2, "the read buffer"))) return;
        c->outsz = len;
    }
    CALL("%s(%s, %s, %s, buf[%lu])", write ? "NtWriteFile" : "NtReadFile", a->name, ev ? "event" : "no event",
         apc ? "I/O APC" : "no APC", (unsigned long)len);
    c->has_event = ev;
    if (ev) SetEvent(c->ev); /* Wine's test_blocking: the call resets it */
    cp_begin_call(a);
    st = fn(a->h, ev ? c->ev : NULL, apc ? nt_io_apc : NULL, apc ? (void *)&c->io_apc : NULL, &c->io,
            write ? (void *)c->in : (void *)c->out, len, NULL, NULL);
    ps_actual_set(&a->act, "signaled", "%s", WaitForSingleObject(a->h, 0) == WAIT_OBJECT_0 ? "yes" : "no");
    if (ev) ps_actual_set(&a->act, "event", "%s", WaitForSingleObject(c->ev, 0) == WAIT_OBJECT_0 ? "yes" : "no");
    st = nt_after(a, s, c, st);
    if (c->live) return;
    if (st == 0 || (ULONG)st == PS_STATUS_BUFFER_OVERFLOW) {
        ps_actual_set(&a->act, "bytes", "%lu", (unsigned long)c->io.Information);
        if (write) cp_settle(a, c->msg, (size_t)c->io.Information);
        else cp_check_read(a, c->out, (size_t)c->io.Information, st == 0);
    } else if (write)
        cp_settle(a, c->msg, 0);
}

void op_ntread(actor *a, const ps_step *s)
{
    nt_rw(a, s, 0);
}

void op_ntwrite(actor *a, const ps_step *s)
{
    nt_rw(a, s, 1);
}

/* Collects the actor's pending NT call: waits for its event (wait=0: only looks)
 * and reports its IO_STATUS_BLOCK. */
void op_ntresult(actor *a, const ps_step *s)
{
    nt_call *c = nt_oldest(a);
    int wait = ps_arg_get(s, "wait") ? cp_bool_arg(s, "wait") : 1;
    NTSTATUS st;
    CALL("the IO_STATUS_BLOCK of %s's NT call of line %d (%s)", a->name, c ? c->line : 0, c && c->what ? c->what : "none");
    if (!c) {
        cp_harness_fault(a, "ntresult on %s: no NT call of this actor is pending", a->name);
        return;
    }
    cp_begin_call(a);
    if (!nt_completed(c, wait ? cp_step_limit(10000) : 0)) {
        nt_set_status(a, (NTSTATUS)PS_STATUS_PENDING);
        return;
    }
    c->live = 0;
    st = c->io.Status;
    nt_set_status(a, st);
    /* the file handle is signalled when the call had no event (as the event would be) */
    ps_actual_set(&a->act, "signaled", "%s",
                  WaitForSingleObject(a->h, c->has_event ? 0 : cp_step_limit(200)) == WAIT_OBJECT_0 ? "yes" : "no");
    if (c->has_event) ps_actual_set(&a->act, "event", "%s", WaitForSingleObject(c->ev, 0) == WAIT_OBJECT_0 ? "yes" : "no");
    if (cp_bool_arg(s, "apc")) ps_actual_set(&a->act, "ioapc", "%s", c->io_apc ? "yes" : "no");
    if (!strcmp(c->what, "fsctl")) {
        nt_fsctl_fields(a, c, st);
        if (c->code == 0x11C017) cp_settle(a, c->msg, st < 0 && (ULONG)st != PS_STATUS_BUFFER_OVERFLOW ? 0 : (size_t)-1);
    } else if (st == 0 || (ULONG)st == PS_STATUS_BUFFER_OVERFLOW) {
        ps_actual_set(&a->act, "bytes", "%lu", (unsigned long)c->io.Information);
        if (!strcmp(c->what, "read")) cp_check_read(a, c->out, (size_t)c->io.Information, st == 0);
        else cp_settle(a, c->msg, (size_t)c->io.Information);
    } else if (!strcmp(c->what, "write"))
        cp_settle(a, c->msg, 0);
}

/* Between cases (case_serve.c): no call may still be pending, since the platform would
 * write its IO_STATUS_BLOCK later; then the records and their events go. */
int cp_ntio_idle(int *line)
{
    int i;
    for (i = 0; i < NT_MAX_CALLS; i++)
        if (calls[i].a && calls[i].live) {
            *line = calls[i].line;
            return 0;
        }
    return 1;
}

void cp_ntio_reset(void)
{
    int i;
    for (i = 0; i < NT_MAX_CALLS; i++) {
        if (calls[i].ev) CloseHandle(calls[i].ev);
        free(calls[i].out);
        free(calls[i].in);
    }
    memset(calls, 0, sizeof calls);
}
