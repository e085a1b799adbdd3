/* diff_render.c: the three renderings of a ps_diff (compare.h): a console table, a
 * Markdown table (for a pull request or a bug report) and a self-contained HTML page. */
#include "compare.h"
#include "psutil.h"
#include "report_internal.h"
#include <stdlib.h>
#include <string.h>

#define NCOL 5

static const char *kind_word(ps_diff_kind k)
{
    switch (k) {
    case PS_DIFF_OUTCOME: return "outcome";
    case PS_DIFF_STEP: return "step";
    case PS_DIFF_ONLY_A: return "only in A";
    default: return "only in B";
    }
}

/* The row's five cells: case, step, what, A, B (never NULL). */
static void cells(const ps_diff_item *it, const char *c[NCOL])
{
    c[0] = it->case_name ? it->case_name : "";
    c[1] = it->step ? it->step : "-";
    c[2] = it->kind == PS_DIFF_ONLY_A || it->kind == PS_DIFF_ONLY_B ? kind_word(it->kind) : it->what;
    c[3] = it->a ? it->a : "-";
    c[4] = it->b ? it->b : "-";
}

static int cases_differing(const ps_diff *d)
{
    int i, k, n = 0;
    for (i = 0; i < d->n; i++) {
        for (k = 0; k < i; k++)
            if (!strcmp(d->items[k].case_name, d->items[i].case_name)) break;
        if (k == i) n++;
    }
    return n;
}

static void summary(ps_buf *out, const ps_diff *d)
{
    if (d->n == 0)
        ps_buf_printf(out, "The two runs agree: %d case(s) in both, no difference in outcomes or step results.\n",
                      d->cases_both);
    else
        ps_buf_printf(out, "%d difference(s) in %d case(s); %d case(s) in A, %d in B, %d in both.\n", d->n,
                      cases_differing(d), d->cases_a, d->cases_b, d->cases_both);
}

static void heading(ps_buf *out, const ps_run *a, const ps_run *b, const char *na, const char *nb,
                    const char *pre)
{
    char *la = ps_run_label(a), *lb = ps_run_label(b);
    ps_buf_printf(out, "%sA: %s (%s, %s)\n", pre, na, la, a->started ? a->started : "?");
    ps_buf_printf(out, "%sB: %s (%s, %s)\n", pre, nb, lb, b->started ? b->started : "?");
    free(la);
    free(lb);
}

/* One console cell on one line, padded to width (-1: the last cell, then a newline). */
static void cell(ps_buf *out, const char *s, int width)
{
    ps_buf flat;
    ps_buf_init(&flat);
    ps_rep_flat(&flat, s);
    if (width < 0) ps_buf_printf(out, "%s\n", flat.data);
    else ps_buf_printf(out, "%-*s  ", width, flat.data);
    ps_buf_free(&flat);
}

void ps_diff_console(ps_buf *out, const ps_diff *d, const ps_run *a, const ps_run *b,
                     const char *name_a, const char *name_b)
{
    static const char *const head[NCOL] = {"CASE", "STEP", "WHAT", "A", "B"};
    size_t w[NCOL];
    int i, c;
    heading(out, a, b, name_a, name_b, "");
    if (d->n) {
        for (c = 0; c < NCOL; c++) w[c] = strlen(head[c]);
        for (i = 0; i < d->n; i++) {
            const char *v[NCOL];
            cells(&d->items[i], v);
            for (c = 0; c < NCOL; c++)
                if (strlen(v[c]) > w[c]) w[c] = strlen(v[c]) > 40 ? 40 : strlen(v[c]);
        }
        ps_buf_addc(out, '\n');
        for (c = 0; c < NCOL; c++) cell(out, head[c], c + 1 < NCOL ? (int)w[c] : -1);
        for (i = 0; i < d->n; i++) {
            const char *v[NCOL];
            cells(&d->items[i], v);
            for (c = 0; c < NCOL; c++) cell(out, v[c], c + 1 < NCOL ? (int)w[c] : -1);
            if (d->items[i].context) {
                ps_buf_adds(out, "    ");
                ps_rep_flat(out, d->items[i].context);
                ps_buf_addc(out, '\n');
            }
        }
        ps_buf_addc(out, '\n');
    }
    summary(out, d);
}

