/* repro.c: see repro.h. The program is the runtime text (repro_rt_*.txt: the executor's
 * operations, data checks and judging, in sections) followed by this case's actors, one
 * function per step with its Win32 parameters spelled out, and the table of steps with
 * their expectations. Only the sections the case uses are written, so the program
 * compiles with -Wall -Wextra -Werror. The step bodies are in repro_steps.c. */
#include "repro.h"
#include "repro_internal.h"
#include "errors.h"
#include "psutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rp_cstr(ps_buf *b, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!s) {
        ps_buf_adds(b, "NULL");
        return;
    }
    ps_buf_addc(b, '"');
    for (; *p; p++) {
        if (*p == '"' || *p == '\\') ps_buf_printf(b, "\\%c", *p);
        else if (*p == '\n') ps_buf_adds(b, "\\n");
        else if (*p == '?') ps_buf_adds(b, "\\?"); /* no trigraphs */
        else if (*p < 32 || *p > 126) ps_buf_printf(b, "\\%03o", *p);
        else ps_buf_addc(b, (char)*p);
    }
    ps_buf_addc(b, '"');
}

/* The step as written, without its expectation: "client C read size=100". */
char *rp_short_text(const ps_step *s)
{
    char *t = ps_xstrdup(s->text), *arrow = strstr(t, " ->"), *q, *d;
    if (arrow) *arrow = 0;
    if (!arrow && (arrow = strstr(t, "->")) != NULL) *arrow = 0;
    for (q = d = t; *q; q++)
        if (!(*q == ' ' && (d == t || d[-1] == ' '))) *d++ = *q;
    while (d > t && d[-1] == ' ') d--;
    *d = 0;
    return t;
}

/* The C identifier of an actor. */
void rp_actor_ident(ps_buf *b, const char *name)
{
    const char *p;
    ps_buf_adds(b, "actor_");
    for (p = name; *p; p++) {
        char c = *p;
        int ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        ps_buf_addc(b, ok ? c : '_');
    }
}

/* What the repro runtime mirrors: each op with the arguments and result fields it
 * handles (the op table as the runtime was written against it). A case using another
 * op, argument or field cannot be exported yet: it says which, rather than emit a
 * program that would do something else. */
static const struct { const char *op, *args, *fields; } mirrored[] = {
    {"create", "name access type read wait instances out in timeout sddl first reject_remote write_through null_name flags overlapped", ""},
    {"connect", "overlapped", ""},
    {"disconnect", "", ""},
    {"impersonate", "", ""},
    {"token", "", "level"},
    {"revert", "", ""},
    {"open", "name access share sqos null_name overlapped", ""},
    {"wait", "name timeout", ""},
    {"call", "name size text out timeout", "bytes"},
    {"mode", "read wait", ""},
    {"state", "", "read wait instances"},
    {"info", "", "type end out in max"},
    {"write", "size text ascii overlapped", "bytes"},
    {"read", "size overlapped", "bytes text"},
    {"peek", "size null_buf", "bytes avail left"},
    {"transact", "size text out overlapped", "bytes"},
    {"result", "wait", "bytes"},
    {"flush", "", ""},
    {"close", "", ""},
    {"cancel", "", ""},
    {"cancel_sync", "", ""},
    {"pid", "of", "pid"},
    {"audit", "who rights", "granted"},
    {"start", "cmd", ""},
    {"serve", "clients timeout", ""},
    {"waitpipe", "name timeout", ""},
    {"exit", "timeout", "code"},
    {"kill", "", ""},
    {"output", "file as contains lines", ""},
    {"waitline", "text timeout", ""},
    {"sleep", "ms", ""},
    {"await", "timeout", ""},
    {"pending", "", ""},
    {"debug", "what", ""},
};

static int word_in(const char *list, const char *w)
{
    size_t n = strlen(w);
    const char *q = list;
    while ((q = strstr(q, w)) != NULL) {
        if ((q == list || q[-1] == ' ') && (q[n] == 0 || q[n] == ' ')) return 1;
        q += n;
    }
    return 0;
}

