/* acl.h: the identities and rights of the `audit` op, and a static reading of a DACL.
 *
 * The audit's verdict comes from the platform (AccessCheck or AuthzAccessCheck, see
 * harness/win/case_audit.c). ps_dacl_grants is only a lint: it reads the DACL text the
 * simple way (ordered ACEs; a deny ACE for a still-wanted right wins; a NULL DACL grants
 * everything; an empty DACL grants nothing) and leaves out owner rights, privileges,
 * integrity levels, object and conditional ACEs. Its answer is shown as a labelled note,
 * never as a verdict. Portable, so it can be unit-tested. */
#ifndef ACL_H
#define ACL_H
typedef struct {
    int deny;              /* 0 allow, 1 deny */
    unsigned long mask;    /* as stored; generic bits are mapped with the file mapping */
    const char *sid;       /* "S-1-5-11" */
} ps_ace;

#define PS_FILE_GENERIC_READ 0x120089UL
#define PS_FILE_GENERIC_WRITE 0x120116UL
#define PS_FILE_GENERIC_EXECUTE 0x1200A0UL
#define PS_FILE_ALL_ACCESS 0x1F01FFUL
#define PS_FILE_CREATE_PIPE_INSTANCE 0x4UL

unsigned long ps_map_generic(unsigned long mask);
/* The SIDs the audit puts in an identity's client context (the definition of the
 * identity, not a model of the access check): "everyone" (Everyone alone),
 * "authenticated" (a plain interactive user), "administrators" (such a user who is also
 * in BUILTIN\Administrators), "anonymous" (Anonymous Logon alone, as Windows'
 * default EveryoneIncludesAnonymous=0 makes it), "system" (LocalSystem). The first SID
 * is the identity's own, the rest its groups. NULL-terminated static list, or NULL for
 * an unknown identity. */
const char *const *ps_identity_sids(const char *who);
/* Right names: read, write, readwrite, create_instance, all. 0 when unknown. */
unsigned long ps_rights_mask(const char *rights);
/* Lint: 1 when the DACL text grants every bit of desired to a holder of sids.
 * dacl_present=0 means a NULL DACL. Not the platform's answer. */
int ps_dacl_grants(int dacl_present, const ps_ace *aces, int n, const char *const *sids,
                   unsigned long desired);
#endif
