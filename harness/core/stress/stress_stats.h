/* stress_stats.h: what a stress run counts and measures, how the parts (threads,
 * client processes, rounds) add up, and the checks that decide its verdict.
 * Portable (no Win32): harness/win/stress.c fills these in, the report writers
 * (stress_report.h) print them, and the checks are unit-tested natively. */
#ifndef PS_STRESS_STATS_H
#define PS_STRESS_STATS_H
#include "hist.h"
#include "psutil.h"
#include "stress_leak.h"
#include "stress_opts.h"
#include <stdint.h>

/* Latency histograms: nanoseconds, 0.78 % resolution, up to 2^44 ns (4.9 h). */
#define PS_LAT_SUB_BITS 7
#define PS_LAT_MAX_BITS 44
/* The per-interval histograms of the time series: 6 % resolution, 2.4 KiB each. */
#define PS_SERIES_SUB_BITS 4
#define PS_SERIES_MAX_BITS 40
#define PS_SERIES_SLOTS 240  /* at most this many intervals; then they are merged in pairs */

/* ---- errors by name ("ERROR_BROKEN_PIPE (109)", "DATA_MISMATCH") */
#define PS_ERRMAP_MAX 48
typedef struct {
    char name[64];
    uint64_t count;    /* all */
    uint64_t expected; /* of which expected (during a server restart) */
} ps_errentry;
typedef struct {
    int n;
    ps_errentry e[PS_ERRMAP_MAX];
    uint64_t other; /* counts of names beyond PS_ERRMAP_MAX (never lost from the totals) */
} ps_errmap;
void ps_errmap_add(ps_errmap *m, const char *name, uint64_t count, uint64_t expected);
void ps_errmap_merge(ps_errmap *dst, const ps_errmap *src);

/* ---- the clients' counters (one set per client thread; merged) */
typedef struct {
    uint64_t ops;             /* request slots used: real requests + injected faults */
    uint64_t sent;            /* real requests started */
    uint64_t verified;        /* responses received and verified (stream: messages written) */
    uint64_t errors;          /* real requests that failed, whatever the reason */
    uint64_t errors_expected; /* of errors: expected (caused by a server restart) */
    uint64_t corrupt;         /* of errors: a response with a wrong byte, size or header */
    uint64_t busy;            /* ERROR_PIPE_BUSY on open (the client then waits and retries) */
    uint64_t wait_timeouts;   /* WaitNamedPipe timeouts (ERROR_SEM_TIMEOUT) */
    uint64_t connects;        /* connections made */
    uint64_t bytes_out, bytes_in;
    uint64_t fault_mid;       /* injected: left in the middle of a request */
    uint64_t fault_leave;     /* injected: connected and left */
    uint64_t slow_reads;      /* requests whose response was read slowly */
    ps_errmap errs;
} ps_counters;
void ps_counters_merge(ps_counters *dst, const ps_counters *src);

/* ---- the builtin server's counters (independent of the clients': the cross-check) */
typedef struct {
    uint64_t connections;  /* clients connected */
    uint64_t requests;     /* requests read and verified */
    uint64_t responses;    /* responses written in full */
    uint64_t corrupt;      /* requests with a wrong byte, size or header */
    uint64_t client_left;  /* clients that left before a request (fault or end of run) */
    uint64_t client_aborted; /* clients that left in the middle of a request */
    uint64_t errors;       /* other failed calls */
    uint64_t instances;    /* pipe instances created */
} ps_server_counters;

/* ---- the time series: per interval, completions, errors, bytes and latencies */
typedef struct {
    uint64_t n, errors, bytes;
    uint64_t lat_max;
    ps_hist h; /* PS_SERIES_* shape */
} ps_slot;
typedef struct {
    double interval_ms; /* doubles each time the slots are merged in pairs */
    int n;              /* slots in use */
    ps_slot slots[PS_SERIES_SLOTS];
} ps_series;
void ps_series_init(ps_series *s, double interval_ms);
void ps_series_free(ps_series *s);
/* Adds one completion at t_ms after the round's start (t < 0 counts as 0). */
void ps_series_add(ps_series *s, double t_ms, uint64_t lat_ns, uint64_t bytes, int error);
/* Adds src into dst, slot by slot at the same times (the finer one is coarsened). */
void ps_series_merge(ps_series *dst, const ps_series *src);

/* ---- process measurements (-1 = not available) */
typedef struct {
    double t_ms;
    int64_t private_bytes;
    int64_t working_set;
    long handles;
} ps_procmem;

/* A sample of the memory series: harness and server private bytes. */
typedef struct {
    double t_ms;
    int64_t harness, server;
} ps_memsample;
#define PS_MEM_SAMPLES 240

/* ---- one round: a load at one client count */
#define PS_INCIDENTS 8
typedef struct {
    int clients, connections;
    double wall_ms;       /* the measured window */
    double t_begin_ms;    /* its start, on the run's clock (client processes start apart) */
    double cpu_ms;        /* CPU time (user + kernel) of the harness (or client processes) in the window, -1 n/a */
    ps_counters c;
    ps_hist lat;          /* successful requests' latencies, ns */
    ps_series series;
    int have_server;      /* 1 when the builtin server's counters apply (srv) */
    ps_server_counters srv;
    int held;             /* connections held at once (persistent mode) */
    int64_t mem_connected;/* harness private bytes once every connection was made (-1 n/a) */
    int64_t mem_before;   /* ... and before the round's first connection */
    /* client processes (--processes): their own warm and end measurements, and the
     * growth of their memory [0] and handles [1] with the work (stress_leak.h) */
    int nprocs;
    ps_procmem proc_warm[64], proc_end[64];
    ps_leakfit proc_fit[64][2];
    /* the first unexpected errors, described */
    int nincidents;
    char incidents[PS_INCIDENTS][200];
} ps_round;
void ps_round_init(ps_round *r, double series_interval_ms);
void ps_round_free(ps_round *r);
/* Adds src (another thread or process of the same round) into dst. */
void ps_round_merge(ps_round *dst, const ps_round *src);
void ps_round_incident(ps_round *r, const char *text);

