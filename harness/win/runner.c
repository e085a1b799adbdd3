/* runner.c: the parent side of a run.
 *
 * All case files are parsed before anything runs (a malformed file stops the run
 * with exit 2 and every error listed). Each selected case then runs in its own case
 * process (pipespec --child FILE), inside a job object so that the process and any
 * program it started die with it; --jobs of them at a time. Results are printed in
 * the selection's order as they complete, then written as reports. */
#include "platform.h"
#include "cli.h"
#include "compare.h"
#include "errors.h"
#include "report.h"
#include "results.h"
#include "runner.h"
#include "scenario.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_EXT ".case"

typedef struct {
    char **v;
    int n, cap;
} strlist;

static void sl_add(strlist *l, char *s)
{
    if (l->n == l->cap) l->v = ps_xrealloc(l->v, sizeof(char *) * (size_t)(l->cap = l->cap ? l->cap * 2 : 64));
    l->v[l->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && strcmp(s + a - b, suf) == 0;
}

/* Adds path, or every *.case below it when it is a folder. 0 ok, -1 missing. */
static int collect(const char *path, strlist *out)
{
    wchar_t *w = ps_wide(path);
    DWORD attr = GetFileAttributesW(w);
    free(w);
    if (attr == INVALID_FILE_ATTRIBUTES) return -1;
    if (attr & FILE_ATTRIBUTE_DIRECTORY) {
        char *pat = ps_sprintf("%s/*", path);
        wchar_t *wp = ps_wide(pat);
        WIN32_FIND_DATAW fd;
        HANDLE h = FindFirstFileW(wp, &fd);
        strlist sub = {0};
        int i;
        free(pat);
        free(wp);
        if (h != INVALID_HANDLE_VALUE) {
            do {
                char *name = ps_utf8(fd.cFileName);
                if (strcmp(name, ".") && strcmp(name, "..") &&
                    ((fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) || ends_with(name, CASE_EXT)))
                    sl_add(&sub, ps_sprintf("%s/%s", path, name));
                free(name);
            } while (FindNextFileW(h, &fd));
            FindClose(h);
        }
        if (sub.n) qsort(sub.v, (size_t)sub.n, sizeof(char *), cmp_str);
        for (i = 0; i < sub.n; i++) {
            collect(sub.v[i], out);
            free(sub.v[i]);
        }
        free(sub.v);
        return 0;
    }
    sl_add(out, ps_xstrdup(path));
    return 0;
}

/* ---------------- requirements ---------------- */
/* The platform probes behind `requires` and --host run once, on the main thread,
 * before any worker starts (ps_probe_requirements); the workers only read the
 * results, so no worker can see a probe half done. */
static struct {
    int host_ok;
    char host_why[300];
    int redir_probed, has_redirector;
    char redir_why[256];
} probes;

/* A test hook: PIPESPEC_TEST_PROBE_DELAY_MS makes every probe this much slower, the
 * way a real SMB open of a remote host is, to prove the workers wait for it. */
static void probe_delay(void)
{
    char v[32];
    DWORD n = GetEnvironmentVariableA("PIPESPEC_TEST_PROBE_DELAY_MS", v, sizeof v);
    if (n > 0 && n < sizeof v) Sleep((DWORD)strtoul(v, NULL, 10));
}

/* --host HOST: can this machine reach \\HOST\pipe\ at all? When it cannot (no
 * redirector, as under Wine), every case is SKIP with the reason. */
static void probe_host(const char *host)
{
    wchar_t *w;
    char *name;
    HANDLE c;
    DWORD e;
    char en[64];
    name = ps_sprintf("\\\\%s\\pipe\\pipespec-probe-%lu", host, GetCurrentProcessId());
    w = ps_wide(name);
    SetLastError(0xdeadbeef);
    c = CreateFileW(w, GENERIC_READ, 0, NULL, OPEN_EXISTING, 0, NULL);
    e = GetLastError();
    free(w);
    free(name);
    if (c != INVALID_HANDLE_VALUE) CloseHandle(c);
    probe_delay();
    /* a reachable host answers for a missing pipe with ERROR_FILE_NOT_FOUND */
    probes.host_ok = c != INVALID_HANDLE_VALUE || e == ERROR_FILE_NOT_FOUND || e == ERROR_PIPE_BUSY;
    if (!probes.host_ok)
        snprintf(probes.host_why, sizeof probes.host_why,
                 "cannot reach \\\\%s\\pipe\\ from here (%s%s)", host,
                 ps_error_format(e, en, sizeof en),
                 ps_platform_is_wine() ? "; Wine has no network redirector for pipes" : "");
}

static void probe_redirector(void)
{
    wchar_t name[128], remote[160];
    HANDLE s, c;
    probes.redir_probed = 1;
    swprintf(name, 128, L"\\\\.\\pipe\\pipespec-probe-%lu", GetCurrentProcessId());
    swprintf(remote, 160, L"\\\\localhost\\pipe\\pipespec-probe-%lu", GetCurrentProcessId());
    s = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 64, 64, 0, NULL);
    if (s == INVALID_HANDLE_VALUE) {
        char en[64];
        snprintf(probes.redir_why, sizeof probes.redir_why,
                 "harness: the redirector probe could not create its local pipe (%s)",
                 ps_error_format(GetLastError(), en, sizeof en));
        return;
    }
    SetLastError(0xdeadbeef);
    c = CreateFileW(remote, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);
    if (c != INVALID_HANDLE_VALUE) {
        probes.has_redirector = 1;
        CloseHandle(c);
    } else {
        DWORD e = GetLastError();
        char en[64];
        snprintf(probes.redir_why, sizeof probes.redir_why,
                 "no network redirector: opening \\\\localhost\\pipe\\... failed with %s",
                 ps_error_format(e, en, sizeof en));
    }
    CloseHandle(s);
    probe_delay();
}

