/* stress_stats.c: see stress_stats.h. */
#include "stress_stats.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------- errors by name ---------------- */
void ps_errmap_add(ps_errmap *m, const char *name, uint64_t count, uint64_t expected)
{
    int i;
    for (i = 0; i < m->n; i++)
        if (!strcmp(m->e[i].name, name)) break;
    if (i == m->n) {
        if (m->n == PS_ERRMAP_MAX) {
            m->other += count;
            return;
        }
        snprintf(m->e[i].name, sizeof m->e[i].name, "%s", name);
        m->e[i].count = m->e[i].expected = 0;
        m->n++;
    }
    m->e[i].count += count;
    m->e[i].expected += expected;
}

void ps_errmap_merge(ps_errmap *dst, const ps_errmap *src)
{
    int i;
    for (i = 0; i < src->n; i++) ps_errmap_add(dst, src->e[i].name, src->e[i].count, src->e[i].expected);
    dst->other += src->other;
}

void ps_counters_merge(ps_counters *d, const ps_counters *s)
{
    d->ops += s->ops;
    d->sent += s->sent;
    d->verified += s->verified;
    d->errors += s->errors;
    d->errors_expected += s->errors_expected;
    d->corrupt += s->corrupt;
    d->busy += s->busy;
    d->wait_timeouts += s->wait_timeouts;
    d->connects += s->connects;
    d->bytes_out += s->bytes_out;
    d->bytes_in += s->bytes_in;
    d->fault_mid += s->fault_mid;
    d->fault_leave += s->fault_leave;
    d->slow_reads += s->slow_reads;
    ps_errmap_merge(&d->errs, &s->errs);
}

static void server_merge(ps_server_counters *d, const ps_server_counters *s)
{
    d->connections += s->connections;
    d->requests += s->requests;
    d->responses += s->responses;
    d->corrupt += s->corrupt;
    d->client_left += s->client_left;
    d->client_aborted += s->client_aborted;
    d->errors += s->errors;
    d->instances += s->instances;
}

/* ---------------- time series ---------------- */
void ps_series_init(ps_series *s, double interval_ms)
{
    memset(s, 0, sizeof *s);
    s->interval_ms = interval_ms > 0 ? interval_ms : 250;
}

void ps_series_free(ps_series *s)
{
    int i;
    for (i = 0; i < PS_SERIES_SLOTS; i++)
        if (s->slots[i].h.counts) ps_hist_free(&s->slots[i].h);
    memset(s->slots, 0, sizeof s->slots);
    s->n = 0;
}

static void slot_merge(ps_slot *d, const ps_slot *s)
{
    d->n += s->n;
    d->errors += s->errors;
    d->bytes += s->bytes;
    if (s->lat_max > d->lat_max) d->lat_max = s->lat_max;
    if (s->h.counts && s->h.total) {
        if (!d->h.counts) ps_hist_init(&d->h, PS_SERIES_SUB_BITS, PS_SERIES_MAX_BITS);
        ps_hist_merge(&d->h, &s->h);
    }
}

/* Merges the slots in pairs: half as many, twice as long. Slot i takes 2i and 2i+1;
 * going up, what is read (2i, 2i+1 >= i) has not been written yet. */
static void coarsen(ps_series *s)
{
    int i, m = (s->n + 1) / 2;
    for (i = 0; i < m; i++) {
        ps_slot a = s->slots[2 * i]; /* its histogram moves with it */
        if (2 * i + 1 < s->n) {
            slot_merge(&a, &s->slots[2 * i + 1]);
            if (s->slots[2 * i + 1].h.counts) ps_hist_free(&s->slots[2 * i + 1].h);
        }
        s->slots[i] = a;
    }
    for (i = m; i < PS_SERIES_SLOTS; i++) memset(&s->slots[i], 0, sizeof(ps_slot));
    s->n = m;
    s->interval_ms *= 2;
}

static ps_slot *slot_at(ps_series *s, double t_ms)
{
    long idx;
    if (t_ms < 0) t_ms = 0;
    idx = (long)(t_ms / s->interval_ms);
    while (idx >= PS_SERIES_SLOTS) {
        coarsen(s);
        idx = (long)(t_ms / s->interval_ms);
    }
    if (idx >= s->n) s->n = (int)idx + 1;
    return &s->slots[idx];
}

