/* case_proc.c: external programs as actors: start, serve (the server under test),
 * waitpipe, waitline, exit, output, kill. */
#include "case_internal.h"

/* ---- processes ---- */
static DWORD WINAPI out_reader(LPVOID p)
{
    actor *a = p;
    char buf[4096];
    DWORD n;
    while (ReadFile(a->out_rd, buf, sizeof buf, &n, NULL) && n > 0) {
        DWORD i, k = 0;
        EnterCriticalSection(&a->out_lock);
        for (i = 0; i < n; i++)
            if (buf[i] != '\r') buf[k++] = buf[i];
        ps_buf_add(&a->out, buf, k);
        LeaveCriticalSection(&a->out_lock);
        SetEvent(a->out_event);
    }
    SetEvent(a->out_event);
    return 0;
}

void op_start(actor *a, const ps_step *s)
{
    const char *raw = ps_arg_get(s, "cmd") ? ps_arg_get(s, "cmd") : "";
    char *cmd0 = cp_expand(raw);
    char *cmd = ps_translate_cmdline(cmd0);
    wchar_t *w = ps_wide(cmd);
    STARTUPINFOW si;
    SECURITY_ATTRIBUTES sa;
    HANDLE wr;
    BOOL ok;
    CALL("CreateProcessW(%s)", cmd);
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = NULL;
    sa.bInheritHandle = FALSE;
    if (!CreatePipe(&a->out_rd, &wr, &sa, 0)) {
        cp_harness_fault(a, "CreatePipe for the output of %s failed with error %lu", a->name, GetLastError());
        free(w);
        free(cmd);
        free(cmd0);
        return;
    }
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    /* stdin at its end from the start (NUL): never the case process's own stdin, on
     * which the runner sends the next case */
    si.hStdInput = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0, NULL);
    si.hStdOutput = wr;
    si.hStdError = wr;
    /* Only this program inherits its output's write end and its stdin (ps_spawn). A
     * start that keeps failing with ERROR_INTERNAL_ERROR (the platform under load) says
     * nothing about the program: the harness could not start it (ERROR, not a verdict). */
    {
        DWORD err;
        HANDLE inherit[2];
        inherit[0] = wr;
        inherit[1] = si.hStdInput;
        ok = ps_spawn(w, inherit, si.hStdInput != INVALID_HANDLE_VALUE ? 2 : 1, &si, 0, &a->pi, &err);
        if (si.hStdInput != INVALID_HANDLE_VALUE) CloseHandle(si.hStdInput);
        a->act.error = err;
        snprintf(a->ret, sizeof a->ret, "%s", ok ? "TRUE" : "FALSE");
        if (!ok && err == ERROR_INTERNAL_ERROR)
            cp_harness_fault(a, "CreateProcessW of %s failed with ERROR_INTERNAL_ERROR four times (the platform under load)", a->name);
    }
    CloseHandle(wr);
    if (ok) {
        a->started = 1;
        a->under_test = strstr(raw, "{client_cmd}") || strstr(raw, "{server_cmd}");
        InitializeCriticalSection(&a->out_lock);
        a->out_event = CreateEventW(NULL, FALSE, FALSE, NULL);
        ps_buf_init(&a->out);
        a->out_thread = a->out_event ? CreateThread(NULL, 0, out_reader, a, 0, NULL) : NULL;
        if (!a->out_thread)
            cp_harness_fault(a, "%s for the output reader of %s failed with error %lu",
                             a->out_event ? "CreateThread" : "CreateEventW", a->name, GetLastError());
    }
    free(w);
    free(cmd);
    free(cmd0);
}

/* Waits until the pipe exists: WaitNamedPipe answers ERROR_FILE_NOT_FOUND at once
 * while there is no such pipe (row 1), and anything else once there is. Returns 0, or
 * the harness's own result PS_NO_PIPE / PS_PROGRAM_EXITED (errors.h). */
