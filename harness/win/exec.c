/* exec.c: runs one case inside its own process (the "case process").
 *
 * Each actor (a pipe end or an external process) has its own worker thread, so a
 * blocking call blocks only that actor; the script thread hands a step to the actor,
 * waits for it (or not, with '&'), then judges the result and writes one trace line
 * to stdout (protocol: harness/core/results.h). A step that does not finish within the
 * case's time left makes the case process report TIMEOUT on that step and end itself. */
#include "platform.h"
#include "errors.h"
#include "expect.h"
#include "results.h"
#include "scenario.h"
#include "acl.h"
#include <sddl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One message written to an actor by its peer, for checking what it reads. */
typedef struct msg {
    struct msg *next;
    size_t len, off;
    unsigned char *data;
    long id;
} msg;

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
    double t0, t1;
    int read_message;      /* tracked read mode, for boundary checks */
    int nowait;
    int is_server;
    LONG listen_seq;   /* when this instance started listening; 0 = not listening */
    struct actor *peer;
    msg *in_head, *in_tail;  /* what the peer wrote and this end has not read yet */
    /* overlapped state: one call at a time per actor */
    OVERLAPPED ov;
    int ov_pending;
    const char *ov_op;
    unsigned char *ov_buf;
    DWORD ov_size;
    int overlapped_handle;
    long ov_msg;           /* the expected-data message of a pending overlapped write */
    char base[320];        /* the pipe's name after \pipe\, lower case: pairs ends */
    /* proc */
    PROCESS_INFORMATION pi;
    HANDLE out_rd, out_thread, out_event;
    CRITICAL_SECTION out_lock;
    ps_buf out;
    int started;
    int serving; /* started by serve: checked for a crash when the case ends */
} actor;

static struct {
    const ps_child_opts *o;
    ps_case *c;
    actor *actors[64];
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
    int clients; /* {clients} while a serve step expands the server command */
} g;

/* ---------------- output to the parent ---------------- */
static void emit(const char *s)
{
    DWORD w;
    EnterCriticalSection(&g.out_lock);
    WriteFile(g.out, s, (DWORD)strlen(s), &w, NULL);
    LeaveCriticalSection(&g.out_lock);
}

static void clean_tabs(char *s)
{
    for (; *s; s++)
        if (*s == '\t' || *s == '\n' || *s == '\r') *s = ' ';
}

static void finish(ps_outcome o, int line, const char *reason) /* never returns */
{
    char *re = ps_xstrdup(reason ? reason : ""), *out;
    int i;
    clean_tabs(re);
    out = ps_sprintf("R\t%s\t%d\t%s\n", ps_outcome_name(o), line, re);
    emit(out);
    free(out);
    free(re);
    for (i = 0; i < g.nactors; i++) {
        actor *a = g.actors[i];
        if (a->role == PS_ROLE_PROC && a->started) TerminateProcess(a->pi.hProcess, 1);
    }
    FlushFileBuffers(g.out);
    TerminateProcess(GetCurrentProcess(), 0);
    ExitProcess(0);
}

/* ---------------- variables and names ---------------- */
static char *expand(const char *s)
{
    ps_buf b;
    const char *q = s;
    ps_buf_init(&b);
    while (*q) {
        if (*q == '{') {
            const char *e = strchr(q, '}');
            if (e) {
                char name[64];
                size_t n = (size_t)(e - q - 1);
                if (n < sizeof name) {
                    memcpy(name, q + 1, n);
                    name[n] = 0;
                    if (!strcmp(name, "pipe")) ps_buf_adds(&b, g.o->pipe);
                    else if (!strcmp(name, "computer")) {
                        wchar_t cn[MAX_COMPUTERNAME_LENGTH + 2];
                        DWORD len = MAX_COMPUTERNAME_LENGTH + 1;
                        char *u;
                        if (!GetComputerNameW(cn, &len)) cn[0] = 0;
                        u = ps_utf8(cn);
                        ps_buf_adds(&b, u);
                        free(u);
                    } else if (!strcmp(name, "host")) ps_buf_adds(&b, g.o->host ? g.o->host : "localhost");
                    else if (!strcmp(name, "bin")) ps_buf_adds(&b, ps_exe_dir());
                    else if (!strcmp(name, "srcdir")) ps_buf_adds(&b, g.srcdir);
                    else if (!strcmp(name, "reference_server")) ps_buf_printf(&b, "%s\\reference_server.exe", ps_exe_dir());
                    else if (!strcmp(name, "reference_client")) ps_buf_printf(&b, "%s\\reference_client.exe", ps_exe_dir());
                    else if (!strcmp(name, "server_cmd") || !strcmp(name, "client_cmd")) {
                        /* the implementation under test, else the reference program */
                        int srv = name[0] == 's';
                        const char *user = srv ? g.o->server_cmd : g.o->client_cmd;
                        char *e2 = expand(user ? user
                                          : srv ? "\"{reference_server}\" --pipe {pipe}"
                                                : "\"{reference_client}\" --pipe {pipe}");
                        ps_buf_adds(&b, e2);
                        free(e2);
                    } else if (!strcmp(name, "clients")) ps_buf_printf(&b, "%d", g.clients);
                    q = e + 1;
                    continue;
                }
            }
        }
        ps_buf_addc(&b, *q++);
    }
    return ps_buf_steal(&b);
}

/* The pipe name of a step: name=..., or the case's own pipe (on --host's machine for
 * the client side). */
static wchar_t *pipe_name(const ps_step *s, int client_side)
{
    const char *n = ps_arg_get(s, "name");
    char *e;
    wchar_t *w;
    if (n) e = expand(n);
    else if (client_side && g.o->host) e = ps_sprintf("\\\\%s\\pipe\\%s", g.o->host, g.o->pipe);
    else if (client_side && g.o->server_pipe) e = ps_sprintf("\\\\.\\pipe\\%s", g.o->server_pipe);
    else e = ps_sprintf("\\\\.\\pipe\\%s", g.o->pipe);
    w = ps_wide(e);
    free(e);
    return w;
}

static unsigned long long size_arg(const ps_step *s, const char *key, unsigned long long def)
{
    const char *v = ps_arg_get(s, key);
    unsigned long long n;
    if (v && ps_parse_size(v, &n) == 0) return n;
    return def;
}

static int bool_arg(const ps_step *s, const char *key)
{
    const char *v = ps_arg_get(s, key);
    return v && (!strcmp(v, "1") || !strcmp(v, "yes"));
}

/* WaitNamedPipe/CreateNamedPipe timeouts: default -> 0, forever -> 0xffffffff. */
static DWORD ms_arg(const ps_step *s, const char *key, DWORD def)
{
    const char *v = ps_arg_get(s, key);
    long ms;
    if (!v) return def;
    if (!strcmp(v, "default")) return NMPWAIT_USE_DEFAULT_WAIT;
    if (!strcmp(v, "forever")) return NMPWAIT_WAIT_FOREVER;
    if (!strcmp(v, "nowait")) return NMPWAIT_NOWAIT;
    if (ps_parse_ms(v, &ms) == 0) return (DWORD)ms;
    return def;
}

/* ---------------- data: what is written, and checking what is read ---------------- */
static unsigned char *make_data(const ps_step *s, const char *sizekey, DWORD *len)
{
    const char *text = ps_arg_get(s, "text"), *ascii = ps_arg_get(s, "ascii");
    unsigned char *d;
    if (text) { /* UTF-16LE with its NUL, as the sample sends */
        char *e = expand(text);
        wchar_t *w = ps_wide(e);
        *len = (DWORD)((wcslen(w) + 1) * sizeof(wchar_t));
        d = ps_xmalloc(*len);
        memcpy(d, w, *len);
        free(w);
        free(e);
    } else if (ascii) {
        char *e = expand(ascii);
        *len = (DWORD)strlen(e);
        d = ps_xmalloc(*len + 1);
        memcpy(d, e, *len);
        free(e);
    } else {
        unsigned long long n = size_arg(s, sizekey, 0), i;
        long k = InterlockedIncrement(&g.write_count);
        *len = (DWORD)n;
        d = ps_xmalloc((size_t)n + 1);
        for (i = 0; i < n; i++) d[i] = (unsigned char)((i * 7 + (i >> 8) + (unsigned long long)k * 13 + 1) & 0xff);
    }
    return d;
}

/* Queues what a is about to write for its peer's reads to be checked against. It is
 * queued before the call, so a reader that drains a blocked write finds it; settle()
 * then trims it to what the call really wrote. Returns the message's id (0: no peer). */
