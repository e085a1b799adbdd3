/* runner.c: the parent side of a run.
 *
 * All case files are parsed before anything runs (a malformed file stops the run
 * with exit 2 and every error listed). Each selected case then runs in a case process
 * (caseproc.c: pipespec --standby, inside a job object so that the process and any
 * program it started die with it), which runs further cases only while each leaves
 * it clean; --jobs of them at a time. Results are printed in
 * the selection's order as they complete, then written as reports. */
#include "platform.h"
#include "cli.h"
#include "compare.h"
#include "errors.h"
#include "report.h"
#include "results.h"
#include "runner.h"
#include "requirements.h"
#include "caseproc.h"
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

/* ---------------- case processes ---------------- */
typedef struct {
    const ps_case *c;
    int iteration;
    int sel;        /* position in sel[] (the selection, or this shard of it) */
    int index;      /* position in the run */
    ps_result r;
    volatile LONG done;
} job;

/* The run in progress: its jobs, shared by the workers. */
static struct {
    const ps_options *o;
    job *jobs;
    int njobs;
    volatile LONG next;
    HANDLE progress_event;
    int *order; /* job indexes in start order */
    char exe[MAX_PATH * 3];
} runs;

static long case_timeout(const job *j)
{
    long t = j->c->timeout_ms ? j->c->timeout_ms : runs.o->timeout_ms;
    return (long)((double)t * runs.o->timeout_scale);
}

/* Runs job j in one of the worker's case processes (caseproc.c). */
static void run_job(job *j, ps_caseprocs *procs)
{
    char pipe[96], skip[400];
    if (ps_unmet(j->c, runs.o, skip, sizeof skip)) {
        int harness = !strncmp(skip, "harness:", 8);
        j->r.outcome = harness ? PS_ERROR : PS_SKIP;
        j->r.reason = ps_xstrdup(skip);
        j->r.trace_json = ps_xstrdup("[]");
        ps_result_check_reason(&j->r);
        return;
    }
    /* fixed length (29 characters), so cases can build names of an exact length */
    snprintf(pipe, sizeof pipe, "pipespec-%08lx-%06d-%04d", GetCurrentProcessId(), j->index % 1000000,
             j->iteration % 10000);
    ps_caseprocs_run(procs, j->c->file, pipe, case_timeout(j), &j->r);
}

static DWORD WINAPI worker(LPVOID unused)
{
    ps_caseprocs procs;
    (void)unused;
    ps_caseprocs_init(&procs, runs.o, runs.exe);
    for (;;) {
        LONG k = InterlockedIncrement(&runs.next) - 1, i;
        if (k >= runs.njobs) break;
        i = runs.order[k];
        run_job(&runs.jobs[i], &procs);
        InterlockedExchange(&runs.jobs[i].done, 1);
        SetEvent(runs.progress_event);
    }
    ps_caseprocs_close(&procs);
    return 0;
}

/* Start order: cases that declare a longer timeout (the slow ones) first, so they
 * overlap the many short ones instead of ending the run alone; results are still
 * printed in the selection's order. */
