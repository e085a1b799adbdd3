/* case_serve.c: a case process that runs several cases in turn, and the check after
 * each case that decides whether it may run another.
 *
 * Starting a process is most of what a short case costs under Wine, so the runner
 * keeps a case process for several cases, but only while that is honest: after each
 * verdict the process ends every program and thread the case started, closes what it
 * opened, and goes on only if it is back where it started. Anything it cannot prove
 * (an actor still inside a call, an overlapped or NT call not completed, a program
 * that does not end, a handle count that grew, the process token or an APC changed
 * by the case) makes it end itself after that case instead, and the next case gets a
 * new process. A crash or a hang ends the process as before. So a case can only cost
 * itself: what it leaves behind is never seen by the next one. The verdict is sent
 * before the check, and the check's result follows as an E line:
 *   E<TAB>reuse                      clean: the next case may come on stdin
 *   E<TAB>retire<TAB>reason          not provably clean: the process ends now
 */
#include "case_internal.h"

/* The handles a process holds, as their values (sorted). */
typedef struct {
    ULONG_PTR *v;
    size_t n, cap;
} handle_set;

static struct {
    int on;          /* serving: cp_finish comes back to the loop */
    void *jmp[5];    /* __builtin_setjmp's buffer */
    DWORD main_tid;  /* the thread that runs the script */
    handle_set before; /* the process's handles before the case */
    int counted;     /* before could be taken */
    char why[300];   /* why this process must end after the case; empty while clean */
} serve;

/* SYSTEM_HANDLE_TABLE_ENTRY_INFO_EX and SYSTEM_HANDLE_INFORMATION_EX, class 64
 * (SystemExtendedHandleInformation), after Microsoft's and Wine's winternl.h. */
typedef struct {
    PVOID Object;
    ULONG_PTR UniqueProcessId, HandleValue;
    ULONG GrantedAccess;
    USHORT CreatorBackTraceIndex, ObjectTypeIndex;
    ULONG HandleAttributes, Reserved;
} ps_handle_entry;
typedef struct {
    ULONG_PTR NumberOfHandles, Reserved;
    ps_handle_entry Handles[1];
} ps_handle_info;
typedef LONG(WINAPI *qsi_fn)(ULONG, PVOID, ULONG, PULONG);

static int cmp_handle(const void *a, const void *b)
{
    ULONG_PTR x = *(const ULONG_PTR *)a, y = *(const ULONG_PTR *)b;
    return x < y ? -1 : x > y;
}

/* The handles this process holds, from the platform's handle table (GetProcessHandle-
 * Count gives only a number, and Wine answers 0); 0, or -1 when it cannot say. */
static int own_handles(handle_set *hs)
{
    static qsi_fn qsi;
    static unsigned char *buf;
    static ULONG size = 64 * 1024;
    ULONG ret = 0;
    LONG st;
    ULONG_PTR i, me = GetCurrentProcessId();
    const ps_handle_info *info;
    if (!qsi) qsi = (qsi_fn)(void (*)(void))GetProcAddress(GetModuleHandleW(L"ntdll.dll"), "NtQuerySystemInformation");
    if (!qsi) return -1;
    for (;;) {
        if (!buf && !(buf = malloc(size))) return -1;
        st = qsi(64, buf, size, &ret);
        if (st != (LONG)0xC0000004L || size >= (1UL << 30)) break; /* STATUS_INFO_LENGTH_MISMATCH: grow */
        free(buf);
        buf = NULL;
        size = ret > size ? ret + 64 * 1024 : size * 2;
    }
    if (st != 0) return -1;
    info = (const ps_handle_info *)buf;
    hs->n = 0;
    for (i = 0; i < info->NumberOfHandles; i++) {
        if (info->Handles[i].UniqueProcessId != me) continue;
        if (hs->n == hs->cap) hs->v = ps_xrealloc(hs->v, sizeof *hs->v * (hs->cap = hs->cap ? hs->cap * 2 : 64));
        hs->v[hs->n++] = info->Handles[i].HandleValue;
    }
    qsort(hs->v, hs->n, sizeof *hs->v, cmp_handle);
    return hs->n ? 0 : -1; /* a process always holds some: none means the table is not ours to read */
}

