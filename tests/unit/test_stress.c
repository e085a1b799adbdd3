/* Stress core: histogram, rate limiter, size mixes and random numbers, options,
 * message content, the checks, the worker serialization and the reports. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "hist.h"
#include "ratelimit.h"
#include "stress_opts.h"
#include "stress_proto.h"
#include "stress_report.h"
#include "stress_stats.h"

/* ---------------- histogram ---------------- */
Test(hist, bucket_bounds_are_contiguous_and_within_the_error)
{
    ps_hist h;
    size_t i;
    uint64_t m = 128;
    cr_assert_eq(ps_hist_init(&h, 7, 44), 0);
    cr_assert_eq(h.nbuckets, 128u * 38u);
    cr_assert_eq(ps_hist_bucket_lo(&h, 0), 0);
    for (i = 0; i < h.nbuckets; i++) {
        uint64_t lo = ps_hist_bucket_lo(&h, i), hi = ps_hist_bucket_hi(&h, i);
        cr_assert_leq(lo, hi, "bucket %zu: lo %" PRIu64 " > hi %" PRIu64, i, lo, hi);
        cr_assert_eq(ps_hist_index(&h, lo), i, "lo of bucket %zu maps to %zu", i, ps_hist_index(&h, lo));
        cr_assert_eq(ps_hist_index(&h, hi), i, "hi of bucket %zu maps to %zu", i, ps_hist_index(&h, hi));
        /* width at most lo/M (one value wide in the exact region) */
        if (lo >= 2 * m) cr_assert_leq(hi - lo + 1, lo / m, "bucket %zu is too wide", i);
        else cr_assert_eq(lo, hi);
        if (i + 1 < h.nbuckets)
            cr_assert_eq(ps_hist_bucket_lo(&h, i + 1), hi + 1, "gap after bucket %zu", i);
    }
    cr_assert_eq(ps_hist_bucket_hi(&h, h.nbuckets - 1), (((uint64_t)1) << 44) - 1);
    /* beyond the range: the last bucket, counted as overflow, max stays exact */
    ps_hist_record(&h, ((uint64_t)1) << 50);
    cr_assert_eq(h.overflow, 1);
    cr_assert_eq(h.counts[h.nbuckets - 1], 1);
    cr_assert_eq(h.max, ((uint64_t)1) << 50);
    ps_hist_free(&h);
    cr_assert_eq(ps_hist_init(&h, 0, 10), -1);
    cr_assert_eq(ps_hist_init(&h, 7, 7), -1);
    cr_assert_eq(ps_hist_init(&h, 7, 64), -1);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The exact q-th percentile by the same rank rule: rank ceil(q/100 n), at least 1. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double q)
{
    double r = q / 100.0 * (double)n;
    size_t rank = (size_t)r;
    if ((double)rank < r) rank++;
    if (rank < 1) rank = 1;
    if (rank > n) rank = n;
    return sorted[rank - 1];
}

Test(hist, percentiles_within_the_bucket_error)
{
    enum { N = 200000 };
    static uint64_t v[N];
    static const double qs[] = {0, 0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99, 100};
    ps_hist h;
    ps_rng r;
    size_t i, k;
    ps_hist_init(&h, 7, 44);
    ps_rng_seed(&r, 42, 0);
    for (i = 0; i < N; i++) {
        /* log-uniform over 1 ns .. 2^34 ns, the shape of latencies */
        int e = (int)ps_rng_below(&r, 34);
        v[i] = (((uint64_t)1) << e) + ps_rng_below(&r, ((uint64_t)1) << e);
        ps_hist_record(&h, v[i]);
    }
    qsort(v, N, sizeof v[0], cmp_u64);
    cr_assert_eq(h.total, N);
    cr_assert_eq(h.min, v[0]);
    cr_assert_eq(h.max, v[N - 1]);
    for (k = 0; k < sizeof qs / sizeof qs[0]; k++) {
        uint64_t exact = exact_percentile(v, N, qs[k]);
        uint64_t est = ps_hist_percentile(&h, qs[k]);
        uint64_t diff = est > exact ? est - exact : exact - est;
        cr_assert_leq(diff, exact / 128, "p%g: estimate %" PRIu64 ", exact %" PRIu64 " (error %" PRIu64 ")", qs[k],
                      est, exact, diff);
    }
    cr_assert_eq(ps_hist_percentile(&h, 0), v[0]);
    cr_assert_eq(ps_hist_percentile(&h, 100), v[N - 1]);
    ps_hist_free(&h);
}

Test(hist, small_values_are_exact_and_empty_is_zero)
{
    ps_hist h;
    ps_hist_init(&h, 3, 20);
    cr_assert_eq(ps_hist_percentile(&h, 50), 0);
    cr_assert_eq(ps_hist_mean(&h), 0);
    ps_hist_record_n(&h, 5, 3); /* 5 5 5 */
    ps_hist_record(&h, 9);      /* 9: exact below 2*8 = 16 */
    cr_assert_eq(ps_hist_percentile(&h, 50), 5);
    cr_assert_eq(ps_hist_percentile(&h, 75), 5);
    cr_assert_eq(ps_hist_percentile(&h, 76), 9);
    cr_assert_float_eq(ps_hist_mean(&h), 6.0, 1e-9);
    ps_hist_reset(&h);
    cr_assert_eq(h.total, 0);
    cr_assert_eq(ps_hist_percentile(&h, 99), 0);
    ps_hist_free(&h);
}

Test(hist, merge_equals_recording_everything_in_one)
{
    ps_hist a, b, all, other;
    ps_rng r;
    int i;
    ps_hist_init(&a, 7, 44);
    ps_hist_init(&b, 7, 44);
    ps_hist_init(&all, 7, 44);
    ps_rng_seed(&r, 7, 1);
    for (i = 0; i < 50000; i++) {
        uint64_t x = ps_rng_below(&r, 5000000);
        ps_hist_record(i % 3 ? &a : &b, x);
        ps_hist_record(&all, x);
    }
    cr_assert_eq(ps_hist_merge(&a, &b), 0);
    cr_assert_eq(a.total, all.total);
    cr_assert_eq(a.min, all.min);
    cr_assert_eq(a.max, all.max);
    cr_assert_float_eq(a.sum, all.sum, 1e-3);
    cr_assert_eq(memcmp(a.counts, all.counts, a.nbuckets * sizeof(uint64_t)), 0);
    cr_assert_eq(ps_hist_percentile(&a, 99.9), ps_hist_percentile(&all, 99.9));
    /* different shapes do not merge, and dst is untouched */
    ps_hist_init(&other, 6, 44);
    ps_hist_record(&other, 1);
    cr_assert_eq(ps_hist_merge(&a, &other), -1);
    cr_assert_eq(a.total, all.total);
    ps_hist_free(&a);
    ps_hist_free(&b);
    ps_hist_free(&all);
    ps_hist_free(&other);
}

