/* report.h: the report writers. Portable; each writes one format for a whole run.
 * All return 0 on success, -1 on an I/O error. */
#ifndef REPORT_H
#define REPORT_H
#include "results.h"
#include <stdio.h>

int ps_report_json(FILE *f, const ps_run *run);   /* report.json (schema: docs/report.schema.json) */
int ps_report_junit(FILE *f, const ps_run *run);  /* junit.xml */
int ps_report_tap(FILE *f, const ps_run *run);    /* report.tap, TAP version 14 */
int ps_report_html(FILE *f, const ps_run *run);   /* report.html, self-contained */

/* Console: one line per case as it finishes, and the closing summary. */
void ps_console_case(FILE *f, const ps_result *r, int verbose);
void ps_console_summary(FILE *f, const ps_run *run);

/* Writes all four files into dir (which must exist). Returns 0, or -1 naming the
 * failed file in *failed (static string). */
int ps_report_all(const char *dir, const ps_run *run, const char **failed);
#endif
