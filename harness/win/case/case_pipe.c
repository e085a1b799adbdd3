/* case_pipe.c: the pipe operations of server and client actors (one Win32 call each,
 * run on the actor's thread) and the pairing of ends. The DACL audit is case_audit.c. */
#include "case_internal.h"

/* ---------------- the operations ---------------- */
void cp_set_bool_result(actor *a, BOOL ok)
{
    a->act.error = ok ? 0 : GetLastError();
    snprintf(a->ret, sizeof a->ret, "%s", ok ? "TRUE" : "FALSE");
}

actor *cp_find_actor(const char *name)
{
    int i;
    for (i = 0; i < the_case.nactors; i++)
        if (!strcmp(the_case.actors[i]->name, name)) return the_case.actors[i];
    return NULL;
}

/* The part of a pipe name that identifies the pipe, whatever the form of the path
 * (\\.\pipe\X, \\?\pipe\X, \\host\pipe\X, ...\Device\NamedPipe\X), in lower case
 * (names are case-insensitive, row 32). */
static void cp_set_base(actor *a, const wchar_t *name)
{
    char *u = name ? ps_utf8(name) : ps_xstrdup(""), *q, *best = u;
    for (q = u; *q; q++)
        if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
    for (q = u; (q = strstr(q, "\\pipe\\")) != NULL; q++) best = q + 6;
    for (q = u; (q = strstr(q, "\\namedpipe\\")) != NULL; q++) best = q + 11;
    snprintf(a->base, sizeof a->base, "%s", best);
    free(u);
}

void cp_pair_client(actor *a)
{
    /* The peer is the server end that started listening first (BEHAVIOUR row 46;
     * WT test_multiple_instances): an instance listens from its creation, stops when a
     * client takes it or it is disconnected, and listens again on ConnectNamedPipe. */
    actor *best = NULL;
    int i;
    if (!a->base[0]) return; /* no pipe name to pair by */
    for (i = 0; i < the_case.nactors; i++) {
        actor *s = the_case.actors[i];
        if (!s->is_server || s->h == INVALID_HANDLE_VALUE || s->peer || !s->listen_seq) continue;
        if (strcmp(s->base, a->base)) continue; /* another pipe */
        if (!best || s->listen_seq < best->listen_seq) best = s;
    }
    if (best) {
        EnterCriticalSection(&the_case.qlock);
        best->peer = a;
        best->listen_seq = 0;
        a->peer = best;
        cp_clear_queue_locked(a);
        cp_clear_queue_locked(best);
        LeaveCriticalSection(&the_case.qlock);
    }
}

void op_create(actor *a, const ps_step *s)
{
    wchar_t *name = cp_bool_arg(s, "null_name") ? NULL : cp_pipe_name(s, 0);
    const char *acc = ps_arg_get(s, "access"), *type = ps_arg_get(s, "type"),
               *rd = ps_arg_get(s, "read"), *wt = ps_arg_get(s, "wait"),
               *inst = ps_arg_get(s, "instances"), *sddl = ps_arg_get(s, "sddl"),
               *flags = ps_arg_get(s, "flags");
    DWORD open = PIPE_ACCESS_DUPLEX, mode = 0, max = 1;
    DWORD outsz = (DWORD)cp_size_arg(s, "out", 1024), insz = (DWORD)cp_size_arg(s, "in", 1024);
    DWORD tmo = cp_ms_arg(s, "timeout", 0);
    SECURITY_ATTRIBUTES sa, *psa = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    char *u;
    if (acc) open = !strcmp(acc, "inbound") ? PIPE_ACCESS_INBOUND
                  : !strcmp(acc, "outbound") ? PIPE_ACCESS_OUTBOUND
                  : !strcmp(acc, "none") ? 0 : PIPE_ACCESS_DUPLEX;
    if (cp_bool_arg(s, "first")) open |= FILE_FLAG_FIRST_PIPE_INSTANCE;
    if (cp_bool_arg(s, "write_through")) open |= FILE_FLAG_WRITE_THROUGH;
    if (cp_bool_arg(s, "overlapped")) open |= FILE_FLAG_OVERLAPPED;
    mode |= (type && !strcmp(type, "message")) ? PIPE_TYPE_MESSAGE : PIPE_TYPE_BYTE;
    mode |= (rd && !strcmp(rd, "message")) ? PIPE_READMODE_MESSAGE : PIPE_READMODE_BYTE;
    mode |= (wt && !strcmp(wt, "nowait")) ? PIPE_NOWAIT : PIPE_WAIT;
    if (cp_bool_arg(s, "reject_remote")) mode |= PIPE_REJECT_REMOTE_CLIENTS;
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
    cp_begin_call(a);
    a->h = CreateNamedPipeW(name, open, mode, max, outsz, insz, tmo, psa);
    a->act.error = a->h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
    snprintf(a->ret, sizeof a->ret, "%s", a->h == INVALID_HANDLE_VALUE ? "INVALID_HANDLE_VALUE" : "handle");
    if (a->h != INVALID_HANDLE_VALUE) {
        a->is_server = 1;
        cp_set_base(a, name);
        a->listen_seq = InterlockedIncrement(&the_case.seq);
        a->read_message = (mode & PIPE_READMODE_MESSAGE) != 0;
        a->nowait = (mode & PIPE_NOWAIT) != 0;
        a->overlapped_handle = (open & FILE_FLAG_OVERLAPPED) != 0;
    }
    if (sd) LocalFree(sd);
    free(name);
}

