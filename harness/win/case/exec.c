/* exec.c: runs one case inside its own process (the "case process").
 *
 * Each actor (a pipe end or an external process) has its own worker thread, so a
 * blocking call blocks only that actor; the script thread hands a step to the actor,
 * waits for it (or not, with '&'), then judges the result and writes one trace line
 * to stdout (protocol: harness/core/results.h). A step that does not finish within the
 * case's time left makes the case process report TIMEOUT on that step and end itself. */
#include "case_internal.h"

struct case_state the_case;

/* ---------------- what the harness itself could not do ---------------- */
void cp_harness_fault(actor *a, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    if (a->harness_error[0]) return; /* the first fault is the cause */
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    snprintf(a->harness_error, sizeof a->harness_error, "harness: %s", tmp);
}

void *cp_try_alloc(actor *a, size_t n, const char *what)
{
    void *p = malloc(n ? n : 1);
    if (!p) cp_harness_fault(a, "cannot allocate %lu bytes for %s", (unsigned long)n, what);
    return p;
}

/* A step's own time limit (scaled by --timeout-scale), cut so that it ends before the
 * case's: a step that does not finish in time is then judged (FAIL, saying what never
 * happened), not left to the case's TIMEOUT. INFINITE stays INFINITE. */
DWORD cp_step_limit(DWORD ms)
{
    double scaled, left = the_case.deadline - ps_now_ms(), margin = (double)the_case.o->timeout_ms / 10.0;
    if (ms == INFINITE) return ms;
    scaled = (double)ms * (the_case.o->time_scale > 0 ? the_case.o->time_scale : 1.0);
    if (margin < 300.0) margin = 300.0;
    if (scaled > left - margin) scaled = left - margin;
    return scaled < 0 ? 0 : (DWORD)scaled;
}

void cp_begin_call(actor *a)
{
    if (!a->entered) {
        a->t_entered = ps_now_ms();
        InterlockedExchange(&a->entered, 1);
    }
    SetLastError(0xdeadbeef);
}

/* ---------------- the executor's op table ---------------- */
static void op_impersonate(actor *a, const ps_step *s)
{
    (void)s;
    CALL("ImpersonateNamedPipeClient(%s)", a->name);
    cp_begin_call(a);
    cp_set_bool_result(a, ImpersonateNamedPipeClient(a->h));
}

static void op_revert(actor *a, const ps_step *s)
{
    (void)s;
    CALL("RevertToSelf()");
    cp_begin_call(a);
    cp_set_bool_result(a, RevertToSelf());
}

static void op_flush(actor *a, const ps_step *s)
{
    (void)s;
    CALL("FlushFileBuffers(%s)", a->name);
    cp_begin_call(a);
    cp_set_bool_result(a, FlushFileBuffers(a->h));
}

/* Ops run on an actor's thread. `harness_wait`: the op waits for a program under
 * test rather than making one platform call, so its start counts as entering it. The
 * statements (sleep, await, pending, debug) and cancel/cancel_sync run on the script
 * thread (run_step). Every actor op of ps_op_table() must be here: checked at start. */
