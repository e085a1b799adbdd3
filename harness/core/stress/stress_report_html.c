/* stress_report_html.c: stress.html, the report of `pipespec stress` (see
 * stress_report.h): a self-contained page with the checks, the rounds, their SVG
 * plots (latency over time, histogram, scaling) and memory. */
#include "stress_report.h"
#include "stress_report_internal.h"
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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
    mag = sr_pow10i((int)sr_floor(sr_log2(raw) / 3.32192809488736234787 + 1e-9));
    f = raw / mag;
    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

static void num_label(char *buf, size_t n, double v)
{
    double a = sr_fabs(v);
    if (a >= 1e6) snprintf(buf, n, "%.3gM", v / 1e6);
    else if (a >= 1e4) snprintf(buf, n, "%.3gk", v / 1e3);
    else if (a >= 100 || v == sr_floor(v)) snprintf(buf, n, "%.0f", v);
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
    top = sr_ceil(maxv / step) * step;
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
    lo_us = sr_us(h->min) > 1 ? sr_us(h->min) : 1;
    hi_us = sr_us(h->max) > lo_us * 1.5 ? sr_us(h->max) : lo_us * 1.5;
    lmin = sr_floor(sr_log2(lo_us) * PER_OCTAVE) / PER_OCTAVE;
    lmax = sr_ceil(sr_log2(hi_us) * PER_OCTAVE) / PER_OCTAVE;
    if (lmax <= lmin) lmax = lmin + 1.0 / PER_OCTAVE;
    nb = (int)((lmax - lmin) * PER_OCTAVE + 0.5);
    if (nb > MAXBINS) nb = MAXBINS;
    if (nb < 1) nb = 1;
    for (i = 0; i < nb; i++) counts[i] = 0;
    for (k = 0; k < h->nbuckets; k++)
        if (h->counts[k]) {
            double lo = sr_us(ps_hist_bucket_lo(h, k)), hi = sr_us(ps_hist_bucket_hi(h, k) + 1);
            double mid = (lo + hi) / 2;
            int bin = mid <= 0 ? 0 : (int)sr_floor((sr_log2(mid) - lmin) * PER_OCTAVE);
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
                          x0, PH - MB - hgt, w > 1.5 ? w - 0.5 : w, hgt, COLORS[0], sr_pow2(lmin + (double)i / PER_OCTAVE),
                          sr_pow2(lmin + (double)(i + 1) / PER_OCTAVE), counts[i]);
    }
    /* x ticks at powers of two (or of four when wide) */
    {
        int step = (lmax - lmin) > 12 ? 2 : 1;
        int e;
        for (e = (int)sr_ceil(lmin); e <= (int)sr_floor(lmax); e += step) {
            double x = ML + (e - lmin) / (lmax - lmin) * (PW - ML - MR);
            num_label(t, sizeof t, sr_pow2(e));
            ps_buf_printf(b, "<text x=\"%.1f\" y=\"%.0f\" class=\"xl\">%s</text>", x, PH - MB + 14, t);
        }
    }
    ps_buf_printf(b, "<text x=\"%.0f\" y=\"%.0f\" class=\"xl\">latency (us, log scale)</text>", (ML + PW - MR) / 2, PH - 6);
    /* percentile markers */
    for (i = 0; i < 4; i++) {
        double v = sr_us(ps_hist_percentile(h, sr_percs[i]));
        double x = v > 0 ? ML + (sr_log2(v) - lmin) / (lmax - lmin) * (PW - ML - MR) : ML;
        ps_buf_printf(b, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.0f\" y2=\"%.0f\" stroke=\"%s\" stroke-dasharray=\"4 3\"/>"
                         "<text x=\"%.1f\" y=\"%.0f\" class=\"lg\" fill=\"%s\">%s</text>",
                      x, x, MT, PH - MB, COLORS[1 + i % 5], x + 2, MT + 12 + 11 * i, COLORS[1 + i % 5], sr_perc_names[i]);
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
        if (sr_us(ps_hist_percentile(&r->lat, 99)) > lmax) lmax = sr_us(ps_hist_percentile(&r->lat, 99));
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
                double v = sr_us(ps_hist_percentile(&run->rounds[i].lat, q));
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
        p50[i] = sl->h.counts ? sr_us(ps_hist_percentile(&sl->h, 50)) : 0;
        p99[i] = sl->h.counts ? sr_us(ps_hist_percentile(&sl->h, 99)) : 0;
        mx[i] = sr_us(sl->lat_max);
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

/* The page's head and style, the verdict banner and what ran where. */
static void html_head(ps_buf *b, const ps_stress_run *run)
{
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
}

/* The checks, one row each. */
static void html_checks(ps_buf *b, const ps_stress_run *run)
{
    int i;
    ps_buf_adds(b, "<h2>Checks</h2>\n<table id=\"checks\"><thead><tr><th>check</th><th>state</th><th>detail</th></tr></thead><tbody>\n");
    for (i = 0; i < run->nchecks; i++) {
        const char *st = sr_state_name(run->checks[i].state);
        ps_buf_printf(b, "<tr class=\"%s\"><td>%s</td><td class=\"st\">%s</td><td>", st, run->checks[i].name, st);
        html_text(b, run->checks[i].detail);
        ps_buf_adds(b, "</td></tr>\n");
    }
    ps_buf_adds(b, "</tbody></table>\n");
}

/* The rounds' figures, one row each. */
static void html_rounds_table(ps_buf *b, const ps_stress_run *run)
{
    int i, k;
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
        for (k = 0; k < 4; k++) td_num(b, sr_us(ps_hist_percentile(&r->lat, sr_percs[k])), 0);
        td_num(b, sr_us(r->lat.max), 0);
        ps_buf_adds(b, "</tr>\n");
    }
    ps_buf_adds(b, "</tbody></table>\n");
}

/* The scaling chart, then each round: its errors, incidents and plots. */
static void html_round_sections(ps_buf *b, const ps_stress_run *run)
{
    int i, k;
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
}

/* Memory, handles and CPU of the harness and the server, and memory over time. */
static void html_memory(ps_buf *b, const ps_stress_run *run)
{
    int i, k;
    ps_buf_adds(b, "<h2>Memory</h2>\n<table id=\"memory\"><thead><tr><th>process</th><th>private start</th>"
                   "<th>warm</th><th>end</th><th>handles start</th><th>warm</th><th>end</th><th>CPU (ms)</th></tr></thead><tbody>\n");
    for (k = 0; k < 2; k++) {
        const ps_procmem *m = k ? run->server : run->harness;
        double cpu = k ? run->cpu_server_ms : run->cpu_harness_ms;
        char t[32];
        if (k && run->opts.server == PS_SS_BUILTIN) break;
        ps_buf_printf(b, "<tr><td>%s</td>", k ? "server" : "harness");
        for (i = 0; i < 3; i++) {
            sr_human_bytes(t, sizeof t, (double)m[i].private_bytes);
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
}

void ps_stress_html(ps_buf *b, const ps_stress_run *run)
{
    html_head(b, run);
    html_checks(b, run);
    html_rounds_table(b, run);
    html_round_sections(b, run);
    html_memory(b, run);
    ps_buf_adds(b, "<footer><p>Written by pipespec stress; the same data is in stress.json.</p></footer>\n</body>\n</html>\n");
}