void ps_series_add(ps_series *s, double t_ms, uint64_t lat_ns, uint64_t bytes, int error)
{
    ps_slot *sl = slot_at(s, t_ms);
    if (error) {
        sl->errors++;
        return;
    }
    sl->n++;
    sl->bytes += bytes;
    if (lat_ns > sl->lat_max) sl->lat_max = lat_ns;
    if (!sl->h.counts) ps_hist_init(&sl->h, PS_SERIES_SUB_BITS, PS_SERIES_MAX_BITS);
    ps_hist_record(&sl->h, lat_ns);
}

void ps_series_merge(ps_series *dst, const ps_series *src)
{
    ps_series tmp;
    const ps_series *s = src;
    int i;
    /* bring both to the coarser interval (intervals differ by powers of two) */
    while (dst->interval_ms < src->interval_ms * 0.999) coarsen(dst);
    if (src->interval_ms < dst->interval_ms * 0.999) {
        ps_series_init(&tmp, src->interval_ms);
        for (i = 0; i < src->n; i++) {
            memset(&tmp.slots[i], 0, sizeof(ps_slot));
            slot_merge(&tmp.slots[i], &src->slots[i]);
        }
        tmp.n = src->n;
        while (tmp.interval_ms < dst->interval_ms * 0.999) coarsen(&tmp);
        s = &tmp;
    }
    for (i = 0; i < s->n; i++) {
        if (i >= dst->n) dst->n = i + 1;
        slot_merge(&dst->slots[i], &s->slots[i]);
    }
    if (s == &tmp) ps_series_free(&tmp);
}

/* ---------------- rounds ---------------- */
void ps_round_init(ps_round *r, double series_interval_ms)
{
    memset(r, 0, sizeof *r);
    ps_hist_init(&r->lat, PS_LAT_SUB_BITS, PS_LAT_MAX_BITS);
    ps_series_init(&r->series, series_interval_ms);
    r->mem_connected = r->mem_before = -1;
    r->cpu_ms = -1;
}

void ps_round_free(ps_round *r)
{
    ps_hist_free(&r->lat);
    ps_series_free(&r->series);
}

void ps_round_incident(ps_round *r, const char *text)
{
    if (r->nincidents < PS_INCIDENTS) snprintf(r->incidents[r->nincidents++], sizeof r->incidents[0], "%s", text);
}

void ps_round_merge(ps_round *d, const ps_round *s)
{
    int i;
    ps_counters_merge(&d->c, &s->c);
    ps_hist_merge(&d->lat, &s->lat);
    ps_series_merge(&d->series, &s->series);
    if (s->have_server) {
        server_merge(&d->srv, &s->srv);
        d->have_server = 1;
    }
    d->held += s->held;
    if (s->cpu_ms >= 0) d->cpu_ms = (d->cpu_ms > 0 ? d->cpu_ms : 0) + s->cpu_ms;
    for (i = 0; i < s->nincidents; i++) ps_round_incident(d, s->incidents[i]);
    for (i = 0; i < s->nprocs && d->nprocs < 64; i++) {
        d->proc_warm[d->nprocs] = s->proc_warm[i];
        d->proc_end[d->nprocs] = s->proc_end[i];
        d->proc_fit[d->nprocs][0] = s->proc_fit[i][0];
        d->proc_fit[d->nprocs][1] = s->proc_fit[i][1];
        d->nprocs++;
    }
}

/* Serialized form: "key value..." lines. Counters by name so old and new fields can
 * be told apart; names and incidents are the rest of their line. */
#define C_FIELDS(X)                                                                      \
    X(ops) X(sent) X(verified) X(errors) X(errors_expected) X(corrupt) X(busy)            \
    X(wait_timeouts) X(connects) X(bytes_out) X(bytes_in) X(fault_mid) X(fault_leave)     \
    X(slow_reads)

static void write_procmem(ps_buf *b, const char *key, const ps_procmem *m)
{
    ps_buf_printf(b, "%s %.3f %" PRId64 " %" PRId64 " %ld\n", key, m->t_ms, m->private_bytes, m->working_set,
                  m->handles);
}

