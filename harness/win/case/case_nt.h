/* case_nt.h: the NT-layer ops (case_nt.c: creating and opening through ntdll;
 * case_ntio.c: FSCTLs, NtReadFile/NtWriteFile, information classes and security).
 * ntdll's entry points are found at run time (GetProcAddress); the structures are
 * declared here with the layouts of Microsoft's documentation (ntifs.h / MS-FSCC),
 * under ps_ names so they never clash with a header's. */
#ifndef CASE_NT_H
#define CASE_NT_H
#include "case_internal.h"
#include <winternl.h>

#define PS_STATUS_PENDING 0x00000103UL
#define PS_STATUS_BUFFER_TOO_SMALL 0xC0000023UL
#define PS_STATUS_BUFFER_OVERFLOW 0x80000005UL
#define PS_FILE_SYNCHRONOUS_IO_ALERT 0x10UL
#define PS_FILE_SYNCHRONOUS_IO_NONALERT 0x20UL
#define PS_FILE_NON_DIRECTORY_FILE 0x40UL

typedef NTSTATUS(NTAPI *ps_NtCreateNamedPipeFile)(HANDLE *, ULONG, OBJECT_ATTRIBUTES *, IO_STATUS_BLOCK *,
                                                  ULONG, ULONG, ULONG, ULONG, ULONG, ULONG, ULONG, ULONG,
                                                  ULONG, LARGE_INTEGER *);
typedef NTSTATUS(NTAPI *ps_NtCreateFile)(HANDLE *, ACCESS_MASK, OBJECT_ATTRIBUTES *, IO_STATUS_BLOCK *,
                                         LARGE_INTEGER *, ULONG, ULONG, ULONG, ULONG, void *, ULONG);
typedef NTSTATUS(NTAPI *ps_NtFsControlFile)(HANDLE, HANDLE, PIO_APC_ROUTINE, void *, IO_STATUS_BLOCK *, ULONG,
                                            void *, ULONG, void *, ULONG);
typedef NTSTATUS(NTAPI *ps_NtReadWriteFile)(HANDLE, HANDLE, PIO_APC_ROUTINE, void *, IO_STATUS_BLOCK *, void *,
                                            ULONG, LARGE_INTEGER *, ULONG *);
typedef NTSTATUS(NTAPI *ps_NtQuerySetInformationFile)(HANDLE, IO_STATUS_BLOCK *, void *, ULONG, ULONG);
typedef NTSTATUS(NTAPI *ps_NtQuerySecurityObject)(HANDLE, SECURITY_INFORMATION, PSECURITY_DESCRIPTOR, ULONG,
                                                  ULONG *);
typedef NTSTATUS(NTAPI *ps_NtSetSecurityObject)(HANDLE, SECURITY_INFORMATION, PSECURITY_DESCRIPTOR);
typedef NTSTATUS(NTAPI *ps_NtCreateDirectoryObject)(HANDLE *, ACCESS_MASK, OBJECT_ATTRIBUTES *);

/* ntdll's function `name`, or NULL with a harness fault on a (when ntdll lacks it). */
void *nt_proc(actor *a, const char *name);
/* OBJECT_ATTRIBUTES for a step's name= (expanded), root= (another actor's handle) and
 * empty_name=1; *u and the returned wide string stay alive for the call. NULL
 * (a harness fault) when root names no actor. */
wchar_t *nt_attr(actor *a, const ps_step *s, const char *def, OBJECT_ATTRIBUTES *oa, UNICODE_STRING *u);
/* A text with the case's pipe name put back as {pipe}, so an expectation can name it. */
void nt_field_name(actor *a, const char *key, const wchar_t *w, size_t nchars);
/* 0 (a harness fault) when a size argument is over what the harness hands a call. */
int nt_size_ok(actor *a, const ps_step *s, const char *key);
/* An integer argument (decimal or 0x... hex), or def. */
unsigned long nt_uint_arg(const ps_step *s, const char *key, unsigned long def);
/* The result of an NT call: the status (0 = ok) and a->ret. */
void nt_set_status(actor *a, NTSTATUS st);
/* A security descriptor with the owner and group a step names (owner=self|none,
 * group=primary|world|local|none), no DACL, as Wine's test_security_info builds it;
 * free with nt_free_sd. NULL with a harness fault. */
PSECURITY_DESCRIPTOR nt_build_sd(actor *a, const char *owner, const char *group);
void nt_free_sd(PSECURITY_DESCRIPTOR sd);
/* The name a SID is reported by: primary, self, world, local, none or S-1-... */
void nt_sid_field(actor *a, const char *key, PSID sid, int is_group);

#endif
