/* stress_round.c: one round of `pipespec stress`: the client threads of this process
 * (or the client processes) set up and released together, supervised by the main
 * thread every TICK_MS (progress, memory series, leak samples, the warm measurement,
 * restarts, a server that died, requests blocked too long), then measured and merged. */
#include "stress_internal.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct round_state live_round;

/* One run_round call: what its steps share. */
typedef struct {
    ps_round *r;
    int clients, last, progress;
    int nproc;       /* client processes this round starts (the harness with --processes) */
    int share_count; /* processes the load is shared by (1 in the harness) */
    int share_index; /* this process's share */
    int local;       /* client threads in this process */
    worker *ws;
    child kids[MAX_PROCS];
    double t_measure, cpu_start;
    double last_sample, last_prog, last_leak; /* when each periodic task last ran */
    double prog_t;   /* the progress line's rate: since this time ... */
    LONG64 prog_done;/* ... and this count */
} round_run;

void round_state_init(void)
{
    InitializeCriticalSection(&live_round.lock);
    live_round.connect = CreateEventW(NULL, TRUE, FALSE, NULL);
    live_round.start = CreateEventW(NULL, TRUE, FALSE, NULL);
    live_round.release = CreateEventW(NULL, TRUE, FALSE, NULL);
    live_round.all_finished = CreateEventW(NULL, TRUE, FALSE, NULL);
}

void report_incident(const char *fmt, ...)
{
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    EnterCriticalSection(&live_round.lock);
    if (live_round.round) ps_round_incident(live_round.round, buf);
    LeaveCriticalSection(&live_round.lock);
}

/* The leak samples (stress_leak.h): memory and handles of the harness and the
 * server process (or, in a client process, of itself) against the requests done,
 * during the last round's load. */
static double leak_interval(const supervisor *sup)
{
    return stress.opts->worker ? sup->own_leak.interval_ms : sup->run->leak_harness.interval_ms;
}

/* Adds one sample; `self` is a measurement of this process just taken, or NULL. */
static void leak_sample(supervisor *sup, const ps_procmem *self, int force)
{
    double t = ps_now_ms() - stress.t0, work = (double)stress.shared->done;
    ps_procmem m = self ? *self : measure_process(GetCurrentProcess(), 1, PS_HANDLES_PACED);
    if (stress.opts->worker) {
        ps_leak_add(&sup->own_leak, t, work, m.private_bytes, m.handles, force);
        return;
    }
    ps_leak_add(&sup->run->leak_harness, t, work, m.private_bytes, m.handles, force);
    if (sup->server && !stress.shared->restarting && !force) {
        m = measure_process(sup->server, 0, PS_HANDLES_PACED);
        ps_leak_add(&sup->run->leak_server, t, work, m.private_bytes, m.handles, 0);
    }
}

static double progress_fraction(double elapsed_ms, uint64_t total_requests)
{
    if (total_requests) return (double)stress.shared->done / (double)total_requests;
    return elapsed_ms / (stress.opts->duration_s * 1000.0);
}

static void progress_print(double elapsed_ms, double *last_t, LONG64 *last_done, int final)
{
    char line[160];
    double t = ps_now_ms(), rps = 0;
    LONG64 done = stress.shared->done;
    if (t > *last_t) rps = (double)(done - *last_done) * 1000.0 / (t - *last_t);
    *last_t = t;
    *last_done = done;
    if (final) {
        fprintf(stderr, "\r%-100s\r", "");
        return;
    }
    ps_stress_progress_text(line, sizeof line, elapsed_ms / 1000.0, rps, (uint64_t)done,
                            (uint64_t)stress.shared->errors, (uint64_t)stress.shared->busy);
    fprintf(stderr, "\r%-100s", line);
    fflush(stderr);
}

/* Clears the round state for a new round into rr->r. */
static void round_reset(round_run *rr)
{
    const ps_stress_opts *o = stress.opts;
    ps_round_init(rr->r, SAMPLE_MS);
    rr->r->clients = rr->clients;
    rr->r->connections = o->connections;
    EnterCriticalSection(&live_round.lock);
    live_round.round = rr->r;
    LeaveCriticalSection(&live_round.lock);
    live_round.limit = o->requests ? ps_stress_share(o->requests, rr->share_count, rr->share_index) : 0;
    live_round.claimed = 0;
    live_round.ready = live_round.finished = live_round.started = 0;
    live_round.nseen = 0;
    live_round.running = rr->local;
    ResetEvent(live_round.connect);
    ResetEvent(live_round.start);
    ResetEvent(live_round.release);
    ResetEvent(live_round.all_finished);
    if (!o->worker) stress.shared->stop = 0;
    if (builtin_server_running()) builtin_server_counters(&live_round.server_base);
}

