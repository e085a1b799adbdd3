/* stress_measure.c: what stress measures of a process: its handles (with the ways
 * round Wine's GetProcessHandleCount), private bytes and working set, and CPU time
 * (for another process by a source decided once, see ps_cpu_choose). */
#include "stress_internal.h"
#include <psapi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef LONG(WINAPI *nt_query_system_information_fn)(int, PVOID, ULONG, PULONG);

/* NtQuerySystemInformation(cls) into a buffer that grows from *size (at most limit)
 * while the answer does not fit; the buffer (free it) with *st, or NULL when ntdll has
 * no such function. Never class 16 or 64 (the system handle table): under Wine 8.0 that
 * request crashes the wineserver while other processes start and end (docs/STRESS.md). */
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

/* SystemProcessInformation (5): one entry per process; the fields up to HandleCount. */
typedef struct {
    ULONG next;
    ULONG threads;
    LARGE_INTEGER reserved[3];
    LARGE_INTEGER create, user, kernel;
    USHORT name_len, name_max;
    PWSTR name;
    LONG base_priority;
    HANDLE pid;
    HANDLE parent_pid;
    ULONG handle_count;
} sys_process_entry;

/* Process `pid`'s entry in SystemProcessInformation: its CPU time (user + kernel, ms)
 * and HandleCount. 0 when found, -1 when not (or the call failed). */
static int spi_find(DWORD pid, double *cpu, long *handle_count)
{
    ULONG size = 1 << 18;
    int r = -1;
    LONG st;
    unsigned char *p = query_system(5, &size, 1u << 26, &st);
    if (!p) return -1;
    if (st == 0) {
        size_t off = 0;
        while (off + sizeof(sys_process_entry) <= (size_t)size) {
            const sys_process_entry *e = (const sys_process_entry *)(p + off);
            if ((DWORD)(ULONG_PTR)e->pid == pid) {
                if (cpu) *cpu = (double)(e->user.QuadPart + e->kernel.QuadPart) / 10000.0;
                if (handle_count) *handle_count = (long)e->handle_count;
                r = 0;
                break;
            }
            if (!e->next) break;
            off += e->next;
        }
    }
    free(p);
    return r;
}

/* Handles of a process where GetProcessHandleCount answers 0 (Wine 8.0; Wine fills in
 * SystemProcessInformation's HandleCount with the size of the process's handle table,
 * not the handles in it). How SystemProcessInformation's HandleCount may be read here
 * is decided once, on this process (handles_decide):
 *   HC_COUNT  it is the number of handles: it moved with three handles opened;
 *   HC_BOUND  it bounds the handle values (value <= 4 * HandleCount): each handle value
 *             up to there is asked about, one wineserver call each (GetHandleInformation
 *             for this process, DuplicateHandle for another), which counts exactly;
 *   HC_NONE   neither: handles are n/a with the reason. */
enum { HC_NONE, HC_COUNT, HC_BOUND };
static struct {
    int decided, how;
    char note[160];
} hc;

/* What SystemProcessInformation says of this process's handles (*field) and what
 * asking about each handle value finds (*count, up to *highest); 0 when both answered. */
static int observe_self(long *field, long *count, uintptr_t *highest)
{
    ps_handle_set hs = {NULL, 0, 0};
    if (spi_find(GetCurrentProcessId(), NULL, field) != 0 || *field <= 0) return -1;
    ps_own_handles(&hs, (ULONG_PTR)*field * 4, 4096);
    *count = (long)hs.n;
    *highest = hs.n ? hs.v[hs.n - 1] : 0;
    free(hs.v);
    return 0;
}

