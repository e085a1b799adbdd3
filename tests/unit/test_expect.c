/* The expectation matcher and the outcome rules (XFAIL / XPASS / --strict). */
#include <criterion/criterion.h>
#include <string.h>
#include "expect.h"
#include "scenario.h"

static ps_case *one(const char *step)
{
    char text[1024];
    ps_diag d;
    ps_case *c;
    memset(&d, 0, sizeof d);
    snprintf(text, sizeof text, "case t.x\ntitle T\nref R\n%s\n", step);
    c = ps_parse_case("f.case", text, &d);
    cr_assert_not_null(c, "%s", d.count ? d.msgs[0] : "");
    return c;
}

static ps_actual act(unsigned long err, double ms)
{
    ps_actual a;
    memset(&a, 0, sizeof a);
    a.error = err;
    a.elapsed_ms = ms;
    return a;
}

Test(expect, default_is_ok)
{
    ps_case *c = one("client A open");
    char msg[256];
    ps_actual a = act(0, 1);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_OK);
    a = act(231, 1);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected ok, got ERROR_PIPE_BUSY (231)");
    ps_case_free(c);
}

Test(expect, alternatives_numbers_and_fail)
{
    ps_case *c = one("client A open -> ERROR_PIPE_BUSY|2");
    ps_case *f = one("client A open -> fail");
    char msg[256];
    ps_actual a = act(2, 1);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_OK);
    a = act(5, 1);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected ERROR_PIPE_BUSY (231) or ERROR_FILE_NOT_FOUND (2), got ERROR_ACCESS_DENIED (5)");
    cr_assert_eq(ps_judge(&f->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_OK);
    a = act(0, 1);
    cr_assert_eq(ps_judge(&f->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected any error, got ok");
    ps_case_free(c);
    ps_case_free(f);
}

Test(expect, fields_ranges_and_values)
{
    ps_case *c = one("client A read -> ERROR_MORE_DATA bytes=1..1024 text=abc|def");
    char msg[256];
    ps_actual a = act(234, 1);
    ps_actual_set(&a, "bytes", "%d", 1024);
    ps_actual_set(&a, "text", "def");
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_OK);
    ps_actual_set(&a, "bytes", "%d", 1025);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected bytes=1..1024, got bytes=1025");
    ps_actual_set(&a, "bytes", "%d", 3);
    ps_actual_set(&a, "text", "xyz");
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected text=abc|def, got text=xyz");
    a = act(234, 1); /* no fields reported */
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected bytes=1..1024, got no bytes (the call failed with ERROR_MORE_DATA (234))");
    ps_case_free(c);
}

Test(expect, numbers_compare_by_value)
{
    ps_case *c = one("client A read -> ok bytes=1k");
    char msg[256];
    ps_actual a = act(0, 1);
    ps_actual_set(&a, "bytes", "1024");
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_OK);
    ps_case_free(c);
}

Test(expect, time_window_and_scale)
{
    ps_case *c = one("client A wait -> ERROR_SEM_TIMEOUT after 150ms..600ms");
    char msg[256];
    ps_actual a = act(121, 100);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected it to complete after 150ms..600ms, took 100 ms");
    a = act(121, 900);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 2.0, msg, sizeof msg), PS_V_OK);
    a = act(121, 300);
    cr_assert_eq(ps_judge(&c->steps[0], &a, 0, 0, 1.0, msg, sizeof msg), PS_V_OK);
    ps_case_free(c);
}