void ps_round_write(ps_buf *b, const ps_round *r)
{
    int i;
    ps_buf_adds(b, "PSSTRESS-ROUND 1\n");
    ps_buf_printf(b, "clients %d\nconnections %d\nheld %d\nwall %.3f\ntb %.3f\ncpu %.3f\n", r->clients,
                  r->connections, r->held, r->wall_ms, r->t_begin_ms, r->cpu_ms);
#define W(f) ps_buf_printf(b, "c %s %" PRIu64 "\n", #f, r->c.f);
    C_FIELDS(W)
#undef W
    for (i = 0; i < r->c.errs.n; i++)
        ps_buf_printf(b, "e %" PRIu64 " %" PRIu64 " %s\n", r->c.errs.e[i].count, r->c.errs.e[i].expected,
                      r->c.errs.e[i].name);
    if (r->c.errs.other) ps_buf_printf(b, "eo %" PRIu64 "\n", r->c.errs.other);
    ps_buf_adds(b, "h ");
    ps_hist_write(&r->lat, b);
    ps_buf_printf(b, "\nsi %.6f %d\n", r->series.interval_ms, r->series.n);
    for (i = 0; i < r->series.n; i++) {
        const ps_slot *s = &r->series.slots[i];
        if (!s->n && !s->errors) continue;
        ps_buf_printf(b, "s %d %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " ", i, s->n, s->errors, s->bytes,
                      s->lat_max);
        if (s->h.counts) ps_hist_write(&s->h, b);
        else ps_buf_adds(b, "-");
        ps_buf_addc(b, '\n');
    }
    for (i = 0; i < r->nprocs; i++) {
        int k;
        write_procmem(b, "pw", &r->proc_warm[i]);
        for (k = 0; k < 2; k++) { /* before "pe", which closes the process's lines */
            const ps_leakfit *f = &r->proc_fit[i][k];
            ps_buf_printf(b, "pf %d %d %d %.3f %.9g %.9g %.9g %.9g %s\n", k, f->judged, f->n, f->work, f->slope,
                          f->growth, f->first, f->last, f->why[0] ? f->why : "-");
        }
        write_procmem(b, "pe", &r->proc_end[i]);
    }
    for (i = 0; i < r->nincidents; i++) ps_buf_printf(b, "i %s\n", r->incidents[i]);
    ps_buf_adds(b, "end\n");
}

static int read_procmem(const char *rest, ps_procmem *m)
{
    long long a, c;
    double t;
    long h;
    if (sscanf(rest, "%lf %lld %lld %ld", &t, &a, &c, &h) != 4) return -1;
    m->t_ms = t;
    m->private_bytes = a;
    m->working_set = c;
    m->handles = h;
    return 0;
}