/* A new overlapped call for op, owning out (what it reads into) and in (what it
 * sends); NULL with a harness fault when its event cannot be made (the buffers are
 * then freed). */
static ov_call *cp_start_overlapped(actor *a, const char *op, unsigned char *out, unsigned char *in)
{
    ov_call *c = ps_xcalloc(1, sizeof *c);
    c->op = op;
    c->out = out;
    c->in = in;
    c->line = a->step ? a->step->line : 0;
    c->ov.hEvent = CreateEventW(NULL, TRUE, FALSE, NULL);
    if (!c->ov.hEvent) {
        cp_harness_fault(a, "CreateEventW for the overlapped %s failed with error %lu", op, GetLastError());
        free(out);
        free(in);
        free(c);
        return NULL;
    }
    return c;
}

static void cp_free_call(ov_call *c)
{
    if (!c) return;
    CloseHandle(c->ov.hEvent);
    free(c->out);
    free(c->in);
    free(c);
}

/* After the call: pending, or completed at once (`result` collects either), it joins
 * the actor's outstanding calls and keeps its buffers. Failed at once, it is the
 * actor's last finished call: `result` may still look at what the platform left in
 * its OVERLAPPED (WT test_overlapped_error). Returns 1 when it is outstanding. */
static int cp_after_overlapped(actor *a, ov_call *c, BOOL ok)
{
    DWORD e = ok ? 0 : a->act.error;
    if (ok || e == ERROR_IO_PENDING || e == ERROR_MORE_DATA) {
        if (a->ov_tail) a->ov_tail->next = c;
        else a->ov_head = c;
        a->ov_tail = c;
        return 1;
    }
    cp_free_call(a->ov_done);
    a->ov_done = c;
    return 0;
}

void op_connect(actor *a, const ps_step *s)
{
    BOOL ok;
    if (!a->listen_seq && !a->peer) a->listen_seq = InterlockedIncrement(&the_case.seq);
    if (a->overlapped_handle || cp_bool_arg(s, "overlapped")) {
        ov_call *c = cp_start_overlapped(a, "connect", NULL, NULL);
        if (!c) return;
        CALL("ConnectNamedPipe(%s, &overlapped)", a->name);
        cp_begin_call(a);
        ok = ConnectNamedPipe(a->h, &c->ov);
        cp_set_bool_result(a, ok);
        cp_after_overlapped(a, c, ok);
        return;
    }
    CALL("ConnectNamedPipe(%s, NULL)", a->name);
    cp_begin_call(a);
    ok = ConnectNamedPipe(a->h, NULL);
    cp_set_bool_result(a, ok);
}

