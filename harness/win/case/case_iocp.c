/* case_iocp.c: I/O completion ports (port, dequeue), a chosen overlapped call of an
 * actor (cancelio, collect, ovstate), and helper processes that do I/O on a duplicate
 * of an actor's pipe handle (helper; the child side is ps_io_helper_main). */
#include "case_internal.h"
#include "runner.h" /* ps_io_helper_main: the child side of `helper` */

/* The case's one completion port, made by the first `port` step. */
static HANDLE g_port;

/* What a `helper write` child was asked to write for an actor (its message in the
 * peer's expected data), dropped once the child is gone: the rest of its write
 * vanished with it (WT test_overlapped_transport). */
static struct {
    actor *proc, *of;
    long msg;
} g_lent[8];
static int g_nlent;

#define HELPER_WRITE_SIZE 10000

static void cp_reap_helpers(void)
{
    int i;
    for (i = 0; i < g_nlent; i++) {
        if (!g_lent[i].msg || WaitForSingleObject(g_lent[i].proc->pi.hProcess, 0) != WAIT_OBJECT_0) continue;
        cp_settle(g_lent[i].of, g_lent[i].msg, 0); /* keeps what was read already */
        g_lent[i].msg = 0;
    }
}

/* The actor's Nth outstanding overlapped call (1 = oldest), or NULL. */
static ov_call *cp_nth_call(actor *a, long nth)
{
    ov_call *c = a->ov_head;
    while (c && --nth > 0) c = c->next;
    return nth > 0 ? NULL : c;
}

static long cp_nth_arg(const ps_step *s, long def)
{
    const char *v = ps_arg_get(s, "nth");
    return v ? strtol(v, NULL, 10) : def;
}

void op_port(actor *a, const ps_step *s)
{
    ULONG_PTR key = (ULONG_PTR)strtoul(ps_arg_get(s, "key") ? ps_arg_get(s, "key") : "0", NULL, 0);
    HANDLE r;
    cp_reap_helpers();
    CALL("CreateIoCompletionPort(%s, %s, key=%lu, 0)", a->name, g_port ? "the case's port" : "NULL", (unsigned long)key);
    cp_begin_call(a);
    r = CreateIoCompletionPort(a->h, g_port, key, 0);
    cp_set_bool_result(a, r != NULL);
    if (r && !g_port) g_port = r;
}

/* Which call an OVERLAPPED belongs to: "S.read" (and its line), else "other". */
static const char *cp_owner(OVERLAPPED *ov, int *line)
{
    static char buf[96];
    int i;
    for (i = 0; i < the_case.nactors; i++) {
        actor *x = the_case.actors[i];
        ov_call *c;
        for (c = x->ov_head; c; c = c->next)
            if (&c->ov == ov) break;
        if (!c && x->ov_done && &x->ov_done->ov == ov) c = x->ov_done;
        if (c) {
            snprintf(buf, sizeof buf, "%s.%s", x->name, c->op);
            *line = c->line;
            return buf;
        }
    }
    return "other";
}

void op_dequeue(actor *a, const ps_step *s)
{
    DWORD t = cp_step_limit(cp_ms_arg(s, "timeout", 0)), n = 0xdeadbeef;
    ULONG_PTR key = 0xdeadbeef;
    OVERLAPPED *ov = (OVERLAPPED *)(ULONG_PTR)0xdeadbeef;
    BOOL ok;
    int line = 0;
    cp_reap_helpers();
    CALL("GetQueuedCompletionStatus(the case's port, timeout=%lu)", t);
    if (!g_port) {
        cp_harness_fault(a, "dequeue: no `port` step has made the case's completion port");
        return;
    }
    cp_begin_call(a);
    ok = GetQueuedCompletionStatus(g_port, &n, &key, &ov, t);
    cp_set_bool_result(a, ok);
    if (!ov) {
        ps_actual_set(&a->act, "call", "none");
        return;
    }
    if (ov == (OVERLAPPED *)(ULONG_PTR)0xdeadbeef) {
        ps_actual_set(&a->act, "call", "untouched");
        return;
    }
    ps_actual_set(&a->act, "call", "%s", cp_owner(ov, &line));
    if (line) ps_actual_set(&a->act, "line", "%d", line);
    ps_actual_set(&a->act, "key", "%lu", (unsigned long)key);
    ps_actual_set(&a->act, "bytes", "%lu", n);
}