int ps_round_read(ps_round *r, const char *text)
{
    const char *p = text;
    int started = 0, ended = 0;
    char *line = NULL;
    ps_round_init(r, 250);
    while (*p && !ended) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        char *sp;
        const char *key, *rest;
        free(line);
        line = ps_xstrndup(p, len);
        if (len && line[len - 1] == '\r') line[len - 1] = 0;
        p = nl ? nl + 1 : p + len;
        if (!started) {
            if (!strcmp(line, "PSSTRESS-ROUND 1")) started = 1;
            continue;
        }
        if (!strcmp(line, "end")) {
            ended = 1;
            break;
        }
        sp = strchr(line, ' ');
        if (!sp) goto bad;
        *sp = 0;
        key = line;
        rest = sp + 1;
        if (!strcmp(key, "clients")) r->clients = atoi(rest);
        else if (!strcmp(key, "connections")) r->connections = atoi(rest);
        else if (!strcmp(key, "held")) r->held = atoi(rest);
        else if (!strcmp(key, "wall")) r->wall_ms = atof(rest);
        else if (!strcmp(key, "tb")) r->t_begin_ms = atof(rest);
        else if (!strcmp(key, "cpu")) r->cpu_ms = atof(rest);
        else if (!strcmp(key, "c")) {
            char name[32];
            unsigned long long v;
            if (sscanf(rest, "%31s %llu", name, &v) != 2) goto bad;
#define R(f) if (!strcmp(name, #f)) r->c.f = (uint64_t)v; else
            C_FIELDS(R) { /* an unknown counter: ignored */ }
#undef R
        } else if (!strcmp(key, "e")) {
            unsigned long long n, x;
            int used = 0;
            if (sscanf(rest, "%llu %llu %n", &n, &x, &used) != 2 || !used) goto bad;
            ps_errmap_add(&r->c.errs, rest + used, (uint64_t)n, (uint64_t)x);
        } else if (!strcmp(key, "eo")) r->c.errs.other += (uint64_t)strtoull(rest, NULL, 10);
        else if (!strcmp(key, "h")) {
            ps_hist_free(&r->lat);
            if (ps_hist_read(&r->lat, rest)) {
                ps_hist_init(&r->lat, PS_LAT_SUB_BITS, PS_LAT_MAX_BITS);
                goto bad;
            }
        } else if (!strcmp(key, "si")) {
            double iv;
            int n;
            if (sscanf(rest, "%lf %d", &iv, &n) != 2 || iv <= 0 || n < 0 || n > PS_SERIES_SLOTS) goto bad;
            r->series.interval_ms = iv;
            r->series.n = n;
        } else if (!strcmp(key, "s")) {
            int idx, used = 0;
            unsigned long long n, e, by, mx;
            ps_slot *s;
            if (sscanf(rest, "%d %llu %llu %llu %llu %n", &idx, &n, &e, &by, &mx, &used) != 5 || !used ||
                idx < 0 || idx >= PS_SERIES_SLOTS)
                goto bad;
            s = &r->series.slots[idx];
            if (idx >= r->series.n) r->series.n = idx + 1;
            s->n = n;
            s->errors = e;
            s->bytes = by;
            s->lat_max = mx;
            if (strcmp(rest + used, "-")) {
                if (s->h.counts) ps_hist_free(&s->h);
                if (ps_hist_read(&s->h, rest + used)) goto bad;
            }
        } else if (!strcmp(key, "pw") || !strcmp(key, "pe")) {
            int k = r->nprocs;
            if (k >= 64) continue;
            if (key[1] == 'w') {
                if (read_procmem(rest, &r->proc_warm[k])) goto bad;
            } else {
                if (read_procmem(rest, &r->proc_end[k])) goto bad;
                r->nprocs++;
            }
        } else if (!strcmp(key, "pf")) {
            ps_leakfit f;
            int k, used = 0;
            memset(&f, 0, sizeof f);
            if (sscanf(rest, "%d %d %d %lf %lf %lf %lf %lf %n", &k, &f.judged, &f.n, &f.work, &f.slope, &f.growth,
                       &f.first, &f.last, &used) != 8 ||
                !used || k < 0 || k > 1)
                goto bad;
            if (strcmp(rest + used, "-")) snprintf(f.why, sizeof f.why, "%s", rest + used);
            if (r->nprocs < 64) r->proc_fit[r->nprocs][k] = f;
        } else if (!strcmp(key, "i")) ps_round_incident(r, rest);
        /* unknown keys are ignored */
    }
    free(line);
    if (!ended) {
        ps_round_free(r);
        return -1;
    }
    return 0;
bad:
    free(line);
    ps_round_free(r);
    return -1;
}

/* ---------------- the CPU time of another process ---------------- */
ps_cpu_source ps_cpu_choose(double own_before, double own_after, double idle_gpt, double self_spi, double idle_spi,
                            char *note, size_t n)
{
    const double tick = PS_CPU_TICK_MS;
    int gpt_mirrors;
    if (own_before < PS_CPU_OWN_MIN_MS || own_after < own_before) {
        snprintf(note, n, "cannot be checked here: this process used too little CPU time (%.0f ms) to tell another "
                          "process's from its own", own_before);
        return PS_CPU_NA;
    }
    if (idle_gpt >= 0 && idle_gpt < own_before - tick) {
        if (n) note[0] = 0;
        return PS_CPU_GPT;
    }
    gpt_mirrors = idle_gpt >= own_before - tick && idle_gpt <= own_after + tick;
    if (self_spi >= own_before - tick && self_spi <= own_after + tick && idle_spi >= 0 && idle_spi < own_before - tick) {
        snprintf(note, n, "from NtQuerySystemInformation(SystemProcessInformation): GetProcessTimes %s here",
                 gpt_mirrors ? "answers this process's own times for another process"
                             : "gives an idle process implausible times");
        return PS_CPU_SPI;
    }
    snprintf(note, n, "not measurable here: GetProcessTimes %s, and SystemProcessInformation could not be verified",
             gpt_mirrors ? "answers this process's own times for another process (Wine)"
                         : idle_gpt < 0 ? "failed" : "gives an idle process implausible times");
    return PS_CPU_NA;
}