static long queue_to_peer(actor *a, const unsigned char *data, size_t len)
{
    actor *p;
    msg *m;
    long id = 0;
    EnterCriticalSection(&g.qlock);
    p = a->peer;
    if (p) {
        m = ps_xcalloc(1, sizeof *m);
        m->len = len;
        m->data = ps_xmalloc(len + 1);
        memcpy(m->data, data, len);
        m->id = id = ++g.next_msg;
        if (p->in_tail) p->in_tail->next = m;
        else p->in_head = m;
        p->in_tail = m;
    }
    LeaveCriticalSection(&g.qlock);
    return id;
}

/* The write of message id wrote only `written` bytes (0: nothing, it is dropped). */
static void settle(actor *a, long id, size_t written)
{
    actor *p;
    msg *m, *prev = NULL;
    if (!id) return;
    EnterCriticalSection(&g.qlock);
    p = a->peer;
    for (m = p ? p->in_head : NULL; m; prev = m, m = m->next) {
        if (m->id != id) continue;
        if (written < m->len) m->len = written < m->off ? m->off : written;
        if (m->len == 0 && written == 0 && m->off == 0 && m->data) {
            if (prev) prev->next = m->next;
            else p->in_head = m->next;
            if (p->in_tail == m) p->in_tail = prev;
            free(m->data);
            free(m);
        }
        break;
    }
    LeaveCriticalSection(&g.qlock);
}

static void clear_queue_locked(actor *a)
{
    msg *m = a->in_head;
    while (m) {
        msg *n = m->next;
        free(m->data);
        free(m);
        m = n;
    }
    a->in_head = a->in_tail = NULL;
}

/* Checks n bytes just read against what the peer wrote. complete: the read said the
 * message ended here (message-read mode, TRUE). */
static void check_read_locked(actor *a, const unsigned char *buf, size_t n, int complete);
static void check_read(actor *a, const unsigned char *buf, size_t n, int complete)
{
    EnterCriticalSection(&g.qlock);
    check_read_locked(a, buf, n, complete);
    LeaveCriticalSection(&g.qlock);
}

static void check_read_locked(actor *a, const unsigned char *buf, size_t n, int complete)
{
    size_t i = 0;
    if (!a->peer && !a->in_head) return; /* no known writer: nothing to compare */
    while (i < n) {
        msg *m = a->in_head;
        if (!m) {
            snprintf(a->data_error, sizeof a->data_error,
                     "data check: read %lu bytes but only %lu were written by the peer",
                     (unsigned long)n, (unsigned long)i);
            return;
        }
        while (i < n && m->off < m->len) {
            if (buf[i] != m->data[m->off]) {
                snprintf(a->data_error, sizeof a->data_error,
                         "data check: byte %lu of the message differs: expected 0x%02x, got 0x%02x",
                         (unsigned long)m->off, m->data[m->off], buf[i]);
                return;
            }
            i++;
            m->off++;
        }
        if (m->off == m->len && (i < n || !a->read_message || complete)) {
            a->in_head = m->next;
            if (!a->in_head) a->in_tail = NULL;
            free(m->data);
            free(m);
            if (a->read_message && complete) break;
        }
    }
    if (a->read_message && complete && a->in_head && a->in_head->off > 0 &&
        a->in_head->off < a->in_head->len)
        snprintf(a->data_error, sizeof a->data_error,
                 "data check: the read ended the message after %lu of its %lu bytes",
                 (unsigned long)a->in_head->off, (unsigned long)a->in_head->len);
    /* an empty message completes with a 0-byte read */
    if (a->read_message && complete && n == 0 && a->in_head && a->in_head->len == 0) {
        msg *m = a->in_head;
        a->in_head = m->next;
        if (!a->in_head) a->in_tail = NULL;
        free(m->data);
        free(m);
    }
}

static void set_text_field(actor *a, const unsigned char *buf, DWORD n)
{
    /* The data as UTF-16LE text up to its NUL (the sample's messages), for text= checks. */
    int units = (int)(n / 2), k;
    const wchar_t *w = (const wchar_t *)buf;
    char *u;
    for (k = 0; k < units && w[k]; k++) {}
    u = ps_utf8n(w, k);
    ps_actual_set(&a->act, "text", "%s", u);
    free(u);
}

/* ---------------- the operations ---------------- */
#define CALL(...) snprintf(a->call, sizeof a->call, __VA_ARGS__)
static void set_bool_result(actor *a, BOOL ok)
{
    a->act.error = ok ? 0 : GetLastError();
    snprintf(a->ret, sizeof a->ret, "%s", ok ? "TRUE" : "FALSE");
}

static actor *find_actor(const char *name)
{
    int i;
    for (i = 0; i < g.nactors; i++)
        if (!strcmp(g.actors[i]->name, name)) return g.actors[i];
    return NULL;
}

/* The part of a pipe name that identifies the pipe, whatever the form of the path
 * (\\.\pipe\X, \\?\pipe\X, \\host\pipe\X, ...\Device\NamedPipe\X), in lower case
 * (names are case-insensitive, row 32). */
static void set_base(actor *a, const wchar_t *name)
{
    char *u = name ? ps_utf8(name) : ps_xstrdup(""), *q, *best = u;
    for (q = u; *q; q++)
        if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
    for (q = u; (q = strstr(q, "\\pipe\\")) != NULL; q++) best = q + 6;
    for (q = u; (q = strstr(q, "\\namedpipe\\")) != NULL; q++) best = q + 11;
    snprintf(a->base, sizeof a->base, "%s", best);
    free(u);
}

static void pair_client(actor *a)
{
    /* The peer is the server end that started listening first (BEHAVIOUR row 46;
     * WT test_multiple_instances): an instance listens from its creation, stops when a
     * client takes it or it is disconnected, and listens again on ConnectNamedPipe. */
    actor *best = NULL;
    int i;
    for (i = 0; i < g.nactors; i++) {
        actor *s = g.actors[i];
        if (!s->is_server || s->h == INVALID_HANDLE_VALUE || s->peer || !s->listen_seq) continue;
        if (strcmp(s->base, a->base)) continue; /* another pipe */
        if (!best || s->listen_seq < best->listen_seq) best = s;
    }
    if (best) {
        EnterCriticalSection(&g.qlock);
        best->peer = a;
        best->listen_seq = 0;
        a->peer = best;
        clear_queue_locked(a);
        clear_queue_locked(best);
        LeaveCriticalSection(&g.qlock);
    }
}

