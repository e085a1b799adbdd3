/* stress_measure.c: what stress measures of a process: its handles (with the ways
 * round Wine's GetProcessHandleCount), private bytes and working set, and CPU time
 * (for another process by a source decided once, see ps_cpu_choose). */
#include "stress_internal.h"
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* SystemHandleInformation (16): every handle of the system in one call. The layout is
 * Wine's (a 32-bit owner pid); Windows has a 16-bit pid and a back-trace index there,
 * but on Windows GetProcessHandleCount answers first and this is not used. */
typedef struct {
    ULONG owner_pid;
    BYTE type, flags;
    USHORT value;
    PVOID object;
    ULONG access;
} sys_handle_entry;
typedef struct {
    ULONG count;
    sys_handle_entry h[1];
} sys_handle_info;
typedef LONG(WINAPI *nt_query_system_information_fn)(int, PVOID, ULONG, PULONG);

/* NtQuerySystemInformation(cls) into a buffer that grows from *size (at most limit)
 * while the answer does not fit; the buffer (free it) with *st, or NULL when ntdll has
 * no such function. */
static void *query_system(int cls, ULONG *size, ULONG limit, LONG *st)
{
    static nt_query_system_information_fn f;
    ULONG ret = 0;
    void *p;
    if (!f) {
        HMODULE nt = GetModuleHandleW(L"ntdll.dll");
        f = nt ? (nt_query_system_information_fn)(void (*)(void))GetProcAddress(nt, "NtQuerySystemInformation") : NULL;
        if (!f) return NULL;
    }
    for (;;) {
        p = ps_xmalloc(*size);
        *st = f(cls, p, *size, &ret);
        if (*st != (LONG)0xC0000004 || *size >= limit) return p; /* STATUS_INFO_LENGTH_MISMATCH */
        free(p);
        *size *= 2;
    }
}

static long count_handles_system(DWORD pid)
{
    ULONG size = 1 << 16, i;
    long n = 0;
    LONG st;
    sys_handle_info *p = query_system(16, &size, 1u << 28, &st);
    if (!p) return -1;
    if (st != 0) {
        free(p);
        return -1;
    }
    for (i = 0; i < p->count; i++)
        if (p->h[i].owner_pid == pid) n++;
    free(p);
    return n;
}

/* Handles of a process: GetProcessHandleCount; where it answers 0 (Wine 8), the
 * system handle table (one call); failing that, probing handle values
 * (GetHandleInformation for this process, DuplicateHandle for another, one
 * wineserver call each) until 1024 values in a row are free. -1: not measurable. */
static long count_handles(HANDLE proc, int self)
{
    DWORD n = 0;
    long count = 0, misses = 0, denied = 0;
    uintptr_t v;
    if (GetProcessHandleCount(proc, &n) && n > 0) return (long)n;
    count = count_handles_system(self ? GetCurrentProcessId() : GetProcessId(proc));
    if (count > 0) return count;
    count = 0;
    for (v = 4; misses < 1024 && v < ((uintptr_t)1 << 24); v += 4) {
        BOOL ok;
        if (self) {
            DWORD flags;
            ok = GetHandleInformation((HANDLE)v, &flags);
        } else {
            HANDLE d = NULL;
            ok = DuplicateHandle(proc, (HANDLE)v, GetCurrentProcess(), &d, 0, FALSE, DUPLICATE_SAME_ACCESS);
            if (ok) CloseHandle(d);
            else if (GetLastError() != ERROR_INVALID_HANDLE) {
                denied++;
                ok = GetLastError() != ERROR_ACCESS_DENIED;
            }
        }
        if (ok) {
            count++;
            misses = 0;
        } else misses++;
    }
    if (!self && count == 0 && denied) return -1;
    return count;
}

int64_t private_bytes(HANDLE proc)
{
    PROCESS_MEMORY_COUNTERS_EX m;
    memset(&m, 0, sizeof m);
    m.cb = sizeof m;
    /* PagefileUsage: the commit charge on Windows (= PrivateUsage), anonymous resident
     * memory under Wine (whose PrivateUsage is not filled in). */
    if (!proc || !GetProcessMemoryInfo(proc, (PROCESS_MEMORY_COUNTERS *)&m, sizeof m)) return -1;
    return (int64_t)m.PagefileUsage;
}

ps_procmem measure_process(HANDLE proc, int self, int handles)
{
    ps_procmem r;
    PROCESS_MEMORY_COUNTERS_EX m;
    r.t_ms = ps_now_ms() - stress.t0;
    r.private_bytes = r.working_set = -1;
    r.handles = -1;
    if (!proc || (!self && WaitForSingleObject(proc, 0) == WAIT_OBJECT_0)) return r; /* gone: n/a */
    memset(&m, 0, sizeof m);
    m.cb = sizeof m;
    if (GetProcessMemoryInfo(proc, (PROCESS_MEMORY_COUNTERS *)&m, sizeof m)) {
        r.private_bytes = (int64_t)m.PagefileUsage;
        r.working_set = (int64_t)m.WorkingSetSize;
    }
    if (handles) r.handles = count_handles(proc, self);
    return r;
}