/* ---------------- the run ---------------- */
void ps_stress_run_init(ps_stress_run *run)
{
    int i;
    memset(run, 0, sizeof *run);
    for (i = 0; i < 3; i++) {
        run->harness[i].private_bytes = run->harness[i].working_set = -1;
        run->harness[i].handles = -1;
        run->server[i].private_bytes = run->server[i].working_set = -1;
        run->server[i].handles = -1;
    }
    run->cpu_harness_ms = run->cpu_server_ms = -1;
    run->mem_interval_ms = 250;
    ps_leak_init(&run->leak_harness);
    ps_leak_init(&run->leak_server);
}

void ps_stress_run_free(ps_stress_run *run)
{
    int i;
    for (i = 0; i < run->nrounds; i++) ps_round_free(&run->rounds[i]);
    free(run->rounds);
    free(run->platform);
    free(run->version);
    free(run->started);
    free(run->server_desc);
    free(run->pipe);
    free(run->config);
    memset(run, 0, sizeof *run);
}

void ps_stress_run_mem(ps_stress_run *run, double t_ms, int64_t harness, int64_t server)
{
    if (run->nmem && t_ms < run->mem[run->nmem - 1].t_ms + run->mem_interval_ms * 0.5) return;
    if (run->nmem == PS_MEM_SAMPLES) {
        int i;
        for (i = 0; i < PS_MEM_SAMPLES / 2; i++) run->mem[i] = run->mem[2 * i + 1];
        run->nmem = PS_MEM_SAMPLES / 2;
        run->mem_interval_ms *= 2;
    }
    run->mem[run->nmem].t_ms = t_ms;
    run->mem[run->nmem].harness = harness;
    run->mem[run->nmem].server = server;
    run->nmem++;
}

static ps_check *add_check(ps_stress_run *run, const char *name, ps_check_state st, const char *fmt, ...)
{
    ps_check *c;
    va_list ap;
    if (run->nchecks == PS_MAX_CHECKS) return NULL;
    c = &run->checks[run->nchecks++];
    c->name = name;
    c->state = st;
    va_start(ap, fmt);
    vsnprintf(c->detail, sizeof c->detail, fmt, ap);
    va_end(ap);
    return c;
}

static void fmt_bytes(char *buf, size_t n, double v)
{
    const char *sign = v < 0 ? "-" : "";
    if (v < 0) v = -v;
    if (v >= 1048576.0) snprintf(buf, n, "%s%.1f MiB", sign, v / 1048576.0);
    else if (v >= 1024.0) snprintf(buf, n, "%s%.1f KiB", sign, v / 1024.0);
    else snprintf(buf, n, "%s%.0f B", sign, v);
}

/* "+1.5 MiB", "-12.0 KiB", "+0 B" */
static void signed_bytes(char *buf, size_t n, double v)
{
    char t[24];
    fmt_bytes(t, sizeof t, v);
    snprintf(buf, n, "%s%s", v >= 0 ? "+" : "", t);
}

/* One leak check: the growth of one process's memory (handles = 0) or handles (1)
 * with the work over the later half of the load, against the bound. */
