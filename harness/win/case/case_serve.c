/* case_serve.c: a case process that runs several cases in turn, and the check after
 * each case that decides whether it may run another.
 *
 * Starting a process is most of what a short case costs under Wine, so the runner
 * keeps a case process for several cases, but only while that is honest: after each
 * verdict the process ends every program and thread the case started, closes what it
 * opened, and goes on only if it is back where it started. Anything it cannot prove
 * (an actor still inside a call, an overlapped or NT call not completed, a program
 * that does not end, a handle count that grew, the process token or an APC changed
 * by the case) makes it end itself after that case instead, and the next case gets a
 * new process. A crash or a hang ends the process as before. So a case can only cost
 * itself: what it leaves behind is never seen by the next one. The verdict is sent
 * before the check, and the check's result follows as an E line:
 *   E<TAB>reuse                      clean: the next case may come on stdin
 *   E<TAB>retire<TAB>reason          not provably clean: the process ends now
 */
#include "case_internal.h"

/* The handles a process holds, as their values (sorted). */
static struct {
    int on;          /* serving: cp_finish comes back to the loop */
    void *jmp[5];    /* __builtin_setjmp's buffer */
    DWORD main_tid;  /* the thread that runs the script */
    ps_handle_set before; /* the process's handles before the case */
    DWORD count_before; /* GetProcessHandleCount before the case (0 under Wine: it answers 0) */
    char why[300];   /* why this process must end after the case; empty while clean */
} serve;

/* The handles this process holds (ps_own_handles): past `upto` (the highest value the
 * case's actors held, which covers a handle a case left open above handles it closed),
 * the scan stops after 64 values in a row that are not handles. */
static void own_handles(ps_handle_set *hs, ULONG_PTR upto)
{
    ps_own_handles(hs, upto, 64);
}

/* Compares the handles now with those before the case (upto: see own_handles). On a
 * platform whose handle count is real (Windows), the counts must agree as well. */
static void check_handles(ULONG_PTR upto)
{
    static ps_handle_set now;
    size_t i = 0, k = 0, added = 0, removed = 0;
    ULONG_PTR first_added = 0, first_removed = 0;
    DWORD count = 0;
    if (serve.before.n && serve.before.v[serve.before.n - 1] > upto) upto = serve.before.v[serve.before.n - 1];
    own_handles(&now, upto);
    if (!now.n) {
        cp_taint("GetHandleInformation finds no handle in this process, so a leaked one could not be seen");
        return;
    }
    if (GetProcessHandleCount(GetCurrentProcess(), &count) && count && serve.count_before && count != serve.count_before)
        cp_taint("the process holds %lu handles after the case and held %lu before it", count, serve.count_before);
    while (i < serve.before.n || k < now.n) {
        if (k >= now.n || (i < serve.before.n && serve.before.v[i] < now.v[k])) {
            if (!removed++) first_removed = serve.before.v[i];
            i++;
        } else if (i >= serve.before.n || now.v[k] < serve.before.v[i]) {
            if (!added++) first_added = now.v[k];
            k++;
        } else
            i++, k++;
    }
    if (added)
        cp_taint("%lu handle(s) were left open by the case (the first 0x%lx)", (unsigned long)added, (unsigned long)first_added);
    else if (removed)
        cp_taint("the case closed %lu handle(s) it had not opened (the first 0x%lx)", (unsigned long)removed,
                 (unsigned long)first_removed);
}

int cp_serving(void)
{
    return serve.on;
}

void cp_taint(const char *fmt, ...)
{
    va_list ap;
    if (serve.why[0]) return; /* the first reason is the one reported */
    va_start(ap, fmt);
    vsnprintf(serve.why, sizeof serve.why, fmt, ap);
    va_end(ap);
}

/* Ends the case's programs and waits for them and their output readers. */
static void settle_programs(void)
{
    int i;
    for (i = 0; i < the_case.nactors; i++) {
        actor *a = the_case.actors[i];
        if (a->role != PS_ROLE_PROC || !a->started) continue;
        TerminateProcess(a->pi.hProcess, 1);
        if (WaitForSingleObject(a->pi.hProcess, 2000) != WAIT_OBJECT_0)
            cp_taint("the program %s did not end when terminated", a->name);
        else if (a->out_thread && WaitForSingleObject(a->out_thread, 1000) != WAIT_OBJECT_0)
            cp_taint("the output of %s stayed open after it ended (a process it started holds it)", a->name);
    }
}

/* Ends actor a's thread; returns 0 when it cannot be ended safely (it is inside a call,
 * or the platform may still write into one of its overlapped calls). */
static int stop_actor(actor *a)
{
    ov_call *c;
    if (a->busy) {
        cp_taint("actor %s was still in its call of line %d when the case ended", a->name,
                 a->step ? a->step->line : 0);
        return 0;
    }
    for (c = a->ov_head; c; c = c->next)
        if (!HasOverlappedIoCompleted(&c->ov)) {
            cp_taint("the overlapped call of line %d (%s) had not completed when the case ended", c->line, a->name);
            return 0;
        }
    InterlockedExchange(&a->quit, 1);
    SetEvent(a->go);
    if (WaitForSingleObject(a->thread, 2000) != WAIT_OBJECT_0) {
        cp_taint("the thread of actor %s did not end", a->name);
        return 0;
    }
    return 1;
}

/* Closes h, if it is a handle, and keeps the highest value closed in *high: the handle
 * scan after the case goes at least that far (own_handles). */
