/* case_internal.h: the case process's shared state and helpers (harness/win/case_*.c
 * and exec.c). A case runs in its own process: exec.c drives the script, the actors'
 * threads run the operations of case_pipe.c (pipe ends) and case_proc.c (programs),
 * case_data.c checks what is read against what was written, case_env.c talks to the
 * parent and expands variables. Not used outside the case process. */
#ifndef CASE_INTERNAL_H
#define CASE_INTERNAL_H
#include "platform.h"
#include "case.h"
#include "errors.h"
#include "expect.h"
#include "results.h"
#include "scenario.h"
#include "proto.h"
#include "acl.h"
#include <sddl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The most data one write, transact or call generates (and keeps a copy of). */
#define PS_MAX_WRITE (256UL * 1024 * 1024)

/* One message written to an actor by its peer, for checking what it reads. */
typedef struct msg {
    struct msg *next;
    size_t len, off;
    unsigned char *data;
    long id;
} msg;

/* One overlapped call: its own OVERLAPPED, event and buffers, alive until the call
 * has completed and `result` collected it (a second call on the same actor gets a
 * second one, so the platform never writes into a freed or reused block). */
typedef struct ov_call {
    struct ov_call *next;
    OVERLAPPED ov;
    const char *op;        /* "read", "write", "transact", "connect" */
    unsigned char *out;    /* what a read or transact reads into, owned */
    unsigned char *in;     /* what a write or transact sends, owned */
    long msg;              /* the expected-data message of a write or transact */
    DWORD got;             /* bytes of `out` already checked */
    int line;              /* the step that made the call */
} ov_call;

typedef struct actor {
    char name[64];
    ps_role role;
    HANDLE h;
    HANDLE thread, go, done;
    const ps_step *step;   /* the step being run */
    int busy;              /* posted and not yet collected */
    int bg;                /* the current step is a background one */
    ps_actual act;
    char call[512];
    char ret[32];
    char data_error[256];
    char skip_reason[256]; /* set by an op the platform could not answer: the step is SKIP */
    char harness_error[300]; /* "harness: ...": the harness could not do the step (ERROR) */
    ps_outcome stop_outcome; /* with stop_reason: end the case so (SKIP: cannot be decided here) */
    char stop_reason[300];
    volatile LONG entered;   /* the step's platform call has been entered (see cp_begin_call) */
    volatile LONG quit;      /* the case is over: the thread returns (case_serve.c) */
    double t_entered;
    double t0, t1;
    int read_message;      /* tracked read mode, for boundary checks */
    int nowait;
    int is_server;
    LONG listen_seq;   /* when this instance started listening; 0 = not listening */
    struct actor *peer;
    msg *in_head, *in_tail;  /* what the peer wrote and this end has not read yet */
    /* overlapped calls not yet collected, oldest first, and the last one collected
     * (a second `result` asks the platform about it again) */
    ov_call *ov_head, *ov_tail, *ov_done;
    int overlapped_handle;
    char base[320];        /* the pipe's name after \pipe\, lower case: pairs ends */
    /* proc */
    PROCESS_INFORMATION pi;
    HANDLE out_rd, out_thread, out_event;
    CRITICAL_SECTION out_lock;
    ps_buf out;
    int started;
    int serving; /* started by serve: checked for a crash when the case ends */
    int under_test; /* the program under test ({server_cmd}, {client_cmd}, serve) */
    double t_exited; /* when the script first saw it gone (0: not yet) */
    char note[400];  /* what a FAIL of this step should also say about the program */
} actor;

struct case_state {
    const ps_child_opts *o;
    ps_case *c;
    actor *actors[PS_MAX_ACTORS];
    int nactors;
    double t_case;
    double deadline;
    volatile LONG seq;
    volatile LONG write_count;
    CRITICAL_SECTION qlock; /* every queue of expected data, and the pairing */
    long next_msg;
    CRITICAL_SECTION out_lock;
    HANDLE out;
    ps_outcome outcome;
    int decided_line;
    char reason[1024];
    char *srcdir;
    int on_wine;
    const char *wine_version; /* "8.0", NULL when not Wine */
    int clients; /* {clients} while a serve step expands the server command */
    int checks;  /* judged steps with a written expectation (skipped ones excluded) */
    int skipped; /* steps the platform could not answer (verdict "skip") */
    int skip_line;
    char skip_reason[256]; /* the first skipped step's reason */
};
extern struct case_state the_case;

/* Describes the call an actor is making, for the trace. */
#define CALL(...) snprintf(a->call, sizeof a->call, __VA_ARGS__)

/* exec.c: what the harness itself could not do ends the case as ERROR "harness: ..."
 * when the step is judged; it never counts as the platform's result. */
void cp_harness_fault(actor *a, const char *fmt, ...);
void *cp_try_alloc(actor *a, size_t n, const char *what); /* NULL + harness fault */
const char *cp_missing_op(void); /* an op of the language the executor lacks, or NULL */
/* Marks the moment the step's platform call starts (for `pending`), and poisons the
 * last error as Wine's tests do. Call it right before the measured call. */