void op_open(actor *a, const ps_step *s)
{
    wchar_t *name = cp_bool_arg(s, "null_name") ? NULL : cp_pipe_name(s, 1);
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
    if (sq && cp_bool_arg(s, "tracking")) flags |= SECURITY_CONTEXT_TRACKING;
    if (cp_bool_arg(s, "overlapped")) flags |= FILE_FLAG_OVERLAPPED;
    u = name ? ps_utf8(name) : ps_xstrdup("NULL");
    CALL("CreateFileW(%s, access=0x%lx, share=%lu, OPEN_EXISTING, flags=0x%lx)", u, access, sh, flags);
    free(u);
    if (a->h != INVALID_HANDLE_VALUE && a->h) CloseHandle(a->h);
    cp_begin_call(a);
    a->h = CreateFileW(name, access, sh, NULL, OPEN_EXISTING, flags, NULL);
    a->act.error = a->h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
    if (ps_arg_get(s, "retry")) {
        /* the sample client's loop: on ERROR_PIPE_BUSY, WaitNamedPipe(retry) and open
         * again; any other error, or a wait that fails, ends it */
        DWORD ms = cp_ms_arg(s, "retry", 5000), busy = 0;
        while (a->h == INVALID_HANDLE_VALUE && a->act.error == ERROR_PIPE_BUSY) {
            busy++;
            SetLastError(0xdeadbeef);
            if (!WaitNamedPipeW(name, ms)) {
                a->act.error = GetLastError();
                break;
            }
            SetLastError(0xdeadbeef);
            a->h = CreateFileW(name, access, sh, NULL, OPEN_EXISTING, flags, NULL);
            a->act.error = a->h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
        }
        snprintf(a->call + strlen(a->call), sizeof a->call - strlen(a->call),
                 ", on ERROR_PIPE_BUSY WaitNamedPipe(%lu) and again (%lu busy)", ms, busy);
    }
    snprintf(a->ret, sizeof a->ret, "%s", a->h == INVALID_HANDLE_VALUE ? "INVALID_HANDLE_VALUE" : "handle");
    if (a->h != INVALID_HANDLE_VALUE) {
        a->read_message = 0; /* a client starts in byte-read mode (row 30) */
        a->nowait = 0;
        a->overlapped_handle = (flags & FILE_FLAG_OVERLAPPED) != 0;
        cp_set_base(a, name);
        cp_pair_client(a);
    }
    free(name);
}

void op_wait(actor *a, const ps_step *s)
{
    wchar_t *name = cp_pipe_name(s, 1);
    DWORD t = cp_ms_arg(s, "timeout", NMPWAIT_USE_DEFAULT_WAIT);
    char *u = ps_utf8(name);
    CALL("WaitNamedPipeW(%s, %lu)", u, t);
    free(u);
    cp_begin_call(a);
    cp_set_bool_result(a, WaitNamedPipeW(name, t));
    free(name);
}

void op_call(actor *a, const ps_step *s)
{
    wchar_t *name = cp_pipe_name(s, 1);
    DWORD len, outsz = (DWORD)cp_size_arg(s, "out", 1024), got = 0;
    unsigned char *in = cp_make_data(a, s, "size", &len), *out = in ? cp_try_alloc(a, (size_t)outsz + 1, "the reply buffer") : NULL;
    DWORD t = cp_ms_arg(s, "timeout", NMPWAIT_USE_DEFAULT_WAIT);
    char *u;
    BOOL ok;
    if (!in || !out) {
        free(in);
        free(name);
        return;
    }
    u = ps_utf8(name);
    CALL("CallNamedPipeW(%s, in=%lu bytes, out=buf[%lu], timeout=%lu)", u, len, outsz, t);
    free(u);
    cp_begin_call(a);
    ok = CallNamedPipeW(name, in, len, out, outsz, &got, t);
    cp_set_bool_result(a, ok);
    if (ok || a->act.error == ERROR_MORE_DATA) {
        ps_actual_set(&a->act, "bytes", "%lu", got);
        cp_set_text_field(a, out, got);
    }
    free(in);
    free(out);
    free(name);
}