typedef void (*op_fn)(actor *a, const ps_step *s);
static const struct {
    const char *name;
    op_fn fn;
    int harness_wait;
} exec_ops[] = {
    {"create", op_create, 0},         {"connect", op_connect, 0},
    {"disconnect", op_disconnect, 0}, {"impersonate", op_impersonate, 0},
    {"token", op_token, 0},           {"revert", op_revert, 0},
    {"open", op_open, 0},             {"wait", op_wait, 0},
    {"call", op_call, 0},             {"mode", op_mode, 0},
    {"state", op_state, 0},           {"info", op_info, 0},
    {"write", op_write, 0},           {"read", op_read, 0},
    {"peek", op_peek, 0},             {"transact", op_transact, 0},
    {"result", op_result, 0},         {"flush", op_flush, 0},
    {"close", op_close, 0},           {"pid", op_pid, 0},
    {"audit", op_audit, 0},           {"start", op_start, 1},
    {"serve", op_serve, 1},           {"waitpipe", op_waitpipe, 1},
    {"exit", op_exit, 1},             {"kill", op_kill, 1},
    {"output", op_output, 1},         {"waitline", op_waitline, 1},
    {"settoken", op_settoken, 0},     {"privileges", op_privileges, 0},
    {"access", op_access, 0},         {"anon", op_anon, 0},
    {"port", op_port, 0},             {"dequeue", op_dequeue, 0},
    {"collect", op_collect, 0},       {"ovstate", op_ovstate, 0},
    {"helper", op_helper, 1},         {"readex", op_readex, 0},
    {"writeex", op_writeex, 0},       {"sleepex", op_sleepex, 0},
    {"resultex", op_resultex, 0},
    /* the NT layer (case_nt.c, case_ntio.c, case_ntinfo.c) */
    {"ntcreate", op_ntcreate, 0},     {"ntopen", op_ntopen, 0},
    {"ntdir", op_ntdir, 0},           {"wincreate", op_wincreate, 0},
    {"fsctl", op_fsctl, 0},           {"ntread", op_ntread, 0},
    {"ntwrite", op_ntwrite, 0},       {"ntresult", op_ntresult, 0},
    {"ntquery", op_ntquery, 0},       {"ntset", op_ntset, 0},
    {"secquery", op_secquery, 0},     {"secset", op_secset, 0},
};
static const char *const script_ops[] = {"sleep", "await", "pending", "debug", "cancel", "cancel_sync",
                                          "cancelio", "apc"};

static int exec_find(const char *name)
{
    int i;
    for (i = 0; i < (int)(sizeof exec_ops / sizeof exec_ops[0]); i++)
        if (!strcmp(exec_ops[i].name, name)) return i;
    return -1;
}

/* NULL when every op of the language has an implementation here, else the first
 * missing one (a harness build fault: reported as ERROR before any step runs). */
const char *cp_missing_op(void)
{
    size_t n, i, k;
    const ps_opdef *t = ps_op_table(&n);
    for (i = 0; i < n; i++) {
        int found = exec_find(t[i].name) >= 0;
        for (k = 0; k < sizeof script_ops / sizeof script_ops[0]; k++)
            if (!strcmp(script_ops[k], t[i].name)) found = 1;
        if (!found) return t[i].name;
    }
    return NULL;
}

static void run_op(actor *a, const ps_step *s)
{
    /* An op on an actor with no open handle still makes its call, on
     * INVALID_HANDLE_VALUE: what a program would do, and the error is the platform's. */
    int k = exec_find(s->op);
    if (k < 0) {
        CALL("%s", s->op);
        cp_harness_fault(a, "the executor has no implementation of '%s'", s->op);
        return;
    }
    if (exec_ops[k].harness_wait) cp_begin_call(a);
    exec_ops[k].fn(a, s);
}

/* A test hook: PIPESPEC_TEST_BG_DELAY_MS delays the start of every background step,
 * as a loaded machine can, to prove that `pending` catches a waiter that is late. */
static DWORD bg_delay_ms(void)
{
    static LONG done;
    static DWORD ms;
    if (!done) {
        char v[32];
        DWORD n = GetEnvironmentVariableA("PIPESPEC_TEST_BG_DELAY_MS", v, sizeof v);
        ms = n > 0 && n < sizeof v ? (DWORD)strtoul(v, NULL, 10) : 0;
        InterlockedExchange(&done, 1);
    }
    return ms;
}

static DWORD WINAPI actor_thread(LPVOID p)
{
    actor *a = p;
    for (;;) {
        WaitForSingleObject(a->go, INFINITE);
        if (a->quit) return 0; /* the case is over (case_serve.c) */
        if (a->step->background && bg_delay_ms()) Sleep(bg_delay_ms());
        a->t0 = ps_now_ms();
        run_op(a, a->step);
        a->t1 = ps_now_ms();
        a->act.elapsed_ms = a->t1 - a->t0;
        SetEvent(a->done);
    }
    return 0;
}

