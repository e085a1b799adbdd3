/* stress_report.c: see stress_report.h. */
#include "stress_report.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>


/* Small math for the plots, without libm (the core links no math library):
 * accurate to far better than a pixel. */
static double m_floor(double x)
{
    double t = (double)(long long)x;
    return t > x ? t - 1 : t;
}
static double m_ceil(double x)
{
    double t = (double)(long long)x;
    return t < x ? t + 1 : t;
}
static double m_fabs(double x)
{
    return x < 0 ? -x : x;
}
/* log2 for x > 0: the exponent by halving/doubling, then 2 atanh((m-1)/(m+1)) / ln 2. */
static double m_log2(double x)
{
    double e = 0, z, z2, term, sum = 0;
    int k;
    if (x <= 0) return -1e300;
    while (x >= 2) x /= 2, e++;
    while (x < 1) x *= 2, e--;
    z = (x - 1) / (x + 1);
    z2 = z * z;
    term = z;
    for (k = 1; k < 40; k += 2) {
        sum += term / k;
        term *= z2;
    }
    return e + 2 * sum / 0.69314718055994530942;
}
/* 2^y: 2^m_floor(y) times e^(frac ln 2) by its series. */
static double m_pow2(double y)
{
    double f = m_floor(y), r = 1, t = 1, a = (y - f) * 0.69314718055994530942;
    int k;
    long long i, n = (long long)f;
    for (k = 1; k < 30; k++) {
        t *= a / k;
        r += t;
    }
    for (i = 0; i < n; i++) r *= 2;
    for (i = 0; i > n; i--) r /= 2;
    return r;
}
static double m_pow10i(int k)
{
    double r = 1;
    for (; k > 0; k--) r *= 10;
    for (; k < 0; k++) r /= 10;
    return r;
}

static const char *const PERC_NAMES[] = {"p50", "p90", "p99", "p99.9"};
static const double PERCS[] = {50, 90, 99, 99.9};

double ps_round_rps(const ps_round *r)
{
    return r->wall_ms > 0 ? (double)r->c.verified * 1000.0 / r->wall_ms : 0;
}

double ps_round_bytes_per_s(const ps_round *r)
{
    return r->wall_ms > 0 ? (double)(r->c.bytes_out + r->c.bytes_in) * 1000.0 / r->wall_ms : 0;
}

double ps_round_mem_per_conn(const ps_round *r)
{
    if (r->held <= 0 || r->mem_connected < 0 || r->mem_before < 0) return -1;
    return (double)(r->mem_connected - r->mem_before) / (double)r->held;
}

static double us(uint64_t ns)
{
    return (double)ns / 1000.0;
}

static const char *state_name(ps_check_state s)
{
    return s == PS_CHECK_PASS ? "PASS" : s == PS_CHECK_FAIL ? "FAIL" : "N/A";
}

static void human_bytes(char *buf, size_t n, double v)
{
    if (v < 0) snprintf(buf, n, "n/a");
    else if (v >= 1048576.0) snprintf(buf, n, "%.1f MiB", v / 1048576.0);
    else if (v >= 1024.0) snprintf(buf, n, "%.1f KiB", v / 1024.0);
    else snprintf(buf, n, "%.0f B", v);
}

static const char *server_kind(const ps_stress_run *run)
{
    switch (run->opts.server) {
    case PS_SS_BUILTIN: return "builtin";
    case PS_SS_REFERENCE: return "reference";
    case PS_SS_CMD: return "command";
    default: return "pipe";
    }
}

void ps_stress_progress_text(char *buf, size_t n, double elapsed_s, double rps, uint64_t done,
                             uint64_t errors, uint64_t busy)
{
    snprintf(buf, n, "stress %6.1f s  %8.0f req/s  %10" PRIu64 " done  %" PRIu64 " errors  %" PRIu64 " busy",
             elapsed_s, rps, done, errors, busy);
}

/* ---------------- summary ---------------- */
static void procmem_line(FILE *f, const char *who, const ps_procmem m[3], double cpu_ms, const char *hnote,
                         const char *cpu_note)
{
    char a[32], b[32], c[32];
    human_bytes(a, sizeof a, (double)m[0].private_bytes);
    human_bytes(b, sizeof b, (double)m[1].private_bytes);
    human_bytes(c, sizeof c, (double)m[2].private_bytes);
    fprintf(f, "%s: private start=%s warm=%s end=%s; ", who, a, b, c);
    if (m[1].handles >= 0 && m[2].handles >= 0)
        fprintf(f, "handles start=%ld warm=%ld end=%ld; ", m[0].handles, m[1].handles, m[2].handles);
    else fprintf(f, "handles %s; ", hnote && *hnote ? hnote : "n/a");
    if (cpu_ms >= 0) fprintf(f, "cpu %.0f ms", cpu_ms);
    else fprintf(f, "cpu n/a");
    if (cpu_note && *cpu_note) fprintf(f, " (%s)", cpu_note);
    fputc('\n', f);
}