/* cancelio (and apc, in case_apc.c): from the script thread, on record rec. */
BOOL cp_script_thread_op(actor *rec, actor *a, const ps_step *s)
{
    long nth = cp_nth_arg(s, 1);
    ov_call *c;
    if (!strcmp(s->op, "apc")) return cp_apc_queue(rec, a);
    c = cp_nth_call(a, nth);
    snprintf(rec->call, sizeof rec->call, "CancelIoEx(%s, OVERLAPPED of call %ld: %s of line %d)", a->name, nth,
             c ? c->op : "none", c ? c->line : 0);
    if (!c) {
        cp_harness_fault(rec, "cancelio nth=%ld: %s has no such outstanding overlapped call", nth, a->name);
        return FALSE;
    }
    SetLastError(0xdeadbeef);
    return CancelIoEx(a->h, &c->ov);
}

static void cp_report_ov(actor *a, const OVERLAPPED *ov)
{
    ps_actual_set(&a->act, "internal", "0x%lx", (unsigned long)ov->Internal); /* hex, as NTSTATUS */
    ps_actual_set(&a->act, "high", "0x%lx", (unsigned long)ov->InternalHigh);
}

/* Like `result`, for the Nth outstanding call: collected when it has completed. */
void op_collect(actor *a, const ps_step *s)
{
    long nth = cp_nth_arg(s, 1);
    BOOL wait = ps_arg_get(s, "wait") ? cp_bool_arg(s, "wait") : TRUE;
    ov_call *c;
    int again = 0;
    cp_reap_helpers();
    c = cp_nth_call(a, nth);
    if (!c && nth == 1 && a->ov_done) { /* as `result`: ask again about the last one collected */
        again = 1;
        c = a->ov_done;
    }
    CALL("GetOverlappedResult(%s, %s of line %d, wait=%s)", a->name, c ? c->op : "none", c ? c->line : 0,
         wait ? "TRUE" : "FALSE");
    if (!c) {
        cp_harness_fault(a, "collect nth=%ld: %s has no such outstanding overlapped call", nth, a->name);
        return;
    }
    cp_collect_call(a, c, again, wait);
    cp_report_ov(a, &c->ov);
}

void op_ovstate(actor *a, const ps_step *s)
{
    long nth = cp_nth_arg(s, 0);
    ov_call *c = nth > 0 ? cp_nth_call(a, nth) : a->ov_done;
    CALL("OVERLAPPED of %s's %s of line %d: Internal, InternalHigh (no call)", a->name, c ? c->op : "none",
         c ? c->line : 0);
    if (!c) {
        cp_harness_fault(a, "ovstate nth=%ld: %s has no such overlapped call", nth, a->name);
        return;
    }
    cp_begin_call(a);
    a->act.error = 0;
    snprintf(a->ret, sizeof a->ret, "read");
    cp_report_ov(a, &c->ov);
}

/* proc P helper mode=read-exit|write of=C: pipespec.exe itself, started as
 * "__io-helper MODE PARENT_PID HANDLE"; it duplicates C's handle out of this process
 * (read-exit: closing it here, as WT test_exit_process_async does). */
