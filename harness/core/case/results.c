/* results.c: outcomes, run counting, and the reader of the child protocol. */
#include "results.h"
#include "proto.h"
#include "psutil.h"
#include <stdlib.h>
#include <string.h>

static const char *const names[PS_OUTCOME_COUNT] = {"PASS", "FAIL", "XFAIL", "XPASS",
                                                    "SKIP", "TIMEOUT", "ERROR"};

const char *ps_outcome_name(ps_outcome o)
{
    return (o >= 0 && o < PS_OUTCOME_COUNT) ? names[o] : "?";
}

int ps_outcome_parse(const char *s, ps_outcome *o)
{
    int i;
    for (i = 0; i < PS_OUTCOME_COUNT; i++)
        if (strcmp(s, names[i]) == 0) {
            *o = (ps_outcome)i;
            return 0;
        }
    return -1;
}

int ps_outcome_is_bad(ps_outcome o)
{
    return o == PS_FAIL || o == PS_XPASS || o == PS_TIMEOUT || o == PS_ERROR;
}

void ps_run_count(ps_run *run)
{
    int i;
    memset(run->counts, 0, sizeof run->counts);
    for (i = 0; i < run->ncases; i++) run->counts[run->cases[i].outcome]++;
}

int ps_run_exit_status(const ps_run *run)
{
    int i;
    for (i = 0; i < run->ncases; i++)
        if (ps_outcome_is_bad(run->cases[i].outcome)) return 1;
    return 0;
}

void ps_result_free(ps_result *r)
{
    free(r->id);
    free(r->title);
    free(r->file);
    free(r->ref);
    free(r->tags);
    free(r->topic);
    free(r->reason);
    free(r->trace_json);
    ps_trace_free(r->trace);
    free(r->divergences);
    free(r->cause);
    free(r->notes);
    free(r->case_process.retired);
    {
        int i;
        for (i = 0; i < r->noutputs; i++) {
            free(r->outputs[i].actor);
            free(r->outputs[i].exit);
            free(r->outputs[i].text);
        }
        free(r->outputs);
    }
    memset(r, 0, sizeof *r);
}

const ps_trace *ps_result_trace(const ps_result *r)
{
    if (!r->trace) ((ps_result *)r)->trace = ps_trace_decode(r->trace_json);
    return r->trace;
}

void ps_result_set_trace(ps_result *r, char *json)
{
    free(r->trace_json);
    r->trace_json = json ? json : ps_xstrdup("[]");
    ps_trace_free(r->trace);
    r->trace = NULL;
}

void ps_run_free(ps_run *run)
{
    int i;
    for (i = 0; i < run->ncases; i++) ps_result_free(&run->cases[i]);
    free(run->cases);
    free(run->platform);
    free(run->harness_version);
    free(run->started);
    ps_platform_info_free(&run->pinfo);
    memset(run, 0, sizeof *run);
}

void ps_result_check_reason(ps_result *r)
{
    if (r->outcome == PS_SKIP && (!r->reason || !r->reason[0])) {
        free(r->reason);
        r->reason = ps_xstrdup("harness: SKIP without a reason (a SKIP must say why the case cannot be decided here)");
        r->outcome = PS_ERROR;
    }
}

void ps_platform_info_free(ps_platform_info *pi)
{
    free(pi->os);
    free(pi->version);
    free(pi->build);
    free(pi->edition);
    free(pi->host);
    free(pi->arch);
    free(pi->machine);
    memset(pi, 0, sizeof *pi);
}

void ps_child_reader_init(ps_child_reader *cr, ps_result *r)
{
    memset(cr, 0, sizeof *cr);
    cr->r = r;
    cr->trace = ps_xcalloc(1, sizeof(ps_buf));
    cr->divs = ps_xcalloc(1, sizeof(ps_buf));
    ps_buf_init(cr->trace);
    ps_buf_init(cr->divs);
}

/* Splits "a\tb\tc" in place; returns the number of fields (at most max). */
static int split_tabs(char *s, char **f, int max)
{
    int n = 0;
    f[n++] = s;
    while (n < max && (s = strchr(s, '\t')) != NULL) {
        *s++ = 0;
        f[n++] = s;
    }
    return n;
}

