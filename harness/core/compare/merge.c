/* merge.c: shards of one platform joined into one run, and runs of several platforms
 * side by side in matrix.html (compare.h). */
#include "compare.h"
#include "psutil.h"
#include "report_internal.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

static void copy_result(ps_result *d, const ps_result *s)
{
    *d = *s;
    d->id = ps_xstrdup(s->id);
    d->title = ps_xstrdup(s->title);
    d->file = ps_xstrdup(s->file);
    d->ref = ps_xstrdup(s->ref);
    d->tags = ps_xstrdup(s->tags);
    d->topic = ps_xstrdup(s->topic);
    d->reason = ps_xstrdup(s->reason);
    d->trace_json = ps_xstrdup(s->trace_json ? s->trace_json : "[]");
    d->trace = NULL; /* decoded again from the copy when needed */
    d->divergences = ps_xstrdup(s->divergences);
    d->notes = ps_xstrdup(s->notes);
    d->cause = ps_xstrdup(s->cause);
    d->case_process.retired = ps_xstrdup(s->case_process.retired); /* ps_result_free frees it */
    d->outputs = NULL;
    d->noutputs = 0;
    if (s->noutputs) {
        int i;
        d->outputs = ps_xcalloc((size_t)s->noutputs, sizeof *d->outputs);
        for (i = 0; i < s->noutputs; i++) {
            d->outputs[i].actor = ps_xstrdup(s->outputs[i].actor);
            d->outputs[i].exit = ps_xstrdup(s->outputs[i].exit);
            d->outputs[i].text = ps_xstrdup(s->outputs[i].text);
        }
        d->noutputs = s->noutputs;
    }
}