void ps_stress_summary(FILE *f, const ps_stress_run *run)
{
    int i, k, nfail = 0;
    fprintf(f, "STRESS: %s  (%s)\n", run->ok ? "PASS" : "FAIL", run->config ? run->config : "");
    fprintf(f, "SERVER: %s on %s\n", run->server_desc ? run->server_desc : "?", run->pipe ? run->pipe : "?");
    for (i = 0; i < run->nrounds; i++) {
        const ps_round *r = &run->rounds[i];
        const ps_counters *c = &r->c;
        fprintf(f,
                "ROUND %d: clients=%d sent=%" PRIu64 " verified=%" PRIu64 " errors=%" PRIu64 " wall=%.0fms %.1f req/s %.2f MB/s",
                i + 1, r->clients, c->sent, c->verified, c->errors, r->wall_ms, ps_round_rps(r),
                ps_round_bytes_per_s(r) / 1e6);
        for (k = 0; k < 4; k++) fprintf(f, " %s=%.0fus", PERC_NAMES[k], us(ps_hist_percentile(&r->lat, PERCS[k])));
        fprintf(f, " max=%.0fus\n", us(r->lat.total ? r->lat.max : 0));
        if (r->have_server)
            fprintf(f,
                    "SERVER-COUNTS %d: connections=%" PRIu64 " requests=%" PRIu64 " responses=%" PRIu64 " corrupt=%" PRIu64
                    " client-left=%" PRIu64 " client-aborted=%" PRIu64 " errors=%" PRIu64 " instances=%" PRIu64 "\n",
                    i + 1, r->srv.connections, r->srv.requests, r->srv.responses, r->srv.corrupt, r->srv.client_left,
                    r->srv.client_aborted, r->srv.errors, r->srv.instances);
        if (r->connections) {
            char a[32];
            human_bytes(a, sizeof a, ps_round_mem_per_conn(r));
            fprintf(f, "CONNECTIONS: held=%d of %d; harness memory per connection %s\n", r->held, r->connections, a);
        }
    }
    if (run->nrounds > 1) {
        fprintf(f, "SCALING: %8s %12s %10s %10s %8s\n", "clients", "req/s", "p50(us)", "p99(us)", "errors");
        for (i = 0; i < run->nrounds; i++) {
            const ps_round *r = &run->rounds[i];
            fprintf(f, "SCALING: %8d %12.1f %10.0f %10.0f %8" PRIu64 "\n", r->clients, ps_round_rps(r),
                    us(ps_hist_percentile(&r->lat, 50)), us(ps_hist_percentile(&r->lat, 99)), r->c.errors);
        }
    }
    {
        ps_counters t;
        memset(&t, 0, sizeof t);
        for (i = 0; i < run->nrounds; i++) ps_counters_merge(&t, &run->rounds[i].c);
        fprintf(f, "ERRORS:");
        if (!t.errs.n && !t.errs.other) fprintf(f, " none");
        for (k = 0; k < t.errs.n; k++) {
            fprintf(f, " %s=%" PRIu64, t.errs.e[k].name, t.errs.e[k].count);
            if (t.errs.e[k].expected) fprintf(f, "(expected %" PRIu64 ")", t.errs.e[k].expected);
            if (k + 1 < t.errs.n) fputc(';', f);
        }
        if (t.errs.other) fprintf(f, "; other=%" PRIu64, t.errs.other);
        fprintf(f, "\nBUSY: rejections=%" PRIu64 " wait-timeouts=%" PRIu64 " connects=%" PRIu64 "\n", t.busy,
                t.wait_timeouts, t.connects);
        fprintf(f, "FAULTS: mid-message=%" PRIu64 " connect-leave=%" PRIu64 " slow-reads=%" PRIu64
                   " server-restarts=%d\n",
                t.fault_mid, t.fault_leave, t.slow_reads, run->server_restarts);
    }
    procmem_line(f, "HARNESS", run->harness, run->cpu_harness_ms, NULL, NULL);
    if (run->opts.server != PS_SS_BUILTIN)
        procmem_line(f, "SERVER-PROCESS", run->server, run->cpu_server_ms, run->server_handles_note,
                     run->cpu_server_note);
    for (i = 0; i < run->nchecks; i++) {
        fprintf(f, "CHECK %s: %s %s\n", run->checks[i].name, state_name(run->checks[i].state), run->checks[i].detail);
        if (run->checks[i].state == PS_CHECK_FAIL) nfail++;
    }
    for (i = 0; i < run->nrounds; i++)
        for (k = 0; k < run->rounds[i].nincidents; k++) fprintf(f, "INCIDENT: %s\n", run->rounds[i].incidents[k]);
    fprintf(f, "RESULT: %s", run->ok ? "PASS" : "FAIL");
    if (nfail) {
        int first = 1;
        fprintf(f, " (failed:");
        for (i = 0; i < run->nchecks; i++)
            if (run->checks[i].state == PS_CHECK_FAIL) {
                fprintf(f, "%s%s", first ? " " : ", ", run->checks[i].name);
                first = 0;
            }
        fprintf(f, ")");
    }
    fprintf(f, "\n");
}

/* ---------------- JSON ---------------- */
static void jnum(ps_buf *b, double v)
{
    if (v != v || v > 1e300 || v < -1e300) ps_buf_adds(b, "null");
    else if (v == m_floor(v) && m_fabs(v) < 9e15) ps_buf_printf(b, "%.0f", v);
    else ps_buf_printf(b, "%.3f", v);
}

static void jprocmem(ps_buf *b, const ps_procmem *m)
{
    ps_buf_adds(b, "{\"private_bytes\":");
    if (m->private_bytes >= 0) ps_buf_printf(b, "%" PRId64, m->private_bytes);
    else ps_buf_adds(b, "null");
    ps_buf_adds(b, ",\"working_set\":");
    if (m->working_set >= 0) ps_buf_printf(b, "%" PRId64, m->working_set);
    else ps_buf_adds(b, "null");
    ps_buf_adds(b, ",\"handles\":");
    if (m->handles >= 0) ps_buf_printf(b, "%ld", m->handles);
    else ps_buf_adds(b, "null");
    ps_buf_adds(b, "}");
}

static void jseries(ps_buf *b, const ps_series *s)
{
    int i, k;
    static const char *const keys[] = {"t_ms", "requests_per_s", "errors", "p50_us", "p99_us", "max_us"};
    ps_buf_printf(b, "{\"interval_ms\":");
    jnum(b, s->interval_ms);
    for (k = 0; k < 6; k++) {
        ps_buf_printf(b, ",\"%s\":[", keys[k]);
        for (i = 0; i < s->n; i++) {
            const ps_slot *sl = &s->slots[i];
            double v = 0;
            if (i) ps_buf_addc(b, ',');
            switch (k) {
            case 0: v = (double)i * s->interval_ms; break;
            case 1: v = (double)sl->n * 1000.0 / s->interval_ms; break;
            case 2: v = (double)sl->errors; break;
            case 3: v = sl->h.counts ? us(ps_hist_percentile(&sl->h, 50)) : 0; break;
            case 4: v = sl->h.counts ? us(ps_hist_percentile(&sl->h, 99)) : 0; break;
            default: v = us(sl->lat_max); break;
            }
            jnum(b, v);
        }
        ps_buf_addc(b, ']');
    }
    ps_buf_addc(b, '}');
}