/* The client threads' state: numbered from `first`, sharing `conns` connections. */
static void workers_create(round_run *rr, int first, int conns)
{
    const ps_stress_opts *o = stress.opts;
    int i;
    if (rr->local) rr->ws = ps_xcalloc((size_t)rr->local, sizeof *rr->ws);
    for (i = 0; i < rr->local; i++) {
        worker *w = &rr->ws[i];
        int k;
        w->index = first + i;
        w->nconns = o->churn ? 1 : (int)ps_stress_share((uint64_t)conns, rr->local, i);
        if (w->nconns < 1) w->nconns = 1;
        w->conns = ps_xcalloc((size_t)w->nconns, sizeof(cconn));
        for (k = 0; k < w->nconns; k++) w->conns[k].h = INVALID_HANDLE_VALUE;
        ps_hist_init(&w->lat, PS_LAT_SUB_BITS, PS_LAT_MAX_BITS);
        ps_rng_seed(&w->rng, o->seed, (uint64_t)w->index);
        w->tx = ps_xmalloc(stress.max_msg ? stress.max_msg : 1);
        if (o->proto == PS_SP_BUILTIN) ps_msg_build(&stress.pattern, w->tx, 0, 0, 0, (uint32_t)stress.max_msg);
        w->rxcap = stress.max_msg + 1 > PS_SAMPLE_RESPONSE_SIZE + 1 ? stress.max_msg + 1 : PS_SAMPLE_RESPONSE_SIZE + 1;
        w->rx = ps_xmalloc(w->rxcap);
        w->ev = CreateEventW(NULL, TRUE, FALSE, NULL);
    }
}

/* Starts the client threads and lets them connect. Memory per connection is measured
 * around the connections alone, the client threads already running; every connection
 * is made before the clock starts. */
