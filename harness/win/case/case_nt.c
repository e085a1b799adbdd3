/* case_nt.c: pipe ends made through the NT layer (NtCreateNamedPipeFile,
 * NtCreateFile, NtCreateDirectoryObject) and CreateNamedPipeW with a raw open mode and
 * a security descriptor, plus the helpers of case_ntio.c. Expectations are NTSTATUS
 * values; the status is reported as the step's result (errors.c names them). */
#include "case_nt.h"

void *nt_proc(actor *a, const char *name)
{
    void *p = (void *)GetProcAddress(GetModuleHandleW(L"ntdll.dll"), name);
    if (!p) cp_harness_fault(a, "ntdll.dll has no %s", name);
    return p;
}

unsigned long nt_uint_arg(const ps_step *s, const char *key, unsigned long def)
{
    unsigned long long v;
    const char *x = ps_arg_get(s, key);
    return x && ps_parse_uint(x, &v) == 0 ? (unsigned long)v : def;
}

void nt_set_status(actor *a, NTSTATUS st)
{
    a->act.error = (unsigned long)(ULONG)st;
    snprintf(a->ret, sizeof a->ret, "0x%08lX", (unsigned long)(ULONG)st);
}

wchar_t *nt_attr(actor *a, const ps_step *s, const char *def, OBJECT_ATTRIBUTES *oa, UNICODE_STRING *u)
{
    const char *n = ps_arg_get(s, "name"), *root = ps_arg_get(s, "root");
    char *e = cp_expand(n ? n : def);
    wchar_t *w = ps_wide(e);
    free(e);
    memset(oa, 0, sizeof *oa);
    oa->Length = sizeof *oa;
    oa->Attributes = 0x40; /* OBJ_CASE_INSENSITIVE */
    oa->ObjectName = u;
    u->Buffer = w;
    u->Length = (USHORT)(wcslen(w) * sizeof(wchar_t));
    u->MaximumLength = (USHORT)(u->Length + sizeof(wchar_t));
    if (cp_bool_arg(s, "empty_name")) {
        u->Buffer = NULL;
        u->Length = u->MaximumLength = 0;
    }
    if (root) {
        actor *r = cp_find_actor(root);
        if (!r) {
            cp_harness_fault(a, "root=%s: no actor of that name has a handle yet", root);
            free(w);
            return NULL;
        }
        oa->RootDirectory = r->h;
    }
    return w;
}

void nt_field_name(actor *a, const char *key, const wchar_t *w, size_t nchars)
{
    wchar_t *c = ps_xcalloc(nchars + 1, sizeof *c);
    char *u, *p;
    size_t pl = strlen(the_case.o->pipe);
    ps_buf b;
    memcpy(c, w, nchars * sizeof *c);
    u = ps_utf8(c);
    ps_buf_init(&b);
    for (p = u; *p;) {
        if (pl && !strncmp(p, the_case.o->pipe, pl)) {
            ps_buf_adds(&b, "{pipe}");
            p += pl;
        } else
            ps_buf_addc(&b, *p++);
    }
    ps_actual_set(&a->act, key, "%s", b.data ? b.data : "");
    ps_buf_free(&b);
    free(u);
    free(c);
}

/* The part of an NT or Win32 pipe name that pairs ends (as case_pipe.c's), "" for the
 * file system's root or the \\.\pipe device itself; relative to root r, the root's
 * part and the name. */
static void nt_set_base(actor *a, const ps_step *s, const wchar_t *w, actor *r)
{
    char *u = w && !cp_bool_arg(s, "empty_name") ? ps_utf8(w) : ps_xstrdup(""), *q, *best = NULL;
    size_t n;
    for (q = u; *q; q++)
        if (*q >= 'A' && *q <= 'Z') *q = (char)(*q - 'A' + 'a');
    if (r) {
        snprintf(a->base, sizeof a->base, "%s%s%s", r->base, r->base[0] && u[0] ? "\\" : "", u);
        free(u);
        return;
    }
    for (q = u; (q = strstr(q, "\\pipe\\")) != NULL; q++) best = q + 6;
    for (q = u; (q = strstr(q, "\\namedpipe\\")) != NULL; q++) best = q + 11;
    n = strlen(u);
    if (!best && ((n >= 5 && !strcmp(u + n - 5, "\\pipe")) || (n >= 10 && !strcmp(u + n - 10, "\\namedpipe"))))
        best = u + n;
    snprintf(a->base, sizeof a->base, "%s", best ? best : u);
    free(u);
}