Test(hist, text_round_trip_and_malformed_text)
{
    ps_hist h, back;
    ps_buf b;
    int i;
    ps_hist_init(&h, 7, 44);
    for (i = 1; i < 3000; i += 7) ps_hist_record_n(&h, (uint64_t)i * 997, (uint64_t)(i % 5) + 1);
    ps_buf_init(&b);
    ps_hist_write(&h, &b);
    cr_assert_eq(ps_hist_read(&back, b.data), 0, "could not read back: %s", b.data);
    cr_assert_eq(back.total, h.total);
    cr_assert_eq(back.min, h.min);
    cr_assert_eq(back.max, h.max);
    cr_assert_eq(memcmp(back.counts, h.counts, h.nbuckets * sizeof(uint64_t)), 0);
    ps_hist_free(&back);
    cr_assert_eq(ps_hist_read(&back, "7,44,2,0,1,1,2;1:1"), -1); /* counts do not add up to total */
    cr_assert_eq(ps_hist_read(&back, "7,44,1,0,1,1,1;99999:1"), -1); /* no such bucket */
    cr_assert_eq(ps_hist_read(&back, "x"), -1);
    cr_assert_eq(ps_hist_read(&back, "7,44,1,0,1,1,1;1:1"), 0);
    ps_hist_free(&back);
    ps_buf_free(&b);
    ps_hist_free(&h);
}

/* ---------------- rate limiter ---------------- */
Test(ratelimit, paces_at_the_rate)
{
    ps_ratelimit rl;
    int i;
    ps_rl_init(&rl, 1000, 1, 0);
    for (i = 0; i < 10; i++) {
        double due = ps_rl_reserve(&rl, 0);
        cr_assert_float_eq(due, (double)i, 1e-9, "request %d due at %g", i, due);
    }
}

Test(ratelimit, callers_that_wait_get_exactly_the_rate)
{
    /* a simulated caller: reserves, waits until due, takes 0.3 ms to send */
    ps_ratelimit rl;
    double now = 0;
    int granted = 0;
    ps_rl_init(&rl, 250, 1, 0);
    for (;;) {
        double due = ps_rl_reserve(&rl, now);
        if (due > now) now = due;
        if (now >= 2000) break;
        granted++;
        now += 0.3;
    }
    cr_assert_eq(granted, 500, "granted %d in 2 s at 250/s", granted);
}

/* Criterion's float assertion evaluates its arguments twice: reserve once. */
static void expect_due(ps_ratelimit *rl, double now, double want)
{
    double due = ps_rl_reserve(rl, now);
    cr_assert_float_eq(due, want, 1e-9, "reserved at %g: due %g, expected %g", now, due, want);
}

Test(ratelimit, burst_bounds_the_catch_up)
{
    ps_ratelimit rl;
    ps_rl_init(&rl, 1000, 5, 0);
    expect_due(&rl, 0, 0);
    /* 100 ms idle: only 5 may go at once (due 96..100), then the pace resumes */
    expect_due(&rl, 100, 96);
    expect_due(&rl, 100, 97);
    expect_due(&rl, 100, 98);
    expect_due(&rl, 100, 99);
    expect_due(&rl, 100, 100);
    expect_due(&rl, 100, 101);
    /* burst 1 forgives all debt */
    ps_rl_init(&rl, 1000, 1, 0);
    ps_rl_reserve(&rl, 0);
    expect_due(&rl, 50, 50);
    expect_due(&rl, 50, 51);
    cr_assert_eq(rl.granted, 3);
}

/* ---------------- random numbers and sizes ---------------- */
Test(rng, seeded_sequences_repeat_and_streams_differ)
{
    ps_rng a, b, c;
    int i, same = 1, hits = 0;
    ps_rng_seed(&a, 123, 4);
    ps_rng_seed(&b, 123, 4);
    ps_rng_seed(&c, 123, 5);
    for (i = 0; i < 100; i++) {
        uint64_t x = ps_rng_next(&a);
        cr_assert_eq(x, ps_rng_next(&b));
        if (x != ps_rng_next(&c)) same = 0;
    }
    cr_assert(!same);
    for (i = 0; i < 100000; i++) {
        cr_assert_lt(ps_rng_below(&a, 7), 7);
        hits += ps_rng_chance(&a, 0.25);
    }
    cr_assert(hits > 24000 && hits < 26000, "chance 0.25 gave %d of 100000", hits);
    cr_assert_eq(ps_rng_chance(&a, 0), 0);
    cr_assert_eq(ps_rng_chance(&a, 1), 1);
}

