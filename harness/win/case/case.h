/* case.h: the case process's entry point (harness/win/case/), called by main.c for
 * `pipespec --child FILE` and `--standby`: one case, in its own process. */
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
#endif
