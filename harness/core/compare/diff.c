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
#include "json.h"
#include "psutil.h"
#include "results.h"
#include <stdlib.h>
#include <string.h>

/* One trace entry, parsed, with its pairing key. */
typedef struct {
    const ps_jv *e;
    char *key;   /* "line\tactor\top\toccurrence" */
    char *label; /* "L12 A read" */
    int used;
} step;

typedef struct {
    char *text;
    ps_jv arr;
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

/* A scalar member as text (strings decoded, numbers and literals as written); NULL when
 * absent or null. malloc'ed. */
static char *scalar(const ps_jv *o, const char *key)
{
    const ps_jv *v = ps_jv_get(o, key);
    if (!v || v->t == 'n') return NULL;
    if (v->t == 's') return ps_xstrdup(v->s);
    return ps_xstrndup(v->raw, v->rawlen);
}

static void trace_load(trace *t, const char *trace_json)
{
    int i, k;
    memset(t, 0, sizeof *t);
    t->text = ps_xstrdup(trace_json ? trace_json : "[]");
    if (ps_json_parse(t->text, strlen(t->text), &t->arr, NULL, NULL) != 0 || t->arr.t != 'a') {
        ps_jv_free(&t->arr);
        return; /* a report that was read back always has a valid array */
    }
    t->steps = ps_xcalloc((size_t)t->arr.n + 1, sizeof *t->steps);
    for (i = 0; i < t->arr.n; i++) {
        const ps_jv *e = &t->arr.kids[i];
        char *line = scalar(e, "line"), *actor = scalar(e, "actor"), *op = scalar(e, "op");
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
        free(actor);
        free(op);
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
    ps_jv_free(&t->arr);
    free(t->text);
}

static int same(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

/* "ERROR_MORE_DATA (234)", "234" or NULL. */
static char *error_text(const ps_jv *e)
{
    char *code = scalar(e, "error"), *name = scalar(e, "error_name"), *s;
    if (!code && !name) return NULL;
    if (code && name) s = ps_sprintf("%s (%s)", name, code);
    else s = ps_xstrdup(code ? code : name);
    free(code);
    free(name);
    return s;
}

/* The step's expectation as context, with the measured durations when the
 * expectation has a time window (so a window's change of verdict shows the times). */
static char *step_context(const ps_jv *ea, const ps_jv *eb)
{
    char *exp = scalar(ea ? ea : eb, "expected"), *s;
    if (exp && strstr(exp, "after ")) {
        char *da = ea ? scalar(ea, "dur_ms") : NULL, *db = eb ? scalar(eb, "dur_ms") : NULL;
        s = ps_sprintf("expected: %s; took %s ms / %s ms", exp, da ? da : "-", db ? db : "-");
        free(da);
        free(db);
    } else {
        s = exp ? ps_sprintf("expected: %s", exp) : NULL;
    }
    free(exp);
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

/* Compares one field object member by member (keys of either side); keys the
 * expectation accepts either way (see accepted_either) are left out when both runs
 * met it (lenient). */
static void diff_fields(ps_diff *d, const char *cname, const char *label, const ps_jv *fa,
                        const ps_jv *fb, const char *ctx, const char *lenient)
{
    int i, side;
    for (side = 0; side < 2; side++) {
        const ps_jv *f = side ? fb : fa, *other = side ? fa : fb;
        if (!f || f->t != 'o') continue;
        for (i = 0; i < f->n; i++) {
            char *va, *vb, *what;
            if (side && ps_jv_get(other, f->keys[i])) continue; /* compared in the first pass */
            if (lenient && accepted_either(lenient, f->keys[i])) continue;
            va = scalar(fa, f->keys[i]);
            vb = scalar(fb, f->keys[i]);
            if (!same(va, vb)) {
                what = ps_sprintf("fields.%s", f->keys[i]);
                add_item(d, PS_DIFF_STEP, cname, label, what, va, vb, ctx);
                free(what);
            }
            free(va);
            free(vb);
        }
    }
}

static void diff_step(ps_diff *d, const char *cname, const step *sa, const step *sb)
{
    static const char *const keys[] = {"verdict", "ret"};
    char *ctx = step_context(sa->e, sb->e), *va, *vb;
    char *ea = scalar(sa->e, "expected"), *eb = scalar(sb->e, "expected");
    char *wa = scalar(sa->e, "verdict"), *wb = scalar(sb->e, "verdict");
    /* both met the same expectation: what it accepts either way is not compared */
    const char *lenient = same(ea, eb) && same(wa, "ok") && same(wb, "ok") ? ea : NULL;
    size_t i, nkeys = sizeof keys / sizeof keys[0];
    if (lenient && accepted_either(lenient, NULL)) nkeys = 1; /* ret and error: the declared race */
    /* Line 0 is no scenario step: the case process's account of a server under test at
     * the end of the case. Whether it had exited yet is timing; a crash is its verdict. */
    if (!strncmp(sa->key, "0\t", 2)) nkeys = 1;
    for (i = 0; i < nkeys; i++) {
        va = scalar(sa->e, keys[i]);
        vb = scalar(sb->e, keys[i]);
        if (!same(va, vb)) add_item(d, PS_DIFF_STEP, cname, sa->label, keys[i], va, vb, ctx);
        free(va);
        free(vb);
    }
    if (nkeys > 1) { /* the error, unless a line-0 entry or a declared race */
        char *ca = scalar(sa->e, "error"), *cb = scalar(sb->e, "error");
        va = error_text(sa->e);
        vb = error_text(sb->e);
        if (!same(ca, cb)) add_item(d, PS_DIFF_STEP, cname, sa->label, "error", va, vb, ctx);
        free(ca);
        free(cb);
        free(va);
        free(vb);
    }
    if (strncmp(sa->key, "0\t", 2)) /* no fields for line 0; a race's fields as any step's */
        diff_fields(d, cname, sa->label, ps_jv_get(sa->e, "fields"), ps_jv_get(sb->e, "fields"), ctx, lenient);
    free(ctx);
    free(ea);
    free(eb);
    free(wa);
    free(wb);
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
    trace_load(&ta, a->trace_json);
    trace_load(&tb, b->trace_json);
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
                char *ctx = step_context(ta.steps[i].e, NULL), *v = scalar(ta.steps[i].e, "verdict");
                add_item(d, PS_DIFF_ONLY_A, nb.data, ta.steps[i].label, "step", v ? v : "ran", NULL, ctx);
                free(ctx);
                free(v);
            }
        }
        for (k = 0; k < tb.n; k++)
            if (!tb.steps[k].used) {
                char *ctx = step_context(NULL, tb.steps[k].e), *v = scalar(tb.steps[k].e, "verdict");
                add_item(d, PS_DIFF_ONLY_B, nb.data, tb.steps[k].label, "step", NULL, v ? v : "ran", ctx);
                free(ctx);
                free(v);
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