static void close_if(HANDLE h, ULONG_PTR *high)
{
    if (!h || h == INVALID_HANDLE_VALUE) return;
    if ((ULONG_PTR)h > *high && (ULONG_PTR)h < ((ULONG_PTR)1 << 24)) *high = (ULONG_PTR)h;
    CloseHandle(h);
}

static void free_calls(ov_call *c, ULONG_PTR *high)
{
    while (c) {
        ov_call *n = c->next;
        close_if(c->ov.hEvent, high);
        free(c->out);
        free(c->in);
        free(c);
        c = n;
    }
}

/* Closes and frees what actor a holds (its thread has ended); *high: see close_if. */
static void free_actor(actor *a, ULONG_PTR *high)
{
    close_if(a->h, high);
    close_if(a->go, high);
    close_if(a->done, high);
    close_if(a->thread, high);
    if (a->role == PS_ROLE_PROC && a->started) {
        close_if(a->pi.hProcess, high);
        close_if(a->pi.hThread, high);
        close_if(a->out_thread, high);
        close_if(a->out_event, high);
        DeleteCriticalSection(&a->out_lock);
        ps_buf_free(&a->out);
    }
    close_if(a->out_rd, high);
    free_calls(a->ov_head, high);
    free_calls(a->ov_done, high);
    EnterCriticalSection(&the_case.qlock);
    cp_clear_queue_locked(a);
    LeaveCriticalSection(&the_case.qlock);
    free(a);
}

/* After the verdict: leaves the process as the case found it, or says why it cannot. */
static void clean_up(void)
{
    int i, stopped = 1, line = 0;
    ULONG_PTR high = 0;
    HANDLE tok;
    if (GetCurrentThreadId() != serve.main_tid) cp_taint("the case ended on a thread other than the script's");
    settle_programs();
    for (i = 0; i < the_case.nactors; i++)
        if (!stop_actor(the_case.actors[i])) stopped = 0;
    if (!cp_ntio_idle(&line)) cp_taint("the NT call of line %d had not completed when the case ended", line);
    if (!cp_apc_idle()) cp_taint("a ReadFileEx/WriteFileEx completion routine had not run when the case ended");
    if (serve.why[0] || !stopped) return; /* the process ends: nothing to tidy */
    for (i = 0; i < the_case.nactors; i++) free_actor(the_case.actors[i], &high);
    the_case.nactors = 0;
    cp_ntio_reset();
    cp_iocp_reset();
    cp_apc_reset();
    if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &tok)) {
        CloseHandle(tok);
        cp_taint("the script thread was left impersonating");
    }
    DeleteCriticalSection(&the_case.qlock);
    DeleteCriticalSection(&the_case.out_lock);
    check_handles(high);
    if (the_case.c) ps_case_free(the_case.c);
    free(the_case.srcdir);
}

void cp_end_case(void)
{
    ps_buf b;
    if (!serve.on) return;
    clean_up();
    ps_buf_init(&b);
    ps_proto_end(&b, !serve.why[0], serve.why);
    { /* the script thread is the only writer left (out_lock may be gone) */
        DWORD w;
        WriteFile(the_case.out, b.data, (DWORD)b.len, &w, NULL);
    }
    ps_buf_free(&b);
    if (serve.why[0]) return; /* cp_finish ends the process */
    __builtin_longjmp(serve.jmp, 1);
}

/* One line of stdin, without its LF; 0 at the end of the input. */
/* The runner writes a case's line only after the E line of the one before, so whatever
 * is in the pipe belongs to this line: it is read in chunks (one wineserver round trip
 * each under Wine), not byte by byte. */
static int read_line(char *line, size_t size)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    DWORD n = 0, got;
    char *nl = NULL;
    while (!nl && n + 1 < size && ReadFile(in, line + n, (DWORD)(size - 1 - n), &got, NULL) && got > 0) {
        line[n + got] = 0;
        nl = strchr(line + n, '\n');
        n += got;
    }
    if (nl) *nl = 0;
    else line[n] = 0;
    return line[0] != 0;
}

int ps_child_serve(const ps_child_opts *base, int max_cases)
{
    static ps_child_opts opts;
    static char line[4096];
    static int count;
    char *f[3];
    int k;
    serve.main_tid = GetCurrentThreadId();
    serve.on = max_cases > 1;
    /* the runner's pipes are this process's alone: no program a case starts inherits them */
    SetHandleInformation(GetStdHandle(STD_INPUT_HANDLE), HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(GetStdHandle(STD_OUTPUT_HANDLE), HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(GetStdHandle(STD_ERROR_HANDLE), HANDLE_FLAG_INHERIT, 0);
    /* __builtin_setjmp: cp_end_case comes back here after each case's verdict (only
     * while serve.on, which the last case turns off) */
    if (__builtin_setjmp(serve.jmp)) count++;
    if (!read_line(line, sizeof line)) return 0; /* no case came (the run is over) */
    f[0] = line;
    for (k = 1; k < 3; k++) {
        f[k] = strchr(f[k - 1], '\t');
        if (!f[k]) return 0;
        *f[k]++ = 0;
    }
    opts = *base;
    opts.file = f[0];
    opts.pipe = f[1];
    opts.timeout_ms = strtol(f[2], NULL, 10);
    if (count + 1 >= max_cases) serve.on = 0; /* the last case: end as a single case does */
    if (serve.on) {
        if (!serve.before.n) own_handles(&serve.before, 0); /* else: what the last check found */
        if (!GetProcessHandleCount(GetCurrentProcess(), &serve.count_before)) serve.count_before = 0;
    }
    return ps_child_main(&opts);
}