/* Markdown table text: one line, '|' and the characters Markdown would act on escaped. */
static void md(ps_buf *b, const char *s)
{
    ps_buf flat;
    const char *p;
    ps_buf_init(&flat);
    ps_rep_flat(&flat, s);
    for (p = flat.data; *p; p++) {
        if (strchr("|\\`*_<>[]", *p)) ps_buf_addc(b, '\\');
        ps_buf_addc(b, *p);
    }
    ps_buf_free(&flat);
}

void ps_diff_markdown(ps_buf *out, const ps_diff *d, const ps_run *a, const ps_run *b,
                      const char *name_a, const char *name_b)
{
    int i, c;
    ps_buf_adds(out, "# pipespec diff\n\n");
    heading(out, a, b, name_a, name_b, "- ");
    ps_buf_addc(out, '\n');
    summary(out, d);
    if (d->n) {
        ps_buf_adds(out, "\n| Case | Step | What | A | B | Expected / reasons |\n|---|---|---|---|---|---|\n");
        for (i = 0; i < d->n; i++) {
            const char *v[NCOL];
            cells(&d->items[i], v);
            ps_buf_adds(out, "|");
            for (c = 0; c < NCOL; c++) {
                ps_buf_addc(out, ' ');
                md(out, v[c]);
                ps_buf_adds(out, " |");
            }
            ps_buf_addc(out, ' ');
            md(out, d->items[i].context ? d->items[i].context : "");
            ps_buf_adds(out, " |\n");
        }
    }
}

static void h(ps_buf *b, const char *s) { ps_rep_xml(b, s, 0); }

void ps_diff_html(ps_buf *out, const ps_diff *d, const ps_run *a, const ps_run *b,
                  const char *name_a, const char *name_b)
{
    int i, c;
    char *la = ps_run_label(a), *lb = ps_run_label(b);
    ps_buf sum;
    ps_buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                     "<title>pipespec diff</title>\n<style>\n"
                     "body{font-family:sans-serif;margin:1.5em;color:#222}\n"
                     "table{border-collapse:collapse;font-size:90%}\n"
                     "th,td{border:1px solid #bbb;padding:.25em .5em;text-align:left;vertical-align:top}\n"
                     "th{background:#eee}td.ctx{color:#555;font-size:90%}\n"
                     "tr.outcome td{background:#fde8e8}tr.only td{background:#fff6dd}\n"
                     "code{font-family:monospace}\n</style>\n</head>\n<body>\n<h1>pipespec diff</h1>\n<dl>\n");
    ps_buf_adds(out, "<dt>A</dt><dd id=\"side-a\"><code>");
    h(out, name_a);
    ps_buf_adds(out, "</code>: ");
    h(out, la);
    ps_buf_adds(out, "</dd>\n<dt>B</dt><dd id=\"side-b\"><code>");
    h(out, name_b);
    ps_buf_adds(out, "</code>: ");
    h(out, lb);
    ps_buf_adds(out, "</dd>\n</dl>\n<p id=\"summary\">");
    ps_buf_init(&sum);
    summary(&sum, d);
    h(out, sum.data);
    ps_buf_free(&sum);
    ps_buf_printf(out, "</p>\n<table id=\"diff\" data-differences=\"%d\">\n<thead><tr><th>Case</th><th>Step</th>"
                       "<th>What</th><th>A</th><th>B</th><th>Expected / reasons</th></tr></thead>\n<tbody>\n", d->n);
    for (i = 0; i < d->n; i++) {
        const ps_diff_item *it = &d->items[i];
        const char *v[NCOL];
        cells(it, v);
        ps_buf_printf(out, "<tr class=\"%s\">", it->kind == PS_DIFF_OUTCOME ? "outcome"
                                                : it->kind == PS_DIFF_STEP ? "step" : "only");
        for (c = 0; c < NCOL; c++) {
            ps_buf_adds(out, "<td>");
            h(out, v[c]);
            ps_buf_adds(out, "</td>");
        }
        ps_buf_adds(out, "<td class=\"ctx\">");
        h(out, it->context);
        ps_buf_adds(out, "</td></tr>\n");
    }
    ps_buf_adds(out, "</tbody>\n</table>\n</body>\n</html>\n");
    free(la);
    free(lb);
}
