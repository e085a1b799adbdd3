/* repro_steps.c: one C function per step of a case, making the same Win32 call with
 * the same parameters as the executor (harness/win/case_pipe.c, case_proc.c), and the
 * winetest-style test function. */
#include "repro_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int yes(const ps_step *s, const char *key)
{
    const char *v = ps_arg_get(s, key);
    return v && (!strcmp(v, "1") || !strcmp(v, "yes"));
}

static unsigned long long size_arg(const ps_step *s, const char *key, unsigned long long def)
{
    const char *v = ps_arg_get(s, key);
    unsigned long long n;
    return v && ps_parse_size(v, &n) == 0 ? n : def;
}

/* A timeout as the executor passes it: a C expression. */
static void ms_arg(ps_buf *b, const ps_step *s, const char *key, const char *def)
{
    const char *v = ps_arg_get(s, key);
    long ms;
    if (!v) ps_buf_adds(b, def);
    else if (!strcmp(v, "default")) ps_buf_adds(b, "NMPWAIT_USE_DEFAULT_WAIT");
    else if (!strcmp(v, "forever")) ps_buf_adds(b, "NMPWAIT_WAIT_FOREVER");
    else if (!strcmp(v, "nowait")) ps_buf_adds(b, "NMPWAIT_NOWAIT");
    else if (ps_parse_ms(v, &ms) == 0) ps_buf_printf(b, "%ld", ms);
    else ps_buf_adds(b, def);
}

/* The pipe name of a step: name=..., or the case's own pipe ({pipe} is expanded when
 * the program runs). */
static void name_arg(ps_buf *b, const ps_step *s)
{
    const char *n = ps_arg_get(s, "name");
    if (yes(s, "null_name")) ps_buf_adds(b, "NULL");
    else rp_cstr(b, n ? n : "\\\\.\\pipe\\{pipe}");
}

static void emit_create(ps_buf *b, const ps_step *s)
{
    const char *acc = ps_arg_get(s, "access"), *type = ps_arg_get(s, "type"),
               *rd = ps_arg_get(s, "read"), *wt = ps_arg_get(s, "wait"),
               *inst = ps_arg_get(s, "instances"), *flags = ps_arg_get(s, "flags");
    ps_buf_adds(b, "    do_create(a, ");
    name_arg(b, s);
    ps_buf_adds(b, ",\n              ");
    ps_buf_adds(b, !acc || !strcmp(acc, "duplex") ? "PIPE_ACCESS_DUPLEX"
                   : !strcmp(acc, "inbound") ? "PIPE_ACCESS_INBOUND"
                   : !strcmp(acc, "outbound") ? "PIPE_ACCESS_OUTBOUND" : "0");
    if (yes(s, "first")) ps_buf_adds(b, " | FILE_FLAG_FIRST_PIPE_INSTANCE");
    if (yes(s, "write_through")) ps_buf_adds(b, " | FILE_FLAG_WRITE_THROUGH");
    if (yes(s, "overlapped")) ps_buf_adds(b, " | FILE_FLAG_OVERLAPPED");
    ps_buf_printf(b, ",\n              %s | %s | %s",
                  type && !strcmp(type, "message") ? "PIPE_TYPE_MESSAGE" : "PIPE_TYPE_BYTE",
                  rd && !strcmp(rd, "message") ? "PIPE_READMODE_MESSAGE" : "PIPE_READMODE_BYTE",
                  wt && !strcmp(wt, "nowait") ? "PIPE_NOWAIT" : "PIPE_WAIT");
    if (yes(s, "reject_remote")) ps_buf_adds(b, " | PIPE_REJECT_REMOTE_CLIENTS");
    if (flags) ps_buf_printf(b, " | 0x%lx", strtoul(flags, NULL, 0));
    ps_buf_adds(b, ",\n              ");
    if (inst && !strcmp(inst, "unlimited")) ps_buf_adds(b, "PIPE_UNLIMITED_INSTANCES");
    else ps_buf_printf(b, "%lu", inst ? strtoul(inst, NULL, 0) : 1UL);
    ps_buf_printf(b, ", %lu, %lu, ", (unsigned long)size_arg(s, "out", 1024),
                  (unsigned long)size_arg(s, "in", 1024));
    ms_arg(b, s, "timeout", "0");
    ps_buf_adds(b, ", ");
    rp_cstr(b, ps_arg_get(s, "sddl"));
    ps_buf_adds(b, ");\n");
}

