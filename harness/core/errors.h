/* errors.h: Win32 error names and numbers, as a portable table, so scenarios, the
 * matcher and the reports can say "ERROR_PIPE_BUSY (231)" on any platform. */
#ifndef ERRORS_H
#define ERRORS_H
/* Name of a Win32 error code, or NULL when the table does not know it. */
const char *ps_error_name(unsigned long code);
/* Code of a name ("ERROR_PIPE_BUSY", "WAIT_TIMEOUT", or a decimal/0x number).
 * Returns 0 on success with *code set, -1 when unknown. "ok" is code 0 (ERROR_SUCCESS). */
int ps_error_parse(const char *name, unsigned long *code);
/* "ERROR_PIPE_BUSY (231)" or "error 12345" into buf. */
const char *ps_error_format(unsigned long code, char *buf, unsigned long size);
/* The i-th entry of the table (from 0), or NULL past its end: for listing it. */
const char *ps_error_at(unsigned long i, unsigned long *code);
#endif