void cp_begin_call(actor *a);
DWORD cp_step_limit(DWORD ms); /* a step's own limit, scaled, ending before the case's */
/* case_env.c: the protocol to the parent (results.h), variables and step arguments */
void cp_emit(const char *s);
void cp_clean_tabs(char *s);
void cp_finish(ps_outcome o, int line, const char *reason); /* never returns */
char *cp_expand(const char *s);
wchar_t *cp_pipe_name(const ps_step *s, int client_side);
unsigned long long cp_size_arg(const ps_step *s, const char *key, unsigned long long def);
int cp_bool_arg(const ps_step *s, const char *key);
DWORD cp_ms_arg(const ps_step *s, const char *key, DWORD def);
/* case_data.c: data written, and the check of what is read (see docs/LANGUAGE.md) */
unsigned char *cp_make_data(actor *a, const ps_step *s, const char *sizekey, DWORD *len); /* NULL: harness fault */
long cp_queue_to_peer(actor *a, const unsigned char *data, size_t len);
void cp_settle(actor *a, long id, size_t written);
void cp_clear_queue_locked(actor *a);
void cp_disconnected(actor *a); /* a server end disconnected: queues cleared, pair undone */
void cp_check_read(actor *a, const unsigned char *buf, size_t n, int complete);
void cp_set_text_field(actor *a, const unsigned char *buf, DWORD n);
/* case_pipe.c: pipe operations, one Win32 call each; they fill a->act, a->call, a->ret */
void cp_set_bool_result(actor *a, BOOL ok);
actor *cp_find_actor(const char *name);
/* Pairs a client end with the server end of its pipe that started listening first. */
void cp_pair_client(actor *a);
void op_create(actor *a, const ps_step *s);
void op_connect(actor *a, const ps_step *s);
void op_open(actor *a, const ps_step *s);
void op_wait(actor *a, const ps_step *s);
void op_call(actor *a, const ps_step *s);
void op_mode(actor *a, const ps_step *s);
void op_state(actor *a, const ps_step *s);
void op_info(actor *a, const ps_step *s);
void op_write(actor *a, const ps_step *s);
void op_read(actor *a, const ps_step *s);
void op_peek(actor *a, const ps_step *s);
/* case_win32.c: the client's token for impersonation, granted access, anonymous pipes */
void op_settoken(actor *a, const ps_step *s);
void op_privileges(actor *a, const ps_step *s);
void op_access(actor *a, const ps_step *s);
void op_anon(actor *a, const ps_step *s);
void op_transact(actor *a, const ps_step *s);
void op_result(actor *a, const ps_step *s);
/* GetOverlappedResult on one call, its data checked; collected when complete (case_pipe.c) */
void cp_collect_call(actor *a, ov_call *c, int again, BOOL wait);
void op_close(actor *a, const ps_step *s);
void op_disconnect(actor *a, const ps_step *s);
void op_token(actor *a, const ps_step *s);
void op_pid(actor *a, const ps_step *s);
/* case_proc.c: external programs */
void op_start(actor *a, const ps_step *s);
void op_waitpipe(actor *a, const ps_step *s);
void op_serve(actor *a, const ps_step *s);
void op_exit(actor *a, const ps_step *s);
void op_kill(actor *a, const ps_step *s);
void op_output(actor *a, const ps_step *s);
void op_waitline(actor *a, const ps_step *s);
/* The last `lines` lines of a program's output (at most max bytes), malloc'ed. */
char *cp_output_tail(actor *a, int lines, size_t max);
/* "the client under test (C) exited with code 216 after 40 ms; its output ends: ..."
 * when program a has exited, else NULL. */
char *cp_program_exit_note(actor *a);
/* Sends the captured output of every program the case started to the parent. */
void cp_emit_outputs(void);
/* case_serve.c: a case process that runs cases in turn, and the check after each
 * case that decides whether it can run another honestly (see docs/DESIGN.md). */
int cp_serving(void);
/* Marks the process as changed by this case in a way the next case would see (the
 * process token, an APC left queued...): it ends after this case. */
void cp_taint(const char *fmt, ...);
/* Called by cp_finish after the verdict: returns only when the process must end. */
void cp_end_case(void);
/* Per-module state of one case, checked and reset between cases. */
int cp_ntio_idle(int *line);  /* no NT call pending (else its line) */
void cp_ntio_reset(void);
void cp_iocp_reset(void);
int cp_apc_idle(void);  /* no ReadFileEx/WriteFileEx routine still to run */
void cp_apc_reset(void);
/* case_audit.c */
void op_audit(actor *a, const ps_step *s);
/* case_iocp.c: completion ports, a chosen overlapped call, helper processes */
void op_port(actor *a, const ps_step *s);
void op_dequeue(actor *a, const ps_step *s);
void op_collect(actor *a, const ps_step *s);
void op_ovstate(actor *a, const ps_step *s);
void op_helper(actor *a, const ps_step *s);
/* cancelio and apc: run from the script thread on a record `rec` of actor a (rec->call,
 * and rec->harness_error when the harness cannot do it); returns the call's BOOL with
 * the last error set. */
BOOL cp_script_thread_op(actor *rec, actor *a, const ps_step *s);
BOOL cp_apc_queue(actor *rec, actor *a);
/* case_apc.c: completion routines and APCs */
void op_readex(actor *a, const ps_step *s);
void op_writeex(actor *a, const ps_step *s);
void op_sleepex(actor *a, const ps_step *s);
void op_resultex(actor *a, const ps_step *s);
/* case_nt.c, case_ntio.c, case_ntinfo.c: the NT layer (see case_nt.h) */
void op_ntcreate(actor *a, const ps_step *s);
void op_ntopen(actor *a, const ps_step *s);
void op_ntdir(actor *a, const ps_step *s);
void op_wincreate(actor *a, const ps_step *s);
void op_fsctl(actor *a, const ps_step *s);
void op_ntread(actor *a, const ps_step *s);
void op_ntwrite(actor *a, const ps_step *s);
void op_ntresult(actor *a, const ps_step *s);
void op_ntquery(actor *a, const ps_step *s);
void op_ntset(actor *a, const ps_step *s);
void op_secquery(actor *a, const ps_step *s);
void op_secset(actor *a, const ps_step *s);
#endif
