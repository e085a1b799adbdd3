/* stress_internal.h: what the Win32 files of `pipespec stress` share (docs/STRESS.md).
 *
 * What runs where:
 *  - Clients are worker threads of this process (or of --processes client processes,
 *    which are this program again with --worker). A worker owns one or more
 *    connections (--connections spreads them over the workers) and runs blocking
 *    requests on them one at a time, drawing every choice (size, fault, slow read)
 *    from its own seeded stream, so a run is repeatable per client.
 *  - The builtin server is overlapped I/O on an I/O completion port with a few
 *    threads: any number of connections costs a small struct and two buffers each
 *    (under Wine a thread costs about 1 MB of resident memory, so a thread per
 *    connection could not hold 1,000 connections within the memory target). It
 *    verifies every request and counts on its own, which the checks compare with
 *    what the clients counted.
 *  - The reference server (--server reference) and a server under test
 *    (--server-cmd) are child processes in a job object, stdout and stderr to NUL,
 *    restarted on request (--restart-every); --server-pipe targets a running server.
 *  - The main thread supervises: it releases the clients once every connection is
 *    made, draws the progress line, samples memory, takes the warm and end
 *    measurements, restarts the server, cancels requests blocked longer than
 *    --request-timeout (CancelSynchronousIo) and stops a timed run.
 *
 * The files, one program each:
 *   stress_server.c     the builtin server (completion port)
 *   stress_measure.c    handles, memory and CPU time of a process
 *   stress_procs.c      the server process: start, restart, kill, find
 *   stress_client.c     client workers: connections, requests, faults
 *   stress_clientproc.c client processes (--processes): start one, collect their rounds
 *   stress_round.c      the round in progress and its supervisor
 *   stress_main.c       the entry point: set-up, rounds, end, reports
 * Every Win32 call of stress lives in these files; counting, checks and reports are
 * the portable core (harness/core/stress/). */
#ifndef STRESS_INTERNAL_H
#define STRESS_INTERNAL_H
#include "platform.h"
#include "cli.h"
#include "errors.h"
#include "ratelimit.h"
#include "stress_opts.h"
#include "stress_proto.h"
#include "stress_report.h"
#include "stress_stats.h"
#include <stdint.h>

#define FAULT_SIZE (256u * 1024u) /* a mid-message fault's request: larger than any pipe buffer */
#define PIPE_BUFSZ 65536          /* in/out buffers of the builtin server's pipes (as raw_pingpong) */
#define SPARE 2                   /* listening instances the builtin server keeps beyond those in use */
#define RX_START 1024             /* the builtin server's first receive buffer per connection */
#define RX_KEEP (64u * 1024u + 1) /* larger buffers are released when a connection ends */
#define TICK_MS 10                /* the supervisor's period */
#define SAMPLE_MS 250.0           /* memory series and progress period */
#define THREAD_STACK (256 * 1024) /* reservation for the harness's threads (no large locals) */
#define MAX_PROCS 64

/* ---------------- state shared with client processes (a named mapping) ---------------- */
typedef struct {
    volatile LONG gen;        /* bumped when a restart starts and when it ends */
    volatile LONG restarting; /* 1 while the server is down on purpose */
    volatile LONG stop;       /* everyone stops */
    volatile LONG pad;
    volatile LONG64 done, errors, busy; /* for the progress line */
} shared_state;

/* What every part of one stress process uses: set by ps_stress_main before any thread
 * starts, then only read (the counters behind `shared` excepted). Defined in
 * stress_main.c. */
struct stress_setup {
    const ps_stress_opts *opts;
    shared_state *shared;      /* this process's, or the harness's when a client process */
    char shared_name[96];      /* the mapping's name when there are client processes */
    wchar_t *pipe_w;           /* \\.\pipe\NAME */
    char *pipe_name;           /* NAME */
    ps_msgpat pattern;         /* the builtin protocol's message contents */
    size_t max_msg;            /* the largest message a client may send */
    double t0;                 /* the run's clock origin */
    HANDLE job;                /* the server and client processes die with the harness */
    unsigned char sample_rsp[PS_SAMPLE_RESPONSE_SIZE];
};
extern struct stress_setup stress;

/* The round in progress: clients and the builtin server report into it. Defined in
 * stress_round.c. */
struct round_state {
    CRITICAL_SECTION lock; /* round->series, round->incidents, rl */
    ps_round *round;
    ps_ratelimit rl;
    int use_rl;
    double series_t0;      /* series times are since this */
    double deadline;       /* 0: by count */
    uint64_t limit;        /* requests for this process; 0: by time */
    volatile LONG64 claimed;
    HANDLE connect;        /* manual reset: the clients make their connections */
    volatile LONG started; /* client threads running */
    HANDLE start;          /* manual reset: the clients go */
    HANDLE release;        /* manual reset: the clients may close their connections */
    volatile LONG ready;   /* clients connected and waiting */
    volatile LONG finished;/* clients done with the load */
    volatile LONG running; /* clients not yet gone */
    HANDLE all_finished;   /* set when finished reaches the count */
    char seen[PS_INCIDENTS][64]; /* errors already described in an incident this round */
    int nseen;
    ps_server_counters server_base; /* the builtin server's counts when the round began */
};
extern struct round_state live_round;