/* The first step the runtime does not mirror, as a reason; NULL when there is none. */
static const char *unmirrored(const ps_case *c)
{
    static char why[200];
    int i, k, f;
    for (i = 0; i < c->nsteps; i++) {
        const ps_step *s = &c->steps[i];
        int found = -1;
        if (s->nmore) {
            snprintf(why, sizeof why, "line %d: divergences for several ranges of Wine versions are not mirrored by the repro runtime yet", s->line);
            return why;
        }
        for (k = 0; k < (int)(sizeof mirrored / sizeof mirrored[0]); k++)
            if (!strcmp(mirrored[k].op, s->op)) found = k;
        if (found < 0) {
            snprintf(why, sizeof why, "line %d: the op '%s' has no standalone equivalent in the repro runtime yet", s->line, s->op);
            return why;
        }
        if (!strcmp(s->op, "audit") && ps_arg_get(s, "who") && strcmp(ps_arg_get(s, "who"), "self")) {
            snprintf(why, sizeof why, "line %d: an audit of who=%s asks AuthzAccessCheck (a SKIP where the platform cannot answer): not mirrored by the repro runtime yet", s->line, ps_arg_get(s, "who"));
            return why;
        }
        for (k = 0; k < s->nargs; k++)
            if (!word_in(mirrored[found].args, s->args[k].key)) {
                snprintf(why, sizeof why, "line %d: '%s %s=' is not mirrored by the repro runtime yet", s->line, s->op, s->args[k].key);
                return why;
            }
        for (f = 0; f < 2; f++) {
            const ps_expect *e = f ? &s->wine : &s->expect;
            for (k = 0; k < e->nfields; k++)
                if (!word_in(mirrored[found].fields, e->fields[k].key)) {
                    snprintf(why, sizeof why, "line %d: the result field '%s' of %s is not mirrored by the repro runtime yet", s->line, e->fields[k].key, s->op);
                    return why;
                }
        }
    }
    return NULL;
}

const char *ps_repro_unexportable(const ps_case *c)
{
    int i;
    if (c->requires) {
        char *dup = ps_xstrdup(c->requires), *tok;
        const char *why = NULL;
        for (tok = strtok(dup, " "); tok && !why; tok = strtok(NULL, " ")) {
            const char *r = tok + (*tok == '!');
            if (!strcmp(r, "host") || !strcmp(r, "second-machine"))
                why = "it needs a second machine (--host): the program would have to be run against another host";
            else if (!strcmp(r, "server-pipe"))
                why = "it tests a server that is already running (--server-pipe)";
        }
        free(dup);
        if (why) return why;
    }
    for (i = 0; i < c->nsteps; i++)
        if (!strcmp(c->steps[i].op, "debug"))
            return "it is a self-test of the harness (debug: crash or hang the case process), not pipe behaviour";
    return unmirrored(c);
}

char *ps_repro_externals(const ps_case *c)
{
    ps_buf b;
    int i;
    ps_buf_init(&b);
    for (i = 0; i < c->nsteps; i++) {
        const ps_step *s = &c->steps[i];
        const char *cmd = ps_arg_get(s, "cmd");
        if (!strcmp(s->op, "start"))
            ps_buf_printf(&b, "line %d: %s runs `%s`%s\n", s->line, s->actor, cmd ? cmd : "",
                          cmd && strstr(cmd, "{client_cmd}") ? ": the client under test (default: "
                          "reference_client.exe from --bin, else --client-cmd)" :
                          cmd && strstr(cmd, "{reference") ? ": the project's reference program, "
                          "found in the --bin folder" : "");
        else if (!strcmp(s->op, "serve"))
            ps_buf_printf(&b, "line %d: %s serves: the server under test (default: "
                          "reference_server.exe from --bin, else --server-cmd)\n", s->line, s->actor);
    }
    if (!b.len) {
        ps_buf_free(&b);
        return NULL;
    }
    return ps_buf_steal(&b);
}