static int cp_wait_pipe_exists(const wchar_t *name, DWORD ms, actor *proc)
{
    double end = ps_now_ms() + ms;
    for (;;) {
        DWORD e;
        SetLastError(0xdeadbeef);
        if (WaitNamedPipeW(name, 1)) return 0;
        e = GetLastError();
        if (e != ERROR_FILE_NOT_FOUND) return 0;
        if (ps_now_ms() >= end) return PS_NO_PIPE;
        if (proc && proc->started && WaitForSingleObject(proc->pi.hProcess, 0) == WAIT_OBJECT_0)
            return PS_PROGRAM_EXITED; /* the program ended without creating its pipe */
        Sleep(5);
    }
}

void op_waitpipe(actor *a, const ps_step *s)
{
    wchar_t *name = cp_pipe_name(s, 1);
    DWORD t = cp_ms_arg(s, "timeout", 5000);
    char *u = ps_utf8(name);
    t = cp_step_limit(t);
    CALL("wait until %s exists (%lu ms)", u, t);
    free(u);
    a->act.error = cp_wait_pipe_exists(name, t, a);
    snprintf(a->ret, sizeof a->ret, "%s", a->act.error ? "not there" : "exists");
    free(name);
}

void op_serve(actor *a, const ps_step *s)
{
    const char *cl = ps_arg_get(s, "clients");
    DWORD t = cp_ms_arg(s, "timeout", 5000);
    wchar_t *name;
    t = cp_step_limit(t);
    the_case.clients = cl ? atoi(cl) : 1;
    if (the_case.o->server_pipe) {
        /* an already running server, shared by the cases one after the other: wait
         * until it has an instance listening for this case's client */
        double end = ps_now_ms() + t;
        name = cp_pipe_name(s, 1);
        CALL("--server-pipe %s: wait for a listening instance", the_case.o->server_pipe);
        for (;;) {
            SetLastError(0xdeadbeef);
            if (WaitNamedPipeW(name, 100)) {
                a->act.error = 0;
                break;
            }
            a->act.error = GetLastError();
            if (ps_now_ms() >= end) break;
            if (a->act.error == ERROR_FILE_NOT_FOUND) Sleep(10);
        }
        snprintf(a->ret, sizeof a->ret, "%s", a->act.error ? "not there" : "listening");
        free(name);
        return;
    }
    if (cl && atoi(cl) != 1 && the_case.o->server_cmd && !strstr(the_case.o->server_cmd, "{clients}")) {
        /* the harness cannot make this server serve several clients: not decidable */
        CALL("serve clients=%s: the server command has no {clients} placeholder", cl);
        a->stop_outcome = PS_SKIP;
        snprintf(a->stop_reason, sizeof a->stop_reason,
                 "needs a server that serves %s clients in turn: put {clients} in --server-cmd", cl);
        return;
    }
    {
        ps_step tmp = *s;
        ps_arg arg;
        char *cmd;
        if (the_case.o->server_cmd) cmd = ps_xstrdup("{server_cmd}");
        else if (cl) cmd = ps_sprintf("\"{reference_server}\" --pipe {pipe} --clients %s", cl);
        else cmd = ps_xstrdup("{server_cmd}");
        arg.key = "cmd";
        arg.value = cmd;
        arg.col = 0;
        tmp.args = &arg;
        tmp.nargs = 1;
        op_start(a, &tmp);
        free(cmd);
    }
    a->serving = 1;
    a->under_test = 1;
    if (a->act.error) return;
    {
        char save[512];
        double t0 = ps_now_ms();
        snprintf(save, sizeof save, "%s", a->call);
        name = cp_pipe_name(s, 1);
        a->act.error = cp_wait_pipe_exists(name, t, a);
        free(name);
        CALL("%s, then waited %.0f ms for its pipe", save, ps_now_ms() - t0);
        snprintf(a->ret, sizeof a->ret, "%s", a->act.error ? "no pipe" : "serving");
        if (a->act.error == PS_PROGRAM_EXITED) {
            char *n = cp_program_exit_note(a);
            if (n) snprintf(a->note, sizeof a->note, "%s, before creating its pipe", n);
            free(n);
        }
    }
}

