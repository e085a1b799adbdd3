/* stress_main.c: `pipespec stress`, the entry point (docs/STRESS.md): parses the
 * options, sets up the process (shared counters, the pipe's name, message contents,
 * the job object), starts the server, runs the rounds, measures the end and writes
 * the summary, JSON and reports. A client process (--worker) runs one round and
 * writes it on stdout; --serve-only only serves. How the parts fit together:
 * stress_internal.h. */
#include "stress.h"
#include "stress_internal.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stress_setup stress;
static shared_state shared_local; /* the shared counters when nobody else shares them */
static HANDLE shared_map;


/* The run's configuration in one line (the STRESS line's parenthesis). */
static char *config_text(void)
{
    const ps_stress_opts *o = stress.opts;
    char sizes[300];
    ps_buf b;
    ps_sizemix_format(&o->sizes, sizes, sizeof sizes);
    ps_buf_init(&b);
    ps_buf_printf(&b, "%s server, %s protocol, %s, %s, %s",
                  o->server == PS_SS_BUILTIN ? "builtin" : o->server == PS_SS_REFERENCE ? "reference"
                  : o->server == PS_SS_CMD ? "command" : "running",
                  o->proto == PS_SP_SAMPLE ? "sample" : "builtin", o->stream ? "stream" : "reqresp",
                  o->byte_mode ? "byte" : "message", o->churn ? "churn" : "persistent");
    if (o->nscale) {
        int i;
        ps_buf_adds(&b, ", clients ");
        for (i = 0; i < o->nscale; i++) ps_buf_printf(&b, "%s%d", i ? "," : "", o->scale[i]);
    } else ps_buf_printf(&b, ", %d client%s", o->clients, o->clients == 1 ? "" : "s");
    if (o->connections) ps_buf_printf(&b, ", %d connections", o->connections);
    if (o->processes > 1) ps_buf_printf(&b, ", %d processes", o->processes);
    if (o->requests) ps_buf_printf(&b, ", %" PRIu64 " requests", o->requests);
    else ps_buf_printf(&b, ", %g s", o->duration_s);
    if (o->nscale) ps_buf_adds(&b, " per round");
    ps_buf_printf(&b, ", sizes %s", sizes);
    if (o->rate > 0) ps_buf_printf(&b, ", rate %g/s", o->rate);
    if (o->p_mid > 0) ps_buf_printf(&b, ", mid-message %g", o->p_mid);
    if (o->p_leave > 0) ps_buf_printf(&b, ", connect-leave %g", o->p_leave);
    if (o->p_slow > 0) ps_buf_printf(&b, ", slow-reader %g", o->p_slow);
    if (o->restart_every) ps_buf_printf(&b, ", restart every %" PRIu64, o->restart_every);
    ps_buf_printf(&b, ", seed %" PRIu64, o->seed);
    return ps_buf_steal(&b);
}

static int console_stderr(void)
{
    DWORD m;
    return GetConsoleMode(GetStdHandle(STD_ERROR_HANDLE), &m) != 0;
}

/* The counters shared with the client processes: a named mapping the harness creates
 * and its client processes open, or this process's own. 0 ok, -1 (a client process
 * that cannot open it). */
static int setup_shared(void)
{
    if (stress.opts->worker) {
        wchar_t *w = ps_wide(stress.opts->shared_name ? stress.opts->shared_name : "");
        shared_map = OpenFileMappingW(FILE_MAP_ALL_ACCESS, FALSE, w);
        free(w);
    } else if (stress.opts->processes > 1) {
        wchar_t *w;
        snprintf(stress.shared_name, sizeof stress.shared_name, "Local\\pipespec-stress-%lu-%lu", GetCurrentProcessId(),
                 GetTickCount());
        w = ps_wide(stress.shared_name);
        shared_map = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, sizeof(shared_state), w);
        free(w);
    }
    if (shared_map) stress.shared = MapViewOfFile(shared_map, FILE_MAP_ALL_ACCESS, 0, 0, sizeof(shared_state));
    if (!stress.shared) {
        if (stress.opts->worker) return -1;
        stress.shared = &shared_local;
    }
    return 0;
}