void op_mode(actor *a, const ps_step *s)
{
    const char *rd = ps_arg_get(s, "read"), *wt = ps_arg_get(s, "wait");
    int want_msg = rd ? !strcmp(rd, "message") : a->read_message;
    int want_nowait = wt ? !strcmp(wt, "nowait") : a->nowait;
    DWORD mode = (want_msg ? PIPE_READMODE_MESSAGE : PIPE_READMODE_BYTE) |
                 (want_nowait ? PIPE_NOWAIT : PIPE_WAIT);
    BOOL ok;
    CALL("SetNamedPipeHandleState(%s, mode=%s|%s)", a->name,
         want_msg ? "PIPE_READMODE_MESSAGE" : "PIPE_READMODE_BYTE", want_nowait ? "PIPE_NOWAIT" : "PIPE_WAIT");
    cp_begin_call(a);
    ok = SetNamedPipeHandleState(a->h, &mode, NULL, NULL);
    cp_set_bool_result(a, ok);
    if (ok) {
        a->read_message = want_msg;
        a->nowait = want_nowait;
    }
}

void op_state(actor *a, const ps_step *s)
{
    /* collect=, collect_timeout=, user=: the arguments that have no meaning on a local
     * pipe (WT test_NamedPipeHandleState; docs GetNamedPipeHandleState) */
    DWORD st = 0, inst = 0, cnt = 0, tmo = 0;
    wchar_t user[256];
    int c = cp_bool_arg(s, "collect"), ct = cp_bool_arg(s, "collect_timeout"), u = cp_bool_arg(s, "user");
    BOOL ok;
    CALL("GetNamedPipeHandleStateW(%s, &state, &instances, %s, %s, %s, %u)", a->name,
         c ? "&maxCollectionCount" : "NULL", ct ? "&collectDataTimeout" : "NULL",
         u ? "userName" : "NULL", u ? 256u : 0u);
    cp_begin_call(a);
    ok = GetNamedPipeHandleStateW(a->h, &st, &inst, c ? &cnt : NULL, ct ? &tmo : NULL,
                                  u ? user : NULL, u ? 256 : 0);
    cp_set_bool_result(a, ok);
    if (ok) {
        ps_actual_set(&a->act, "read", "%s", (st & PIPE_READMODE_MESSAGE) ? "message" : "byte");
        ps_actual_set(&a->act, "wait", "%s", (st & PIPE_NOWAIT) ? "nowait" : "wait");
        ps_actual_set(&a->act, "instances", "%lu", inst);
    }
}

void op_info(actor *a, const ps_step *s)
{
    (void)s;
    DWORD fl = 0, o = 0, i = 0, m = 0;
    BOOL ok;
    CALL("GetNamedPipeInfo(%s)", a->name);
    cp_begin_call(a);
    ok = GetNamedPipeInfo(a->h, &fl, &o, &i, &m);
    cp_set_bool_result(a, ok);
    if (ok) {
        ps_actual_set(&a->act, "type", "%s", (fl & PIPE_TYPE_MESSAGE) ? "message" : "byte");
        ps_actual_set(&a->act, "end", "%s", (fl & PIPE_SERVER_END) ? "server" : "client");
        ps_actual_set(&a->act, "out", "%lu", o);
        ps_actual_set(&a->act, "in", "%lu", i);
        ps_actual_set(&a->act, "max", "%lu", m);
    }
}

void op_write(actor *a, const ps_step *s)
{
    long id;
    DWORD len, w = 0;
    unsigned char *d = cp_make_data(a, s, "size", &len);
    BOOL ok;
    if (!d) return;
    if (a->overlapped_handle || cp_bool_arg(s, "overlapped")) {
        ov_call *c = cp_start_overlapped(a, "write", NULL, d);
        if (!c) return;
        CALL("WriteFile(%s, %lu bytes, &overlapped)", a->name, len);
        id = c->msg = cp_queue_to_peer(a, d, len);
        if (a->harness_error[0]) return; /* c stays allocated: harmless, the case ends */
        cp_begin_call(a);
        ok = WriteFile(a->h, d, len, &w, &c->ov);
        cp_set_bool_result(a, ok);
        if (!cp_after_overlapped(a, c, ok)) cp_settle(a, id, 0); /* failed at once: nothing went */
        return;
    }
    CALL("WriteFile(%s, %lu bytes)", a->name, len);
    id = cp_queue_to_peer(a, d, len);
    if (a->harness_error[0]) {
        free(d);
        return;
    }
    cp_begin_call(a);
    ok = WriteFile(a->h, d, len, &w, NULL);
    cp_set_bool_result(a, ok);
    ps_actual_set(&a->act, "bytes", "%lu", w);
    cp_settle(a, id, ok ? w : 0);
    free(d);
}

