/* case_audit.c: the `audit` op: does the platform grant an identity some rights under
 * the security descriptor it stores for the pipe?
 *
 * - who=self: AccessCheck with the harness's own token (impersonation copy).
 * - other identities: AuthzAccessCheck with a client context that Authz builds from
 *   the identity's SIDs (harness/core/acl.c ps_identity_sids).
 * Whether Authz can answer is probed once per case process, on a security descriptor
 * whose answers are known. Where it cannot (Wine 8.0's authz.dll is made of stubs that
 * fail with ERROR_CALL_NOT_IMPLEMENTED), the step is a SKIP with that reason; the
 * static reading of the DACL text (ps_dacl_grants) is added to the reason as a labelled
 * lint, never given as the step's result. */
#include "case_internal.h"
#include <authz.h>

static INIT_ONCE probe_once = INIT_ONCE_STATIC_INIT;
static AUTHZ_RESOURCE_MANAGER_HANDLE rm;
static char unavailable[160]; /* why Authz cannot answer here; empty when it can */

/* "CALL failed with ERROR_X (n)" from the last error, into out. */
static void failed(const char *call, char *out, size_t n)
{
    char eb[64];
    DWORD e = GetLastError();
    snprintf(out, n, "%s failed with %s", call, ps_error_format(e, eb, sizeof eb));
}

/* A client context holding exactly sids (the first as its user SID, the rest as
 * enabled groups). On failure returns FALSE with why set. */
static BOOL make_context(const char *const *sids, AUTHZ_CLIENT_CONTEXT_HANDLE *out, char *why,
                         size_t whylen)
{
    PSID psid[8] = {NULL};
    SID_AND_ATTRIBUTES groups[8];
    AUTHZ_CLIENT_CONTEXT_HANDLE base = NULL;
    LUID id = {0, 0};
    int n = 0, i;
    BOOL ok = TRUE;
    *out = NULL;
    for (n = 0; sids[n] && n < 8 && ok; n++)
        if (!ConvertStringSidToSidA(sids[n], &psid[n])) {
            failed("ConvertStringSidToSidA", why, whylen);
            ok = FALSE;
            break;
        }
    if (ok && !AuthzInitializeContextFromSid(AUTHZ_SKIP_TOKEN_GROUPS, psid[0], rm, NULL, id, NULL,
                                             &base)) {
        failed("AuthzInitializeContextFromSid", why, whylen);
        ok = FALSE;
    }
    if (ok && n > 1) {
        for (i = 1; i < n; i++) {
            groups[i - 1].Sid = psid[i];
            groups[i - 1].Attributes = SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED;
        }
        if (!AuthzAddSidsToContext(base, groups, (DWORD)(n - 1), NULL, 0, out)) {
            failed("AuthzAddSidsToContext", why, whylen);
            ok = FALSE;
        }
        AuthzFreeContext(base);
    } else if (ok) {
        *out = base;
    }
    for (i = 0; i < n; i++) LocalFree(psid[i]);
    return ok;
}

/* AuthzAccessCheck of desired: *granted = 1 when every bit is granted. FALSE with why
 * set when the call fails or its reply is not an answer. */
static BOOL authz_check(AUTHZ_CLIENT_CONTEXT_HANDLE cc, PSECURITY_DESCRIPTOR sd, DWORD desired,
                        int *granted, char *why, size_t whylen)
{
    AUTHZ_ACCESS_REQUEST req;
    AUTHZ_ACCESS_REPLY rep;
    ACCESS_MASK mask = 0;
    DWORD err = 0xdeadbeef;
    memset(&req, 0, sizeof req);
    memset(&rep, 0, sizeof rep);
    req.DesiredAccess = desired;
    rep.ResultListLength = 1;
    rep.GrantedAccessMask = &mask;
    rep.Error = &err;
    if (!AuthzAccessCheck(0, cc, &req, NULL, sd, NULL, 0, &rep, NULL)) {
        failed("AuthzAccessCheck", why, whylen);
        return FALSE;
    }
    if (err != ERROR_SUCCESS && err != ERROR_ACCESS_DENIED && err != ERROR_PRIVILEGE_NOT_HELD) {
        snprintf(why, whylen, "AuthzAccessCheck succeeded without an answer (reply error %lu)", err);
        return FALSE;
    }
    *granted = err == ERROR_SUCCESS && (mask & desired) == desired;
    return TRUE;
}

/* The probe: under O:BAG:BAD:(A;;FR;;;WD)(A;;FW;;;BU) an Everyone-only context must be
 * granted FILE_READ_DATA and refused FILE_WRITE_DATA, and Everyone+Users granted it. */