static void jround(ps_buf *b, const ps_round *r)
{
    const ps_counters *c = &r->c;
    int k;
    size_t i;
    int first = 1;
    ps_buf_printf(b, "{\"clients\":%d,\"connections\":%d,\"held\":%d,\"wall_ms\":", r->clients, r->connections,
                  r->held);
    jnum(b, r->wall_ms);
    ps_buf_adds(b, ",\"requests_per_s\":");
    jnum(b, ps_round_rps(r));
    ps_buf_adds(b, ",\"bytes_per_s\":");
    jnum(b, ps_round_bytes_per_s(r));
    ps_buf_adds(b, ",\"cpu_ms\":");
    if (r->cpu_ms >= 0) jnum(b, r->cpu_ms);
    else ps_buf_adds(b, "null");
    ps_buf_adds(b, ",\"memory_per_connection_bytes\":");
    if (ps_round_mem_per_conn(r) >= 0) jnum(b, ps_round_mem_per_conn(r));
    else ps_buf_adds(b, "null");
    ps_buf_printf(b,
                  ",\"counters\":{\"operations\":%" PRIu64 ",\"sent\":%" PRIu64 ",\"verified\":%" PRIu64
                  ",\"errors\":%" PRIu64 ",\"errors_expected\":%" PRIu64 ",\"corrupt\":%" PRIu64
                  ",\"busy_rejections\":%" PRIu64 ",\"wait_timeouts\":%" PRIu64 ",\"connects\":%" PRIu64
                  ",\"bytes_out\":%" PRIu64 ",\"bytes_in\":%" PRIu64 ",\"fault_mid_message\":%" PRIu64
                  ",\"fault_connect_leave\":%" PRIu64 ",\"slow_reads\":%" PRIu64 "}",
                  c->ops, c->sent, c->verified, c->errors, c->errors_expected, c->corrupt, c->busy, c->wait_timeouts,
                  c->connects, c->bytes_out, c->bytes_in, c->fault_mid, c->fault_leave, c->slow_reads);
    ps_buf_adds(b, ",\"errors\":[");
    for (k = 0; k < c->errs.n; k++) {
        ps_buf_adds(b, k ? ",{\"name\":" : "{\"name\":");
        ps_json_str(b, c->errs.e[k].name);
        ps_buf_printf(b, ",\"count\":%" PRIu64 ",\"expected\":%" PRIu64 "}", c->errs.e[k].count, c->errs.e[k].expected);
    }
    ps_buf_adds(b, "],\"latency_us\":{");
    for (k = 0; k < 4; k++) {
        ps_buf_printf(b, "\"%s\":", PERC_NAMES[k]);
        jnum(b, us(ps_hist_percentile(&r->lat, PERCS[k])));
        ps_buf_addc(b, ',');
    }
    ps_buf_adds(b, "\"min\":");
    jnum(b, us(r->lat.total ? r->lat.min : 0));
    ps_buf_adds(b, ",\"max\":");
    jnum(b, us(r->lat.max));
    ps_buf_adds(b, ",\"mean\":");
    jnum(b, ps_hist_mean(&r->lat) / 1000.0);
    ps_buf_printf(b, ",\"count\":%" PRIu64 "}", r->lat.total);
    ps_buf_printf(b, ",\"histogram\":{\"unit\":\"ns\",\"sub_bits\":%d,\"buckets\":[", r->lat.sub_bits);
    for (i = 0; i < r->lat.nbuckets; i++)
        if (r->lat.counts[i]) {
            ps_buf_printf(b, "%s[%" PRIu64 ",%" PRIu64 ",%" PRIu64 "]", first ? "" : ",", ps_hist_bucket_lo(&r->lat, i),
                          ps_hist_bucket_hi(&r->lat, i), r->lat.counts[i]);
            first = 0;
        }
    ps_buf_adds(b, "]},\"series\":");
    jseries(b, &r->series);
    ps_buf_adds(b, ",\"server\":");
    if (r->have_server)
        ps_buf_printf(b,
                      "{\"connections\":%" PRIu64 ",\"requests\":%" PRIu64 ",\"responses\":%" PRIu64
                      ",\"corrupt\":%" PRIu64 ",\"client_left\":%" PRIu64 ",\"client_aborted\":%" PRIu64
                      ",\"errors\":%" PRIu64 ",\"instances\":%" PRIu64 "}",
                      r->srv.connections, r->srv.requests, r->srv.responses, r->srv.corrupt, r->srv.client_left,
                      r->srv.client_aborted, r->srv.errors, r->srv.instances);
    else ps_buf_adds(b, "null");
    ps_buf_adds(b, ",\"incidents\":[");
    for (k = 0; k < r->nincidents; k++) {
        if (k) ps_buf_addc(b, ',');
        ps_json_str(b, r->incidents[k]);
    }
    ps_buf_adds(b, "]}");
}

