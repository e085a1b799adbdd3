/* exec.c: runs one case inside its own process (the "case process").
 *
 * Each actor (a pipe end or an external process) has its own worker thread, so a
 * blocking call blocks only that actor; the script thread hands a step to the actor,
 * waits for it (or not, with '&'), then judges the result and writes one trace line
 * to stdout (protocol: harness/core/results.h). A step that does not finish within the
 * case's time left makes the case process report TIMEOUT on that step and end itself. */
#include "case_internal.h"

struct case_globals g;

static void run_op(actor *a, const ps_step *s)
{
    /* An op on an actor with no open handle still makes its call, on
     * INVALID_HANDLE_VALUE: what a program would do, and the error is the platform's. */
    const char *op = s->op;
    if (!strcmp(op, "create")) op_create(a, s);
    else if (!strcmp(op, "connect")) op_connect(a, s);
    else if (!strcmp(op, "disconnect")) op_disconnect(a);
    else if (!strcmp(op, "impersonate")) {
        CALL("ImpersonateNamedPipeClient(%s)", a->name);
        SetLastError(0xdeadbeef);
        cp_set_bool_result(a, ImpersonateNamedPipeClient(a->h));
    } else if (!strcmp(op, "token")) op_token(a);
    else if (!strcmp(op, "revert")) {
        CALL("RevertToSelf()");
        cp_set_bool_result(a, RevertToSelf());
    } else if (!strcmp(op, "open")) op_open(a, s);
    else if (!strcmp(op, "wait")) op_wait(a, s);
    else if (!strcmp(op, "call")) op_call(a, s);
    else if (!strcmp(op, "mode")) op_mode(a, s);
    else if (!strcmp(op, "state")) op_state(a);
    else if (!strcmp(op, "info")) op_info(a);
    else if (!strcmp(op, "write")) op_write(a, s);
    else if (!strcmp(op, "read")) op_read(a, s);
    else if (!strcmp(op, "peek")) op_peek(a, s);
    else if (!strcmp(op, "transact")) op_transact(a, s);
    else if (!strcmp(op, "result")) op_result(a, s);
    else if (!strcmp(op, "flush")) {
        CALL("FlushFileBuffers(%s)", a->name);
        SetLastError(0xdeadbeef);
        cp_set_bool_result(a, FlushFileBuffers(a->h));
    } else if (!strcmp(op, "close")) op_close(a);
    else if (!strcmp(op, "pid")) op_pid(a, s);
    else if (!strcmp(op, "audit")) op_audit(a, s);
    else if (!strcmp(op, "start")) op_start(a, s);
    else if (!strcmp(op, "serve")) op_serve(a, s);
    else if (!strcmp(op, "waitpipe")) op_waitpipe(a, s);
    else if (!strcmp(op, "exit")) op_exit(a, s);
    else if (!strcmp(op, "kill")) op_kill(a);
    else if (!strcmp(op, "output")) op_output(a, s);
    else if (!strcmp(op, "waitline")) op_waitline(a, s);
    else {
        CALL("%s: not implemented by this executor", op);
        a->act.error = ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static DWORD WINAPI actor_thread(LPVOID p)
{
    actor *a = p;
    for (;;) {
        WaitForSingleObject(a->go, INFINITE);
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
    if (a) return a;
    a = ps_xcalloc(1, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", s->actor);
    a->role = s->role;
    a->h = INVALID_HANDLE_VALUE;
    a->go = CreateEventW(NULL, FALSE, FALSE, NULL);
    a->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    a->thread = CreateThread(NULL, 256 * 1024, actor_thread, a, 0, NULL);
    g.actors[g.nactors++] = a;
    return a;
}

/* ---------------- the script ---------------- */
static void trace(const ps_step *s, actor *a, ps_verdict v, const char *verdict_name,
                  const char *note)
{
    ps_buf b;
    char en[64];
    int i;
    const char *ename;
    ps_buf_init(&b);
    ps_buf_printf(&b, "T\t{\"line\":%d,\"actor\":", s->line);
    ps_json_str(&b, s->actor ? s->actor : "");
    ps_buf_adds(&b, ",\"op\":");
    ps_json_str(&b, s->op);
    ps_buf_adds(&b, ",\"call\":");
    ps_json_str(&b, a ? a->call : s->text);
    if (a) {
        ps_buf_printf(&b, ",\"t_ms\":%.3f,\"dur_ms\":%.3f,\"ret\":", a->t0 - g.t_case, a->t1 - a->t0);
        ps_json_str(&b, a->ret[0] ? a->ret : (a->act.error ? "FALSE" : "TRUE"));
        ename = ps_error_name(a->act.error);
        ps_buf_printf(&b, ",\"error\":%lu,\"error_name\":", a->act.error);
        ps_json_str(&b, ename ? ename : (snprintf(en, sizeof en, "%lu", a->act.error), en));
        ps_buf_adds(&b, ",\"fields\":{");
        for (i = 0; i < a->act.nfields; i++) {
            if (i) ps_buf_addc(&b, ',');
            ps_json_str(&b, a->act.fields[i].key);
            ps_buf_addc(&b, ':');
            ps_json_str(&b, a->act.fields[i].value);
        }
        ps_buf_addc(&b, '}');
    } else {
        ps_buf_printf(&b, ",\"t_ms\":%.3f", ps_now_ms() - g.t_case);
    }
    ps_buf_adds(&b, ",\"expected\":");
    ps_json_str(&b, s->expect.present ? s->expect.text : "ok");
    if (s->wine.present) {
        ps_buf_adds(&b, ",\"wine\":");
        ps_json_str(&b, s->wine.text);
    }
    ps_buf_adds(&b, ",\"verdict\":");
    ps_json_str(&b, verdict_name ? verdict_name : ps_verdict_name(v));
    if (note && *note) {
        ps_buf_adds(&b, ",\"note\":");
        ps_json_str(&b, note);
    }
    ps_buf_adds(&b, "}\n");
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

/* A step the platform could not answer (the op set skip_reason): traced as "skip" with
 * its reason, counted neither for nor against the implementation. */
static void skip_step(const ps_step *s, actor *a)
{
    trace(s, a, PS_V_SKIP, NULL, a->skip_reason);
    if (g.skipped++ == 0) {
        g.skip_line = s->line;
        snprintf(g.skip_reason, sizeof g.skip_reason, "%s", a->skip_reason);
    }
}

/* Judges a finished step of actor a; stops the case on FAIL. */
static void judge(const ps_step *s, actor *a)
{
    char msg[1024];
    ps_verdict v;
    if (a->skip_reason[0]) {
        skip_step(s, a);
        return;
    }
    if (s->expect.present) g.checks++;
    v = ps_judge(s, &a->act, g.on_wine, g.o->strict, g.o->time_scale, msg, sizeof msg);
    if (a->data_error[0] && v != PS_V_FAIL) {
        snprintf(msg, sizeof msg, "%s", a->data_error);
        v = PS_V_FAIL;
    }
    trace(s, a, v, NULL, msg);
    if (v == PS_V_XFAIL || v == PS_V_XPASS) {
        char *m = ps_xstrdup(msg), *d;
        cp_clean_tabs(m);
        d = ps_sprintf("D\t%d\t%s\n", s->line, m);
        cp_emit(d);
        free(d);
        free(m);
    }
    g.outcome = ps_fold(g.outcome, v);
    if (v == PS_V_FAIL) {
        char *call = cp_short_step(s), *r = ps_sprintf("%s: %s", call, msg);
        free(call);
        cp_finish(PS_FAIL, s->line, r);
    }
    if ((v == PS_V_XFAIL || v == PS_V_XPASS) && !g.decided_line) {
        g.decided_line = s->line;
        snprintf(g.reason, sizeof g.reason, "%s", msg);
    }
}

static void started(const ps_step *s)
{
    char *t = ps_xstrdup(s->text), *out;
    cp_clean_tabs(t);
    out = ps_sprintf("S\t%d\t%s\n", s->line, t);
    cp_emit(out);
    free(out);
    free(t);
}

static DWORD time_left(void)
{
    double left = g.deadline - ps_now_ms();
    return left <= 0 ? 0 : (DWORD)left;
}

static void wait_done(const ps_step *s, actor *a, DWORD limit)
{
    DWORD r = WaitForSingleObject(a->done, limit);
    if (r != WAIT_OBJECT_0) {
        char *st = cp_short_step(a->step);
        char *why = ps_sprintf("case did not finish within %ld ms; hung on line %d: %s (%s)",
                               g.o->timeout_ms, a->step->line, st, a->call[0] ? a->call : "blocked");
        free(st);
        cp_finish(PS_TIMEOUT, s->line, why);
    }
    a->busy = 0;
}

static void run_step(const ps_step *s)
{
    actor *a;
    if (s->role == PS_ROLE_NONE) {
        if (!strcmp(s->op, "sleep")) {
            long ms = 0;
            ps_parse_ms(ps_arg_get(s, "ms"), &ms);
            Sleep((DWORD)ms);
            return;
        }
        if (!strcmp(s->op, "debug")) {
            started(s);
            if (!strcmp(ps_arg_get(s, "what"), "crash")) {
                volatile int *nullp = NULL;
                *nullp = 1; /* an access violation, on purpose */
            }
            for (;;) Sleep(1000);
        }
        a = cp_find_actor(s->actor);
        if (!a || !a->bg) {
            cp_finish(PS_ERROR, s->line, "await/pending: the actor has no background step running");
        }
        if (!strcmp(s->op, "pending")) {
            ps_actual act;
            memset(&act, 0, sizeof act);
            if (WaitForSingleObject(a->done, 0) == WAIT_OBJECT_0) {
                /* it finished: judge it now so the trace is complete, then fail */
                SetEvent(a->done);
                wait_done(s, a, 0);
                a->bg = 0;
                judge(a->step, a);
                {
                    char *r = ps_sprintf("line %d: %s: expected line %d to be still blocked, but it had finished (%s)",
                                         s->line, s->text, a->step->line, a->call);
                    trace(s, NULL, PS_V_FAIL, "fail", r);
                    cp_finish(PS_FAIL, s->line, r);
                }
            }
            trace(s, NULL, PS_V_OK, "ok", "still blocked, as expected");
            return;
        }
        /* await */
        {
            const char *t = ps_arg_get(s, "timeout");
            long ms = 0;
            DWORD limit = time_left();
            if (t && ps_parse_ms(t, &ms) == 0) {
                DWORD lim2 = (DWORD)(ms * (g.o->time_scale > 0 ? g.o->time_scale : 1.0));
                if (lim2 < limit) limit = lim2;
            }
            started(s);
            wait_done(s, a, limit);
            a->bg = 0;
            judge(a->step, a);
        }
        return;
    }
    a = get_actor(s);
    if (!strcmp(s->op, "cancel") || !strcmp(s->op, "cancel_sync")) {
        /* from the script thread, so it can reach I/O that blocks the actor's thread */
        actor tmp = *a;
        BOOL ok;
        memset(&tmp.act, 0, sizeof tmp.act);
        tmp.ret[0] = 0;
        tmp.data_error[0] = tmp.skip_reason[0] = 0;
        started(s);
        tmp.t0 = ps_now_ms();
        SetLastError(0xdeadbeef);
        if (!strcmp(s->op, "cancel")) {
            snprintf(tmp.call, sizeof tmp.call, "CancelIoEx(%s, NULL)", a->name);
            ok = CancelIoEx(a->h, NULL);
        } else {
            snprintf(tmp.call, sizeof tmp.call, "CancelSynchronousIo(thread of %s)", a->name);
            ok = CancelSynchronousIo(a->thread);
        }
        tmp.act.error = ok ? 0 : GetLastError();
        snprintf(tmp.ret, sizeof tmp.ret, "%s", ok ? "TRUE" : "FALSE");
        tmp.t1 = ps_now_ms();
        tmp.act.elapsed_ms = tmp.t1 - tmp.t0;
        judge(s, &tmp);
        return;
    }
    if (a->busy) {
        char *r = ps_sprintf("actor %s is still busy with line %d (%s); add 'await %s' first",
                             a->name, a->step->line, a->step->text, a->name);
        cp_finish(PS_ERROR, s->line, r);
    }
    memset(&a->act, 0, sizeof a->act);
    a->call[0] = a->ret[0] = a->data_error[0] = a->skip_reason[0] = 0;
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
    FlushFileBuffers(g.out);
    TerminateProcess(GetCurrentProcess(), ep->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

int ps_child_main(const ps_child_opts *o)
{
    ps_diag d;
    int i;
    char *slash;
    memset(&g, 0, sizeof g);
    memset(&d, 0, sizeof d);
    g.o = o;
    InitializeCriticalSection(&g.out_lock);
    InitializeCriticalSection(&g.qlock);
    g.out = GetStdHandle(STD_OUTPUT_HANDLE);
    g.on_wine = ps_platform_is_wine();
    g.outcome = PS_PASS;
    g.srcdir = ps_xstrdup(o->file);
    slash = strrchr(g.srcdir, '/');
    if (!slash || strrchr(g.srcdir, '\\') > slash) slash = strrchr(g.srcdir, '\\');
    if (slash) *slash = 0;
    else strcpy(g.srcdir, ".");
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(die_on_exception);
    g.c = ps_load_case(o->file, &d);
    if (!g.c) {
        cp_finish(PS_ERROR, 0, d.count ? d.msgs[0] : "cannot parse the case");
    }
    g.t_case = ps_now_ms();
    g.deadline = g.t_case + (double)o->timeout_ms;
    for (i = 0; i < g.c->nsteps; i++) run_step(&g.c->steps[i]);
    /* background steps never awaited: judge those that finished */
    for (i = 0; i < g.nactors; i++) {
        actor *a = g.actors[i];
        if (a->bg && WaitForSingleObject(a->done, 0) == WAIT_OBJECT_0) {
            a->bg = 0;
            judge(a->step, a);
        } else if (a->bg) {
            trace(a->step, NULL, PS_V_OK, "pending", "still blocked when the case ended (not judged)");
        }
    }
    /* the server under test: its exit is traced; a crash fails the case; one still
     * running is ended (by cp_finish) */
    for (i = 0; i < g.nactors; i++) {
        actor *a = g.actors[i];
        DWORD code = 0;
        int exited;
        char *t;
        if (!a->serving || !a->started) continue;
        exited = WaitForSingleObject(a->pi.hProcess, 0) == WAIT_OBJECT_0 &&
                 GetExitCodeProcess(a->pi.hProcess, &code);
        t = exited ? ps_sprintf("T\t{\"line\":0,\"actor\":\"%s\",\"op\":\"serve\",\"call\":\"the server under test at the end of the case\","
                                "\"t_ms\":%.3f,\"ret\":\"exited\",\"fields\":{\"code\":\"0x%08lX\"},\"verdict\":\"%s\"}\n",
                                a->name, ps_now_ms() - g.t_case, code, code >= 0xC0000000UL ? "fail" : "ok")
                   : ps_sprintf("T\t{\"line\":0,\"actor\":\"%s\",\"op\":\"serve\",\"call\":\"the server under test at the end of the case\","
                                "\"t_ms\":%.3f,\"ret\":\"still running: ended\",\"verdict\":\"ok\"}\n",
                                a->name, ps_now_ms() - g.t_case);
        cp_emit(t);
        free(t);
        if (exited && code >= 0xC0000000UL) {
            char *r = ps_sprintf("the server under test (%s) crashed with exception 0x%08lX", a->name, code);
            cp_finish(PS_FAIL, 0, r);
        }
    }
    if (ps_case_outcome(g.outcome, g.checks, g.skipped) == PS_SKIP)
        cp_finish(PS_SKIP, g.skip_line, g.skip_reason);
    if (g.outcome == PS_PASS && g.skipped)
        snprintf(g.reason, sizeof g.reason, "%d step(s) skipped, the first on line %d: %s", g.skipped,
                 g.skip_line, g.skip_reason);
    cp_finish(g.outcome, g.decided_line, g.outcome == PS_PASS && !g.skipped ? "" : g.reason);
    return 0;
}
