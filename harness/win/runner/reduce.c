/* reduce.c: `pipespec reduce CASE [--budget SECONDS] [--out FILE]`: shrinks a case that
 * does not meet its expectation here to the smallest case whose same step still
 * diverges the same way (the same step text and op, the same error and verdict), by
 * delta debugging: whole actors first, then steps (ddmin), then the options of the
 * steps that are left. Every candidate runs in its own case process, as `run` runs a
 * case (ps_run_one); candidates that do not parse are skipped. */
#include "platform.h"
#include "psutil.h"
#include "runner.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char **lines;      /* the file's lines (step lines may be edited) */
    int nlines;
    int *step_of;      /* line index -> 1 when it is a step line */
    char **actor_of;   /* line index -> the step's actor (NULL: none) */
    int target;        /* line index of the diverging step */
    int pinned;        /* line index of the create/open that gives the target its handle, or -1 */
    char **op_of;      /* line index -> the step's op */
    char *ttext, *top; /* its text (as written, without expectation) and op */
    unsigned long terr;
    char tverdict[16];
    const ps_options *o;
    char *tmp;         /* the candidate file */
    double end;        /* the budget's end, ms */
    int runs, unparsed, index;
} reducer;

/* What the reducer reads of a trace step (decoded by trace.c): its op and verdict
 * ("" when absent), its error code and line (0 when absent). */
static const char *op_of_step(const ps_trace_step *e) { return e->op ? e->op : ""; }
static const char *verdict_of(const ps_trace_step *e) { return e->verdict ? e->verdict : ""; }
static unsigned long error_of(const ps_trace_step *e) { return e->has_error ? e->error : 0; }
static int line_of(const ps_trace_step *e) { return e->has_line ? e->line : 0; }

static int diverges(const char *v)
{
    return !strcmp(v, "fail") || !strcmp(v, "xfail") || !strcmp(v, "xpass");
}

static char *short_text(const char *line)
{
    char *t = ps_xstrdup(line), *arrow = strstr(t, "->"), *q, *d;
    if (arrow) *arrow = 0;
    for (q = d = t; *q; q++)
        if (!((*q == ' ' || *q == '\t') && (d == t || d[-1] == ' '))) *d++ = *q == '\t' ? ' ' : *q;
    while (d > t && d[-1] == ' ') d--;
    *d = 0;
    return t;
}

/* Writes the lines that keep[] keeps; returns the text. */
static char *render(const reducer *r, const int *keep)
{
    ps_buf b;
    int i;
    ps_buf_init(&b);
    for (i = 0; i < r->nlines; i++) {
        size_t n = strlen(r->lines[i]);
        while (n && (r->lines[i][n - 1] == ' ' || r->lines[i][n - 1] == '\t')) n--;
        if (keep[i]) ps_buf_printf(&b, "%.*s\n", (int)n, r->lines[i]);
    }
    return ps_buf_steal(&b);
}

/* Runs the candidate; 1 when the target step diverges in the same way. */
static int test(reducer *r, const int *keep)
{
    char *text = render(r, keep);
    ps_diag d;
    ps_case *c;
    ps_result res;
    const ps_trace *t;
    const ps_trace_step *es;
    int n, i, k, same = 0;
    if (ps_now_ms() > r->end) {
        free(text);
        return 0;
    }
    ps_write_file(r->tmp, text, strlen(text));
    free(text);
    memset(&d, 0, sizeof d);
    c = ps_load_case(r->tmp, &d);
    ps_diag_free(&d);
    if (!c) {
        r->unparsed++;
        return 0;
    }
    memset(&res, 0, sizeof res);
    ps_run_one(r->o, c, ++r->index, &res);
    r->runs++;
    t = ps_result_trace(&res);
    es = t->steps;
    n = t->n;
    /* a candidate in which another step fails, or the harness could not run, is not
     * the same divergence: it would report a different bug */
    for (i = 0; i < n; i++)
        if (!strcmp(verdict_of(&es[i]), "fail") && !(error_of(&es[i]) == r->terr && !strcmp(op_of_step(&es[i]), r->top)))
            n = -1;
    if (res.outcome == PS_ERROR || res.outcome == PS_TIMEOUT) n = -1;
    for (i = 0; i < n && !same; i++) {
        if (strcmp(op_of_step(&es[i]), r->top) || error_of(&es[i]) != r->terr ||
            strcmp(verdict_of(&es[i]), r->tverdict))
            continue;
        for (k = 0; k < c->nsteps; k++)
            if (c->steps[k].line == line_of(&es[i])) {
                char *st = short_text(c->steps[k].text);
                same = !strcmp(st, r->ttext);
                free(st);
            }
    }
    ps_result_free(&res);
    ps_case_free(c);
    return same;
}