void ps_stress_json(ps_buf *b, const ps_stress_run *run)
{
    const ps_stress_opts *o = &run->opts;
    char sizes[256];
    int i;
    ps_sizemix_format(&o->sizes, sizes, sizeof sizes);
    ps_buf_printf(b, "{\n\"pipespec_stress\":1,\n\"verdict\":\"%s\",\n\"platform\":", run->ok ? "PASS" : "FAIL");
    ps_json_str(b, run->platform);
    ps_buf_adds(b, ",\n\"harness_version\":");
    ps_json_str(b, run->version);
    ps_buf_adds(b, ",\n\"started\":");
    ps_json_str(b, run->started);
    ps_buf_printf(b, ",\n\"seed\":%" PRIu64 ",\n\"config\":{\"summary\":", run->seed);
    ps_json_str(b, run->config);
    ps_buf_printf(b, ",\"server\":\"%s\",\"server_detail\":", server_kind(run));
    ps_json_str(b, run->server_desc);
    ps_buf_adds(b, ",\"pipe\":");
    ps_json_str(b, run->pipe);
    ps_buf_printf(b,
                  ",\"protocol\":\"%s\",\"mode\":\"%s\",\"type\":\"%s\",\"connection\":\"%s\",\"clients\":%d,"
                  "\"connections\":%d,\"processes\":%d,\"requests\":%" PRIu64 ",\"duration_s\":",
                  run->proto_sample ? "sample" : "builtin", run->stream ? "stream" : "reqresp",
                  run->byte_mode ? "byte" : "message", run->churn ? "churn" : "persistent", o->clients, o->connections,
                  o->processes, o->requests);
    jnum(b, o->requests ? 0 : o->duration_s);
    ps_buf_adds(b, ",\"rate\":");
    jnum(b, o->rate);
    ps_buf_adds(b, ",\"sizes\":");
    ps_json_str(b, sizes);
    ps_buf_adds(b, ",\"faults\":{\"mid_message\":");
    jnum(b, o->p_mid);
    ps_buf_adds(b, ",\"connect_leave\":");
    jnum(b, o->p_leave);
    ps_buf_adds(b, ",\"slow_reader\":");
    jnum(b, o->p_slow);
    ps_buf_printf(b, "},\"restart_every\":%" PRIu64 ",\"leak_bound_bytes\":%" PRIu64 ",\"leak_bound_handles\":%ld}",
                  o->restart_every, o->leak_bytes, o->leak_handles);
    ps_buf_adds(b, ",\n\"checks\":[");
    for (i = 0; i < run->nchecks; i++) {
        ps_buf_adds(b, i ? ",\n {\"name\":" : "\n {\"name\":");
        ps_json_str(b, run->checks[i].name);
        ps_buf_printf(b, ",\"state\":\"%s\",\"detail\":",
                      run->checks[i].state == PS_CHECK_PASS ? "pass" : run->checks[i].state == PS_CHECK_FAIL ? "fail" : "n/a");
        ps_json_str(b, run->checks[i].detail);
        ps_buf_adds(b, "}");
    }
    ps_buf_adds(b, "],\n\"rounds\":[");
    for (i = 0; i < run->nrounds; i++) {
        ps_buf_adds(b, i ? ",\n" : "\n");
        jround(b, &run->rounds[i]);
    }
    ps_buf_adds(b, "],\n\"scaling\":[");
    for (i = 0; i < run->nrounds; i++) {
        const ps_round *r = &run->rounds[i];
        ps_buf_printf(b, "%s{\"clients\":%d,\"requests_per_s\":", i ? "," : "", r->clients);
        jnum(b, ps_round_rps(r));
        ps_buf_adds(b, ",\"p50_us\":");
        jnum(b, us(ps_hist_percentile(&r->lat, 50)));
        ps_buf_adds(b, ",\"p99_us\":");
        jnum(b, us(ps_hist_percentile(&r->lat, 99)));
        ps_buf_printf(b, ",\"errors\":%" PRIu64 "}", r->c.errors);
    }
    ps_buf_adds(b, "],\n\"harness\":{\"start\":");
    jprocmem(b, &run->harness[0]);
    ps_buf_adds(b, ",\"warm\":");
    jprocmem(b, &run->harness[1]);
    ps_buf_adds(b, ",\"end\":");
    jprocmem(b, &run->harness[2]);
    ps_buf_adds(b, ",\"cpu_ms\":");
    if (run->cpu_harness_ms >= 0) jnum(b, run->cpu_harness_ms);
    else ps_buf_adds(b, "null");
    ps_buf_adds(b, "},\n\"server_process\":");
    if (run->opts.server == PS_SS_BUILTIN) ps_buf_adds(b, "null");
    else {
        ps_buf_adds(b, "{\"start\":");
        jprocmem(b, &run->server[0]);
        ps_buf_adds(b, ",\"warm\":");
        jprocmem(b, &run->server[1]);
        ps_buf_adds(b, ",\"end\":");
        jprocmem(b, &run->server[2]);
        ps_buf_adds(b, ",\"cpu_ms\":");
        if (run->cpu_server_ms >= 0) jnum(b, run->cpu_server_ms);
        else ps_buf_adds(b, "null");
        ps_buf_adds(b, ",\"cpu_note\":");
        ps_json_str(b, run->cpu_server_note[0] ? run->cpu_server_note : NULL);
        ps_buf_adds(b, ",\"handles_note\":");
        ps_json_str(b, run->server_handles_note[0] ? run->server_handles_note : NULL);
        ps_buf_printf(b, ",\"restarts\":%d,\"died\":%s}", run->server_restarts, run->server_died ? "true" : "false");
    }
    ps_buf_adds(b, ",\n\"memory_series\":{\"t_ms\":[");
    for (i = 0; i < run->nmem; i++) {
        if (i) ps_buf_addc(b, ',');
        jnum(b, run->mem[i].t_ms);
    }
    ps_buf_adds(b, "],\"harness_private\":[");
    for (i = 0; i < run->nmem; i++) ps_buf_printf(b, "%s%" PRId64, i ? "," : "", run->mem[i].harness);
    ps_buf_adds(b, "],\"server_private\":[");
    for (i = 0; i < run->nmem; i++) ps_buf_printf(b, "%s%" PRId64, i ? "," : "", run->mem[i].server);
    /* the leak checks' data: growth with the work (stress_leak.h) */
    ps_buf_adds(b, "]},\n\"leak\":{\"harness\":");
    ps_leak_json(b, &run->leak_harness);
    ps_buf_adds(b, ",\"server\":");
    if (run->opts.server == PS_SS_BUILTIN) ps_buf_adds(b, "null");
    else ps_leak_json(b, &run->leak_server);
    ps_buf_adds(b, "}\n}\n");
}

/* ---------------- SVG plots ---------------- */
#define PW 640.0 /* plot size */
#define PH 260.0
#define ML 64.0 /* margins */
#define MR 64.0
#define MT 28.0
#define MB 40.0

static const char *const COLORS[] = {"#0969da", "#cf222e", "#1a7f37", "#8250df", "#bc4c00", "#6e7781"};