Test(sizemix, parse_forms_and_sample_by_weight)
{
    ps_sizemix m;
    char err[200], txt[200];
    ps_rng r;
    int i, n56 = 0, n4k = 0, n64k = 0;
    cr_assert_eq(ps_sizemix_parse("56", &m, err, sizeof err), 0);
    cr_assert_eq(m.n, 1);
    cr_assert_eq(ps_sizemix_min(&m), 56);
    cr_assert_eq(ps_sizemix_max(&m), 56);
    cr_assert_eq(ps_sizemix_parse("1..4096", &m, err, sizeof err), 0);
    cr_assert_eq(m.lo[0], 1);
    cr_assert_eq(m.hi[0], 4096);
    ps_rng_seed(&r, 1, 1);
    for (i = 0; i < 10000; i++) {
        uint32_t s = ps_sizemix_sample(&m, &r);
        cr_assert(s >= 1 && s <= 4096);
    }
    cr_assert_eq(ps_sizemix_parse("56:8,4k:1,64k:1", &m, err, sizeof err), 0, "%s", err);
    cr_assert_eq(m.n, 3);
    cr_assert_eq(m.hi[2], 65536);
    cr_assert_eq(m.total_weight, 10);
    for (i = 0; i < 100000; i++) {
        uint32_t s = ps_sizemix_sample(&m, &r);
        if (s == 56) n56++;
        else if (s == 4096) n4k++;
        else if (s == 65536) n64k++;
        else cr_assert_fail("size %u is not in the mix", s);
    }
    cr_assert(n56 > 79000 && n56 < 81000, "56 drawn %d times of 100000 (weight 8/10)", n56);
    cr_assert(n4k > 9000 && n4k < 11000, "4096 drawn %d times (weight 1/10)", n4k);
    cr_assert_float_eq(ps_sizemix_mean(&m), (56.0 * 8 + 4096 + 65536) / 10, 1e-9);
    ps_sizemix_format(&m, txt, sizeof txt);
    cr_assert_str_eq(txt, "56:8,4096:1,65536:1");
    cr_assert_eq(ps_sizemix_parse("", &m, err, sizeof err), -1);
    cr_assert_eq(ps_sizemix_parse("10..5", &m, err, sizeof err), -1);
    cr_assert_eq(ps_sizemix_parse("56:0", &m, err, sizeof err), -1);
    cr_assert_eq(ps_sizemix_parse("abc", &m, err, sizeof err), -1);
    cr_assert_eq(ps_sizemix_parse("17m", &m, err, sizeof err), -1); /* above the limit */
    cr_assert(strstr(err, "16777216") != NULL, "%s", err);
}

/* ---------------- options ---------------- */
static int sparse(ps_stress_opts *o, char *err, int argc, ...)
{
    char *argv[40];
    va_list ap;
    int i;
    va_start(ap, argc);
    for (i = 0; i < argc; i++) argv[i] = va_arg(ap, char *);
    va_end(ap);
    return ps_stress_parse(argc, argv, o, err, 256);
}

Test(stress_opts, defaults_and_automatic_choices)
{
    ps_stress_opts o;
    char err[256];
    cr_assert_eq(sparse(&o, err, 0), 0, "%s", err);
    cr_assert_eq(o.server, PS_SS_BUILTIN);
    cr_assert_eq(o.proto, PS_SP_BUILTIN);
    cr_assert_eq(o.churn, 0); /* persistent with the builtin server */
    cr_assert_eq(o.clients, 1);
    cr_assert_eq(o.requests, 0);
    cr_assert_float_eq(o.duration_s, 5, 1e-9);
    cr_assert_eq(o.leak_bytes, 4u << 20);
    cr_assert_eq(sparse(&o, err, 2, "--server", "reference"), 0, "%s", err);
    cr_assert_eq(o.proto, PS_SP_SAMPLE);
    cr_assert_eq(o.churn, 1); /* the sample's server disconnects after each response */
    cr_assert_eq(sparse(&o, err, 1, "--help"), 1);
}

Test(stress_opts, every_option)
{
    ps_stress_opts o;
    char err[256];
    cr_assert_eq(sparse(&o, err, 28, "--clients", "8", "--requests", "10k", "--size", "1..4096", "--type", "message",
                        "--rate", "500", "--churn", "--fault-mid-message", "0.01", "--fault-connect-leave", "0.02",
                        "--slow-reader", "0.05", "--seed", "99", "--report-dir", "out", "--leak-bound", "8m",
                        "--leak-handles", "10", "--json", "--mode", "reqresp"),
                 0, "%s", err);
    cr_assert_eq(o.clients, 8);
    cr_assert_eq(o.requests, 10240);
    cr_assert_eq(o.sizes.hi[0], 4096);
    cr_assert_float_eq(o.rate, 500, 1e-9);
    cr_assert_eq(o.churn, 1);
    cr_assert_float_eq(o.p_mid, 0.01, 1e-12);
    cr_assert_float_eq(o.p_leave, 0.02, 1e-12);
    cr_assert_float_eq(o.p_slow, 0.05, 1e-12);
    cr_assert_eq(o.seed, 99);
    cr_assert_str_eq(o.report_dir, "out");
    cr_assert_eq(o.leak_bytes, 8u << 20);
    cr_assert_eq(o.leak_handles, 10);
    cr_assert(o.json);
    cr_assert_eq(sparse(&o, err, 4, "--server-cmd", "x.exe --pipe {pipe}", "--restart-every", "100"), 0, "%s", err);
    cr_assert_eq(o.server, PS_SS_CMD);
    cr_assert_eq(o.restart_every, 100);
    cr_assert_eq(sparse(&o, err, 2, "--scale", "1,2,4,8,32,128"), 0, "%s", err);
    cr_assert_eq(o.nscale, 6);
    cr_assert_eq(o.scale[5], 128);
    cr_assert_eq(sparse(&o, err, 6, "--clients", "8", "--connections", "1000", "--processes", "2"), 0, "%s", err);
    cr_assert_eq(o.connections, 1000);
    cr_assert_eq(o.processes, 2);
    cr_assert_eq(sparse(&o, err, 4, "--mode", "stream", "--type", "byte"), 0, "%s", err);
    cr_assert(o.stream);
    cr_assert(o.byte_mode);
}

Test(stress_opts, usage_errors_say_why)
{
    ps_stress_opts o;
    char err[256];
    cr_assert_eq(sparse(&o, err, 1, "--bogus"), -1);
    cr_assert(strstr(err, "--bogus") != NULL, "%s", err);
    cr_assert_eq(sparse(&o, err, 1, "--clients"), -1);
    cr_assert(strstr(err, "needs a value") != NULL, "%s", err);
    cr_assert_eq(sparse(&o, err, 2, "--clients", "0"), -1);
    cr_assert_eq(sparse(&o, err, 4, "--requests", "5", "--duration", "2"), -1);
    cr_assert_eq(sparse(&o, err, 3, "--server", "reference", "--persistent"), -1);
    cr_assert(strstr(err, "disconnects") != NULL, "%s", err);
    cr_assert_eq(sparse(&o, err, 4, "--server", "reference", "--mode", "stream"), -1);
    cr_assert_eq(sparse(&o, err, 4, "--server", "reference", "--protocol", "builtin"), -1);
    cr_assert_eq(sparse(&o, err, 2, "--restart-every", "10"), -1); /* builtin: not restartable */
    cr_assert_eq(sparse(&o, err, 4, "--type", "byte", "--size", "8"), -1);
    cr_assert_eq(sparse(&o, err, 3, "--connections", "10", "--churn"), -1);
    cr_assert_eq(sparse(&o, err, 4, "--clients", "4", "--connections", "2"), -1);
    cr_assert_eq(sparse(&o, err, 2, "--fault-mid-message", "1.5"), -1);
    cr_assert_eq(sparse(&o, err, 4, "--fault-mid-message", "0.6", "--fault-connect-leave", "0.6"), -1);
    cr_assert_eq(sparse(&o, err, 4, "--server", "reference", "--server-pipe", "x"), -1);
    cr_assert_eq(sparse(&o, err, 2, "--processes", "3"), -1); /* more processes than clients */
    cr_assert_eq(sparse(&o, err, 2, "--scale", "1,x"), -1);
}