/* ---------------- which runtime sections the case needs ---------------- */
typedef struct {
    const char *op;
    const char *sections;
} op_sections;

static const op_sections needs[] = {
    {"create", "path pair listen create"},
    {"connect", "overlapped listen connect"},
    {"open", "path queue pair open"},
    {"wait", "path wait"},
    {"call", "path fields makedata text call"},
    {"mode", "mode"},
    {"state", "fields state"},
    {"info", "fields info"},
    {"write", "fields makedata enqueue send overlapped write"},
    {"read", "fields check text overlapped read"},
    {"peek", "fields peek"},
    {"transact", "fields makedata enqueue send check overlapped transact"},
    {"result", "fields send check result"},
    {"flush", "flush"},
    {"close", "queue close"},
    {"disconnect", "queue disconnect"},
    {"impersonate", "impersonate"},
    {"revert", "revert"},
    {"token", "fields token"},
    {"pid", "fields pid"},
    {"audit", "fields audit"},
    {"start", "proc"},
    {"serve", "path proc pipe_exists serve"},
    {"waitpipe", "path pipe_exists waitpipe"},
    {"exit", "fields exit"},
    {"kill", "kill"},
    {"output", "output outcheck"},
    {"waitline", "output waitline"},
};

static int has_word(const char *list, const char *w)
{
    size_t n = strlen(w);
    const char *p = list;
    while ((p = strstr(p, w)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == 0)) return 1;
        p += n;
    }
    return 0;
}

static char *sections_for(const ps_case *c, ps_repro_style style)
{
    ps_buf b;
    int i;
    size_t k;
    ps_buf_init(&b);
    ps_buf_adds(&b, "head util util2 judge threads ");
    ps_buf_adds(&b, style == PS_REPRO_WINETEST ? "wt " : "plain ");
    for (i = 0; i < c->nsteps && style == PS_REPRO_WINETEST; i++)
        if (rp_unawaited(c, i)) ps_buf_adds(&b, "wt_end ");
    for (i = 0; i < c->nsteps; i++)
        for (k = 0; k < sizeof needs / sizeof needs[0]; k++)
            if (!strcmp(needs[k].op, c->steps[i].op)) {
                ps_buf_adds(&b, needs[k].sections);
                ps_buf_addc(&b, ' ');
            }
    return ps_buf_steal(&b);
}

/* Appends the runtime sections that are in `wanted`, in the runtime's order: those
 * before "judge" (after_judge 0) or from "judge" on (after_judge 1). */
static void emit_runtime(ps_buf *b, const char *wanted, int after_judge)
{
    int i, on = 0, past = 0;
    for (i = 0; ps_repro_rt_lines[i]; i++) {
        const char *l = ps_repro_rt_lines[i];
        if (!strncmp(l, "/*@@ ", 5)) {
            char name[64];
            size_t n = strcspn(l + 5, " ");
            if (n >= sizeof name) n = sizeof name - 1;
            memcpy(name, l + 5, n);
            name[n] = 0;
            if (!strcmp(name, "judge")) past = 1;
            on = past == after_judge && has_word(wanted, name);
            continue;
        }
        if (on) {
            ps_buf_adds(b, l);
            ps_buf_addc(b, '\n');
        }
    }
}

static void emit_errors(ps_buf *b)
{
    unsigned long i, code;
    const char *name;
    ps_buf_adds(b, "static const struct { DWORD code; const char *name; } error_names[] = {\n");
    for (i = 0; (name = ps_error_at(i, &code)) != NULL; i++)
        ps_buf_printf(b, "    {%lu, \"%s\"},\n", code, name);
    ps_buf_adds(b, "};\n\nstatic const char *error_name(DWORD code)\n{\n    size_t i;\n"
                   "    for (i = 0; i < sizeof error_names / sizeof error_names[0]; i++)\n"
                   "        if (error_names[i].code == code) return error_names[i].name;\n"
                   "    return NULL;\n}\n\n");
}