void op_read(actor *a, const ps_step *s)
{
    DWORD size = (DWORD)cp_size_arg(s, "size", 1024), n = 0;
    unsigned char *buf = cp_try_alloc(a, (size_t)size + 2, "the read buffer");
    BOOL ok;
    if (!buf) return;
    if (a->overlapped_handle || cp_bool_arg(s, "overlapped")) {
        ov_call *c = cp_start_overlapped(a, "read", buf, NULL);
        if (!c) return;
        CALL("ReadFile(%s, buf[%lu], &overlapped)", a->name, size);
        cp_begin_call(a);
        ok = ReadFile(a->h, buf, size, &n, &c->ov);
        cp_set_bool_result(a, ok);
        cp_after_overlapped(a, c, ok);
        return; /* the data is checked by `result` */
    }
    CALL("ReadFile(%s, buf[%lu])", a->name, size);
    cp_begin_call(a);
    ok = ReadFile(a->h, buf, size, &n, NULL);
    cp_set_bool_result(a, ok);
    if (ok || a->act.error == ERROR_MORE_DATA) {
        ps_actual_set(&a->act, "bytes", "%lu", n);
        cp_set_text_field(a, buf, n);
        cp_check_read(a, buf, n, ok);
    }
    free(buf);
}

void op_peek(actor *a, const ps_step *s)
{
    DWORD size = (DWORD)cp_size_arg(s, "size", 0), n = 0, avail = 0, left = 0;
    unsigned char *buf = cp_try_alloc(a, (size_t)size + 1, "the peek buffer");
    BOOL ok;
    if (!buf) return;
    int nb = cp_bool_arg(s, "null_buf");
    CALL("PeekNamedPipe(%s, %s[%lu])", a->name, nb ? "NULL" : "buf", size);
    cp_begin_call(a);
    ok = PeekNamedPipe(a->h, nb ? NULL : buf, size, &n, &avail, &left);
    cp_set_bool_result(a, ok);
    if (ok) {
        ps_actual_set(&a->act, "bytes", "%lu", n);
        ps_actual_set(&a->act, "avail", "%lu", avail);
        ps_actual_set(&a->act, "left", "%lu", left);
    }
    free(buf);
}

void op_transact(actor *a, const ps_step *s)
{
    long id;
    DWORD len, outsz = (DWORD)cp_size_arg(s, "out", 1024), n = 0;
    unsigned char *in, *out = cp_try_alloc(a, (size_t)outsz + 2, "the transact output buffer");
    BOOL ok;
    if (!out) return;
    in = cp_make_data(a, s, "size", &len);
    if (!in) {
        free(out);
        return;
    }
    if (a->overlapped_handle || cp_bool_arg(s, "overlapped")) {
        /* both buffers belong to the call until it completes */
        ov_call *c = cp_start_overlapped(a, "transact", out, in);
        if (!c) return;
        CALL("TransactNamedPipe(%s, in=%lu bytes, out=buf[%lu], &overlapped)", a->name, len, outsz);
        id = c->msg = cp_queue_to_peer(a, in, len);
        if (a->harness_error[0]) return;
        cp_begin_call(a);
        ok = TransactNamedPipe(a->h, in, len, out, outsz, &n, &c->ov);
        cp_set_bool_result(a, ok);
        if (!cp_after_overlapped(a, c, ok)) cp_settle(a, id, 0);
        return;
    }
    CALL("TransactNamedPipe(%s, in=%lu bytes, out=buf[%lu])", a->name, len, outsz);
    id = cp_queue_to_peer(a, in, len);
    if (a->harness_error[0]) {
        free(in);
        free(out);
        return;
    }
    cp_begin_call(a);
    ok = TransactNamedPipe(a->h, in, len, out, outsz, &n, NULL);
    cp_set_bool_result(a, ok);
    if (ok || a->act.error == ERROR_MORE_DATA) {
        ps_actual_set(&a->act, "bytes", "%lu", n);
        cp_check_read(a, out, n, ok);
    } else
        cp_settle(a, id, 0); /* the request did not go (ERROR_BAD_PIPE, ERROR_PIPE_BUSY...) */
    free(in);
    free(out);
}

