/* expect.h: matching what a step did against what it should do, and the outcome
 * rules (XFAIL / XPASS / --strict). Portable. */
#ifndef EXPECT_H
#define EXPECT_H
#include "scenario.h"
#include "results.h"
#include <stddef.h>

#define PS_MAX_ACTUAL 16
typedef struct {
    unsigned long error;            /* 0 = the call succeeded */
    int nfields;
    struct { const char *key; char value[96]; } fields[PS_MAX_ACTUAL];
    double elapsed_ms;              /* from the step's start to its completion */
} ps_actual;

void ps_actual_set(ps_actual *a, const char *key, const char *fmt, ...);
const char *ps_actual_get(const ps_actual *a, const char *key);

/* PS_V_SKIP: the platform could not answer the step (the executor says why); it counts
 * neither for nor against the implementation. */
typedef enum { PS_V_OK, PS_V_FAIL, PS_V_XFAIL, PS_V_XPASS, PS_V_SKIP } ps_verdict;
const char *ps_verdict_name(ps_verdict v); /* "ok", "fail", "xfail", "xpass", "skip" */

/* Does a match e? time_scale widens the upper bound of a time window. On a
 * mismatch, why says what differed ("expected ERROR_PIPE_BUSY (231), got ok"). */
int ps_expect_match(const ps_expect *e, const ps_actual *a, double time_scale, char *why,
                    size_t whylen);

/* The advisory fields (~key=value) that differ: 0, or their count with a note such as
 * "out=4096 where 1024 was expected". ps_expect_match ignores them. */
int ps_expect_advisory(const ps_expect *e, const ps_actual *a, char *note, size_t notelen);

/* Judges one step: the Windows expectation (default "ok"), and on Wine its known
 * divergence unless strict. msg gets a full explanation on FAIL/XFAIL/XPASS. */
ps_verdict ps_judge(const ps_step *s, const ps_actual *a, int on_wine, int strict,
                    double time_scale, char *msg, size_t msglen);

/* The same with the divergence that applies here given (w: one of the step's wine
 * clauses, or NULL when none applies or this is not Wine). */
ps_verdict ps_judge_wine(const ps_step *s, const ps_expect *w, const ps_actual *a, int strict,
                         double time_scale, char *msg, size_t msglen);

/* Folds step verdicts into a case outcome: FAIL > XPASS > XFAIL > PASS; a SKIP step
 * leaves the outcome as it was. */
ps_outcome ps_fold(ps_outcome sofar, ps_verdict v);

/* The case's outcome at its end, from its folded outcome, the number of checks judged
 * (steps with a written expectation whose verdict was not a skip) and the number of
 * skipped steps: a case that would PASS but judged no check and skipped a step is SKIP
 * (nothing was decided); otherwise the folded outcome stands. */
ps_outcome ps_case_outcome(ps_outcome folded, int checks, int skipped);
#endif