static ULONG nt_share(const ps_step *s)
{
    const char *sh = ps_arg_get(s, "share");
    if (!sh || !strcmp(sh, "rw")) return FILE_SHARE_READ | FILE_SHARE_WRITE;
    return !strcmp(sh, "read") ? FILE_SHARE_READ : !strcmp(sh, "write") ? FILE_SHARE_WRITE : 0;
}

static ULONG nt_sync(const ps_step *s)
{
    const char *v = ps_arg_get(s, "sync");
    if (!v || !strcmp(v, "none")) return 0;
    return !strcmp(v, "alert") ? PS_FILE_SYNCHRONOUS_IO_ALERT : PS_FILE_SYNCHRONOUS_IO_NONALERT;
}

static ACCESS_MASK nt_access(const ps_step *s, ACCESS_MASK def)
{
    const char *v = ps_arg_get(s, "access");
    if (!v) return def;
    if (!strcmp(v, "rw")) return GENERIC_READ | GENERIC_WRITE | FILE_READ_ATTRIBUTES | SYNCHRONIZE;
    if (!strcmp(v, "read")) return GENERIC_READ | FILE_READ_ATTRIBUTES | SYNCHRONIZE;
    if (!strcmp(v, "write")) return GENERIC_WRITE | FILE_READ_ATTRIBUTES | SYNCHRONIZE;
    if (!strcmp(v, "readattr")) return FILE_READ_ATTRIBUTES | SYNCHRONIZE;
    if (!strcmp(v, "rwattr")) return FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE;
    if (!strcmp(v, "sync")) return SYNCHRONIZE;
    if (!strcmp(v, "none")) return 0;
    return (ACCESS_MASK)strtoul(v, NULL, 0);
}

static void nt_took_handle(actor *a, const ps_step *s, const wchar_t *w, int server, ULONG options)
{
    const char *root = ps_arg_get(s, "root");
    nt_set_base(a, s, w, root ? cp_find_actor(root) : NULL);
    a->overlapped_handle = !(options & (PS_FILE_SYNCHRONOUS_IO_ALERT | PS_FILE_SYNCHRONOUS_IO_NONALERT));
    a->nowait = 0;
    a->read_message = 0;
    if (server) {
        const char *rd = ps_arg_get(s, "read"), *wt = ps_arg_get(s, "wait");
        a->is_server = 1;
        a->listen_seq = InterlockedIncrement(&the_case.seq);
        a->read_message = rd && !strcmp(rd, "message");
        a->nowait = wt && !strcmp(wt, "nowait");
    } else if (a->role == PS_ROLE_CLIENT)
        cp_pair_client(a); /* as an open does (BEHAVIOUR row 46) */
}

/* A call that succeeded with a new handle: the actor's handle is now that one (its old
 * one closed). Returns 1 when it took it. */
static int nt_adopt(actor *a, NTSTATUS st, HANDLE h)
{
    if (st < 0 || !h) return 0;
    if (a->h != INVALID_HANDLE_VALUE && a->h) CloseHandle(a->h);
    a->h = h;
    return 1;
}