static void handles_decide(void)
{
    long c[2] = {0, 0}, e[2] = {0, 0};
    uintptr_t high[2] = {0, 0};
    HANDLE extra[3] = {NULL, NULL, NULL};
    int k, ok;
    hc.decided = 1;
    hc.how = HC_NONE;
    ok = observe_self(&c[0], &e[0], &high[0]) == 0;
    for (k = 0; k < 3; k++)
        DuplicateHandle(GetCurrentProcess(), GetCurrentProcess(), GetCurrentProcess(), &extra[k], 0, FALSE,
                        DUPLICATE_SAME_ACCESS);
    ok = ok && observe_self(&c[1], &e[1], &high[1]) == 0;
    for (k = 0; k < 3; k++)
        if (extra[k]) CloseHandle(extra[k]);
    if (!ok) {
        snprintf(hc.note, sizeof hc.note,
                 "n/a (GetProcessHandleCount answers 0 and SystemProcessInformation gives no handle count)");
        return;
    }
    if (c[0] == e[0] && c[1] == e[1] && e[1] == e[0] + 3) hc.how = HC_COUNT;
    else if (high[0] <= (uintptr_t)c[0] * 4 && high[1] <= (uintptr_t)c[1] * 4) hc.how = HC_BOUND;
    else
        snprintf(hc.note, sizeof hc.note,
                 "n/a (GetProcessHandleCount answers 0; SystemProcessInformation's HandleCount %ld neither counts "
                 "nor bounds this process's %ld handles)",
                 c[1], e[1]);
}

/* Handles of a process: GetProcessHandleCount; where it answers 0, by
 * SystemProcessInformation as decided above. -1: not measurable. */
static long count_handles(HANDLE proc, int self)
{
    DWORD n = 0;
    long bound = 0, count = 0;
    uintptr_t v;
    if (GetProcessHandleCount(proc, &n) && n > 0) return (long)n;
    if (!hc.decided) handles_decide();
    if (hc.how == HC_NONE || spi_find(self ? GetCurrentProcessId() : GetProcessId(proc), NULL, &bound) != 0)
        return -1;
    if (hc.how == HC_COUNT) return bound;
    if (self) { /* a set of its own: the start and end figures are taken in other threads */
        ps_handle_set hs = {NULL, 0, 0};
        ps_own_handles(&hs, (ULONG_PTR)bound * 4, 0);
        free(hs.v);
        return (long)hs.n;
    }
    for (v = 4; v <= (uintptr_t)bound * 4; v += 4) {
        HANDLE d = NULL;
        if (DuplicateHandle(proc, (HANDLE)v, GetCurrentProcess(), &d, 0, FALSE, DUPLICATE_SAME_ACCESS)) {
            CloseHandle(d);
            count++;
        } else if (GetLastError() == ERROR_ACCESS_DENIED)
            return -1; /* no PROCESS_DUP_HANDLE */
    }
    return count;
}

/* Counting one value at a time costs one wineserver call a value (two for a handle of
 * another process: duplicate, close), 10 to 30 us each under load: 20,000 handles take
 * some 300 ms to 1 s. So the leak samples (every 100 ms) count a process's handles only
 * when the time since its last count is at least 4 times what that count took: counting
 * takes at most a fifth of the time. The leak-handles checks say how many samples they
 * had, and too few is not judged (N/A, "too short"). */
static struct {
    double next_ms, max_ms;
} hpace[2]; /* [0] another process (the server), [1] this one */

static long count_handles_paced(HANDLE proc, int self, int paced)
{
    double t0 = ps_now_ms(), cost;
    long n;
    if (paced && t0 < hpace[self].next_ms) return -1;
    n = count_handles(proc, self);
    cost = ps_now_ms() - t0;
    hpace[self].next_ms = t0 + 5 * cost;
    if (cost > hpace[self].max_ms) hpace[self].max_ms = cost;
    return n;
}

double handles_count_max_ms(int self)
{
    return hpace[self ? 1 : 0].max_ms;
}

/* Why handles are n/a here (empty when they are measured). */
const char *handles_note(void)
{
    return hc.note;
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
    if (handles) r.handles = count_handles_paced(proc, self, handles == PS_HANDLES_PACED);
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

/* User + kernel time of process `pid` by SystemProcessInformation, -1 n/a. */
static double spi_cpu_ms(DWORD pid)
{
    double r = -1;
    return spi_find(pid, &r, NULL) == 0 ? r : -1;
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
