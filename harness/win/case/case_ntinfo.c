/* case_ntinfo.c: NtQueryInformationFile / NtSetInformationFile with the pipe classes
 * (FilePipeInformation, FilePipeLocalInformation, FilePipeRemoteInformation),
 * FileNameInformation and FileAccessInformation; NtQuerySecurityObject and
 * NtSetSecurityObject (owner and group), with the fields named as the structures'
 * members (layouts: Microsoft's ntifs.h / MS-FSCC). */
#include "case_nt.h"

typedef struct {
    ULONG ReadMode, CompletionMode;
} ps_pipe_info;
typedef struct {
    ULONG NamedPipeType, NamedPipeConfiguration, MaximumInstances, CurrentInstances, InboundQuota,
        ReadDataAvailable, OutboundQuota, WriteQuotaAvailable, NamedPipeState, NamedPipeEnd;
} ps_local_info;
typedef struct {
    LARGE_INTEGER CollectDataTime;
    ULONG MaximumCollectionCount;
} ps_remote_info;

static const struct {
    const char *name;
    ULONG cls;
    ULONG size;
} classes[] = {
    {"access", 8, sizeof(ULONG)},
    {"name", 9, 512},
    {"pipe", 23, sizeof(ps_pipe_info)},
    {"pipelocal", 24, sizeof(ps_local_info)},
    {"piperemote", 25, sizeof(ps_remote_info)},
};

static int nt_class(const ps_step *s)
{
    const char *c = ps_arg_get(s, "class");
    int i;
    for (i = 0; c && i < (int)(sizeof classes / sizeof classes[0]); i++)
        if (!strcmp(classes[i].name, c)) return i;
    return 2;
}

static void nt_info_fields(actor *a, int k, const unsigned char *buf, ULONG size, ULONG got)
{
    static const char *const states[] = {"0", "disconnected", "listening", "connected", "closing"};
    ps_actual_set(&a->act, "bytes", "%lu", (unsigned long)got);
    if (k == 0 && size >= sizeof(ULONG)) {
        ps_actual_set(&a->act, "access", "%lu", (unsigned long)*(const ULONG *)buf);
    } else if (k == 1 && size >= sizeof(ULONG)) {
        ULONG n = *(const ULONG *)buf, room = (size - sizeof(ULONG)) / sizeof(WCHAR);
        ps_actual_set(&a->act, "len", "%lu", (unsigned long)n);
        nt_field_name(a, "name", (const wchar_t *)(buf + sizeof(ULONG)), n / sizeof(WCHAR) < room ? n / sizeof(WCHAR) : room);
    } else if (k == 2 && size >= sizeof(ps_pipe_info)) {
        const ps_pipe_info *p = (const ps_pipe_info *)buf;
        ps_actual_set(&a->act, "readmode", "%lu", (unsigned long)p->ReadMode);
        ps_actual_set(&a->act, "completion", "%lu", (unsigned long)p->CompletionMode);
    } else if (k == 3 && size >= sizeof(ps_local_info)) {
        const ps_local_info *p = (const ps_local_info *)buf;
        ps_actual_set(&a->act, "type", "%lu", (unsigned long)p->NamedPipeType);
        ps_actual_set(&a->act, "config", "%lu", (unsigned long)p->NamedPipeConfiguration);
        ps_actual_set(&a->act, "max", "%lu", (unsigned long)p->MaximumInstances);
        ps_actual_set(&a->act, "instances", "%lu", (unsigned long)p->CurrentInstances);
        ps_actual_set(&a->act, "inquota", "%lu", (unsigned long)p->InboundQuota);
        ps_actual_set(&a->act, "readavail", "%lu", (unsigned long)p->ReadDataAvailable);
        ps_actual_set(&a->act, "outquota", "%lu", (unsigned long)p->OutboundQuota);
        ps_actual_set(&a->act, "writequota", "%lu", (unsigned long)p->WriteQuotaAvailable);
        ps_actual_set(&a->act, "state", "%s", p->NamedPipeState < 5 ? states[p->NamedPipeState] : "?");
        ps_actual_set(&a->act, "end", "%s", p->NamedPipeEnd ? "server" : "client");
    } else if (k == 4 && size >= sizeof(ps_remote_info)) {
        const ps_remote_info *p = (const ps_remote_info *)buf;
        ps_actual_set(&a->act, "collect", "%lld", (long long)p->CollectDataTime.QuadPart);
        ps_actual_set(&a->act, "count", "%lu", (unsigned long)p->MaximumCollectionCount);
    }
}

void op_ntquery(actor *a, const ps_step *s)
{
    ps_NtQuerySetInformationFile fn = (ps_NtQuerySetInformationFile)nt_proc(a, "NtQueryInformationFile");
    int k = nt_class(s);
    ULONG size = (ULONG)cp_size_arg(s, "size", classes[k].size);
    unsigned char *buf = nt_size_ok(a, s, "size") ? cp_try_alloc(a, (size_t)size + 8, "the information buffer") : NULL;
    IO_STATUS_BLOCK io;
    NTSTATUS st;
    if (!fn || !buf) {
        free(buf);
        return;
    }
    memset(buf, 0xaa, (size_t)size + 8);
    memset(&io, 0xaa, sizeof io);
    CALL("NtQueryInformationFile(%s, buf[%lu], class %lu (%s))", a->name, (unsigned long)size,
         (unsigned long)classes[k].cls, classes[k].name);
    cp_begin_call(a);
    st = fn(a->h, &io, buf, size, classes[k].cls);
    nt_set_status(a, st);
    if (st == 0 || (ULONG)st == PS_STATUS_BUFFER_OVERFLOW) nt_info_fields(a, k, buf, size, (ULONG)io.Information);
    free(buf);
}