static void emit_open(ps_buf *b, const ps_step *s)
{
    const char *acc = ps_arg_get(s, "access"), *sq = ps_arg_get(s, "sqos"),
               *share = ps_arg_get(s, "share");
    ps_buf_adds(b, "    do_open(a, ");
    name_arg(b, s);
    ps_buf_adds(b, ", ");
    if (!acc || !strcmp(acc, "rw")) ps_buf_adds(b, "GENERIC_READ | GENERIC_WRITE");
    else if (!strcmp(acc, "read")) ps_buf_adds(b, "GENERIC_READ");
    else if (!strcmp(acc, "write")) ps_buf_adds(b, "GENERIC_WRITE");
    else if (!strcmp(acc, "none")) ps_buf_adds(b, "0");
    else if (!strcmp(acc, "readattr")) ps_buf_adds(b, "FILE_READ_ATTRIBUTES");
    else if (!strcmp(acc, "rwattr")) ps_buf_adds(b, "GENERIC_READ | FILE_WRITE_ATTRIBUTES");
    else ps_buf_printf(b, "0x%lx", strtoul(acc, NULL, 0));
    ps_buf_printf(b, ", %lu, ", share ? strtoul(share, NULL, 0) : 0UL);
    if (sq)
        ps_buf_printf(b, "SECURITY_SQOS_PRESENT | %s",
                      !strcmp(sq, "anonymous") ? "SECURITY_ANONYMOUS"
                      : !strcmp(sq, "identification") ? "SECURITY_IDENTIFICATION"
                      : !strcmp(sq, "impersonation") ? "SECURITY_IMPERSONATION" : "SECURITY_DELEGATION");
    if (yes(s, "overlapped")) ps_buf_adds(b, sq ? " | FILE_FLAG_OVERLAPPED" : "FILE_FLAG_OVERLAPPED");
    if (!sq && !yes(s, "overlapped")) ps_buf_adds(b, "0");
    ps_buf_adds(b, ");\n");
}

/* text=, ascii= and size= of a write: the data's three forms. */
static void data_args(ps_buf *b, const ps_step *s, int with_ascii)
{
    rp_cstr(b, ps_arg_get(s, "text"));
    ps_buf_adds(b, ", ");
    if (with_ascii) {
        rp_cstr(b, ps_arg_get(s, "ascii"));
        ps_buf_adds(b, ", ");
    }
    ps_buf_printf(b, "%lu", (unsigned long)size_arg(s, "size", 0));
}

static const char *sids_of(const char *who)
{
    if (!strcmp(who, "everyone")) return "\"S-1-1-0\", NULL";
    if (!strcmp(who, "authenticated")) return "\"S-1-1-0\", \"S-1-5-32-545\", \"S-1-5-4\", \"S-1-5-11\", NULL";
    if (!strcmp(who, "administrators"))
        return "\"S-1-1-0\", \"S-1-5-32-545\", \"S-1-5-4\", \"S-1-5-11\", \"S-1-5-32-544\", NULL";
    if (!strcmp(who, "anonymous")) return "\"S-1-5-7\", NULL";
    if (!strcmp(who, "system")) return "\"S-1-5-18\", \"S-1-1-0\", \"S-1-5-11\", \"S-1-5-32-544\", NULL";
    return "NULL";
}

static const char *rights_of(const char *r)
{
    if (!strcmp(r, "read")) return "FILE_GENERIC_READ";
    if (!strcmp(r, "write")) return "FILE_GENERIC_WRITE";
    if (!strcmp(r, "create_instance")) return "FILE_CREATE_PIPE_INSTANCE";
    if (!strcmp(r, "all")) return "FILE_ALL_ACCESS";
    return "FILE_GENERIC_READ | FILE_GENERIC_WRITE";
}