/* What the supervisor keeps across rounds (the harness; in a client process only
 * own_leak and warm_taken are used). */
typedef struct {
    ps_stress_run *run;
    HANDLE server;          /* the server process to measure, or NULL */
    int warm_taken;
    double next_restart;    /* in completed requests */
    int restart_failed;
    char restart_err[200];
    ps_leakseries own_leak; /* a client process's own leak samples */
} supervisor;

static inline const char *errname(DWORD e, char *buf, unsigned long n)
{
    return ps_error_format(e, buf, n);
}

/* ---- stress_round.c ---- */
void round_state_init(void);
/* Adds an incident (printf format) to the round in progress. */
void report_incident(const char *fmt, ...);
/* Runs one round of `clients` clients (over all processes) into *r. */
int run_round(supervisor *sup, ps_round *r, int clients, int last, int progress);

/* ---- stress_server.c: the builtin server ---- */
/* Starts it with `prepare` listening instances (the connections expected) and as
 * many threads as CPUs but at most `prepare` (1..8). 0 ok, -1 failed. */
int builtin_server_start(int prepare);
/* Stops it: every instance closed, its threads gone. */
void builtin_server_stop(void);
void builtin_server_counters(ps_server_counters *c);
int builtin_server_running(void);
long builtin_server_active(void); /* connections not yet ended */
int builtin_server_threads(void);

/* ---- stress_measure.c ---- */
/* Memory and handles of a process (`self`: this one; `handles`: count them too);
 * fields -1 where not measurable, all -1 when the process is gone. */
/* handles: 0 not counted, PS_HANDLES_ALWAYS, or PS_HANDLES_PACED (a leak sample:
 * counted only while counting costs at most a tenth of the time, else -1) */
enum { PS_HANDLES_ALWAYS = 1, PS_HANDLES_PACED = 2 };
ps_procmem measure_process(HANDLE proc, int self, int handles);
int64_t private_bytes(HANDLE proc); /* -1 n/a */
double cpu_ms(HANDLE proc);         /* user + kernel by GetProcessTimes, -1 n/a */
/* Decides how to read another process's CPU time, on `idle`, a process created
 * suspended (it has not run); once. */
void cpu_decide(HANDLE idle, DWORD idle_pid);
/* The same on a suspended copy of this program (a server stress did not start). */
void cpu_decide_spawn(void);
double cpu_other_ms(HANDLE proc); /* by the source decided, -1 n/a */
const char *cpu_source_note(void);
const char *handles_note(void); /* why handles are n/a here, or "" */
double handles_count_max_ms(int self); /* the longest one count took (this process, or another) */

/* ---- stress_procs.c: the server process ---- */
struct server_process {
    HANDLE proc;
    DWORD pid;
    char *cmdline;
    double cpu_before; /* CPU of the incarnations already ended */
};
extern struct server_process server_proc;
/* --server reference or --server-cmd: the command line, started and answering.
 * 0 ok, -1 with a message on stderr. */
int server_proc_launch(void);
/* Starts the server process and waits until its pipe answers. 0 ok, -1 with err. */
int server_proc_start(char *err, size_t errlen);
void server_proc_kill(void);
/* A restart: clients that fail meanwhile see the generation change (expected). */
int server_proc_restart(char *err, size_t errlen);
/* --server-pipe: the process that serves it (for its memory and handles), or NULL. */
HANDLE find_server_process(void);

/* ---- stress_client.c: client workers ---- */
typedef struct {
    HANDLE h;
} cconn;

typedef struct {
    int index;            /* global client number: the header's client field and the seed stream */
    HANDLE thread;
    ps_counters c;
    ps_hist lat;
    ps_rng rng;
    cconn *conns;
    int nconns, next, held;
    uint32_t seq;
    unsigned char *tx, *rx, *big;
    OVERLAPPED *fov;           /* the mid-message fault's write (heap: it may outlive a wait) */
    size_t rxcap;
    uint32_t tx_sample; /* the size tx holds as a sample request + 1, 0 none */
    HANDLE ev;
    volatile LONG64 req_id;    /* the request in progress */
    volatile LONG64 cancel_id; /* the request the watchdog cancelled */
    volatile LONG in_req;
    volatile double req_t0;
    double t_last;             /* when its load ended */
} worker;

/* Opens the pipe, waiting on ERROR_PIPE_BUSY (WaitNamedPipe) and retrying while the
 * name is missing (a restart), until the deadline. 0 ok, 1 abandoned (stop), -1
 * failed with *err and *call, the call that failed. */
int client_open_pipe(worker *w, HANDLE *out, int overlapped, double deadline, DWORD *err, const char **call);
/* A client thread: connects, waits for the start, runs its load, waits for the release. */
DWORD WINAPI worker_main(LPVOID p);

/* ---- stress_clientproc.c: client processes ---- */
typedef struct {
    HANDLE proc, out, reader;
    ps_buf text;
} child;
/* Starts client process `index` of a round of `clients` whose clock started at t0.
 * 0 ok, -1 with err. */
int child_start(child *c, int index, int clients, double t0, char *err, size_t errlen);
/* Waits for the client processes' results and merges them into *r; a process
 * without a result counts as one failed request (CLIENT_PROCESS_FAILED). */
void children_collect(ps_round *r, child *kids, int nproc);

#endif