Test(expect, wine_divergence_rules)
{
    ps_case *c = one("client A open -> ERROR_BAD_NETPATH wine: ERROR_PATH_NOT_FOUND \"no redirector\"");
    char msg[512];
    ps_actual windows = act(53, 1), wine = act(3, 1), other = act(5, 1);
    /* on Windows the alternative is ignored */
    cr_assert_eq(ps_judge(&c->steps[0], &windows, 0, 0, 1.0, msg, sizeof msg), PS_V_OK);
    cr_assert_eq(ps_judge(&c->steps[0], &wine, 0, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    /* on Wine: the divergence is XFAIL, its absence XPASS, anything else FAIL */
    cr_assert_eq(ps_judge(&c->steps[0], &wine, 1, 0, 1.0, msg, sizeof msg), PS_V_XFAIL);
    cr_assert_str_eq(msg, "known Wine divergence: no redirector (Windows: expected ERROR_BAD_NETPATH (53), got ERROR_PATH_NOT_FOUND (3))");
    cr_assert_eq(ps_judge(&c->steps[0], &windows, 1, 0, 1.0, msg, sizeof msg), PS_V_XPASS);
    cr_assert_eq(ps_judge(&c->steps[0], &other, 1, 0, 1.0, msg, sizeof msg), PS_V_FAIL);
    /* --strict: Windows only */
    cr_assert_eq(ps_judge(&c->steps[0], &wine, 1, 1, 1.0, msg, sizeof msg), PS_V_FAIL);
    cr_assert_str_eq(msg, "expected ERROR_BAD_NETPATH (53), got ERROR_PATH_NOT_FOUND (3) (--strict; known Wine divergence: no redirector)");
    cr_assert_eq(ps_judge(&c->steps[0], &windows, 1, 1, 1.0, msg, sizeof msg), PS_V_OK);
    ps_case_free(c);
}

Test(expect, fold_order)
{
    cr_assert_eq(ps_fold(PS_PASS, PS_V_OK), PS_PASS);
    cr_assert_eq(ps_fold(PS_PASS, PS_V_XFAIL), PS_XFAIL);
    cr_assert_eq(ps_fold(PS_XFAIL, PS_V_OK), PS_XFAIL);
    cr_assert_eq(ps_fold(PS_XFAIL, PS_V_XPASS), PS_XPASS);
    cr_assert_eq(ps_fold(PS_XPASS, PS_V_XFAIL), PS_XPASS);
    cr_assert_eq(ps_fold(PS_XPASS, PS_V_FAIL), PS_FAIL);
    cr_assert_eq(ps_fold(PS_FAIL, PS_V_OK), PS_FAIL);
}

Test(expect, skipped_step_counts_neither_way)
{
    cr_assert_str_eq(ps_verdict_name(PS_V_SKIP), "skip");
    /* a step the platform could not answer leaves the outcome as it was */
    cr_assert_eq(ps_fold(PS_PASS, PS_V_SKIP), PS_PASS);
    cr_assert_eq(ps_fold(PS_XFAIL, PS_V_SKIP), PS_XFAIL);
    cr_assert_eq(ps_fold(PS_XPASS, PS_V_SKIP), PS_XPASS);
    cr_assert_eq(ps_fold(PS_FAIL, PS_V_SKIP), PS_FAIL);
    /* setup steps and skipped checks only: nothing was decided, the case is SKIP */
    cr_assert_eq(ps_case_outcome(ps_fold(ps_fold(PS_PASS, PS_V_OK), PS_V_SKIP), 0, 2), PS_SKIP);
    /* a check was judged besides: the case keeps its outcome */
    cr_assert_eq(ps_case_outcome(PS_PASS, 1, 2), PS_PASS);
    cr_assert_eq(ps_case_outcome(PS_XFAIL, 1, 1), PS_XFAIL);
    cr_assert_eq(ps_case_outcome(PS_XFAIL, 0, 1), PS_XFAIL); /* a divergence happened */
    cr_assert_eq(ps_case_outcome(PS_FAIL, 0, 1), PS_FAIL);
    /* nothing skipped: nothing changes, even in a case without a written expectation */
    cr_assert_eq(ps_case_outcome(PS_PASS, 0, 0), PS_PASS);
    cr_assert_eq(ps_case_outcome(PS_ERROR, 0, 3), PS_ERROR);
}