static void leak_check(ps_stress_run *run, const char *name, const char *who, const ps_leakfit *f, int handles,
                       const char *na_reason, double count_ms)
{
    char a[32], b[32], c[32], d[32], q0[32], q1[32];
    double bound = handles ? (double)run->opts.leak_handles : (double)run->opts.leak_bytes;
    int fail;
    if (na_reason && *na_reason) {
        add_check(run, name, PS_CHECK_NA, "%s: %s", who, na_reason);
        return;
    }
    if (!f->judged) {
        char paced[200] = "";
        if (handles && f->n > 0 && count_ms >= PS_LEAK_INTERVAL_MS / 5)
            snprintf(paced, sizeof paced,
                     "; counting them one value at a time took up to %.0f ms here and is given at most a fifth of "
                     "the time (a lower --rate leaves more samples)",
                     count_ms);
        add_check(run, name, PS_CHECK_NA, "%s: %s not judged: %s%s", who, handles ? "handles" : "private bytes",
                  f->why[0] ? f->why : "not measurable here", paced);
        return;
    }
    fail = f->growth > bound;
    if (handles) {
        add_check(run, name, fail ? PS_CHECK_FAIL : PS_CHECK_PASS,
                  "%s: handles %s with the work: %+.1f per 1000 requests through the load's later half (quarters "
                  "%+.1f, %+.1f; %.0f requests, %d samples), %+.0f in all (bound %.0f); %.0f -> %.0f over the load",
                  who, fail ? "grow" : "do not grow", f->slope * 1000.0, f->slope_q[0] * 1000.0,
                  f->slope_q[1] * 1000.0, f->work, f->n, f->growth, bound, f->first, f->last);
        return;
    }
    signed_bytes(a, sizeof a, f->slope * 1000.0);
    signed_bytes(q0, sizeof q0, f->slope_q[0] * 1000.0);
    signed_bytes(q1, sizeof q1, f->slope_q[1] * 1000.0);
    signed_bytes(b, sizeof b, f->growth);
    fmt_bytes(c, sizeof c, bound);
    signed_bytes(d, sizeof d, f->last - f->first);
    add_check(run, name, fail ? PS_CHECK_FAIL : PS_CHECK_PASS,
              "%s: private bytes %s with the work: %s per 1000 requests through the load's later half (quarters %s, "
              "%s; %.0f requests, %d samples), %s in all (bound %s); %s over the load",
              who, fail ? "grow" : "do not grow", a, q0, q1, f->work, f->n, b, c, d);
}

/* The process's memory and handles: both checks from one series. */
static void leak_checks(ps_stress_run *run, const char *mem_name, const char *h_name, const char *who,
                        const ps_leakfit fit[2], const char *na_reason, const char *handles_na, double count_ms)
{
    leak_check(run, mem_name, who, &fit[0], 0, na_reason, 0);
    leak_check(run, h_name, who, &fit[1], 1, na_reason && *na_reason ? na_reason : handles_na, count_ms);
}

/* What the accounting check sums for the checks after it (up to the first round
 * whose counts do not add up). */
typedef struct {
    uint64_t corrupt, unexpected, srv_corrupt, srv_errors;
} eval_totals;

/* accounting: every request is verified or an error, every operation a request or a
 * fault, and the builtin server's own counts agree. */
static void check_accounting(ps_stress_run *run, eval_totals *tot)
{
    int i;
    char bad[200];
    bad[0] = 0;
    for (i = 0; i < run->nrounds && !bad[0]; i++) {
        const ps_round *r = &run->rounds[i];
        const ps_counters *c = &r->c;
        if (c->sent != c->verified + c->errors)
            snprintf(bad, sizeof bad, "round %d: sent %" PRIu64 " != verified %" PRIu64 " + errors %" PRIu64,
                     i + 1, c->sent, c->verified, c->errors);
        else if (c->ops != c->sent + c->fault_mid + c->fault_leave)
            snprintf(bad, sizeof bad, "round %d: operations %" PRIu64 " != requests %" PRIu64 " + faults %" PRIu64,
                     i + 1, c->ops, c->sent, c->fault_mid + c->fault_leave);
        else if (r->have_server && run->stream) {
            /* a mid-message fault's message may still arrive whole (and be verified) */
            uint64_t got = r->srv.requests + r->srv.corrupt;
            if (got < c->verified || got > c->verified + c->fault_mid)
                snprintf(bad, sizeof bad,
                         "round %d: the server verified %" PRIu64 " messages (+%" PRIu64 " corrupt), the clients wrote %" PRIu64
                         " (+%" PRIu64 " abandoned mid-message)",
                         i + 1, r->srv.requests, r->srv.corrupt, c->verified, c->fault_mid);
        } else if (r->have_server) {
            if (r->srv.responses < c->verified)
                snprintf(bad, sizeof bad, "round %d: %" PRIu64 " responses verified but the server sent %" PRIu64,
                         i + 1, c->verified, r->srv.responses);
            else if (r->srv.responses - c->verified > c->errors + c->fault_mid)
                snprintf(bad, sizeof bad,
                         "round %d: the server sent %" PRIu64 " responses, %" PRIu64 " verified, only %" PRIu64
                         " errors and %" PRIu64 " abandoned requests",
                         i + 1, r->srv.responses, c->verified, c->errors, c->fault_mid);
            else if (r->srv.requests > c->sent + c->fault_mid)
                snprintf(bad, sizeof bad,
                         "round %d: the server verified %" PRIu64 " requests, only %" PRIu64 " sent (+%" PRIu64
                         " abandoned mid-message)",
                         i + 1, r->srv.requests, c->sent, c->fault_mid);
        }
        tot->corrupt += c->corrupt;
        tot->unexpected += c->errors - c->errors_expected - c->corrupt;
        if (r->have_server) {
            tot->srv_corrupt += r->srv.corrupt;
            tot->srv_errors += r->srv.errors;
        }
    }
    if (bad[0]) add_check(run, "accounting", PS_CHECK_FAIL, "%s", bad);
    else {
        uint64_t s = 0, v = 0, e = 0;
        for (i = 0; i < run->nrounds; i++) {
            s += run->rounds[i].c.sent;
            v += run->rounds[i].c.verified;
            e += run->rounds[i].c.errors;
        }
        add_check(run, "accounting", PS_CHECK_PASS,
                  "sent %" PRIu64 " = verified %" PRIu64 " + errors %" PRIu64 "%s", s, v, e,
                  run->nrounds && run->rounds[0].have_server ? "; the server's own counts agree" : "");
    }
}

