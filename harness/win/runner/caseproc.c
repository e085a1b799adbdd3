/* caseproc.c: the runner's case processes (see caseproc.h).
 *
 * A case process is `pipespec --standby`: it reads one case per line on its stdin
 * (FILE TAB PIPE TAB TIMEOUT_MS), runs it, writes the protocol of proto.h on its
 * stdout and, after the verdict, an E line: "reuse" when it is back where it started,
 * "retire" when it could not prove so and ends. The runner also ends a process when a
 * program its case started outlived the case (the job object still counts it), when
 * it has run --cases-per-process cases, and on a crash or a timeout. So a case that
 * leaves anything behind costs itself only: the next case gets a new process. */
#include "caseproc.h"
#include "errors.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Shared by a worker and its live process's output reader thread. */
struct ps_outlink {
    HANDLE h;              /* the read end of the process's stdout */
    CRITICAL_SECTION lock;
    ps_child_reader *cr;   /* the case being read, or NULL between cases */
    HANDLE ended;          /* set when cr has seen the case's E line */
};

static DWORD WINAPI out_reader(LPVOID p)
{
    ps_outlink *l = p;
    char buf[8192];
    DWORD n;
    while (ReadFile(l->h, buf, sizeof buf, &n, NULL) && n > 0) {
        EnterCriticalSection(&l->lock);
        if (l->cr) {
            ps_child_reader_feed(l->cr, buf, n);
            if (l->cr->ended) SetEvent(l->ended);
        }
        LeaveCriticalSection(&l->lock);
    }
    return 0;
}

static void fail_start(ps_caseproc *cp, const char *what)
{
    cp->err = GetLastError();
    snprintf(cp->what, sizeof cp->what, "%s", what);
}

static void build_cmd(const ps_caseprocs *p, ps_buf *cmd)
{
    const ps_options *o = p->o;
    ps_quote_arg(cmd, p->exe);
    ps_buf_printf(cmd, " --standby --cases-per-process %d --timeout-scale %g", p->max_cases, o->timeout_scale);
    if (o->strict) ps_buf_adds(cmd, " --strict");
    if (o->host) ps_buf_adds(cmd, " --host "), ps_quote_arg(cmd, o->host);
    if (o->server_cmd) ps_buf_adds(cmd, " --server-cmd "), ps_quote_arg(cmd, o->server_cmd);
    if (o->client_cmd) ps_buf_adds(cmd, " --client-cmd "), ps_quote_arg(cmd, o->client_cmd);
    if (o->server_pipe) ps_buf_adds(cmd, " --server-pipe "), ps_quote_arg(cmd, o->server_pipe);
}

/* Starts a case process in a job object that kills it and what it started when closed. */
static void spawn(const ps_caseprocs *p, ps_caseproc *cp)
{
    ps_buf cmd;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, FALSE};
    HANDLE out_wr = NULL, in_rd = NULL, inherit[2];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    wchar_t *wcmd;
    memset(cp, 0, sizeof *cp);
    if (!CreatePipe(&cp->out_rd, &out_wr, &sa, 0)) {
        fail_start(cp, "CreatePipe");
        return;
    }
    if (!CreatePipe(&in_rd, &cp->in_wr, &sa, 0)) {
        fail_start(cp, "CreatePipe");
        goto fail_out;
    }
    cp->job = CreateJobObjectW(NULL, NULL);
    memset(&lim, 0, sizeof lim);
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if (!cp->job || !SetInformationJobObject(cp->job, JobObjectExtendedLimitInformation, &lim, sizeof lim)) {
        fail_start(cp, cp->job ? "SetInformationJobObject" : "CreateJobObjectW");
        goto fail_in;
    }
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_rd;
    si.hStdOutput = out_wr;
    si.hStdError = out_wr;
    ps_buf_init(&cmd);
    build_cmd(p, &cmd);
    wcmd = ps_wide(cmd.data);
    ps_buf_free(&cmd);
    /* only this child inherits these ends (ps_spawn's lock), and a start that fails for
     * a moment under load is tried again */
    inherit[0] = out_wr;
    inherit[1] = in_rd;
    if (!ps_spawn(wcmd, inherit, 2, &si, CREATE_SUSPENDED, &pi, &cp->err)) {
        snprintf(cp->what, sizeof cp->what, "CreateProcessW");
        free(wcmd);
        goto fail_in;
    }
    free(wcmd);
    if (!AssignProcessToJobObject(cp->job, pi.hProcess)) {
        /* outside the job, a hung case could not be ended with what it started */
        fail_start(cp, "AssignProcessToJobObject");
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        goto fail_in;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    CloseHandle(out_wr);
    CloseHandle(in_rd);
    cp->process = pi.hProcess;
    cp->pid = pi.dwProcessId;
    cp->ok = 1;
    return;
fail_in:
    if (cp->job) CloseHandle(cp->job);
    CloseHandle(in_rd);
    CloseHandle(cp->in_wr);
fail_out:
    CloseHandle(cp->out_rd);
    CloseHandle(out_wr);
    cp->job = cp->in_wr = cp->out_rd = NULL;
}