/* A "nice" tick step for a range split in about n parts. */
static double nice_step(double range, int n)
{
    double raw = range / n, mag, f;
    if (raw <= 0) return 1;
    mag = m_pow10i((int)m_floor(m_log2(raw) / 3.32192809488736234787 + 1e-9));
    f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void num_label(char *buf, size_t n, double v)
{
    double a = m_fabs(v);
    if (a >= 1e6) snprintf(buf, n, "%.3gM", v / 1e6);
    else if (a >= 1e4) snprintf(buf, n, "%.3gk", v / 1e3);
    else if (a >= 100 || v == m_floor(v)) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.3g", v);
}

static void svg_open(ps_buf *b, const char *id, const char *title)
{
    ps_buf_printf(b,
                  "<figure><svg id=\"%s\" class=\"plot\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" "
                  "width=\"%.0f\" height=\"%.0f\" role=\"img\" aria-label=\"",
                  id, PW, PH, PW, PH);
    ps_xml_escape(b, title);
    ps_buf_adds(b, "\"><title>");
    ps_xml_escape(b, title);
    ps_buf_printf(b, "</title><rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\" stroke=\"#d0d7de\"/>",
                  ML, MT, PW - ML - MR, PH - MT - MB);
    ps_buf_printf(b, "<text x=\"%.0f\" y=\"18\" class=\"t\">", ML);
    ps_xml_escape(b, title);
    ps_buf_adds(b, "</text>");
}

static void svg_close(ps_buf *b, const char *caption)
{
    ps_buf_adds(b, "</svg>");
    if (caption) {
        ps_buf_adds(b, "<figcaption>");
        ps_xml_escape(b, caption);
        ps_buf_adds(b, "</figcaption>");
    }
    ps_buf_adds(b, "</figure>\n");
}

/* Y axis ticks (linear) on the left (side 0) or right (side 1); returns the max. */
static double y_axis(ps_buf *b, double maxv, const char *label, int side, const char *color)
{
    double step, v, top;
    char t[32];
    if (maxv <= 0) maxv = 1;
    step = nice_step(maxv, 5);
    top = m_ceil(maxv / step) * step;
    for (v = 0; v <= top + step * 0.01; v += step) {
        double y = PH - MB - (v / top) * (PH - MT - MB);
        num_label(t, sizeof t, v);
        if (!side)
            ps_buf_printf(b, "<line x1=\"%.0f\" x2=\"%.0f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eaeef2\"/>", ML,
                          PW - MR, y, y);
        ps_buf_printf(b, "<text x=\"%.0f\" y=\"%.1f\" class=\"%s\" fill=\"%s\">%s</text>",
                      side ? PW - MR + 4 : ML - 4, y + 4, side ? "yl" : "yr", color, t);
    }
    ps_buf_printf(b, "<text class=\"al\" fill=\"%s\" transform=\"translate(%.0f %.0f) rotate(-90)\">", color,
                  side ? PW - 8 : 14.0, (PH - MB + MT) / 2);
    ps_xml_escape(b, label);
    ps_buf_adds(b, "</text>");
    return top;
}

static void x_axis_linear(ps_buf *b, double maxv, const char *label)
{
    double step, v;
    char t[32];
    if (maxv <= 0) maxv = 1;
    step = nice_step(maxv, 8);
    for (v = 0; v <= maxv + step * 0.01; v += step) {
        double x = ML + (v / maxv) * (PW - ML - MR);
        num_label(t, sizeof t, v);
        ps_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" class=\"xl\">%s</text>", x, PH - MB + 14, t);
    }
    ps_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" class=\"xl\">", (ML + PW - MR) / 2, PH - 6);
    ps_xml_escape(b, label);
    ps_buf_adds(b, "</text>");
}

static void legend(ps_buf *b, const char *const *names, int n)
{
    int i;
    double x, width = 0;
    for (i = 0; i < n; i++) width += 14 + 6.5 * (double)strlen(names[i]) + 12;
    x = PW - MR - width; /* right-aligned over the plot, clear of the title */
    for (i = 0; i < n; i++) {
        ps_buf_printf(b, "<rect x=\"%.0f\" y=\"9\" width=\"10\" height=\"10\" fill=\"%s\"/>", x, COLORS[i % 6]);
        ps_buf_printf(b, "<text x=\"%.0f\" y=\"18\" class=\"lg\">", x + 14);
        ps_xml_escape(b, names[i]);
        ps_buf_adds(b, "</text>");
        x += 14 + 6.5 * (double)strlen(names[i]) + 12;
    }
}