static actor *get_actor(const ps_step *s)
{
    actor *a = cp_find_actor(s->actor);
    char *why;
    if (a) return a;
    if (the_case.nactors >= PS_MAX_ACTORS) { /* the parser prevents it; never write past the table */
        why = ps_sprintf("harness: actor %s is the %dth; the case process holds at most %d",
                         s->actor, the_case.nactors + 1, PS_MAX_ACTORS);
        cp_finish(PS_ERROR, s->line, why);
    }
    a = ps_xcalloc(1, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", s->actor);
    a->role = s->role;
    a->h = INVALID_HANDLE_VALUE;
    a->go = CreateEventW(NULL, FALSE, FALSE, NULL);
    a->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    if (!a->go || !a->done) {
        why = ps_sprintf("harness: CreateEventW for actor %s failed with error %lu", a->name, GetLastError());
        cp_finish(PS_ERROR, s->line, why);
    }
    a->thread = CreateThread(NULL, 256 * 1024, actor_thread, a, 0, NULL);
    if (!a->thread) {
        why = ps_sprintf("harness: CreateThread for actor %s failed with error %lu", a->name, GetLastError());
        cp_finish(PS_ERROR, s->line, why);
    }
    the_case.actors[the_case.nactors++] = a;
    return a;
}

/* ---------------- the script ---------------- */
static void trace(const ps_step *s, actor *a, ps_verdict v, const char *verdict_name,
                  const char *note)
{
    ps_buf b;
    ps_trace_entry e;
    memset(&e, 0, sizeof e);
    e.line = s->line;
    e.actor = s->actor;
    e.op = s->op;
    e.call = a ? a->call : s->text;
    e.timed = a != NULL;
    e.t_ms = (a ? a->t0 : ps_now_ms()) - the_case.t_case;
    if (a) {
        e.dur_ms = a->t1 - a->t0;
        e.ret = a->ret[0] ? a->ret : NULL;
        e.error = a->act.error;
        e.actual = &a->act;
    }
    e.expected = s->expect.present ? s->expect.text : "ok";
    if (!the_case.wine_version) e.wine = s->wine.present ? s->wine.text : NULL;
    else if (ps_wine_for(s, the_case.wine_version)) e.wine = ps_wine_for(s, the_case.wine_version)->text;
    e.verdict = verdict_name ? verdict_name : ps_verdict_name(v);
    e.note = note;
    ps_buf_init(&b);
    ps_proto_trace(&b, &e);
    cp_emit(b.data);
    ps_buf_free(&b);
}

/* The step as written, without its expectation and with runs of blanks folded:
 * "client A read size=40". */
static char *cp_short_step(const ps_step *s)
{
    char *t = ps_xstrdup(s->text), *arrow = strstr(t, " ->"), *q, *d;
    if (arrow) *arrow = 0;
    for (q = d = t; *q; q++)
        if (!(*q == ' ' && (d == t || d[-1] == ' '))) *d++ = *q;
    while (d > t && d[-1] == ' ') d--;
    *d = 0;
    return t;
}

/* Ends the case with step s's FAIL: "STEP: why", or, when the step says what its
 * failure means for the program under test (`else`), "MEANING (STEP: why)" with the
 * meaning sent as the case's cause. */
static void fail_step(const ps_step *s, const char *why)
{
    char *call = cp_short_step(s), *r;
    if (s->meaning) {
        ps_buf c;
        ps_buf_init(&c);
        ps_proto_cause(&c, s->meaning);
        cp_emit(c.data);
        ps_buf_free(&c);
        r = ps_sprintf("%s (%s: %s)", s->meaning, call, why);
    } else
        r = ps_sprintf("%s: %s", call, why);
    free(call);
    cp_finish(PS_FAIL, s->line, r);
}

/* A step the platform could not answer (the op set skip_reason): traced as "skip" with
 * its reason, counted neither for nor against the implementation. */
static void skip_step(const ps_step *s, actor *a)
{
    trace(s, a, PS_V_SKIP, NULL, a->skip_reason);
    if (the_case.skipped++ == 0) {
        the_case.skip_line = s->line;
        snprintf(the_case.skip_reason, sizeof the_case.skip_reason, "%s", a->skip_reason);
    }
}

/* Judges a finished step of actor a; stops the case on FAIL. What the harness could
 * not do ends the case as ERROR (or SKIP, when the case cannot be decided here) before
 * any expectation is looked at: it is never the platform's result. */
static void judge(const ps_step *s, actor *a)
{
    char msg[1024];
    ps_verdict v;
    if (a->harness_error[0] || a->stop_reason[0]) {
        int err = a->harness_error[0] != 0;
        const char *why = err ? a->harness_error : a->stop_reason;
        trace(s, a, PS_V_FAIL, err ? "error" : "skip", why);
        cp_finish(err ? PS_ERROR : a->stop_outcome, s->line, why);
    }
    if (a->skip_reason[0]) {
        skip_step(s, a);
        return;
    }
    if (s->expect.present) the_case.checks++;
    v = ps_judge_wine(s, ps_wine_for(s, the_case.wine_version), &a->act, the_case.o->strict, the_case.o->time_scale, msg,
                      sizeof msg);
    if (a->data_error[0] && v != PS_V_FAIL) {
        snprintf(msg, sizeof msg, "%s", a->data_error);
        v = PS_V_FAIL;
    }
    if (v != PS_V_FAIL) { /* advisory fields: a note, or under --strict a FAIL */
        char note[400];
        if (ps_expect_advisory(&s->expect, &a->act, note, sizeof note)) {
            if (the_case.o->strict) {
                snprintf(msg, sizeof msg, "%s (an advisory difference; --strict makes it a failure)", note);
                v = PS_V_FAIL;
            } else {
                ps_buf n;
                ps_buf_init(&n);
                ps_proto_note(&n, s->line, note);
                cp_emit(n.data);
                ps_buf_free(&n);
            }
        }
    }
    if (v == PS_V_FAIL && a->note[0]) { /* what it means for the program under test */
        size_t l = strlen(msg);
        snprintf(msg + l, sizeof msg - l, ": %s", a->note);
    }
    trace(s, a, v, NULL, msg);
    if (v == PS_V_XFAIL || v == PS_V_XPASS) {
        ps_buf d;
        ps_buf_init(&d);
        ps_proto_divergence(&d, s->line, msg);
        cp_emit(d.data);
        ps_buf_free(&d);
    }
    the_case.outcome = ps_fold(the_case.outcome, v);
    if (v == PS_V_FAIL) fail_step(s, msg);
    if ((v == PS_V_XFAIL || v == PS_V_XPASS) && !the_case.decided_line) {
        the_case.decided_line = s->line;
        snprintf(the_case.reason, sizeof the_case.reason, "%s", msg);
    }
}

static void started(const ps_step *s)
{
    ps_buf b;
    ps_buf_init(&b);
    ps_proto_started(&b, s->line, s->text);
    cp_emit(b.data);
    ps_buf_free(&b);
}

static DWORD time_left(void)
{
    double left = the_case.deadline - ps_now_ms();
    return left <= 0 ? 0 : (DWORD)left;
}

/* A program under test that has exited, for longer than a grace, while the script
 * waits on another actor: the wait can only be for that program, so the step is the
 * program's FAIL ("never completed: the client under test exited ..."), not a hang
 * blamed on the pipe end that waits. NULL when there is none. */
static actor *gone_program(double grace_ms)
{
    int i;
    for (i = 0; i < the_case.nactors; i++) {
        actor *p = the_case.actors[i];
        if (!p->under_test || !p->started || WaitForSingleObject(p->pi.hProcess, 0) != WAIT_OBJECT_0) continue;
        if (p->t_exited == 0.0) p->t_exited = ps_now_ms(); /* first seen gone (not GetProcessTimes: wrong under Wine) */
        if (ps_now_ms() - p->t_exited >= grace_ms) return p;
    }
    return NULL;
}

static void wait_done(const ps_step *s, actor *a, DWORD limit)
{
    DWORD r = WAIT_TIMEOUT;
    double end = ps_now_ms() + limit, grace = 1000.0 * (the_case.o->time_scale > 0 ? the_case.o->time_scale : 1.0);
    for (;;) {
        double left = end - ps_now_ms();
        actor *p;
        r = WaitForSingleObject(a->done, left <= 0 ? 0 : left < 100 ? (DWORD)left : 100);
        if (r == WAIT_OBJECT_0 || left <= 0) break;
        if (a->role != PS_ROLE_PROC && (p = gone_program(grace)) != NULL) {
            char *n = cp_program_exit_note(p);
            char *why = ps_sprintf("never completed (%s): %s", a->call[0] ? a->call : "blocked",
                                   n ? n : "the program under test exited");
            trace(a->step, a, PS_V_FAIL, "fail", why);
            free(n);
            fail_step(a->step, why);
        }
    }
    if (r != WAIT_OBJECT_0) {
        char *st = cp_short_step(a->step);
        char *why = ps_sprintf("case did not finish within %ld ms; hung on line %d: %s (%s)",
                               the_case.o->timeout_ms, a->step->line, st, a->call[0] ? a->call : "blocked");
        free(st);
        cp_finish(PS_TIMEOUT, s->line, why);
    }
    a->busy = 0;
}

/* `pending X`: X's background call has been entered and has not returned. The
 * script waits (bounded) until X's thread has entered its platform call, then until it
 * has been in it for a short grace, so a waiter that starts late cannot pass a wake-up
 * case without ever having been blocked. */
static void run_pending(const ps_step *s, actor *a)
{
    double scale = the_case.o->time_scale > 0 ? the_case.o->time_scale : 1.0, grace = 20.0 * scale;
    double limit = ps_now_ms() + 2000.0 * scale;
    char *r;
    if (limit > the_case.deadline) limit = the_case.deadline;
    while (!a->entered && WaitForSingleObject(a->done, 1) == WAIT_TIMEOUT && ps_now_ms() < limit)
        ;
    if (a->entered && WaitForSingleObject(a->done, 0) == WAIT_TIMEOUT) {
        double left = a->t_entered + grace - ps_now_ms();
        if (left > 0) WaitForSingleObject(a->done, (DWORD)left);
    }
    if (WaitForSingleObject(a->done, 0) == WAIT_OBJECT_0) {
        /* it finished: judge it now so the trace is complete, then fail */
        SetEvent(a->done);
        wait_done(s, a, 0);
        a->bg = 0;
        judge(a->step, a);
        r = ps_sprintf("line %d: %s: expected line %d to be still blocked, but it had finished (%s)",
                       s->line, s->text, a->step->line, a->call);
        trace(s, NULL, PS_V_FAIL, "fail", r);
        cp_finish(PS_FAIL, s->line, r);
    }
    if (!a->entered) {
        r = ps_sprintf("harness: line %d: the thread of %s did not reach its call of line %d within %.0f ms",
                       s->line, a->name, a->step->line, 2000.0 * scale);
        trace(s, NULL, PS_V_FAIL, "error", r);
        cp_finish(PS_ERROR, s->line, r);
    }
    trace(s, NULL, PS_V_OK, "ok", "still blocked, as expected");
}

/* cancel / cancel_sync: from the script thread, so they reach I/O that blocks the
 * actor's thread; judged like any step, through a record of their own. */
static void run_cancel(const ps_step *s, actor *a)
{
    static actor rec;
    BOOL ok;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.name, sizeof rec.name, "%s", a->name);
    started(s);
    rec.t0 = ps_now_ms();
    SetLastError(0xdeadbeef);
    if (!strcmp(s->op, "cancelio") || !strcmp(s->op, "apc")) {
        ok = cp_script_thread_op(&rec, a, s); /* case_iocp.c / case_apc.c */
    } else if (!strcmp(s->op, "cancel")) {
        snprintf(rec.call, sizeof rec.call, "CancelIoEx(%s, NULL)", a->name);
        ok = CancelIoEx(a->h, NULL);
    } else {
        snprintf(rec.call, sizeof rec.call, "CancelSynchronousIo(thread of %s)", a->name);
        ok = CancelSynchronousIo(a->thread);
    }
    rec.act.error = ok ? 0 : GetLastError();
    snprintf(rec.ret, sizeof rec.ret, "%s", ok ? "TRUE" : "FALSE");
    rec.t1 = ps_now_ms();
    rec.act.elapsed_ms = rec.t1 - rec.t0;
    judge(s, &rec);
}