static void op_create(actor *a, const ps_step *s)
{
    wchar_t *name = bool_arg(s, "null_name") ? NULL : pipe_name(s, 0);
    const char *acc = ps_arg_get(s, "access"), *type = ps_arg_get(s, "type"),
               *rd = ps_arg_get(s, "read"), *wt = ps_arg_get(s, "wait"),
               *inst = ps_arg_get(s, "instances"), *sddl = ps_arg_get(s, "sddl"),
               *flags = ps_arg_get(s, "flags");
    DWORD open = PIPE_ACCESS_DUPLEX, mode = 0, max = 1;
    DWORD outsz = (DWORD)size_arg(s, "out", 1024), insz = (DWORD)size_arg(s, "in", 1024);
    DWORD tmo = ms_arg(s, "timeout", 0);
    SECURITY_ATTRIBUTES sa, *psa = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    char *u;
    if (acc) open = !strcmp(acc, "inbound") ? PIPE_ACCESS_INBOUND
                  : !strcmp(acc, "outbound") ? PIPE_ACCESS_OUTBOUND
                  : !strcmp(acc, "none") ? 0 : PIPE_ACCESS_DUPLEX;
    if (bool_arg(s, "first")) open |= FILE_FLAG_FIRST_PIPE_INSTANCE;
    if (bool_arg(s, "write_through")) open |= FILE_FLAG_WRITE_THROUGH;
    if (bool_arg(s, "overlapped")) open |= FILE_FLAG_OVERLAPPED;
    mode |= (type && !strcmp(type, "message")) ? PIPE_TYPE_MESSAGE : PIPE_TYPE_BYTE;
    mode |= (rd && !strcmp(rd, "message")) ? PIPE_READMODE_MESSAGE : PIPE_READMODE_BYTE;
    mode |= (wt && !strcmp(wt, "nowait")) ? PIPE_NOWAIT : PIPE_WAIT;
    if (bool_arg(s, "reject_remote")) mode |= PIPE_REJECT_REMOTE_CLIENTS;
    if (flags) mode |= (DWORD)strtoul(flags, NULL, 0);
    if (inst) max = !strcmp(inst, "unlimited") ? PIPE_UNLIMITED_INSTANCES : (DWORD)strtoul(inst, NULL, 0);
    if (sddl) {
        wchar_t *w = ps_wide(sddl);
        if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(w, SDDL_REVISION_1, &sd, NULL)) {
            a->act.error = GetLastError();
            CALL("ConvertStringSecurityDescriptorToSecurityDescriptorW(\"%s\") failed", sddl);
            snprintf(a->ret, sizeof a->ret, "FALSE");
            free(w);
            free(name);
            return;
        }
        free(w);
        sa.nLength = sizeof sa;
        sa.lpSecurityDescriptor = sd;
        sa.bInheritHandle = FALSE;
        psa = &sa;
    }
    u = name ? ps_utf8(name) : ps_xstrdup("NULL");
    CALL("CreateNamedPipeW(%s, open=0x%lx, mode=0x%lx, max=%lu, out=%lu, in=%lu, timeout=%lu%s%s)",
         u, open, mode, max, outsz, insz, tmo, sddl ? ", sddl=" : "", sddl ? sddl : "");
    free(u);
    if (a->h != INVALID_HANDLE_VALUE && a->h) CloseHandle(a->h); /* an actor's second create */
    SetLastError(0xdeadbeef);
    a->h = CreateNamedPipeW(name, open, mode, max, outsz, insz, tmo, psa);
    a->act.error = a->h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
    snprintf(a->ret, sizeof a->ret, "%s", a->h == INVALID_HANDLE_VALUE ? "INVALID_HANDLE_VALUE" : "handle");
    if (a->h != INVALID_HANDLE_VALUE) {
        a->is_server = 1;
        set_base(a, name);
        a->listen_seq = InterlockedIncrement(&g.seq);
        a->read_message = (mode & PIPE_READMODE_MESSAGE) != 0;
        a->nowait = (mode & PIPE_NOWAIT) != 0;
        a->overlapped_handle = (open & FILE_FLAG_OVERLAPPED) != 0;
    }
    if (sd) LocalFree(sd);
    free(name);
}

static void start_overlapped(actor *a, const char *op)
{
    if (!a->ov.hEvent) a->ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    ResetEvent(a->ov.hEvent);
    a->ov.Internal = a->ov.InternalHigh = 0;
    a->ov.Offset = a->ov.OffsetHigh = 0;
    a->ov_op = op;
}

static void after_overlapped(actor *a, BOOL ok)
{
    DWORD e = ok ? 0 : GetLastError();
    /* Pending, or completed at once: either way `result` collects it. */
    a->ov_pending = ok || e == ERROR_IO_PENDING || e == ERROR_MORE_DATA;
}

static void op_connect(actor *a, const ps_step *s)
{
    BOOL ok;
    if (!a->listen_seq && !a->peer) a->listen_seq = InterlockedIncrement(&g.seq);
    if (a->overlapped_handle || bool_arg(s, "overlapped")) {
        start_overlapped(a, "connect");
        CALL("ConnectNamedPipe(%s, &overlapped)", a->name);
        ok = ConnectNamedPipe(a->h, &a->ov);
        set_bool_result(a, ok);
        after_overlapped(a, ok);
        if (!ok && a->act.error == ERROR_PIPE_CONNECTED) a->ov_pending = 0;
        return;
    }
    CALL("ConnectNamedPipe(%s, NULL)", a->name);
    ok = ConnectNamedPipe(a->h, NULL);
    set_bool_result(a, ok);
}

static void op_open(actor *a, const ps_step *s)
{
    wchar_t *name = bool_arg(s, "null_name") ? NULL : pipe_name(s, 1);
    const char *acc = ps_arg_get(s, "access"), *sq = ps_arg_get(s, "sqos"),
               *share = ps_arg_get(s, "share");
    DWORD access = GENERIC_READ | GENERIC_WRITE, flags = 0, sh = share ? (DWORD)strtoul(share, NULL, 0) : 0;
    char *u;
    if (acc) access = !strcmp(acc, "read") ? GENERIC_READ
                    : !strcmp(acc, "write") ? GENERIC_WRITE
                    : !strcmp(acc, "none") ? 0
                    : !strcmp(acc, "readattr") ? FILE_READ_ATTRIBUTES
                    : !strcmp(acc, "rwattr") ? (GENERIC_READ | FILE_WRITE_ATTRIBUTES)
                    : !strcmp(acc, "rw") ? (GENERIC_READ | GENERIC_WRITE)
                    : (DWORD)strtoul(acc, NULL, 0); /* an explicit access mask */
    if (sq) flags |= SECURITY_SQOS_PRESENT |
                     (!strcmp(sq, "anonymous") ? SECURITY_ANONYMOUS
                      : !strcmp(sq, "identification") ? SECURITY_IDENTIFICATION
                      : !strcmp(sq, "impersonation") ? SECURITY_IMPERSONATION
                      : SECURITY_DELEGATION);
    if (bool_arg(s, "overlapped")) flags |= FILE_FLAG_OVERLAPPED;
    u = name ? ps_utf8(name) : ps_xstrdup("NULL");
    CALL("CreateFileW(%s, access=0x%lx, share=%lu, OPEN_EXISTING, flags=0x%lx)", u, access, sh, flags);
    free(u);
    if (a->h != INVALID_HANDLE_VALUE && a->h) CloseHandle(a->h);
    SetLastError(0xdeadbeef);
    a->h = CreateFileW(name, access, sh, NULL, OPEN_EXISTING, flags, NULL);
    a->act.error = a->h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
    snprintf(a->ret, sizeof a->ret, "%s", a->h == INVALID_HANDLE_VALUE ? "INVALID_HANDLE_VALUE" : "handle");
    if (a->h != INVALID_HANDLE_VALUE) {
        a->read_message = 0; /* a client starts in byte-read mode (row 30) */
        a->nowait = 0;
        a->overlapped_handle = (flags & FILE_FLAG_OVERLAPPED) != 0;
        set_base(a, name);
        pair_client(a);
    }
    free(name);
}

static void op_wait(actor *a, const ps_step *s)
{
    wchar_t *name = pipe_name(s, 1);
    DWORD t = ms_arg(s, "timeout", NMPWAIT_USE_DEFAULT_WAIT);
    char *u = ps_utf8(name);
    CALL("WaitNamedPipeW(%s, %lu)", u, t);
    free(u);
    SetLastError(0xdeadbeef);
    set_bool_result(a, WaitNamedPipeW(name, t));
    free(name);
}

static void op_call(actor *a, const ps_step *s)
{
    wchar_t *name = pipe_name(s, 1);
    DWORD len, outsz = (DWORD)size_arg(s, "out", 1024), got = 0;
    unsigned char *in = make_data(s, "size", &len), *out = ps_xmalloc(outsz + 1);
    DWORD t = ms_arg(s, "timeout", NMPWAIT_USE_DEFAULT_WAIT);
    char *u = ps_utf8(name);
    BOOL ok;
    CALL("CallNamedPipeW(%s, in=%lu bytes, out=buf[%lu], timeout=%lu)", u, len, outsz, t);
    free(u);
    SetLastError(0xdeadbeef);
    ok = CallNamedPipeW(name, in, len, out, outsz, &got, t);
    set_bool_result(a, ok);
    if (ok || a->act.error == ERROR_MORE_DATA) {
        ps_actual_set(&a->act, "bytes", "%lu", got);
        set_text_field(a, out, got);
    }
    free(in);
    free(out);
    free(name);
}

static void op_mode(actor *a, const ps_step *s)
{
    const char *rd = ps_arg_get(s, "read"), *wt = ps_arg_get(s, "wait");
    int want_msg = rd ? !strcmp(rd, "message") : a->read_message;
    int want_nowait = wt ? !strcmp(wt, "nowait") : a->nowait;
    DWORD mode = (want_msg ? PIPE_READMODE_MESSAGE : PIPE_READMODE_BYTE) |
                 (want_nowait ? PIPE_NOWAIT : PIPE_WAIT);
    BOOL ok;
    CALL("SetNamedPipeHandleState(%s, mode=%s|%s)", a->name,
         want_msg ? "PIPE_READMODE_MESSAGE" : "PIPE_READMODE_BYTE", want_nowait ? "PIPE_NOWAIT" : "PIPE_WAIT");
    SetLastError(0xdeadbeef);
    ok = SetNamedPipeHandleState(a->h, &mode, NULL, NULL);
    set_bool_result(a, ok);
    if (ok) {
        a->read_message = want_msg;
        a->nowait = want_nowait;
    }
}