/* FilePipeInformation (readmode= completion=, numbers as the structure takes them,
 * so out-of-range values can be asked) or FilePipeRemoteInformation (count= collect=). */
void op_ntset(actor *a, const ps_step *s)
{
    ps_NtQuerySetInformationFile fn = (ps_NtQuerySetInformationFile)nt_proc(a, "NtSetInformationFile");
    int k = nt_class(s);
    IO_STATUS_BLOCK io;
    NTSTATUS st;
    ps_pipe_info pi;
    ps_remote_info ri;
    void *p = &pi;
    ULONG len = sizeof pi;
    if (!fn) return;
    if (k == 4) {
        ri.CollectDataTime.QuadPart = (LONGLONG)nt_uint_arg(s, "collect", 0);
        ri.MaximumCollectionCount = (ULONG)nt_uint_arg(s, "count", 0);
        p = &ri;
        len = sizeof ri;
        CALL("NtSetInformationFile(%s, FilePipeRemoteInformation{collect=%lld, count=%lu})", a->name,
             (long long)ri.CollectDataTime.QuadPart, (unsigned long)ri.MaximumCollectionCount);
    } else if (k == 2) {
        pi.ReadMode = (ULONG)nt_uint_arg(s, "readmode", 0);
        pi.CompletionMode = (ULONG)nt_uint_arg(s, "completion", 0);
        CALL("NtSetInformationFile(%s, FilePipeInformation{ReadMode=%lu, CompletionMode=%lu})", a->name,
             (unsigned long)pi.ReadMode, (unsigned long)pi.CompletionMode);
    } else {
        CALL("NtSetInformationFile(%s, class %s)", a->name, classes[k].name);
        cp_harness_fault(a, "ntset supports class=pipe and class=piperemote only");
        return;
    }
    cp_begin_call(a);
    st = fn(a->h, &io, p, len, classes[k].cls);
    nt_set_status(a, st);
    if (st == 0 && k == 2) {
        a->read_message = pi.ReadMode == 1;
        a->nowait = pi.CompletionMode == 1;
    }
}

/* NtQuerySecurityObject(OWNER|GROUP): size=N makes one call with that buffer (size=0:
 * the length query, field need); without size, the length query and then the query,
 * as Wine's get_security_descriptor does (fields owner and group). */
void op_secquery(actor *a, const ps_step *s)
{
    ps_NtQuerySecurityObject fn = (ps_NtQuerySecurityObject)nt_proc(a, "NtQuerySecurityObject");
    SECURITY_INFORMATION si = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION;
    const char *sz = ps_arg_get(s, "size");
    ULONG need = 0, size;
    unsigned char *buf = NULL;
    NTSTATUS st;
    PSID sid;
    BOOL def;
    if (!fn || !nt_size_ok(a, s, "size")) return;
    CALL("NtQuerySecurityObject(%s, OWNER|GROUP, %s)", a->name, sz ? sz : "length query, then the query");
    cp_begin_call(a);
    if (sz) {
        size = (ULONG)cp_size_arg(s, "size", 0);
        buf = size ? cp_try_alloc(a, size, "the descriptor buffer") : NULL;
        if (size && !buf) return;
        st = fn(a->h, si, buf, size, &need);
    } else {
        st = fn(a->h, si, NULL, 0, &need);
        if ((ULONG)st == PS_STATUS_BUFFER_TOO_SMALL && need) {
            if (!(buf = cp_try_alloc(a, need, "the descriptor buffer"))) return;
            size = need;
            st = fn(a->h, si, buf, size, &need);
        }
    }
    nt_set_status(a, st);
    ps_actual_set(&a->act, "need", "%lu", (unsigned long)need);
    if (st == 0 && buf) {
        sid = NULL;
        if (GetSecurityDescriptorOwner(buf, &sid, &def)) nt_sid_field(a, "owner", sid, 0);
        sid = NULL;
        if (GetSecurityDescriptorGroup(buf, &sid, &def)) nt_sid_field(a, "group", sid, 1);
    }
    free(buf);
}

/* NtSetSecurityObject with GROUP (group=primary|world|local) and, with owner=, OWNER. */
void op_secset(actor *a, const ps_step *s)
{
    ps_NtSetSecurityObject fn = (ps_NtSetSecurityObject)nt_proc(a, "NtSetSecurityObject");
    const char *ow = ps_arg_get(s, "owner"), *gr = ps_arg_get(s, "group");
    SECURITY_INFORMATION si = (gr ? GROUP_SECURITY_INFORMATION : 0) | (ow ? OWNER_SECURITY_INFORMATION : 0);
    PSECURITY_DESCRIPTOR sd;
    NTSTATUS st;
    if (!fn) return;
    CALL("NtSetSecurityObject(%s, %s%s%s%s)", a->name, gr ? "GROUP=" : "", gr ? gr : "", ow ? " OWNER=" : "",
         ow ? ow : "");
    if (!si) {
        cp_harness_fault(a, "secset needs group= or owner=");
        return;
    }
    sd = nt_build_sd(a, ow, gr);
    if (!sd) return;
    cp_begin_call(a);
    st = fn(a->h, si, sd);
    nt_set_status(a, st);
    nt_free_sd(sd);
}
