/* proto.c: the case-process protocol's encoder (see proto.h). */
#include "proto.h"
#include "errors.h"
#include "trace.h"
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

/* The entry as a trace step (trace.h owns the format): its strings borrowed, its
 * fields listed in fields[] (room for PS_MAX_ACTUAL). */
static void entry_step(const ps_trace_entry *e, ps_trace_step *s, ps_trace_field *fields, char *en,
                       size_t enlen)
{
    int i;
    memset(s, 0, sizeof *s);
    s->has_line = 1;
    s->line = e->line;
    s->actor = (char *)(e->actor ? e->actor : "");
    s->op = (char *)(e->op ? e->op : "");
    s->call = (char *)(e->call ? e->call : "");
    s->has_t_ms = 1;
    s->t_ms = e->t_ms;
    if (e->timed) {
        const char *name = ps_error_name(e->error);
        s->has_dur_ms = s->has_error = s->has_fields = 1;
        s->dur_ms = e->dur_ms;
        s->ret = (char *)(e->ret ? e->ret : (e->error ? "FALSE" : "TRUE"));
        s->error = e->error;
        if (!name) snprintf(en, enlen, "%lu", e->error);
        s->error_name = name ? (char *)name : en;
        for (i = 0; e->actual && i < e->actual->nfields; i++) {
            fields[i].key = (char *)e->actual->fields[i].key;
            fields[i].text = (char *)e->actual->fields[i].value;
            fields[i].json = NULL;
        }
        s->fields = fields;
        s->nfields = i;
    }
    s->expected = (char *)(e->expected ? e->expected : "ok");
    s->wine = (char *)e->wine;
    s->verdict = (char *)(e->verdict ? e->verdict : "ok");
    s->note = e->note && *e->note ? (char *)e->note : NULL;
}

void ps_proto_trace(ps_buf *b, const ps_trace_entry *e)
{
    ps_trace_step s;
    ps_trace_field fields[PS_MAX_ACTUAL];
    char en[32];
    entry_step(e, &s, fields, en, sizeof en);
    ps_buf_adds(b, "T\t");
    ps_trace_step_encode(b, &s);
    ps_buf_addc(b, '\n');
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