static void op_state(actor *a)
{
    DWORD st = 0, inst = 0;
    BOOL ok;
    CALL("GetNamedPipeHandleStateW(%s)", a->name);
    SetLastError(0xdeadbeef);
    ok = GetNamedPipeHandleStateW(a->h, &st, &inst, NULL, NULL, NULL, 0);
    set_bool_result(a, ok);
    if (ok) {
        ps_actual_set(&a->act, "read", "%s", (st & PIPE_READMODE_MESSAGE) ? "message" : "byte");
        ps_actual_set(&a->act, "wait", "%s", (st & PIPE_NOWAIT) ? "nowait" : "wait");
        ps_actual_set(&a->act, "instances", "%lu", inst);
    }
}

static void op_info(actor *a)
{
    DWORD fl = 0, o = 0, i = 0, m = 0;
    BOOL ok;
    CALL("GetNamedPipeInfo(%s)", a->name);
    SetLastError(0xdeadbeef);
    ok = GetNamedPipeInfo(a->h, &fl, &o, &i, &m);
    set_bool_result(a, ok);
    if (ok) {
        ps_actual_set(&a->act, "type", "%s", (fl & PIPE_TYPE_MESSAGE) ? "message" : "byte");
        ps_actual_set(&a->act, "end", "%s", (fl & PIPE_SERVER_END) ? "server" : "client");
        ps_actual_set(&a->act, "out", "%lu", o);
        ps_actual_set(&a->act, "in", "%lu", i);
        ps_actual_set(&a->act, "max", "%lu", m);
    }
}

static void op_write(actor *a, const ps_step *s)
{
    long id;
    DWORD len, w = 0;
    unsigned char *d = make_data(s, "size", &len);
    BOOL ok;
    if (a->overlapped_handle || bool_arg(s, "overlapped")) {
        start_overlapped(a, "write");
        free(a->ov_buf);
        a->ov_buf = d;
        a->ov_size = len;
        CALL("WriteFile(%s, %lu bytes, &overlapped)", a->name, len);
        a->ov_msg = queue_to_peer(a, d, len);
        SetLastError(0xdeadbeef);
        ok = WriteFile(a->h, d, len, &w, &a->ov);
        set_bool_result(a, ok);
        after_overlapped(a, ok);
        if (!a->ov_pending) settle(a, a->ov_msg, 0); /* failed at once: nothing went */
        return;
    }
    CALL("WriteFile(%s, %lu bytes)", a->name, len);
    id = queue_to_peer(a, d, len);
    SetLastError(0xdeadbeef);
    ok = WriteFile(a->h, d, len, &w, NULL);
    set_bool_result(a, ok);
    ps_actual_set(&a->act, "bytes", "%lu", w);
    settle(a, id, ok ? w : 0);
    free(d);
}

static void op_read(actor *a, const ps_step *s)
{
    DWORD size = (DWORD)size_arg(s, "size", 1024), n = 0;
    unsigned char *buf = ps_xmalloc(size + 2);
    BOOL ok;
    if (a->overlapped_handle || bool_arg(s, "overlapped")) {
        start_overlapped(a, "read");
        free(a->ov_buf);
        a->ov_buf = buf;
        a->ov_size = size;
        CALL("ReadFile(%s, buf[%lu], &overlapped)", a->name, size);
        SetLastError(0xdeadbeef);
        ok = ReadFile(a->h, buf, size, &n, &a->ov);
        set_bool_result(a, ok);
        after_overlapped(a, ok);
        return; /* the data is checked by `result` */
    }
    CALL("ReadFile(%s, buf[%lu])", a->name, size);
    SetLastError(0xdeadbeef);
    ok = ReadFile(a->h, buf, size, &n, NULL);
    set_bool_result(a, ok);
    if (ok || a->act.error == ERROR_MORE_DATA) {
        ps_actual_set(&a->act, "bytes", "%lu", n);
        set_text_field(a, buf, n);
        check_read(a, buf, n, ok);
    }
    free(buf);
}

static void op_peek(actor *a, const ps_step *s)
{
    DWORD size = (DWORD)size_arg(s, "size", 0), n = 0, avail = 0, left = 0;
    unsigned char *buf = ps_xmalloc(size + 1);
    BOOL ok;
    int nb = bool_arg(s, "null_buf");
    CALL("PeekNamedPipe(%s, %s[%lu])", a->name, nb ? "NULL" : "buf", size);
    SetLastError(0xdeadbeef);
    ok = PeekNamedPipe(a->h, nb ? NULL : buf, size, &n, &avail, &left);
    set_bool_result(a, ok);
    if (ok) {
        ps_actual_set(&a->act, "bytes", "%lu", n);
        ps_actual_set(&a->act, "avail", "%lu", avail);
        ps_actual_set(&a->act, "left", "%lu", left);
    }
    free(buf);
}

static void op_transact(actor *a, const ps_step *s)
{
    long id;
    DWORD len, outsz = (DWORD)size_arg(s, "out", 1024), n = 0;
    unsigned char *in = make_data(s, "size", &len), *out = ps_xmalloc(outsz + 2);
    BOOL ok;
    if (a->overlapped_handle || bool_arg(s, "overlapped")) {
        start_overlapped(a, "transact");
        free(a->ov_buf);
        a->ov_buf = out;
        a->ov_size = outsz;
        CALL("TransactNamedPipe(%s, in=%lu bytes, out=buf[%lu], &overlapped)", a->name, len, outsz);
        id = queue_to_peer(a, in, len);
        SetLastError(0xdeadbeef);
        ok = TransactNamedPipe(a->h, in, len, out, outsz, &n, &a->ov);
        set_bool_result(a, ok);
        after_overlapped(a, ok);
        if (!a->ov_pending) settle(a, id, 0);
        free(in);
        return;
    }
    CALL("TransactNamedPipe(%s, in=%lu bytes, out=buf[%lu])", a->name, len, outsz);
    id = queue_to_peer(a, in, len);
    SetLastError(0xdeadbeef);
    ok = TransactNamedPipe(a->h, in, len, out, outsz, &n, NULL);
    set_bool_result(a, ok);
    if (ok || a->act.error == ERROR_MORE_DATA) {
        ps_actual_set(&a->act, "bytes", "%lu", n);
        check_read(a, out, n, ok);
    } else
        settle(a, id, 0); /* the request did not go (ERROR_BAD_PIPE, ERROR_PIPE_BUSY...) */
    free(in);
    free(out);
}

static void op_result(actor *a, const ps_step *s)
{
    DWORD n = 0;
    BOOL ok, wait = ps_arg_get(s, "wait") ? bool_arg(s, "wait") : TRUE;
    if (!a->ov.hEvent) {
        CALL("GetOverlappedResult(%s): no overlapped call was made", a->name);
        a->act.error = ERROR_INVALID_PARAMETER;
        snprintf(a->ret, sizeof a->ret, "harness");
        return;
    }
    CALL("GetOverlappedResult(%s, %s, wait=%s)", a->name, a->ov_op ? a->ov_op : "?", wait ? "TRUE" : "FALSE");
    SetLastError(0xdeadbeef);
    ok = GetOverlappedResult(a->h, &a->ov, &n, wait);
    set_bool_result(a, ok);
    if (ok || a->act.error == ERROR_MORE_DATA) {
        ps_actual_set(&a->act, "bytes", "%lu", n);
        if (a->ov_op && (!strcmp(a->ov_op, "read") || !strcmp(a->ov_op, "transact"))) {
            check_read(a, a->ov_buf, n, ok);
        }
    }
    if (a->ov_op && !strcmp(a->ov_op, "write") && (ok || a->act.error != ERROR_IO_INCOMPLETE))
        settle(a, a->ov_msg, n); /* what really went (all of it, or part when cancelled) */
    if (ok || a->act.error != ERROR_IO_INCOMPLETE) a->ov_pending = 0;
}

