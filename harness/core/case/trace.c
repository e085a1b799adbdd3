/* trace.c: a case's trace, encoded and decoded (see trace.h). The decoder reads with
 * the project's JSON reader (json.c). */
#include "trace.h"
#include "json.h"
#include "psutil.h"
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- encoder */

/* Starts a member: the separator (or the object's '{'), then "key":. */
static void key(ps_buf *b, int *n, const char *k)
{
    ps_buf_adds(b, (*n)++ ? ",\"" : "{\"");
    ps_buf_adds(b, k);
    ps_buf_adds(b, "\":");
}

static void str_member(ps_buf *b, int *n, const char *k, const char *v)
{
    if (!v) return;
    key(b, n, k);
    ps_json_str(b, v);
}

static void fields_member(ps_buf *b, int *n, const ps_trace_step *s)
{
    int i;
    key(b, n, "fields");
    ps_buf_addc(b, '{');
    for (i = 0; i < s->nfields; i++) {
        const ps_trace_field *f = &s->fields[i];
        if (i) ps_buf_addc(b, ',');
        ps_json_str(b, f->key ? f->key : "");
        ps_buf_addc(b, ':');
        if (f->json) ps_buf_adds(b, f->json);
        else ps_json_str(b, f->text ? f->text : "");
    }
    ps_buf_addc(b, '}');
}

void ps_trace_step_encode(ps_buf *b, const ps_trace_step *s)
{
    int n = 0;
    if (s->has_line) {
        key(b, &n, "line");
        ps_buf_printf(b, "%d", s->line);
    }
    str_member(b, &n, "actor", s->actor);
    str_member(b, &n, "op", s->op);
    str_member(b, &n, "call", s->call);
    if (s->has_t_ms) {
        key(b, &n, "t_ms");
        ps_buf_fixed(b, s->t_ms, 3);
    }
    if (s->has_dur_ms) {
        key(b, &n, "dur_ms");
        ps_buf_fixed(b, s->dur_ms, 3);
    }
    str_member(b, &n, "ret", s->ret);
    if (s->has_error) {
        key(b, &n, "error");
        ps_buf_printf(b, "%lu", s->error);
    }
    str_member(b, &n, "error_name", s->error_name);
    if (s->has_fields) fields_member(b, &n, s);
    str_member(b, &n, "expected", s->expected);
    str_member(b, &n, "wine", s->wine);
    str_member(b, &n, "verdict", s->verdict);
    str_member(b, &n, "note", s->note);
    ps_buf_adds(b, n ? "}" : "{}");
}

void ps_trace_encode(ps_buf *b, const ps_trace *t)
{
    int i;
    ps_buf_addc(b, '[');
    for (i = 0; t && i < t->n; i++) {
        if (i) ps_buf_addc(b, ',');
        if (t->steps[i].src) ps_buf_adds(b, t->steps[i].src);
        else ps_trace_step_encode(b, &t->steps[i]);
    }
    ps_buf_addc(b, ']');
}

/* ---------------------------------------------------------------- decoder */

static char *str_of(const ps_jv *o, const char *k) { return ps_xstrdup(ps_jv_str(o, k)); }

/* A member that is a number: 1 with it in *out, else 0. */
static int number_of(const ps_jv *o, const char *k, double *out)
{
    const ps_jv *v = ps_jv_get(o, k);
    if (!v || v->t != 'd') return 0;
    *out = ps_jv_number(v);
    return 1;
}

/* A member that is a whole number in 0..max: 1 with it in *out, else 0. */
static int whole_of(const ps_jv *o, const char *k, double max, double *out)
{
    double d;
    if (!number_of(o, k, &d) || !(d >= 0 && d <= max) || d != (double)(long long)d) return 0;
    *out = d;
    return 1;
}

static void fields_of(ps_trace_step *s, const ps_jv *f)
{
    int i;
    if (!f || f->t != 'o') return;
    s->has_fields = 1;
    s->nfields = f->n;
    s->fields = ps_xcalloc((size_t)f->n + 1, sizeof *s->fields);
    for (i = 0; i < f->n; i++) {
        const ps_jv *v = &f->kids[i];
        s->fields[i].key = ps_xstrdup(f->keys[i]);
        s->fields[i].json = ps_xstrndup(v->raw, v->rawlen);
        s->fields[i].text = v->t == 's' ? ps_xstrdup(v->s) : ps_xstrdup(s->fields[i].json);
    }
}