/* Compares the handles now with those before the case. */
static void check_handles(void)
{
    static handle_set now;
    size_t i = 0, k = 0, added = 0, removed = 0;
    ULONG_PTR first_added = 0, first_removed = 0;
    if (!serve.counted || own_handles(&now) != 0) {
        cp_taint("the platform's handle table cannot be read here, so a leaked handle could not be seen");
        return;
    }
    while (i < serve.before.n || k < now.n) {
        if (k >= now.n || (i < serve.before.n && serve.before.v[i] < now.v[k])) {
            if (!removed++) first_removed = serve.before.v[i];
            i++;
        } else if (i >= serve.before.n || now.v[k] < serve.before.v[i]) {
            if (!added++) first_added = now.v[k];
            k++;
        } else
            i++, k++;
    }
    if (added)
        cp_taint("%lu handle(s) were left open by the case (the first 0x%lx)", (unsigned long)added, (unsigned long)first_added);
    else if (removed)
        cp_taint("the case closed %lu handle(s) it had not opened (the first 0x%lx)", (unsigned long)removed,
                 (unsigned long)first_removed);
}

int cp_serving(void)
{
    return serve.on;
}

void cp_taint(const char *fmt, ...)
{
    va_list ap;
    if (serve.why[0]) return; /* the first reason is the one reported */
    va_start(ap, fmt);
    vsnprintf(serve.why, sizeof serve.why, fmt, ap);
    va_end(ap);
}

/* Ends the case's programs and waits for them and their output readers. */
static void settle_programs(void)
{
    int i;
    for (i = 0; i < the_case.nactors; i++) {
        actor *a = the_case.actors[i];
        if (a->role != PS_ROLE_PROC || !a->started) continue;
        TerminateProcess(a->pi.hProcess, 1);
        if (WaitForSingleObject(a->pi.hProcess, 2000) != WAIT_OBJECT_0)
            cp_taint("the program %s did not end when terminated", a->name);
        else if (a->out_thread && WaitForSingleObject(a->out_thread, 1000) != WAIT_OBJECT_0)
            cp_taint("the output of %s stayed open after it ended (a process it started holds it)", a->name);
    }
}

/* Ends actor a's thread; returns 0 when it cannot be ended safely (it is inside a call,
 * or the platform may still write into one of its overlapped calls). */
static int stop_actor(actor *a)
{
    ov_call *c;
    if (a->busy) {
        cp_taint("actor %s was still in its call of line %d when the case ended", a->name,
                 a->step ? a->step->line : 0);
        return 0;
    }
    for (c = a->ov_head; c; c = c->next)
        if (!HasOverlappedIoCompleted(&c->ov)) {
            cp_taint("the overlapped call of line %d (%s) had not completed when the case ended", c->line, a->name);
            return 0;
        }
    InterlockedExchange(&a->quit, 1);
    SetEvent(a->go);
    if (WaitForSingleObject(a->thread, 2000) != WAIT_OBJECT_0) {
        cp_taint("the thread of actor %s did not end", a->name);
        return 0;
    }
    return 1;
}

static void close_if(HANDLE h)
{
    if (h && h != INVALID_HANDLE_VALUE) CloseHandle(h);
}

static void free_calls(ov_call *c)
{
    while (c) {
        ov_call *n = c->next;
        close_if(c->ov.hEvent);
        free(c->out);
        free(c->in);
        free(c);
        c = n;
    }
}

/* Closes and frees what actor a holds (its thread has ended). */
static void free_actor(actor *a)
{
    close_if(a->h);
    close_if(a->go);
    close_if(a->done);
    close_if(a->thread);
    if (a->role == PS_ROLE_PROC && a->started) {
        close_if(a->pi.hProcess);
        close_if(a->pi.hThread);
        close_if(a->out_thread);
        close_if(a->out_event);
        DeleteCriticalSection(&a->out_lock);
        ps_buf_free(&a->out);
    }
    close_if(a->out_rd);
    free_calls(a->ov_head);
    free_calls(a->ov_done);
    EnterCriticalSection(&the_case.qlock);
    cp_clear_queue_locked(a);
    LeaveCriticalSection(&the_case.qlock);
    free(a);
}