/* GetOverlappedResult on call c of actor a, the data it read checked (what was not
 * checked yet: asked again, a call may show more); when it has completed and is not a
 * second question (again), it leaves the outstanding calls and becomes the last one
 * collected. Shared by `result` (the oldest call) and `collect` (the Nth). */
void cp_collect_call(actor *a, ov_call *c, int again, BOOL wait)
{
    DWORD n = 0;
    BOOL ok;
    ov_call **pp;
    cp_begin_call(a);
    ok = GetOverlappedResult(a->h, &c->ov, &n, wait);
    cp_set_bool_result(a, ok);
    if (ok || a->act.error != ERROR_IO_INCOMPLETE) ps_actual_set(&a->act, "bytes", "%lu", n);
    if ((ok || a->act.error == ERROR_MORE_DATA) && (!strcmp(c->op, "read") || !strcmp(c->op, "transact")) &&
        n > c->got && c->out) {
        cp_check_read(a, c->out + c->got, n - c->got, ok);
        c->got = n;
    }
    if (again || (!ok && a->act.error == ERROR_IO_INCOMPLETE)) return; /* asked again, or still outstanding */
    if (!strcmp(c->op, "write")) cp_settle(a, c->msg, n); /* what really went (all, or part when cancelled) */
    for (pp = &a->ov_head; *pp != c; pp = &(*pp)->next) {}
    *pp = c->next;
    a->ov_tail = NULL;
    for (pp = &a->ov_head; *pp; pp = &(*pp)->next) a->ov_tail = *pp;
    c->next = NULL;
    cp_free_call(a->ov_done);
    a->ov_done = c;
}

/* Collects the actor's oldest outstanding overlapped call (or asks again about the
 * last one collected). */
void op_result(actor *a, const ps_step *s)
{
    BOOL wait = ps_arg_get(s, "wait") ? cp_bool_arg(s, "wait") : TRUE;
    ov_call *c = a->ov_head ? a->ov_head : a->ov_done;
    if (!c) {
        CALL("GetOverlappedResult(%s)", a->name);
        cp_harness_fault(a, "result on %s: no overlapped call was made on this actor, so there is nothing to collect", a->name);
        return;
    }
    CALL("GetOverlappedResult(%s, %s of line %d, wait=%s)", a->name, c->op, c->line, wait ? "TRUE" : "FALSE");
    cp_collect_call(a, c, c != a->ov_head, wait);
}

void op_close(actor *a, const ps_step *s)
{
    (void)s;
    BOOL ok;
    CALL("CloseHandle(%s)", a->name);
    cp_begin_call(a);
    ok = CloseHandle(a->h);
    cp_set_bool_result(a, ok);
    a->h = INVALID_HANDLE_VALUE;
    /* What this end had not read is gone; what it wrote stays readable by the peer
     * (row 18). A closed server end frees its client; a server whose client closed
     * stays taken until DisconnectNamedPipe (row 4). */
    EnterCriticalSection(&the_case.qlock);
    cp_clear_queue_locked(a);
    if (a->peer && a->is_server && a->peer->peer == a) a->peer->peer = NULL;
    a->peer = NULL;
    LeaveCriticalSection(&the_case.qlock);
}

void op_disconnect(actor *a, const ps_step *s)
{
    (void)s;
    BOOL ok;
    CALL("DisconnectNamedPipe(%s)", a->name);
    cp_begin_call(a);
    ok = DisconnectNamedPipe(a->h);
    cp_set_bool_result(a, ok);
    if (ok) cp_disconnected(a);
}

/* The privileges of a token: how many (TokenStatistics.PrivilegeCount, as WT
 * get_privilege_count) and whether any is enabled (WT are_all_privileges_disabled). */