/* Word w (length n) is in the space-separated list? */
static int has_word(const char *list, const char *w, size_t n)
{
    const char *q = list;
    while (q && *q) {
        size_t len;
        while (*q == ' ') q++;
        len = strcspn(q, " ");
        if (len == n && !strncmp(q, w, n)) return 1;
        q += len;
    }
    return 0;
}

/* Runs the probes the selected cases need, once, before the workers start. */
static void ps_probe_requirements(const ps_case *const *sel, int nsel, const ps_options *o)
{
    int i;
    if (o->host) probe_host(o->host);
    for (i = 0; i < nsel && !probes.redir_probed; i++)
        if (sel[i]->requires && (has_word(sel[i]->requires, "redirector", 10) ||
                                 has_word(sel[i]->requires, "!redirector", 11)))
            probe_redirector();
}

static int is_admin(void)
{
    SID_IDENTIFIER_AUTHORITY nt = {SECURITY_NT_AUTHORITY};
    PSID admins;
    BOOL member = FALSE;
    if (AllocateAndInitializeSid(&nt, 2, SECURITY_BUILTIN_DOMAIN_RID, DOMAIN_ALIAS_RID_ADMINS, 0, 0,
                                 0, 0, 0, 0, &admins)) {
        CheckTokenMembership(NULL, admins, &member);
        FreeSid(admins);
    }
    return member;
}

/* 0 when every requirement holds, else 1 with the SKIP reason in why. Reads the
 * probes' results only: safe on any worker thread. */
static int unmet(const ps_case *c, const ps_options *o, char *why, size_t whylen)
{
    const char *q;
    if (o->host && !probes.host_ok) {
        snprintf(why, whylen, "%s", probes.host_why);
        return 1;
    }
    for (q = c->requires; q && *q;) {
        char word[64];
        size_t len;
        int neg, have;
        const char *r, *what;
        while (*q == ' ') q++;
        len = strcspn(q, " ");
        if (!len) break;
        snprintf(word, sizeof word, "%.*s", (int)len, q);
        q += len;
        neg = word[0] == '!';
        r = word + neg;
        if (!strcmp(r, "redirector")) {
            if (!probes.redir_probed) { /* cannot happen: the probe runs for every case that needs it */
                snprintf(why, whylen, "harness: the redirector probe did not run");
                return 1;
            }
            have = probes.has_redirector, what = probes.redir_why;
        } else if (!strcmp(r, "windows")) have = !ps_platform_is_wine(), what = "needs Windows (this is Wine)";
        else if (!strcmp(r, "wine")) have = ps_platform_is_wine(), what = "needs Wine";
        else if (!strcmp(r, "admin")) have = is_admin(), what = "needs an administrator";
        else if (!strcmp(r, "second-machine") || !strcmp(r, "host")) have = o->host != NULL, what = "needs a second machine: give --host HOST";
        else if (!strcmp(r, "server-cmd")) have = o->server_cmd != NULL, what = "needs a server under test: give --server-cmd (needs a fresh server per case)";
        else if (!strcmp(r, "client-cmd")) have = o->client_cmd != NULL, what = "needs a client under test: give --client-cmd";
        else if (!strcmp(r, "server-pipe")) have = o->server_pipe != NULL, what = "needs --server-pipe";
        else {
            snprintf(why, whylen, "harness: unknown requirement '%s'", r);
            return 1;
        }
        if (neg && have) {
            if (!strcmp(r, "server-pipe"))
                snprintf(why, whylen, "needs a fresh server per case; --server-pipe targets one that is already running");
            else
                snprintf(why, whylen, "not for this platform: requires !%s", r);
            return 1;
        }
        if (!neg && !have) {
            snprintf(why, whylen, "%s", what);
            return 1;
        }
    }
    return 0;
}