Test(stress_opts, shares_add_up)
{
    int parts, i;
    for (parts = 1; parts <= 7; parts++) {
        uint64_t sum = 0;
        for (i = 0; i < parts; i++) {
            uint64_t s = ps_stress_share(1000, parts, i);
            cr_assert(s == 1000u / (unsigned)parts || s == 1000u / (unsigned)parts + 1);
            sum += s;
        }
        cr_assert_eq(sum, 1000);
    }
}

/* ---------------- message content ---------------- */
Test(stress_proto, builtin_messages_verify_and_every_flip_is_caught)
{
    ps_msgpat p;
    unsigned char buf[4096];
    char why[200];
    uint32_t client, seq;
    size_t i;
    ps_msgpat_init(&p, 4096);
    ps_msg_build(&p, buf, 0, 3, 77, 4096);
    cr_assert_eq(ps_msg_check(&p, buf, 4096, 0, 3, 77, 4096, why, sizeof why), 0, "%s", why);
    cr_assert_eq(ps_msg_check_any(&p, buf, 4096, 0, &client, &seq, why, sizeof why), 0, "%s", why);
    cr_assert_eq(client, 3);
    cr_assert_eq(seq, 77);
    /* a request is not a response */
    cr_assert_eq(ps_msg_check_any(&p, buf, 4096, 1, &client, &seq, why, sizeof why), -1);
    for (i = 0; i < 4096; i += 97) {
        buf[i] ^= 0x10;
        cr_assert_eq(ps_msg_check(&p, buf, 4096, 0, 3, 77, 4096, why, sizeof why), -1, "flip at %zu missed", i);
        cr_assert_eq(ps_msg_check_any(&p, buf, 4096, 0, &client, &seq, why, sizeof why), -1, "flip at %zu missed", i);
        buf[i] ^= 0x10;
    }
    buf[100] ^= 1;
    ps_msg_check(&p, buf, 4096, 0, 3, 77, 4096, why, sizeof why);
    cr_assert(strstr(why, "byte 100") != NULL, "%s", why);
    buf[100] ^= 1;
    /* wrong client or sequence: misdelivered */
    cr_assert_eq(ps_msg_check(&p, buf, 4096, 0, 4, 77, 4096, why, sizeof why), -1);
    cr_assert_eq(ps_msg_check(&p, buf, 4096, 0, 3, 78, 4096, why, sizeof why), -1);
    /* truncated */
    cr_assert_eq(ps_msg_check(&p, buf, 4000, 0, 3, 77, 4096, why, sizeof why), -1);
    cr_assert_eq(ps_msg_check_any(&p, buf, 4000, 0, &client, &seq, why, sizeof why), -1);
    /* a header-only rewrite keeps the body: a smaller message of the same kind */
    ps_msg_header(buf, 0, 3, 78, 100);
    cr_assert_eq(ps_msg_check(&p, buf, 100, 0, 3, 78, 100, why, sizeof why), 0, "%s", why);
    /* short messages: the pattern's first bytes */
    ps_msg_build(&p, buf, 1, 9, 9, 5);
    cr_assert_eq(ps_msg_check(&p, buf, 5, 1, 9, 9, 5, why, sizeof why), 0, "%s", why);
    buf[4] ^= 0xFF;
    cr_assert_eq(ps_msg_check(&p, buf, 5, 1, 9, 9, 5, why, sizeof why), -1);
    ps_msgpat_free(&p);
}

Test(stress_proto, sample_texts)
{
    unsigned char req[56], rsp[58];
    const char *text = "Default request from client";
    int i;
    ps_sample_fill(req, 56, 0);
    ps_sample_fill(rsp, 58, 1);
    for (i = 0; i < 27; i++) {
        cr_assert_eq(req[2 * i], (unsigned char)text[i]);
        cr_assert_eq(req[2 * i + 1], 0);
    }
    cr_assert_eq(req[54], 0);
    cr_assert_eq(req[55], 0);
    cr_assert_eq(rsp[0], 'D');
    cr_assert_eq(rsp[2 * 27], 'r'); /* "...serve|r" */
    cr_assert_eq(rsp[56], 0);
    cr_assert_eq(rsp[57], 0);
}

/* ---------------- counters, checks, serialization ---------------- */
static ps_round *one_round(ps_stress_run *run)
{
    ps_round *r;
    run->rounds = ps_xcalloc(1, sizeof(ps_round));
    run->nrounds = 1;
    r = &run->rounds[0];
    ps_round_init(r, 250);
    r->clients = 4;
    r->wall_ms = 1000;
    r->c.ops = r->c.sent = 100;
    r->c.verified = 98;
    r->c.errors = 2;
    r->c.errors_expected = 2;
    ps_errmap_add(&r->c.errs, "ERROR_BROKEN_PIPE (109)", 2, 2);
    ps_hist_record_n(&r->lat, 250000, 98);
    return r;
}

/* A load of 20 samples, 100 requests apart, at a flat level (with a little noise). */
static void flat_series(ps_leakseries *s, int64_t bytes, long handles)
{
    int i;
    ps_leak_init(s);
    for (i = 0; i < 20; i++) ps_leak_add(s, i * 100.0, i * 100.0, bytes + (i % 3) * 4096, handles + i % 2, 0);
}

static const ps_check *find_check(const ps_stress_run *run, const char *name)
{
    int i;
    for (i = 0; i < run->nchecks; i++)
        if (!strcmp(run->checks[i].name, name)) return &run->checks[i];
    return NULL;
}