void op_helper(actor *a, const ps_step *s)
{
    const char *mode = ps_arg_get(s, "mode") ? ps_arg_get(s, "mode") : "read-exit";
    const char *of = ps_arg_get(s, "of") ? ps_arg_get(s, "of") : "";
    actor *c = cp_find_actor(of);
    wchar_t exe[MAX_PATH], *cmd;
    char *exe8, *cmd8;
    STARTUPINFOW si;
    BOOL ok;
    CALL("CreateProcessW(pipespec.exe __io-helper %s, on a duplicate of %s's handle)", mode, of);
    if (!c || c->role == PS_ROLE_PROC || c->h == INVALID_HANDLE_VALUE) {
        cp_harness_fault(a, "helper of=%s: no pipe end of that name with an open handle", of);
        return;
    }
    if (a->started || g_nlent >= (int)(sizeof g_lent / sizeof g_lent[0])) {
        cp_harness_fault(a, "helper: %s already runs a process, or the case starts too many helpers", a->name);
        return;
    }
    if (!GetModuleFileNameW(NULL, exe, MAX_PATH)) {
        cp_harness_fault(a, "GetModuleFileNameW failed with error %lu", GetLastError());
        return;
    }
    exe8 = ps_utf8(exe);
    cmd8 = ps_sprintf("\"%s\" __io-helper %s %lu %llu", exe8, mode, (unsigned long)GetCurrentProcessId(),
                      (unsigned long long)(ULONG_PTR)c->h);
    cmd = ps_wide(cmd8);
    free(exe8);
    free(cmd8);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES; /* none: Wine would duplicate the runner's pipes into it */
    if (!strcmp(mode, "write")) { /* what the child writes, for the check of the peer's reads */
        unsigned char *d = cp_try_alloc(a, HELPER_WRITE_SIZE, "the helper's data");
        if (!d) {
            free(cmd);
            return;
        }
        memset(d, 'x', HELPER_WRITE_SIZE);
        g_lent[g_nlent].msg = cp_queue_to_peer(c, d, HELPER_WRITE_SIZE);
        free(d);
    }
    cp_begin_call(a);
    ok = CreateProcessW(NULL, cmd, NULL, NULL, FALSE, 0, NULL, NULL, &si, &a->pi);
    cp_set_bool_result(a, ok);
    free(cmd);
    if (!ok) {
        cp_settle(c, g_lent[g_nlent].msg, 0);
        g_lent[g_nlent].msg = 0;
        return;
    }
    InitializeCriticalSection(&a->out_lock); /* no output is captured: it stays empty */
    ps_buf_init(&a->out);
    a->started = 1;
    g_lent[g_nlent].proc = a;
    g_lent[g_nlent].of = c;
    g_nlent++;
    if (!strcmp(mode, "read-exit")) c->h = INVALID_HANDLE_VALUE; /* the child closes it here */
}

/* The child: exit codes 0 (done), 10+ (a step failed: 10 OpenProcess, 11
 * DuplicateHandle, 12 the I/O did not pend, 13 bad arguments). */
int ps_io_helper_main(int argc, char **argv)
{
    static char buf[HELPER_WRITE_SIZE];
    OVERLAPPED ov;
    HANDLE parent, h = NULL;
    int rd;
    BOOL ok;
    if (argc < 5) return 13;
    rd = !strcmp(argv[2], "read-exit");
    if (!rd && strcmp(argv[2], "write")) return 13;
    parent = OpenProcess(PROCESS_DUP_HANDLE, FALSE, (DWORD)strtoul(argv[3], NULL, 10));
    if (!parent) return 10;
    if (!DuplicateHandle(parent, (HANDLE)(ULONG_PTR)strtoull(argv[4], NULL, 10), GetCurrentProcess(), &h, 0, FALSE,
                         DUPLICATE_SAME_ACCESS | (rd ? DUPLICATE_CLOSE_SOURCE : 0)))
        return 11;
    memset(&ov, 0, sizeof ov);
    ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    memset(buf, 'x', sizeof buf);
    ok = rd ? ReadFile(h, buf, 1, NULL, &ov) : WriteFile(h, buf, sizeof buf, NULL, &ov);
    if (ok || GetLastError() != ERROR_IO_PENDING) return 12;
    if (rd) return 0; /* exit without closing the handle (WT child_process_exit_process_async) */
    Sleep(INFINITE);  /* until the case kills it (WT child_process_write_pipe) */
    return 0;
}

/* Between cases (case_serve.c): the next case makes its own port. */
void cp_iocp_reset(void)
{
    if (g_port) CloseHandle(g_port);
    g_port = NULL;
    memset(g_lent, 0, sizeof g_lent);
    g_nlent = 0;
}