static void run_step(const ps_step *s)
{
    actor *a;
    if (s->role == PS_ROLE_NONE) {
        if (!strcmp(s->op, "sleep")) {
            long ms = 0;
            ps_parse_ms(ps_arg_get(s, "ms"), &ms);
            Sleep((DWORD)(ms * (the_case.o->time_scale > 0 ? the_case.o->time_scale : 1.0))); /* slow machine, longer settle */
            return;
        }
        if (!strcmp(s->op, "debug")) {
            started(s);
            if (!strcmp(ps_arg_get(s, "what"), "crash")) {
                volatile int *nullp = NULL;
                *nullp = 1; /* an access violation, on purpose */
            }
            if (!strcmp(ps_arg_get(s, "what"), "leak")) { /* a handle left open, as a harness bug would */
                if (!CreateEventW(NULL, TRUE, FALSE, NULL)) cp_finish(PS_ERROR, s->line, "harness: CreateEventW failed");
                return;
            }
            for (;;) Sleep(1000);
        }
        a = cp_find_actor(s->actor);
        if (!a || !a->bg) {
            cp_finish(PS_ERROR, s->line, "await/pending: the actor has no background step running");
        }
        if (!strcmp(s->op, "pending")) {
            run_pending(s, a);
            return;
        }
        /* await */
        {
            const char *t = ps_arg_get(s, "timeout");
            long ms = 0;
            DWORD limit = time_left();
            int own = 0;
            if (t && ps_parse_ms(t, &ms) == 0) {
                DWORD lim2 = (DWORD)(ms * (the_case.o->time_scale > 0 ? the_case.o->time_scale : 1.0));
                if (lim2 < limit) limit = lim2, own = 1;
            }
            started(s);
            if (own && WaitForSingleObject(a->done, limit) != WAIT_OBJECT_0) {
                /* the step's own limit, shorter than the case's: the call is judged to
                 * have failed to complete, not the case to have hung */
                char *r = ps_sprintf("did not complete within the %lu ms that line %d allows (%s)",
                                     (unsigned long)limit, s->line, a->call[0] ? a->call : "still blocked");
                trace(a->step, a, PS_V_FAIL, "fail", r);
                fail_step(a->step, r);
            } else if (own)
                SetEvent(a->done); /* wait_done below takes it again */
            wait_done(s, a, own ? 0 : limit);
            a->bg = 0;
            judge(a->step, a);
        }
        return;
    }
    a = get_actor(s);
    if (!strcmp(s->op, "cancel") || !strcmp(s->op, "cancel_sync") || !strcmp(s->op, "cancelio") ||
        !strcmp(s->op, "apc")) {
        run_cancel(s, a);
        return;
    }
    if (a->busy) {
        char *r = ps_sprintf("actor %s is still busy with line %d (%s); add 'await %s' first",
                             a->name, a->step->line, a->step->text, a->name);
        cp_finish(PS_ERROR, s->line, r);
    }
    memset(&a->act, 0, sizeof a->act);
    a->call[0] = a->ret[0] = a->data_error[0] = a->harness_error[0] = a->stop_reason[0] = a->skip_reason[0] = 0;
    InterlockedExchange(&a->entered, 0);
    a->step = s;
    a->busy = 1;
    started(s);
    SetEvent(a->go);
    if (s->background) {
        a->bg = 1;
        return;
    }
    wait_done(s, a, time_left());
    judge(s, a);
}