static void handle_line(ps_child_reader *cr, char *line)
{
    char *f[4];
    int n;
    ps_buf *trace = cr->trace, *divs = cr->divs;
    size_t l = strlen(line);
    if (l && line[l - 1] == '\r') line[--l] = 0;
    if (line[0] == 0 || line[1] != '\t') return;
    n = split_tabs(line, f, 4);
    switch (line[0]) {
    case 'T':
        if (n >= 2) {
            if (trace->len) ps_buf_addc(trace, ',');
            ps_buf_adds(trace, f[1]);
        }
        break;
    case 'S':
        if (n >= 3) {
            cr->last_started_line = atoi(f[1]);
            free(cr->last_started_text);
            cr->last_started_text = ps_xstrdup(f[2]);
        }
        break;
    case 'D':
        if (n >= 3) ps_buf_printf(divs, "%s: %s\n", f[1], f[2]);
        break;
    case 'N':
        if (n >= 3) {
            char *was = cr->r->notes;
            cr->r->notes = ps_sprintf("%s%s: %s\n", was ? was : "", f[1], f[2]);
            free(was);
        }
        break;
    case 'C':
        if (n >= 2 && f[1][0]) {
            free(cr->r->cause);
            cr->r->cause = ps_xstrdup(f[1]);
        }
        break;
    case 'O':
        if (n >= 4) {
            ps_result *r = cr->r;
            char *t = ps_proto_unescape(ps_xstrdup(f[3]));
            r->outputs = ps_xrealloc(r->outputs, sizeof *r->outputs * (size_t)(r->noutputs + 1));
            r->outputs[r->noutputs].actor = ps_xstrdup(f[1]);
            r->outputs[r->noutputs].exit = ps_xstrdup(f[2]);
            r->outputs[r->noutputs].text = t;
            r->noutputs++;
        }
        break;
    case 'R':
        if (n >= 3 && ps_outcome_parse(f[1], &cr->r->outcome) == 0) {
            cr->have_verdict = 1;
            cr->r->line = atoi(f[2]);
            free(cr->r->reason);
            cr->r->reason = (n >= 4 && f[3][0]) ? ps_xstrdup(f[3]) : NULL;
        }
        break;
    case 'E':
        cr->ended = 1;
        cr->reusable = !strcmp(f[1], "reuse");
        if (!cr->reusable) {
            free(cr->retire);
            cr->retire = ps_xstrdup(n >= 3 && f[2][0] ? f[2] : "the case process could not prove itself clean");
        }
        break;
    default: break;
    }
}

void ps_child_reader_feed(ps_child_reader *cr, const char *data, unsigned long n)
{
    ps_buf acc;
    char *start, *nl;
    ps_buf_init(&acc);
    if (cr->partial) {
        ps_buf_adds(&acc, cr->partial);
        free(cr->partial);
        cr->partial = NULL;
    }
    ps_buf_add(&acc, data, n);
    start = acc.data;
    while ((nl = memchr(start, '\n', acc.len - (size_t)(start - acc.data))) != NULL) {
        *nl = 0;
        handle_line(cr, start);
        start = nl + 1;
    }
    if (*start) cr->partial = ps_xstrdup(start);
    ps_buf_free(&acc);
}

void ps_child_reader_finish(ps_child_reader *cr, int timed_out, unsigned long exit_code,
                            double timeout_ms)
{
    ps_result *r = cr->r;
    ps_buf *trace = cr->trace, *divs = cr->divs;
    if (cr->partial) {
        handle_line(cr, cr->partial);
        free(cr->partial);
        cr->partial = NULL;
    }
    if (timed_out) {
        r->outcome = PS_TIMEOUT;
        free(r->reason);
        if (cr->last_started_line)
            r->reason = ps_sprintf("case did not finish within %.0f ms; hung on line %d: %s",
                                   timeout_ms, cr->last_started_line,
                                   cr->last_started_text ? cr->last_started_text : "");
        else
            r->reason = ps_sprintf("case did not finish within %.0f ms", timeout_ms);
        r->line = cr->last_started_line;
    } else if (!cr->have_verdict) {
        r->outcome = PS_ERROR;
        free(r->reason);
        if (exit_code >= 0xC0000000UL)
            r->reason = ps_sprintf("case process crashed with exception 0x%08lX%s%s", exit_code,
                                   cr->last_started_line ? " during: " : "",
                                   cr->last_started_text ? cr->last_started_text : "");
        else
            r->reason = ps_sprintf("case process exited with code %lu and no verdict", exit_code);
        r->line = cr->last_started_line;
    }
    else if (exit_code != 0) {
        /* a verdict counts only from a case process that then ended cleanly (it exits 0
         * right after its R line): anything else is the harness's trouble, not a result */
        char *was = ps_sprintf("harness: the case process reported %s%s%s%s and then exited with %s 0x%08lX",
                               ps_outcome_name(r->outcome), r->reason ? " (" : "",
                               r->reason ? r->reason : "", r->reason ? ")" : "",
                               exit_code >= 0xC0000000UL ? "exception" : "code", exit_code);
        r->outcome = PS_ERROR;
        free(r->reason);
        r->reason = was;
    }
    ps_result_check_reason(r);
    ps_result_set_trace(r, ps_sprintf("[%s]", trace->data ? trace->data : ""));
    free(r->divergences);
    r->divergences = divs->len ? ps_xstrdup(divs->data) : NULL;
    ps_buf_free(trace);
    ps_buf_free(divs);
    free(cr->trace);
    free(cr->divs);
    cr->trace = cr->divs = NULL;
    free(cr->last_started_text);
    cr->last_started_text = NULL;
}
