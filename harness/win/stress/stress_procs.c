/* stress_procs.c: the server process of `pipespec stress` (--server reference,
 * --server-cmd): started suspended in the job object with stdout and stderr to NUL,
 * waited for until its pipe answers, restarted and killed; and, for --server-pipe,
 * the process behind a running server's pipe. */
#include "stress_internal.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct server_process server_proc;

static char *replace_all(const char *s, const char *what, const char *with)
{
    ps_buf b;
    const char *p;
    size_t wl = strlen(what);
    ps_buf_init(&b);
    while ((p = strstr(s, what)) != NULL) {
        ps_buf_add(&b, s, (size_t)(p - s));
        ps_buf_adds(&b, with);
        s = p + wl;
    }
    ps_buf_adds(&b, s);
    return ps_buf_steal(&b);
}

int server_proc_start(char *err, size_t errlen)
{
    SECURITY_ATTRIBUTES sa = {sizeof sa, NULL, TRUE};
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    HANDLE nul;
    wchar_t *wcmd;
    double until;
    BOOL ok;
    nul = CreateFileW(L"NUL", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_EXISTING, 0,
                      NULL);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = si.hStdOutput = si.hStdError = nul;
    wcmd = ps_wide(server_proc.cmdline);
    ok = CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, CREATE_SUSPENDED, NULL, NULL, &si, &pi);
    free(wcmd);
    if (nul != INVALID_HANDLE_VALUE) CloseHandle(nul);
    if (!ok) {
        char en[64];
        snprintf(err, errlen, "cannot start the server (%s): %s", server_proc.cmdline,
                 errname(GetLastError(), en, sizeof en));
        return -1;
    }
    AssignProcessToJobObject(stress.job, pi.hProcess);
    cpu_decide(pi.hProcess, pi.dwProcessId); /* the first time: it has not run yet */
    ResumeThread(pi.hThread);
    CloseHandle(pi.hThread);
    server_proc.proc = pi.hProcess;
    server_proc.pid = pi.dwProcessId;
    until = ps_now_ms() + 10000;
    for (;;) {
        DWORD code;
        if (WaitNamedPipeW(stress.pipe_w, 50)) return 0;
        if (GetLastError() == ERROR_SEM_TIMEOUT) return 0; /* there, but busy */
        if (GetExitCodeProcess(server_proc.proc, &code) && code != STILL_ACTIVE) {
            snprintf(err, errlen, "the server exited with code %lu before creating \\\\.\\pipe\\%s (%s)", code,
                     stress.pipe_name, server_proc.cmdline);
            return -1;
        }
        if (ps_now_ms() > until) {
            snprintf(err, errlen, "the server did not create \\\\.\\pipe\\%s within 10 s (%s)", stress.pipe_name,
                     server_proc.cmdline);
            return -1;
        }
        Sleep(10);
    }
}

void server_proc_kill(void)
{
    double c;
    if (!server_proc.proc) return;
    c = cpu_other_ms(server_proc.proc); /* before it ends: afterwards it may not be known */
    TerminateProcess(server_proc.proc, 1);
    WaitForSingleObject(server_proc.proc, 5000);
    if (c >= 0) server_proc.cpu_before += c;
    CloseHandle(server_proc.proc);
    server_proc.proc = NULL;
}

int server_proc_restart(char *err, size_t errlen)
{
    int rc;
    InterlockedIncrement(&stress.shared->gen);
    InterlockedExchange(&stress.shared->restarting, 1);
    server_proc_kill();
    rc = server_proc_start(err, errlen);
    InterlockedExchange(&stress.shared->restarting, 0);
    InterlockedIncrement(&stress.shared->gen);
    return rc;
}

int server_proc_launch(void)
{
    const ps_stress_opts *o = stress.opts;
    char err[400], *cmd;
    if (o->server == PS_SS_REFERENCE) {
        char *exe = ps_sprintf("%s\\reference_server.exe", ps_exe_dir());
        wchar_t *w = ps_wide(exe);
        DWORD attr = GetFileAttributesW(w);
        free(w);
        if (attr == INVALID_FILE_ATTRIBUTES) {
            fprintf(stderr, "pipespec stress: %s is missing (build the Windows half)\n", exe);
            free(exe);
            return -1;
        }
        cmd = ps_sprintf("\"%s\" --pipe {pipe} --clients {clients}", exe);
        free(exe);
    } else cmd = ps_xstrdup(o->server_cmd);
    {
        char *a = replace_all(cmd, "{pipe}", stress.pipe_name);
        char *b2 = replace_all(a, "{clients}", "0");
        server_proc.cmdline = ps_translate_cmdline(b2);
        free(a);
        free(b2);
        free(cmd);
    }
    if (server_proc_start(err, sizeof err)) {
        fprintf(stderr, "pipespec stress: %s\n", err);
        return -1;
    }
    return 0;
}

HANDLE find_server_process(void)
{
    worker tmp;
    HANDLE h, proc = NULL;
    DWORD e;
    const char *call;
    ULONG pid = 0;
    memset(&tmp, 0, sizeof tmp);
    if (client_open_pipe(&tmp, &h, 0, ps_now_ms() + stress.opts->connect_timeout_ms, &e, &call) != 0) return NULL;
    if (GetNamedPipeServerProcessId(h, &pid) && pid)
        proc = OpenProcess(PROCESS_QUERY_INFORMATION | PROCESS_VM_READ | PROCESS_DUP_HANDLE | SYNCHRONIZE, FALSE, pid);
    CloseHandle(h);
    return proc;
}