/* Everything but the server and the rounds: the clock, the shared counters, the seed,
 * the pipe's name, the message contents, the job object. 0 ok, -1 (said on stderr). */
static int setup_process(ps_stress_opts *opts)
{
    round_state_init();
    if (setup_shared()) {
        fprintf(stderr, "pipespec stress: the client process cannot open the harness's shared state\n");
        return -1;
    }
    if (!opts->seed) {
        LARGE_INTEGER c;
        QueryPerformanceCounter(&c);
        opts->seed = ((uint64_t)c.QuadPart ^ ((uint64_t)GetCurrentProcessId() << 20)) & 0xFFFFFFFFull;
        if (!opts->seed) opts->seed = 1;
    }
    /* the pipe */
    if (opts->server == PS_SS_PIPE || (opts->server == PS_SS_BUILTIN && opts->server_pipe))
        stress.pipe_name = ps_xstrdup(opts->server_pipe);
    else stress.pipe_name = ps_sprintf("pipespec-stress-%lu-%lu", GetCurrentProcessId(), GetTickCount());
    {
        char *full = ps_sprintf("\\\\.\\pipe\\%s", stress.pipe_name);
        stress.pipe_w = ps_wide(full);
        free(full);
    }
    stress.max_msg = ps_sizemix_max(&opts->sizes);
    /* the mid-message fault's request; a server for unknown clients (--serve-only)
     * accepts it too */
    if ((opts->p_mid > 0 || opts->serve_only) && stress.max_msg < FAULT_SIZE) stress.max_msg = FAULT_SIZE;
    if (stress.max_msg < PS_SAMPLE_RESPONSE_SIZE) stress.max_msg = PS_SAMPLE_RESPONSE_SIZE;
    ps_msgpat_init(&stress.pattern, stress.max_msg);
    ps_sample_fill(stress.sample_rsp, sizeof stress.sample_rsp, 1);
    stress.job = CreateJobObjectW(NULL, NULL);
    if (stress.job) {
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
        memset(&lim, 0, sizeof lim);
        lim.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(stress.job, JobObjectExtendedLimitInformation, &lim, sizeof lim);
    }
    return 0;
}

/* --serve-only: the builtin server until the process is ended. Returns only on failure. */
static int serve_only(void)
{
    const ps_stress_opts *o = stress.opts;
    if (builtin_server_start(SPARE)) {
        fprintf(stderr, "pipespec stress: cannot create \\\\.\\pipe\\%s\n", stress.pipe_name);
        return 2;
    }
    printf("pipespec stress: serving \\\\.\\pipe\\%s (%s protocol, %s)\n", stress.pipe_name,
           o->proto == PS_SP_SAMPLE ? "sample" : "builtin", o->byte_mode ? "byte" : "message");
    fflush(stdout);
    for (;;) Sleep(60000);
}

/* --worker: a client process runs its share of one round and writes it on stdout. */
static int run_client_process(supervisor *sup)
{
    ps_round r;
    ps_buf b;
    run_round(sup, &r, stress.opts->clients, 1, 0);
    ps_buf_init(&b);
    ps_round_write(&b, &r);
    fwrite(b.data, 1, b.len, stdout);
    fflush(stdout);
    ps_buf_free(&b);
    ps_round_free(&r);
    return 0;
}

/* The run's description: the options, where and when it runs. */
static void run_describe(ps_stress_run *run, const ps_stress_opts *opts)
{
    char when[32];
    ps_stress_run_init(run);
    run->opts = *opts;
    run->seed = opts->seed;
    run->stream = opts->stream;
    run->byte_mode = opts->byte_mode;
    run->churn = opts->churn;
    run->proto_sample = opts->proto == PS_SP_SAMPLE;
    run->rate = opts->rate;
    run->platform = ps_xstrdup(ps_platform_describe());
    run->version = ps_xstrdup(PIPESPEC_VERSION);
    ps_iso_now(when, sizeof when);
    run->started = ps_xstrdup(when);
    run->config = config_text();
    run->pipe = ps_sprintf("\\\\.\\pipe\\%s", stress.pipe_name);
}

