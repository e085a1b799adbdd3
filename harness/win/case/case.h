/* case.h: the case process's entry point (harness/win/case/), called by main.c for
 * `pipespec --child FILE` and `--standby`: cases, each in a process that
 * no earlier case has changed. */
#ifndef CASE_H
#define CASE_H
/* Options the parent passes to a case process. */
typedef struct {
    const char *file;         /* the case file */
    const char *pipe;         /* unique short pipe name for {pipe} */
    const char *host;         /* --host, or NULL */
    const char *server_cmd, *client_cmd, *server_pipe;
    int strict;
    double time_scale;
    long timeout_ms;          /* the case's own timeout, already scaled */
} ps_child_opts;

int ps_child_main(const ps_child_opts *o); /* runs one case; returns the exit code */
/* `--standby`: reads cases from stdin (FILE TAB PIPE TAB TIMEOUT_MS LF) and runs them in
 * turn, at most max_cases, while each leaves the process as it found it; after each
 * verdict an E line says whether it goes on (protocol: harness/core/case/proto.h).
 * Returns the exit code (0 at the end of its input). */
int ps_child_serve(const ps_child_opts *base, int max_cases);
#endif
