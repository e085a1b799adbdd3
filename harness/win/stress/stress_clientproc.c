/* stress_clientproc.c: client processes of `pipespec stress` (--processes): this
 * program again with --worker, started with the load's options, in the job object;
 * each writes its round on stdout (ps_round_write), which is read here and merged. */
#include "stress_internal.h"
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static DWORD WINAPI child_reader(LPVOID p)
{
    child *c = p;
    char buf[4096];
    DWORD n;
    while (ReadFile(c->out, buf, sizeof buf, &n, NULL) && n > 0) ps_buf_add(&c->text, buf, n);
    return 0;
}

static void add_arg(ps_buf *b, const char *s)
{
    ps_buf_addc(b, ' ');
    ps_quote_arg(b, s);
}

/* A number (printf format) as one more argument. */
static void add_num(ps_buf *b, const char *fmt, ...)
{
    char num[64];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(num, sizeof num, fmt, ap);
    va_end(ap);
    add_arg(b, num);
}

/* The command line of client process `index`: this program again with --worker and
 * every option that shapes the load (the rest is the harness's business). */
static void worker_cmdline(ps_buf *cmd, int index, int clients, double t0)
{
    const ps_stress_opts *o = stress.opts;
    char sizes[300];
    wchar_t exe[MAX_PATH * 2];
    char *u;
    GetModuleFileNameW(NULL, exe, MAX_PATH * 2);
    u = ps_utf8(exe);
    ps_buf_init(cmd);
    add_arg(cmd, u);
    memmove(cmd->data, cmd->data + 1, cmd->len--); /* no space before the program */
    free(u);
    ps_buf_adds(cmd, " stress --no-progress --quiet --worker");
    add_num(cmd, "%d", index);
    ps_buf_adds(cmd, " --processes");
    add_num(cmd, "%d", o->processes);
    ps_buf_adds(cmd, " --server-pipe");
    add_arg(cmd, stress.pipe_name);
    ps_buf_adds(cmd, o->proto == PS_SP_SAMPLE ? " --protocol sample" : " --protocol builtin");
    ps_buf_adds(cmd, " --clients");
    add_num(cmd, "%d", clients);
    if (o->connections) {
        ps_buf_adds(cmd, " --connections");
        add_num(cmd, "%d", o->connections);
    }
    if (o->requests) {
        ps_buf_adds(cmd, " --requests");
        add_num(cmd, "%" PRIu64, o->requests);
    } else {
        ps_buf_adds(cmd, " --duration");
        add_num(cmd, "%.3f", o->duration_s);
    }
    if (o->rate > 0) {
        ps_buf_adds(cmd, " --rate");
        add_num(cmd, "%.6f", o->rate);
        ps_buf_adds(cmd, " --burst");
        add_num(cmd, "%.3f", o->burst);
    }
    ps_sizemix_format(&o->sizes, sizes, sizeof sizes);
    ps_buf_adds(cmd, " --size");
    add_arg(cmd, sizes);
    ps_buf_adds(cmd, o->stream ? " --mode stream" : " --mode reqresp");
    ps_buf_adds(cmd, o->byte_mode ? " --type byte" : " --type message");
    ps_buf_adds(cmd, o->churn ? " --churn" : " --persistent");
    ps_buf_adds(cmd, " --fault-mid-message");
    add_num(cmd, "%.9f", o->p_mid);
    ps_buf_adds(cmd, " --fault-connect-leave");
    add_num(cmd, "%.9f", o->p_leave);
    ps_buf_adds(cmd, " --slow-reader");
    add_num(cmd, "%.9f", o->p_slow);
    ps_buf_adds(cmd, " --slow-ms");
    add_num(cmd, "%.3f", o->slow_ms);
    ps_buf_adds(cmd, " --seed");
    add_num(cmd, "%" PRIu64, o->seed);
    ps_buf_adds(cmd, " --wait-ms");
    add_num(cmd, "%.3f", o->wait_ms);
    ps_buf_adds(cmd, " --connect-timeout");
    add_num(cmd, "%.3f", o->connect_timeout_ms);
    ps_buf_adds(cmd, " --request-timeout");
    add_num(cmd, "%.3f", o->request_timeout_ms);
    ps_buf_adds(cmd, " --t0");
    add_num(cmd, "%.6f", t0);
    ps_buf_adds(cmd, " --shared");
    add_arg(cmd, stress.shared_name);
}

int child_start(child *c, int index, int clients, double t0, char *err, size_t errlen)
{
    ps_buf cmd;
    wchar_t *wcmd;
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE wr;
    BOOL ok;
    worker_cmdline(&cmd, index, clients, t0);
    memset(c, 0, sizeof *c);
    ps_buf_init(&c->text);
    if (!CreatePipe(&c->out, &wr, &sa, 0)) {
        ps_buf_free(&cmd);
        snprintf(err, errlen, "CreatePipe failed");
        return -1;
    }
    SetHandleInformation(c->out, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = NULL;
    si.hStdOutput = wr;
    si.hStdError = GetStdHandle(STD_ERROR_HANDLE);
    wcmd = ps_wide(cmd.data);
    ok = CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    free(wcmd);
    CloseHandle(wr);
    if (!ok) {
        char en[64];
        snprintf(err, errlen, "cannot start client process %d: %s", index, errname(GetLastError(), en, sizeof en));
        ps_buf_free(&cmd);
        CloseHandle(c->out);
        return -1;
    }
    ps_buf_free(&cmd);
    AssignProcessToJobObject(stress.job, pi.hProcess);
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    c->proc = pi.hProcess;
    c->reader = CreateThread(NULL, THREAD_STACK, child_reader, c, STACK_SIZE_PARAM_IS_A_RESERVATION, NULL);
    return 0;
}

void children_collect(ps_round *r, child *kids, int nproc)
{
    double b = 1e300, e = 0;
    int i;
    for (i = 0; i < nproc; i++) {
        ps_round kr;
        DWORD code = 0;
        if (kids[i].proc) {
            WaitForSingleObject(kids[i].reader, 10000);
            CloseHandle(kids[i].reader);
            CloseHandle(kids[i].out);
            GetExitCodeProcess(kids[i].proc, &code);
            CloseHandle(kids[i].proc);
        }
        if (ps_round_read(&kr, kids[i].text.data) == 0) {
            ps_round_merge(r, &kr);
            if (kr.t_begin_ms < b) b = kr.t_begin_ms;
            if (kr.t_begin_ms + kr.wall_ms > e) e = kr.t_begin_ms + kr.wall_ms;
            ps_round_free(&kr);
        } else {
            /* no result: one failed request, so the run cannot pass */
            r->c.ops++;
            r->c.sent++;
            r->c.errors++;
            ps_errmap_add(&r->c.errs, "CLIENT_PROCESS_FAILED", 1, 0);
            EnterCriticalSection(&live_round.lock);
            ps_round_incident(r, "a client process gave no result");
            LeaveCriticalSection(&live_round.lock);
            fprintf(stderr, "pipespec stress: client process %d ended with code %lu and no result\n", i, code);
        }
        ps_buf_free(&kids[i].text);
    }
    r->wall_ms = e > b ? e - b : 0;
    r->t_begin_ms = b < 1e300 ? b : 0;
    r->mem_before = r->mem_connected = -1;
}
