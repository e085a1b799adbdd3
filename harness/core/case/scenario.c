/* scenario.c: the case-language parser. One case per file, one step per line;
 * every error is collected with file:line:col, and a case with errors is not returned. */
#include "scenario.h"
#include "errors.h"
#include "psutil.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>




/* ---------------- lexer ---------------- */
typedef struct {
    char *text;  /* unescaped */
    int col;     /* 1-based */
    int quoted;  /* the whole token was a "string" */
} tok;

typedef struct {
    const char *file;
    int line;
    ps_diag *d;
    int errors;
} pctx;

static void perr(pctx *p, int col, const char *fmt, ...)
{
    char tmp[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ps_diag_add(p->d, p->file, p->line, col, "%s", tmp);
    p->errors++;
}

/* Splits a line into tokens. Quotes may open a token or follow '=' inside one
 * (text="a b"). Returns the count; *toks is malloc'ed. Reports unterminated strings. */
static int lex(pctx *p, const char *s, tok **toks)
{
    int n = 0, cap = 8;
    const char *q = s;
    *toks = ps_xmalloc(sizeof(tok) * (size_t)cap);
    for (;;) {
        ps_buf b;
        int col, quoted = 0, inq = 0, qcol = 0;
        while (*q == ' ' || *q == '\t' || *q == '\r') q++;
        if (!*q || *q == '#') break;
        col = (int)(q - s) + 1;
        ps_buf_init(&b);
        if (*q == '"') quoted = 1;
        while (*q) {
            if (inq) {
                if (*q == '\\' && q[1] == '"') { /* only \" is an escape: paths keep their \ */
                    ps_buf_addc(&b, q[1]);
                    q += 2;
                    continue;
                }
                if (*q == '"') {
                    inq = 0;
                    q++;
                    continue;
                }
                ps_buf_addc(&b, *q++);
            } else {
                if (*q == ' ' || *q == '\t' || *q == '\r') break;
                if (*q == '"') {
                    inq = 1;
                    qcol = (int)(q - s) + 1;
                    q++;
                    continue;
                }
                ps_buf_addc(&b, *q++);
            }
        }
        if (inq) {
            perr(p, qcol, "found an unterminated string, expected a closing '\"'");
            ps_buf_free(&b);
            break;
        }
        if (n == cap) *toks = ps_xrealloc(*toks, sizeof(tok) * (size_t)(cap *= 2));
        (*toks)[n].text = ps_buf_steal(&b);
        (*toks)[n].col = col;
        (*toks)[n].quoted = quoted;
        n++;
    }
    return n;
}

static void free_toks(tok *t, int n)
{
    int i;
    for (i = 0; i < n; i++) free(t[i].text);
    free(t);
}

/* ---------------- validation helpers ---------------- */
static int valid_actor(const char *s)
{
    if (!isalpha((unsigned char)*s)) return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_') return 0;
    return 1;
}

static const char *const known_vars[] = {"pipe", "computer", "host", "bin", "srcdir",
                                         "reference_server", "reference_client",
                                         "server_cmd", "client_cmd", "clients", NULL};

/* Checks {var} references in a string argument. */
static void check_vars(pctx *p, const char *v, int col)
{
    const char *q = v;
    while ((q = strchr(q, '{')) != NULL) {
        const char *e = strchr(q, '}');
        int i, ok = 0;
        if (!e) {
            perr(p, col, "found '{' without '}' in \"%s\", expected {variable}", v);
            return;
        }
        for (i = 0; known_vars[i]; i++)
            if ((size_t)(e - q - 1) == strlen(known_vars[i]) &&
                strncmp(q + 1, known_vars[i], (size_t)(e - q - 1)) == 0)
                ok = 1;
        if (!ok)
            perr(p, col, "found unknown variable '%.*s', expected one of {pipe} {computer} {host} {bin} {srcdir} {reference_server} {reference_client} {server_cmd} {client_cmd} {clients}",
                 (int)(e - q + 1), q);
        q = e + 1;
    }
}

static int enum_has(const char *choices, const char *v)
{
    size_t n = strlen(v);
    const char *c = choices;
    while (c && *c) {
        const char *bar = strchr(c, '|');
        size_t len = bar ? (size_t)(bar - c) : strlen(c);
        if (len == n && strncmp(c, v, n) == 0) return 1;
        c = bar ? bar + 1 : NULL;
    }
    return 0;
}

static void check_arg(pctx *p, const ps_opdef *op, const char *key, const char *val, int col)
{
    const ps_argdef *a = NULL;
    int i;
    unsigned long long sz;
    long ms;
    for (i = 0; i < 16 && op->args[i].name; i++)
        if (strcmp(op->args[i].name, key) == 0) a = &op->args[i];
    if (!a) {
        ps_buf b;
        ps_buf_init(&b);
        for (i = 0; i < 16 && op->args[i].name; i++) {
            if (i) ps_buf_adds(&b, ", ");
            ps_buf_adds(&b, op->args[i].name);
        }
        perr(p, col, "found unknown argument '%s' for %s, expected %s%s", key, op->name,
             b.len ? "one of: " : "no arguments", b.data);
        ps_buf_free(&b);
        return;
    }
    switch (a->type) {
    case PS_ARG_STR: check_vars(p, val, col); break;
    case PS_ARG_SIZE:
        if (ps_parse_size(val, &sz) != 0 && !(a->choices && enum_has(a->choices, val)))
            perr(p, col, "found '%s' for %s, expected a size in bytes (decimal: 1024, 64k, 1m) up to %llu",
                 val, key, PS_SIZE_MAX);
        break;
    case PS_ARG_INT:
        if (ps_parse_uint(val, &sz) != 0 && !(a->choices && enum_has(a->choices, val)))
            perr(p, col, "found '%s' for %s, expected a number (decimal, or 0x... hex) up to %llu%s%s",
                 val, key, PS_SIZE_MAX, a->choices ? " or " : "", a->choices ? a->choices : "");
        break;
    case PS_ARG_MS:
        if (ps_parse_ms(val, &ms) != 0 && !(a->choices && enum_has(a->choices, val)))
            perr(p, col, "found '%s' for %s, expected milliseconds (200, 200ms, 5s)%s%s", val,
                 key, a->choices ? " or " : "", a->choices ? a->choices : "");
        break;
    case PS_ARG_BOOL:
        if (strcmp(val, "0") && strcmp(val, "1") && strcmp(val, "yes") && strcmp(val, "no"))
            perr(p, col, "found '%s' for %s, expected 1 or 0", val, key);
        break;
    case PS_ARG_ENUM:
        if (!enum_has(a->choices, val))
            perr(p, col, "found '%s' for %s, expected one of %s", val, key, a->choices);
        break;
    }
}

/* A divergence marker at toks[i]: "wine:" (every Wine version), "wine <10.0:" or
 * "wine<10.0:" (the versions it applies to). Returns how many tokens it takes (0: none)
 * and points *cond at the condition (NULL for every version). */
static int wine_marker(const tok *t, int i, int n, const char **cond, int *cond_col)
{
    const char *x;
    size_t l;
    if (cond) *cond = NULL;
    if (i >= n || t[i].quoted) return 0;
    x = t[i].text;
    if (!strcmp(x, "wine:")) return 1;
    if (strncmp(x, "wine", 4)) return 0;
    if (x[4] && strchr("<>=", x[4]) && x[strlen(x) - 1] == ':') {
        if (cond) *cond = x + 4, *cond_col = t[i].col + 4;
        return 1;
    }
    if (x[4] || i + 1 >= n || t[i + 1].quoted) return 0;
    l = strlen(t[i + 1].text);
    if (l < 2 || t[i + 1].text[l - 1] != ':' || !strchr("<>=", t[i + 1].text[0])) return 0;
    if (cond) *cond = t[i + 1].text, *cond_col = t[i + 1].col;
    return 2;
}

/* Parses an expectation from toks[i..n); stops at a wine marker. Returns the next index. */
static int parse_expect(pctx *p, const ps_opdef *op, tok *t, int i, int n, ps_expect *e,
                        int want_reason)
{
    ps_buf text;
    int start = i;
    ps_buf_init(&text);
    e->present = 1;
    if (i >= n || wine_marker(t, i, n, NULL, NULL)) {
        perr(p, i < n ? t[i].col : (i ? t[i - 1].col : 1),
             "found %s, expected a result after '->' (ok, ERROR_NAME, a number, or fail)",
             i < n ? "'wine:'" : "the end of the line");
        ps_buf_free(&text);
        return i;
    }
    e->col = t[i].col;
    { /* results: a|b|c */
        char *dup = ps_xstrdup(t[i].text), *save = dup, *part;
        for (part = dup; part; ) {
            char *bar = strchr(part, '|');
            unsigned long code;
            if (bar) *bar = 0;
            if (strcmp(part, "fail") == 0) e->any_error = 1;
            else if (ps_error_parse(part, &code) == 0) {
                if (e->nalts < PS_MAX_ALTS) e->alts[e->nalts++] = code;
                else perr(p, t[i].col, "found more than %d results in '%s', expected at most %d alternatives",
                          PS_MAX_ALTS, t[i].text, PS_MAX_ALTS);
            } else
                perr(p, t[i].col, "found '%s', expected ok, fail, an error name such as ERROR_PIPE_BUSY, or a number", part);
            part = bar ? bar + 1 : NULL;
        }
        free(save);
    }
    i++;
    while (i < n && !wine_marker(t, i, n, NULL, NULL) && !(strcmp(t[i].text, "else") == 0 && !t[i].quoted)) {
        char *eq = strchr(t[i].text, '=');
        if (strcmp(t[i].text, "after") == 0) {
            const char *r = i + 1 < n ? t[i + 1].text : "";
            const char *dots = strstr(r, "..");
            char lo[64];
            if (!dots || (size_t)(dots - r) >= sizeof lo) {
                perr(p, i + 1 < n ? t[i + 1].col : t[i].col,
                     "found '%s', expected a time window such as 200ms..600ms", r);
            } else {
                memcpy(lo, r, (size_t)(dots - r));
                lo[dots - r] = 0;
                if (ps_parse_ms(lo, &e->t_min_ms) || ps_parse_ms(dots + 2, &e->t_max_ms) ||
                    e->t_min_ms > e->t_max_ms)
                    perr(p, t[i + 1].col, "found '%s', expected a time window such as 200ms..600ms", r);
                else
                    e->has_time = 1;
            }
            i = i + 2 < n ? i + 2 : n; /* "after" may be the last word */
            continue;
        }
        if (want_reason && t[i].quoted && i + 1 == n) break; /* the reason */
        if (want_reason && t[i].quoted && i + 1 < n && !strcmp(t[i + 1].text, "else")) break;
        if (want_reason && t[i].quoted && i + 1 < n && wine_marker(t, i + 1, n, NULL, NULL)) break;
        if (!eq || eq == t[i].text) {
            perr(p, t[i].col, "found '%s', expected a field check key=value or 'after LO..HI'", t[i].text);
            i++;
            continue;
        }
        {
            int advisory = t[i].text[0] == '~';
            size_t klen = (size_t)(eq - t[i].text) - (size_t)advisory;
            char *key = ps_xstrndup(t[i].text + advisory, klen);
            const char *fl = op ? op->fields : "";
            int ok = 0;
            const char *q = fl;
            while (q && *q) {
                const char *sp = strchr(q, ' ');
                size_t len = sp ? (size_t)(sp - q) : strlen(q);
                if (len == klen && strncmp(q, key, klen) == 0) ok = 1;
                q = sp ? sp + 1 : NULL;
            }
            if (!ok)
                perr(p, t[i].col, "found unknown result field '%s' for %s, expected %s%s", key,
                     op ? op->name : "this step", *fl ? "one of: " : "no fields", fl);
            if (e->nfields < PS_MAX_FIELDS) {
                e->fields[e->nfields].key = key;
                e->fields[e->nfields].value = ps_xstrdup(eq + 1);
                e->fields[e->nfields].col = t[i].col;
                e->fields[e->nfields].advisory = advisory;
                e->nfields++;
            } else {
                perr(p, t[i].col, "found more than %d field checks, expected fewer", PS_MAX_FIELDS);
                free(key);
            }
        }
        i++;
    }
    {
        int k;
        for (k = start; k < i; k++) {
            if (k > start) ps_buf_addc(&text, ' ');
            ps_buf_adds(&text, t[k].text);
        }
        e->text = ps_buf_steal(&text);
    }
    if (want_reason) {
        if (i < n && t[i].quoted) {
            const char *v = strstr(t[i].text, "Wine ");
            e->reason = ps_xstrdup(t[i].text);
            if (v && isdigit((unsigned char)v[5]))
                perr(p, t[i].col, "found a Wine version in the divergence's reason, expected the versions in the condition (wine <10.0:) and none in the text");
            i++;
        } else {
            perr(p, i < n ? t[i].col : t[n - 1].col + (int)strlen(t[n - 1].text),
                 "found %s, expected the divergence's reason as a \"quoted string\"",
                 i < n ? "a word" : "the end of the line");
        }
    }
    return i;
}

static void free_expect(ps_expect *e)
{
    int i;
    for (i = 0; i < e->nfields; i++) {
        free(e->fields[i].key);
        free(e->fields[i].value);
    }
    free(e->reason);
    free(e->text);
}

void ps_case_free(ps_case *c)
{
    int i, j;
    if (!c) return;
    for (i = 0; i < c->nsteps; i++) {
        ps_step *s = &c->steps[i];
        free(s->actor);
        free(s->op);
        for (j = 0; j < s->nargs; j++) {
            free(s->args[j].key);
            free(s->args[j].value);
        }
        free(s->args);
        free_expect(&s->expect);
        free_expect(&s->wine);
        free(s->wine_when);
        for (j = 0; j < s->nmore; j++) {
            free_expect(&s->more_wine[j]);
            free(s->more_when[j]);
        }
        free(s->meaning);
        free(s->text);
    }
    free(c->steps);
    free(c->file);
    free(c->id);
    free(c->title);
    free(c->ref);
    free(c->tags);
    free(c->requires);
    free(c);
}



/* Joins toks[from..n) with single spaces (for title/ref/tags). */
static char *join(tok *t, int from, int n)
{
    ps_buf b;
    int i;
    ps_buf_init(&b);
    for (i = from; i < n; i++) {
        if (i > from) ps_buf_addc(&b, ' ');
        ps_buf_adds(&b, t[i].text);
    }
    return ps_buf_steal(&b);
}

static const char *const requirements[] = {"redirector", "windows", "wine", "admin",
                                           "second-machine", "server-cmd", "client-cmd",
                                           "server-pipe", "host", NULL};

typedef struct {
    char name[64];
    ps_role role;
    int has_bg;
    int bg_line, bg_col; /* a background step not yet awaited (0: none) */
} actor_info;

/* await / pending / sleep / debug: their one operand, as an argument. Returns the next
 * index, or -1 after an error. */
static int parse_statement(pctx *p, ps_step *s, const ps_opdef *op, tok *t, int i, int n,
                           actor_info *actors, int nactors)
{
    long ms;
    int a;
    if (strcmp(op->name, "sleep") == 0 || strcmp(op->name, "debug") == 0) {
        int sleep = op->name[0] == 's';
        if (i >= n || (sleep ? ps_parse_ms(t[i].text, &ms) != 0
                             : (strcmp(t[i].text, "crash") && strcmp(t[i].text, "hang") && strcmp(t[i].text, "leak")))) {
            perr(p, i < n ? t[i].col : t[i - 1].col, sleep ? "found %s, expected a duration (100ms, 2s)"
                                                          : "found %s, expected crash, hang or leak",
                 i < n ? t[i].text : "the end of the line");
            return -1;
        }
        s->args = ps_xcalloc(1, sizeof(ps_arg));
        s->args[0].key = ps_xstrdup(sleep ? "ms" : "what");
        s->args[0].value = ps_xstrdup(t[i].text);
        s->nargs = 1;
        return i + 1;
    }
    { /* await / pending ACTOR */
        int found = -1;
        if (i >= n || !valid_actor(t[i].text)) {
            perr(p, i < n ? t[i].col : t[i - 1].col, "found %s, expected an actor name",
                 i < n ? t[i].text : "the end of the line");
            return -1;
        }
        for (a = 0; a < nactors; a++)
            if (strcmp(actors[a].name, t[i].text) == 0) found = a;
        if (found < 0 || !actors[found].has_bg) {
            perr(p, t[i].col, "found '%s', expected an actor with a background step ('&') earlier in the case", t[i].text);
            return -1;
        }
        if (strcmp(op->name, "await") == 0) actors[found].bg_line = 0;
        s->actor = ps_xstrdup(t[i].text);
        return i + 1;
    }
}

/* key=value arguments, each checked against the op table. Returns the next index. */
static int parse_args(pctx *p, ps_step *s, const ps_opdef *op, tok *t, int i, int n)
{
    while (i < n && strcmp(t[i].text, "->") && strcmp(t[i].text, "&") && !wine_marker(t, i, n, NULL, NULL)) {
        char *eq = strchr(t[i].text, '=');
        if (!eq || eq == t[i].text) {
            perr(p, t[i].col, "found '%s', expected an argument key=value, '&' or '->'", t[i].text);
            i++;
            continue;
        }
        *eq = 0;
        check_arg(p, op, t[i].text, eq + 1, t[i].col);
        s->args = ps_xrealloc(s->args, sizeof(ps_arg) * (size_t)(s->nargs + 1));
        s->args[s->nargs].key = ps_xstrdup(t[i].text);
        s->args[s->nargs].value = ps_xstrdup(eq + 1);
        s->args[s->nargs].col = t[i].col;
        s->nargs++;
        *eq = '=';
        i++;
    }
    return i;
}

/* wine: ... (every version), or one clause per range of versions:
 * wine <10.0: A "why" wine >=10.0: B "why". Returns the next index. */
static int parse_wine_clauses(pctx *p, ps_step *s, const ps_opdef *op, tok *t, int i, int n)
{
    while (i < n && wine_marker(t, i, n, NULL, NULL)) {
        const char *cond;
        int ccol = 0, k = wine_marker(t, i, n, &cond, &ccol), first = !s->wine.present;
        char *c2 = NULL;
        if (!s->expect.present)
            perr(p, t[i].col, "found 'wine:' without a Windows expectation, expected '-> RESULT' before it");
        if (!first && (!s->wine_when || s->nmore == 3 || !cond)) {
            perr(p, t[i].col, "found another 'wine' clause, expected at most 4, each after the first naming its versions (wine <10.0: ... wine >=10.0: ...)");
            break;
        }
        if (cond) {
            c2 = ps_xstrndup(cond, strlen(cond) - 1); /* without the ':' */
            if (ps_version_cond(c2, NULL) != 1)
                perr(p, ccol, "found '%s', expected Wine versions such as <10.0, >=9.0 or >=9.0,<10.0 before ':'", cond);
        }
        if (first) {
            s->wine_when = c2;
            i = parse_expect(p, op, t, i + k, n, &s->wine, 1);
        } else {
            s->more_when[s->nmore] = c2;
            i = parse_expect(p, op, t, i + k, n, &s->more_wine[s->nmore], 1);
            s->nmore++;
        }
    }
    return i;
}

/* else "what a FAIL of this step means for the program under test". Returns the next index. */
static int parse_else(pctx *p, ps_step *s, tok *t, int i, int n)
{
    if (i >= n || strcmp(t[i].text, "else") || t[i].quoted) return i;
    if (!s->expect.present)
        perr(p, t[i].col, "found 'else' without an expectation, expected '-> RESULT' before it");
    if (i + 1 < n && t[i + 1].quoted && t[i + 1].text[0]) {
        s->meaning = ps_xstrdup(t[i + 1].text);
        return i + 2;
    }
    perr(p, i + 1 < n ? t[i + 1].col : t[i].col + 4,
         "found %s, expected what a failure means as a \"quoted string\" after 'else'",
         i + 1 < n ? "a word" : "the end of the line");
    return n;
}

/* The actor's role stays, at most PS_MAX_ACTORS actors, no step on an actor whose
 * background step runs (but the ops that reach a blocked actor), and what runs in the
 * background must be awaited. */
static void track_actor(pctx *p, ps_step *s, tok *t, actor_info *actors, int *nactors)
{
    int a, found = -1;
    for (a = 0; a < *nactors; a++)
        if (strcmp(actors[a].name, s->actor) == 0) found = a;
    if (found >= 0 && actors[found].role != s->role)
        perr(p, t[1].col, "found actor '%s' as a %s, expected a %s as earlier in the case",
             s->actor, ps_role_name(s->role), ps_role_name(actors[found].role));
    if (found < 0 && *nactors >= PS_MAX_ACTORS)
        perr(p, t[1].col, "found actor '%s', the %dth of the case, expected at most %d actors",
             s->actor, *nactors + 1, PS_MAX_ACTORS);
    else if (found < 0) {
        found = (*nactors)++;
        memset(&actors[found], 0, sizeof actors[found]);
        snprintf(actors[found].name, sizeof actors[found].name, "%s", s->actor);
        actors[found].role = s->role;
    }
    if (found >= 0 && actors[found].bg_line && strcmp(s->op, "cancel") && strcmp(s->op, "cancel_sync") &&
        strcmp(s->op, "cancelio") && strcmp(s->op, "apc"))
        perr(p, t[1].col, "found a step on '%s' while its background step of line %d runs, expected 'await %s' first",
             s->actor, actors[found].bg_line, s->actor);
    if (found >= 0 && s->background) {
        actors[found].has_bg = 1;
        actors[found].bg_line = p->line;
        actors[found].bg_col = t[0].col;
    }
}

static void parse_step(pctx *p, ps_case *c, tok *t, int n, const char *raw,
                       actor_info *actors, int *nactors)
{
    ps_step s;
    const ps_opdef *op;
    int i = 0;
    memset(&s, 0, sizeof s);
    s.line = p->line;
    s.text = ps_xstrdup(raw);
    if (strcmp(t[0].text, "server") == 0) s.role = PS_ROLE_SERVER;
    else if (strcmp(t[0].text, "client") == 0) s.role = PS_ROLE_CLIENT;
    else if (strcmp(t[0].text, "proc") == 0) s.role = PS_ROLE_PROC;
    else s.role = PS_ROLE_NONE;

    if (s.role != PS_ROLE_NONE) {
        if (n < 2 || !valid_actor(t[1].text)) {
            perr(p, n < 2 ? t[0].col + (int)strlen(t[0].text) : t[1].col,
                 "found %s, expected an actor name (a letter, then letters, digits or _)",
                 n < 2 ? "the end of the line" : "an invalid name");
            goto out;
        }
        s.actor = ps_xstrdup(t[1].text);
        if (n < 3) {
            perr(p, t[1].col + (int)strlen(t[1].text), "found the end of the line, expected an operation after '%s %s'", t[0].text, t[1].text);
            goto out;
        }
        i = 2;
    }
    op = ps_op_find(t[i].text);
    if (!op) {
        perr(p, t[i].col, "found '%s', expected %s", t[i].text,
             s.role == PS_ROLE_NONE
                 ? "a header (case, title, ref, tags, covers, requires, timeout), an actor step (server|client|proc NAME OP ...) or a statement (sleep, await, pending, debug)"
                 : "an operation (see docs/LANGUAGE.md)");
        goto out;
    }
    s.op = ps_xstrdup(op->name);
    {
        int mask = s.role == PS_ROLE_SERVER ? PS_OP_SERVER
                 : s.role == PS_ROLE_CLIENT ? PS_OP_CLIENT
                 : s.role == PS_ROLE_PROC ? PS_OP_PROC : PS_OP_STMT;
        if (!(op->roles & mask)) {
            perr(p, t[i].col, "found '%s' for a %s, expected an operation that a %s can do",
                 op->name, s.role == PS_ROLE_NONE ? "statement" : ps_role_name(s.role),
                 s.role == PS_ROLE_NONE ? "statement" : ps_role_name(s.role));
            goto out;
        }
    }
    i++;
    if (s.role == PS_ROLE_NONE && (i = parse_statement(p, &s, op, t, i, n, actors, *nactors)) < 0) goto out;
    i = parse_args(p, &s, op, t, i, n);
    if (i < n && strcmp(t[i].text, "&") == 0) {
        if (s.role == PS_ROLE_NONE) perr(p, t[i].col, "found '&' on a statement, expected it only on actor steps");
        s.background = 1;
        i++;
    }
    if (i < n && strcmp(t[i].text, "->") == 0) i = parse_expect(p, op, t, i + 1, n, &s.expect, 0);
    i = parse_wine_clauses(p, &s, op, t, i, n);
    i = parse_else(p, &s, t, i, n);
    if (i < n)
        perr(p, t[i].col, "found '%s', expected the end of the step", t[i].text);
    if (!strcmp(op->name, "output") && !ps_arg_get(&s, "file") && !ps_arg_get(&s, "contains") &&
        !ps_arg_get(&s, "lines"))
        perr(p, t[i - 1 < 0 ? 0 : i - 1].col, "found output with nothing to compare, expected file=, contains= or lines=");

    if (s.role != PS_ROLE_NONE) track_actor(p, &s, t, actors, nactors);
out:
    c->steps = ps_xrealloc(c->steps, sizeof(ps_step) * (size_t)(c->nsteps + 1));
    c->steps[c->nsteps++] = s;
}

/* A line's tokens; title and ref take the rest of the line as it is: no tokens, no
 * quotes. Returns the count. */
static int lex_line(pctx *p, const char *line, tok **t)
{
    const char *w = line;
    size_t kl = 0;
    int n;
    while (*w == ' ' || *w == '\t') w++;
    if (!strncmp(w, "title", 5) && (!w[5] || strchr(" \t\r", w[5]))) kl = 5;
    if (!strncmp(w, "ref", 3) && (!w[3] || strchr(" \t\r", w[3]))) kl = 3;
    if (!kl) return lex(p, line, t);
    {
        char *head = ps_xstrndup(line, (size_t)(w - line) + kl);
        const char *r = w + kl;
        while (*r == ' ' || *r == '\t') r++;
        n = lex(p, head, t); /* the keyword alone: one token, capacity 8 */
        free(head);
        if (*r && *r != '\r') {
            (*t)[1].text = ps_xstrdup(r);
            (*t)[1].col = (int)(r - line) + 1;
            (*t)[1].quoted = 0;
            n = 2;
        }
    }
    return n;
}

ps_case *ps_parse_case(const char *file, const char *text, ps_diag *d)
{
    ps_case *c = ps_xcalloc(1, sizeof *c);
    pctx p;
    const char *q = text;
    actor_info actors[PS_MAX_ACTORS];
    int nactors = 0, seen_case = 0;
    p.file = file;
    p.line = 0;
    p.d = d;
    p.errors = 0;
    c->file = ps_xstrdup(file);
    while (*q) {
        const char *eol = strchr(q, '\n');
        size_t len = eol ? (size_t)(eol - q) : strlen(q);
        char *line = ps_xstrndup(q, len);
        tok *t;
        int n;
        p.line++;
        n = lex_line(&p, line, &t);
        if (n > 0) {
            const char *k = t[0].text;
            const char *rest = line + t[0].col - 1 + strlen(t[0].text);
            int is_header = !strcmp(k, "case") || !strcmp(k, "title") || !strcmp(k, "ref") ||
                            !strcmp(k, "tags") || !strcmp(k, "covers") ||
                            !strcmp(k, "requires") || !strcmp(k, "timeout");
            if (is_header && c->nsteps > 0) {
                perr(&p, t[0].col, "found header '%s' after the first step, expected headers at the top", k);
            } else if (is_header && n < 2) {
                perr(&p, t[0].col + (int)strlen(k), "found the end of the line, expected a value for '%s'", k);
            } else if (!strcmp(k, "case")) {
                const char *v = t[1].text;
                int ok = isalnum((unsigned char)v[0]);
                seen_case = 1;
                for (; ok && *v; v++)
                    if (!isalnum((unsigned char)*v) && !strchr(".-_", *v)) ok = 0;
                if (n > 2) perr(&p, t[2].col, "found '%s' after the case id, expected the end of the line", t[2].text);
                else if (!ok) perr(&p, t[1].col, "found '%s', expected a case id of letters, digits, '.', '-' and '_' (topic.name)", t[1].text);
                else if (c->id) perr(&p, t[0].col, "found a second 'case' line, expected one per file");
                else c->id = ps_xstrdup(t[1].text);
            } else if (!strcmp(k, "title") || !strcmp(k, "ref")) {
                char **dst = !strcmp(k, "title") ? &c->title : &c->ref;
                char *v;
                size_t l;
                while (*rest == ' ' || *rest == '\t') rest++;
                v = ps_xstrdup(rest);
                l = strlen(v);
                while (l && (v[l - 1] == ' ' || v[l - 1] == '\r' || v[l - 1] == '\t')) v[--l] = 0;
                if (*dst) {
                    /* a second ref line adds to the first */
                    char *j = ps_sprintf("%s; %s", *dst, v);
                    free(*dst);
                    free(v);
                    *dst = j;
                } else
                    *dst = v;
            } else if (!strcmp(k, "tags")) {
                free(c->tags);
                c->tags = join(t, 1, n);
            } else if (!strcmp(k, "requires")) {
                int i, r, ok;
                for (i = 1; i < n; i++) {
                    const char *v = t[i].text;
                    if (*v == '!') v++;
                    ok = 0;
                    for (r = 0; requirements[r]; r++)
                        if (!strcmp(requirements[r], v)) ok = 1;
                    if (!ok) perr(&p, t[i].col, "found requirement '%s', expected one of redirector, windows, wine, admin, second-machine, server-cmd, client-cmd, server-pipe, host (or !NAME)", t[i].text);
                }
                free(c->requires);
                c->requires = join(t, 1, n);
            } else if (!strcmp(k, "covers")) {
                int i;
                for (i = 1; i < n; i++) {
                    char *end;
                    long v = strtol(t[i].text, &end, 10);
                    if (*end || v < 1 || v > 999) perr(&p, t[i].col, "found '%s', expected a BEHAVIOUR.md row number", t[i].text);
                    else if (c->ncovers < 64) c->covers[c->ncovers++] = (int)v;
                    else perr(&p, t[i].col, "found a 65th row in 'covers', expected at most 64");
                }
            } else if (!strcmp(k, "timeout")) {
                if (ps_parse_ms(t[1].text, &c->timeout_ms) != 0 || c->timeout_ms <= 0)
                    perr(&p, t[1].col, "found '%s', expected a case timeout such as 10s", t[1].text);
            } else {
                parse_step(&p, c, t, n, line + t[0].col - 1, actors, &nactors);
            }
        }
        free_toks(t, n);
        free(line);
        q = eol ? eol + 1 : q + len;
    }
    {
        /* a background step must be awaited: one that never finishes would otherwise
         * never be judged */
        int a;
        for (a = 0; a < nactors; a++)
            if (actors[a].bg_line) {
                p.line = actors[a].bg_line;
                perr(&p, actors[a].bg_col, "found a background step on '%s' that is never awaited, expected 'await %s' later in the case (a step never judged proves nothing)",
                     actors[a].name, actors[a].name);
            }
    }
    p.line = 1; /* what is missing is reported at the top of the file */
    if (!c->id && !seen_case) perr(&p, 1, "found no 'case ID' line, expected one at the top");
    if (!c->title) perr(&p, 1, "found no 'title' line, expected a one-line title");
    if (!c->ref) perr(&p, 1, "found no 'ref' line, expected the source of the expected behaviour");
    if (c->nsteps == 0) perr(&p, 1, "found no steps, expected at least one");
    if (p.errors) {
        ps_case_free(c);
        return NULL;
    }
    return c;
}

ps_case *ps_load_case(const char *file, ps_diag *d)
{
    size_t len;
    char *text = ps_read_file(file, &len);
    ps_case *c;
    if (!text) {
        ps_diag_add(d, file, 0, 0, "cannot read the file");
        return NULL;
    }
    if (strlen(text) != len) {
        ps_diag_add(d, file, 1, 1, "found a NUL byte, expected a text file");
        free(text);
        return NULL;
    }
    c = ps_parse_case(file, text, d);
    free(text);
    return c;
}