static int cp_token_privileges(HANDLE tok, DWORD *count, int *enabled)
{
    TOKEN_STATISTICS ts;
    TOKEN_PRIVILEGES *tp;
    DWORD n = sizeof ts, i;
    if (!GetTokenInformation(tok, TokenStatistics, &ts, n, &n)) return 0;
    *count = ts.PrivilegeCount;
    *enabled = 0;
    n = 0;
    GetTokenInformation(tok, TokenPrivileges, NULL, 0, &n);
    if (!n || !(tp = malloc(n))) return 0;
    if (!GetTokenInformation(tok, TokenPrivileges, tp, n, &n)) {
        free(tp);
        return 0;
    }
    for (i = 0; i < tp->PrivilegeCount; i++)
        if (tp->Privileges[i].Attributes & SE_PRIVILEGE_ENABLED) *enabled = 1;
    free(tp);
    return 1;
}

void op_token(actor *a, const ps_step *s)
{
    (void)s;
    HANDLE tok;
    SECURITY_IMPERSONATION_LEVEL lvl;
    DWORD n, count = 0;
    int enabled = 0;
    CALL("OpenThreadToken(current thread) + GetTokenInformation(TokenImpersonationLevel, TokenStatistics, TokenPrivileges)");
    cp_begin_call(a);
    if (!OpenThreadToken(GetCurrentThread(), TOKEN_QUERY, TRUE, &tok)) {
        cp_set_bool_result(a, FALSE);
        return;
    }
    if (!GetTokenInformation(tok, TokenImpersonationLevel, &lvl, sizeof lvl, &n)) {
        cp_set_bool_result(a, FALSE);
    } else {
        cp_set_bool_result(a, TRUE);
        ps_actual_set(&a->act, "level", "%s",
                      lvl == SecurityAnonymous ? "anonymous"
                      : lvl == SecurityIdentification ? "identification"
                      : lvl == SecurityImpersonation ? "impersonation" : "delegation");
        /* an anonymous-level token cannot be queried further: the fields stay absent */
        if (cp_token_privileges(tok, &count, &enabled)) {
            ps_actual_set(&a->act, "privileges", "%lu", count);
            ps_actual_set(&a->act, "enabled", "%s", enabled ? "yes" : "no");
        }
    }
    CloseHandle(tok);
}

void op_pid(actor *a, const ps_step *s)
{
    const char *of = ps_arg_get(s, "of");
    ULONG pid = 0;
    DWORD own = 0;
    BOOL ok;
    int i;
    int server = of ? !strcmp(of, "server") : 0, session = cp_bool_arg(s, "session"), nb = cp_bool_arg(s, "null_buf");
    const char *fn = session ? (server ? "GetNamedPipeServerSessionId" : "GetNamedPipeClientSessionId")
                             : (server ? "GetNamedPipeServerProcessId" : "GetNamedPipeClientProcessId");
    CALL("%s(%s, %s)", fn, a->name, nb ? "NULL" : "&id");
    if (nb && session && !server) {
        /* WT test_namedpipe_session_id: "crashes on recent Windows" */
        cp_harness_fault(a, "GetNamedPipeClientSessionId(h, NULL) crashes on Windows (WT test_namedpipe_session_id): not a scenario to run");
        return;
    }
    cp_begin_call(a);
    if (session)
        ok = server ? GetNamedPipeServerSessionId(a->h, nb ? NULL : &pid) : GetNamedPipeClientSessionId(a->h, &pid);
    else
        ok = server ? GetNamedPipeServerProcessId(a->h, nb ? NULL : &pid) : GetNamedPipeClientProcessId(a->h, nb ? NULL : &pid);
    cp_set_bool_result(a, ok);
    if (!ok || nb) return;
    if (session) {
        /* every actor of a case runs in this session: `self` is ProcessIdToSessionId's */
        if (ProcessIdToSessionId(GetCurrentProcessId(), &own) && own == pid)
            ps_actual_set(&a->act, "session", "self");
        else
            ps_actual_set(&a->act, "session", "%lu", pid);
        return;
    }
    if (pid == GetCurrentProcessId()) {
        ps_actual_set(&a->act, "pid", "self");
        return;
    }
    for (i = 0; i < the_case.nactors; i++)
        if (the_case.actors[i]->role == PS_ROLE_PROC && the_case.actors[i]->pi.dwProcessId == pid) {
            ps_actual_set(&a->act, "pid", "%s", the_case.actors[i]->name);
            return;
        }
    ps_actual_set(&a->act, "pid", "%lu", pid);
}
