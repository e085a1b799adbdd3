/* repro.h: `pipespec repro`: a case as one self-contained C program (Win32 and the C
 * library only) that makes the same calls with the same actors and judges them against
 * the same expectations, or as a test function in the conventions of Wine's
 * conformance tests. Portable: it only writes text from the parsed case. */
#ifndef REPRO_H
#define REPRO_H
#include "scenario.h"

typedef enum { PS_REPRO_PLAIN, PS_REPRO_WINETEST } ps_repro_style;

typedef struct {
    ps_repro_style style;
    const char *command; /* the command that generated it, for the top comment */
} ps_repro_opts;

/* NULL when the case can be exported, else why it cannot (a static string). */
const char *ps_repro_unexportable(const ps_case *c);

/* The external programs the case starts (proc actors), one line each, saying what
 * they must be; NULL when it starts none. malloc'ed. */
char *ps_repro_externals(const ps_case *c);

/* The C source. NULL with *err set (malloc'ed) when it cannot be written (an
 * unexportable case, an expected-output file that cannot be read). malloc'ed. */
char *ps_repro_generate(const ps_case *c, const ps_repro_opts *o, char **err);

/* The lines of the runtime text (harness/core/repro_rt_*.txt, embedded at build time). */
extern const char *const ps_repro_rt_lines[];
#endif