/* integrity: PASS only when something was verified. */
static void check_integrity(ps_stress_run *run, uint64_t corrupt, uint64_t srv_corrupt)
{
    int i;
    uint64_t by_clients = 0, by_server = 0, sent = 0;
    int server_counts = 0;
    for (i = 0; i < run->nrounds; i++) {
        if (!run->stream) by_clients += run->rounds[i].c.verified;
        if (run->rounds[i].have_server) by_server += run->rounds[i].srv.requests, server_counts = 1;
        sent += run->rounds[i].c.sent;
    }
    if (corrupt || srv_corrupt)
        add_check(run, "integrity", PS_CHECK_FAIL,
                  "%" PRIu64 " corrupt response(s) seen by the clients, %" PRIu64
                  " corrupt request(s) seen by the server",
                  corrupt, srv_corrupt);
    else if (run->stream && !server_counts)
        add_check(run, "integrity", PS_CHECK_NA,
                  "one-way streaming to a server in another process: what it read is verified there, not here");
    else if (!by_clients && !by_server)
        add_check(run, "integrity", PS_CHECK_NA, "nothing to verify: no %s of %" PRIu64 " arrived whole (see progress)",
                  run->stream ? "message" : "response", sent);
    else if (run->stream)
        add_check(run, "integrity", PS_CHECK_PASS, "%" PRIu64 " messages verified byte for byte by the server",
                  by_server);
    else if (server_counts)
        add_check(run, "integrity", PS_CHECK_PASS,
                  "%" PRIu64 " responses verified byte for byte by the clients, %" PRIu64 " requests by the server",
                  by_clients, by_server);
    else
        add_check(run, "integrity", PS_CHECK_PASS, "%" PRIu64 " responses verified byte for byte by the clients",
                  by_clients);
}

/* errors: none unexpected, or the most frequent one named. */
static void check_errors(ps_stress_run *run, uint64_t unexpected, uint64_t srv_errors)
{
    int i;
    if (unexpected || srv_errors) {
        ps_errmap all;
        const ps_errentry *top = NULL;
        int k;
        memset(&all, 0, sizeof all);
        for (i = 0; i < run->nrounds; i++) ps_errmap_merge(&all, &run->rounds[i].c.errs);
        for (k = 0; k < all.n; k++)
            if (all.e[k].count > all.e[k].expected &&
                (!top || all.e[k].count - all.e[k].expected > top->count - top->expected))
                top = &all.e[k];
        if (top)
            add_check(run, "errors", PS_CHECK_FAIL,
                      "%" PRIu64 " unexpected client error(s), %" PRIu64 " server error(s); most often %s (%" PRIu64 ")",
                      unexpected, srv_errors, top->name, top->count - top->expected);
        else
            add_check(run, "errors", PS_CHECK_FAIL, "%" PRIu64 " unexpected client error(s), %" PRIu64 " server error(s)",
                      unexpected, srv_errors);
    } else add_check(run, "errors", PS_CHECK_PASS, "no unexpected error");
}