static void emit_expect(ps_buf *b, const ps_expect *e, const char *when)
{
    int i;
    char *t;
    if (!e->present) {
        ps_buf_adds(b, "{0, \"ok\", 0, 0, {0}, 0, {{NULL, NULL}}, 0, 0, 0, NULL, NULL}");
        return;
    }
    t = ps_xstrdup(e->text);
    ps_buf_adds(b, "{1, ");
    rp_cstr(b, t);
    ps_buf_printf(b, ", %d, %d, {", e->any_error, e->nalts);
    for (i = 0; i < e->nalts; i++) ps_buf_printf(b, "%s%lu", i ? ", " : "", e->alts[i]);
    if (!e->nalts) ps_buf_addc(b, '0');
    ps_buf_printf(b, "}, %d, {", e->nfields);
    for (i = 0; i < e->nfields; i++) {
        ps_buf_adds(b, i ? ", {" : "{");
        rp_cstr(b, e->fields[i].key);
        ps_buf_adds(b, ", ");
        rp_cstr(b, e->fields[i].value);
        ps_buf_addc(b, '}');
    }
    if (!e->nfields) ps_buf_adds(b, "{NULL, NULL}");
    ps_buf_printf(b, "}, %d, %ld, %ld, ", e->has_time, e->t_min_ms, e->t_max_ms);
    rp_cstr(b, e->reason);
    ps_buf_adds(b, ", ");
    if (when) rp_cstr(b, when);
    else ps_buf_adds(b, "NULL");
    ps_buf_addc(b, '}');
    free(t);
}

static const char *kind_of(const ps_step *s)
{
    if (!strcmp(s->op, "sleep")) return "SLEEP";
    if (!strcmp(s->op, "await")) return "AWAIT";
    if (!strcmp(s->op, "pending")) return "PENDING";
    if (!strcmp(s->op, "cancel")) return "CANCEL";
    if (!strcmp(s->op, "cancel_sync")) return "CANCEL_SYNC";
    return s->background ? "BACKGROUND" : "RUN";
}

static void emit_steps_table(ps_buf *b, const ps_case *c)
{
    int i;
    ps_buf_printf(b, "static const step steps[] = {\n");
    for (i = 0; i < c->nsteps; i++) {
        const ps_step *s = &c->steps[i];
        const char *kind = kind_of(s), *t = ps_arg_get(s, "timeout");
        char *txt = rp_short_text(s);
        long ms = -1;
        if (!strcmp(kind, "SLEEP")) ps_parse_ms(ps_arg_get(s, "ms"), &ms);
        if (!strcmp(kind, "AWAIT") && t) ps_parse_ms(t, &ms);
        ps_buf_printf(b, "    {%d, ", s->line);
        rp_cstr(b, txt);
        ps_buf_adds(b, ", ");
        if (s->actor) {
            ps_buf_addc(b, '&');
            rp_actor_ident(b, s->actor);
        } else
            ps_buf_adds(b, "NULL");
        ps_buf_printf(b, ", %s, ", kind);
        if (!strcmp(kind, "RUN") || !strcmp(kind, "BACKGROUND")) ps_buf_printf(b, "line_%d", s->line);
        else ps_buf_adds(b, "NULL");
        ps_buf_printf(b, ", %ld,\n     ", ms);
        emit_expect(b, &s->expect, NULL);
        ps_buf_adds(b, ",\n     ");
        emit_expect(b, &s->wine, s->wine_when);
        ps_buf_adds(b, "},\n");
        free(txt);
    }
    ps_buf_adds(b, "};\n\n");
}

