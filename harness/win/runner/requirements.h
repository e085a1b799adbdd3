/* requirements.h: the platform probes behind `requires` and --host (run once, before
 * any worker), and the check of a case's requirements against their results. */
#ifndef REQUIREMENTS_H
#define REQUIREMENTS_H
#include "cli.h"
#include "scenario.h"
#include <stddef.h>
/* Runs the probes the selected cases need (and --host's), on the calling thread. */
void ps_probe_requirements(const ps_case *const *sel, int nsel, const ps_options *o);
/* 0 when every requirement holds, else 1 with the SKIP reason (or "harness: ...") in
 * why. Reads the probes' results only: safe on any worker thread. */
int ps_unmet(const ps_case *c, const ps_options *o, char *why, size_t whylen);
/* Is the word w (n bytes) in the space-separated list? */
int ps_has_word(const char *list, const char *w, size_t n);
#endif
