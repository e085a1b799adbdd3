/* proto.c: the case-process protocol's encoder (see proto.h). */
#include "proto.h"
#include "errors.h"
#include <stdio.h>
#include <string.h>

/* Appends s with tabs, CR and LF as spaces (a field never ends a line early). */
static void field(ps_buf *b, const char *s)
{
    for (; s && *s; s++) ps_buf_addc(b, (*s == '\t' || *s == '\r' || *s == '\n') ? ' ' : *s);
}

static void line_text(ps_buf *b, char kind, int line, const char *text)
{
    ps_buf_printf(b, "%c\t%d\t", kind, line);
    field(b, text);
    ps_buf_addc(b, '\n');
}

void ps_proto_started(ps_buf *b, int line, const char *text) { line_text(b, 'S', line, text); }
void ps_proto_divergence(ps_buf *b, int line, const char *text) { line_text(b, 'D', line, text); }
void ps_proto_note(ps_buf *b, int line, const char *text) { line_text(b, 'N', line, text); }

void ps_proto_cause(ps_buf *b, const char *text)
{
    ps_buf_adds(b, "C\t");
    field(b, text);
    ps_buf_addc(b, '\n');
}

void ps_proto_output(ps_buf *b, const char *actor, const char *exit, const char *text)
{
    const char *q;
    ps_buf_adds(b, "O\t");
    field(b, actor);
    ps_buf_addc(b, '\t');
    field(b, exit);
    ps_buf_addc(b, '\t');
    for (q = text; q && *q; q++) {
        if (*q == '\\') ps_buf_adds(b, "\\\\");
        else if (*q == '\n') ps_buf_adds(b, "\\n");
        else if (*q == '\t') ps_buf_adds(b, "\\t");
        else if (*q != '\r') ps_buf_addc(b, *q);
    }
    ps_buf_addc(b, '\n');
}

void ps_proto_verdict(ps_buf *b, ps_outcome o, int line, const char *reason)
{
    ps_buf_printf(b, "R\t%s\t%d\t", ps_outcome_name(o), line);
    field(b, reason);
    ps_buf_addc(b, '\n');
}

char *ps_proto_unescape(char *s)
{
    char *q, *d;
    for (q = d = s; *q; q++) {
        if (*q == '\\' && (q[1] == 'n' || q[1] == 't' || q[1] == '\\')) {
            q++;
            *d++ = *q == 'n' ? '\n' : *q == 't' ? '\t' : '\\';
        } else
            *d++ = *q;
    }
    *d = 0;
    return s;
}

void ps_proto_trace(ps_buf *b, const ps_trace_entry *e)
{
    int i;
    ps_buf_printf(b, "T\t{\"line\":%d,\"actor\":", e->line);
    ps_json_str(b, e->actor ? e->actor : "");
    ps_buf_adds(b, ",\"op\":");
    ps_json_str(b, e->op ? e->op : "");
    ps_buf_adds(b, ",\"call\":");
    ps_json_str(b, e->call ? e->call : "");
    ps_buf_printf(b, ",\"t_ms\":%.3f", e->t_ms);
    if (e->timed) {
        char en[64];
        const char *name = ps_error_name(e->error);
        ps_buf_printf(b, ",\"dur_ms\":%.3f,\"ret\":", e->dur_ms);
        ps_json_str(b, e->ret ? e->ret : (e->error ? "FALSE" : "TRUE"));
        if (!name) snprintf(en, sizeof en, "%lu", e->error);
        ps_buf_printf(b, ",\"error\":%lu,\"error_name\":", e->error);
        ps_json_str(b, name ? name : en);
        ps_buf_adds(b, ",\"fields\":{");
        for (i = 0; e->actual && i < e->actual->nfields; i++) {
            if (i) ps_buf_addc(b, ',');
            ps_json_str(b, e->actual->fields[i].key);
            ps_buf_addc(b, ':');
            ps_json_str(b, e->actual->fields[i].value);
        }
        ps_buf_addc(b, '}');
    }
    ps_buf_adds(b, ",\"expected\":");
    ps_json_str(b, e->expected ? e->expected : "ok");
    if (e->wine) {
        ps_buf_adds(b, ",\"wine\":");
        ps_json_str(b, e->wine);
    }
    ps_buf_adds(b, ",\"verdict\":");
    ps_json_str(b, e->verdict ? e->verdict : "ok");
    if (e->note && *e->note) {
        ps_buf_adds(b, ",\"note\":");
        ps_json_str(b, e->note);
    }
    ps_buf_adds(b, "}\n");
}

void ps_proto_end(ps_buf *b, int reusable, const char *reason)
{
    if (reusable) {
        ps_buf_adds(b, "E\treuse\n");
        return;
    }
    ps_buf_adds(b, "E\tretire\t");
    field(b, reason);
    ps_buf_addc(b, '\n');
}