static BOOL CALLBACK probe(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
    static const char *const wd[] = {"S-1-1-0", NULL};
    static const char *const wd_bu[] = {"S-1-1-0", "S-1-5-32-545", NULL};
    PSECURITY_DESCRIPTOR sd = NULL;
    AUTHZ_CLIENT_CONTEXT_HANDLE c1 = NULL, c2 = NULL;
    int rd = -1, wr = -1, wr2 = -1;
    char why[sizeof unavailable] = "";
    (void)once, (void)param, (void)ctx;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(
            L"O:BAG:BAD:(A;;FR;;;WD)(A;;FW;;;BU)", SDDL_REVISION_1, &sd, NULL))
        failed("ConvertStringSecurityDescriptorToSecurityDescriptorW", why, sizeof why);
    else if (!AuthzInitializeResourceManager(AUTHZ_RM_FLAG_NO_AUDIT, NULL, NULL, NULL, L"pipespec",
                                             &rm))
        failed("AuthzInitializeResourceManager", why, sizeof why);
    else if (make_context(wd, &c1, why, sizeof why) && make_context(wd_bu, &c2, why, sizeof why) &&
             authz_check(c1, sd, FILE_READ_DATA, &rd, why, sizeof why) &&
             authz_check(c1, sd, FILE_WRITE_DATA, &wr, why, sizeof why) &&
             authz_check(c2, sd, FILE_WRITE_DATA, &wr2, why, sizeof why) &&
             !(rd == 1 && wr == 0 && wr2 == 1))
        snprintf(why, sizeof why,
                 "wrong answers on a known descriptor: Everyone read %d (1 expected), write %d (0), "
                 "Everyone+Users write %d (1)", rd, wr, wr2);
    if (c1) AuthzFreeContext(c1);
    if (c2) AuthzFreeContext(c2);
    if (sd) LocalFree(sd);
    snprintf(unavailable, sizeof unavailable, "%s", why);
    return TRUE;
}

/* Lint: what the DACL text says, read by ps_dacl_grants: 1 grants, 0 does not, -1 the
 * DACL cannot be read. */
static int lint_grants(PSECURITY_DESCRIPTOR sd, const char *who, unsigned long desired)
{
    BOOL present = FALSE, defaulted = FALSE;
    PACL dacl = NULL;
    ps_ace aces[64];
    char *sids[64];
    int n = 0, i, r;
    if (!GetSecurityDescriptorDacl(sd, &present, &dacl, &defaulted)) return -1;
    if (present && dacl) {
        for (i = 0; i < (int)dacl->AceCount && n < 64; i++) {
            ACE_HEADER *h;
            LPWSTR str = NULL;
            ACCESS_ALLOWED_ACE *x; /* an ACCESS_DENIED_ACE has the same layout */
            if (!GetAce(dacl, (DWORD)i, (void **)&h)) continue;
            if (h->AceType != ACCESS_ALLOWED_ACE_TYPE && h->AceType != ACCESS_DENIED_ACE_TYPE) continue;
            x = (ACCESS_ALLOWED_ACE *)h;
            if (!ConvertSidToStringSidW(&x->SidStart, &str)) continue;
            aces[n].deny = h->AceType == ACCESS_DENIED_ACE_TYPE;
            aces[n].mask = x->Mask;
            sids[n] = ps_utf8(str);
            LocalFree(str);
            aces[n].sid = sids[n];
            n++;
        }
    }
    r = ps_dacl_grants(present && dacl, aces, n, ps_identity_sids(who), desired);
    for (i = 0; i < n; i++) free(sids[i]);
    return r;
}

/* who=self: AccessCheck with an impersonation copy of the process token. */
static void audit_self(actor *a, PSECURITY_DESCRIPTOR sd, DWORD desired)
{
    HANDLE tok = NULL, imp = NULL;
    GENERIC_MAPPING gm = {FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS};
    PRIVILEGE_SET ps;
    DWORD psl = sizeof ps, granted = 0;
    BOOL status = FALSE, ok;
    ok = OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &tok) &&
         DuplicateToken(tok, SecurityImpersonation, &imp) &&
         AccessCheck(sd, imp, desired, &gm, &ps, &psl, &granted, &status);
    cp_set_bool_result(a, ok);
    if (ok) ps_actual_set(&a->act, "granted", "%s", status ? "yes" : "no");
    if (tok) CloseHandle(tok);
    if (imp) CloseHandle(imp);
}

