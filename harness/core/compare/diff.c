/* diff.c: pipespec diff, two runs compared case by case and step by step (compare.h).
 *
 * Only behaviour is compared: a case's outcome, and for each step its verdict, return
 * value, error code and reported fields. Never compared, because they differ from run
 * to run without any change in behaviour: durations and start times (a time window is
 * judged by the step's verdict, which is compared), timestamps, call texts (they hold
 * the run's pipe names), notes and reasons (shown as context only), process ids and
 * handle values (the case process reports them normalised already: "P", "handle"),
 * and of the line-0 entries (a server under test at the end of the case) all but the
 * verdict. */
#include "compare.h"
#include "psutil.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

/* One trace step with its pairing key. */
typedef struct {
    const ps_trace_step *e;
    char *key;   /* "line\tactor\top\toccurrence" */
    char *label; /* "L12 A read" */
    int used;
} step;

typedef struct {
    step *steps;
    int n;
} trace;

static void add_item(ps_diff *d, ps_diff_kind kind, const char *cname, const char *stepl,
                     const char *what, const char *a, const char *b, const char *context)
{
    ps_diff_item *it;
    d->items = ps_xrealloc(d->items, sizeof *d->items * (size_t)(d->n + 1));
    it = &d->items[d->n++];
    it->kind = kind;
    it->case_name = ps_xstrdup(cname);
    it->step = ps_xstrdup(stepl);
    it->what = ps_xstrdup(what);
    it->a = ps_xstrdup(a);
    it->b = ps_xstrdup(b);
    it->context = ps_xstrdup(context && context[0] ? context : NULL);
}

/* The step's line number as text; NULL when it has none. malloc'ed. */
static char *line_text(const ps_trace_step *e)
{
    return e->has_line ? ps_sprintf("%d", e->line) : NULL;
}

/* The steps of the result's trace (as decoded once by ps_result_trace), each with its
 * pairing key: line, actor, op and the how-manieth step with these it is. */
static void trace_load(trace *t, const ps_result *r)
{
    const ps_trace *tr = ps_result_trace(r);
    int i, k;
    memset(t, 0, sizeof *t);
    t->steps = ps_xcalloc((size_t)tr->n + 1, sizeof *t->steps);
    for (i = 0; i < tr->n; i++) {
        const ps_trace_step *e = &tr->steps[i];
        char *line = line_text(e);
        const char *actor = e->actor, *op = e->op;
        char *base = ps_sprintf("%s\t%s\t%s", line ? line : "?", actor ? actor : "", op ? op : "");
        int occ = 0;
        for (k = 0; k < t->n; k++)
            if (!strncmp(t->steps[k].key, base, strlen(base)) && t->steps[k].key[strlen(base)] == '\t') occ++;
        t->steps[t->n].e = e;
        t->steps[t->n].key = ps_sprintf("%s\t%d", base, occ);
        t->steps[t->n].label = ps_sprintf("L%s%s%s %s", line ? line : "?", actor ? " " : "",
                                          actor ? actor : "", op ? op : "?");
        if (occ) {
            char *l2 = ps_sprintf("%s (#%d)", t->steps[t->n].label, occ + 1);
            free(t->steps[t->n].label);
            t->steps[t->n].label = l2;
        }
        t->n++;
        free(base);
        free(line);
    }
}

static void trace_free(trace *t)
{
    int i;
    for (i = 0; i < t->n; i++) {
        free(t->steps[i].key);
        free(t->steps[i].label);
    }
    free(t->steps);
}