static void workers_connect(round_run *rr)
{
    int i;
    for (i = 0; i < rr->local; i++)
        rr->ws[i].thread =
            CreateThread(NULL, THREAD_STACK, worker_main, &rr->ws[i], STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    while (live_round.started < rr->local) Sleep(2);
    rr->r->mem_before = private_bytes(GetCurrentProcess());
    SetEvent(live_round.connect);
    while (live_round.ready < rr->local) Sleep(2);
    rr->r->mem_connected = private_bytes(GetCurrentProcess());
    for (i = 0; i < rr->local; i++) rr->r->held += rr->ws[i].held;
}

/* Starts the clock, the pacing and the client processes, and releases the load. */
static void load_start(supervisor *sup, round_run *rr)
{
    const ps_stress_opts *o = stress.opts;
    char err[300];
    int i;
    rr->t_measure = ps_now_ms();
    rr->cpu_start = rr->local ? cpu_ms(GetCurrentProcess()) : -1;
    live_round.series_t0 = o->worker ? o->t0_ms : rr->t_measure;
    live_round.deadline = o->requests ? 0 : rr->t_measure + o->duration_s * 1000.0;
    live_round.use_rl = o->rate > 0;
    if (live_round.use_rl) ps_rl_init(&live_round.rl, o->rate / rr->share_count, o->burst, rr->t_measure);
    for (i = 0; i < rr->nproc; i++)
        if (child_start(&rr->kids[i], i, rr->clients, rr->t_measure, err, sizeof err)) {
            /* counted by children_collect as a client process without a result */
            fprintf(stderr, "pipespec stress: %s\n", err);
            memset(&rr->kids[i], 0, sizeof rr->kids[i]);
            ps_buf_init(&rr->kids[i].text);
        }
    if (rr->last && o->worker) ps_leak_init(&sup->own_leak);
    SetEvent(live_round.start);
}

/* This process's memory and handles (and the server's) for the warm column. */
static void take_warm_measurement(supervisor *sup, round_run *rr, int with_server)
{
    sup->warm_taken = 1;
    if (stress.opts->worker) rr->r->proc_warm[0] = measure_process(GetCurrentProcess(), 1, 1);
    else {
        sup->run->harness[1] = measure_process(GetCurrentProcess(), 1, 1);
        if (with_server && sup->server) sup->run->server[1] = measure_process(sup->server, 0, 1);
    }
}

/* The periodic samples: progress line, memory series, leak samples and the warm
 * measurement (the last round 10 % in, every connection made). */
static void supervise_samples(supervisor *sup, round_run *rr, double now, double elapsed)
{
    const ps_stress_opts *o = stress.opts;
    if (rr->progress && now - rr->last_prog >= SAMPLE_MS) {
        progress_print(elapsed, &rr->prog_t, &rr->prog_done, 0);
        rr->last_prog = now;
    }
    if (!o->worker && now - rr->last_sample >= SAMPLE_MS) {
        ps_stress_run_mem(sup->run, now - stress.t0, private_bytes(GetCurrentProcess()), private_bytes(sup->server));
        rr->last_sample = now;
    }
    if (rr->last && now - rr->last_leak >= leak_interval(sup)) {
        leak_sample(sup, NULL, 0);
        rr->last_leak = now;
    }
    if (rr->last && !sup->warm_taken && progress_fraction(elapsed, o->requests) >= 0.10)
        take_warm_measurement(sup, rr, 1);
}

/* --restart-every: restarts the server process when its count of requests is done;
 * and notes a server process that died on its own (which stops the run). */
static void supervise_server(supervisor *sup, double elapsed)
{
    const ps_stress_opts *o = stress.opts;
    ps_stress_run *run = sup->run;
    if (o->restart_every && server_proc.proc && !sup->restart_failed &&
        (double)stress.shared->done >= sup->next_restart) {
        sup->next_restart += (double)o->restart_every;
        if (server_proc_restart(sup->restart_err, sizeof sup->restart_err)) {
            sup->restart_failed = 1;
            stress.shared->stop = 1;
        } else {
            run->server_restarts++;
            sup->server = server_proc.proc;
        }
    }
    if (server_proc.proc && !stress.shared->restarting && WaitForSingleObject(server_proc.proc, 0) == WAIT_OBJECT_0 &&
        !run->server_died) {
        DWORD code = 0;
        GetExitCodeProcess(server_proc.proc, &code);
        run->server_died = 1;
        snprintf(run->server_died_note, sizeof run->server_died_note,
                 "the server exited with code %lu (0x%08lx) %.1f s into round %d", code, code, elapsed / 1000.0,
                 run->nrounds);
        stress.shared->stop = 1;
    }
}

/* Cancels requests blocked longer than --request-timeout. */
static void cancel_blocked_requests(round_run *rr, double now)
{
    int i;
    for (i = 0; i < rr->local; i++) {
        worker *w = &rr->ws[i];
        if (w->in_req && now - w->req_t0 > stress.opts->request_timeout_ms) {
            InterlockedExchange64(&w->cancel_id, w->req_id);
            CancelSynchronousIo(w->thread);
        }
    }
}

/* Supervises the load until the clients (threads or processes) are done. */
static void supervise(supervisor *sup, round_run *rr)
{
    int kids_left = rr->nproc, i;
    for (;;) {
        double now = ps_now_ms(), elapsed = now - rr->t_measure;
        int clients_done = !rr->local || WaitForSingleObject(live_round.all_finished, 0) == WAIT_OBJECT_0;
        if (kids_left) {
            kids_left = 0;
            for (i = 0; i < rr->nproc; i++)
                if (rr->kids[i].proc && WaitForSingleObject(rr->kids[i].proc, 0) != WAIT_OBJECT_0) kids_left++;
        }
        if (clients_done && !kids_left) break;
        supervise_samples(sup, rr, now, elapsed);
        if (!stress.opts->worker) supervise_server(sup, elapsed);
        cancel_blocked_requests(rr, now);
        if (rr->local && clients_done) {
            /* the load is over: the end measurement, with the clients' connections open */
            break;
        }
        if (rr->local) WaitForSingleObject(live_round.all_finished, TICK_MS);
        else Sleep(TICK_MS);
    }
}

/* The load of this process's threads is over: its CPU and wall time, the end
 * measurement of the last round (the connections still open), then the threads go. */
static void load_end(supervisor *sup, round_run *rr)
{
    double t_end = 0;
    int i;
    if (rr->cpu_start >= 0 && cpu_ms(GetCurrentProcess()) >= 0)
        rr->r->cpu_ms = cpu_ms(GetCurrentProcess()) - rr->cpu_start;
    for (i = 0; i < rr->local; i++)
        if (rr->ws[i].t_last > t_end) t_end = rr->ws[i].t_last;
    rr->r->wall_ms = t_end - rr->t_measure;
    if (rr->last) {
        if (!sup->warm_taken) take_warm_measurement(sup, rr, 0); /* too short to see 10 %: warm = end */
        if (stress.opts->worker) {
            ps_round *r = rr->r;
            r->proc_end[0] = measure_process(GetCurrentProcess(), 1, 1);
            r->nprocs = 1;
            leak_sample(sup, &r->proc_end[0], 1);
            ps_leak_fit(&sup->own_leak, 0, &r->proc_fit[0][0]);
            ps_leak_fit(&sup->own_leak, 1, &r->proc_fit[0][1]);
        } else {
            sup->run->harness[2] = measure_process(GetCurrentProcess(), 1, 1);
            leak_sample(sup, &sup->run->harness[2], 1);
        }
    }
    SetEvent(live_round.release);
    for (i = 0; i < rr->local; i++) {
        WaitForSingleObject(rr->ws[i].thread, INFINITE);
        CloseHandle(rr->ws[i].thread);
    }
}

/* The client threads' counts and latencies into the round; their state freed. */
static void workers_merge(round_run *rr)
{
    int i;
    for (i = 0; i < rr->local; i++) {
        worker *w = &rr->ws[i];
        ps_counters_merge(&rr->r->c, &w->c);
        ps_hist_merge(&rr->r->lat, &w->lat);
        ps_hist_free(&w->lat);
        free(w->conns);
        free(w->tx);
        free(w->rx);
        free(w->big);
        free(w->fov);
        CloseHandle(w->ev);
    }
    free(rr->ws);
    rr->ws = NULL;
}

/* The builtin server's own counts for the round, once it has seen every client leave. */
static void server_counts(ps_round *r)
{
    const ps_server_counters *base = &live_round.server_base;
    double until = ps_now_ms() + 5000;
    ps_server_counters now;
    while (builtin_server_active() > 0 && ps_now_ms() < until) Sleep(2);
    if (builtin_server_active() > 0) {
        EnterCriticalSection(&live_round.lock);
        ps_round_incident(r, "server: connections still open 5 s after the clients left");
        LeaveCriticalSection(&live_round.lock);
    }
    builtin_server_counters(&now);
    r->srv.connections = now.connections - base->connections;
    r->srv.requests = now.requests - base->requests;
    r->srv.responses = now.responses - base->responses;
    r->srv.corrupt = now.corrupt - base->corrupt;
    r->srv.client_left = now.client_left - base->client_left;
    r->srv.client_aborted = now.client_aborted - base->client_aborted;
    r->srv.errors = now.errors - base->errors;
    r->srv.instances = now.instances - base->instances;
    r->have_server = 1;
}

int run_round(supervisor *sup, ps_round *r, int clients, int last, int progress)
{
    const ps_stress_opts *o = stress.opts;
    round_run rr;
    int first = 0, i, conns_total = o->connections ? o->connections : clients;
    memset(&rr, 0, sizeof rr);
    rr.r = r;
    rr.clients = clients;
    rr.last = last;
    rr.progress = progress;
    rr.nproc = (o->processes > 1 && !o->worker) ? o->processes : 0;
    rr.share_index = o->worker ? o->worker_index : 0;
    rr.share_count = o->worker ? o->processes : 1;
    rr.local = rr.nproc ? 0 : (int)ps_stress_share((uint64_t)clients, rr.share_count, rr.share_index);
    rr.prog_t = ps_now_ms();
    rr.prog_done = stress.shared->done;
    for (i = 0; i < rr.share_index; i++) first += (int)ps_stress_share((uint64_t)clients, rr.share_count, i);

    round_reset(&rr);
    workers_create(&rr, first, (int)ps_stress_share((uint64_t)conns_total, rr.share_count, rr.share_index));
    workers_connect(&rr);
    load_start(sup, &rr);
    supervise(sup, &rr);
    if (rr.local) load_end(sup, &rr);
    r->t_begin_ms = rr.t_measure - (o->worker ? o->t0_ms : stress.t0);
    if (progress) progress_print(0, &rr.prog_t, &rr.prog_done, 1);
    workers_merge(&rr);
    if (rr.nproc) {
        children_collect(r, rr.kids, rr.nproc);
        if (last) {
            sup->run->harness[2] = measure_process(GetCurrentProcess(), 1, 1);
            leak_sample(sup, &sup->run->harness[2], 1);
        }
    }
    if (builtin_server_running() && !o->worker) server_counts(r);
    return 0;
}