/* Starts (or finds) the server and takes its start measurement. 0 ok, -1 (said on
 * stderr). */
static int server_begin(supervisor *sup)
{
    const ps_stress_opts *o = stress.opts;
    ps_stress_run *run = sup->run;
    int i;
    switch (o->server) {
    case PS_SS_BUILTIN: {
        int prepare = o->connections ? o->connections : o->clients;
        for (i = 0; i < o->nscale; i++)
            if (o->scale[i] > prepare) prepare = o->scale[i];
        if (prepare > 4096) prepare = 4096;
        if (builtin_server_start(prepare)) {
            fprintf(stderr, "pipespec stress: cannot create \\\\.\\pipe\\%s\n", stress.pipe_name);
            return -1;
        }
        run->server_desc = ps_sprintf("builtin (in the harness: %d I/O thread%s, overlapped, completion port)",
                                      builtin_server_threads(), builtin_server_threads() == 1 ? "" : "s");
        break;
    }
    case PS_SS_REFERENCE:
    case PS_SS_CMD:
        if (server_proc_launch()) return -1;
        sup->server = server_proc.proc;
        run->server_desc = ps_sprintf("%s (pid %lu)", server_proc.cmdline, server_proc.pid);
        break;
    default:
        if (!WaitNamedPipeW(stress.pipe_w, 0) && GetLastError() == ERROR_FILE_NOT_FOUND) {
            fprintf(stderr, "pipespec stress: no server on \\\\.\\pipe\\%s\n", stress.pipe_name);
            return -1;
        }
        sup->server = find_server_process();
        if (sup->server) cpu_decide_spawn();
        run->server_desc = sup->server ? ps_sprintf("a running server (pid %lu)", GetProcessId(sup->server))
                                       : ps_xstrdup("a running server (its process could not be opened)");
        break;
    }
    if (sup->server) {
        run->server[0] = measure_process(sup->server, 0, 1);
        if (run->server[0].handles < 0)
            snprintf(run->server_handles_note, sizeof run->server_handles_note, "%s",
                     *handles_note() ? handles_note() : "n/a (the server's handles cannot be duplicated for counting)");
    } else if (o->server == PS_SS_PIPE)
        snprintf(run->server_handles_note, sizeof run->server_handles_note, "n/a (server process not found)");
    sup->next_restart = o->restart_every ? (double)o->restart_every : 0;
    return 0;
}

/* The rounds: one, or one per --scale count, until one is stopped. */
static void run_rounds(supervisor *sup, int progress)
{
    const ps_stress_opts *o = stress.opts;
    ps_stress_run *run = sup->run;
    int i, nrounds = o->nscale ? o->nscale : 1;
    run->rounds = ps_xcalloc((size_t)nrounds, sizeof(ps_round));
    for (i = 0; i < nrounds && !stress.shared->stop; i++) {
        int clients = o->nscale ? o->scale[i] : o->clients;
        if (o->processes > clients) {
            fprintf(stderr, "pipespec stress: round %d: %d clients cannot fill %d processes\n", i + 1, clients,
                    o->processes);
            break;
        }
        run->nrounds = i + 1;
        run_round(sup, &run->rounds[i], clients, i == nrounds - 1, progress);
    }
    if (sup->restart_failed) {
        run->server_died = 1;
        snprintf(run->server_died_note, sizeof run->server_died_note, "restart failed: %s", sup->restart_err);
    }
}

/* The end: the server idle, then measured (memory, handles, CPU); then everything
 * stopped. */