/* ---------------- case processes ---------------- */
typedef struct {
    const ps_case *c;
    int iteration;
    int sel;        /* position in sel[] (the selection, or this shard of it) */
    int index;      /* position in the run */
    ps_result r;
    volatile LONG done;
} job;

static struct {
    const ps_options *o;
    job *jobs;
    int njobs;
    volatile LONG next;
    CRITICAL_SECTION spawn_lock;
    HANDLE progress_event;
    int *order; /* job indexes in start order */
    char exe[MAX_PATH * 3];
} R;

typedef struct {
    HANDLE h;
    ps_child_reader cr;
} reader_ctx;

static DWORD WINAPI pipe_reader(LPVOID p)
{
    reader_ctx *rd = p;
    char buf[8192];
    DWORD n;
    while (ReadFile(rd->h, buf, sizeof buf, &n, NULL) && n > 0) ps_child_reader_feed(&rd->cr, buf, n);
    return 0;
}

static long case_timeout(const job *j)
{
    long t = j->c->timeout_ms ? j->c->timeout_ms : R.o->timeout_ms;
    return (long)((double)t * R.o->timeout_scale);
}

/* A case process started ahead of its case ("standby"): it initialises while the
 * previous case runs, then reads its case (file, pipe name, timeout) as one line on
 * its stdin. Process start is most of a case's cost under Wine (~40 ms), so each
 * worker keeps one standby ready and the start overlaps the previous case. */
typedef struct {
    int ok;
    DWORD err;
    char what[40]; /* the call that failed */
    HANDLE process, job, out_rd, in_wr;
} standby;