/* Removes the steps of whole actors (with the await/pending that name them). */
static void drop_actors(reducer *r, int *keep)
{
    int i, k;
    for (i = 0; i < r->nlines; i++) {
        int *cand;
        const char *who = r->actor_of[i];
        if (!keep[i] || !who || !strcmp(who, r->actor_of[r->target])) continue;
        for (k = 0; k < i; k++)
            if (r->actor_of[k] && !strcmp(r->actor_of[k], who)) break;
        if (k < i) continue; /* tried at its first line */
        cand = ps_xmalloc((size_t)r->nlines * sizeof *cand);
        memcpy(cand, keep, (size_t)r->nlines * sizeof *cand);
        for (k = 0; k < r->nlines; k++)
            if (r->actor_of[k] && !strcmp(r->actor_of[k], who)) cand[k] = 0;
        if (test(r, cand)) {
            int gone = 0;
            for (k = 0; k < r->nlines; k++) gone += keep[k] && !cand[k];
            printf("removed actor %s (%d steps)\n", who, gone);
            memcpy(keep, cand, (size_t)r->nlines * sizeof *cand);
        }
        free(cand);
    }
}

/* ddmin over the step lines other than the target. */
static void drop_steps(reducer *r, int *keep)
{
    int gran = 2;
    for (;;) {
        int units[1024], nu = 0, i, chunk, start, done = 0;
        for (i = 0; i < r->nlines && nu < 1024; i++)
            if (keep[i] && r->step_of[i] && i != r->target && i != r->pinned) units[nu++] = i;
        if (nu == 0 || ps_now_ms() > r->end) return;
        if (gran > nu) gran = nu;
        chunk = (nu + gran - 1) / gran;
        for (start = 0; start < nu && !done; start += chunk) {
            int *cand = ps_xmalloc((size_t)r->nlines * sizeof *cand);
            memcpy(cand, keep, (size_t)r->nlines * sizeof *cand);
            for (i = start; i < start + chunk && i < nu; i++) cand[units[i]] = 0;
            if (test(r, cand)) {
                memcpy(keep, cand, (size_t)r->nlines * sizeof *cand);
                gran = gran > 2 ? gran - 1 : 2;
                done = 1;
            }
            free(cand);
        }
        if (!done) {
            if (gran >= nu) return;
            gran = gran * 2 < nu ? gran * 2 : nu;
        }
    }
}

/* Tries each key=value of the steps left (not the target's: its text is the key);
 * returns how many went. */
static int drop_options(reducer *r, int *keep)
{
    int i, gone = 0;
    for (i = 0; i < r->nlines; i++) {
        char *line, *arrow, *p;
        if (!keep[i] || !r->step_of[i] || i == r->target) continue;
        line = r->lines[i];
        arrow = strstr(line, "->");
        for (p = line; *p && (!arrow || p < arrow);) {
            char *tok = p, *eq, *end, *cand, *save;
            int in_q = 0;
            while (*tok == ' ' || *tok == '\t') tok++;
            for (end = tok; *end && (in_q || (*end != ' ' && *end != '\t')); end++)
                if (*end == '"') in_q = !in_q;
            eq = strchr(tok, '=');
            if (end == tok || (arrow && tok >= arrow)) break;
            if (!eq || eq > end || *tok == '#') {
                p = end;
                continue;
            }
            cand = ps_sprintf("%.*s%s", (int)(tok - line), line, end);
            save = r->lines[i];
            r->lines[i] = cand;
            if (test(r, keep)) {
                size_t off = (size_t)(tok - save);
                printf("removed option %.*s from: %s\n", (int)(end - tok), tok, save);
                free(save);
                gone++;
                line = cand;
                arrow = strstr(line, "->");
                p = line + off;
            } else {
                r->lines[i] = save;
                free(cand);
                p = end;
            }
        }
    }
    return gone;
}

