/* acl.c: see acl.h. */
#include "acl.h"
#include <string.h>

unsigned long ps_map_generic(unsigned long m)
{
    unsigned long r = m & 0x0FFFFFFFUL;
    if (m & 0x80000000UL) r |= PS_FILE_GENERIC_READ;
    if (m & 0x40000000UL) r |= PS_FILE_GENERIC_WRITE;
    if (m & 0x20000000UL) r |= PS_FILE_GENERIC_EXECUTE;
    if (m & 0x10000000UL) r |= PS_FILE_ALL_ACCESS;
    return r;
}

const char *const *ps_identity_sids(const char *who)
{
    static const char *const everyone[] = {"S-1-1-0", NULL};
    /* a standard interactive user: Authenticated Users, Everyone, Users, Interactive */
    static const char *const authenticated[] = {"S-1-5-11", "S-1-1-0", "S-1-5-32-545", "S-1-5-4", NULL};
    static const char *const admins[] = {"S-1-5-32-544", "S-1-1-0", "S-1-5-32-545", "S-1-5-4",
                                         "S-1-5-11", NULL};
    /* Anonymous Logon is not in Everyone by default (EveryoneIncludesAnonymous = 0) */
    static const char *const anonymous[] = {"S-1-5-7", NULL};
    static const char *const system[] = {"S-1-5-18", "S-1-1-0", "S-1-5-11", "S-1-5-32-544", NULL};
    if (!strcmp(who, "everyone")) return everyone;
    if (!strcmp(who, "authenticated")) return authenticated;
    if (!strcmp(who, "administrators")) return admins;
    if (!strcmp(who, "anonymous")) return anonymous;
    if (!strcmp(who, "system")) return system;
    return NULL;
}

unsigned long ps_rights_mask(const char *r)
{
    if (!strcmp(r, "read")) return PS_FILE_GENERIC_READ;
    if (!strcmp(r, "write")) return PS_FILE_GENERIC_WRITE;
    if (!strcmp(r, "readwrite")) return PS_FILE_GENERIC_READ | PS_FILE_GENERIC_WRITE;
    if (!strcmp(r, "create_instance")) return PS_FILE_CREATE_PIPE_INSTANCE;
    if (!strcmp(r, "all")) return PS_FILE_ALL_ACCESS;
    return 0;
}

static int has_sid(const char *const *sids, const char *sid)
{
    for (; *sids; sids++)
        if (!strcmp(*sids, sid)) return 1;
    return 0;
}

int ps_dacl_grants(int dacl_present, const ps_ace *aces, int n, const char *const *sids,
                   unsigned long desired)
{
    unsigned long granted = 0, want = ps_map_generic(desired);
    int i;
    if (!dacl_present) return 1;
    for (i = 0; i < n && (granted & want) != want; i++) {
        unsigned long m = ps_map_generic(aces[i].mask);
        if (!has_sid(sids, aces[i].sid)) continue;
        if (aces[i].deny) {
            if (m & want & ~granted) return 0;
        } else {
            granted |= m & want;
        }
    }
    return (granted & want) == want;
}