void op_ntcreate(actor *a, const ps_step *s)
{
    static const char *const dispos[] = {"supersede", "open", "create", "open_if", "overwrite", "overwrite_if"};
    ps_NtCreateNamedPipeFile fn = (ps_NtCreateNamedPipeFile)nt_proc(a, "NtCreateNamedPipeFile");
    const char *d = ps_arg_get(s, "disposition"), *type = ps_arg_get(s, "type"), *rd = ps_arg_get(s, "read"),
               *wt = ps_arg_get(s, "wait"), *inst = ps_arg_get(s, "instances");
    ULONG dispo = 2, i, options = nt_sync(s), share = nt_share(s);
    ULONG msgtype = type && !strcmp(type, "message"), msgread = rd && !strcmp(rd, "message");
    ULONG nowait = wt && !strcmp(wt, "nowait"), max = 1;
    ULONG in = (ULONG)cp_size_arg(s, "in", 1024), out = (ULONG)cp_size_arg(s, "out", 1024);
    ACCESS_MASK access = nt_access(s, GENERIC_READ | GENERIC_WRITE | FILE_READ_ATTRIBUTES | SYNCHRONIZE);
    LARGE_INTEGER timeout;
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING u;
    IO_STATUS_BLOCK io;
    HANDLE h = NULL;
    NTSTATUS st;
    wchar_t *w;
    char *un;
    if (!fn) return;
    for (i = 0; d && i < sizeof dispos / sizeof dispos[0]; i++)
        if (!strcmp(d, dispos[i])) dispo = i;
    if (inst) max = !strcmp(inst, "unlimited") ? 0xFFFFFFFFUL : (ULONG)strtoul(inst, NULL, 0);
    timeout.QuadPart = -10000LL * (LONGLONG)cp_ms_arg(s, "timeout", 10000);
    w = nt_attr(a, s, "\\?" "?\\pipe\\{pipe}", &oa, &u);
    if (!w) return;
    un = cp_bool_arg(s, "empty_name") ? ps_xstrdup("(empty)") : ps_utf8(w);
    CALL("NtCreateNamedPipeFile(%s%s%s, access=0x%lx, share=%lu, disposition=%lu, options=0x%lx, type=%lu, "
         "read=%lu, completion=%lu, max=%lu, in=%lu, out=%lu)", un, oa.RootDirectory ? " relative to " : "",
         oa.RootDirectory ? ps_arg_get(s, "root") : "", (unsigned long)access, share, dispo, options, msgtype,
         msgread, nowait, max, in, out);
    free(un);
    memset(&io, 0x55, sizeof io);
    cp_begin_call(a);
    st = fn(&h, access, &oa, &io, share, dispo, options, msgtype, msgread, nowait, max, in, out, &timeout);
    nt_set_status(a, st);
    if (nt_adopt(a, st, h)) nt_took_handle(a, s, w, 1, options);
    free(w);
}

void op_ntopen(actor *a, const ps_step *s)
{
    ps_NtCreateFile fn = (ps_NtCreateFile)nt_proc(a, "NtCreateFile");
    ULONG options = nt_sync(s) | (cp_bool_arg(s, "non_directory") ? PS_FILE_NON_DIRECTORY_FILE : 0);
    ULONG share = nt_share(s);
    ACCESS_MASK access = nt_access(s, GENERIC_READ | GENERIC_WRITE | SYNCHRONIZE);
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING u;
    IO_STATUS_BLOCK io;
    HANDLE h = NULL;
    NTSTATUS st;
    wchar_t *w;
    char *un;
    if (!fn) return;
    w = nt_attr(a, s, "\\?" "?\\pipe\\{pipe}", &oa, &u);
    if (!w) return;
    un = cp_bool_arg(s, "empty_name") ? ps_xstrdup("(empty)") : ps_utf8(w);
    CALL("NtCreateFile(%s%s%s, access=0x%lx, share=%lu, FILE_OPEN, options=0x%lx)", un,
         oa.RootDirectory ? " relative to " : "", oa.RootDirectory ? ps_arg_get(s, "root") : "",
         (unsigned long)access, share, options);
    free(un);
    cp_begin_call(a);
    st = fn(&h, access, &oa, &io, NULL, 0, share, 1 /* FILE_OPEN */, options, NULL, 0);
    nt_set_status(a, st);
    if (nt_adopt(a, st, h)) nt_took_handle(a, s, w, 0, options);
    free(w);
}