/* Reads the expected output of `output file=F` (relative to the case's folder). */
static char *expected_output(const ps_case *c, const char *file, char **err)
{
    const char *f = file, *slash = strrchr(c->file, '/');
    char *path, *text, *q, *d;
    size_t len;
    if (!strncmp(f, "{srcdir}/", 9)) f += 9;
    path = (f[0] == '/' || !slash) ? ps_xstrdup(f)
         : ps_sprintf("%.*s/%s", (int)(slash - c->file), c->file, f);
    text = ps_read_file(path, &len);
    if (!text) *err = ps_sprintf("cannot read the expected output %s", path);
    free(path);
    if (!text) return NULL;
    for (q = d = text; *q; q++)
        if (*q != '\r') *d++ = *q;
    *d = 0;
    return text;
}

static int emit_proc_step(ps_buf *b, const ps_case *c, const ps_step *s, char **err)
{
    const char *op = s->op;
    if (!strcmp(op, "start")) {
        ps_buf_adds(b, "    do_start(a, ");
        rp_cstr(b, ps_arg_get(s, "cmd") ? ps_arg_get(s, "cmd") : "");
        ps_buf_adds(b, ");\n");
    } else if (!strcmp(op, "serve")) {
        const char *cl = ps_arg_get(s, "clients");
        ps_buf_printf(b, "    do_serve(a, %d, ", cl ? atoi(cl) : 1);
        if (cl) ps_buf_printf(b, "server_cmd ? \"{server_cmd}\" : \"\\\"{reference_server}\\\" --pipe {pipe} --clients %s\"", cl);
        else ps_buf_adds(b, "\"{server_cmd}\"");
        ps_buf_adds(b, ", ");
        name_arg(b, s);
        ps_buf_adds(b, ", ");
        ms_arg(b, s, "timeout", "5000");
        ps_buf_adds(b, ");\n");
    } else if (!strcmp(op, "waitpipe")) {
        ps_buf_adds(b, "    do_waitpipe(a, ");
        name_arg(b, s);
        ps_buf_adds(b, ", ");
        ms_arg(b, s, "timeout", "5000");
        ps_buf_adds(b, ");\n");
    } else if (!strcmp(op, "exit")) {
        const char *t = ps_arg_get(s, "timeout");
        ps_buf_adds(b, "    do_exit(a, ");
        if (t && !strcmp(t, "forever")) ps_buf_adds(b, "INFINITE");
        else ms_arg(b, s, "timeout", "10000");
        ps_buf_adds(b, ");\n");
    } else if (!strcmp(op, "kill")) {
        ps_buf_adds(b, "    do_kill(a);\n");
    } else if (!strcmp(op, "output")) {
        const char *file = ps_arg_get(s, "file"), *lines = ps_arg_get(s, "lines");
        char *want = file ? expected_output(c, file, err) : NULL;
        if (file && !want) return -1;
        ps_buf_adds(b, "    do_output(a, ");
        rp_cstr(b, want);
        ps_buf_adds(b, ", ");
        rp_cstr(b, ps_arg_get(s, "as"));
        ps_buf_adds(b, ", ");
        rp_cstr(b, ps_arg_get(s, "contains"));
        ps_buf_printf(b, ", %d);\n", lines ? atoi(lines) : -1);
        free(want);
    } else if (!strcmp(op, "waitline")) {
        ps_buf_adds(b, "    do_waitline(a, ");
        rp_cstr(b, ps_arg_get(s, "text") ? ps_arg_get(s, "text") : "");
        ps_buf_adds(b, ", ");
        ms_arg(b, s, "timeout", "10000");
        ps_buf_adds(b, ");\n");
    } else {
        *err = ps_sprintf("%s:%d: the op %s has no repro", c->file, s->line, op);
        return -1;
    }
    return 0;
}

