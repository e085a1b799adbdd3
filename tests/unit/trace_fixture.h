/* trace_fixture.h: the read step that the protocol and trace tests both encode (a
 * ReadFile that got ERROR_MORE_DATA with 58 bytes), with one text field of their
 * choice. Included by test_proto.c and test_trace.c. */
#ifndef TRACE_FIXTURE_H
#define TRACE_FIXTURE_H
#include <string.h>
#include "proto.h"

static void fixture_read_entry(ps_trace_entry *e, ps_actual *act, const char *key, const char *text)
{
    memset(act, 0, sizeof *act);
    memset(e, 0, sizeof *e);
    ps_actual_set(act, "bytes", "%d", 58);
    ps_actual_set(act, key, "%s", text);
    e->line = 12;
    e->actor = "A";
    e->op = "read";
    e->call = "ReadFile(A, buf[2048])";
    e->timed = 1;
    e->t_ms = 1.5;
    e->dur_ms = 0.25;
    e->error = 234;
    e->actual = act;
    e->expected = "ERROR_MORE_DATA bytes=58";
}
#endif