static void op_close(actor *a)
{
    BOOL ok;
    CALL("CloseHandle(%s)", a->name);
    SetLastError(0xdeadbeef);
    ok = CloseHandle(a->h);
    set_bool_result(a, ok);
    a->h = INVALID_HANDLE_VALUE;
    /* What this end had not read is gone; what it wrote stays readable by the peer
     * (row 18). A closed server end frees its client; a server whose client closed
     * stays taken until DisconnectNamedPipe (row 4). */
    EnterCriticalSection(&g.qlock);
    clear_queue_locked(a);
    if (a->peer && a->is_server && a->peer->peer == a) a->peer->peer = NULL;
    a->peer = NULL;
    LeaveCriticalSection(&g.qlock);
}

static void op_disconnect(actor *a)
{
    BOOL ok;
    CALL("DisconnectNamedPipe(%s)", a->name);
    SetLastError(0xdeadbeef);
    ok = DisconnectNamedPipe(a->h);
    set_bool_result(a, ok);
    if (ok) {
        EnterCriticalSection(&g.qlock);
        clear_queue_locked(a);
        if (a->peer) {
            clear_queue_locked(a->peer);
            if (a->peer->peer == a) a->peer->peer = NULL;
            a->peer = NULL;
        }
        a->listen_seq = 0;
        LeaveCriticalSection(&g.qlock);
    }
}

static void op_token(actor *a)
{
    HANDLE tok;
    SECURITY_IMPERSONATION_LEVEL lvl;
    DWORD n;
    CALL("OpenThreadToken(current thread) + GetTokenInformation(TokenImpersonationLevel)");
    SetLastError(0xdeadbeef);
    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &tok)) {
        set_bool_result(a, FALSE);
        return;
    }
    if (!GetTokenInformation(tok, TokenImpersonationLevel, &lvl, sizeof lvl, &n)) {
        set_bool_result(a, FALSE);
    } else {
        set_bool_result(a, TRUE);
        ps_actual_set(&a->act, "level", "%s",
                      lvl == SecurityAnonymous ? "anonymous"
                      : lvl == SecurityIdentification ? "identification"
                      : lvl == SecurityImpersonation ? "impersonation" : "delegation");
    }
    CloseHandle(tok);
}

static void op_pid(actor *a, const ps_step *s)
{
    const char *of = ps_arg_get(s, "of");
    ULONG pid = 0;
    BOOL ok;
    int i;
    int server = of ? !strcmp(of, "server") : 0;
    CALL("%s(%s)", server ? "GetNamedPipeServerProcessId" : "GetNamedPipeClientProcessId", a->name);
    SetLastError(0xdeadbeef);
    ok = server ? GetNamedPipeServerProcessId(a->h, &pid) : GetNamedPipeClientProcessId(a->h, &pid);
    set_bool_result(a, ok);
    if (!ok) return;
    if (pid == GetCurrentProcessId()) {
        ps_actual_set(&a->act, "pid", "self");
        return;
    }
    for (i = 0; i < g.nactors; i++)
        if (g.actors[i]->role == PS_ROLE_PROC && g.actors[i]->pi.dwProcessId == pid) {
            ps_actual_set(&a->act, "pid", "%s", g.actors[i]->name);
            return;
        }
    ps_actual_set(&a->act, "pid", "%lu", pid);
}

/* ---- audit: effective access of an identity under the pipe's DACL ---- */
static void op_audit(actor *a, const ps_step *s);

/* ---- processes ---- */
static DWORD WINAPI out_reader(LPVOID p)
{
    actor *a = p;
    char buf[4096];
    DWORD n;
    while (ReadFile(a->out_rd, buf, sizeof buf, &n, NULL) && n > 0) {
        DWORD i, k = 0;
        EnterCriticalSection(&a->out_lock);
        for (i = 0; i < n; i++)
            if (buf[i] != '\r') buf[k++] = buf[i];
        ps_buf_add(&a->out, buf, k);
        LeaveCriticalSection(&a->out_lock);
        SetEvent(a->out_event);
    }
    SetEvent(a->out_event);
    return 0;
}

static void op_start(actor *a, const ps_step *s)
{
    char *cmd0 = expand(ps_arg_get(s, "cmd") ? ps_arg_get(s, "cmd") : "");
    char *cmd = ps_translate_cmdline(cmd0);
    wchar_t *w = ps_wide(cmd);
    STARTUPINFOW si;
    SECURITY_ATTRIBUTES sa;
    HANDLE wr;
    BOOL ok;
    CALL("CreateProcessW(%s)", cmd);
    sa.nLength = sizeof sa;
    sa.lpSecurityDescriptor = NULL;
    sa.bInheritHandle = TRUE;
    CreatePipe(&a->out_rd, &wr, &sa, 0);
    SetHandleInformation(a->out_rd, HANDLE_FLAG_INHERIT, 0);
    memset(&si, 0, sizeof si);
    si.cb = sizeof si;
    si.dwFlags = STARTF_USESTDHANDLES;
    si.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
    si.hStdOutput = wr;
    si.hStdError = wr;
    SetLastError(0xdeadbeef);
    ok = CreateProcessW(NULL, w, NULL, NULL, TRUE, 0, NULL, NULL, &si, &a->pi);
    set_bool_result(a, ok);
    CloseHandle(wr);
    if (ok) {
        a->started = 1;
        InitializeCriticalSection(&a->out_lock);
        a->out_event = CreateEventW(NULL, FALSE, FALSE, NULL);
        ps_buf_init(&a->out);
        a->out_thread = CreateThread(NULL, 0, out_reader, a, 0, NULL);
    }
    free(w);
    free(cmd);
    free(cmd0);
}

/* Waits until the pipe exists: WaitNamedPipe answers ERROR_FILE_NOT_FOUND at once
 * while there is no such pipe (row 1), and anything else once there is. */
static int wait_pipe_exists(const wchar_t *name, DWORD ms, actor *proc)
{
    double end = ps_now_ms() + ms;
    for (;;) {
        DWORD e;
        SetLastError(0xdeadbeef);
        if (WaitNamedPipeW(name, 1)) return 0;
        e = GetLastError();
        if (e != ERROR_FILE_NOT_FOUND) return 0;
        if (ps_now_ms() >= end) return WAIT_TIMEOUT;
        if (proc && proc->started && WaitForSingleObject(proc->pi.hProcess, 0) == WAIT_OBJECT_0)
            return ERROR_BROKEN_PIPE; /* the program ended without creating its pipe */
        Sleep(5);
    }
}

static void op_waitpipe(actor *a, const ps_step *s)
{
    wchar_t *name = pipe_name(s, 1);
    DWORD t = ms_arg(s, "timeout", 5000);
    char *u = ps_utf8(name);
    t = (DWORD)(t * (g.o->time_scale > 0 ? g.o->time_scale : 1.0));
    CALL("wait until %s exists (%lu ms)", u, t);
    free(u);
    a->act.error = wait_pipe_exists(name, t, a);
    snprintf(a->ret, sizeof a->ret, "%s", a->act.error ? "not there" : "exists");
    free(name);
}

static void op_serve(actor *a, const ps_step *s)
{
    const char *cl = ps_arg_get(s, "clients");
    DWORD t = ms_arg(s, "timeout", 5000);
    wchar_t *name;
    t = (DWORD)(t * (g.o->time_scale > 0 ? g.o->time_scale : 1.0));
    g.clients = cl ? atoi(cl) : 1;
    if (g.o->server_pipe) {
        /* an already running server, shared by the cases one after the other: wait
         * until it has an instance listening for this case's client */
        double end = ps_now_ms() + t;
        name = pipe_name(s, 1);
        CALL("--server-pipe %s: wait for a listening instance", g.o->server_pipe);
        for (;;) {
            SetLastError(0xdeadbeef);
            if (WaitNamedPipeW(name, 100)) {
                a->act.error = 0;
                break;
            }
            a->act.error = GetLastError();
            if (ps_now_ms() >= end) break;
            if (a->act.error == ERROR_FILE_NOT_FOUND) Sleep(10);
        }
        snprintf(a->ret, sizeof a->ret, "%s", a->act.error ? "not there" : "listening");
        free(name);
        return;
    }
    if (cl && atoi(cl) != 1 && g.o->server_cmd && !strstr(g.o->server_cmd, "{clients}")) {
        CALL("serve clients=%s: the server command has no {clients} placeholder", cl);
        snprintf(a->data_error, sizeof a->data_error,
                 "this case needs a server that serves %s clients in turn: put {clients} in --server-cmd", cl);
        a->act.error = ERROR_NOT_SUPPORTED;
        return;
    }
    {
        ps_step tmp = *s;
        ps_arg arg;
        char *cmd;
        if (g.o->server_cmd) cmd = ps_xstrdup("{server_cmd}");
        else if (cl) cmd = ps_sprintf("\"{reference_server}\" --pipe {pipe} --clients %s", cl);
        else cmd = ps_xstrdup("{server_cmd}");
        arg.key = "cmd";
        arg.value = cmd;
        arg.col = 0;
        tmp.args = &arg;
        tmp.nargs = 1;
        op_start(a, &tmp);
        free(cmd);
    }
    a->serving = 1;
    if (a->act.error) return;
    {
        char save[512];
        double t0 = ps_now_ms();
        snprintf(save, sizeof save, "%s", a->call);
        name = pipe_name(s, 1);
        a->act.error = wait_pipe_exists(name, t, a);
        free(name);
        CALL("%s, then waited %.0f ms for its pipe", save, ps_now_ms() - t0);
        snprintf(a->ret, sizeof a->ret, "%s", a->act.error ? "no pipe" : "serving");
    }
}