static int same(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* "ERROR_MORE_DATA (234)", "234" or NULL. */
static char *error_text(const ps_trace_step *e)
{
    if (e->has_error && e->error_name) return ps_sprintf("%s (%lu)", e->error_name, e->error);
    if (e->has_error) return ps_sprintf("%lu", e->error);
    return ps_xstrdup(e->error_name); /* NULL stays NULL */
}

/* A time as the trace writes it ("0.500"), or "-". */
static char *ms_text(const ps_trace_step *e)
{
    ps_buf b;
    if (!e || !e->has_dur_ms) return ps_xstrdup("-");
    ps_buf_init(&b);
    ps_buf_fixed(&b, e->dur_ms, 3);
    return ps_buf_steal(&b);
}

/* The step's expectation as context, with the measured durations when the
 * expectation has a time window (so a window's change of verdict shows the times). */
static char *step_context(const ps_trace_step *ea, const ps_trace_step *eb)
{
    const char *exp = (ea ? ea : eb)->expected;
    char *s;
    if (exp && strstr(exp, "after ")) {
        char *da = ms_text(ea), *db = ms_text(eb);
        s = ps_sprintf("expected: %s; took %s ms / %s ms", exp, da, db);
        free(da);
        free(db);
    } else {
        s = exp ? ps_sprintf("expected: %s", exp) : NULL;
    }
    return s;
}

/* Does the step's expectation accept several values where this one differs: several
 * results ("ok|ERROR_PIPE_CONNECTED", a race the case declares), or for a field
 * (key non-NULL) alternatives or a range ("bytes=0|10", "busy=0..1")? Two runs whose
 * step met that expectation both times differ there only in what the case accepts
 * either way: not a behaviour difference (a change of verdict still is). */
static int accepted_either(const char *expected, const char *key)
{
    const char *v = expected;
    size_t n;
    if (!expected) return 0;
    if (!key) {
        n = strcspn(v, " ");
        return memchr(v, '|', n) != NULL;
    }
    for (;;) {
        v = strstr(v, key);
        if (!v) return 0;
        if ((v == expected || v[-1] == ' ' || v[-1] == '~') && v[strlen(key)] == '=') break;
        v++;
    }
    v += strlen(key) + 1;
    n = strcspn(v, " ");
    return memchr(v, '|', n) != NULL || (n >= 2 && strstr(v, "..") && (size_t)(strstr(v, "..") - v) < n);
}

/* Compares the steps' fields member by member (keys of either side); keys the
 * expectation accepts either way (see accepted_either) are left out when both runs
 * met it (lenient). */
static void diff_fields(ps_diff *d, const char *cname, const char *label, const ps_trace_step *fa,
                        const ps_trace_step *fb, const char *ctx, const char *lenient)
{
    int i, side;
    for (side = 0; side < 2; side++) {
        const ps_trace_step *f = side ? fb : fa, *other = side ? fa : fb;
        if (!f->has_fields) continue;
        for (i = 0; i < f->nfields; i++) {
            const char *k = f->fields[i].key;
            const ps_trace_field *va, *vb;
            if (side && other->has_fields && ps_trace_field_get(other, k)) continue; /* compared in the first pass */
            if (lenient && accepted_either(lenient, k)) continue;
            va = fa->has_fields ? ps_trace_field_get(fa, k) : NULL;
            vb = fb->has_fields ? ps_trace_field_get(fb, k) : NULL;
            if (!same(va ? va->text : NULL, vb ? vb->text : NULL)) {
                char *what = ps_sprintf("fields.%s", k);
                add_item(d, PS_DIFF_STEP, cname, label, what, va ? va->text : NULL, vb ? vb->text : NULL, ctx);
                free(what);
            }
        }
    }
}

static void diff_step(ps_diff *d, const char *cname, const step *sa, const step *sb)
{
    const ps_trace_step *ea = sa->e, *eb = sb->e;
    const char *va[2] = {ea->verdict, ea->ret}, *vb[2] = {eb->verdict, eb->ret};
    static const char *const keys[] = {"verdict", "ret"};
    char *ctx = step_context(ea, eb);
    /* both met the same expectation: what it accepts either way is not compared */
    const char *lenient = same(ea->expected, eb->expected) && same(ea->verdict, "ok") && same(eb->verdict, "ok")
                              ? ea->expected : NULL;
    size_t i, nkeys = sizeof keys / sizeof keys[0];
    if (lenient && accepted_either(lenient, NULL)) nkeys = 1; /* ret and error: the declared race */
    /* Line 0 is no scenario step: the case process's account of a server under test at
     * the end of the case. Whether it had exited yet is timing; a crash is its verdict. */
    if (!strncmp(sa->key, "0\t", 2)) nkeys = 1;
    for (i = 0; i < nkeys; i++)
        if (!same(va[i], vb[i])) add_item(d, PS_DIFF_STEP, cname, sa->label, keys[i], va[i], vb[i], ctx);
    if (nkeys > 1 && (ea->has_error != eb->has_error || (ea->has_error && ea->error != eb->error))) {
        /* the error, unless a line-0 entry or a declared race */
        char *ta = error_text(ea), *tb = error_text(eb);
        add_item(d, PS_DIFF_STEP, cname, sa->label, "error", ta, tb, ctx);
        free(ta);
        free(tb);
    }
    if (strncmp(sa->key, "0\t", 2)) /* no fields for line 0; a race's fields as any step's */
        diff_fields(d, cname, sa->label, ea, eb, ctx, lenient);
    free(ctx);
}

static void diff_case(ps_diff *d, const ps_result *a, const ps_result *b)
{
    ps_buf nb;
    trace ta, tb;
    int i, k;
    ps_buf_init(&nb);
    ps_buf_adds(&nb, a->id);
    if (a->iteration > 1) ps_buf_printf(&nb, " #%d", a->iteration);
    if (a->outcome != b->outcome) {
        char *ctx = a->reason || b->reason ? ps_sprintf("A: %s | B: %s", a->reason ? a->reason : "-",
                                                        b->reason ? b->reason : "-")
                                           : NULL;
        add_item(d, PS_DIFF_OUTCOME, nb.data, NULL, "outcome", ps_outcome_name(a->outcome),
                 ps_outcome_name(b->outcome), ctx);
        free(ctx);
    }
    trace_load(&ta, a);
    trace_load(&tb, b);
    /* A case that did not run on one side (SKIP, or an ERROR before its first step)
     * has no steps to compare: its outcome says it all. */
    if (ta.n && tb.n) {
        for (i = 0; i < ta.n; i++) {
            for (k = 0; k < tb.n; k++)
                if (!tb.steps[k].used && !strcmp(ta.steps[i].key, tb.steps[k].key)) break;
            if (k < tb.n) {
                tb.steps[k].used = 1;
                diff_step(d, nb.data, &ta.steps[i], &tb.steps[k]);
            } else {
                char *ctx = step_context(ta.steps[i].e, NULL);
                const char *v = ta.steps[i].e->verdict;
                add_item(d, PS_DIFF_ONLY_A, nb.data, ta.steps[i].label, "step", v ? v : "ran", NULL, ctx);
                free(ctx);
            }
        }
        for (k = 0; k < tb.n; k++)
            if (!tb.steps[k].used) {
                char *ctx = step_context(NULL, tb.steps[k].e);
                const char *v = tb.steps[k].e->verdict;
                add_item(d, PS_DIFF_ONLY_B, nb.data, tb.steps[k].label, "step", NULL, v ? v : "ran", ctx);
                free(ctx);
            }
    }
    trace_free(&ta);
    trace_free(&tb);
    ps_buf_free(&nb);
}

static const ps_result *find_case(const ps_run *r, const ps_result *c)
{
    int i;
    for (i = 0; i < r->ncases; i++)
        if (!strcmp(r->cases[i].id, c->id) && r->cases[i].iteration == c->iteration) return &r->cases[i];
    return NULL;
}

void ps_diff_runs(const ps_run *a, const ps_run *b, ps_diff *d)
{
    int i;
    memset(d, 0, sizeof *d);
    d->cases_a = a->ncases;
    d->cases_b = b->ncases;
    for (i = 0; i < a->ncases; i++) {
        const ps_result *ca = &a->cases[i], *cb = find_case(b, ca);
        char *name = ca->iteration > 1 ? ps_sprintf("%s #%d", ca->id, ca->iteration) : ps_xstrdup(ca->id);
        if (cb) {
            d->cases_both++;
            diff_case(d, ca, cb);
        } else {
            add_item(d, PS_DIFF_ONLY_A, name, NULL, "case", ps_outcome_name(ca->outcome), NULL, ca->reason);
        }
        free(name);
    }
    for (i = 0; i < b->ncases; i++) {
        const ps_result *cb = &b->cases[i];
        if (!find_case(a, cb)) {
            char *name = cb->iteration > 1 ? ps_sprintf("%s #%d", cb->id, cb->iteration) : ps_xstrdup(cb->id);
            add_item(d, PS_DIFF_ONLY_B, name, NULL, "case", NULL, ps_outcome_name(cb->outcome), cb->reason);
            free(name);
        }
    }
}

void ps_diff_free(ps_diff *d)
{
    int i;
    for (i = 0; i < d->n; i++) {
        ps_diff_item *it = &d->items[i];
        free(it->case_name);
        free(it->step);
        free(it->what);
        free(it->a);
        free(it->b);
        free(it->context);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}