void op_exit(actor *a, const ps_step *s)
{
    DWORD t = cp_ms_arg(s, "timeout", 10000), code = 0, r;
    t = cp_step_limit(t);
    CALL("WaitForSingleObject(%s, %lu) + GetExitCodeProcess", a->name, t);
    if (!a->started) {
        cp_harness_fault(a, "exit on %s: no process was started for this actor", a->name);
        return;
    }
    r = WaitForSingleObject(a->pi.hProcess, t);
    if (r == WAIT_TIMEOUT) {
        a->act.error = WAIT_TIMEOUT;
        snprintf(a->ret, sizeof a->ret, "WAIT_TIMEOUT");
        CALL("WaitForSingleObject(%s, %lu): %s had not exited after %lu ms", a->name, t, a->name, t);
        return;
    }
    if (r != WAIT_OBJECT_0 || !GetExitCodeProcess(a->pi.hProcess, &code)) {
        cp_harness_fault(a, "waiting for %s or reading its exit code failed with error %lu", a->name, GetLastError());
        return;
    }
    a->act.error = 0;
    snprintf(a->ret, sizeof a->ret, "exited");
    if (code >= 0xC0000000UL) ps_actual_set(&a->act, "code", "0x%08lX", code); /* an exception */
    else ps_actual_set(&a->act, "code", "%lu", code);
    if (a->out_thread) WaitForSingleObject(a->out_thread, 2000);
}

void op_kill(actor *a, const ps_step *s)
{
    (void)s;
    CALL("TerminateProcess(%s)", a->name);
    if (!a->started) {
        cp_harness_fault(a, "kill on %s: no process was started for this actor", a->name);
        return;
    }
    SetLastError(0xdeadbeef);
    cp_set_bool_result(a, TerminateProcess(a->pi.hProcess, 1));
    if (a->started) WaitForSingleObject(a->pi.hProcess, 5000);
}

static char *cp_proc_output(actor *a)
{
    char *s;
    if (!a->started) return ps_xstrdup("");
    EnterCriticalSection(&a->out_lock);
    s = ps_xstrdup(a->out.data ? a->out.data : "");
    LeaveCriticalSection(&a->out_lock);
    return s;
}

char *cp_output_tail(actor *a, int lines, size_t max)
{
    char *all = cp_proc_output(a), *start, *t;
    size_t n = strlen(all);
    while (n && all[n - 1] == '\n') all[--n] = 0;
    start = all + n;
    while (start > all && lines > 0) {
        start--;
        if (*start == '\n' && --lines == 0) {
            start++;
            break;
        }
    }
    if ((size_t)(all + n - start) > max) start = all + n - max;
    t = ps_xstrdup(start);
    free(all);
    return t;
}

char *cp_program_exit_note(actor *a)
{
    DWORD code = 0;
    char *tail, *note;
    if (!a->started || WaitForSingleObject(a->pi.hProcess, 0) != WAIT_OBJECT_0) return NULL;
    GetExitCodeProcess(a->pi.hProcess, &code);
    if (a->out_thread) WaitForSingleObject(a->out_thread, 500);
    tail = cp_output_tail(a, 3, 240);
    cp_clean_tabs(tail);
    note = ps_sprintf("the %s (%s) exited with %s %lu%s%s%s", a->under_test ? "program under test" : "program",
                      a->name, code >= 0xC0000000UL ? "exception" : "code", code,
                      *tail ? "; its output ends: \"" : " and printed nothing", tail, *tail ? "\"" : "");
    free(tail);
    return note;
}

/* Output lines to the parent: O<TAB>actor<TAB>exit<TAB>text, the text's backslashes,
 * newlines and tabs escaped (\\ \n \t), the last 4 KiB of what the program printed. */
void cp_emit_outputs(void)
{
    int i;
    for (i = 0; i < the_case.nactors; i++) {
        actor *a = the_case.actors[i];
        char *tail, exit_text[32] = "running";
        ps_buf b;
        DWORD code;
        if (a->role != PS_ROLE_PROC || !a->started) continue;
        if (WaitForSingleObject(a->pi.hProcess, 0) == WAIT_OBJECT_0 && GetExitCodeProcess(a->pi.hProcess, &code)) {
            if (a->out_thread) WaitForSingleObject(a->out_thread, 500);
            snprintf(exit_text, sizeof exit_text, code >= 0xC0000000UL ? "0x%08lX" : "%lu", code);
        }
        tail = cp_output_tail(a, 1000000, 4096);
        ps_buf_init(&b);
        ps_proto_output(&b, a->name, exit_text, tail);
        cp_emit(b.data);
        ps_buf_free(&b);
        free(tail);
    }
}

