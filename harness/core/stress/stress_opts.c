/* stress_opts.c: see stress_opts.h. */
#include "stress_opts.h"
#include "scenario.h"
#include "psutil.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- random numbers ---------------- */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

void ps_rng_seed(ps_rng *r, uint64_t seed, uint64_t stream)
{
    r->s = mix64(seed ^ mix64(stream * 0xD1B54A32D192ED03ull + 0x2545F4914F6CDD1Dull));
}

uint64_t ps_rng_next(ps_rng *r)
{
    return mix64(r->s += 0x9E3779B97F4A7C15ull);
}

uint64_t ps_rng_below(ps_rng *r, uint64_t n)
{
    uint64_t x, threshold;
    if (n == 0) return 0;
    /* reject the lowest (2^64 mod n) values so every residue is equally likely */
    threshold = (0 - n) % n;
    do x = ps_rng_next(r);
    while (x < threshold);
    return x % n;
}

double ps_rng_unit(ps_rng *r)
{
    return (double)(ps_rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

int ps_rng_chance(ps_rng *r, double p)
{
    if (p <= 0) return 0;
    if (p >= 1) return 1;
    return ps_rng_unit(r) < p;
}

/* strtok_r, which neither C11 nor MSVC has under that name. */
static char *strtok_r_portable(char *s, const char *delim, char **save)
{
    char *end;
    if (!s) s = *save;
    if (!s) return NULL;
    s += strspn(s, delim);
    if (!*s) {
        *save = NULL;
        return NULL;
    }
    end = s + strcspn(s, delim);
    if (*end) *end++ = 0;
    else end = NULL;
    *save = end;
    return s;
}

/* ---------------- numbers ---------------- */
/* The one size parser of the project (scenario_values.c): decimal, k/m, no overflow. */
int ps_stress_parse_size(const char *s, uint64_t *v)
{
    unsigned long long x;
    if (ps_parse_size(s, &x) != 0) return -1;
    *v = (uint64_t)x;
    return 0;
}

static int parse_double(const char *s, double *v)
{
    char *e;
    if (!s || !*s) return -1;
    *v = strtod(s, &e);
    if (*e || e == s || *v != *v) return -1;
    return 0;
}

static void seterr(char *err, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, n, fmt, ap);
    va_end(ap);
}

/* ---------------- size mix ---------------- */
int ps_sizemix_parse(const char *text, ps_sizemix *m, char *err, size_t errlen)
{
    char *dup, *item, *save = NULL;
    int rc = 0;
    memset(m, 0, sizeof *m);
    if (!text || !*text) {
        seterr(err, errlen, "--size needs a size, a range LO..HI or a list SIZE:WEIGHT,...");
        return -1;
    }
    dup = ps_xstrdup(text);
    for (item = strtok_r_portable(dup, ",", &save); item; item = strtok_r_portable(NULL, ",", &save)) {
        char *colon = strchr(item, ':'), *dots;
        uint64_t lo, hi, w = 1;
        if (m->n == PS_SIZEMIX_MAX) {
            seterr(err, errlen, "--size: more than %d items", PS_SIZEMIX_MAX);
            rc = -1;
            break;
        }
        if (colon) {
            *colon = 0;
            if (ps_stress_parse_size(colon + 1, &w) || w < 1 || w > 1000000) {
                seterr(err, errlen, "--size: bad weight '%s' (expected an integer 1..1000000)", colon + 1);
                rc = -1;
                break;
            }
        }
        dots = strstr(item, "..");
        if (dots) {
            *dots = 0;
            if (ps_stress_parse_size(item, &lo) || ps_stress_parse_size(dots + 2, &hi)) {
                seterr(err, errlen, "--size: bad range '%s..%s'", item, dots + 2);
                rc = -1;
                break;
            }
        } else if (ps_stress_parse_size(item, &lo)) {
            seterr(err, errlen, "--size: bad size '%s'", item);
            rc = -1;
            break;
        } else hi = lo;
        if (lo > hi || hi > PS_SIZE_LIMIT) {
            seterr(err, errlen, "--size: the range %lu..%lu is empty or above %u bytes", (unsigned long)lo,
                   (unsigned long)hi, PS_SIZE_LIMIT);
            rc = -1;
            break;
        }
        m->lo[m->n] = (uint32_t)lo;
        m->hi[m->n] = (uint32_t)hi;
        m->weight[m->n] = (uint32_t)w;
        m->total_weight += w;
        m->n++;
    }
    if (rc == 0 && m->n == 0) {
        seterr(err, errlen, "--size: no size given");
        rc = -1;
    }
    free(dup);
    return rc;
}

uint32_t ps_sizemix_sample(const ps_sizemix *m, ps_rng *r)
{
    uint64_t pick;
    int i;
    if (m->n == 1 && m->lo[0] == m->hi[0]) return m->lo[0];
    pick = ps_rng_below(r, m->total_weight);
    for (i = 0; i < m->n - 1; i++) {
        if (pick < m->weight[i]) break;
        pick -= m->weight[i];
    }
    return m->lo[i] + (uint32_t)ps_rng_below(r, (uint64_t)(m->hi[i] - m->lo[i]) + 1);
}

uint32_t ps_sizemix_min(const ps_sizemix *m)
{
    uint32_t v = m->n ? m->lo[0] : 0;
    int i;
    for (i = 1; i < m->n; i++)
        if (m->lo[i] < v) v = m->lo[i];
    return v;
}

uint32_t ps_sizemix_max(const ps_sizemix *m)
{
    uint32_t v = 0;
    int i;
    for (i = 0; i < m->n; i++)
        if (m->hi[i] > v) v = m->hi[i];
    return v;
}

double ps_sizemix_mean(const ps_sizemix *m)
{
    double s = 0;
    int i;
    if (!m->total_weight) return 0;
    for (i = 0; i < m->n; i++) s += (double)m->weight[i] * ((double)m->lo[i] + (double)m->hi[i]) / 2.0;
    return s / (double)m->total_weight;
}

void ps_sizemix_format(const ps_sizemix *m, char *buf, size_t n)
{
    ps_buf b;
    int i;
    ps_buf_init(&b);
    for (i = 0; i < m->n; i++) {
        if (i) ps_buf_addc(&b, ',');
        if (m->lo[i] == m->hi[i]) ps_buf_printf(&b, "%lu", (unsigned long)m->lo[i]);
        else ps_buf_printf(&b, "%lu..%lu", (unsigned long)m->lo[i], (unsigned long)m->hi[i]);
        if (m->n > 1 || m->weight[i] != 1) ps_buf_printf(&b, ":%lu", (unsigned long)m->weight[i]);
    }
    snprintf(buf, n, "%s", b.data);
    ps_buf_free(&b);
}

/* ---------------- options ---------------- */
void ps_stress_defaults(ps_stress_opts *o)
{
    char err[8];
    memset(o, 0, sizeof *o);
    o->clients = 1;
    o->processes = 1;
    o->duration_s = 5;
    o->burst = 1;
    ps_sizemix_parse("56", &o->sizes, err, sizeof err);
    o->proto = PS_SP_AUTO;
    o->churn = -1;
    o->slow_ms = 5;
    o->server = PS_SS_BUILTIN;
    o->wait_ms = 5000;
    o->connect_timeout_ms = 10000;
    o->request_timeout_ms = 10000;
    o->leak_bytes = 4u << 20;
    o->leak_handles = 32;
    o->progress = -1;
}

const char *ps_stress_usage(void)
{
    return "Usage: pipespec stress [options]\n"
           "\n"
           "Many clients against one named-pipe server; measures throughput, latency\n"
           "percentiles, errors, busy rejections, handles and memory, and fails (exit 1)\n"
           "when a correctness check fails under load. See docs/STRESS.md.\n"
           "\n"
           "Load:\n"
           "  --clients N            client threads (default 1)\n"
           "  --connections N        connections held open, shared by the clients\n"
           "                         (persistent mode; default one per client)\n"
           "  --processes N          spread the clients over N client processes (default 1)\n"
           "  --requests N           stop after N requests in all (k/m suffixes)\n"
           "  --duration S           or run for S seconds (default 5)\n"
           "  --rate RPS             pace at RPS requests per second in all (default: as\n"
           "                         fast as possible); --burst N lets N catch up at once\n"
           "  --size MIX             request sizes: 56 | 1..4096 | 56:8,4096:1,64k:1\n"
           "                         (SIZE or LO..HI, optional :WEIGHT; default 56)\n"
           "  --mode reqresp|stream  request/response (default) or one-way streaming\n"
           "  --type message|byte    pipe type and read mode (default message)\n"
           "  --protocol sample|builtin  the sample's texts, or numbered patterned\n"
           "                         messages whose every byte is verified (default:\n"
           "                         builtin with the builtin server, sample otherwise)\n"
           "  --churn                connect and disconnect for every request\n"
           "  --persistent           keep connections (default with the builtin server)\n"
           "  --scale LIST           one round per client count: 1,2,4,8,32,128\n"
           "\n"
           "Faults (probability per request, repeatable with --seed):\n"
           "  --fault-mid-message P  the client leaves in the middle of a request\n"
           "  --fault-connect-leave P  the client connects and leaves at once\n"
           "  --slow-reader P        the client reads its response slowly (--slow-ms MS,\n"
           "                         default 5, before each piece)\n"
           "  --seed N               seed of every random choice (default: printed)\n"
           "\n"
           "Server:\n"
           "  --server builtin|reference  the harness's own server (default), or\n"
           "                         reference_server.exe --clients 0\n"
           "  --server-cmd CMD       start a server under test: {pipe} and {clients} (0)\n"
           "                         are replaced\n"
           "  --server-pipe NAME     a server already running on \\\\.\\pipe\\NAME\n"
           "  --pipe NAME            the builtin server's pipe name\n"
           "  --instances N          builtin server: at most N instances (default unlimited)\n"
           "  --restart-every N      restart the server after every N requests\n"
           "                         (reference and --server-cmd)\n"
           "  --wait-ms MS           WaitNamedPipe timeout after ERROR_PIPE_BUSY (5000)\n"
           "  --connect-timeout MS   a request without a connection after MS fails (10000)\n"
           "  --request-timeout MS   a request blocked longer is cancelled and fails (10000)\n"
           "  --serve-only           run only the builtin server (until killed)\n"
           "\n"
           "Checks and output:\n"
           "  --leak-bound BYTES     allowed private-memory growth per process with the work\n"
           "                         over the load's later half (4m; early growth is free)\n"
           "  --leak-handles N       allowed handle growth, the same way (32)\n"
           "  --report-dir DIR       write DIR/stress.json and DIR/stress.html\n"
           "  --json                 print stress.json on stdout (summary on stderr)\n"
           "  --progress | --no-progress   live line on the console (default: if a console)\n"
           "  --quiet                no summary\n"
           "  --help                 this text\n"
           "\n"
           "Exit status: 0 every check passed; 1 a check failed (data corruption,\n"
           "unexpected error, counters that do not add up, leak); 2 usage or setup error.\n";
}

uint64_t ps_stress_share(uint64_t total, int parts, int index)
{
    uint64_t base, extra;
    if (parts < 1) return total;
    base = total / (uint64_t)parts;
    extra = total % (uint64_t)parts;
    return base + ((uint64_t)index < extra ? 1 : 0);
}

static int parse_int(const char *s, long lo, long hi, long *v)
{
    uint64_t x;
    if (ps_stress_parse_size(s, &x) || x < (uint64_t)lo || x > (uint64_t)hi) return -1;
    *v = (long)x;
    return 0;
}

static int parse_prob(const char *s, double *p)
{
    return parse_double(s, p) || *p < 0 || *p > 1 ? -1 : 0;
}

/* One option being parsed: the option, the argument after it, and what the checks
 * after the loop need to know of the options seen so far. */
typedef struct {
    const char *a, *v;    /* the option; the argument after it, NULL at the end */
    int took_value;       /* the option used v */
    char *err;
    size_t errlen;
    int explicit_server, have_requests, have_duration, persistent, churn;
} opt_arg;

/* The option needs a value: -1 with the error when there is none. */
static int need_value(opt_arg *x)
{
    if (!x->v) {
        seterr(x->err, x->errlen, "%s needs a value", x->a);
        return -1;
    }
    x->took_value = 1;
    return 0;
}

/* A bad value: the error says what was expected; returns -1. */
static int bad_value(opt_arg *x, const char *what)
{
    seterr(x->err, x->errlen, "%s: bad value '%s' (expected %s)", x->a, x->v, what);
    return -1;
}

/* The options of one case each below: 0 parsed, 1 not one of them, -1 error. */

/* Clients, connections, processes and the length of the load. */
static int parse_load_option(opt_arg *x, ps_stress_opts *o)
{
    const char *a = x->a, *v = x->v;
    long n;
    double d;
    uint64_t u;
    if (!strcmp(a, "--clients")) {
        if (need_value(x)) return -1;
        if (parse_int(v, 1, 100000, &n)) return bad_value(x, "1..100000");
        o->clients = (int)n;
    } else if (!strcmp(a, "--connections")) {
        if (need_value(x)) return -1;
        if (parse_int(v, 1, 100000, &n)) return bad_value(x, "1..100000");
        o->connections = (int)n;
    } else if (!strcmp(a, "--processes")) {
        if (need_value(x)) return -1;
        if (parse_int(v, 1, 64, &n)) return bad_value(x, "1..64");
        o->processes = (int)n;
    } else if (!strcmp(a, "--requests")) {
        if (need_value(x)) return -1;
        if (ps_stress_parse_size(v, &u) || u < 1) return bad_value(x, "a count >= 1");
        o->requests = u;
        x->have_requests = 1;
    } else if (!strcmp(a, "--duration")) {
        if (need_value(x)) return -1;
        if (parse_double(v, &d) || d <= 0 || d > 86400) return bad_value(x, "seconds, 0 < S <= 86400");
        o->duration_s = d;
        x->have_duration = 1;
    } else if (!strcmp(a, "--rate")) {
        if (need_value(x)) return -1;
        if (parse_double(v, &d) || d <= 0 || d > 1e7) return bad_value(x, "requests per second > 0");
        o->rate = d;
    } else if (!strcmp(a, "--burst")) {
        if (need_value(x)) return -1;
        if (parse_double(v, &d) || d < 1 || d > 1e6) return bad_value(x, "a count >= 1");
        o->burst = d;
    } else if (!strcmp(a, "--scale")) {
        char *dup, *t, *save = NULL;
        if (need_value(x)) return -1;
        o->nscale = 0;
        dup = ps_xstrdup(v);
        for (t = strtok_r_portable(dup, ",", &save); t; t = strtok_r_portable(NULL, ",", &save)) {
            if (o->nscale == PS_STRESS_MAX_SCALE || parse_int(t, 1, 100000, &n)) {
                free(dup);
                return bad_value(x, "a list of at most 16 client counts, e.g. 1,2,4,8");
            }
            o->scale[o->nscale++] = (int)n;
        }
        free(dup);
        if (!o->nscale) return bad_value(x, "a list of client counts");
    } else return 1;
    return 0;
}

/* What the requests are: sizes, mode, pipe type, protocol, connection reuse. */
static int parse_shape_option(opt_arg *x, ps_stress_opts *o)
{
    const char *a = x->a, *v = x->v;
    if (!strcmp(a, "--size")) {
        if (need_value(x)) return -1;
        if (ps_sizemix_parse(v, &o->sizes, x->err, x->errlen)) return -1;
    } else if (!strcmp(a, "--mode")) {
        if (need_value(x)) return -1;
        if (!strcmp(v, "reqresp")) o->stream = 0;
        else if (!strcmp(v, "stream")) o->stream = 1;
        else return bad_value(x, "reqresp or stream");
    } else if (!strcmp(a, "--type")) {
        if (need_value(x)) return -1;
        if (!strcmp(v, "message")) o->byte_mode = 0;
        else if (!strcmp(v, "byte")) o->byte_mode = 1;
        else return bad_value(x, "message or byte");
    } else if (!strcmp(a, "--protocol")) {
        if (need_value(x)) return -1;
        if (!strcmp(v, "sample")) o->proto = PS_SP_SAMPLE;
        else if (!strcmp(v, "builtin")) o->proto = PS_SP_BUILTIN;
        else return bad_value(x, "sample or builtin");
    } else if (!strcmp(a, "--churn")) x->churn = 1;
    else if (!strcmp(a, "--persistent")) x->persistent = 1;
    else return 1;
    return 0;
}

/* Faults, slow readers and the seed. */
static int parse_fault_option(opt_arg *x, ps_stress_opts *o)
{
    const char *a = x->a, *v = x->v;
    double d;
    if (!strcmp(a, "--fault-mid-message")) {
        if (need_value(x)) return -1;
        if (parse_prob(v, &o->p_mid)) return bad_value(x, "a probability 0..1");
    } else if (!strcmp(a, "--fault-connect-leave")) {
        if (need_value(x)) return -1;
        if (parse_prob(v, &o->p_leave)) return bad_value(x, "a probability 0..1");
    } else if (!strcmp(a, "--slow-reader")) {
        if (need_value(x)) return -1;
        if (parse_prob(v, &o->p_slow)) return bad_value(x, "a probability 0..1");
    } else if (!strcmp(a, "--slow-ms")) {
        if (need_value(x)) return -1;
        if (parse_double(v, &d) || d < 0 || d > 10000) return bad_value(x, "milliseconds 0..10000");
        o->slow_ms = d;
    } else if (!strcmp(a, "--seed")) {
        char *e;
        if (need_value(x)) return -1;
        if (v[0] < '0' || v[0] > '9') return bad_value(x, "an unsigned integer");
        o->seed = (uint64_t)strtoull(v, &e, 0);
        if (*e) return bad_value(x, "an unsigned integer");
    } else return 1;
    return 0;
}

/* Milliseconds 1..600000 (the timeouts). */
static int parse_timeout(opt_arg *x, double *ms)
{
    double d;
    if (need_value(x)) return -1;
    if (parse_double(x->v, &d) || d < 1 || d > 600000) return bad_value(x, "milliseconds 1..600000");
    *ms = d;
    return 0;
}

/* The server, its pipe, restarts and timeouts. */
static int parse_server_option(opt_arg *x, ps_stress_opts *o)
{
    const char *a = x->a, *v = x->v;
    long n;
    uint64_t u;
    if (!strcmp(a, "--server")) {
        if (need_value(x)) return -1;
        if (!strcmp(v, "builtin")) o->server = PS_SS_BUILTIN;
        else if (!strcmp(v, "reference")) o->server = PS_SS_REFERENCE;
        else return bad_value(x, "builtin or reference (or use --server-cmd / --server-pipe)");
        x->explicit_server++;
    } else if (!strcmp(a, "--server-cmd")) {
        if (need_value(x)) return -1;
        if (!*v) return bad_value(x, "a command line");
        o->server = PS_SS_CMD;
        o->server_cmd = v;
        x->explicit_server++;
    } else if (!strcmp(a, "--server-pipe")) {
        if (need_value(x)) return -1;
        if (!*v || strchr(v, '\\')) return bad_value(x, "a pipe name after \\\\.\\pipe\\");
        o->server = PS_SS_PIPE;
        o->server_pipe = v;
        x->explicit_server++;
    } else if (!strcmp(a, "--pipe")) {
        if (need_value(x)) return -1;
        if (!*v || strchr(v, '\\')) return bad_value(x, "a pipe name after \\\\.\\pipe\\");
        o->server_pipe = v;
    } else if (!strcmp(a, "--instances")) {
        if (need_value(x)) return -1;
        if (parse_int(v, 1, 254, &n)) return bad_value(x, "1..254");
        o->instances = (int)n;
    } else if (!strcmp(a, "--restart-every")) {
        if (need_value(x)) return -1;
        if (ps_stress_parse_size(v, &u) || u < 1) return bad_value(x, "a count >= 1");
        o->restart_every = u;
    } else if (!strcmp(a, "--wait-ms")) return parse_timeout(x, &o->wait_ms);
    else if (!strcmp(a, "--connect-timeout")) return parse_timeout(x, &o->connect_timeout_ms);
    else if (!strcmp(a, "--request-timeout")) return parse_timeout(x, &o->request_timeout_ms);
    else if (!strcmp(a, "--serve-only")) o->serve_only = 1;
    else return 1;
    return 0;
}

/* Checks and output; and the options the harness gives its client processes. */
static int parse_output_option(opt_arg *x, ps_stress_opts *o)
{
    const char *a = x->a, *v = x->v;
    long n;
    uint64_t u;
    if (!strcmp(a, "--leak-bound")) {
        if (need_value(x)) return -1;
        if (ps_stress_parse_size(v, &u)) return bad_value(x, "bytes, e.g. 4m");
        o->leak_bytes = u;
    } else if (!strcmp(a, "--leak-handles")) {
        if (need_value(x)) return -1;
        if (parse_int(v, 0, 1000000, &n)) return bad_value(x, "a count");
        o->leak_handles = n;
    } else if (!strcmp(a, "--report-dir")) {
        if (need_value(x)) return -1;
        if (!*v) return bad_value(x, "a folder");
        o->report_dir = v;
    } else if (!strcmp(a, "--json")) o->json = 1;
    else if (!strcmp(a, "--progress")) o->progress = 1;
    else if (!strcmp(a, "--no-progress")) o->progress = 0;
    else if (!strcmp(a, "--quiet")) o->quiet = 1;
    else if (!strcmp(a, "--worker")) {
        if (need_value(x)) return -1;
        if (parse_int(v, 0, 63, &n)) return bad_value(x, "0..63");
        o->worker = 1;
        o->worker_index = (int)n;
    } else if (!strcmp(a, "--t0")) {
        if (need_value(x)) return -1;
        if (parse_double(v, &o->t0_ms)) return bad_value(x, "milliseconds");
    } else if (!strcmp(a, "--shared")) {
        if (need_value(x)) return -1;
        o->shared_name = v;
    } else return 1;
    return 0;
}

/* The options fitted together once all are read: defaults that depend on others, and
 * the combinations that cannot work. 0 ok, -1 with err. */
static int fit_options(ps_stress_opts *o, const opt_arg *x, char *err, size_t errlen)
{
    int have_requests = x->have_requests, have_duration = x->have_duration;
    int explicit_server = x->explicit_server, persistent = x->persistent, churn = x->churn;
    if (have_requests && have_duration) {
        seterr(err, errlen, "give --requests or --duration, not both");
        return -1;
    }
    if (!have_requests) o->requests = 0;
    if (explicit_server > 1) {
        seterr(err, errlen, "give one server: --server, --server-cmd or --server-pipe");
        return -1;
    }
    if (o->worker && o->server != PS_SS_PIPE) {
        seterr(err, errlen, "--worker needs --server-pipe");
        return -1;
    }
    if (o->proto == PS_SP_AUTO) o->proto = o->server == PS_SS_BUILTIN ? PS_SP_BUILTIN : PS_SP_SAMPLE;
    if (o->proto == PS_SP_BUILTIN && (o->server == PS_SS_REFERENCE || o->server == PS_SS_CMD)) {
        seterr(err, errlen, "--protocol builtin needs the builtin server (or --server-pipe to one); "
                            "a server under test speaks the sample protocol");
        return -1;
    }
    if (o->stream && o->proto != PS_SP_BUILTIN) {
        seterr(err, errlen, "--mode stream needs the builtin protocol (the server verifies what it reads)");
        return -1;
    }
    if (churn && persistent) {
        seterr(err, errlen, "give --churn or --persistent, not both");
        return -1;
    }
    /* The sample's server disconnects after each response: connections cannot be kept
     * except with the builtin server (which keeps them in either protocol). */
    if (persistent && o->server != PS_SS_BUILTIN && o->proto == PS_SP_SAMPLE && !o->worker) {
        seterr(err, errlen, "--persistent: a sample-protocol server disconnects after each response; use --churn");
        return -1;
    }
    o->churn = churn ? 1 : persistent ? 0 : (o->proto == PS_SP_BUILTIN ? 0 : 1);
    if (o->byte_mode && o->proto == PS_SP_BUILTIN && ps_sizemix_min(&o->sizes) < 16) {
        seterr(err, errlen, "--type byte with the builtin protocol needs sizes >= 16 (the header carries the length)");
        return -1;
    }
    if (o->byte_mode && o->proto == PS_SP_SAMPLE && o->server == PS_SS_BUILTIN) {
        seterr(err, errlen, "--type byte --protocol sample: the builtin server finds the end of a sample request only in message mode");
        return -1;
    }
    if (o->connections) {
        if (o->churn) {
            seterr(err, errlen, "--connections holds connections open: it needs persistent connections");
            return -1;
        }
        if (o->nscale) {
            seterr(err, errlen, "--connections and --scale do not go together");
            return -1;
        }
        if (o->connections < o->clients) {
            seterr(err, errlen, "--connections (%d) must be at least --clients (%d)", o->connections, o->clients);
            return -1;
        }
    }
    if (o->restart_every && o->server != PS_SS_REFERENCE && o->server != PS_SS_CMD && !o->worker) {
        seterr(err, errlen, "--restart-every needs a server the harness starts (--server reference or --server-cmd)");
        return -1;
    }
    if (o->p_mid + o->p_leave > 1) {
        seterr(err, errlen, "--fault-mid-message + --fault-connect-leave must not exceed 1");
        return -1;
    }
    if (o->clients < o->processes && !o->nscale) {
        seterr(err, errlen, "--processes (%d) must not exceed --clients (%d)", o->processes, o->clients);
        return -1;
    }
    if (o->serve_only && o->server != PS_SS_BUILTIN) {
        seterr(err, errlen, "--serve-only runs the builtin server");
        return -1;
    }
    return 0;
}

int ps_stress_parse(int argc, char **argv, ps_stress_opts *o, char *err, size_t errlen)
{
    static int (*const groups[])(opt_arg *, ps_stress_opts *) = {
        parse_load_option, parse_shape_option, parse_fault_option, parse_server_option, parse_output_option};
    opt_arg x;
    int i;
    memset(&x, 0, sizeof x);
    x.err = err;
    x.errlen = errlen;
    ps_stress_defaults(o);
    for (i = 0; i < argc; i++) {
        size_t g;
        int rc = 1;
        x.a = argv[i];
        x.v = i + 1 < argc ? argv[i + 1] : NULL;
        x.took_value = 0;
        if (!strcmp(x.a, "--help") || !strcmp(x.a, "-h")) return 1;
        for (g = 0; g < sizeof groups / sizeof groups[0] && rc == 1; g++) rc = groups[g](&x, o);
        if (rc < 0) return -1;
        if (rc == 1) {
            seterr(err, errlen, "unknown stress option '%s'", x.a);
            return -1;
        }
        if (x.took_value) i++;
    }
    return fit_options(o, &x, err, errlen);
}