Test(stress_checks, a_clean_run_passes)
{
    ps_stress_run run;
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    one_round(&run);
    flat_series(&run.leak_harness, 10 << 20, 50);
    ps_stress_evaluate(&run);
    cr_assert(run.ok);
    cr_assert_eq(find_check(&run, "accounting")->state, PS_CHECK_PASS, "%s", find_check(&run, "accounting")->detail);
    cr_assert_eq(find_check(&run, "leak-memory-harness")->state, PS_CHECK_PASS);
    cr_assert_eq(find_check(&run, "leak-handles-harness")->state, PS_CHECK_PASS);
    cr_assert_eq(find_check(&run, "leak-memory-server")->state, PS_CHECK_NA); /* builtin: in the harness */
    ps_stress_run_free(&run);
}

Test(stress_checks, each_failure_is_named)
{
    ps_stress_run run;
    ps_round *r;
    int i;
    /* counters that do not add up */
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    r = one_round(&run);
    r->c.verified = 97;
    ps_stress_evaluate(&run);
    cr_assert(!run.ok);
    cr_assert_eq(find_check(&run, "accounting")->state, PS_CHECK_FAIL);
    ps_stress_run_free(&run);
    /* corruption and an unexpected error */
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    r = one_round(&run);
    r->c.errors_expected = 0;
    r->c.corrupt = 1;
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "integrity")->state, PS_CHECK_FAIL);
    cr_assert_eq(find_check(&run, "errors")->state, PS_CHECK_FAIL); /* the other error is unexpected */
    ps_stress_run_free(&run);
    /* the builtin server's own counts disagree: more responses than requests sent */
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    r = one_round(&run);
    r->have_server = 1;
    r->srv.requests = 100;
    r->srv.responses = 105;
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "accounting")->state, PS_CHECK_FAIL);
    /* ... unless requests abandoned mid-message arrived whole after all */
    r->c.fault_mid = 3;
    r->c.ops += 3;
    r->srv.responses = 103; /* 98 verified + 2 failed on the way + 3 to clients that had left */
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "accounting")->state, PS_CHECK_PASS, "%s", find_check(&run, "accounting")->detail);
    r->srv.requests = 104; /* 100 sent + 3 abandoned: one too many */
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "accounting")->state, PS_CHECK_FAIL);
    ps_stress_run_free(&run);
    /* a leaking server process, and one that died */
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    run.opts.server = PS_SS_CMD;
    one_round(&run);
    ps_leak_init(&run.leak_server); /* 64 KiB and one handle per request, 20 samples of 100 requests */
    for (i = 0; i < 20; i++)
        ps_leak_add(&run.leak_server, i * 100.0, i * 100.0, (5 << 20) + (int64_t)i * 100 * 65536, 40 + i * 100L, 0);
    ps_stress_evaluate(&run);
    cr_assert(!run.ok);
    cr_assert_eq(find_check(&run, "leak-memory-server")->state, PS_CHECK_FAIL);
    /* 64 KiB per request = 62.5 MiB per 1000 requests; 900 requests over the later half */
    cr_assert(strstr(find_check(&run, "leak-memory-server")->detail, "+62.5 MiB per 1000 requests through the load's later half (quarters +62.5 MiB, +62.5 MiB; 900 requests, 10 samples)") != NULL, "%s",
              find_check(&run, "leak-memory-server")->detail);
    cr_assert(strstr(find_check(&run, "leak-memory-server")->detail, "+56.2 MiB in all (bound 4.0 MiB)") != NULL, "%s",
              find_check(&run, "leak-memory-server")->detail);
    cr_assert_eq(find_check(&run, "leak-handles-server")->state, PS_CHECK_FAIL);
    cr_assert_eq(find_check(&run, "server")->state, PS_CHECK_PASS);
    run.server_died = 1; /* then its leak checks are n/a: the server check says why */
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "server")->state, PS_CHECK_FAIL);
    cr_assert_eq(find_check(&run, "leak-memory-server")->state, PS_CHECK_NA);
    ps_stress_run_free(&run);
    /* no progress at all */
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    r = one_round(&run);
    r->c.verified = 0;
    r->c.errors = 100;
    r->c.errs.n = 0;
    ps_errmap_add(&r->c.errs, "SetNamedPipeHandleState: ERROR_INVALID_PARAMETER (87)", 97, 0);
    ps_errmap_add(&r->c.errs, "CreateFile: ERROR_PIPE_BUSY (231)", 3, 0);
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "progress")->state, PS_CHECK_FAIL);
    cr_assert(strstr(find_check(&run, "errors")->detail,
                     "most often SetNamedPipeHandleState: ERROR_INVALID_PARAMETER (87) (97)") != NULL,
              "%s", find_check(&run, "errors")->detail);
    /* the cause, once */
    cr_assert(strstr(find_check(&run, "progress")->detail,
                     "97 of 100 failed with SetNamedPipeHandleState: ERROR_INVALID_PARAMETER (87)") != NULL,
              "%s", find_check(&run, "progress")->detail);
    /* nothing was verified: integrity has nothing to check, so it is not PASS */
    cr_assert_eq(find_check(&run, "integrity")->state, PS_CHECK_NA, "%s", find_check(&run, "integrity")->detail);
    cr_assert(strstr(find_check(&run, "integrity")->detail, "nothing to verify") != NULL);
    ps_stress_run_free(&run);
}

Test(stress_checks, integrity_says_what_was_verified)
{
    ps_stress_run run;
    ps_round *r;
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    one_round(&run);
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "integrity")->state, PS_CHECK_PASS);
    cr_assert_str_eq(find_check(&run, "integrity")->detail, "98 responses verified byte for byte by the clients");
    ps_stress_run_free(&run);
    /* streaming to a server in another process: the harness verifies nothing */
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    run.stream = 1;
    r = one_round(&run);
    (void)r;
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "integrity")->state, PS_CHECK_NA, "%s", find_check(&run, "integrity")->detail);
    ps_stress_run_free(&run);
}