static void spawn_standby(standby *sb)
{
    const ps_options *o = R.o;
    ps_buf cmd;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, FALSE};
    HANDLE out_wr, in_rd;
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
    wchar_t *wcmd;
    BOOL ok = FALSE;
    int attempt;

    memset(sb, 0, sizeof *sb);
    ps_buf_init(&cmd);
    ps_quote_arg(&cmd, R.exe);
    ps_buf_printf(&cmd, " --standby --timeout-scale %g", o->timeout_scale);
    if (o->strict) ps_buf_adds(&cmd, " --strict");
    if (o->host) ps_buf_adds(&cmd, " --host "), ps_quote_arg(&cmd, o->host);
    if (o->server_cmd) ps_buf_adds(&cmd, " --server-cmd "), ps_quote_arg(&cmd, o->server_cmd);
    if (o->client_cmd) ps_buf_adds(&cmd, " --client-cmd "), ps_quote_arg(&cmd, o->client_cmd);
    if (o->server_pipe) ps_buf_adds(&cmd, " --server-pipe "), ps_quote_arg(&cmd, o->server_pipe);

    if (!CreatePipe(&sb->out_rd, &out_wr, &sa, 0)) {
        sb->err = GetLastError();
        snprintf(sb->what, sizeof sb->what, "CreatePipe");
        ps_buf_free(&cmd);
        return;
    }
    if (!CreatePipe(&in_rd, &sb->in_wr, &sa, 0)) {
        sb->err = GetLastError();
        snprintf(sb->what, sizeof sb->what, "CreatePipe");
        CloseHandle(sb->out_rd);
        CloseHandle(out_wr);
        ps_buf_free(&cmd);
        return;
    }
    sb->job = CreateJobObjectW(NULL, NULL);
    memset(&lim, 0, sizeof lim);
    lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE | JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION;
    if (!sb->job || !SetInformationJobObject(sb->job, JobObjectExtendedLimitInformation, &lim, sizeof lim)) {
        sb->err = GetLastError();
        snprintf(sb->what, sizeof sb->what, "%s", sb->job ? "SetInformationJobObject" : "CreateJobObjectW");
        if (sb->job) CloseHandle(sb->job);
        CloseHandle(sb->out_rd);
        CloseHandle(out_wr);
        CloseHandle(in_rd);
        CloseHandle(sb->in_wr);
        ps_buf_free(&cmd);
        return;
    }
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = in_rd;
    si.hStdOutput = out_wr;
    si.hStdError = out_wr;
    wcmd = ps_wide(cmd.data);
    /* Only this child may inherit these ends: they are inheritable just while it is
     * created, under a lock, so parallel starts do not leak them to each other (a
     * leaked write end would keep a reader waiting for an end of file). A start can
     * fail for a moment under load (seen under Wine as ERROR_INTERNAL_ERROR while a
     * stress run held 1,000 pipes): that is the harness's trouble, so try again. */
    for (attempt = 0; attempt < 4 && !ok; attempt++) {
        EnterCriticalSection(&R.spawn_lock);
        SetHandleInformation(out_wr, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
        SetHandleInformation(in_rd, HANDLE_FLAG_INHERIT, HANDLE_FLAG_INHERIT);
        ok = CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
        sb->err = ok ? 0 : GetLastError();
        if (!ok) snprintf(sb->what, sizeof sb->what, "CreateProcessW");
        SetHandleInformation(out_wr, HANDLE_FLAG_INHERIT, 0);
        SetHandleInformation(in_rd, HANDLE_FLAG_INHERIT, 0);
        LeaveCriticalSection(&R.spawn_lock);
        if (!ok) Sleep(50u << attempt);
    }
    CloseHandle(out_wr);
    CloseHandle(in_rd);
    free(wcmd);
    ps_buf_free(&cmd);
    if (!ok) {
        CloseHandle(sb->out_rd);
        CloseHandle(sb->in_wr);
        CloseHandle(sb->job);
        return;
    }
    if (!AssignProcessToJobObject(sb->job, pi.hProcess)) {
        /* outside the job, a hung case could not be ended with what it started */
        sb->err = GetLastError();
        snprintf(sb->what, sizeof sb->what, "AssignProcessToJobObject");
        TerminateProcess(pi.hProcess, 1);
        CloseHandle(pi.hThread);
        CloseHandle(pi.hProcess);
        CloseHandle(sb->out_rd);
        CloseHandle(sb->in_wr);
        CloseHandle(sb->job);
        return;
    }
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    sb->process = pi.hProcess;
    sb->ok = 1;
}

static DWORD WINAPI spawn_thread(LPVOID p)
{
    spawn_standby(p);
    return 0;
}

static void drop_standby(standby *sb)
{
    if (!sb->ok) return;
    TerminateJobObject(sb->job, 0);
    CloseHandle(sb->process);
    CloseHandle(sb->job);
    CloseHandle(sb->out_rd);
    CloseHandle(sb->in_wr);
    sb->ok = 0;
}

/* Runs job j in *next (started now if there is none) and starts the next standby
 * into *next while the case runs. */
