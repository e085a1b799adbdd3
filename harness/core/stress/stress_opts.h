/* stress_opts.h: the options of `pipespec stress`, the message-size mix and the seeded
 * random numbers every stress decision is drawn from. Portable (no Win32), so the
 * parsing is unit-tested natively. See docs/STRESS.md. */
#ifndef PS_STRESS_OPTS_H
#define PS_STRESS_OPTS_H
#include <stddef.h>
#include <stdint.h>

/* ---- seeded random numbers (splitmix64): the same seed and stream give the same
 * sequence on every platform. */
typedef struct {
    uint64_t s;
} ps_rng;
void ps_rng_seed(ps_rng *r, uint64_t seed, uint64_t stream); /* streams are independent */
uint64_t ps_rng_next(ps_rng *r);
uint64_t ps_rng_below(ps_rng *r, uint64_t n); /* uniform in [0, n), unbiased; 0 when n == 0 */
double ps_rng_unit(ps_rng *r);                /* uniform in [0, 1) */
int ps_rng_chance(ps_rng *r, double p);       /* 1 with probability p */

/* ---- message-size mix: "56", "1..4096", "56:8,4096:1,65536:1", "1..100:3,4k:1".
 * Each item is a size or an inclusive range LO..HI, with an optional integer weight;
 * sizes take k (1024) and m (1048576) suffixes. */
#define PS_SIZEMIX_MAX 32
#define PS_SIZE_LIMIT (16u * 1024u * 1024u) /* largest message size accepted */
typedef struct {
    int n;
    uint32_t lo[PS_SIZEMIX_MAX], hi[PS_SIZEMIX_MAX];
    uint32_t weight[PS_SIZEMIX_MAX];
    uint64_t total_weight;
} ps_sizemix;
/* Parses text into m. Returns 0, or -1 with a message in err. */
int ps_sizemix_parse(const char *text, ps_sizemix *m, char *err, size_t errlen);
uint32_t ps_sizemix_sample(const ps_sizemix *m, ps_rng *r); /* one size, by weight */
uint32_t ps_sizemix_min(const ps_sizemix *m);
uint32_t ps_sizemix_max(const ps_sizemix *m);
double ps_sizemix_mean(const ps_sizemix *m); /* the expected size */
void ps_sizemix_format(const ps_sizemix *m, char *buf, size_t n); /* canonical text */

/* ---- options */
typedef enum { PS_SS_BUILTIN, PS_SS_REFERENCE, PS_SS_CMD, PS_SS_PIPE } ps_stress_server;
typedef enum { PS_SP_AUTO, PS_SP_SAMPLE, PS_SP_BUILTIN } ps_stress_proto;

#define PS_STRESS_MAX_SCALE 16
typedef struct {
    /* load */
    int clients;             /* client threads (over all processes); default 1 */
    int connections;         /* connections held (persistent mode); 0 = one per client */
    int processes;           /* client processes; 1 = clients are threads of this process */
    uint64_t requests;       /* total requests; 0 = by duration */
    double duration_s;       /* run length when requests == 0; default 5 */
    double rate;             /* requests per second over all clients; 0 = as fast as possible */
    double burst;            /* rate limiter burst (requests); default 1 */
    ps_sizemix sizes;        /* request sizes; default 56 */
    int stream;              /* 1: one-way streaming (client writes, server reads); 0: request/response */
    int byte_mode;           /* 1: byte-type pipe / byte read mode; 0: message */
    ps_stress_proto proto;   /* sample (the sample's texts) or builtin (numbered, patterned) */
    int churn;               /* 1 connect per request, 0 persistent, -1 auto (persistent only on builtin) */
    /* faults (probabilities per request, drawn from the seed) */
    double p_mid;            /* client leaves in the middle of a request */
    double p_leave;          /* client connects and leaves without a request */
    double p_slow;           /* client reads its response slowly */
    double slow_ms;          /* the slow reader's delay before each piece; default 5 */
    uint64_t seed;           /* 0 = pick one (printed, so the run can be repeated) */
    /* server */
    ps_stress_server server;
    const char *server_cmd;  /* --server-cmd: {pipe} and {clients} are replaced */
    const char *server_pipe; /* --server-pipe, or the pipe the builtin server creates */
    int instances;           /* builtin: max pipe instances, 0 = unlimited */
    uint64_t restart_every;  /* restart the server after every N requests (reference/cmd) */
    double wait_ms;          /* WaitNamedPipe timeout after ERROR_PIPE_BUSY; default 5000 (the sample's) */
    double connect_timeout_ms; /* give a request up when no connection after this; default 10000 */
    double request_timeout_ms; /* a request (write + read) still blocked after this is cancelled; default 10000 */
    /* checks */
    uint64_t leak_bytes;     /* allowed private-memory growth (each process); default 4 MiB */
    long leak_handles;       /* allowed handle growth (each process); default 32 */
    /* scaling: one round per client count */
    int scale[PS_STRESS_MAX_SCALE];
    int nscale;
    /* output */
    const char *report_dir;  /* stress.json and stress.html go here */
    int json;                /* print stress.json on stdout (the summary goes to stderr) */
    int progress;            /* -1 auto (a console), 0 off, 1 on */
    int quiet;               /* no summary */
    /* internal: a client process started by --processes */
    int worker;              /* 1 in a client process */
    int worker_index;        /* 0 .. processes-1 */
    double t0_ms;            /* the parent's clock origin */
    const char *shared_name; /* the parent's shared state (restart generation) */
    /* internal: serve only (the builtin server as its own process, for benchmarks) */
    int serve_only;
} ps_stress_opts;

/* Sets the defaults. */
void ps_stress_defaults(ps_stress_opts *o);

/* Parses argv (the arguments after "stress"; argv[0] is the first option). Returns 0
 * ok, 1 for --help, -1 for a usage error with a one-line message in err. Strings in o
 * point into argv. Resolves the automatic choices (protocol, churn) and checks that
 * the options fit together (e.g. --persistent needs a server that keeps connections). */
int ps_stress_parse(int argc, char **argv, ps_stress_opts *o, char *err, size_t errlen);
const char *ps_stress_usage(void);

/* The share of `total` that part `index` of `parts` gets: the parts differ by at most
 * one and add up to total. */
uint64_t ps_stress_share(uint64_t total, int parts, int index);

/* Parses a size with an optional k/m suffix ("64k"). 0 ok, -1 bad. */
int ps_stress_parse_size(const char *s, uint64_t *v);
#endif