/* Reads the file into lines and marks the steps of the parsed case. */
static int load(reducer *r, const char *file, const ps_case *c)
{
    size_t len;
    char *text = ps_read_file(file, &len), *p, *nl;
    int i, k;
    if (!text) return -1;
    r->lines = ps_xcalloc(len + 2, sizeof *r->lines);
    for (p = text; *p; p = nl + 1) {
        nl = strchr(p, '\n');
        if (!nl) nl = p + strlen(p);
        r->lines[r->nlines++] = ps_xstrndup(p, (size_t)(nl - p - (nl > p && nl[-1] == '\r')));
        if (!*nl) break;
    }
    free(text);
    r->step_of = ps_xcalloc((size_t)r->nlines + 1, sizeof *r->step_of);
    r->actor_of = ps_xcalloc((size_t)r->nlines + 1, sizeof *r->actor_of);
    r->op_of = ps_xcalloc((size_t)r->nlines + 1, sizeof *r->op_of);
    for (k = 0; k < c->nsteps; k++) {
        i = c->steps[k].line - 1;
        if (i < 0 || i >= r->nlines) continue;
        r->step_of[i] = 1;
        r->actor_of[i] = ps_xstrdup(c->steps[k].actor);
        r->op_of[i] = c->steps[k].op;
    }
    return 0;
}

/* The first step that diverges in a run of the case as it is. */
static int find_target(reducer *r, const ps_case *c)
{
    ps_result res;
    const ps_trace *t;
    const ps_trace_step *es;
    int n, i, k;
    memset(&res, 0, sizeof res);
    ps_run_one(r->o, c, ++r->index, &res);
    printf("%s: %s%s%s\n", c->id, ps_outcome_name(res.outcome), res.reason && *res.reason ? ": " : "",
           res.reason ? res.reason : "");
    t = ps_result_trace(&res);
    es = t->steps;
    n = t->n;
    for (i = 0; i < n; i++) {
        if (!diverges(verdict_of(&es[i]))) continue;
        for (k = 0; k < c->nsteps; k++)
            if (c->steps[k].line == line_of(&es[i])) break;
        if (k == c->nsteps) continue;
        r->target = line_of(&es[i]) - 1;
        r->ttext = short_text(c->steps[k].text);
        r->top = ps_xstrdup(op_of_step(&es[i]));
        r->terr = error_of(&es[i]);
        snprintf(r->tverdict, sizeof r->tverdict, "%s", verdict_of(&es[i]));
        /* the step keeps the handle it had: its actor's last create/open before it */
        r->pinned = -1;
        for (k = 0; k < r->target; k++)
            if (r->actor_of[k] && r->actor_of[r->target] && !strcmp(r->actor_of[k], r->actor_of[r->target]) &&
                (!strcmp(r->op_of[k], "create") || !strcmp(r->op_of[k], "open")))
                r->pinned = k;
        ps_result_free(&res);
        return 0;
    }
    ps_result_free(&res);
    return -1;
}