/* ---------------- leaks: growth with the work ---------------- */
Test(stress_leak, warm_up_then_flat_is_not_a_leak)
{
    ps_leakseries s;
    ps_leakfit f;
    int i;
    ps_leak_init(&s);
    /* 10 MiB and 64 handles over the first 800 of 2000 requests, then flat */
    for (i = 0; i <= 40; i++) {
        double work = i * 50.0;
        double grown = work < 800 ? work / 800 : 1;
        ps_leak_add(&s, i * 100.0, work, (100 << 20) + (int64_t)(grown * (10 << 20)) + (i % 4) * 8192,
                    100 + (long)(grown * 64), 0);
    }
    ps_leak_fit(&s, 0, &f);
    cr_assert(f.judged, "%s", f.why);
    cr_assert_geq(f.n, 20);
    cr_assert_float_eq(f.work, 1000, 1e-9);
    cr_assert_lt(f.growth, 64 * 1024, "growth %f", f.growth);
    cr_assert_float_eq(f.last - f.first, (10 << 20) + 0.0, 16384); /* the warm-up shows in the total */
    ps_leak_fit(&s, 1, &f);
    cr_assert(f.judged);
    cr_assert_float_eq(f.growth, 0, 1e-9);
}

Test(stress_leak, growth_that_goes_on_with_the_work_is_measured)
{
    ps_leakseries s;
    ps_leakfit f;
    int i;
    ps_leak_init(&s);
    /* a steep warm-up, then 1 KiB per request on top, with noise of +-32 KiB */
    for (i = 0; i <= 40; i++) {
        double work = i * 50.0;
        ps_leak_add(&s, i * 100.0, work, (50 << 20) + (int64_t)(work < 400 ? work * 20000 : 8000000) +
                                             (int64_t)work * 1024 + ((i * 7) % 5 - 2) * 16384,
                    -1, 0);
    }
    ps_leak_fit(&s, 0, &f);
    cr_assert(f.judged);
    cr_assert_float_eq(f.slope, 1024, 100);
    cr_assert_float_eq(f.growth, 1024 * 1000.0, 100000);
    ps_leak_fit(&s, 1, &f); /* handles not measured */
    cr_assert(!f.judged);
    cr_assert(strstr(f.why, "not measured") != NULL, "%s", f.why);
}

Test(stress_leak, a_warm_up_dying_out_in_the_later_half_is_not_a_leak)
{
    ps_leakseries s;
    ps_leakfit f, whole;
    int i;
    double decay = 1; /* e^(-w/600), by steps of e^(-50/600) */
    ps_leak_init(&s);
    /* 30 MiB * (1 - e^(-w/600)) over 2000 requests: still growing when the load ends,
     * by 4.6 MiB over the later half (more than the bound), but less and less: 3.2
     * then 1.4 MiB per quarter; the last quarter's trend, over the half, is 2.8 MiB */
    for (i = 0; i <= 40; i++) {
        ps_leak_add(&s, i * 100.0, i * 50.0, (60 << 20) + (int64_t)(30.0 * 1048576 * (1 - decay)), 50, 0);
        decay *= 0.9200444146293232;
    }
    ps_leak_fit(&s, 0, &f);
    cr_assert(f.judged);
    cr_assert_gt(f.slope_q[0], f.slope_q[1] * 2);
    cr_assert_float_eq(f.slope, f.slope_q[1], 1e-9);
    cr_assert_lt(f.growth, 4 << 20, "growth %f", f.growth);
    cr_assert_gt(f.last - f.first, 25 << 20);
    /* a steady leak of the same size over the later half grows in both quarters alike */
    ps_leak_init(&s);
    for (i = 0; i <= 40; i++) ps_leak_add(&s, i * 100.0, i * 50.0, (60 << 20) + (int64_t)(i * 50.0 * 4500), 50, 0);
    ps_leak_fit(&s, 0, &whole);
    cr_assert_float_eq(whole.slope_q[0], whole.slope_q[1], 1e-6);
    cr_assert_gt(whole.growth, 4 << 20, "growth %f", whole.growth);
}

Test(stress_leak, a_sawtooth_is_not_a_leak)
{
    ps_leakseries s;
    ps_leakfit f;
    int i;
    ps_leak_init(&s);
    /* a collector: up 2 MiB over 5 samples, then back */
    for (i = 0; i < 60; i++) ps_leak_add(&s, i * 100.0, i * 30.0, (80 << 20) + (int64_t)(i % 5) * (512 << 10), 50, 0);
    ps_leak_fit(&s, 0, &f);
    cr_assert(f.judged);
    cr_assert_lt(f.growth, 1 << 20, "growth %f", f.growth);
}

/* Handles counted one value at a time are sampled less often than memory (paced):
 * the handle fit uses only the samples that have a count, says their real spacing when
 * too few, and the check then says how long a count took. */
Test(stress_leak, paced_handle_samples_are_judged_on_their_own)
{
    ps_stress_run run;
    ps_leakfit f;
    const ps_check *c;
    int i;
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    run.opts.server = PS_SS_CMD; /* a server process of its own */
    one_round(&run);
    ps_leak_init(&run.leak_harness);
    ps_leak_init(&run.leak_server);
    /* 40 memory samples 100 ms apart; a handle count on every 10th only (one per 1 s) */
    for (i = 0; i < 40; i++) {
        ps_leak_add(&run.leak_harness, i * 100.0, i * 100.0, (10 << 20) + (i % 3) * 4096, 50, 0);
        ps_leak_add(&run.leak_server, i * 100.0, i * 100.0, (20 << 20) + (i % 3) * 4096, i % 10 ? -1 : 100 + i, 0);
    }
    ps_leak_fit(&run.leak_server, 0, &f);
    cr_assert(f.judged, "%s", f.why);
    cr_assert_eq(f.n, 20);
    ps_leak_fit(&run.leak_server, 1, &f);
    cr_assert(!f.judged);
    cr_assert_eq(f.n, 2); /* at 2000 and 3000 ms */
    cr_assert(strstr(f.why, "one per 1000 ms") != NULL, "%s", f.why);
    run.handles_count_ms[1] = 180;
    ps_stress_evaluate(&run);
    c = find_check(&run, "leak-handles-server");
    cr_assert_eq(c->state, PS_CHECK_NA, "%s", c->detail);
    cr_assert(strstr(c->detail, "took up to 180 ms") != NULL, "%s", c->detail);
    cr_assert(strstr(c->detail, "lower --rate") != NULL, "%s", c->detail);
    cr_assert_eq(find_check(&run, "leak-memory-server")->state, PS_CHECK_PASS, "%s",
                 find_check(&run, "leak-memory-server")->detail);
    /* a count every 300 ms is enough: a leak of one handle per 10 requests is caught */
    ps_leak_init(&run.leak_server);
    for (i = 0; i < 40; i++)
        ps_leak_add(&run.leak_server, i * 100.0, i * 100.0, 20 << 20, i % 3 ? -1 : 100 + i * 10, 0);
    ps_stress_evaluate(&run);
    c = find_check(&run, "leak-handles-server");
    cr_assert_eq(c->state, PS_CHECK_FAIL, "%s", c->detail);
    ps_stress_run_free(&run);
}