typedef struct {
    const ps_caseprocs *p;
    ps_caseproc *cp;
} spawn_args;

static DWORD WINAPI spawn_thread(LPVOID v)
{
    spawn_args *a = v;
    spawn(a->p, a->cp);
    free(a);
    return 0;
}

/* Starts `next` in the background (or now, when no thread can be made). */
static void spawn_ahead(ps_caseprocs *p)
{
    spawn_args *a;
    if (p->spawner || p->next.ok) return;
    a = ps_xcalloc(1, sizeof *a);
    a->p = p;
    a->cp = &p->next;
    p->spawner = CreateThread(NULL, 0, spawn_thread, a, 0, NULL);
    if (!p->spawner) {
        free(a);
        spawn(p, &p->next);
    }
}

static void take_next(ps_caseprocs *p)
{
    if (p->spawner) {
        WaitForSingleObject(p->spawner, INFINITE);
        CloseHandle(p->spawner);
        p->spawner = NULL;
    }
    if (!p->next.ok) spawn(p, &p->next);
    p->live = p->next;
    memset(&p->next, 0, sizeof p->next);
    p->live_cases = 0;
}

#define OUTPUT_STUCK "harness: reading the case process's output failed (the pipe stayed open after it ended)"

/* Ends the live process (and all it started) and waits for its output reader, which
 * has then fed all the output to the case being read, if any; returns 0 when the
 * reader did not end (something outside the job holds the pipe: the link is then left
 * to it, with no case to feed). */
static int end_live(ps_caseprocs *p, UINT code)
{
    int ok = 1;
    if (!p->live.ok) return 1;
    TerminateJobObject(p->live.job, code);
    WaitForSingleObject(p->live.process, 5000);
    CloseHandle(p->live.in_wr);
    if (p->reader) {
        if (WaitForSingleObject(p->reader, 5000) != WAIT_OBJECT_0) ok = 0;
        CloseHandle(p->reader);
        p->reader = NULL;
    }
    if (p->link) {
        EnterCriticalSection(&p->link->lock);
        p->link->cr = NULL;
        LeaveCriticalSection(&p->link->lock);
    }
    if (ok && p->link) {
        DeleteCriticalSection(&p->link->lock);
        CloseHandle(p->link->ended);
        free(p->link);
    }
    p->link = NULL;
    CloseHandle(p->live.out_rd);
    CloseHandle(p->live.process);
    CloseHandle(p->live.job);
    memset(&p->live, 0, sizeof p->live);
    return ok;
}

/* Makes sure a live process with a reader is there; NULL, or what failed. */
static char *ensure_live(ps_caseprocs *p)
{
    char en[64];
    if (p->live.ok) return NULL;
    take_next(p);
    if (!p->live.ok)
        return ps_sprintf("harness: cannot start the case process: %s failed with %s",
                          p->live.what[0] ? p->live.what : "CreateProcessW", ps_error_format(p->live.err, en, sizeof en));
    p->link = ps_xcalloc(1, sizeof *p->link);
    p->link->h = p->live.out_rd;
    InitializeCriticalSection(&p->link->lock);
    p->link->ended = CreateEventW(NULL, TRUE, FALSE, NULL);
    p->reader = p->link->ended ? CreateThread(NULL, 0, out_reader, p->link, 0, NULL) : NULL;
    if (!p->reader) {
        char *r = ps_sprintf("harness: %s for the case process's output failed with %s",
                             p->link->ended ? "CreateThread" : "CreateEventW",
                             ps_error_format(GetLastError(), en, sizeof en));
        end_live(p, 0xDEAD);
        return r;
    }
    return NULL;
}

/* Processes still in the live job besides the case process: a program the case
 * started outlived it. -1 when the platform cannot say. */
static long others_in_job(const ps_caseprocs *p)
{
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info;
    if (!QueryInformationJobObject(p->live.job, JobObjectBasicAccountingInformation, &info, sizeof info, NULL))
        return -1;
    return (long)info.ActiveProcesses - 1;
}

static void set_harness_error(ps_result *r, char *why)
{
    free(r->reason);
    r->outcome = PS_ERROR;
    r->reason = why;
    if (!r->trace_json) r->trace_json = ps_xstrdup("[]");
}

/* After a case that ended with its E line: keeps the process for the next case, or
 * ends it and says why in r. */