static int cmp_start(const void *a, const void *b)
{
    int i = *(const int *)a, k = *(const int *)b;
    long ti = runs.jobs[i].c->timeout_ms, tk = runs.jobs[k].c->timeout_ms;
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


/* 1. Finds and parses every case first: 0, or the exit status (2) after the errors. */
static int load_cases(const ps_options *o, ps_case ***cases_out, int *ncases_out)
{
    strlist files = {0};
    ps_case **cases;
    int ncases = 0, i, k, errors = 0;
    ps_diag d = {0};
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
            if (!strcmp(cases[i]->id, cases[k]->id))
                ps_diag_add(&d, cases[i]->file, 1, 1, "found case id '%s' again, expected unique ids (also in %s)",
                            cases[i]->id, cases[k]->file);
    if (d.count || errors) {
        for (i = 0; i < d.count; i++) fprintf(stderr, "%s\n", d.msgs[i]);
        fprintf(stderr, "pipespec: %d error(s) in the case files; nothing ran\n", d.count + errors);
        return 2;
    }
    *cases_out = cases;
    *ncases_out = ncases;
    return 0;
}

/* 2. The selection; with an implementation under test and no selection, its suite. */
static int select_cases(const ps_options *o, ps_case **cases, int ncases, const ps_case **sel)
{
    int suite_default = o->nselect == 0 && o->npaths == 0 && (o->server_cmd || o->server_pipe || o->client_cmd);
    int i, nsel = 0;
    for (i = 0; i < ncases; i++) {
        const char *tags = cases[i]->tags ? cases[i]->tags : "";
        if (!ps_cli_selected(o, cases[i]->id, tags)) continue;
        if (suite_default && !(((o->server_cmd || o->server_pipe) && ps_has_word(tags, "server-suite", 12)) ||
                               (o->client_cmd && ps_has_word(tags, "client-suite", 12))))
            continue;
        sel[nsel++] = cases[i];
    }
    return nsel;
}

/* `list`: the selection, as text or JSON. */
static void list_cases(const ps_options *o, const ps_case **sel, int nsel)
{
    int i, k;
    ps_buf b;
    if (!o->json) {
        for (i = 0; i < nsel; i++) printf("%-40s %s\n", sel[i]->id, sel[i]->title);
        printf("%d cases\n", nsel);
        return;
    }
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
}

/* The run's record before it starts: platform, version, time, workers. */
static void start_run(const ps_options *o, const ps_case **sel, int nsel, int nwhole, ps_run *run)
{
    char when[32];
    SYSTEM_INFO si;
    memset(run, 0, sizeof *run);
    run->platform = ps_xstrdup(ps_platform_describe());
    ps_platform_fill(&run->pinfo);
    run->shard_k = o->shard_k;
    run->shard_n = o->shard_n;
    run->selected = nwhole;
    run->harness_version = ps_xstrdup(PIPESPEC_VERSION);
    ps_iso_now(when, sizeof when);
    run->started = ps_xstrdup(when);
    run->strict = o->strict;
    GetSystemInfo(&si);
    run->jobs = o->jobs ? o->jobs : ps_auto_jobs((const ps_case *const *)sel, nsel, (int)si.dwNumberOfProcessors);
    if (run->jobs < 1) run->jobs = 1;
    if (o->server_pipe && run->jobs > 1) {
        /* one running server for every case: one case at a time */
        printf("--server-pipe: the cases share one running server, so they run one at a time\n");
        run->jobs = 1;
    }
}

/* The jobs of one round, in the order their results are printed, and the order they
 * start in (slow ones first, unless shuffled). */
static void plan_round(const ps_options *o, const ps_case **sel, int nsel, int round)
{
    int i, reps = o->until_fail ? 1 : o->repeat;
    runs.njobs = nsel * reps;
    runs.jobs = ps_xcalloc((size_t)runs.njobs, sizeof(job));
    runs.next = 0;
    for (i = 0; i < runs.njobs; i++) {
        runs.jobs[i].c = sel[i % nsel];
        runs.jobs[i].sel = i % nsel;
        runs.jobs[i].iteration = (o->until_fail ? round : i / nsel) + 1;
        runs.jobs[i].index = i;
    }
    if (o->shuffle)
        for (i = runs.njobs - 1; i > 0; i--) {
            int r2 = (int)(rng() % (unsigned long)(i + 1));
            job tmp = runs.jobs[i];
            runs.jobs[i] = runs.jobs[r2];
            runs.jobs[r2] = tmp;
            runs.jobs[i].index = i;
            runs.jobs[r2].index = r2;
        }
    for (i = 0; i < runs.njobs; i++) fill_meta(&runs.jobs[i]);
    runs.order = ps_xcalloc((size_t)runs.njobs, sizeof(int));
    for (i = 0; i < runs.njobs; i++) runs.order[i] = i;
    if (!o->shuffle) qsort(runs.order, (size_t)runs.njobs, sizeof(int), cmp_start);
}

/* Prints the results in order as they come, with a progress line on a terminal.
 * Returns 1 when a case went bad. */
static int follow_round(const ps_options *o, int progress, double t_run)
{
    int printed = 0, bad = 0, i;
    double last_progress = 0;
    while (printed < runs.njobs) {
        while (printed < runs.njobs && runs.jobs[printed].done) {
            if (progress) fputs("\r\033[K", stdout);
            ps_console_case(stdout, &runs.jobs[printed].r, o->verbose);
            if (ps_outcome_is_bad(runs.jobs[printed].r.outcome)) bad = 1;
            printed++;
        }
        if (progress && printed < runs.njobs && ps_now_ms() - last_progress >= 200) {
            int dn = 0;
            last_progress = ps_now_ms();
            for (i = 0; i < runs.njobs; i++) dn += runs.jobs[i].done ? 1 : 0;
            printf("\r[%d/%d] %.1fs running %s", dn, runs.njobs, (ps_now_ms() - t_run) / 1000.0,
                   runs.jobs[printed].r.id);
        }
        fflush(stdout);
        if (printed < runs.njobs) WaitForSingleObject(runs.progress_event, 250);
    }
    return bad;
}

/* 3. One round: its workers, its results into run. Returns 1 when a case went bad,
 * -1 when not even one worker could start. */
static int run_round(const ps_options *o, const ps_case **sel, int nsel, int round, int progress,
                     double t_run, ps_run *run)
{
    int nthreads, i, bad;
    HANDLE th[64];
    plan_round(o, sel, nsel, round);
    nthreads = run->jobs < runs.njobs ? run->jobs : runs.njobs;
    if (nthreads > (int)(sizeof th / sizeof th[0])) nthreads = (int)(sizeof th / sizeof th[0]);
    for (i = 0; i < nthreads; i++) {
        th[i] = CreateThread(NULL, 0, worker, NULL, 0, NULL);
        if (!th[i]) {
            fprintf(stderr, "pipespec: harness: CreateThread for worker %d failed with error %lu%s\n", i + 1,
                    GetLastError(), i ? "; going on with fewer workers" : "");
            if (!i) return -1;
            nthreads = i;
        }
    }
    bad = follow_round(o, progress, t_run);
    WaitForMultipleObjects((DWORD)nthreads, th, TRUE, INFINITE);
    for (i = 0; i < nthreads; i++) CloseHandle(th[i]);
    run->cases = ps_xrealloc(run->cases, sizeof(ps_result) * (size_t)(run->ncases + runs.njobs));
    for (i = 0; i < runs.njobs; i++) run->cases[run->ncases++] = runs.jobs[i].r;
    free(runs.jobs);
    free(runs.order);
    return bad;
}

/* 4. The reports and the summary; returns the exit status. */
static int finish_run(const ps_options *o, ps_run *run)
{
    int exit_status = 0;
    ps_run_count(run);
    if (o->report_dir) {
        const char *failed = NULL;
        wchar_t *wd = ps_wide(o->report_dir);
        CreateDirectoryW(wd, NULL);
        free(wd);
        if (ps_report_all(o->report_dir, run, &failed) != 0) {
            fprintf(stderr, "pipespec: cannot write %s in %s\n", failed ? failed : "a report", o->report_dir);
            exit_status = 1;
        }
    }
    ps_console_summary(stdout, run);
    fflush(stdout);
    if (ps_run_exit_status(run)) exit_status = 1;
    ps_run_free(run);
    return exit_status;
}

int ps_runner_main(const ps_options *o)
{
    ps_case **cases = NULL;
    int ncases = 0, nsel, nwhole, rounds, round, rc, progress;
    const ps_case **sel;
    ps_run run;
    double t_run;

    memset(&runs, 0, sizeof runs);
    runs.o = o;
    {
        wchar_t w[MAX_PATH * 2];
        char *u;
        GetModuleFileNameW(NULL, w, MAX_PATH * 2);
        u = ps_utf8(w);
        snprintf(runs.exe, sizeof runs.exe, "%s", u);
        free(u);
    }
    if ((rc = load_cases(o, &cases, &ncases)) != 0) return rc;
    if (o->cmd == PS_CMD_LINT) {
        printf("%d case files, no errors\n", ncases);
        return 0;
    }
    sel = ps_xcalloc((size_t)ncases + 1, sizeof *sel);
    nsel = select_cases(o, cases, ncases, sel);
    if (nsel == 0) {
        fprintf(stderr, "pipespec: the selection matched no case (of %d)\n", ncases);
        return 3;
    }
    nwhole = nsel;
    if (o->shard_n && apply_shard(o, sel, &nsel) != 0) return 2;
    if (o->cmd == PS_CMD_LIST) {
        list_cases(o, sel, nsel);
        return 0;
    }
    runs.progress_event = CreateEventW(NULL, FALSE, FALSE, NULL);
    rng_state = o->seed ? o->seed : (unsigned long)GetTickCount() | 1UL;
    if (o->shuffle) printf("shuffle seed: %lu\n", rng_state);
    rounds = o->until_fail ? (o->repeat > 1 ? o->repeat : 1000) : 1;
    start_run(o, sel, nsel, nwhole, &run);
    progress = o->progress == -1 ? is_terminal() : o->progress;
    ps_probe_requirements(sel, nsel, o);
    t_run = ps_now_ms();
    for (round = 0; round < rounds; round++) {
        int bad = run_round(o, sel, nsel, round, progress, t_run, &run);
        if (bad < 0) return 2;
        if (o->until_fail && bad) {
            printf("until-fail: a case failed in round %d\n", round + 1);
            break;
        }
    }
    run.wall_ms = ps_now_ms() - t_run;
    return finish_run(o, &run);
}

/* Runs one parsed case in its own case process, as `run` does (requirements, timeout,
 * the same engine), and fills r (free with ps_result_free). For `reduce`. */
void ps_run_one(const ps_options *o, const ps_case *c, int index, ps_result *r)
{
    static int ready;
    job j;
    ps_caseprocs procs;
    if (!ready) {
        wchar_t w[MAX_PATH * 2];
        char *u;
        memset(&runs, 0, sizeof runs);
        GetModuleFileNameW(NULL, w, MAX_PATH * 2);
        u = ps_utf8(w);
        snprintf(runs.exe, sizeof runs.exe, "%s", u);
        free(u);
        ready = 1;
    }
    runs.o = o;
    memset(&j, 0, sizeof j);
    j.c = c;
    j.iteration = 1;
    j.index = index;
    fill_meta(&j);
    ps_caseprocs_init(&procs, o, runs.exe);
    run_job(&j, &procs);
    ps_caseprocs_close(&procs);
    *r = j.r;
}
