/* proto.h: the case-process protocol, with its one encoder (used by the case process)
 * and the escaping its decoder (ps_child_reader in results.c) undoes. Portable. The
 * JSON of a T line is a trace entry, whose format trace.h owns (ps_proto_trace encodes
 * it with ps_trace_step_encode; the runner decodes the collected trace once, with
 * ps_result_trace).
 *
 * A case process writes lines to its stdout, fields separated by tabs; no field holds a
 * tab, CR or LF (the encoders replace them with spaces, or escape them in O's text):
 *   S<TAB>line<TAB>text              a step is starting (so a hang can name it)
 *   T<TAB>{json}                     a trace entry (see ps_trace_entry), appended to the trace
 *   D<TAB>line<TAB>text              a divergence note (an XFAIL/XPASS step)
 *   N<TAB>line<TAB>text              an advisory difference (~key=value): a note
 *   C<TAB>text                       what a FAIL means for the program under test
 *   O<TAB>actor<TAB>exit<TAB>text    what a program printed (\\ \n \t escaped)
 *   R<TAB>OUTCOME<TAB>line<TAB>reason   the verdict; it counts only when the process
 *                                    then says E, or exits with code 0
 *   E<TAB>reuse                      after R: the process is clean and reads its next case
 *   E<TAB>retire<TAB>reason          after R: it is not provably clean and ends (case_serve.c)
 * Anything else is ignored. */
#ifndef PROTO_H
#define PROTO_H
#include "expect.h"
#include "psutil.h"
#include "results.h"

typedef struct {
    int line;
    const char *actor, *op, *call;
    int timed;               /* t_ms/dur_ms/ret/error/fields are present */
    double t_ms, dur_ms;     /* from the case's start; the call's duration (3 decimals,
                              * whatever the C locale; NaN is written as 0) */
    const char *ret;         /* "TRUE", "handle", ... */
    unsigned long error;     /* its name is looked up (ps_error_name), or its digits */
    const ps_actual *actual; /* fields, or NULL */
    const char *expected;    /* the Windows expectation as written ("ok" if none) */
    const char *wine;        /* the divergence that applies here, or NULL */
    const char *verdict;     /* ok fail xfail xpass skip error started pending */
    const char *note;        /* or NULL */
} ps_trace_entry;

void ps_proto_started(ps_buf *b, int line, const char *text);
void ps_proto_trace(ps_buf *b, const ps_trace_entry *e);
void ps_proto_divergence(ps_buf *b, int line, const char *text);
void ps_proto_note(ps_buf *b, int line, const char *text);
void ps_proto_cause(ps_buf *b, const char *text);
void ps_proto_output(ps_buf *b, const char *actor, const char *exit, const char *text);
void ps_proto_verdict(ps_buf *b, ps_outcome o, int line, const char *reason);
/* After the verdict: whether the case process reads another case, or why it ends. */
void ps_proto_end(ps_buf *b, int reusable, const char *reason);
/* Undoes O's escaping in place (\\ \n \t); returns s. */
char *ps_proto_unescape(char *s);
#endif