static void after_clean_end(ps_caseprocs *p, ps_child_reader *cr, ps_result *r)
{
    long others = others_in_job(p);
    char *why = NULL;
    if (!cr->reusable) why = cr->retire ? cr->retire : ps_xstrdup("the case process ended itself");
    else if (others != 0)
        why = others < 0 ? ps_xstrdup("the job object cannot say whether a program the case started is still running")
                         : ps_sprintf("%ld process(es) the case started outlived it", others);
    else if (p->live_cases >= p->max_cases)
        why = ps_sprintf("it has run %d cases (--cases-per-process)", p->max_cases);
    cr->retire = NULL; /* now why's */
    if (!why) return;
    r->case_process.retired = why;
    if (!end_live(p, 0)) set_harness_error(r, ps_xstrdup(OUTPUT_STUCK));
    spawn_ahead(p);
}

void ps_caseprocs_run(ps_caseprocs *p, const char *file, const char *pipe, long tmo, ps_result *r)
{
    ps_child_reader cr;
    char *fault = ensure_live(p), *line;
    HANDLE hs[2];
    DWORD w, res, code = 0;
    double t0;
    if (fault) {
        set_harness_error(r, fault);
        return;
    }
    r->case_process.pid = p->live.pid;
    r->case_process.seq = ++p->live_cases;
    if (p->live_cases >= p->max_cases) spawn_ahead(p); /* its last case: the next starts now */
    ps_child_reader_init(&cr, r);
    EnterCriticalSection(&p->link->lock);
    p->link->cr = &cr;
    ResetEvent(p->link->ended);
    LeaveCriticalSection(&p->link->lock);
    line = ps_sprintf("%s\t%s\t%ld\n", file, pipe, tmo);
    t0 = ps_now_ms();
    if (!WriteFile(p->live.in_wr, line, (DWORD)strlen(line), &w, NULL) || w != strlen(line)) {
        char en[64];
        fault = ps_sprintf("harness: WriteFile of the case line to the case process failed with %s",
                           ps_error_format(GetLastError(), en, sizeof en));
        TerminateJobObject(p->live.job, 0xDEAD);
    }
    free(line);
    hs[0] = p->link->ended;
    hs[1] = p->live.process;
    /* the case process reports its own TIMEOUT at tmo; this is the backstop */
    res = WaitForMultipleObjects(2, hs, FALSE, (DWORD)tmo + 5000);
    r->duration_ms = ps_now_ms() - t0;
    if (res == WAIT_OBJECT_0 && !fault) { /* the case ended and the process said whether it is clean */
        EnterCriticalSection(&p->link->lock);
        p->link->cr = NULL;
        LeaveCriticalSection(&p->link->lock);
        ps_child_reader_finish(&cr, 0, 0, (double)tmo);
        after_clean_end(p, &cr, r);
        return;
    }
    /* it crashed, ended without its E line, or hung: the whole job ends (whatever the
     * case started dies with it), and the reader has fed cr all there was */
    if (res != WAIT_OBJECT_0 + 1) TerminateJobObject(p->live.job, 0xDEAD);
    WaitForSingleObject(p->live.process, 5000);
    GetExitCodeProcess(p->live.process, &code);
    if (!end_live(p, 0) && !fault) fault = ps_xstrdup(OUTPUT_STUCK);
    ps_child_reader_finish(&cr, res == WAIT_TIMEOUT, code, (double)tmo);
    if (res == WAIT_TIMEOUT) r->case_process.retired = ps_xstrdup("the case timed out");
    else if (cr.retire) r->case_process.retired = cr.retire, cr.retire = NULL;
    else if (cr.have_verdict && code == 0 && p->live_cases >= p->max_cases)
        r->case_process.retired = ps_sprintf("it had run %d cases (--cases-per-process)", p->max_cases);
    else r->case_process.retired = ps_sprintf("the case process ended (exit code 0x%08lX)", code);
    free(cr.retire);
    if (fault) set_harness_error(r, fault);
    spawn_ahead(p);
}

void ps_caseprocs_init(ps_caseprocs *p, const ps_options *o, const char *exe)
{
    memset(p, 0, sizeof *p);
    p->o = o;
    p->exe = exe;
    p->max_cases = o->max_cases > 0 ? o->max_cases : 100;
}

void ps_caseprocs_close(ps_caseprocs *p)
{
    end_live(p, 0);
    if (p->spawner) {
        WaitForSingleObject(p->spawner, INFINITE);
        CloseHandle(p->spawner);
        p->spawner = NULL;
    }
    if (p->next.ok) {
        TerminateJobObject(p->next.job, 0);
        CloseHandle(p->next.process);
        CloseHandle(p->next.job);
        CloseHandle(p->next.out_rd);
        CloseHandle(p->next.in_wr);
        p->next.ok = 0;
    }
}