static int emit_body(ps_buf *b, const ps_case *c, const ps_step *s, char **err)
{
    const char *op = s->op;
    if (!strcmp(op, "create")) emit_create(b, s);
    else if (!strcmp(op, "open")) emit_open(b, s);
    else if (!strcmp(op, "connect")) ps_buf_printf(b, "    do_connect(a, %d);\n", yes(s, "overlapped"));
    else if (!strcmp(op, "wait") || !strcmp(op, "call")) {
        ps_buf_printf(b, "    do_%s(a, ", op);
        name_arg(b, s);
        if (!strcmp(op, "call")) {
            ps_buf_adds(b, ", ");
            data_args(b, s, 0);
            ps_buf_printf(b, ", %lu", (unsigned long)size_arg(s, "out", 1024));
        }
        ps_buf_adds(b, ", ");
        ms_arg(b, s, "timeout", "NMPWAIT_USE_DEFAULT_WAIT");
        ps_buf_adds(b, ");\n");
    } else if (!strcmp(op, "mode")) {
        const char *rd = ps_arg_get(s, "read"), *wt = ps_arg_get(s, "wait");
        ps_buf_printf(b, "    do_mode(a, %d, %d); /* 1/0: message/byte read, nowait/wait; -1: unchanged */\n",
                      rd ? !strcmp(rd, "message") : -1, wt ? !strcmp(wt, "nowait") : -1);
    } else if (!strcmp(op, "write")) {
        ps_buf_adds(b, "    do_write(a, ");
        data_args(b, s, 1);
        ps_buf_printf(b, ", %d);\n", yes(s, "overlapped"));
    } else if (!strcmp(op, "read"))
        ps_buf_printf(b, "    do_read(a, %lu, %d);\n", (unsigned long)size_arg(s, "size", 1024), yes(s, "overlapped"));
    else if (!strcmp(op, "peek"))
        ps_buf_printf(b, "    do_peek(a, %lu, %d);\n", (unsigned long)size_arg(s, "size", 0), yes(s, "null_buf"));
    else if (!strcmp(op, "transact")) {
        ps_buf_adds(b, "    do_transact(a, ");
        data_args(b, s, 0);
        ps_buf_printf(b, ", %lu, %d);\n", (unsigned long)size_arg(s, "out", 1024), yes(s, "overlapped"));
    } else if (!strcmp(op, "result"))
        ps_buf_printf(b, "    do_result(a, %s);\n", ps_arg_get(s, "wait") && !yes(s, "wait") ? "FALSE" : "TRUE");
    else if (!strcmp(op, "pid")) {
        const char *of = ps_arg_get(s, "of");
        ps_buf_printf(b, "    do_pid(a, %d);\n", of && !strcmp(of, "server"));
    } else if (!strcmp(op, "audit")) {
        const char *who = ps_arg_get(s, "who") ? ps_arg_get(s, "who") : "self";
        const char *r = ps_arg_get(s, "rights") ? ps_arg_get(s, "rights") : "readwrite";
        if (strcmp(who, "self")) {
            ps_buf_printf(b, "    static const char *const sids[] = {%s}; /* a typical token of %s */\n",
                          sids_of(who), who);
            ps_buf_printf(b, "    do_audit(a, \"%s\", sids, \"%s\", %s);\n", who, r, rights_of(r));
        } else
            ps_buf_printf(b, "    do_audit(a, NULL, NULL, \"%s\", %s);\n", r, rights_of(r));
    } else if (!strcmp(op, "state") || !strcmp(op, "info") || !strcmp(op, "flush") ||
               !strcmp(op, "close") || !strcmp(op, "disconnect") || !strcmp(op, "impersonate") ||
               !strcmp(op, "revert") || !strcmp(op, "token"))
        ps_buf_printf(b, "    do_%s(a);\n", op);
    else return emit_proc_step(b, c, s, err);
    return 0;
}

