/* trace.h: a case's trace, the one owner of its JSON format: the encoder (the case
 * process writes each entry with it, through ps_proto_trace) and the decoder (the
 * runner and the reports read a trace with it, once per result: ps_result_trace).
 * Portable.
 *
 * A trace is a JSON array of entries, one per executed step, in the order they ran.
 * An entry, with its members in the order the encoder writes them:
 *   "line":12                 the step's line in the case file (0: the account of a
 *                             server under test at the end of the case)
 *   "actor":"A", "op":"read"  who ran the step, and its op
 *   "call":"ReadFile(A, ...)" the call as made
 *   "t_ms":1.234              when it started, in ms from the case's start
 *   "dur_ms":0.500            these five only for a step that made a call: how long
 *   "ret":"FALSE"             it took, what it returned, its error code, the code's
 *   "error":234               name (the code in digits when it has none) and what
 *   "error_name":"ERROR_MORE_DATA"   it reported (each value a string)
 *   "fields":{"bytes":"1024"}
 *   "expected":"ERROR_MORE_DATA bytes=1024"   the expectation as written ("ok")
 *   "wine":"..."              the divergence that applies here, if any
 *   "verdict":"ok"            ok fail xfail xpass skip error started pending
 *   "note":"..."              if any
 * Numbers have 3 decimals (t_ms, dur_ms) or none (line, error).
 * A reader takes what it knows: a member that is absent, null or of another type than
 * the above counts as absent; members it does not know are kept in the entry's
 * source text (ps_trace_step.src) and nowhere else.
 *
 * A case process killed in the middle of writing an entry leaves the trace cut off:
 * the decoder keeps the entries before the first fault (any entry that is not an
 * object is dropped) and sets `salvaged`, so a report can say that the rest was left
 * out instead of failing. */
#ifndef TRACE_H
#define TRACE_H
#include "psutil.h"

typedef struct {
    char *key;
    char *text; /* the value: a string decoded; any other value as its JSON text */
    char *json; /* the value's JSON text as read ("\"1024\"", 5, [1,2]); NULL in an entry
                 * built in memory, where the value is the string `text` */
} ps_trace_field;

typedef struct {
    int has_line, has_t_ms, has_dur_ms, has_error, has_fields; /* the numbers and fields
                                                                  that are present */
    int line;
    char *actor, *op, *call;    /* NULL when absent */
    double t_ms, dur_ms;
    char *ret;                  /* "TRUE", "FALSE", "handle", ... */
    unsigned long error;        /* a Windows error code or NTSTATUS (32 bits) */
    char *error_name;
    ps_trace_field *fields;
    int nfields;
    char *expected, *wine, *verdict, *note;
    char *src; /* a decoded entry: its JSON text as read (UTF-8 repaired), unknown members
                * and the spelling of its numbers included; NULL for an entry built in
                * memory */
} ps_trace_step;

typedef struct ps_trace {
    ps_trace_step *steps;
    int n;
    int salvaged; /* the text was no valid JSON array of objects: steps holds what was */
} ps_trace;

/* Appends one entry as JSON (no newline), from its typed members (src is not used):
 * members in the order above, the absent ones left out, numbers independent of the C
 * locale, strings escaped by ps_json_str. */
void ps_trace_step_encode(ps_buf *b, const ps_trace_step *s);
/* Appends the whole trace as a JSON array: each decoded entry as its source text (so a
 * report reproduces the trace it was given, byte for byte), each other one encoded. */
void ps_trace_encode(ps_buf *b, const ps_trace *t);

/* Decodes a trace's JSON text (NULL counts as "[]"); invalid UTF-8 is repaired first.
 * Never fails: see `salvaged`. The result is malloc'ed; free it with ps_trace_free. */
ps_trace *ps_trace_decode(const char *json);
void ps_trace_free(ps_trace *t);
void ps_trace_step_free(ps_trace_step *s); /* the members of a decoded step */
/* A field's value by key, as text (see ps_trace_field); NULL when absent. */
const ps_trace_field *ps_trace_field_get(const ps_trace_step *s, const char *key);
#endif
