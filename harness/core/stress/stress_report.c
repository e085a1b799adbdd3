/* stress_report.c: see stress_report.h: the progress line, the summary and stress.json
 * (stress.html is stress_report_html.c). */
#include "stress_report.h"
#include "stress_report_internal.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Small math for the plots, without libm (the core links no math library):
 * accurate to far better than a pixel. */
double sr_floor(double x)
{
    double t = (double)(long long)x;
    return t > x ? t - 1 : t;
}
double sr_ceil(double x)
{
    double t = (double)(long long)x;
    return t < x ? t + 1 : t;
}
double sr_fabs(double x)
{
    return x < 0 ? -x : x;
}
/* log2 for x > 0: the exponent by halving/doubling, then 2 atanh((m-1)/(m+1)) / ln 2. */
double sr_log2(double x)
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
/* 2^y: 2^sr_floor(y) times e^(frac ln 2) by its series. */
double sr_pow2(double y)
{
    double f = sr_floor(y), r = 1, t = 1, a = (y - f) * 0.69314718055994530942;
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
double sr_pow10i(int k)
{
    double r = 1;
    for (; k > 0; k--) r *= 10;
    for (; k < 0; k++) r /= 10;
    return r;
}

const char *const sr_perc_names[] = {"p50", "p90", "p99", "p99.9"};
const double sr_percs[] = {50, 90, 99, 99.9};

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

double sr_us(uint64_t ns)
{
    return (double)ns / 1000.0;
}

const char *sr_state_name(ps_check_state s)
{
    return s == PS_CHECK_PASS ? "PASS" : s == PS_CHECK_FAIL ? "FAIL" : "N/A";
}

void sr_human_bytes(char *buf, size_t n, double v)
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
    sr_human_bytes(a, sizeof a, (double)m[0].private_bytes);
    sr_human_bytes(b, sizeof b, (double)m[1].private_bytes);
    sr_human_bytes(c, sizeof c, (double)m[2].private_bytes);
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
        for (k = 0; k < 4; k++) fprintf(f, " %s=%.0fus", sr_perc_names[k], sr_us(ps_hist_percentile(&r->lat, sr_percs[k])));
        fprintf(f, " max=%.0fus\n", sr_us(r->lat.total ? r->lat.max : 0));
        if (r->have_server)
            fprintf(f,
                    "SERVER-COUNTS %d: connections=%" PRIu64 " requests=%" PRIu64 " responses=%" PRIu64 " corrupt=%" PRIu64
                    " client-left=%" PRIu64 " client-aborted=%" PRIu64 " errors=%" PRIu64 " instances=%" PRIu64 "\n",
                    i + 1, r->srv.connections, r->srv.requests, r->srv.responses, r->srv.corrupt, r->srv.client_left,
                    r->srv.client_aborted, r->srv.errors, r->srv.instances);
        if (r->connections) {
            char a[32];
            sr_human_bytes(a, sizeof a, ps_round_mem_per_conn(r));
            fprintf(f, "CONNECTIONS: held=%d of %d; harness memory per connection %s\n", r->held, r->connections, a);
        }
    }
    if (run->nrounds > 1) {
        fprintf(f, "SCALING: %8s %12s %10s %10s %8s\n", "clients", "req/s", "p50(us)", "p99(us)", "errors");
        for (i = 0; i < run->nrounds; i++) {
            const ps_round *r = &run->rounds[i];
            fprintf(f, "SCALING: %8d %12.1f %10.0f %10.0f %8" PRIu64 "\n", r->clients, ps_round_rps(r),
                    sr_us(ps_hist_percentile(&r->lat, 50)), sr_us(ps_hist_percentile(&r->lat, 99)), r->c.errors);
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
    procmem_line(f, "HARNESS", run->harness, run->cpu_harness_ms, run->harness_handles_note, NULL);
    if (run->opts.server != PS_SS_BUILTIN)
        procmem_line(f, "SERVER-PROCESS", run->server, run->cpu_server_ms, run->server_handles_note,
                     run->cpu_server_note);
    for (i = 0; i < run->nchecks; i++) {
        fprintf(f, "CHECK %s: %s %s\n", run->checks[i].name, sr_state_name(run->checks[i].state), run->checks[i].detail);
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
    else if (v == sr_floor(v) && sr_fabs(v) < 9e15) ps_buf_printf(b, "%.0f", v);
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
            case 3: v = sl->h.counts ? sr_us(ps_hist_percentile(&sl->h, 50)) : 0; break;
            case 4: v = sl->h.counts ? sr_us(ps_hist_percentile(&sl->h, 99)) : 0; break;
            default: v = sr_us(sl->lat_max); break;
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
        ps_buf_printf(b, "\"%s\":", sr_perc_names[k]);
        jnum(b, sr_us(ps_hist_percentile(&r->lat, sr_percs[k])));
        ps_buf_addc(b, ',');
    }
    ps_buf_adds(b, "\"min\":");
    jnum(b, sr_us(r->lat.total ? r->lat.min : 0));
    ps_buf_adds(b, ",\"max\":");
    jnum(b, sr_us(r->lat.max));
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
        jnum(b, sr_us(ps_hist_percentile(&r->lat, 50)));
        ps_buf_adds(b, ",\"p99_us\":");
        jnum(b, sr_us(ps_hist_percentile(&r->lat, 99)));
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
    ps_buf_adds(b, ",\"handles_note\":");
    ps_json_str(b, run->harness_handles_note[0] ? run->harness_handles_note : NULL);
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