int ps_reduce_main(const ps_options *o)
{
    reducer r;
    ps_diag d;
    ps_case *c;
    int *keep, i, kept = 0, total = 0;
    char *text, *out, *slash;
    const char *file = o->paths[0];
    memset(&r, 0, sizeof r);
    memset(&d, 0, sizeof d);
    r.o = o;
    c = ps_load_case(file, &d);
    if (!c || load(&r, file, c) != 0) {
        for (i = 0; i < d.count; i++) fprintf(stderr, "%s\n", d.msgs[i]);
        fprintf(stderr, "pipespec reduce: cannot read %s\n", file);
        return 2;
    }
    r.end = ps_now_ms() + 1000.0 * (double)(o->budget_s ? o->budget_s : 300);
    if (find_target(&r, c) != 0) {
        printf("pipespec reduce: every step of %s meets its expectation here: nothing to reduce\n", c->id);
        return 1;
    }
    printf("the divergence: line %d: %s (%s, error %lu)\n", r.target + 1, r.ttext, r.tverdict, r.terr);
    /* candidates go to the temporary folder, or next to the case when it names files
     * relative to its folder (output file=) */
    for (i = 0; i < c->nsteps && !(!strcmp(c->steps[i].op, "output") && ps_arg_get(&c->steps[i], "file")); i++) {}
    slash = strrchr(file, '/');
    if (i == c->nsteps) {
        wchar_t tdir[MAX_PATH + 1];
        char *u;
        DWORD n = GetTempPathW(MAX_PATH, tdir);
        if (n == 0 || n > MAX_PATH) wcscpy(tdir, L".\\");
        u = ps_utf8(tdir);
        r.tmp = ps_sprintf("%spipespec-reduce-%lu.case", u, GetCurrentProcessId());
        free(u);
    } else
        r.tmp = slash ? ps_sprintf("%.*s/.reduce-%lu.case", (int)(slash - file), file, GetCurrentProcessId())
                      : ps_sprintf(".reduce-%lu.case", GetCurrentProcessId());
    keep = ps_xmalloc((size_t)r.nlines * sizeof *keep);
    for (i = 0; i < r.nlines; i++) {
        const char *l = r.lines[i] + strspn(r.lines[i], " \t");
        keep[i] = r.step_of[i] || (*l && *l != '#'); /* comments and blank lines go */
        total += r.step_of[i];
    }
    drop_actors(&r, keep);
    drop_steps(&r, keep);
    while (drop_options(&r, keep) > 0 && ps_now_ms() < r.end) {} /* one may free another */
    for (i = 0; i < r.nlines; i++) {
        if (!r.step_of[i]) continue;
        if (keep[i]) kept++;
        else printf("removed line %d: %s\n", i + 1, r.lines[i] + strspn(r.lines[i], " \t"));
    }
    {
        wchar_t *w = ps_wide(r.tmp);
        DeleteFileW(w);
        free(w);
    }
    /* the reduced case gets its own id, so it can sit beside the original, says what
     * it was reduced from, and claims no coverage (it may no longer show those rows) */
    for (i = 0; i < r.nlines; i++) {
        char *l = r.lines[i], *n = NULL;
        if (r.step_of[i]) continue;
        if (!strncmp(l, "case", 4) && (l[4] == ' ' || l[4] == '\t')) n = ps_sprintf("case    %s-reduced", c->id);
        else if (!strncmp(l, "title", 5) && (l[5] == ' ' || l[5] == '\t'))
            n = ps_sprintf("title   %s, line %d, reduced by pipespec reduce (was: %s)", c->id, r.target + 1,
                           c->title ? c->title : "");
        else if (!strncmp(l, "covers", 6) && (l[6] == ' ' || l[6] == '\t'))
            keep[i] = 0;
        if (n) {
            free(r.lines[i]);
            r.lines[i] = n;
        }
    }
    text = render(&r, keep);
    out = o->out ? ps_xstrdup(o->out) : ps_sprintf("%s-reduced.case", c->id);
    if (ps_write_file(out, text, strlen(text)) != 0) {
        fprintf(stderr, "pipespec reduce: cannot write %s\n", out);
        return 2;
    }
    printf("kept %d of %d steps (%d candidates run, %d did not parse%s); wrote %s\n", kept, total, r.runs,
           r.unparsed, ps_now_ms() > r.end ? ", the budget ran out" : "", out);
    free(text);
    free(out);
    ps_case_free(c);
    return 0;
}