Test(stress_leak, too_short_or_idle_is_not_judged)
{
    ps_leakseries s;
    ps_leakfit f;
    int i;
    ps_leak_init(&s);
    for (i = 0; i < 5; i++) ps_leak_add(&s, i * 100.0, i * 10.0, 1 << 20, 10, 0);
    ps_leak_fit(&s, 0, &f);
    cr_assert(!f.judged);
    cr_assert(strstr(f.why, "too short") != NULL, "%s", f.why);
    ps_leak_init(&s);
    for (i = 0; i < 20; i++) ps_leak_add(&s, i * 100.0, 7, (1 << 20) + i * 4096, 10, 0);
    ps_leak_fit(&s, 0, &f);
    cr_assert(!f.judged);
    cr_assert(strstr(f.why, "no request was served") != NULL, "%s", f.why);
    ps_leak_init(&s);
    ps_leak_fit(&s, 0, &f);
    cr_assert(!f.judged);
}

Test(stress_leak, samples_are_paced_and_thinned_when_full)
{
    ps_leakseries s;
    int i;
    ps_leak_init(&s);
    ps_leak_add(&s, 0, 0, 1, 1, 0);
    ps_leak_add(&s, 20, 1, 1, 1, 0); /* too soon: dropped */
    cr_assert_eq(s.n, 1);
    ps_leak_add(&s, 20, 1, 1, 1, 1); /* forced */
    cr_assert_eq(s.n, 2);
    ps_leak_init(&s);
    for (i = 0; i < 480; i++) ps_leak_add(&s, i * 100.0, i, i, i, 1); /* 48 s: thinned twice */
    cr_assert_leq(s.n, PS_LEAK_POINTS);
    cr_assert_float_eq(s.interval_ms, 400, 1e-9);
    cr_assert_float_eq(s.p[0].work, 3, 1e-9);
    cr_assert_float_eq(s.p[s.n - 1].work, 479, 1e-9);
}

/* ---------------- the server's CPU time source ---------------- */
Test(stress_cpu, the_source_must_tell_an_idle_process_from_this_one)
{
    char note[160];
    /* Windows: GetProcessTimes of a process that has not run is about 0 */
    cr_assert_eq(ps_cpu_choose(140, 141, 0, 140, 0, note, sizeof note), PS_CPU_GPT);
    cr_assert_str_eq(note, "");
    /* Wine: GetProcessTimes answers the caller's own times; SystemProcessInformation is right */
    cr_assert_eq(ps_cpu_choose(180, 190, 180, 180, 0, note, sizeof note), PS_CPU_SPI);
    cr_assert(strstr(note, "answers this process's own times") != NULL, "%s", note);
    /* ... and where that cannot be verified either: n/a, never a wrong number */
    cr_assert_eq(ps_cpu_choose(180, 190, 190, -1, -1, note, sizeof note), PS_CPU_NA);
    cr_assert(strstr(note, "not measurable") != NULL, "%s", note);
    cr_assert_eq(ps_cpu_choose(180, 190, 180, 185, 185, note, sizeof note), PS_CPU_NA); /* SPI mirrors too */
    cr_assert_eq(ps_cpu_choose(180, 190, 180, 400, 0, note, sizeof note), PS_CPU_NA);   /* SPI disagrees about us */
    /* too little CPU time of our own to tell anything apart */
    cr_assert_eq(ps_cpu_choose(15.6, 15.6, 0, 15.6, 0, note, sizeof note), PS_CPU_NA);
}

Test(stress_checks, stream_mode_cross_checks_the_server)
{
    ps_stress_run run;
    ps_round *r;
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    run.stream = 1;
    r = one_round(&run);
    r->have_server = 1;
    r->srv.requests = 98;
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "accounting")->state, PS_CHECK_PASS, "%s", find_check(&run, "accounting")->detail);
    r->srv.requests = 97; /* one message lost on the way */
    ps_stress_evaluate(&run);
    cr_assert_eq(find_check(&run, "accounting")->state, PS_CHECK_FAIL);
    ps_stress_run_free(&run);
}

Test(stress_series, coarsens_when_full_and_merges)
{
    ps_series s, t;
    int i;
    uint64_t n = 0;
    ps_series_init(&s, 100);
    for (i = 0; i < 1000; i++) ps_series_add(&s, i * 50.0, 1000 + (uint64_t)i, 10, 0); /* 50 s */
    cr_assert_leq(s.n, PS_SERIES_SLOTS);
    cr_assert_float_eq(s.interval_ms, 400, 1e-9); /* 100 -> 200 -> 400 */
    for (i = 0; i < s.n; i++) n += s.slots[i].n;
    cr_assert_eq(n, 1000);
    ps_series_init(&t, 100);
    for (i = 0; i < 10; i++) ps_series_add(&t, i * 100.0, 5, 1, i % 2);
    ps_series_merge(&s, &t);
    cr_assert_float_eq(s.interval_ms, 400, 1e-9);
    cr_assert_eq(s.slots[0].n, 8 + 2); /* 8 from s (0..350 ms), 2 from t (0, 200) */
    cr_assert_eq(s.slots[0].errors, 2);
    ps_series_free(&s);
    ps_series_free(&t);
}