static void emit_actors(ps_buf *b, const ps_case *c)
{
    int i, k, n = 0;
    const char *names[64];
    for (i = 0; i < c->nsteps; i++) {
        const ps_step *s = &c->steps[i];
        if (!s->actor || s->role == PS_ROLE_NONE) continue;
        for (k = 0; k < n && strcmp(names[k], s->actor); k++) {}
        if (k < n || n == 64) continue;
        names[n++] = s->actor;
        ps_buf_adds(b, "static actor ");
        rp_actor_ident(b, s->actor);
        ps_buf_adds(b, " = {.name = ");
        rp_cstr(b, s->actor);
        ps_buf_printf(b, ", .is_proc = %d};\n", s->role == PS_ROLE_PROC);
    }
    ps_buf_adds(b, "static actor *actors[] = {");
    for (k = 0; k < n; k++) {
        ps_buf_adds(b, k ? ", &" : "&");
        rp_actor_ident(b, names[k]);
    }
    if (!n) ps_buf_adds(b, "NULL");
    ps_buf_printf(b, "};\n#define NACTORS %d\n\n", n);
}

static void emit_top(ps_buf *b, const ps_case *c, const ps_repro_opts *o, const char *ext)
{
    char *ref = ps_xstrdup(c->ref ? c->ref : ""), *q;
    for (q = ref; *q; q++)
        if (q[0] == '*' && q[1] == '/') q[1] = '|';
    ps_buf_printf(b, "/* %s: %s\n *\n * Case %s (%s)\n * Sources (what Windows does): %s\n", c->id,
                  o->style == PS_REPRO_WINETEST ? "a conformance test in the conventions of Wine's tests"
                                                : "a standalone reproduction",
                  c->id, c->file, ref);
    ps_buf_printf(b, " * Title: %s\n * Generated by: %s\n *\n", c->title ? c->title : "",
                  o->command ? o->command : "pipespec repro");
    if (o->style == PS_REPRO_WINETEST)
        ps_buf_adds(b, " * Paste the helpers and test_*() into dlls/kernel32/tests/pipe.c and call it from\n"
                       " * START_TEST(pipe). ok() states the Windows result; todo_wine marks a step whose\n"
                       " * Wine divergence the case records.\n");
    else
        ps_buf_adds(b, " * Build: x86_64-w64-mingw32-gcc -std=c11 -Wall -Wextra -o repro.exe repro.c\n"
                       " *        (or cl /W4 /std:c11 repro.c advapi32.lib)\n"
                       " * Run:   repro.exe [--bin DIR] [--server-cmd CMD] [--client-cmd CMD]\n"
                       " * Each step prints what it called, what Windows is documented to do, what\n"
                       " * happened and its verdict (ok, fail; on Wine also xfail = the recorded Wine\n"
                       " * divergence, xpass = it did not happen). Exit 0: every step met the Windows\n"
                       " * expectation; 1: a step did not; 2: the case's requirement does not hold here.\n"
                       " * Actors: a thread per pipe end, as in the harness; programs are started.\n"
                       " * The case itself is at the end of this file (\"the case\"): its actors, one\n"
                       " * function per step with the call's parameters, and the steps with what Windows\n"
                       " * and Wine do; before it, the executor's operations that the case uses.\n");
    if (ext) {
        ps_buf_adds(b, " *\n * External programs (only the pipe side is in this file):\n");
        for (q = strtok(ps_xstrdup(ext), "\n"); q; q = strtok(NULL, "\n")) ps_buf_printf(b, " *   %s\n", q);
    }
    ps_buf_adds(b, " */\n");
    free(ref);
}

static void emit_requires(ps_buf *b, const ps_case *c)
{
    char *dup, *tok;
    if (!c->requires) return;
    dup = ps_xstrdup(c->requires);
    for (tok = strtok(dup, " "); tok; tok = strtok(NULL, " ")) {
        int neg = *tok == '!';
        const char *r = tok + neg, *test = NULL;
        if (!strcmp(r, "windows")) test = "!on_wine";
        else if (!strcmp(r, "wine")) test = "on_wine";
        else if (!strcmp(r, "redirector")) test = "has_redirector()";
        else if (!strcmp(r, "server-cmd")) test = "server_cmd != NULL";
        else if (!strcmp(r, "client-cmd")) test = "client_cmd != NULL";
        if (!test) continue;
        ps_buf_printf(b, "    if (%s(%s)) {\n        printf(\"SKIP: the case requires %s\\n\");\n"
                         "        return 2;\n    }\n", neg ? "" : "!", test, tok);
    }
    free(dup);
}