static void run_job(job *j, standby *next)
{
    const ps_options *o = R.o;
    char pipe[96], *line;
    standby cur;
    reader_ctx *rd;
    const char *harness_fault = NULL;
    DWORD fault_err = 0;
    HANDLE reader, spawner;
    long tmo = case_timeout(j);
    DWORD r, code = 0, w;
    double t0;
    char skip[400];

    if (unmet(j->c, o, skip, sizeof skip)) {
        int harness = !strncmp(skip, "harness:", 8);
        j->r.outcome = harness ? PS_ERROR : PS_SKIP;
        j->r.reason = ps_xstrdup(skip);
        j->r.trace_json = ps_xstrdup("[]");
        ps_result_check_reason(&j->r);
        return;
    }
    if (!next->ok) spawn_standby(next);
    cur = *next;
    next->ok = 0;
    if (!cur.ok) {
        char en[64];
        j->r.outcome = PS_ERROR;
        j->r.reason = ps_sprintf("harness: cannot start the case process: %s failed with %s",
                                 cur.what[0] ? cur.what : "CreateProcessW", ps_error_format(cur.err, en, sizeof en));
        j->r.trace_json = ps_xstrdup("[]");
        return;
    }
    /* fixed length (29 characters), so cases can build names of an exact length */
    snprintf(pipe, sizeof pipe, "pipespec-%08lx-%06d-%04d", GetCurrentProcessId(), j->index % 1000000,
             j->iteration % 10000);
    line = ps_sprintf("%s\t%s\t%ld\n", j->c->file, pipe, tmo);
    t0 = ps_now_ms();
    if (!WriteFile(cur.in_wr, line, (DWORD)strlen(line), &w, NULL) || w != strlen(line)) {
        harness_fault = "WriteFile of the case line to the case process";
        fault_err = GetLastError();
    }
    CloseHandle(cur.in_wr);
    free(line);
    spawner = CreateThread(NULL, 0, spawn_thread, next, 0, NULL);
    if (!spawner) spawn_standby(next); /* no thread: start the next one now, in line */

    rd = ps_xcalloc(1, sizeof *rd);
    ps_child_reader_init(&rd->cr, &j->r);
    rd->h = cur.out_rd;
    reader = harness_fault ? NULL : CreateThread(NULL, 0, pipe_reader, rd, 0, NULL);
    if (!reader && !harness_fault) {
        harness_fault = "CreateThread for the case process's output reader";
        fault_err = GetLastError();
    }
    if (harness_fault) TerminateJobObject(cur.job, 0xDEAD);
    /* The case process reports its own TIMEOUT at tmo; this is the backstop. */
    r = WaitForSingleObject(cur.process, (DWORD)tmo + 5000);
    j->r.duration_ms = ps_now_ms() - t0;
    if (r == WAIT_TIMEOUT) {
        TerminateJobObject(cur.job, 0xDEAD);
        WaitForSingleObject(cur.process, 5000);
    } else {
        GetExitCodeProcess(cur.process, &code);
        TerminateJobObject(cur.job, 0); /* whatever the case started dies with it */
    }
    if (reader && WaitForSingleObject(reader, 5000) != WAIT_OBJECT_0) {
        /* something outside the job holds the output pipe open: the reader keeps its
         * context (never freed) and the case is the harness's failure */
        harness_fault = "reading the case process's output (the pipe stayed open after it ended)";
        fault_err = 0;
        CloseHandle(reader);
        reader = NULL;
        rd = NULL;
    }
    if (reader) CloseHandle(reader);
    if (rd) {
        CloseHandle(cur.out_rd);
        ps_child_reader_finish(&rd->cr, r == WAIT_TIMEOUT, code, (double)tmo);
        free(rd);
    }
    if (harness_fault) {
        char en[64];
        free(j->r.reason);
        j->r.outcome = PS_ERROR;
        j->r.reason = ps_sprintf("harness: %s failed%s%s", harness_fault, fault_err ? " with " : "",
                                 fault_err ? ps_error_format(fault_err, en, sizeof en) : "");
        if (!j->r.trace_json) j->r.trace_json = ps_xstrdup("[]");
    }
    CloseHandle(cur.process);
    CloseHandle(cur.job);
    if (spawner) {
        WaitForSingleObject(spawner, INFINITE);
        CloseHandle(spawner);
    }
}

static DWORD WINAPI worker(LPVOID unused)
{
    standby next;
    (void)unused;
    memset(&next, 0, sizeof next);
    for (;;) {
        LONG k = InterlockedIncrement(&R.next) - 1, i;
        if (k >= R.njobs) break;
        i = R.order[k];
        run_job(&R.jobs[i], &next);
        InterlockedExchange(&R.jobs[i].done, 1);
        SetEvent(R.progress_event);
    }
    drop_standby(&next);
    return 0;
}

/* Start order: cases that declare a longer timeout (the slow ones) first, so they
 * overlap the many short ones instead of ending the run alone; results are still
 * printed in the selection's order. */
static int cmp_start(const void *a, const void *b)
{
    int i = *(const int *)a, k = *(const int *)b;
    long ti = R.jobs[i].c->timeout_ms, tk = R.jobs[k].c->timeout_ms;
    if (ti != tk) return ti < tk ? 1 : -1;
    return i - k;
}

/* --shard K/N: each kept case's position in the whole selection (NULL: no --shard). */
static int *shard_index;