/* After the verdict: leaves the process as the case found it, or says why it cannot. */
static void clean_up(void)
{
    int i, stopped = 1, line = 0;
    HANDLE tok;
    if (GetCurrentThreadId() != serve.main_tid) cp_taint("the case ended on a thread other than the script's");
    settle_programs();
    for (i = 0; i < the_case.nactors; i++)
        if (!stop_actor(the_case.actors[i])) stopped = 0;
    if (!cp_ntio_idle(&line)) cp_taint("the NT call of line %d had not completed when the case ended", line);
    if (!cp_apc_idle()) cp_taint("a ReadFileEx/WriteFileEx completion routine had not run when the case ended");
    if (serve.why[0] || !stopped) return; /* the process ends: nothing to tidy */
    for (i = 0; i < the_case.nactors; i++) free_actor(the_case.actors[i]);
    the_case.nactors = 0;
    cp_ntio_reset();
    cp_iocp_reset();
    cp_apc_reset();
    if (OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &tok)) {
        CloseHandle(tok);
        cp_taint("the script thread was left impersonating");
    }
    DeleteCriticalSection(&the_case.qlock);
    DeleteCriticalSection(&the_case.out_lock);
    check_handles();
    if (the_case.c) ps_case_free(the_case.c);
    free(the_case.srcdir);
}

void cp_end_case(void)
{
    ps_buf b;
    if (!serve.on) return;
    clean_up();
    ps_buf_init(&b);
    ps_proto_end(&b, !serve.why[0], serve.why);
    { /* the script thread is the only writer left (out_lock may be gone) */
        DWORD w;
        WriteFile(the_case.out, b.data, (DWORD)b.len, &w, NULL);
    }
    ps_buf_free(&b);
    if (serve.why[0]) return; /* cp_finish ends the process */
    __builtin_longjmp(serve.jmp, 1);
}

/* One line of stdin, without its LF; 0 at the end of the input. */
static int read_line(char *line, size_t size)
{
    HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
    DWORD n = 0, got;
    while (n + 1 < size && ReadFile(in, line + n, 1, &got, NULL) && got == 1 && line[n] != '\n') n++;
    line[n] = 0;
    return n > 0;
}

int ps_child_serve(const ps_child_opts *base, int max_cases)
{
    static ps_child_opts opts;
    static char line[4096];
    static int count;
    char *f[3];
    int k;
    serve.main_tid = GetCurrentThreadId();
    serve.on = max_cases > 1;
    /* the runner's pipes are this process's alone: no program a case starts inherits them */
    SetHandleInformation(GetStdHandle(STD_INPUT_HANDLE), HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(GetStdHandle(STD_OUTPUT_HANDLE), HANDLE_FLAG_INHERIT, 0);
    SetHandleInformation(GetStdHandle(STD_ERROR_HANDLE), HANDLE_FLAG_INHERIT, 0);
    /* __builtin_setjmp: cp_end_case comes back here after each case's verdict */
    if (__builtin_setjmp(serve.jmp)) {
        if (++count >= max_cases) return 0; /* a fresh process for the next case */
    }
    if (!read_line(line, sizeof line)) return 0; /* no case came (the run is over) */
    f[0] = line;
    for (k = 1; k < 3; k++) {
        f[k] = strchr(f[k - 1], '\t');
        if (!f[k]) return 0;
        *f[k]++ = 0;
    }
    opts = *base;
    opts.file = f[0];
    opts.pipe = f[1];
    opts.timeout_ms = strtol(f[2], NULL, 10);
    serve.counted = own_handles(&serve.before) == 0;
    if (count + 1 >= max_cases) serve.on = 0; /* the last case: end as a single case does */
    return ps_child_main(&opts);
}