/* Lines over a linear x: ys[k][i] for k < nlines, i < n. */
static void svg_lines(ps_buf *b, const char *id, const char *title, const char *xlabel, const char *ylabel,
                      const double *x, double xmax, const double *const *ys, const char *const *names, int nlines,
                      int n, const char *caption)
{
    double ymax = 0, top;
    int i, k;
    svg_open(b, id, title);
    for (k = 0; k < nlines; k++)
        for (i = 0; i < n; i++)
            if (ys[k][i] > ymax) ymax = ys[k][i];
    top = y_axis(b, ymax, ylabel, 0, "#57606a");
    x_axis_linear(b, xmax, xlabel);
    for (k = 0; k < nlines; k++) {
        ps_buf_printf(b, "<polyline class=\"s%d\" fill=\"none\" stroke=\"%s\" stroke-width=\"1.6\" points=\"", k,
                      COLORS[k % 6]);
        for (i = 0; i < n; i++) {
            double px = ML + (xmax > 0 ? x[i] / xmax : 0) * (PW - ML - MR);
            double py = PH - MB - (ys[k][i] / top) * (PH - MT - MB);
            ps_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", px, py);
        }
        ps_buf_adds(b, "\"/>");
        if (n == 1) {
            double py = PH - MB - (ys[k][0] / top) * (PH - MT - MB);
            ps_buf_printf(b, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>", ML, py, COLORS[k % 6]);
        }
    }
    legend(b, names, nlines);
    svg_close(b, caption);
}

/* The latency histogram: the fine buckets gathered into bins of 1/8 power of two, as
 * bars over a log-scaled x axis in microseconds. */
static void svg_histogram(ps_buf *b, const char *id, const ps_hist *h)
{
    enum { PER_OCTAVE = 8, MAXBINS = 8 * 48 };
    double counts[MAXBINS];
    double lo_us, hi_us, lmin, lmax, cmax = 0, top;
    int nb, i;
    size_t k;
    char t[32];
    svg_open(b, id, "Latency histogram");
    if (!h->total) {
        ps_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" class=\"xl\">no completed request</text>", PW / 2, PH / 2);
        svg_close(b, NULL);
        return;
    }
    lo_us = us(h->min) > 1 ? us(h->min) : 1;
    hi_us = us(h->max) > lo_us * 1.5 ? us(h->max) : lo_us * 1.5;
    lmin = m_floor(m_log2(lo_us) * PER_OCTAVE) / PER_OCTAVE;
    lmax = m_ceil(m_log2(hi_us) * PER_OCTAVE) / PER_OCTAVE;
    if (lmax <= lmin) lmax = lmin + 1.0 / PER_OCTAVE;
    nb = (int)((lmax - lmin) * PER_OCTAVE + 0.5);
    if (nb > MAXBINS) nb = MAXBINS;
    if (nb < 1) nb = 1;
    for (i = 0; i < nb; i++) counts[i] = 0;
    for (k = 0; k < h->nbuckets; k++)
        if (h->counts[k]) {
            double lo = us(ps_hist_bucket_lo(h, k)), hi = us(ps_hist_bucket_hi(h, k) + 1);
            double mid = (lo + hi) / 2;
            int bin = mid <= 0 ? 0 : (int)m_floor((m_log2(mid) - lmin) * PER_OCTAVE);
            if (bin < 0) bin = 0;
            if (bin >= nb) bin = nb - 1;
            counts[bin] += (double)h->counts[k];
        }
    for (i = 0; i < nb; i++)
        if (counts[i] > cmax) cmax = counts[i];
    top = y_axis(b, cmax, "requests", 0, "#57606a");
    for (i = 0; i < nb; i++) {
        double x0 = ML + (double)i / nb * (PW - ML - MR), w = (PW - ML - MR) / nb;
        double hgt = counts[i] / top * (PH - MT - MB);
        if (counts[i] > 0)
            ps_buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>%.0f-%.0f us: %.0f</title></rect>",
                          x0, PH - MB - hgt, w > 1.5 ? w - 0.5 : w, hgt, COLORS[0], m_pow2(lmin + (double)i / PER_OCTAVE),
                          m_pow2(lmin + (double)(i + 1) / PER_OCTAVE), counts[i]);
    }
    /* x ticks at powers of two (or of four when wide) */
    {
        int step = (lmax - lmin) > 12 ? 2 : 1;
        int e;
        for (e = (int)m_ceil(lmin); e <= (int)m_floor(lmax); e += step) {
            double x = ML + (e - lmin) / (lmax - lmin) * (PW - ML - MR);
            num_label(t, sizeof t, m_pow2(e));
            ps_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" class=\"xl\">%s</text>", x, PH - MB + 14, t);
        }
    }
    ps_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" class=\"xl\">latency (us, log scale)</text>", (ML + PW - MR) / 2, PH - 6);
    /* percentile markers */
    for (i = 0; i < 4; i++) {
        double v = us(ps_hist_percentile(h, PERCS[i]));
        double x = v > 0 ? ML + (m_log2(v) - lmin) / (lmax - lmin) * (PW - ML - MR) : ML;
        ps_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>"
                         "<text x=\"%.1f\" y=\"%.0f\" class=\"lg\" fill=\"%s\">%s</text>",
                      x, x, MT, PH - MB, COLORS[1 + i % 5], x + 2, MT + 12 + 11 * i, COLORS[1 + i % 5], PERC_NAMES[i]);
    }
    svg_close(b, "Bins of 1/8 of a power of two; dashed lines: percentiles from the full-resolution histogram.");
}

/* The scaling chart: requests/s as bars (left axis), p50 and p99 as lines (right axis). */
static void svg_scaling(ps_buf *b, const ps_stress_run *run)
{
    int i, n = run->nrounds;
    double rmax = 0, lmax = 0, rtop, ltop, w = (PW - ML - MR) / (n ? n : 1);
    char t[32];
    svg_open(b, "plot-scaling", "Scaling: throughput and latency by clients");
    for (i = 0; i < n; i++) {
        const ps_round *r = &run->rounds[i];
        if (ps_round_rps(r) > rmax) rmax = ps_round_rps(r);
        if (us(ps_hist_percentile(&r->lat, 99)) > lmax) lmax = us(ps_hist_percentile(&r->lat, 99));
    }
    rtop = y_axis(b, rmax, "requests/s", 0, COLORS[0]);
    ltop = y_axis(b, lmax, "latency (us)", 1, COLORS[1]);
    for (i = 0; i < n; i++) {
        const ps_round *r = &run->rounds[i];
        double x0 = ML + i * w, hgt = ps_round_rps(r) / rtop * (PH - MT - MB);
        ps_buf_printf(b, "<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\" fill-opacity=\".55\"><title>%d clients: %.1f req/s</title></rect>",
                      x0 + w * 0.15, PH - MB - hgt, w * 0.7, hgt, COLORS[0], r->clients, ps_round_rps(r));
        snprintf(t, sizeof t, "%d", r->clients);
        ps_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" class=\"xl\">%s</text>", x0 + w / 2, PH - MB + 14, t);
    }
    {
        int k;
        for (k = 0; k < 2; k++) {
            double q = k ? 99 : 50;
            ps_buf_printf(b, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.8\" %s points=\"", COLORS[1 + k],
                          k ? "" : "stroke-dasharray=\"5 3\"");
            for (i = 0; i < n; i++) {
                double v = us(ps_hist_percentile(&run->rounds[i].lat, q));
                ps_buf_printf(b, "%s%.1f,%.1f", i ? " " : "", ML + i * w + w / 2, PH - MB - v / ltop * (PH - MT - MB));
            }
            ps_buf_adds(b, "\"/>");
        }
    }
    ps_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" class=\"xl\">clients</text>", (ML + PW - MR) / 2, PH - 6);
    {
        static const char *const names[] = {"requests/s", "p50", "p99"};
        legend(b, names, 3);
    }
    svg_close(b, "Bars: requests per second (left axis). Lines: p50 (dashed) and p99 latency (right axis).");
}