/* A crash of the case process (or of the implementation inside it) ends it at once
 * with the exception code as its exit code, which the parent reports; no debugger. */
static LONG WINAPI die_on_exception(EXCEPTION_POINTERS *ep)
{
    FlushFileBuffers(the_case.out);
    TerminateProcess(GetCurrentProcess(), ep->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

int ps_child_main(const ps_child_opts *o)
{
    ps_diag d;
    int i;
    char *slash;
    memset(&the_case, 0, sizeof the_case);
    memset(&d, 0, sizeof d);
    the_case.o = o;
    InitializeCriticalSection(&the_case.out_lock);
    InitializeCriticalSection(&the_case.qlock);
    the_case.out = GetStdHandle(STD_OUTPUT_HANDLE);
    the_case.on_wine = ps_platform_is_wine();
    the_case.wine_version = ps_wine_version();
    the_case.outcome = PS_PASS;
    the_case.srcdir = ps_xstrdup(o->file);
    slash = strrchr(the_case.srcdir, '/');
    if (!slash || strrchr(the_case.srcdir, '\\') > slash) slash = strrchr(the_case.srcdir, '\\');
    if (slash) *slash = 0;
    else strcpy(the_case.srcdir, ".");
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(die_on_exception);
    if (cp_missing_op()) {
        char *r = ps_sprintf("harness: this build's executor has no implementation of the op '%s'", cp_missing_op());
        cp_finish(PS_ERROR, 0, r);
    }
    the_case.c = ps_load_case(o->file, &d);
    if (!the_case.c) {
        cp_finish(PS_ERROR, 0, d.count ? d.msgs[0] : "cannot parse the case");
    }
    the_case.t_case = ps_now_ms();
    the_case.deadline = the_case.t_case + (double)o->timeout_ms;
    for (i = 0; i < the_case.c->nsteps; i++) run_step(&the_case.c->steps[i]);
    /* the parser makes every background step awaited, so none can be left unjudged */
    for (i = 0; i < the_case.nactors; i++)
        if (the_case.actors[i]->bg) {
            char *r = ps_sprintf("harness: the background step of line %d (%s) was never judged",
                                 the_case.actors[i]->step->line, the_case.actors[i]->name);
            cp_finish(PS_ERROR, the_case.actors[i]->step->line, r);
        }
    /* the server under test: its exit is traced; a crash fails the case; one still
     * running is ended (by cp_finish) */
    for (i = 0; i < the_case.nactors; i++) {
        actor *a = the_case.actors[i];
        DWORD code = 0;
        int exited;
        ps_trace_entry e;
        ps_actual act;
        ps_buf t;
        if (!a->serving || !a->started) continue;
        exited = WaitForSingleObject(a->pi.hProcess, 0) == WAIT_OBJECT_0 &&
                 GetExitCodeProcess(a->pi.hProcess, &code);
        memset(&e, 0, sizeof e);
        memset(&act, 0, sizeof act);
        e.actor = a->name;
        e.op = "serve";
        e.call = "the server under test at the end of the case";
        e.timed = 1;
        e.t_ms = ps_now_ms() - the_case.t_case;
        e.ret = exited ? "exited" : "still running: ended";
        if (exited) ps_actual_set(&act, "code", "0x%08lX", code);
        e.actual = &act;
        e.verdict = exited && code >= 0xC0000000UL ? "fail" : "ok";
        ps_buf_init(&t);
        ps_proto_trace(&t, &e);
        cp_emit(t.data);
        ps_buf_free(&t);
        if (exited && code >= 0xC0000000UL) {
            char *r = ps_sprintf("the server under test (%s) crashed with exception 0x%08lX", a->name, code);
            cp_finish(PS_FAIL, 0, r);
        }
    }
    if (ps_case_outcome(the_case.outcome, the_case.checks, the_case.skipped) == PS_SKIP)
        cp_finish(PS_SKIP, the_case.skip_line, the_case.skip_reason);
    if (the_case.outcome == PS_PASS && the_case.skipped)
        snprintf(the_case.reason, sizeof the_case.reason, "%d step(s) skipped, the first on line %d: %s", the_case.skipped,
                 the_case.skip_line, the_case.skip_reason);
    cp_finish(the_case.outcome, the_case.decided_line, the_case.outcome == PS_PASS && !the_case.skipped ? "" : the_case.reason);
    return 0;
}