double cpu_ms(HANDLE proc)
{
    FILETIME c, e, k, u;
    ULARGE_INTEGER a, b;
    if (!proc || !GetProcessTimes(proc, &c, &e, &k, &u)) return -1;
    a.LowPart = k.dwLowDateTime, a.HighPart = k.dwHighDateTime;
    b.LowPart = u.dwLowDateTime, b.HighPart = u.dwHighDateTime;
    return (double)(a.QuadPart + b.QuadPart) / 10000.0;
}

/* The CPU time of another process (the server): which source is right here is
 * decided once (ps_cpu_choose), on a process that has not run. */
static struct {
    ps_cpu_source source;
    int decided;
    char note[160];
} cpu_source;

/* SystemProcessInformation (5): one entry per process; the fields up to the pid. */
typedef struct {
    ULONG next;
    ULONG threads;
    LARGE_INTEGER reserved[3];
    LARGE_INTEGER create, user, kernel;
    USHORT name_len, name_max;
    PWSTR name;
    LONG base_priority;
    HANDLE pid;
} sys_process_entry;

/* User + kernel time of process `pid` by SystemProcessInformation, -1 n/a. */
static double spi_cpu_ms(DWORD pid)
{
    ULONG size = 1 << 18;
    double r = -1;
    LONG st;
    unsigned char *p = query_system(5, &size, 1u << 26, &st);
    if (!p) return -1;
    if (st == 0) {
        size_t off = 0;
        while (off + sizeof(sys_process_entry) <= (size_t)size) {
            const sys_process_entry *e = (const sys_process_entry *)(p + off);
            if ((DWORD)(ULONG_PTR)e->pid == pid) {
                r = (double)(e->user.QuadPart + e->kernel.QuadPart) / 10000.0;
                break;
            }
            if (!e->next) break;
            off += e->next;
        }
    }
    free(p);
    return r;
}

/* Decides the source on `idle`, a process created suspended (it has not run). */
void cpu_decide(HANDLE idle, DWORD idle_pid)
{
    double own0, own1, gpt, self_spi, idle_spi, until = ps_now_ms() + 3000;
    volatile unsigned long spin = 0;
    if (cpu_source.decided) return;
    cpu_source.decided = 1;
    /* enough CPU time of our own to tell it from an idle process's */
    while ((own0 = cpu_ms(GetCurrentProcess())) >= 0 && own0 < PS_CPU_OWN_MIN_MS && ps_now_ms() < until)
        for (spin = 0; spin < 100000; spin++) {
        }
    gpt = cpu_ms(idle);
    self_spi = spi_cpu_ms(GetCurrentProcessId());
    idle_spi = spi_cpu_ms(idle_pid);
    own1 = cpu_ms(GetCurrentProcess());
    cpu_source.source = ps_cpu_choose(own0, own1, gpt, self_spi, idle_spi, cpu_source.note, sizeof cpu_source.note);
}

/* Decides the source on a suspended copy of this program (for a server that stress
 * did not start). */
void cpu_decide_spawn(void)
{
    wchar_t exe[MAX_PATH * 2], cmd[MAX_PATH * 2 + 32];
    STARTUPINFOW si;
    PROCESS_INFORMATION pi;
    if (cpu_source.decided) return;
    GetModuleFileNameW(NULL, exe, MAX_PATH * 2);
    swprintf(cmd, sizeof cmd / sizeof cmd[0], L"\"%ls\" --version", exe);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    if (!CreateProcessW(NULL, cmd, NULL, NULL, FALSE, CREATE_SUSPENDED, NULL, NULL, &si, &pi)) {
        cpu_source.decided = 1;
        snprintf(cpu_source.note, sizeof cpu_source.note,
                 "not measurable: the check of the CPU time source could not start");
        return;
    }
    if (stress.job) AssignProcessToJobObject(stress.job, pi.hProcess);
    cpu_decide(pi.hProcess, pi.dwProcessId);
    TerminateProcess(pi.hProcess, 0);
    WaitForSingleObject(pi.hProcess, 5000);
    CloseHandle(pi.hThread);
    CloseHandle(pi.hProcess);
}

/* User + kernel time of another process by the source decided, -1 n/a. */
double cpu_other_ms(HANDLE proc)
{
    if (!proc) return -1;
    if (cpu_source.source == PS_CPU_GPT) return cpu_ms(proc);
    if (cpu_source.source == PS_CPU_SPI) return spi_cpu_ms(GetProcessId(proc));
    return -1;
}

const char *cpu_source_note(void)
{
    return cpu_source.note;
}
