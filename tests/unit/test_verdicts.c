/* Verdicts a user can stake a bug report on (issue 9): the parent trusts a case
 * process's verdict only when it then exits cleanly, a SKIP must say why, and the
 * harness's own wait results never pass for a platform error. */
#include <criterion/criterion.h>
#include <string.h>
#include "errors.h"
#include "expect.h"
#include "results.h"
#include "scenario.h"

static void read_child(ps_result *r, const char *out, unsigned long exit_code)
{
    ps_child_reader cr;
    memset(r, 0, sizeof *r);
    ps_child_reader_init(&cr, r);
    ps_child_reader_feed(&cr, out, (unsigned long)strlen(out));
    ps_child_reader_finish(&cr, 0, exit_code, 1000.0);
}

Test(verdicts, a_verdict_counts_only_with_exit_code_0)
{
    ps_result r;
    read_child(&r, "S\t5\tclient A open\nR\tPASS\t0\t\n", 0);
    cr_assert_eq(r.outcome, PS_PASS);
    ps_result_free(&r);
    /* printed PASS, then crashed: the old reader kept PASS */
    read_child(&r, "S\t5\tclient A open\nR\tPASS\t0\t\n", 0xC0000005UL);
    cr_assert_eq(r.outcome, PS_ERROR);
    cr_assert_str_eq(r.reason, "harness: the case process reported PASS and then exited with exception 0xC0000005");
    ps_result_free(&r);
    read_child(&r, "R\tFAIL\t7\tclient A open: expected ok, got ERROR_PIPE_BUSY (231)\n", 3);
    cr_assert_eq(r.outcome, PS_ERROR);
    cr_assert_str_eq(r.reason, "harness: the case process reported FAIL (client A open: expected ok, got ERROR_PIPE_BUSY (231)) and then exited with code 0x00000003");
    ps_result_free(&r);
}

Test(verdicts, a_skip_without_a_reason_is_a_harness_error)
{
    ps_result r;
    read_child(&r, "R\tSKIP\t0\t\n", 0);
    cr_assert_eq(r.outcome, PS_ERROR);
    cr_assert(strncmp(r.reason, "harness: SKIP without a reason", 30) == 0, "%s", r.reason);
    ps_result_free(&r);
    read_child(&r, "R\tSKIP\t0\tneeds a second machine\n", 0);
    cr_assert_eq(r.outcome, PS_SKIP);
    ps_result_free(&r);
}

Test(verdicts, fail_accepts_platform_errors_only)
{
    ps_diag d;
    ps_case *c;
    ps_actual a;
    char why[256];
    memset(&d, 0, sizeof d);
    c = ps_parse_case("v.case", "case v.x\ntitle t\nref r\nproc P waitline text=x -> fail\n", &d);
    cr_assert_not_null(c);
    memset(&a, 0, sizeof a);
    a.error = 258; /* WAIT_TIMEOUT from a real wait */
    cr_assert_eq(ps_expect_match(&c->steps[0].expect, &a, 1.0, why, sizeof why), 1);
    a.error = PS_NO_LINE; /* the harness's own wait: not a platform error */
    cr_assert_eq(ps_expect_match(&c->steps[0].expect, &a, 1.0, why, sizeof why), 0);
    cr_assert_str_eq(why, "expected any error, got PS_NO_LINE (the text did not appear in the program's output in time)");
    ps_case_free(c);
}