static void round_plots(ps_buf *b, const ps_round *r, int idx)
{
    const ps_series *s = &r->series;
    int n = s->n, i;
    double *x = ps_xcalloc((size_t)n + 1, sizeof(double));
    double *rps = ps_xcalloc((size_t)n + 1, sizeof(double));
    double *errs = ps_xcalloc((size_t)n + 1, sizeof(double));
    double *p50 = ps_xcalloc((size_t)n + 1, sizeof(double));
    double *p99 = ps_xcalloc((size_t)n + 1, sizeof(double));
    double *mx = ps_xcalloc((size_t)n + 1, sizeof(double));
    char id[48];
    for (i = 0; i < n; i++) {
        const ps_slot *sl = &s->slots[i];
        x[i] = (i + 0.5) * s->interval_ms / 1000.0;
        rps[i] = (double)sl->n * 1000.0 / s->interval_ms;
        errs[i] = (double)sl->errors * 1000.0 / s->interval_ms;
        p50[i] = sl->h.counts ? us(ps_hist_percentile(&sl->h, 50)) : 0;
        p99[i] = sl->h.counts ? us(ps_hist_percentile(&sl->h, 99)) : 0;
        mx[i] = us(sl->lat_max);
    }
    {
        const double *ys[3];
        static const char *const names[] = {"p50", "p99", "max"};
        ys[0] = p50, ys[1] = p99, ys[2] = mx;
        snprintf(id, sizeof id, "plot-latency-time-%d", idx);
        svg_lines(b, id, "Latency over time", "time (s)", "latency (us)", x, n * s->interval_ms / 1000.0, ys,
                  names, 3, n, "Per interval of the run; percentiles from a 6 % resolution histogram per interval.");
    }
    {
        const double *ys[2];
        static const char *const names[] = {"requests/s", "errors/s"};
        ys[0] = rps, ys[1] = errs;
        snprintf(id, sizeof id, "plot-throughput-time-%d", idx);
        svg_lines(b, id, "Throughput over time", "time (s)", "per second", x, n * s->interval_ms / 1000.0, ys,
                  names, 2, n, NULL);
    }
    snprintf(id, sizeof id, "plot-histogram-%d", idx);
    svg_histogram(b, id, &r->lat);
    free(x);
    free(rps);
    free(errs);
    free(p50);
    free(p99);
    free(mx);
}

static void html_text(ps_buf *b, const char *s)
{
    ps_xml_escape(b, s ? s : "");
}

static void td_num(ps_buf *b, double v, int decimals)
{
    ps_buf_printf(b, "<td class=\"n\">%.*f</td>", decimals, v);
}