static void op_exit(actor *a, const ps_step *s)
{
    DWORD t = ms_arg(s, "timeout", 10000), code = 0, r;
    if (t != INFINITE) t = (DWORD)(t * (g.o->time_scale > 0 ? g.o->time_scale : 1.0));
    CALL("WaitForSingleObject(%s, %lu) + GetExitCodeProcess", a->name, t);
    if (!a->started) {
        a->act.error = ERROR_INVALID_HANDLE;
        return;
    }
    r = WaitForSingleObject(a->pi.hProcess, t);
    if (r == WAIT_TIMEOUT) {
        a->act.error = WAIT_TIMEOUT;
        snprintf(a->ret, sizeof a->ret, "WAIT_TIMEOUT");
        return;
    }
    GetExitCodeProcess(a->pi.hProcess, &code);
    a->act.error = 0;
    snprintf(a->ret, sizeof a->ret, "exited");
    if (code >= 0xC0000000UL) ps_actual_set(&a->act, "code", "0x%08lX", code); /* an exception */
    else ps_actual_set(&a->act, "code", "%lu", code);
    if (a->out_thread) WaitForSingleObject(a->out_thread, 2000);
}

static void op_kill(actor *a)
{
    CALL("TerminateProcess(%s)", a->name);
    set_bool_result(a, a->started && TerminateProcess(a->pi.hProcess, 1));
    if (a->started) WaitForSingleObject(a->pi.hProcess, 5000);
}

static char *proc_output(actor *a)
{
    char *s;
    if (!a->started) return ps_xstrdup("");
    EnterCriticalSection(&a->out_lock);
    s = ps_xstrdup(a->out.data ? a->out.data : "");
    LeaveCriticalSection(&a->out_lock);
    return s;
}

static void op_output(actor *a, const ps_step *s)
{
    const char *file = ps_arg_get(s, "file"), *contains = ps_arg_get(s, "contains"),
               *lines = ps_arg_get(s, "lines");
    char *out = proc_output(a);
    a->act.error = 0;
    snprintf(a->ret, sizeof a->ret, "compared");
    if (file) {
        char *fe = expand(file), *path, *want_raw, *want;
        size_t wl;
        path = (fe[0] == '/' || fe[0] == '\\' || (fe[0] && fe[1] == ':')) ? ps_xstrdup(fe)
             : ps_sprintf("%s/%s", g.srcdir, fe);
        CALL("output of %s == file %s", a->name, file);
        want_raw = ps_read_file(path, &wl);
        if (!want_raw) {
            snprintf(a->data_error, sizeof a->data_error, "cannot read expected output file %s", path);
        } else {
            /* {pipe} in the expected file (or the name given with as=) stands for this
             * case's pipe name; CR removed */
            const char *as = ps_arg_get(s, "as");
            char *w2 = expand(want_raw), *q, *d;
            if (as && *as) {
                ps_buf r;
                const char *x = w2, *hit;
                ps_buf_init(&r);
                while ((hit = strstr(x, as)) != NULL) {
                    ps_buf_add(&r, x, (size_t)(hit - x));
                    ps_buf_adds(&r, g.o->pipe);
                    x = hit + strlen(as);
                }
                ps_buf_adds(&r, x);
                free(w2);
                w2 = ps_buf_steal(&r);
            }
            for (q = d = w2; *q; q++)
                if (*q != '\r') *d++ = *q;
            *d = 0;
            want = w2;
            if (strcmp(want, out) != 0) {
                size_t i = 0;
                int line = 1;
                while (want[i] && want[i] == out[i]) {
                    if (want[i] == '\n') line++;
                    i++;
                }
                snprintf(a->data_error, sizeof a->data_error,
                         "output differs from %s at line %d: expected \"%.60s\", got \"%.60s\"", file,
                         line, want + (i - (i > 0 && want[i - 1] != '\n' ? 0 : 0)), out + i);
            }
            free(want);
            free(want_raw);
        }
        free(path);
        free(fe);
    }
    if (contains) {
        char *ce = expand(contains);
        CALL("output of %s contains \"%s\"", a->name, ce);
        if (!strstr(out, ce))
            snprintf(a->data_error, sizeof a->data_error, "output does not contain \"%.80s\"; it is \"%.120s\"", ce, out);
        free(ce);
    }
    if (lines) {
        int n = 0;
        const char *q;
        for (q = out; *q; q++)
            if (*q == '\n') n++;
        if (n != atoi(lines))
            snprintf(a->data_error, sizeof a->data_error, "output has %d lines, expected %s", n, lines);
    }
    free(out);
}

static void op_waitline(actor *a, const ps_step *s)
{
    char *text = expand(ps_arg_get(s, "text") ? ps_arg_get(s, "text") : "");
    DWORD t = ms_arg(s, "timeout", 10000);
    double end;
    t = (DWORD)(t * (g.o->time_scale > 0 ? g.o->time_scale : 1.0));
    end = ps_now_ms() + t;
    CALL("wait for \"%s\" in the output of %s (%lu ms)", text, a->name, t);
    snprintf(a->ret, sizeof a->ret, "WAIT_TIMEOUT");
    a->act.error = WAIT_TIMEOUT;
    for (;;) {
        char *out = proc_output(a);
        int found = strstr(out, text) != NULL;
        free(out);
        if (found) {
            a->act.error = 0;
            snprintf(a->ret, sizeof a->ret, "found");
            break;
        }
        if (ps_now_ms() >= end || !a->started) break;
        WaitForSingleObject(a->out_event, 50);
    }
    free(text);
}

static void run_op(actor *a, const ps_step *s)
{
    const char *op = s->op;
    if (a->role != PS_ROLE_PROC && strcmp(op, "create") && strcmp(op, "open") &&
        strcmp(op, "wait") && strcmp(op, "call") && a->h == INVALID_HANDLE_VALUE &&
        strcmp(op, "close") && strcmp(op, "token") && strcmp(op, "revert")) {
        /* still make the call on the invalid handle: that is what a program would do */
    }
    if (!strcmp(op, "create")) op_create(a, s);
    else if (!strcmp(op, "connect")) op_connect(a, s);
    else if (!strcmp(op, "disconnect")) op_disconnect(a);
    else if (!strcmp(op, "impersonate")) {
        CALL("ImpersonateNamedPipeClient(%s)", a->name);
        SetLastError(0xdeadbeef);
        set_bool_result(a, ImpersonateNamedPipeClient(a->h));
    } else if (!strcmp(op, "token")) op_token(a);
    else if (!strcmp(op, "revert")) {
        CALL("RevertToSelf()");
        set_bool_result(a, RevertToSelf());
    } else if (!strcmp(op, "open")) op_open(a, s);
    else if (!strcmp(op, "wait")) op_wait(a, s);
    else if (!strcmp(op, "call")) op_call(a, s);
    else if (!strcmp(op, "mode")) op_mode(a, s);
    else if (!strcmp(op, "state")) op_state(a);
    else if (!strcmp(op, "info")) op_info(a);
    else if (!strcmp(op, "write")) op_write(a, s);
    else if (!strcmp(op, "read")) op_read(a, s);
    else if (!strcmp(op, "peek")) op_peek(a, s);
    else if (!strcmp(op, "transact")) op_transact(a, s);
    else if (!strcmp(op, "result")) op_result(a, s);
    else if (!strcmp(op, "flush")) {
        CALL("FlushFileBuffers(%s)", a->name);
        SetLastError(0xdeadbeef);
        set_bool_result(a, FlushFileBuffers(a->h));
    } else if (!strcmp(op, "close")) op_close(a);
    else if (!strcmp(op, "pid")) op_pid(a, s);
    else if (!strcmp(op, "audit")) op_audit(a, s);
    else if (!strcmp(op, "start")) op_start(a, s);
    else if (!strcmp(op, "serve")) op_serve(a, s);
    else if (!strcmp(op, "waitpipe")) op_waitpipe(a, s);
    else if (!strcmp(op, "exit")) op_exit(a, s);
    else if (!strcmp(op, "kill")) op_kill(a);
    else if (!strcmp(op, "output")) op_output(a, s);
    else if (!strcmp(op, "waitline")) op_waitline(a, s);
    else {
        CALL("%s: not implemented by this executor", op);
        a->act.error = ERROR_CALL_NOT_IMPLEMENTED;
    }
}