void op_ntdir(actor *a, const ps_step *s)
{
    ps_NtCreateDirectoryObject fn = (ps_NtCreateDirectoryObject)nt_proc(a, "NtCreateDirectoryObject");
    OBJECT_ATTRIBUTES oa;
    UNICODE_STRING u;
    HANDLE h = NULL;
    NTSTATUS st;
    wchar_t *w;
    char *un;
    if (!fn) return;
    w = nt_attr(a, s, "\\Device\\NamedPipe\\", &oa, &u);
    if (!w) return;
    un = ps_utf8(w);
    CALL("NtCreateDirectoryObject(%s, GENERIC_READ|SYNCHRONIZE)", un);
    free(un);
    cp_begin_call(a);
    st = fn(&h, GENERIC_READ | SYNCHRONIZE, &oa);
    nt_set_status(a, st);
    nt_adopt(a, st, h);
    free(w);
}

static PSID nt_token_sid(actor *a, TOKEN_INFORMATION_CLASS cls)
{
    HANDLE tok;
    DWORD n = 0;
    unsigned char *buf;
    PSID sid, copy;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) {
        cp_harness_fault(a, "OpenProcessToken failed with error %lu", GetLastError());
        return NULL;
    }
    GetTokenInformation(tok, cls, NULL, 0, &n);
    buf = n ? cp_try_alloc(a, n, "the token information") : NULL;
    if (!buf || !GetTokenInformation(tok, cls, buf, n, &n)) {
        if (buf) cp_harness_fault(a, "GetTokenInformation failed with error %lu", GetLastError());
        else if (!n) cp_harness_fault(a, "GetTokenInformation gave no size (error %lu)", GetLastError());
        free(buf);
        CloseHandle(tok);
        return NULL;
    }
    CloseHandle(tok);
    sid = cls == TokenOwner ? ((TOKEN_OWNER *)buf)->Owner : ((TOKEN_PRIMARY_GROUP *)buf)->PrimaryGroup;
    copy = cp_try_alloc(a, GetLengthSid(sid), "a SID");
    if (copy) CopySid(GetLengthSid(sid), copy, sid);
    free(buf);
    return copy;
}

static PSID nt_named_sid(actor *a, const char *name)
{
    WELL_KNOWN_SID_TYPE t;
    DWORD n = SECURITY_MAX_SID_SIZE;
    PSID sid;
    if (!strcmp(name, "primary")) return nt_token_sid(a, TokenPrimaryGroup);
    if (!strcmp(name, "self")) return nt_token_sid(a, TokenOwner);
    t = !strcmp(name, "world") ? WinWorldSid : WinLocalSid;
    sid = cp_try_alloc(a, n, "a SID");
    if (sid && !CreateWellKnownSid(t, NULL, sid, &n)) {
        cp_harness_fault(a, "CreateWellKnownSid failed with error %lu", GetLastError());
        free(sid);
        return NULL;
    }
    return sid;
}

void nt_sid_field(actor *a, const char *key, PSID sid, int is_group)
{
    static const char *const names[] = {"primary", "self", "world", "local"};
    LPSTR str = NULL;
    size_t i;
    if (!sid) {
        ps_actual_set(&a->act, key, "none");
        return;
    }
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        PSID k;
        int eq;
        if ((i == 0 && !is_group) || (i == 1 && is_group)) continue;
        k = nt_named_sid(a, names[i]);
        eq = k && EqualSid(k, sid);
        free(k);
        if (eq) {
            ps_actual_set(&a->act, key, "%s", names[i]);
            return;
        }
    }
    if (ConvertSidToStringSidA(sid, &str)) {
        ps_actual_set(&a->act, key, "%s", str);
        LocalFree(str);
    } else
        ps_actual_set(&a->act, key, "unreadable");
}

