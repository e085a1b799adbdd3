/* report_internal.h: helpers the report writers share (report_all.c, and
 * ps_rep_json_build in report_json.c). Not for use outside harness/core/report_*.c. */
#ifndef REPORT_INTERNAL_H
#define REPORT_INTERNAL_H
#include "psutil.h"
#include "results.h"
#include <stdio.h>

void ps_rep_json_str(ps_buf *b, const char *s);       /* a JSON string of repaired UTF-8 */
void ps_rep_xml(ps_buf *b, const char *s, int attr);  /* XML text or attribute value */
void ps_rep_flat(ps_buf *b, const char *s);           /* one line: control chars as blanks */
void ps_rep_counts(const ps_run *run, int counts[PS_OUTCOME_COUNT]); /* from the cases */
char *ps_rep_topic(const ps_result *r);               /* topic, or the id's first part */
void ps_rep_case_name(ps_buf *b, const ps_result *r, const char *sep); /* "id", "id #2" */
/* one line per trace step (and one if it was cut off); returns the number of steps */
int ps_rep_trace_lines(ps_buf *b, const ps_trace *t, const char *indent);
int ps_rep_write(FILE *f, ps_buf *b);                 /* writes and frees b; 0 or -1 */
void ps_rep_json_build(ps_buf *b, const ps_run *run); /* report.json's text */
#endif
