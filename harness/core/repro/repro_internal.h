/* repro_internal.h: shared by repro.c (the program) and repro_steps.c (the steps). */
#ifndef REPRO_INTERNAL_H
#define REPRO_INTERNAL_H
#include "psutil.h"
#include "scenario.h"
void rp_cstr(ps_buf *b, const char *s);         /* a C string literal, or NULL */
char *rp_short_text(const ps_step *s);          /* the step without its expectation */
void rp_actor_ident(ps_buf *b, const char *name);
/* The function that makes a step's call(s) on its actor's thread; statements have
 * none. Returns -1 with *err set when it cannot be written. */
int rp_emit_step_fn(ps_buf *b, const ps_case *c, const ps_step *s, char **err);
/* Is step i a background step that no await collects? */
int rp_unawaited(const ps_case *c, int i);
/* The winetest-style test function. */
void rp_emit_wt_test(ps_buf *b, const ps_case *c, long timeout_ms);
#endif