/* One entry (an object) into a new step; src/srclen: its text. */
static void add_step(ps_trace *t, const ps_jv *e, const char *src, size_t srclen)
{
    ps_trace_step *s;
    double d;
    t->steps = ps_xrealloc(t->steps, sizeof *t->steps * (size_t)(t->n + 1));
    s = &t->steps[t->n++];
    memset(s, 0, sizeof *s);
    if ((s->has_line = whole_of(e, "line", 2147483647.0, &d)) != 0) s->line = (int)d;
    s->actor = str_of(e, "actor");
    s->op = str_of(e, "op");
    s->call = str_of(e, "call");
    s->has_t_ms = number_of(e, "t_ms", &s->t_ms);
    s->has_dur_ms = number_of(e, "dur_ms", &s->dur_ms);
    s->ret = str_of(e, "ret");
    if ((s->has_error = whole_of(e, "error", 4294967295.0, &d)) != 0) s->error = (unsigned long)d;
    s->error_name = str_of(e, "error_name");
    fields_of(s, ps_jv_get(e, "fields"));
    s->expected = str_of(e, "expected");
    s->wine = str_of(e, "wine");
    s->verdict = str_of(e, "verdict");
    s->note = str_of(e, "note");
    s->src = ps_xstrndup(src, srclen);
}

/* The entries of the array at p (after its '['), up to its ']': 0 when all of them
 * are objects and the array is well formed. An entry that is not an object is dropped;
 * at the first syntax error (a cut-off trace) the rest is. */
static int entries(ps_trace *t, ps_jp *p, const char *text)
{
    int rc = 0;
    ps_jp_ws(p);
    if (ps_jp_peek(p) == ']') {
        p->pos++;
        return 0;
    }
    for (;;) {
        ps_jv v;
        size_t start;
        ps_jp_ws(p);
        start = p->pos;
        if (ps_jp_value(p, &v) != 0) return -1;
        if (v.t == 'o') add_step(t, &v, text + start, p->pos - start);
        else rc = -1;
        ps_jv_free(&v);
        ps_jp_ws(p);
        if (ps_jp_peek(p) != ',') break;
        p->pos++;
    }
    if (ps_jp_peek(p) != ']') return -1;
    p->pos++;
    return rc;
}

ps_trace *ps_trace_decode(const char *json)
{
    char *text = ps_utf8_repair(json ? json : "[]");
    ps_trace *t = ps_xcalloc(1, sizeof *t);
    ps_jp p;
    int ok = 0;
    ps_jp_init(&p, text, strlen(text));
    ps_jp_ws(&p);
    if (ps_jp_peek(&p) == '[') {
        p.pos++;
        ok = entries(t, &p, text) == 0;
        ps_jp_ws(&p);
        if (p.pos != p.len) ok = 0;
    }
    t->salvaged = !ok;
    free(text);
    return t;
}

/* ---------------------------------------------------------------- the rest */

void ps_trace_step_free(ps_trace_step *s)
{
    int i;
    for (i = 0; i < s->nfields; i++) {
        free(s->fields[i].key);
        free(s->fields[i].text);
        free(s->fields[i].json);
    }
    free(s->fields);
    free(s->actor);
    free(s->op);
    free(s->call);
    free(s->ret);
    free(s->error_name);
    free(s->expected);
    free(s->wine);
    free(s->verdict);
    free(s->note);
    free(s->src);
    memset(s, 0, sizeof *s);
}

void ps_trace_free(ps_trace *t)
{
    int i;
    if (!t) return;
    for (i = 0; i < t->n; i++) ps_trace_step_free(&t->steps[i]);
    free(t->steps);
    free(t);
}

const ps_trace_field *ps_trace_field_get(const ps_trace_step *s, const char *k)
{
    int i;
    for (i = 0; i < s->nfields; i++)
        if (s->fields[i].key && strcmp(s->fields[i].key, k) == 0) return &s->fields[i];
    return NULL;
}