/* Keeps shard K/N of sel[0..*nsel). 0, or -1 (an unreadable --durations file). */
static int apply_shard(const ps_options *o, const ps_case **sel, int *nsel)
{
    ps_run durations;
    char err[1024];
    int whole = *nsel;
    memset(&durations, 0, sizeof durations);
    if (o->durations && ps_report_load(o->durations, &durations, err, sizeof err) != 0) {
        fprintf(stderr, "pipespec: --durations: %s\n", err);
        return -1;
    }
    shard_index = ps_xcalloc((size_t)whole + 1, sizeof *shard_index);
    *nsel = ps_shard_select(sel, whole, o->shard_k, o->shard_n, o->durations ? &durations : NULL, shard_index);
    if (!(o->cmd == PS_CMD_LIST && o->json))
        printf("shard %d/%d: %d of the %d selected cases (balanced by %s)\n", o->shard_k, o->shard_n, *nsel,
               whole, o->durations ? o->durations : "estimates from the steps");
    ps_run_free(&durations);
    return 0;
}

static void fill_meta(job *j)
{
    const ps_case *c = j->c;
    j->r.id = ps_xstrdup(c->id);
    j->r.title = ps_xstrdup(c->title);
    j->r.file = ps_xstrdup(c->file);
    j->r.ref = ps_xstrdup(c->ref);
    j->r.tags = ps_xstrdup(c->tags ? c->tags : "");
    j->r.topic = ps_case_topic(c->id);
    j->r.iteration = j->iteration;
    j->r.index = shard_index ? shard_index[j->sel] : j->sel;
}

static unsigned long rng_state;
static unsigned long rng(void)
{
    rng_state = rng_state * 1103515245UL + 12345UL;
    return (rng_state >> 8) & 0xFFFFFF;
}

static int is_terminal(void)
{
    DWORD m;
    return GetConsoleMode(GetStdHandle(STD_OUTPUT_HANDLE), &m) != 0;
}

static void iso_now(char *buf, size_t n)
{
    SYSTEMTIME st;
    GetSystemTime(&st);
    snprintf(buf, n, "%04u-%02u-%02uT%02u:%02u:%02uZ", st.wYear, st.wMonth, st.wDay, st.wHour,
             st.wMinute, st.wSecond);
}