/* progress: every round completed requests. */
static void check_progress(ps_stress_run *run)
{
    int i;
    char bad[200];
    bad[0] = 0;
    for (i = 0; i < run->nrounds && !bad[0]; i++) {
        const ps_counters *c = &run->rounds[i].c;
        const ps_errentry *top = NULL;
        int k;
        if (c->verified) continue;
        for (k = 0; k < c->errs.n; k++)
            if (!top || c->errs.e[k].count > top->count) top = &c->errs.e[k];
        if (top)
            snprintf(bad, sizeof bad, "round %d (%d clients): no request completed; %" PRIu64 " of %" PRIu64
                     " failed with %s", i + 1, run->rounds[i].clients, top->count, c->sent, top->name);
        else
            snprintf(bad, sizeof bad, "round %d (%d clients): no request completed (%" PRIu64 " sent)", i + 1,
                     run->rounds[i].clients, c->sent);
    }
    if (!run->nrounds) snprintf(bad, sizeof bad, "no round ran");
    if (bad[0]) add_check(run, "progress", PS_CHECK_FAIL, "%s", bad);
    else add_check(run, "progress", PS_CHECK_PASS, "every round completed requests");
}

/* leaks: the harness (or each client process) and the server. */
static void check_leaks(ps_stress_run *run)
{
    int i;
    const ps_round *last = run->nrounds ? &run->rounds[run->nrounds - 1] : NULL;
    ps_leakfit fit[2];
    if (last && last->nprocs) { /* the client processes: the worst of each */
        int k;
        for (k = 0; k < 2; k++) {
            int worst = 0;
            for (i = 1; i < last->nprocs; i++) {
                const ps_leakfit *f = &last->proc_fit[i][k], *w = &last->proc_fit[worst][k];
                if (f->judged > w->judged || (f->judged == w->judged && f->growth > w->growth)) worst = i;
            }
            fit[k] = last->proc_fit[worst][k];
        }
        leak_checks(run, "leak-memory-clients", "leak-handles-clients", "client processes (worst)", fit, NULL,
                    NULL, 0);
    }
    ps_leak_fit(&run->leak_harness, 0, &fit[0]);
    ps_leak_fit(&run->leak_harness, 1, &fit[1]);
    leak_checks(run, "leak-memory-harness", "leak-handles-harness", "harness", fit, NULL, run->harness_handles_note,
                run->handles_count_ms[0]);
    ps_leak_fit(&run->leak_server, 0, &fit[0]);
    ps_leak_fit(&run->leak_server, 1, &fit[1]);
    leak_checks(run, "leak-memory-server", "leak-handles-server",
                run->opts.server == PS_SS_BUILTIN ? "server (in the harness)" : "server", fit,
                run->opts.server == PS_SS_BUILTIN ? "the builtin server runs inside the harness (see leak-*-harness)"
                : run->server_restarts ? "the server was restarted during the run"
                : run->server_died ? "the server exited during the run (see server)"
                : NULL,
                run->server_handles_note, run->handles_count_ms[1]);
}

void ps_stress_evaluate(ps_stress_run *run)
{
    int i, ok = 1;
    eval_totals tot;
    memset(&tot, 0, sizeof tot);
    run->nchecks = 0;
    check_accounting(run, &tot);
    check_integrity(run, tot.corrupt, tot.srv_corrupt);
    check_errors(run, tot.unexpected, tot.srv_errors);
    check_progress(run);

    /* connections */
    if (run->opts.connections) {
        const ps_round *r = run->nrounds ? &run->rounds[run->nrounds - 1] : NULL;
        int held = r ? r->held : 0;
        add_check(run, "connections", held >= run->opts.connections ? PS_CHECK_PASS : PS_CHECK_FAIL,
                  "%d of %d connections held at once", held, run->opts.connections);
    }
    check_leaks(run);

    /* the server process */
    if (run->opts.server == PS_SS_REFERENCE || run->opts.server == PS_SS_CMD) {
        if (run->server_died)
            add_check(run, "server", PS_CHECK_FAIL, "%s", run->server_died_note[0] ? run->server_died_note : "the server exited during the run");
        else
            add_check(run, "server", PS_CHECK_PASS, "the server ran to the end%s",
                      run->server_restarts ? " (between the restarts asked for)" : "");
    }

    for (i = 0; i < run->nchecks; i++)
        if (run->checks[i].state == PS_CHECK_FAIL) ok = 0;
    run->ok = ok;
}
