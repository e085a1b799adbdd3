/* case_win32.c: Win32 operations around the pipe ends that the core ops do not make:
 * the client's own token for impersonation tests (settoken, privileges), the access
 * granted to a handle (access), and anonymous pipes (anon). One platform call (or
 * one short sequence, named in the trace) each, on the actor's thread. */
#include "case_internal.h"

/* The process token's privileges as they were before `privileges of=process
 * do=disable`, for `do=restore` (WT named_pipe_client_func saves and restores them the
 * same way). A case runs in its own process, so the change ends with it. */
static TOKEN_PRIVILEGES *saved_process_privs;

/* WT test_impersonation runs only when the process token has a privilege enabled:
 * otherwise disabling them changes nothing a token check could see. Returns 0 after
 * ending the step as SKIP with the reason. */
static int w32_privileges_usable(actor *a)
{
    HANDLE tok;
    TOKEN_PRIVILEGES *tp;
    DWORD n = 0, i;
    int any = 0;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) return 1; /* the op reports it */
    GetTokenInformation(tok, TokenPrivileges, NULL, 0, &n);
    tp = n ? malloc(n) : NULL;
    if (tp && GetTokenInformation(tok, TokenPrivileges, tp, n, &n))
        for (i = 0; i < tp->PrivilegeCount; i++)
            if (tp->Privileges[i].Attributes & SE_PRIVILEGE_ENABLED) any = 1;
    free(tp);
    CloseHandle(tok);
    if (any || saved_process_privs) return 1;
    a->stop_outcome = PS_SKIP;
    snprintf(a->stop_reason, sizeof a->stop_reason,
             "the process token has no enabled privilege, so disabling them cannot show in the impersonation token (WT test_impersonation skips then too)");
    return 0;
}

void op_settoken(actor *a, const ps_step *s)
{
    HANDLE proc = NULL, tok = NULL;
    int disabled = cp_bool_arg(s, "disabled");
    BOOL ok;
    CALL("DuplicateTokenEx(process token, TOKEN_IMPERSONATE|TOKEN_ADJUST_PRIVILEGES|TOKEN_QUERY, "
         "SecurityImpersonation, TokenImpersonation)%s + SetThreadToken(NULL, token)",
         disabled ? " + AdjustTokenPrivileges(token, DisableAllPrivileges)" : "");
    if (!w32_privileges_usable(a)) return;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE, &proc)) {
        cp_harness_fault(a, "OpenProcessToken(TOKEN_DUPLICATE) failed with error %lu", GetLastError());
        return;
    }
    if (!DuplicateTokenEx(proc, TOKEN_IMPERSONATE | TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, NULL,
                          SecurityImpersonation, TokenImpersonation, &tok)) {
        cp_harness_fault(a, "DuplicateTokenEx of the process token failed with error %lu", GetLastError());
        CloseHandle(proc);
        return;
    }
    CloseHandle(proc);
    if (disabled && !AdjustTokenPrivileges(tok, TRUE, NULL, 0, NULL, NULL)) {
        cp_harness_fault(a, "AdjustTokenPrivileges(DisableAllPrivileges) failed with error %lu", GetLastError());
        CloseHandle(tok);
        return;
    }
    cp_begin_call(a);
    ok = SetThreadToken(NULL, tok);
    cp_set_bool_result(a, ok);
    CloseHandle(tok); /* the thread holds its own reference */
}