static const char redirector_probe[] =
    "/* Does an SMB redirector answer \\\\localhost\\pipe\\...? (Wine has none.) */\n"
    "static int has_redirector(void)\n{\n"
    "    wchar_t local[128], remote[160];\n    HANDLE s, c;\n"
    "    swprintf(local, 128, L\"\\\\\\\\.\\\\pipe\\\\pipespec-probe-%lu\", GetCurrentProcessId());\n"
    "    swprintf(remote, 160, L\"\\\\\\\\localhost\\\\pipe\\\\pipespec-probe-%lu\", GetCurrentProcessId());\n"
    "    s = CreateNamedPipeW(local, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE, 1, 64, 64, 0, NULL);\n"
    "    c = CreateFileW(remote, GENERIC_READ | GENERIC_WRITE, 0, NULL, OPEN_EXISTING, 0, NULL);\n"
    "    if (c != INVALID_HANDLE_VALUE) CloseHandle(c);\n"
    "    if (s != INVALID_HANDLE_VALUE) CloseHandle(s);\n"
    "    return c != INVALID_HANDLE_VALUE;\n}\n\n";

static void emit_plain_main(ps_buf *b, const ps_case *c, long timeout)
{
    ps_buf_adds(b, "int main(int argc, char **argv)\n{\n    int i;\n"
                   "    for (i = 1; i + 1 < argc; i += 2) {\n"
                   "        if (!strcmp(argv[i], \"--bin\")) bin_dir = argv[i + 1];\n"
                   "        else if (!strcmp(argv[i], \"--server-cmd\")) server_cmd = argv[i + 1];\n"
                   "        else if (!strcmp(argv[i], \"--client-cmd\")) client_cmd = argv[i + 1];\n"
                   "        else break;\n    }\n"
                   "    if (i < argc) {\n"
                   "        fprintf(stderr, \"usage: %s [--bin DIR] [--server-cmd CMD] [--client-cmd CMD]\\n\", argv[0]);\n"
                   "        return 2;\n    }\n"
                   "    setvbuf(stdout, NULL, _IONBF, 0);\n"
                   "    all_actors = actors;\n    nactors = NACTORS;\n    setup(argv[0]);\n");
    emit_requires(b, c);
    ps_buf_adds(b, "    printf(\"case ");
    ps_buf_adds(b, c->id);
    ps_buf_adds(b, "\\n\");\n");
    ps_buf_printf(b, "    return run_case(steps, (int)(sizeof steps / sizeof steps[0]), %ldL);\n}\n", timeout);
}

char *ps_repro_generate(const ps_case *c, const ps_repro_opts *o, char **err)
{
    ps_buf b;
    const char *why = ps_repro_unexportable(c);
    char *secs, *ext;
    long timeout = c->timeout_ms ? c->timeout_ms : 10000;
    int i;
    *err = NULL;
    if (why) {
        *err = ps_sprintf("%s cannot be exported: %s", c->id, why);
        return NULL;
    }
    ps_buf_init(&b);
    ext = ps_repro_externals(c);
    emit_top(&b, c, o, ext);
    free(ext);
    secs = sections_for(c, o->style);
    emit_runtime(&b, secs, 0);
    emit_errors(&b);
    emit_runtime(&b, secs, 1);
    if (c->requires && strstr(c->requires, "redirector")) ps_buf_adds(&b, redirector_probe);
    ps_buf_adds(&b, "/* ---------------- the case ---------------- */\n");
    emit_actors(&b, c);
    for (i = 0; i < c->nsteps; i++) {
        if (rp_emit_step_fn(&b, c, &c->steps[i], err) != 0) {
            free(secs);
            ps_buf_free(&b);
            return NULL;
        }
    }
    emit_steps_table(&b, c);
    if (o->style == PS_REPRO_WINETEST) rp_emit_wt_test(&b, c, timeout);
    else emit_plain_main(&b, c, timeout);
    free(secs);
    return ps_buf_steal(&b);
}