/* Serialized form of a round, for client processes to hand theirs to the parent: a
 * block of lines starting "PSSTRESS-ROUND 1" and ending "end". ps_round_read inits r
 * and returns 0, or -1 on malformed text (r left freed). */
void ps_round_write(ps_buf *b, const ps_round *r);
int ps_round_read(ps_round *r, const char *text);

/* ---- the checks and the verdict */
typedef enum { PS_CHECK_PASS, PS_CHECK_FAIL, PS_CHECK_NA } ps_check_state;
typedef struct {
    const char *name; /* "accounting", "integrity", "errors", "progress", "leak-memory-harness", ... */
    ps_check_state state;
    char detail[240];
} ps_check;
#define PS_MAX_CHECKS 16

typedef struct {
    /* what ran */
    char *platform, *version, *started;
    char *server_desc;    /* "builtin", "reference_server.exe --clients 0", the command, or the pipe */
    char *pipe;           /* full name */
    char *config;         /* the effective options, one line */
    uint64_t seed;
    int stream, byte_mode, churn, proto_sample;
    double rate;
    ps_stress_opts opts;  /* the options (strings may point into argv) */
    ps_round *rounds;
    int nrounds;
    /* measurements: start (before any client), warm (the last round 10 % in), end
     * (clients stopped, server idle) */
    ps_procmem harness[3], server[3];
    char server_handles_note[120];  /* why the server's handles are not measured, if so */
    char harness_handles_note[160]; /* why the harness's handles are not measured, if so */
    /* the longest one count of handles took (harness, server), ms: where it is counted
     * one value at a time (Wine 8), it is paced, and a leak check may lack samples */
    double handles_count_ms[2];
    /* memory and handles against requests served during the last round's load, for
     * the leak checks (stress_leak.h) */
    ps_leakseries leak_harness, leak_server;
    double cpu_harness_ms, cpu_server_ms; /* user + kernel, -1 n/a */
    char cpu_server_note[160]; /* why the server's CPU time is n/a, or how it was measured */
    int server_restarts;
    int server_died;      /* the server process ended without being asked to */
    char server_died_note[160];
    int nmem;
    ps_memsample mem[PS_MEM_SAMPLES];
    double mem_interval_ms;
    /* verdict */
    int nchecks;
    ps_check checks[PS_MAX_CHECKS];
    int ok;
} ps_stress_run;

/* ---- the CPU time of another process (the server): which source is right here.
 * Under Wine (8.0, 10.0) GetProcessTimes on another process answers the caller's own
 * times, so it is checked once on a process known not to have run (created
 * suspended): the readings, in ms (-1 not available), are this process's own
 * GetProcessTimes before and after (own_before must be well above the clock's tick,
 * PS_CPU_OWN_MIN_MS), GetProcessTimes of the idle process, and the times
 * NtQuerySystemInformation(SystemProcessInformation) gives for this process and the
 * idle one. A source is right when it tells the idle process from this one (less than
 * own_before by more than a tick) and, for SystemProcessInformation, agrees with
 * GetProcessTimes about this process. Returns the source, with a note for the
 * report ("" for GetProcessTimes, the ordinary source). */
typedef enum { PS_CPU_NA, PS_CPU_GPT, PS_CPU_SPI } ps_cpu_source;
#define PS_CPU_OWN_MIN_MS 100.0
#define PS_CPU_TICK_MS 16.0
ps_cpu_source ps_cpu_choose(double own_before, double own_after, double idle_gpt, double self_spi, double idle_spi,
                            char *note, size_t n);

void ps_stress_run_init(ps_stress_run *run);
void ps_stress_run_free(ps_stress_run *run);
/* Adds a memory sample, halving the series when it is full. */
void ps_stress_run_mem(ps_stress_run *run, double t_ms, int64_t harness, int64_t server);

/* Decides every check from the counters and measurements and sets run->ok.
 * The rules (docs/STRESS.md):
 *  accounting: every round's sent = verified + errors and operations = sent +
 *    faults; with the builtin server also, F being the requests abandoned mid-message
 *    (which may still arrive whole): server responses >= verified, server responses
 *    - verified <= errors + F, server requests <= sent + F (stream: verified <=
 *    server requests + corrupt <= verified + F);
 *  integrity: no corrupt response or request (n/a when nothing was verified);
 *  errors: no unexpected error (an error is expected only during a server restart);
 *  progress: every round verified at least one request;
 *  leak-*: the growth of private bytes and handles with the work over the later half
 *    of the last round's load (stress_leak.h) <= the bounds, for the harness (each
 *    client process) and the server (n/a when not measurable, too short or restarted);
 *  server: a server the harness started is still running, unless restarts were asked;
 *  connections: every connection asked with --connections was held at once. */
void ps_stress_evaluate(ps_stress_run *run);
#endif
