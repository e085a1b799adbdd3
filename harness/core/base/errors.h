/* errors.h: Win32 error names and numbers, as a portable table, so scenarios, the
 * matcher and the reports can say "ERROR_PIPE_BUSY (231)" on any platform. */
#ifndef ERRORS_H
#define ERRORS_H
/* Results of the harness's own waits on a program under test (no Win32 call returns
 * them). Win32 leaves bit 29 of an error code to applications, so they never clash with
 * a system error, and `fail` ("any error of the call") does not accept them. */
#define PS_RESULT_BIT 0x20000000UL
#define PS_NO_PIPE 0x20000001UL        /* the program's pipe did not appear in time */
#define PS_PROGRAM_EXITED 0x20000002UL /* the program ended before its pipe appeared */
#define PS_NO_LINE 0x20000003UL        /* the text did not appear in the program's output */

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