Test(stress_round, serialization_round_trip)
{
    ps_round r, back;
    ps_buf b;
    ps_round_init(&r, 250);
    r.clients = 3;
    r.held = 3;
    r.wall_ms = 1234.5;
    r.cpu_ms = 420;
    r.c.ops = 12;
    r.c.sent = 10;
    r.c.verified = 9;
    r.c.errors = 1;
    r.c.fault_mid = 2;
    r.c.bytes_out = 560;
    ps_errmap_add(&r.c.errs, "DATA_MISMATCH", 1, 0);
    ps_hist_record_n(&r.lat, 200000, 9);
    ps_series_add(&r.series, 10, 200000, 56, 0);
    ps_series_add(&r.series, 600, 0, 0, 1);
    r.nprocs = 1;
    r.proc_warm[0].private_bytes = 1000;
    r.proc_end[0].private_bytes = 2000;
    r.proc_warm[0].handles = r.proc_end[0].handles = -1;
    r.proc_fit[0][0].judged = 1;
    r.proc_fit[0][0].n = 12;
    r.proc_fit[0][0].work = 600;
    r.proc_fit[0][0].slope = 12.5;
    r.proc_fit[0][0].growth = 7500;
    snprintf(r.proc_fit[0][1].why, sizeof r.proc_fit[0][1].why, "handles not measured during the load");
    ps_round_incident(&r, "client 1 seq 4: byte 9 is 0x00, expected 0x01");
    ps_buf_init(&b);
    ps_round_write(&b, &r);
    cr_assert_eq(ps_round_read(&back, b.data), 0, "%s", b.data);
    cr_assert_eq(back.clients, 3);
    cr_assert_float_eq(back.wall_ms, 1234.5, 1e-6);
    cr_assert_float_eq(back.cpu_ms, 420, 1e-6);
    cr_assert_eq(back.c.sent, 10);
    cr_assert_eq(back.c.fault_mid, 2);
    cr_assert_eq(back.c.bytes_out, 560);
    cr_assert_eq(back.c.errs.n, 1);
    cr_assert_str_eq(back.c.errs.e[0].name, "DATA_MISMATCH");
    cr_assert_eq(back.lat.total, 9);
    cr_assert_eq(back.series.n, 3);
    cr_assert_eq(back.series.slots[0].n, 1);
    cr_assert_eq(back.series.slots[2].errors, 1);
    cr_assert_eq(back.nprocs, 1);
    cr_assert_eq(back.proc_end[0].private_bytes, 2000);
    cr_assert_eq(back.proc_fit[0][0].judged, 1);
    cr_assert_eq(back.proc_fit[0][0].n, 12);
    cr_assert_float_eq(back.proc_fit[0][0].growth, 7500, 1e-6);
    cr_assert_eq(back.proc_fit[0][1].judged, 0);
    cr_assert_str_eq(back.proc_fit[0][1].why, "handles not measured during the load");
    cr_assert_eq(back.nincidents, 1);
    cr_assert_str_eq(back.incidents[0], r.incidents[0]);
    ps_round_free(&back);
    cr_assert_eq(ps_round_read(&back, "PSSTRESS-ROUND 1\nclients 3\n"), -1); /* no end */
    ps_buf_free(&b);
    ps_round_free(&r);
}

/* ---------------- reports ---------------- */
Test(stress_report, json_and_html_carry_the_figures_and_plots)
{
    ps_stress_run run;
    ps_round *r;
    ps_buf j, h;
    int i;
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    run.config = ps_xstrdup("4 clients <test>");
    run.platform = ps_xstrdup("Wine 8.0");
    run.version = ps_xstrdup("0.1.0");
    run.started = ps_xstrdup("2026-01-01T00:00:00Z");
    run.server_desc = ps_xstrdup("builtin");
    run.pipe = ps_xstrdup("\\\\.\\pipe\\x");
    r = one_round(&run);
    for (i = 0; i < 20; i++) ps_series_add(&r->series, i * 100.0, 200000 + (uint64_t)i * 1000, 56, 0);
    ps_stress_run_mem(&run, 0, 1 << 20, -1);
    ps_stress_run_mem(&run, 500, 2 << 20, -1);
    ps_stress_evaluate(&run);
    ps_buf_init(&j);
    ps_stress_json(&j, &run);
    cr_assert(strstr(j.data, "\"verdict\":\"PASS\"") != NULL);
    cr_assert(strstr(j.data, "\"p99.9\":") != NULL);
    cr_assert(strstr(j.data, "\"requests_per_s\":98") != NULL, "%s", j.data);
    cr_assert(strstr(j.data, "\"name\":\"ERROR_BROKEN_PIPE (109)\",\"count\":2,\"expected\":2") != NULL);
    cr_assert(strstr(j.data, "\"leak\":{\"harness\":{\"memory\":{\"judged\":false,\"why\":\"not measured during the load\"") !=
                  NULL,
              "%s", j.data);
    ps_buf_init(&h);
    ps_stress_html(&h, &run);
    cr_assert(strstr(h.data, "<svg id=\"plot-latency-time-1\"") != NULL);
    cr_assert(strstr(h.data, "<svg id=\"plot-throughput-time-1\"") != NULL);
    cr_assert(strstr(h.data, "<svg id=\"plot-histogram-1\"") != NULL);
    cr_assert(strstr(h.data, "<svg id=\"plot-memory\"") != NULL);
    cr_assert(strstr(h.data, "<polyline") != NULL);
    cr_assert(strstr(h.data, "4 clients &lt;test&gt;") != NULL); /* escaped */
    cr_assert(strstr(h.data, "<script") == NULL);                  /* static: no script needed */
    cr_assert(strstr(h.data, "plot-scaling") == NULL);            /* one round: no scaling chart */
    ps_buf_free(&j);
    ps_buf_free(&h);
    ps_stress_run_free(&run);
}

Test(stress_report, scaling_chart_with_several_rounds)
{
    ps_stress_run run;
    ps_buf h;
    int i;
    ps_stress_run_init(&run);
    ps_stress_defaults(&run.opts);
    run.nrounds = 3;
    run.rounds = ps_xcalloc(3, sizeof(ps_round));
    for (i = 0; i < 3; i++) {
        ps_round *r = &run.rounds[i];
        ps_round_init(r, 250);
        r->clients = 1 << i;
        r->wall_ms = 1000;
        r->c.ops = r->c.sent = r->c.verified = 1000u * (unsigned)(i + 1);
        ps_hist_record_n(&r->lat, 100000u * (unsigned)(i + 1), r->c.verified);
    }
    ps_stress_evaluate(&run);
    ps_buf_init(&h);
    ps_stress_html(&h, &run);
    cr_assert(strstr(h.data, "<svg id=\"plot-scaling\"") != NULL);
    cr_assert(strstr(h.data, "<title>4 clients: 3000.0 req/s</title>") != NULL);
    ps_buf_free(&h);
    ps_stress_run_free(&run);
}