static DWORD WINAPI actor_thread(LPVOID p)
{
    actor *a = p;
    for (;;) {
        WaitForSingleObject(a->go, INFINITE);
        a->t0 = ps_now_ms();
        run_op(a, a->step);
        a->t1 = ps_now_ms();
        a->act.elapsed_ms = a->t1 - a->t0;
        SetEvent(a->done);
    }
    return 0;
}

static actor *get_actor(const ps_step *s)
{
    actor *a = find_actor(s->actor);
    if (a) return a;
    a = ps_xcalloc(1, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", s->actor);
    a->role = s->role;
    a->h = INVALID_HANDLE_VALUE;
    a->go = CreateEventW(NULL, FALSE, FALSE, NULL);
    a->done = CreateEventW(NULL, FALSE, FALSE, NULL);
    a->thread = CreateThread(NULL, 256 * 1024, actor_thread, a, 0, NULL);
    g.actors[g.nactors++] = a;
    return a;
}

/* ---------------- audit ---------------- */
static void op_audit(actor *a, const ps_step *s)
{
    const char *who = ps_arg_get(s, "who") ? ps_arg_get(s, "who") : "self";
    const char *rights = ps_arg_get(s, "rights") ? ps_arg_get(s, "rights") : "readwrite";
    unsigned long desired = ps_rights_mask(rights);
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD need = 0;
    CALL("GetKernelObjectSecurity(%s, DACL) + %s for %s, %s", a->name,
         strcmp(who, "self") ? "DACL walk" : "AccessCheck", who, rights);
    SetLastError(0xdeadbeef);
    GetKernelObjectSecurity(a->h, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, NULL, 0, &need);
    if (!need) {
        set_bool_result(a, FALSE);
        return;
    }
    sd = ps_xmalloc(need);
    if (!GetKernelObjectSecurity(a->h, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION, sd, need, &need)) {
        set_bool_result(a, FALSE);
        free(sd);
        return;
    }
    if (!strcmp(who, "self")) {
        HANDLE tok = NULL, imp = NULL;
        GENERIC_MAPPING gm = {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS};
        PRIVILEGE_SET ps;
        DWORD psl = sizeof ps, granted = 0;
        BOOL status = FALSE, ok;
        ok = OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &tok) &&
             DuplicateToken(tok, SecurityImpersonation, &imp) &&
             AccessCheck(sd, imp, desired, &gm, &ps, &psl, &granted, &status);
        set_bool_result(a, ok);
        if (ok) ps_actual_set(&a->act, "granted", "%s", status ? "yes" : "no");
        if (tok) CloseHandle(tok);
        if (imp) CloseHandle(imp);
    } else {
        BOOL present = FALSE, defaulted = FALSE;
        PACL dacl = NULL;
        ps_ace aces[64];
        char *sids[64];
        int n = 0, i;
        if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted)) {
            set_bool_result(a, FALSE);
            free(sd);
            return;
        }
        if (present && dacl) {
            for (i = 0; i < (int)dacl->AceCount && n < 64; i++) {
                ACE_HEADER *h;
                PSID sid;
                LPWSTR str = NULL;
                if (!GetAce(dacl, (DWORD)i, (void **)&h)) continue;
                if (h->AceType == ACCESS_ALLOWED_ACE_TYPE) {
                    ACCESS_ALLOWED_ACE *x = (ACCESS_ALLOWED_ACE *)h;
                    aces[n].deny = 0;
                    aces[n].mask = x->Mask;
                    sid = &x->SidStart;
                } else if (h->AceType == ACCESS_DENIED_ACE_TYPE) {
                    ACCESS_DENIED_ACE *x = (ACCESS_DENIED_ACE *)h;
                    aces[n].deny = 1;
                    aces[n].mask = x->Mask;
                    sid = &x->SidStart;
                } else
                    continue;
                if (!ConvertSidToStringSidW(sid, &str)) continue;
                sids[n] = ps_utf8(str);
                LocalFree(str);
                aces[n].sid = sids[n];
                n++;
            }
        }
        set_bool_result(a, TRUE);
        ps_actual_set(&a->act, "granted", "%s",
                      ps_dacl_grants(present && dacl, aces, n, ps_identity_sids(who), desired) ? "yes" : "no");
        for (i = 0; i < n; i++) free(sids[i]);
    }
    free(sd);
}

/* ---------------- the script ---------------- */
static void trace(const ps_step *s, actor *a, ps_verdict v, const char *verdict_name,
                  const char *note)
{
    ps_buf b;
    char en[64];
    int i;
    const char *ename;
    ps_buf_init(&b);
    ps_buf_printf(&b, "T\t{\"line\":%d,\"actor\":", s->line);
    ps_json_str(&b, s->actor ? s->actor : "");
    ps_buf_adds(&b, ",\"op\":");
    ps_json_str(&b, s->op);
    ps_buf_adds(&b, ",\"call\":");
    ps_json_str(&b, a ? a->call : s->text);
    if (a) {
        ps_buf_printf(&b, ",\"t_ms\":%.3f,\"dur_ms\":%.3f,\"ret\":", a->t0 - g.t_case, a->t1 - a->t0);
        ps_json_str(&b, a->ret[0] ? a->ret : (a->act.error ? "FALSE" : "TRUE"));
        ename = ps_error_name(a->act.error);
        ps_buf_printf(&b, ",\"error\":%lu,\"error_name\":", a->act.error);
        ps_json_str(&b, ename ? ename : (snprintf(en, sizeof en, "%lu", a->act.error), en));
        ps_buf_adds(&b, ",\"fields\":{");
        for (i = 0; i < a->act.nfields; i++) {
            if (i) ps_buf_addc(&b, ',');
            ps_json_str(&b, a->act.fields[i].key);
            ps_buf_addc(&b, ':');
            ps_json_str(&b, a->act.fields[i].value);
        }
        ps_buf_addc(&b, '}');
    } else {
        ps_buf_printf(&b, ",\"t_ms\":%.3f", ps_now_ms() - g.t_case);
    }
    ps_buf_adds(&b, ",\"expected\":");
    ps_json_str(&b, s->expect.present ? s->expect.text : "ok");
    if (s->wine.present) {
        ps_buf_adds(&b, ",\"wine\":");
        ps_json_str(&b, s->wine.text);
    }
    ps_buf_adds(&b, ",\"verdict\":");
    ps_json_str(&b, verdict_name ? verdict_name : ps_verdict_name(v));
    if (note && *note) {
        ps_buf_adds(&b, ",\"note\":");
        ps_json_str(&b, note);
    }
    ps_buf_adds(&b, "}\n");
    emit(b.data);
    ps_buf_free(&b);
}

/* The step as written, without its expectation and with runs of blanks folded:
 * "client A read size=40". */
static char *short_step(const ps_step *s)
{
    char *t = ps_xstrdup(s->text), *arrow = strstr(t, " ->"), *q, *d;
    if (arrow) *arrow = 0;
    for (q = d = t; *q; q++)
        if (!(*q == ' ' && (d == t || d[-1] == ' '))) *d++ = *q;
    while (d > t && d[-1] == ' ') d--;
    *d = 0;
    return t;
}