/* privileges of=process|thread do=disable|restore */
void op_privileges(actor *a, const ps_step *s)
{
    const char *of = ps_arg_get(s, "of") ? ps_arg_get(s, "of") : "process";
    const char *what = ps_arg_get(s, "do") ? ps_arg_get(s, "do") : "disable";
    int process = !strcmp(of, "process"), restore = !strcmp(what, "restore");
    HANDLE tok = NULL;
    DWORD n = 0;
    BOOL ok;
    CALL("AdjustTokenPrivileges(%s token, %s)", process ? "process" : "thread",
         restore ? "the saved privileges" : "DisableAllPrivileges");
    if (!restore && !w32_privileges_usable(a)) return;
    if (process) cp_taint("line %d changes the process token's privileges", s->line);
    if (process ? !OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES, &tok)
                : !OpenThreadToken(GetCurrentThread(), TOKEN_QUERY | TOKEN_ADJUST_PRIVILEGES, TRUE, &tok)) {
        cp_harness_fault(a, "opening the %s token failed with error %lu (settoken first for a thread token)", of, GetLastError());
        return;
    }
    if (restore) {
        if (!process || !saved_process_privs) {
            cp_harness_fault(a, "privileges do=restore: only the process token's privileges saved by an earlier do=disable can be restored");
            CloseHandle(tok);
            return;
        }
        cp_begin_call(a);
        ok = AdjustTokenPrivileges(tok, FALSE, saved_process_privs, 0, NULL, NULL);
        cp_set_bool_result(a, ok);
        CloseHandle(tok);
        return;
    }
    if (process && !saved_process_privs) {
        GetTokenInformation(tok, TokenPrivileges, NULL, 0, &n);
        saved_process_privs = n ? malloc(n) : NULL;
        if (!saved_process_privs || !GetTokenInformation(tok, TokenPrivileges, saved_process_privs, n, &n)) {
            cp_harness_fault(a, "GetTokenInformation(TokenPrivileges) of the process token failed with error %lu", GetLastError());
            free(saved_process_privs);
            saved_process_privs = NULL;
            CloseHandle(tok);
            return;
        }
    }
    cp_begin_call(a);
    ok = AdjustTokenPrivileges(tok, TRUE, NULL, 0, NULL, NULL);
    cp_set_bool_result(a, ok);
    CloseHandle(tok);
}

/* NtQueryInformationFile(FileAccessInformation), as WT/NT test_file_access; the
 * structures after Microsoft's documentation (FILE_ACCESS_INFORMATION, class 8). */
typedef struct {
    union {
        LONG Status;
        PVOID Pointer;
    } u;
    ULONG_PTR Information;
} ps_iosb;
typedef LONG(NTAPI *ps_ntqif_fn)(HANDLE, ps_iosb *, PVOID, ULONG, int);
#define PS_FILE_ACCESS_INFORMATION 8

void op_access(actor *a, const ps_step *s)
{
    ps_ntqif_fn q = NULL;
    HMODULE nt = GetModuleHandleW(L"ntdll.dll");
    ps_iosb io;
    ACCESS_MASK granted = 0x11111111;
    LONG st;
    (void)s;
    CALL("NtQueryInformationFile(%s, FileAccessInformation)", a->name);
    if (nt) q = (ps_ntqif_fn)(void (*)(void))GetProcAddress(nt, "NtQueryInformationFile");
    if (!q) {
        cp_harness_fault(a, "ntdll!NtQueryInformationFile not found");
        return;
    }
    memset(&io, 0, sizeof io);
    cp_begin_call(a);
    st = q(a->h, &io, &granted, sizeof granted, PS_FILE_ACCESS_INFORMATION);
    if (st < 0) {
        /* an NTSTATUS failure: reported by name (they do not collide with Win32 errors) */
        a->act.error = (DWORD)st;
        snprintf(a->ret, sizeof a->ret, "0x%08lx", (unsigned long)st);
        return;
    }
    a->act.error = 0;
    snprintf(a->ret, sizeof a->ret, "STATUS_SUCCESS");
    ps_actual_set(&a->act, "granted", "0x%lx", (unsigned long)granted);
}

/* anon end=read|write size=N: CreatePipe; the actor keeps one end. */
void op_anon(actor *a, const ps_step *s)
{
    const char *end = ps_arg_get(s, "end") ? ps_arg_get(s, "end") : "read";
    DWORD size = (DWORD)cp_size_arg(s, "size", 0);
    HANDLE r = NULL, w = NULL;
    BOOL ok;
    int keep_read = !strcmp(end, "read");
    CALL("CreatePipe(&read, &write, NULL, %lu), keeping the %s end", size, end);
    if (a->h != INVALID_HANDLE_VALUE && a->h) CloseHandle(a->h);
    a->h = INVALID_HANDLE_VALUE;
    cp_begin_call(a);
    ok = CreatePipe(&r, &w, NULL, size);
    cp_set_bool_result(a, ok);
    if (!ok) return;
    a->h = keep_read ? r : w;
    CloseHandle(keep_read ? w : r);
}
