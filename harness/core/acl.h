/* acl.h: effective access of an identity under a DACL, evaluated the way Windows'
 * AccessCheck walks a DACL (ordered ACEs; a deny ACE for a still-wanted right wins;
 * a NULL DACL grants everything; an empty DACL grants nothing). Portable, so the
 * audit can be unit-tested and can ask about identities the harness is not. */
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
/* The SIDs an identity's token holds: "everyone", "authenticated" (a plain
 * authenticated user), "administrators", "anonymous", "system". NULL-terminated
 * static list, or NULL for an unknown identity. */
const char *const *ps_identity_sids(const char *who);
/* Right names: read, write, readwrite, create_instance, all. 0 when unknown. */
unsigned long ps_rights_mask(const char *rights);
/* 1 when every bit of desired is granted. dacl_present=0 means a NULL DACL. */
int ps_dacl_grants(int dacl_present, const ps_ace *aces, int n, const char *const *sids,
                   unsigned long desired);
#endif