void op_output(actor *a, const ps_step *s)
{
    const char *file = ps_arg_get(s, "file"), *contains = ps_arg_get(s, "contains"),
               *lines = ps_arg_get(s, "lines");
    char *out = cp_proc_output(a);
    a->act.error = 0;
    snprintf(a->ret, sizeof a->ret, "compared");
    if (file) {
        char *fe = cp_expand(file), *path, *want_raw, *want;
        size_t wl;
        path = (fe[0] == '/' || fe[0] == '\\' || (fe[0] && fe[1] == ':')) ? ps_xstrdup(fe)
             : ps_sprintf("%s/%s", the_case.srcdir, fe);
        CALL("output of %s == file %s", a->name, file);
        want_raw = ps_read_file(path, &wl);
        if (!want_raw) {
            cp_harness_fault(a, "cannot read the expected output file %s", path);
        } else {
            /* {pipe} in the expected file (or the name given with as=) stands for this
             * case's pipe name; CR removed */
            const char *as = ps_arg_get(s, "as");
            char *w2 = cp_expand(want_raw), *q, *d;
            if (as && *as) {
                ps_buf r;
                const char *x = w2, *hit;
                ps_buf_init(&r);
                while ((hit = strstr(x, as)) != NULL) {
                    ps_buf_add(&r, x, (size_t)(hit - x));
                    ps_buf_adds(&r, the_case.o->pipe);
                    x = hit + strlen(as);
                }
                ps_buf_adds(&r, x);
                free(w2);
                w2 = ps_buf_steal(&r);
            }
            for (q = d = w2; *q; q++)
                if (*q != '\r') *d++ = *q;
            *d = 0;
            want = w2;
            if (strcmp(want, out) != 0) {
                size_t i = 0, ls = 0; /* ls: start of the first differing line */
                int line = 1;
                while (want[i] && want[i] == out[i]) {
                    if (want[i] == '\n') line++, ls = i + 1;
                    i++;
                }
                /* both lines from their start (the text before i is the same in both) */
                snprintf(a->data_error, sizeof a->data_error,
                         "output differs from %s at line %d: expected \"%.*s\", got \"%.*s\"", file,
                         line, (int)strcspn(want + ls, "\n") < 80 ? (int)strcspn(want + ls, "\n") : 80,
                         want + ls, (int)strcspn(out + ls, "\n") < 80 ? (int)strcspn(out + ls, "\n") : 80,
                         out + ls);
            }
            free(want);
            free(want_raw);
        }
        free(path);
        free(fe);
    }
    if (contains) {
        char *ce = cp_expand(contains);
        CALL("output of %s contains \"%s\"", a->name, ce);
        if (!strstr(out, ce))
            snprintf(a->data_error, sizeof a->data_error, "output does not contain \"%.80s\"; it is \"%.120s\"", ce, out);
        free(ce);
    }
    if (lines) {
        int n = 0;
        const char *q;
        for (q = out; *q; q++)
            if (*q == '\n') n++;
        if (n != atoi(lines))
            snprintf(a->data_error, sizeof a->data_error, "output has %d lines, expected %s", n, lines);
    }
    free(out);
}

void op_waitline(actor *a, const ps_step *s)
{
    char *text = cp_expand(ps_arg_get(s, "text") ? ps_arg_get(s, "text") : "");
    DWORD t = cp_ms_arg(s, "timeout", 10000);
    double end;
    t = cp_step_limit(t);
    end = ps_now_ms() + t;
    CALL("wait for \"%s\" in the output of %s (%lu ms)", text, a->name, t);
    snprintf(a->ret, sizeof a->ret, "not found");
    a->act.error = PS_NO_LINE;
    for (;;) {
        char *out = cp_proc_output(a);
        int found = strstr(out, text) != NULL;
        free(out);
        if (found) {
            a->act.error = 0;
            snprintf(a->ret, sizeof a->ret, "found");
            break;
        }
        if (ps_now_ms() >= end || !a->started) break;
        WaitForSingleObject(a->out_event, 50);
    }
    free(text);
}