int rp_emit_step_fn(ps_buf *b, const ps_case *c, const ps_step *s, char **err)
{
    char *t;
    if (s->role == PS_ROLE_NONE || !strcmp(s->op, "cancel") || !strcmp(s->op, "cancel_sync"))
        return 0; /* run by the script itself */
    t = rp_short_text(s);
    ps_buf_printf(b, "/* line %d: ", s->line);
    {
        char *q;
        for (q = t; *q; q++)
            if (q[0] == '*' && q[1] == '/') q[1] = '|';
    }
    ps_buf_adds(b, t);
    ps_buf_printf(b, " */\nstatic void line_%d(actor *a)\n{\n", s->line);
    free(t);
    if (emit_body(b, c, s, err) != 0) return -1;
    ps_buf_adds(b, "}\n\n");
    return 0;
}

/* ---------------- winetest style ---------------- */
int rp_unawaited(const ps_case *c, int i)
{
    const ps_step *s = &c->steps[i];
    int k;
    if (!s->background) return 0;
    for (k = i + 1; k < c->nsteps; k++) {
        const ps_step *n = &c->steps[k];
        if (!n->actor || strcmp(n->actor, s->actor)) continue;
        if (!strcmp(n->op, "await")) return 0;
        if (n->background) break;
    }
    return 1;
}

static void wt_ok(ps_buf *b, const ps_step *judged, int idx, const char *indent)
{
    char *t = rp_short_text(judged);
    ps_buf_printf(b, "%s%sok(r->met, ", indent, judged->wine.present ? "todo_wine " : "");
    {
        char *m = ps_sprintf("line %d: %s: expected %%s, got %%s\n", judged->line, t);
        rp_cstr(b, m);
        free(m);
    }
    ps_buf_adds(b, ", r->expected, r->got);\n");
    ps_buf_printf(b, "%sif (!r->met && !r->known) goto done; /* the harness stops at a failed step */\n", indent);
    (void)idx;
    free(t);
}

void rp_emit_wt_test(ps_buf *b, const ps_case *c, long timeout_ms)
{
    int i, k;
    const char *p;
    ps_buf_adds(b, "static void test_");
    for (p = c->id; *p; p++)
        ps_buf_addc(b, (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ? *p : '_');
    ps_buf_adds(b, "(void)\n{\n    const wt_result *r;\n\n    all_actors = actors;\n    nactors = NACTORS;\n"
                   "    bin_dir = getenv(\"PIPESPEC_BIN\"); /* where the reference programs are, if the case starts one */\n"
                   "    setup(\".\");\n");
    ps_buf_printf(b, "    deadline = now_ms() + %ld;\n", timeout_ms);
    for (i = 0; i < c->nsteps; i++) {
        const ps_step *s = &c->steps[i];
        char *t = rp_short_text(s);
        if (!strcmp(s->op, "sleep")) {
            ps_buf_printf(b, "    wt_step(&steps[%d]); /* line %d: %s */\n", i, s->line, t);
        } else if (s->background) {
            ps_buf_printf(b, "    wt_step(&steps[%d]); /* line %d: %s (in the background) */\n", i, s->line, t);
        } else {
            const ps_step *judged = s;
            if (!strcmp(s->op, "await")) /* the background step it waits for is judged here */
                for (k = i - 1; k >= 0; k--)
                    if (c->steps[k].background && c->steps[k].actor && s->actor &&
                        !strcmp(c->steps[k].actor, s->actor)) {
                        judged = &c->steps[k];
                        break;
                    }
            ps_buf_printf(b, "    r = wt_step(&steps[%d]);\n", i);
            wt_ok(b, !strcmp(s->op, "pending") ? s : judged, i, "    ");
        }
        free(t);
    }
    /* background steps never awaited: judged when they finished */
    for (i = 0; i < c->nsteps; i++) {
        const ps_step *s = &c->steps[i];
        if (!rp_unawaited(c, i)) continue;
        ps_buf_printf(b, "    if ((r = wt_end(&steps[%d])) != NULL) {\n", i);
        wt_ok(b, s, i, "        ");
        ps_buf_adds(b, "    }\n");
    }
    ps_buf_adds(b, "done:\n    wt_cleanup();\n}\n");
}