/* Another identity: AuthzAccessCheck, or a SKIP when the platform cannot answer. */
static void audit_other(actor *a, PSECURITY_DESCRIPTOR sd, const char *who, const char *rights,
                        DWORD desired)
{
    AUTHZ_CLIENT_CONTEXT_HANDLE cc = NULL;
    char why[160];
    int granted = 0;
    if (!ps_identity_sids(who)) {
        cp_harness_fault(a, "audit: no SIDs for the identity '%s'", who);
        return;
    }
    InitOnceExecuteOnce(&probe_once, probe, NULL, NULL);
    if (unavailable[0]) {
        int lint = lint_grants(sd, who, desired);
        snprintf(a->skip_reason, sizeof a->skip_reason,
                 "this platform cannot answer AuthzAccessCheck (%s); lint, not a platform "
                 "check: the DACL text %s %s %s", unavailable,
                 lint < 0 ? "cannot be read for" : lint ? "grants" : "does not grant", who, rights);
        snprintf(a->ret, sizeof a->ret, "not asked");
        return;
    }
    if (!make_context(ps_identity_sids(who), &cc, why, sizeof why) ||
        !authz_check(cc, sd, desired, &granted, why, sizeof why)) {
        /* the probe said Authz answers: a failure now is the harness's, not a verdict */
        cp_harness_fault(a, "%s (audit who=%s rights=%s)", why, who, rights);
        if (cc) AuthzFreeContext(cc);
        return;
    }
    AuthzFreeContext(cc);
    snprintf(a->ret, sizeof a->ret, "TRUE");
    ps_actual_set(&a->act, "granted", "%s", granted ? "yes" : "no");
}

/* The caller's user and primary group SIDs, copied into user/group (each ulen/glen bytes). */
static int caller_sids(char *user, DWORD ulen, char *group, DWORD glen)
{
    HANDLE tok;
    char buf[512];
    DWORD n;
    int ok = 0;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok)) return 0;
    if (GetTokenInformation(tok, TokenUser, buf, sizeof buf, &n) &&
        CopySid(ulen, user, ((TOKEN_USER *)buf)->User.Sid) &&
        GetTokenInformation(tok, TokenPrimaryGroup, buf, sizeof buf, &n) &&
        CopySid(glen, group, ((TOKEN_PRIMARY_GROUP *)buf)->PrimaryGroup))
        ok = 1;
    CloseHandle(tok);
    return ok;
}

void op_audit(actor *a, const ps_step *s)
{
    const char *who = ps_arg_get(s, "who") ? ps_arg_get(s, "who") : "self";
    const char *rights = ps_arg_get(s, "rights") ? ps_arg_get(s, "rights") : "readwrite";
    const DWORD what = DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION;
    DWORD desired = (DWORD)ps_rights_mask(rights), need = 0;
    PSECURITY_DESCRIPTOR sd;
    int self = !strcmp(who, "self");
    CALL("GetKernelObjectSecurity(%s, OWNER|GROUP|DACL) + %s(%s%s, 0x%lX)", a->name,
         self ? "AccessCheck" : "AuthzAccessCheck", self ? "own token" : "Authz context of ",
         self ? "" : who, (unsigned long)desired);
    cp_begin_call(a);
    GetKernelObjectSecurity(a->h, what, NULL, 0, &need);
    if (!need) {
        cp_set_bool_result(a, FALSE);
        return;
    }
    sd = cp_try_alloc(a, need, "the security descriptor");
    if (!sd) return;
    if (!GetKernelObjectSecurity(a->h, what, sd, need, &need)) {
        cp_set_bool_result(a, FALSE);
        free(sd);
        return;
    }
    {
        /* A pipe with no security descriptor (as Wine creates one without security
         * attributes) has no owner, group or DACL, and AccessCheck refuses such a
         * descriptor (ERROR_INVALID_SECURITY_DESCR). Ask the platform about the same
         * (absent) DACL with the caller as owner and group, and say so plainly. */
        SECURITY_DESCRIPTOR full;
        PSID owner = NULL, group = NULL;
        PACL dacl = NULL;
        BOOL def = FALSE, present = FALSE;
        PSECURITY_DESCRIPTOR use = sd;
        char own[SECURITY_MAX_SID_SIZE * 2];
        GetSecurityDescriptorOwner(sd, &owner, &def);
        GetSecurityDescriptorGroup(sd, &group, &def);
        GetSecurityDescriptorDacl(sd, &present, &dacl, &def);
        if ((!owner || !group) && caller_sids(own, sizeof own / 2, own + sizeof own / 2, sizeof own / 2) &&
            InitializeSecurityDescriptor(&full, SECURITY_DESCRIPTOR_REVISION) &&
            SetSecurityDescriptorOwner(&full, owner ? owner : (PSID)own, FALSE) &&
            SetSecurityDescriptorGroup(&full, group ? group : (PSID)(own + sizeof own / 2), FALSE) &&
            SetSecurityDescriptorDacl(&full, present, dacl, FALSE)) {
            use = &full;
            if (!present) {
                size_t l = strlen(a->call);
                snprintf(a->call + l, sizeof a->call - l,
                         "; no security descriptor (no owner, group or DACL): asked with the caller as owner and group, and no DACL means everyone has access");
            }
        }
        if (self) audit_self(a, use, desired);
        else audit_other(a, use, who, rights, desired);
        if (!a->skip_reason[0] && !a->act.error) /* what the answer was about */
            ps_actual_set(&a->act, "dacl", "%s", !present ? "none" : dacl ? "present" : "null");
    }
    free(sd);
}