/* The descriptor and the SIDs in one block: [SECURITY_DESCRIPTOR][owner][group]. */
PSECURITY_DESCRIPTOR nt_build_sd(actor *a, const char *owner, const char *group)
{
    PSID o = owner && strcmp(owner, "none") ? nt_named_sid(a, owner) : NULL;
    PSID gr = group && strcmp(group, "none") ? nt_named_sid(a, group) : NULL;
    size_t lo = o ? GetLengthSid(o) : 0, lg = gr ? GetLengthSid(gr) : 0;
    unsigned char *blk = cp_try_alloc(a, sizeof(SECURITY_DESCRIPTOR) + lo + lg, "a security descriptor");
    PSECURITY_DESCRIPTOR sd = blk;
    if (blk && InitializeSecurityDescriptor(sd, SECURITY_DESCRIPTOR_REVISION)) {
        if (o) {
            CopySid((DWORD)lo, blk + sizeof(SECURITY_DESCRIPTOR), o);
            SetSecurityDescriptorOwner(sd, blk + sizeof(SECURITY_DESCRIPTOR), FALSE);
        }
        if (gr) {
            CopySid((DWORD)lg, blk + sizeof(SECURITY_DESCRIPTOR) + lo, gr);
            SetSecurityDescriptorGroup(sd, blk + sizeof(SECURITY_DESCRIPTOR) + lo, FALSE);
        }
    } else if (blk) {
        cp_harness_fault(a, "InitializeSecurityDescriptor failed with error %lu", GetLastError());
        free(blk);
        sd = NULL;
    }
    free(o);
    free(gr);
    return a->harness_error[0] ? NULL : sd;
}

void nt_free_sd(PSECURITY_DESCRIPTOR sd)
{
    free(sd);
}

/* CreateNamedPipeW with the open and pipe modes as given (open=0x80003 is
 * PIPE_ACCESS_DUPLEX|WRITE_OWNER, as NT test_security_info creates its servers) and,
 * with owner= or group=, a descriptor built as that test builds it. */
void op_wincreate(actor *a, const ps_step *s)
{
    wchar_t *name = cp_pipe_name(s, 0);
    const char *inst = ps_arg_get(s, "instances"), *ow = ps_arg_get(s, "owner"), *gr = ps_arg_get(s, "group");
    DWORD open = (DWORD)nt_uint_arg(s, "open", PIPE_ACCESS_DUPLEX), mode = (DWORD)nt_uint_arg(s, "mode", 0);
    DWORD max = inst ? (!strcmp(inst, "unlimited") ? PIPE_UNLIMITED_INSTANCES : (DWORD)strtoul(inst, NULL, 0)) : 10;
    DWORD out = (DWORD)cp_size_arg(s, "out", 0x20000), in = (DWORD)cp_size_arg(s, "in", 0x20000);
    SECURITY_ATTRIBUTES sa;
    PSECURITY_DESCRIPTOR sd = NULL;
    char *u = ps_utf8(name);
    HANDLE h;
    if (ow || gr) {
        sd = nt_build_sd(a, ow, gr);
        if (!sd) {
            free(u);
            free(name);
            return;
        }
        sa.nLength = sizeof sa;
        sa.lpSecurityDescriptor = sd;
        sa.bInheritHandle = FALSE;
    }
    CALL("CreateNamedPipeW(%s, open=0x%lx, mode=0x%lx, max=%lu, out=%lu, in=%lu, 0, %s%s%s%s)", u, open, mode,
         max, out, in, sd ? "sd: owner=" : "NULL", sd ? (ow ? ow : "none") : "", sd ? " group=" : "",
         sd ? (gr ? gr : "none") : "");
    free(u);
    cp_begin_call(a);
    h = CreateNamedPipeW(name, open, mode, max, out, in, 0, sd ? &sa : NULL);
    a->act.error = h == INVALID_HANDLE_VALUE ? GetLastError() : 0;
    snprintf(a->ret, sizeof a->ret, "%s", h == INVALID_HANDLE_VALUE ? "INVALID_HANDLE_VALUE" : "handle");
    if (h != INVALID_HANDLE_VALUE) {
        if (a->h != INVALID_HANDLE_VALUE && a->h) CloseHandle(a->h);
        a->h = h;
        a->is_server = 1;
        nt_set_base(a, s, name, NULL);
        a->listen_seq = InterlockedIncrement(&the_case.seq);
        a->read_message = (mode & PIPE_READMODE_MESSAGE) != 0;
        a->nowait = (mode & PIPE_NOWAIT) != 0;
        a->overlapped_handle = (open & FILE_FLAG_OVERLAPPED) != 0;
    }
    nt_free_sd(sd);
    free(name);
}
