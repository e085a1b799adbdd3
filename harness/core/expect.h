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

typedef enum { PS_V_OK, PS_V_FAIL, PS_V_XFAIL, PS_V_XPASS } ps_verdict;
const char *ps_verdict_name(ps_verdict v); /* "ok", "fail", "xfail", "xpass" */

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

/* Folds step verdicts into a case outcome: FAIL > XPASS > XFAIL > PASS. */
ps_outcome ps_fold(ps_outcome sofar, ps_verdict v);
#endif
