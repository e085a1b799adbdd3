/* The case-process protocol: what the encoder (proto.c, used by the case process)
 * writes, the reader (results.c, used by the runner) reads back, whatever the chunking
 * and whatever tabs, newlines and backslashes the texts hold. */
#include <criterion/criterion.h>
#include <string.h>
#include "json.h"
#include "proto.h"
#include "results.h"
#include "trace_fixture.h"

static void feed_in_chunks(ps_child_reader *cr, const char *s, size_t chunk)
{
    size_t n = strlen(s), i;
    for (i = 0; i < n; i += chunk) ps_child_reader_feed(cr, s + i, (unsigned long)(n - i < chunk ? n - i : chunk));
}

Test(proto, every_line_round_trips)
{
    size_t chunk;
    for (chunk = 1; chunk <= 64; chunk *= 4) {
        ps_buf b;
        ps_result r;
        ps_child_reader cr;
        ps_actual act;
        ps_trace_entry e;
        ps_jv trace;
        int line, col;
        fixture_read_entry(&e, &act, "text", "a\ttab \"quoted\" \\ back");
        e.wine = "ok";
        e.verdict = "xfail";
        e.note = "line one\nline two";
        ps_buf_init(&b);
        ps_proto_started(&b, 12, "client A read\tsize=2048");
        ps_proto_trace(&b, &e);
        ps_proto_divergence(&b, 12, "known\tdivergence");
        ps_proto_note(&b, 9, "out=4096 where 1024 was expected");
        ps_proto_cause(&b, "the server's pipe\tis byte-type");
        ps_proto_output(&b, "S", "216", "first line\n\tindented \\ back\\slash\nlast");
        ps_proto_verdict(&b, PS_XFAIL, 12, "known Wine divergence:\nreason");
        ps_proto_end(&b, 0, "actor S was\tstill in its call");
        memset(&r, 0, sizeof r);
        ps_child_reader_init(&cr, &r);
        feed_in_chunks(&cr, b.data, chunk);
        cr_assert(cr.ended && !cr.reusable, "the E line ends the case");
        cr_assert_str_eq(cr.retire, "actor S was still in its call");
        free(cr.retire);
        ps_child_reader_finish(&cr, 0, 0, 1000.0);
        cr_assert_eq(r.outcome, PS_XFAIL);
        cr_assert_eq(r.line, 12);
        cr_assert_str_eq(r.reason, "known Wine divergence: reason");
        cr_assert_str_eq(r.divergences, "12: known divergence\n");
        cr_assert_str_eq(r.notes, "9: out=4096 where 1024 was expected\n");
        cr_assert_str_eq(r.cause, "the server's pipe is byte-type");
        cr_assert_eq(r.noutputs, 1);
        cr_assert_str_eq(r.outputs[0].actor, "S");
        cr_assert_str_eq(r.outputs[0].exit, "216");
        cr_assert_str_eq(r.outputs[0].text, "first line\n\tindented \\ back\\slash\nlast");
        cr_assert_eq(ps_json_parse(r.trace_json, strlen(r.trace_json), &trace, &line, &col), 0, "%s", r.trace_json);
        cr_assert_eq(trace.n, 1);
        cr_assert_str_eq(ps_jv_str(&trace.kids[0], "call"), "ReadFile(A, buf[2048])");
        cr_assert_str_eq(ps_jv_str(&trace.kids[0], "error_name"), "ERROR_MORE_DATA");
        cr_assert_str_eq(ps_jv_str(&trace.kids[0], "note"), "line one\nline two");
        cr_assert_str_eq(ps_jv_str(ps_jv_get(&trace.kids[0], "fields"), "text"), "a\ttab \"quoted\" \\ back");
        ps_jv_free(&trace);
        ps_result_free(&r);
        ps_buf_free(&b);
    }
}

Test(proto, a_started_step_names_a_hang)
{
    ps_buf b;
    ps_result r;
    ps_child_reader cr;
    ps_buf_init(&b);
    ps_proto_started(&b, 7, "server S connect");
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    feed_in_chunks(&cr, b.data, 3);
    ps_child_reader_finish(&cr, 1, 0xDEAD, 1000.0);
    cr_assert_eq(r.outcome, PS_TIMEOUT);
    cr_assert_str_eq(r.reason, "case did not finish within 1000 ms; hung on line 7: server S connect");
    ps_result_free(&r);
    ps_buf_free(&b);
}

Test(proto, the_end_line_says_whether_the_process_goes_on)
{
    ps_buf b;
    ps_result r;
    ps_child_reader cr;
    ps_buf_init(&b);
    ps_proto_verdict(&b, PS_PASS, 0, "");
    memset(&r, 0, sizeof r);
    ps_child_reader_init(&cr, &r);
    ps_child_reader_feed(&cr, b.data, (unsigned long)b.len);
    cr_assert(!cr.ended, "no E line yet: the case is not over");
    ps_buf_free(&b);
    ps_buf_init(&b);
    ps_proto_end(&b, 1, NULL);
    cr_assert_str_eq(b.data, "E\treuse\n");
    ps_child_reader_feed(&cr, b.data, (unsigned long)b.len);
    cr_assert(cr.ended && cr.reusable && !cr.retire);
    ps_child_reader_finish(&cr, 0, 0, 1000.0);
    cr_assert_eq(r.outcome, PS_PASS);
    ps_result_free(&r);
    ps_buf_free(&b);
}