void ps_stress_html(ps_buf *b, const ps_stress_run *run)
{
    int i, k;
    ps_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>pipespec stress: ");
    ps_buf_adds(b, run->ok ? "PASS" : "FAIL");
    ps_buf_adds(b, "</title>\n<style>\n"
                   "body{margin:0 auto;max-width:1400px;padding:16px 24px;color:#1f2328;"
                   "font:14px/1.45 system-ui,-apple-system,\"Segoe UI\",Roboto,Arial,sans-serif}\n"
                   "h1{font-size:22px;margin:0 0 8px}h2{font-size:17px;margin:24px 0 8px}\n"
                   ".banner{margin:12px 0;padding:10px 14px;border-radius:6px;font-weight:600;border:1px solid}\n"
                   ".ok{background:#dafbe1;border-color:#4ac26b;color:#116329}.bad{background:#ffebe9;border-color:#ff8182;color:#a40e26}\n"
                   "table{border-collapse:collapse;margin:8px 0}th,td{text-align:left;padding:3px 10px;border-bottom:1px solid #d0d7de}"
                   "th{background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
                   "tr.FAIL td.st{color:#cf222e;font-weight:700}tr.PASS td.st{color:#1a7f37}tr.N\\/A td.st{color:#6e7781}\n"
                   "dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:#57606a}dd{margin:0}\n"
                   ".plots{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0}figcaption{color:#57606a;font-size:12px;max-width:640px}\n"
                   "svg.plot{max-width:100%;height:auto;font:11px system-ui,Arial,sans-serif}\n"
                   "svg .t{font-size:13px;font-weight:600}svg .xl{text-anchor:middle;fill:#57606a}"
                   "svg .yr{text-anchor:end}svg .yl{text-anchor:start}svg .al{text-anchor:middle}svg .lg{fill:#1f2328}\n"
                   "code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px}\n"
                   "</style>\n</head>\n<body>\n<h1>pipespec stress</h1>\n");
    ps_buf_printf(b, "<div class=\"banner %s\" id=\"verdict\">%s</div>\n", run->ok ? "ok" : "bad",
                  run->ok ? "PASS: every check held under load" : "FAIL: a check failed under load");
    ps_buf_adds(b, "<dl>\n<dt>Run</dt><dd><code>");
    html_text(b, run->config);
    ps_buf_adds(b, "</code></dd>\n<dt>Server</dt><dd>");
    html_text(b, run->server_desc);
    ps_buf_adds(b, " on <code>");
    html_text(b, run->pipe);
    ps_buf_printf(b, "</code></dd>\n<dt>Seed</dt><dd>%" PRIu64 "</dd>\n<dt>Platform</dt><dd>", run->seed);
    html_text(b, run->platform);
    ps_buf_adds(b, "</dd>\n<dt>Started</dt><dd>");
    html_text(b, run->started);
    ps_buf_adds(b, "</dd>\n<dt>Harness</dt><dd>pipespec ");
    html_text(b, run->version);
    ps_buf_adds(b, "</dd>\n</dl>\n");

    ps_buf_adds(b, "<h2>Checks</h2>\n<table id=\"checks\"><thead><tr><th>check</th><th>state</th><th>detail</th></tr></thead><tbody>\n");
    for (i = 0; i < run->nchecks; i++) {
        const char *st = state_name(run->checks[i].state);
        ps_buf_printf(b, "<tr class=\"%s\"><td>%s</td><td class=\"st\">%s</td><td>", st, run->checks[i].name, st);
        html_text(b, run->checks[i].detail);
        ps_buf_adds(b, "</td></tr>\n");
    }
    ps_buf_adds(b, "</tbody></table>\n");

    ps_buf_adds(b, "<h2>Rounds</h2>\n<table id=\"rounds\"><thead><tr><th>clients</th><th>sent</th><th>verified</th>"
                   "<th>errors</th><th>busy</th><th>wall (ms)</th><th>req/s</th><th>MB/s</th><th>p50 (us)</th>"
                   "<th>p90</th><th>p99</th><th>p99.9</th><th>max</th></tr></thead><tbody>\n");
    for (i = 0; i < run->nrounds; i++) {
        const ps_round *r = &run->rounds[i];
        ps_buf_printf(b, "<tr><td class=\"n\">%d</td>", r->clients);
        td_num(b, (double)r->c.sent, 0);
        td_num(b, (double)r->c.verified, 0);
        td_num(b, (double)r->c.errors, 0);
        td_num(b, (double)r->c.busy, 0);
        td_num(b, r->wall_ms, 0);
        td_num(b, ps_round_rps(r), 1);
        td_num(b, ps_round_bytes_per_s(r) / 1e6, 2);
        for (k = 0; k < 4; k++) td_num(b, us(ps_hist_percentile(&r->lat, PERCS[k])), 0);
        td_num(b, us(r->lat.max), 0);
        ps_buf_adds(b, "</tr>\n");
    }
    ps_buf_adds(b, "</tbody></table>\n");

    if (run->nrounds > 1) {
        ps_buf_adds(b, "<h2>Scaling</h2>\n<div class=\"plots\">\n");
        svg_scaling(b, run);
        ps_buf_adds(b, "</div>\n");
    }
    for (i = 0; i < run->nrounds; i++) {
        const ps_round *r = &run->rounds[i];
        ps_buf_printf(b, "<h2>Round %d: %d client%s</h2>\n", i + 1, r->clients, r->clients == 1 ? "" : "s");
        if (r->c.errs.n) {
            ps_buf_adds(b, "<table class=\"errors\"><thead><tr><th>error</th><th>count</th><th>expected</th></tr></thead><tbody>\n");
            for (k = 0; k < r->c.errs.n; k++) {
                ps_buf_adds(b, "<tr><td>");
                html_text(b, r->c.errs.e[k].name);
                ps_buf_adds(b, "</td>");
                td_num(b, (double)r->c.errs.e[k].count, 0);
                td_num(b, (double)r->c.errs.e[k].expected, 0);
                ps_buf_adds(b, "</tr>\n");
            }
            ps_buf_adds(b, "</tbody></table>\n");
        }
        for (k = 0; k < r->nincidents; k++) {
            ps_buf_adds(b, "<p class=\"incident\">");
            html_text(b, r->incidents[k]);
            ps_buf_adds(b, "</p>\n");
        }
        ps_buf_adds(b, "<div class=\"plots\">\n");
        round_plots(b, r, i + 1);
        ps_buf_adds(b, "</div>\n");
    }

    ps_buf_adds(b, "<h2>Memory</h2>\n<table id=\"memory\"><thead><tr><th>process</th><th>private start</th>"
                   "<th>warm</th><th>end</th><th>handles start</th><th>warm</th><th>end</th><th>CPU (ms)</th></tr></thead><tbody>\n");
    for (k = 0; k < 2; k++) {
        const ps_procmem *m = k ? run->server : run->harness;
        double cpu = k ? run->cpu_server_ms : run->cpu_harness_ms;
        char t[32];
        if (k && run->opts.server == PS_SS_BUILTIN) break;
        ps_buf_printf(b, "<tr><td>%s</td>", k ? "server" : "harness");
        for (i = 0; i < 3; i++) {
            human_bytes(t, sizeof t, (double)m[i].private_bytes);
            ps_buf_printf(b, "<td class=\"n\">%s</td>", t);
        }
        for (i = 0; i < 3; i++) {
            if (m[i].handles >= 0) ps_buf_printf(b, "<td class=\"n\">%ld</td>", m[i].handles);
            else ps_buf_adds(b, "<td class=\"n\">n/a</td>");
        }
        if (cpu >= 0) td_num(b, cpu, 0);
        else ps_buf_adds(b, "<td class=\"n\">n/a</td>");
        ps_buf_adds(b, "</tr>\n");
    }
    ps_buf_adds(b, "</tbody></table>\n");
    if (run->opts.server != PS_SS_BUILTIN && run->cpu_server_note[0]) {
        ps_buf_adds(b, "<p>Server CPU: ");
        html_text(b, run->cpu_server_note);
        ps_buf_adds(b, "</p>\n");
    }
    if (run->nmem > 1) {
        double *x = ps_xcalloc((size_t)run->nmem, sizeof(double));
        double *h = ps_xcalloc((size_t)run->nmem, sizeof(double));
        double *s = ps_xcalloc((size_t)run->nmem, sizeof(double));
        const double *ys[2];
        static const char *const names[] = {"harness", "server"};
        int lines = run->opts.server == PS_SS_BUILTIN ? 1 : 2;
        for (i = 0; i < run->nmem; i++) {
            x[i] = run->mem[i].t_ms / 1000.0;
            h[i] = run->mem[i].harness > 0 ? (double)run->mem[i].harness / 1048576.0 : 0;
            s[i] = run->mem[i].server > 0 ? (double)run->mem[i].server / 1048576.0 : 0;
        }
        ys[0] = h, ys[1] = s;
        ps_buf_adds(b, "<div class=\"plots\">\n");
        svg_lines(b, "plot-memory", "Private memory over time", "time (s)", "MiB", x, x[run->nmem - 1], ys, names,
                  lines, run->nmem, NULL);
        ps_buf_adds(b, "</div>\n");
        free(x);
        free(h);
        free(s);
    }
    ps_buf_adds(b, "<footer><p>Written by pipespec stress; the same data is in stress.json.</p></footer>\n</body>\n</html>\n");
}

int ps_stress_write_reports(const char *dir, const ps_stress_run *run, const char **failed)
{
    ps_buf b;
    char *path;
    int rc = 0;
    ps_buf_init(&b);
    ps_stress_json(&b, run);
    path = ps_sprintf("%s/stress.json", dir);
    if (ps_write_file(path, b.data, b.len)) {
        rc = -1;
        if (failed) *failed = "stress.json";
    }
    free(path);
    ps_buf_free(&b);
    if (rc) return rc;
    ps_buf_init(&b);
    ps_stress_html(&b, run);
    path = ps_sprintf("%s/stress.html", dir);
    if (ps_write_file(path, b.data, b.len)) {
        rc = -1;
        if (failed) *failed = "stress.html";
    }
    free(path);
    ps_buf_free(&b);
    return rc;
}