/* Judges a finished step of actor a; stops the case on FAIL. */
static void judge(const ps_step *s, actor *a)
{
    char msg[1024];
    ps_verdict v = ps_judge(s, &a->act, g.on_wine, g.o->strict, g.o->time_scale, msg, sizeof msg);
    if (a->data_error[0] && v != PS_V_FAIL) {
        snprintf(msg, sizeof msg, "%s", a->data_error);
        v = PS_V_FAIL;
    }
    trace(s, a, v, NULL, msg);
    if (v == PS_V_XFAIL || v == PS_V_XPASS) {
        char *m = ps_xstrdup(msg), *d;
        clean_tabs(m);
        d = ps_sprintf("D\t%d\t%s\n", s->line, m);
        emit(d);
        free(d);
        free(m);
    }
    g.outcome = ps_fold(g.outcome, v);
    if (v == PS_V_FAIL) {
        char *call = short_step(s), *r = ps_sprintf("%s: %s", call, msg);
        free(call);
        finish(PS_FAIL, s->line, r);
    }
    if ((v == PS_V_XFAIL || v == PS_V_XPASS) && !g.decided_line) {
        g.decided_line = s->line;
        snprintf(g.reason, sizeof g.reason, "%s", msg);
    }
}

static void started(const ps_step *s)
{
    char *t = ps_xstrdup(s->text), *out;
    clean_tabs(t);
    out = ps_sprintf("S\t%d\t%s\n", s->line, t);
    emit(out);
    free(out);
    free(t);
}

static DWORD time_left(void)
{
    double left = g.deadline - ps_now_ms();
    return left <= 0 ? 0 : (DWORD)left;
}

static void wait_done(const ps_step *s, actor *a, DWORD limit)
{
    DWORD r = WaitForSingleObject(a->done, limit);
    if (r != WAIT_OBJECT_0) {
        char *st = short_step(a->step);
        char *why = ps_sprintf("case did not finish within %ld ms; hung on line %d: %s (%s)",
                               g.o->timeout_ms, a->step->line, st, a->call[0] ? a->call : "blocked");
        free(st);
        finish(PS_TIMEOUT, s->line, why);
    }
    a->busy = 0;
}

static void run_step(const ps_step *s)
{
    actor *a;
    if (s->role == PS_ROLE_NONE) {
        if (!strcmp(s->op, "sleep")) {
            long ms = 0;
            ps_parse_ms(ps_arg_get(s, "ms"), &ms);
            Sleep((DWORD)ms);
            return;
        }
        if (!strcmp(s->op, "debug")) {
            started(s);
            if (!strcmp(ps_arg_get(s, "what"), "crash")) {
                volatile int *nullp = NULL;
                *nullp = 1; /* an access violation, on purpose */
            }
            for (;;) Sleep(1000);
        }
        a = find_actor(s->actor);
        if (!a || !a->bg) {
            finish(PS_ERROR, s->line, "await/pending: the actor has no background step running");
        }
        if (!strcmp(s->op, "pending")) {
            ps_actual act;
            memset(&act, 0, sizeof act);
            if (WaitForSingleObject(a->done, 0) == WAIT_OBJECT_0) {
                /* it finished: judge it now so the trace is complete, then fail */
                SetEvent(a->done);
                wait_done(s, a, 0);
                a->bg = 0;
                judge(a->step, a);
                {
                    char *r = ps_sprintf("line %d: %s: expected line %d to be still blocked, but it had finished (%s)",
                                         s->line, s->text, a->step->line, a->call);
                    trace(s, NULL, PS_V_FAIL, "fail", r);
                    finish(PS_FAIL, s->line, r);
                }
            }
            trace(s, NULL, PS_V_OK, "ok", "still blocked, as expected");
            return;
        }
        /* await */
        {
            const char *t = ps_arg_get(s, "timeout");
            long ms = 0;
            DWORD limit = time_left();
            if (t && ps_parse_ms(t, &ms) == 0) {
                DWORD lim2 = (DWORD)(ms * (g.o->time_scale > 0 ? g.o->time_scale : 1.0));
                if (lim2 < limit) limit = lim2;
            }
            started(s);
            wait_done(s, a, limit);
            a->bg = 0;
            judge(a->step, a);
        }
        return;
    }
    a = get_actor(s);
    if (!strcmp(s->op, "cancel") || !strcmp(s->op, "cancel_sync")) {
        /* from the script thread, so it can reach I/O that blocks the actor's thread */
        actor tmp = *a;
        BOOL ok;
        memset(&tmp.act, 0, sizeof tmp.act);
        tmp.ret[0] = 0;
        tmp.data_error[0] = 0;
        started(s);
        tmp.t0 = ps_now_ms();
        SetLastError(0xdeadbeef);
        if (!strcmp(s->op, "cancel")) {
            snprintf(tmp.call, sizeof tmp.call, "CancelIoEx(%s, NULL)", a->name);
            ok = CancelIoEx(a->h, NULL);
        } else {
            snprintf(tmp.call, sizeof tmp.call, "CancelSynchronousIo(thread of %s)", a->name);
            ok = CancelSynchronousIo(a->thread);
        }
        tmp.act.error = ok ? 0 : GetLastError();
        snprintf(tmp.ret, sizeof tmp.ret, "%s", ok ? "TRUE" : "FALSE");
        tmp.t1 = ps_now_ms();
        tmp.act.elapsed_ms = tmp.t1 - tmp.t0;
        judge(s, &tmp);
        return;
    }
    if (a->busy) {
        char *r = ps_sprintf("actor %s is still busy with line %d (%s); add 'await %s' first",
                             a->name, a->step->line, a->step->text, a->name);
        finish(PS_ERROR, s->line, r);
    }
    memset(&a->act, 0, sizeof a->act);
    a->call[0] = a->ret[0] = a->data_error[0] = 0;
    a->step = s;
    a->busy = 1;
    started(s);
    SetEvent(a->go);
    if (s->background) {
        a->bg = 1;
        return;
    }
    wait_done(s, a, time_left());
    judge(s, a);
}

/* A crash of the case process (or of the implementation inside it) ends it at once
 * with the exception code as its exit code, which the parent reports; no debugger. */
static LONG WINAPI die_on_exception(EXCEPTION_POINTERS *ep)
{
    FlushFileBuffers(g.out);
    TerminateProcess(GetCurrentProcess(), ep->ExceptionRecord->ExceptionCode);
    return EXCEPTION_EXECUTE_HANDLER;
}

int ps_child_main(const ps_child_opts *o)
{
    ps_diag d;
    int i;
    char *slash;
    memset(&g, 0, sizeof g);
    memset(&d, 0, sizeof d);
    g.o = o;
    InitializeCriticalSection(&g.out_lock);
    InitializeCriticalSection(&g.qlock);
    g.out = GetStdHandle(STD_OUTPUT_HANDLE);
    g.on_wine = ps_platform_is_wine();
    g.outcome = PS_PASS;
    g.srcdir = ps_xstrdup(o->file);
    slash = strrchr(g.srcdir, '/');
    if (!slash || strrchr(g.srcdir, '\\') > slash) slash = strrchr(g.srcdir, '\\');
    if (slash) *slash = 0;
    else strcpy(g.srcdir, ".");
    SetErrorMode(SEM_FAILCRITICALERRORS | SEM_NOGPFAULTERRORBOX);
    SetUnhandledExceptionFilter(die_on_exception);
    g.c = ps_load_case(o->file, &d);
    if (!g.c) {
        finish(PS_ERROR, 0, d.count ? d.msgs[0] : "cannot parse the case");
    }
    g.t_case = ps_now_ms();
    g.deadline = g.t_case + (double)o->timeout_ms;
    for (i = 0; i < g.c->nsteps; i++) run_step(&g.c->steps[i]);
    /* background steps never awaited: judge those that finished */
    for (i = 0; i < g.nactors; i++) {
        actor *a = g.actors[i];
        if (a->bg && WaitForSingleObject(a->done, 0) == WAIT_OBJECT_0) {
            a->bg = 0;
            judge(a->step, a);
        } else if (a->bg) {
            trace(a->step, NULL, PS_V_OK, "pending", "still blocked when the case ended (not judged)");
        }
    }
    /* the server under test: a crash fails the case; one still running is ended */
    for (i = 0; i < g.nactors; i++) {
        actor *a = g.actors[i];
        DWORD code = 0;
        if (!a->serving || !a->started) continue;
        if (WaitForSingleObject(a->pi.hProcess, 0) == WAIT_OBJECT_0 &&
            GetExitCodeProcess(a->pi.hProcess, &code) && code >= 0xC0000000UL) {
            char *r = ps_sprintf("the server under test (%s) crashed with exception 0x%08lX", a->name, code);
            finish(PS_FAIL, 0, r);
        }
    }
    finish(g.outcome, g.decided_line, g.outcome == PS_PASS ? "" : g.reason);
    return 0;
}