static int cmp_case(const void *pa, const void *pb)
{
    const ps_result *a = pa, *b = pb;
    if (a->iteration != b->iteration) return a->iteration < b->iteration ? -1 : 1;
    if (a->index != b->index) return a->index < b->index ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void copy_platform(ps_platform_info *d, const ps_platform_info *s)
{
    d->os = ps_xstrdup(s->os);
    d->version = ps_xstrdup(s->version);
    d->build = ps_xstrdup(s->build);
    d->edition = ps_xstrdup(s->edition);
    d->host = ps_xstrdup(s->host);
    d->arch = ps_xstrdup(s->arch);
    d->machine = ps_xstrdup(s->machine);
}

static int check_inputs(ps_run *const *runs, int n, char *err, size_t errlen)
{
    int i, k;
    for (i = 1; i < n; i++) {
        if (strcmp(runs[i]->platform ? runs[i]->platform : "", runs[0]->platform ? runs[0]->platform : "")) {
            snprintf(err, errlen, "reports 1 and %d are of different platforms (\"%s\", \"%s\"): "
                     "only shards of one platform join into one run", i + 1, runs[0]->platform, runs[i]->platform);
            return -1;
        }
        if (runs[i]->shard_n != runs[0]->shard_n) {
            snprintf(err, errlen, "reports 1 and %d were split differently (--shard K/%d and K/%d)", i + 1,
                     runs[0]->shard_n, runs[i]->shard_n);
            return -1;
        }
        for (k = 0; k < i; k++)
            if (runs[i]->shard_n && runs[i]->shard_k == runs[k]->shard_k) {
                snprintf(err, errlen, "reports %d and %d are the same shard (%d/%d)", k + 1, i + 1,
                         runs[i]->shard_k, runs[i]->shard_n);
                return -1;
            }
    }
    return 0;
}

int ps_merge_runs(ps_run *const *runs, int n, ps_run *out, char *err, size_t errlen)
{
    int i, k, total = 0, first;
    memset(out, 0, sizeof *out);
    err[0] = 0;
    if (n < 1) {
        snprintf(err, errlen, "no report to merge");
        return -1;
    }
    if (check_inputs(runs, n, err, errlen) != 0) return -1;
    for (i = 0; i < n; i++) total += runs[i]->ncases;
    out->cases = ps_xcalloc((size_t)total + 1, sizeof *out->cases);
    for (i = 0; i < n; i++)
        for (k = 0; k < runs[i]->ncases; k++) copy_result(&out->cases[out->ncases++], &runs[i]->cases[k]);
    qsort(out->cases, (size_t)out->ncases, sizeof *out->cases, cmp_case);
    for (i = 1; i < out->ncases; i++)
        if (!strcmp(out->cases[i].id, out->cases[i - 1].id) && out->cases[i].iteration == out->cases[i - 1].iteration) {
            snprintf(err, errlen, "case \"%s\" (iteration %d) is in two of the reports: shards never overlap",
                     out->cases[i].id, out->cases[i].iteration);
            ps_run_free(out);
            return -1;
        }
    out->platform = ps_xstrdup(runs[0]->platform);
    copy_platform(&out->pinfo, &runs[0]->pinfo);
    out->harness_version = ps_xstrdup(runs[0]->harness_version);
    out->strict = runs[0]->strict;
    out->jobs = runs[0]->jobs;
    out->selected = runs[0]->selected;
    for (i = 0, first = 0; i < n; i++) {
        if (runs[i]->wall_ms > out->wall_ms) out->wall_ms = runs[i]->wall_ms;
        if (runs[i]->started && strcmp(runs[i]->started, runs[first]->started ? runs[first]->started : "~") < 0)
            first = i;
    }
    out->started = ps_xstrdup(runs[first]->started);
    ps_run_count(out);
    if (runs[0]->shard_n) {
        int got = 0;
        for (i = 0; i < out->ncases; i++) got += out->cases[i].iteration == 1;
        if (runs[0]->shard_n != n || (out->selected && got != out->selected))
            snprintf(err, errlen, "warning: %d report(s) of %d shards, holding %d of the %d selected cases: "
                     "a shard is missing", n, runs[0]->shard_n, got, out->selected);
    }
    return 0;
}

/* ---------------------------------------------------------------- matrix.html */

static void h(ps_buf *b, const char *s) { ps_rep_xml(b, s, 0); }

static const ps_result *find(const ps_run *r, const char *id, int iteration)
{
    int i;
    for (i = 0; i < r->ncases; i++)
        if (!strcmp(r->cases[i].id, id) && r->cases[i].iteration == iteration) return &r->cases[i];
    return NULL;
}

/* The rows: every (id, iteration) of any platform, in the first platform's order, then
 * those the others add. */
static const ps_result **rows_of(ps_run *const *p, int n, int *nrows)
{
    int i, k, cap = 0, m = 0;
    const ps_result **rows;
    for (i = 0; i < n; i++) cap += p[i]->ncases;
    rows = ps_xcalloc((size_t)cap + 1, sizeof *rows);
    for (i = 0; i < n; i++)
        for (k = 0; k < p[i]->ncases; k++) {
            const ps_result *c = &p[i]->cases[k];
            int j, seen = 0;
            for (j = 0; j < i && !seen; j++) seen = find(p[j], c->id, c->iteration) != NULL;
            if (!seen) rows[m++] = c;
        }
    *nrows = m;
    return rows;
}

static void platform_head(ps_buf *b, const ps_run *r, int col)
{
    const ps_platform_info *pi = &r->pinfo;
    ps_buf_printf(b, "<th class=\"platform\" id=\"platform-%d\">", col + 1);
    h(b, r->platform && r->platform[0] ? r->platform : "unknown platform");
    if (pi->edition) ps_buf_adds(b, "<br/><small>"), h(b, pi->edition), ps_buf_adds(b, "</small>");
    if (pi->machine) ps_buf_adds(b, "<br/><small>machine "), h(b, pi->machine), ps_buf_adds(b, "</small>");
    if (r->started) ps_buf_adds(b, "<br/><small>"), h(b, r->started), ps_buf_adds(b, "</small>");
    ps_buf_adds(b, "</th>");
}

static void matrix_row(ps_buf *b, ps_run *const *p, int n, const ps_result *row)
{
    int i, differ = 0;
    const ps_result *first = find(p[0], row->id, row->iteration);
    for (i = 0; i < n; i++) {
        const ps_result *c = find(p[i], row->id, row->iteration);
        if (!c || !first || c->outcome != first->outcome) differ = 1;
    }
    ps_buf_printf(b, "<tr%s><th class=\"case\" scope=\"row\" title=\"", differ ? " class=\"differs\"" : "");
    ps_rep_xml(b, row->title, 1);
    ps_buf_adds(b, "\">");
    h(b, row->id);
    if (row->iteration > 1) ps_buf_printf(b, " #%d", row->iteration);
    ps_buf_adds(b, "</th>");
    for (i = 0; i < n; i++) {
        const ps_result *c = find(p[i], row->id, row->iteration);
        if (!c) {
            ps_buf_adds(b, "<td class=\"none\">not run</td>");
            continue;
        }
        ps_buf_printf(b, "<td class=\"o-%s\"><b>%s</b>", ps_outcome_name(c->outcome), ps_outcome_name(c->outcome));
        if (c->reason && c->reason[0]) {
            ps_buf_adds(b, "<div class=\"msg\">");
            if (c->line > 0) ps_buf_printf(b, "line %d: ", c->line);
            h(b, c->reason);
            ps_buf_adds(b, "</div>");
        }
        ps_buf_adds(b, "</td>");
    }
    ps_buf_adds(b, "</tr>\n");
}

void ps_matrix_html(ps_buf *b, ps_run *const *p, int n)
{
    int i, k, nrows;
    const ps_result **rows = rows_of(p, n, &nrows);
    ps_buf_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
                   "<title>pipespec matrix</title>\n<style>\n"
                   "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
                   "table{border-collapse:collapse;font-size:85%}\n"
                   "th,td{border:1px solid #bbb;padding:.2em .45em;text-align:left;vertical-align:top}\n"
                   "thead th{background:#eee;position:sticky;top:0}th.case{font-weight:normal;white-space:nowrap}\n"
                   "td .msg{font-size:85%;color:#333;max-width:32em;white-space:pre-wrap}\n"
                   ".o-PASS{background:#d9f2d9}.o-XFAIL{background:#e6e0f5}.o-SKIP{background:#eeeeee}\n"
                   ".o-FAIL,.o-XPASS{background:#f8cccc}.o-TIMEOUT{background:#fbdcb5}.o-ERROR{background:#f3b3b3}\n"
                   ".none{background:#fff;color:#888}tr.differs th.case{font-weight:bold}\n"
                   "</style>\n</head>\n<body>\n<h1>pipespec matrix</h1>\n");
    ps_buf_printf(b, "<p id=\"summary\">%d case(s) on %d platform(s); rows in bold differ between platforms.</p>\n",
                  nrows, n);
    ps_buf_printf(b, "<table id=\"matrix\" data-platforms=\"%d\" data-cases=\"%d\">\n<thead><tr><th>Case</th>", n, nrows);
    for (i = 0; i < n; i++) platform_head(b, p[i], i);
    ps_buf_adds(b, "</tr>\n<tr><th>Totals</th>");
    for (i = 0; i < n; i++) {
        int counts[PS_OUTCOME_COUNT], first = 1;
        ps_rep_counts(p[i], counts);
        ps_buf_printf(b, "<td class=\"totals\">");
        for (k = 0; k < PS_OUTCOME_COUNT; k++)
            if (counts[k]) {
                ps_buf_printf(b, "%s%d %s", first ? "" : ", ", counts[k], ps_outcome_name((ps_outcome)k));
                first = 0;
            }
        ps_buf_adds(b, "</td>");
    }
    ps_buf_adds(b, "</tr>\n</thead>\n<tbody>\n");
    for (i = 0; i < nrows; i++) matrix_row(b, p, n, rows[i]);
    ps_buf_adds(b, "</tbody>\n</table>\n</body>\n</html>\n");
    free((void *)rows);
}