static void server_end(supervisor *sup)
{
    const ps_stress_opts *o = stress.opts;
    ps_stress_run *run = sup->run;
    if (sup->server) {
        Sleep(100);
        run->server[2] = measure_process(sup->server, 0, 1);
        if (!run->server_restarts) /* the end of the load, the server idle */
            ps_leak_add(&run->leak_server, run->server[2].t_ms, (double)stress.shared->done,
                        run->server[2].private_bytes, run->server[2].handles, 1);
        if (o->server != PS_SS_PIPE) {
            double c = cpu_other_ms(sup->server);
            run->cpu_server_ms = c >= 0 ? c + server_proc.cpu_before : -1;
        } else run->cpu_server_ms = cpu_other_ms(sup->server);
        snprintf(run->cpu_server_note, sizeof run->cpu_server_note, "%s", cpu_source_note());
        if (run->cpu_server_ms < 0 && !run->cpu_server_note[0])
            snprintf(run->cpu_server_note, sizeof run->cpu_server_note, "the server's times could not be read");
    }
    if (builtin_server_running()) builtin_server_stop();
    if (server_proc.proc) server_proc_kill();
    if (sup->server && sup->server != server_proc.proc && o->server == PS_SS_PIPE) CloseHandle(sup->server);
}

/* The verdict and its outputs: summary, --json, --report-dir. 0 pass, 1 fail, 2 a
 * report could not be written. */
static int run_results(ps_stress_run *run)
{
    const ps_stress_opts *o = stress.opts;
    ps_stress_evaluate(run);
    if (!o->quiet) ps_stress_summary(o->json ? stderr : stdout, run);
    if (o->json) {
        ps_buf b;
        ps_buf_init(&b);
        ps_stress_json(&b, run);
        fwrite(b.data, 1, b.len, stdout);
        ps_buf_free(&b);
    }
    fflush(stdout);
    fflush(stderr);
    if (o->report_dir) {
        const char *failed = NULL;
        wchar_t *wd = ps_wide(o->report_dir);
        CreateDirectoryW(wd, NULL);
        free(wd);
        if (ps_stress_write_reports(o->report_dir, run, &failed)) {
            fprintf(stderr, "pipespec stress: cannot write %s in %s\n", failed ? failed : "a report", o->report_dir);
            return 2;
        }
    }
    return run->ok ? 0 : 1;
}

int ps_stress_main(int argc, char **argv)
{
    static ps_stress_opts opts;
    static ps_stress_run run;
    static supervisor sup;
    char err[400];
    int rc, progress;
    double cpu0;

    rc = ps_stress_parse(argc, argv, &opts, err, sizeof err);
    if (rc == 1) {
        fputs(ps_stress_usage(), stdout);
        return 0;
    }
    if (rc < 0) {
        fprintf(stderr, "pipespec stress: %s\n\n%s", err, ps_stress_usage());
        return 2;
    }
    stress.opts = &opts;
    stress.t0 = opts.worker ? opts.t0_ms : ps_now_ms();
    cpu0 = cpu_ms(GetCurrentProcess());
    if (setup_process(&opts)) return 2;
    if (opts.serve_only) return serve_only();
    if (opts.worker) return run_client_process(&sup);

    run_describe(&run, &opts);
    sup.run = &run;
    progress = opts.progress == -1 ? console_stderr() : opts.progress;
    if (opts.quiet) progress = 0;
    run.harness[0] = measure_process(GetCurrentProcess(), 1, 1);
    snprintf(run.harness_handles_note, sizeof run.harness_handles_note, "%s", handles_note());
    if (server_begin(&sup)) return 2;
    run_rounds(&sup, progress);
    server_end(&sup);
    run.handles_count_ms[0] = handles_count_max_ms(1);
    run.handles_count_ms[1] = handles_count_max_ms(0);
    run.cpu_harness_ms = cpu_ms(GetCurrentProcess()) >= 0 && cpu0 >= 0 ? cpu_ms(GetCurrentProcess()) - cpu0 : -1;
    ps_stress_run_mem(&run, ps_now_ms() - stress.t0, private_bytes(GetCurrentProcess()), -1);
    rc = run_results(&run);
    if (rc == 2) return 2;
    if (stress.job) CloseHandle(stress.job);
    return rc;
}