int ps_runner_main(const ps_options *o)
{
    strlist files = {0};
    ps_case **cases = NULL;
    int ncases = 0, i, k, nsel = 0, nwhole, errors = 0, rounds, round, exit_status = 0;
    const ps_case **sel;
    ps_diag d = {0};
    ps_run run;
    double t_run;
    int progress;
    char when[32];

    memset(&R, 0, sizeof R);
    R.o = o;
    {
        wchar_t w[MAX_PATH * 2];
        char *u;
        GetModuleFileNameW(NULL, w, MAX_PATH * 2);
        u = ps_utf8(w);
        snprintf(R.exe, sizeof R.exe, "%s", u);
        free(u);
    }
    /* 1. find and parse everything first */
    if (o->npaths == 0 && (!ps_scenarios_dir() || collect(ps_scenarios_dir(), &files) != 0)) {
        fprintf(stderr, "pipespec: no scenarios folder here or beside pipespec.exe; give the case files or folders to run\n");
        return 2;
    }
    for (i = 0; i < o->npaths; i++)
        if (collect(o->paths[i], &files) != 0) {
            fprintf(stderr, "pipespec: %s: no such file or folder\n", o->paths[i]);
            errors++;
        }
    cases = ps_xcalloc((size_t)files.n + 1, sizeof *cases);
    for (i = 0; i < files.n; i++) {
        ps_case *c = ps_load_case(files.v[i], &d);
        if (c) cases[ncases++] = c;
    }
    for (i = 0; i < ncases; i++)
        for (k = 0; k < i; k++)
            if (!strcmp(cases[i]->id, cases[k]->id)) {
                ps_diag_add(&d, cases[i]->file, 1, 1, "found case id '%s' again, expected unique ids (also in %s)",
                            cases[i]->id, cases[k]->file);
            }
    if (d.count || errors) {
        for (i = 0; i < d.count; i++) fprintf(stderr, "%s\n", d.msgs[i]);
        fprintf(stderr, "pipespec: %d error(s) in the case files; nothing ran\n", d.count + errors);
        return 2;
    }
    if (o->cmd == PS_CMD_LINT) {
        printf("%d case files, no errors\n", ncases);
        return 0;
    }
    /* 2. select */
    sel = ps_xcalloc((size_t)ncases + 1, sizeof *sel);
    {
        int suite_default = o->nselect == 0 && o->npaths == 0 && (o->server_cmd || o->server_pipe || o->client_cmd);
        for (i = 0; i < ncases; i++) {
            const char *tags = cases[i]->tags ? cases[i]->tags : "";
            if (!ps_cli_selected(o, cases[i]->id, tags)) continue;
            if (suite_default) {
                /* with an implementation under test and no selection: its suite */
                int in_suite = 0;
                if (((o->server_cmd || o->server_pipe) && has_word(tags, "server-suite", 12)) ||
                    (o->client_cmd && has_word(tags, "client-suite", 12)))
                    in_suite = 1;
                if (!in_suite) continue;
            }
            sel[nsel++] = cases[i];
        }
    }
    if (nsel == 0) {
        fprintf(stderr, "pipespec: the selection matched no case (of %d)\n", ncases);
        return 3;
    }
    nwhole = nsel;
    if (o->shard_n && apply_shard(o, sel, &nsel) != 0) return 2;
    if (o->cmd == PS_CMD_LIST) {
        if (o->json) {
            ps_buf b;
            ps_buf_init(&b);
            ps_buf_adds(&b, "[\n");
            for (i = 0; i < nsel; i++) {
                ps_buf_adds(&b, "  {\"id\":");
                ps_json_str(&b, sel[i]->id);
                ps_buf_adds(&b, ",\"title\":");
                ps_json_str(&b, sel[i]->title);
                ps_buf_adds(&b, ",\"file\":");
                ps_json_str(&b, sel[i]->file);
                ps_buf_adds(&b, ",\"ref\":");
                ps_json_str(&b, sel[i]->ref);
                ps_buf_adds(&b, ",\"tags\":");
                ps_json_str(&b, sel[i]->tags ? sel[i]->tags : "");
                ps_buf_adds(&b, ",\"covers\":[");
                for (k = 0; k < sel[i]->ncovers; k++) ps_buf_printf(&b, "%s%d", k ? "," : "", sel[i]->covers[k]);
                ps_buf_printf(&b, "]}%s\n", i + 1 < nsel ? "," : "");
            }
            ps_buf_adds(&b, "]\n");
            fputs(b.data, stdout);
            ps_buf_free(&b);
        } else {
            for (i = 0; i < nsel; i++) printf("%-40s %s\n", sel[i]->id, sel[i]->title);
            printf("%d cases\n", nsel);
        }
        return 0;
    }

    /* 3. run */
    InitializeCriticalSection(&R.spawn_lock);
    R.progress_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    rng_state = o->seed ? o->seed : (unsigned long)GetTickCount() | 1UL;
    if (o->shuffle) printf("shuffle seed: %lu\n", rng_state);
    rounds = o->until_fail ? (o->repeat > 1 ? o->repeat : 1000) : 1;
    memset(&run, 0, sizeof run);
    run.platform = ps_xstrdup(ps_platform_describe());
    ps_platform_fill(&run.pinfo);
    run.shard_k = o->shard_k;
    run.shard_n = o->shard_n;
    run.selected = nwhole;
    run.harness_version = ps_xstrdup(PIPESPEC_VERSION);
    iso_now(when, sizeof when);
    run.started = ps_xstrdup(when);
    run.strict = o->strict;
    {
        SYSTEM_INFO si;
        GetSystemInfo(&si);
        run.jobs = o->jobs ? o->jobs : ps_auto_jobs((const ps_case *const *)sel, nsel, (int)si.dwNumberOfProcessors);
        if (run.jobs < 1) run.jobs = 1;
        if (o->server_pipe && run.jobs > 1) {
            /* one running server for every case: one case at a time */
            printf("--server-pipe: the cases share one running server, so they run one at a time\n");
            run.jobs = 1;
        }
    }
    progress = o->progress == -1 ? is_terminal() : o->progress;
    ps_probe_requirements(sel, nsel, o);
    t_run = ps_now_ms();
    for (round = 0; round < rounds; round++) {
        int reps = o->until_fail ? 1 : o->repeat, printed = 0, nthreads, bad = 0;
        double last_progress = 0;
        HANDLE th[64];
        R.njobs = nsel * reps;
        R.jobs = ps_xcalloc((size_t)R.njobs, sizeof(job));
        R.next = 0;
        for (i = 0; i < R.njobs; i++) {
            R.jobs[i].c = sel[i % nsel];
            R.jobs[i].sel = i % nsel;
            R.jobs[i].iteration = (o->until_fail ? round : i / nsel) + 1;
            R.jobs[i].index = i;
        }
        if (o->shuffle)
            for (i = R.njobs - 1; i > 0; i--) {
                int r2 = (int)(rng() % (unsigned long)(i + 1));
                job tmp = R.jobs[i];
                R.jobs[i] = R.jobs[r2];
                R.jobs[r2] = tmp;
                R.jobs[i].index = i;
                R.jobs[r2].index = r2;
            }
        for (i = 0; i < R.njobs; i++) fill_meta(&R.jobs[i]);
        R.order = ps_xcalloc((size_t)R.njobs, sizeof(int));
        for (i = 0; i < R.njobs; i++) R.order[i] = i;
        if (!o->shuffle) qsort(R.order, (size_t)R.njobs, sizeof(int), cmp_start);
        nthreads = run.jobs < R.njobs ? run.jobs : R.njobs;
        if (nthreads > (int)(sizeof th / sizeof th[0])) nthreads = (int)(sizeof th / sizeof th[0]);
        for (i = 0; i < nthreads; i++) {
            th[i] = CreateThread(NULL, 0, worker, NULL, 0, NULL);
            if (!th[i]) {
                fprintf(stderr, "pipespec: harness: CreateThread for worker %d failed with error %lu%s\n", i + 1,
                        GetLastError(), i ? "; going on with fewer workers" : "");
                if (!i) return 2;
                nthreads = i;
            }
        }
        while (printed < R.njobs) {
            while (printed < R.njobs && R.jobs[printed].done) {
                if (progress) fputs("\r\033[K", stdout);
                ps_console_case(stdout, &R.jobs[printed].r, o->verbose);
                if (ps_outcome_is_bad(R.jobs[printed].r.outcome)) bad = 1;
                printed++;
            }
            if (progress && printed < R.njobs && ps_now_ms() - last_progress >= 200) {
                last_progress = ps_now_ms();
                int dn = 0;
                for (i = 0; i < R.njobs; i++) dn += R.jobs[i].done ? 1 : 0;
                printf("\r[%d/%d] %.1fs running %s", dn, R.njobs, (ps_now_ms() - t_run) / 1000.0,
                       R.jobs[printed].r.id);
            }
            fflush(stdout);
            if (printed < R.njobs) WaitForSingleObject(R.progress_event, 250);
        }
        WaitForMultipleObjects((DWORD)nthreads, th, TRUE, INFINITE);
        for (i = 0; i < nthreads; i++) CloseHandle(th[i]);
        run.cases = ps_xrealloc(run.cases, sizeof(ps_result) * (size_t)(run.ncases + R.njobs));
        for (i = 0; i < R.njobs; i++) run.cases[run.ncases++] = R.jobs[i].r;
        free(R.jobs);
        free(R.order);
        if (o->until_fail && bad) {
            printf("until-fail: a case failed in round %d\n", round + 1);
            break;
        }
    }
    run.wall_ms = ps_now_ms() - t_run;
    ps_run_count(&run);
    if (o->report_dir) {
        const char *failed = NULL;
        wchar_t *wd = ps_wide(o->report_dir);
        CreateDirectoryW(wd, NULL);
        free(wd);
        if (ps_report_all(o->report_dir, &run, &failed) != 0) {
            fprintf(stderr, "pipespec: cannot write %s in %s\n", failed ? failed : "a report", o->report_dir);
            exit_status = 1;
        }
    }
    ps_console_summary(stdout, &run);
    fflush(stdout);
    if (ps_run_exit_status(&run)) exit_status = 1;
    ps_run_free(&run);
    return exit_status;
}

/* Runs one parsed case in its own case process, as `run` does (requirements, timeout,
 * the same engine), and fills r (free with ps_result_free). For `reduce`. */
void ps_run_one(const ps_options *o, const ps_case *c, int index, ps_result *r)
{
    static int ready;
    job j;
    standby next;
    if (!ready) {
        wchar_t w[MAX_PATH * 2];
        char *u;
        memset(&R, 0, sizeof R);
        GetModuleFileNameW(NULL, w, MAX_PATH * 2);
        u = ps_utf8(w);
        snprintf(R.exe, sizeof R.exe, "%s", u);
        free(u);
        InitializeCriticalSection(&R.spawn_lock);
        ready = 1;
    }
    R.o = o;
    memset(&j, 0, sizeof j);
    memset(&next, 0, sizeof next);
    j.c = c;
    j.iteration = 1;
    j.index = index;
    fill_meta(&j);
    run_job(&j, &next);
    drop_standby(&next);
    *r = j.r;
}
