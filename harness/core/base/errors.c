/* errors.c: the Win32 error table (values from Microsoft's "System Error Codes"). */
#include "errors.h"
#include "psutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct { unsigned long code; const char *name; } table[] = {
    {0, "ERROR_SUCCESS"},
    {1, "ERROR_INVALID_FUNCTION"},
    {2, "ERROR_FILE_NOT_FOUND"},
    {3, "ERROR_PATH_NOT_FOUND"},
    {5, "ERROR_ACCESS_DENIED"},
    {6, "ERROR_INVALID_HANDLE"},
    {8, "ERROR_NOT_ENOUGH_MEMORY"},
    {31, "ERROR_GEN_FAILURE"},
    {50, "ERROR_NOT_SUPPORTED"},
    {51, "ERROR_REM_NOT_LIST"},
    {53, "ERROR_BAD_NETPATH"},
    {59, "ERROR_UNEXP_NET_ERR"},
    {64, "ERROR_NETNAME_DELETED"},
    {67, "ERROR_BAD_NET_NAME"},
    {87, "ERROR_INVALID_PARAMETER"},
    {109, "ERROR_BROKEN_PIPE"},
    {111, "ERROR_BUFFER_OVERFLOW"},
    {120, "ERROR_CALL_NOT_IMPLEMENTED"},
    {121, "ERROR_SEM_TIMEOUT"},
    {122, "ERROR_INSUFFICIENT_BUFFER"},
    {123, "ERROR_INVALID_NAME"},
    {161, "ERROR_BAD_PATHNAME"},
    {183, "ERROR_ALREADY_EXISTS"},
    {192, "WAIT_IO_COMPLETION"},
    {206, "ERROR_FILENAME_EXCED_RANGE"},
    {230, "ERROR_BAD_PIPE"},
    {231, "ERROR_PIPE_BUSY"},
    {232, "ERROR_NO_DATA"},
    {233, "ERROR_PIPE_NOT_CONNECTED"},
    {234, "ERROR_MORE_DATA"},
    {258, "WAIT_TIMEOUT"},
    {535, "ERROR_PIPE_CONNECTED"},
    {536, "ERROR_PIPE_LISTENING"},
    {676, "ERROR_HANDLES_CLOSED"},
    {995, "ERROR_OPERATION_ABORTED"},
    {996, "ERROR_IO_INCOMPLETE"},
    {997, "ERROR_IO_PENDING"},
    {1008, "ERROR_NO_TOKEN"},
    {1168, "ERROR_NOT_FOUND"},
    {1346, "ERROR_BAD_IMPERSONATION_LEVEL"},
    {1368, "ERROR_CANNOT_IMPERSONATE"},
    {1326, "ERROR_LOGON_FAILURE"},
    {1338, "ERROR_INVALID_SECURITY_DESCR"},
    {1347, "ERROR_CANT_OPEN_ANONYMOUS"},
    {1359, "ERROR_INTERNAL_ERROR"},
    {1203, "ERROR_NO_NET_OR_BAD_PATH"},
    {1231, "ERROR_NETWORK_UNREACHABLE"},
    {1232, "ERROR_HOST_UNREACHABLE"},
    {1722, "RPC_S_SERVER_UNAVAILABLE"},
    {998, "ERROR_NOACCESS"},
    {1784, "ERROR_INVALID_USER_BUFFER"},
    /* NTSTATUS values (Microsoft's "NTSTATUS Values"), for the NT-layer ops */
    {0x000000C0UL, "STATUS_USER_APC"},
    {0x00000103UL, "STATUS_PENDING"},
    {0x80000005UL, "STATUS_BUFFER_OVERFLOW"},
    {0xC0000002UL, "STATUS_NOT_IMPLEMENTED"},
    {0xC0000003UL, "STATUS_INVALID_INFO_CLASS"},
    {0xC0000004UL, "STATUS_INFO_LENGTH_MISMATCH"},
    {0xC0000008UL, "STATUS_INVALID_HANDLE"},
    {0xC000000DUL, "STATUS_INVALID_PARAMETER"},
    {0xC0000010UL, "STATUS_INVALID_DEVICE_REQUEST"},
    {0xC0000022UL, "STATUS_ACCESS_DENIED"},
    {0xC0000023UL, "STATUS_BUFFER_TOO_SMALL"},
    {0xC0000024UL, "STATUS_OBJECT_TYPE_MISMATCH"},
    {0xC0000033UL, "STATUS_OBJECT_NAME_INVALID"},
    {0xC0000034UL, "STATUS_OBJECT_NAME_NOT_FOUND"},
    {0xC0000035UL, "STATUS_OBJECT_NAME_COLLISION"},
    {0xC0000039UL, "STATUS_OBJECT_PATH_INVALID"},
    {0xC000003AUL, "STATUS_OBJECT_PATH_NOT_FOUND"},
    {0xC00000ABUL, "STATUS_INSTANCE_NOT_AVAILABLE"},
    {0xC00000ACUL, "STATUS_PIPE_NOT_AVAILABLE"},
    {0xC00000ADUL, "STATUS_INVALID_PIPE_STATE"},
    {0xC00000AEUL, "STATUS_PIPE_BUSY"},
    {0xC00000AFUL, "STATUS_ILLEGAL_FUNCTION"},
    {0xC00000B0UL, "STATUS_PIPE_DISCONNECTED"},
    {0xC00000B1UL, "STATUS_PIPE_CLOSING"},
    {0xC00000B2UL, "STATUS_PIPE_CONNECTED"},
    {0xC00000B3UL, "STATUS_PIPE_LISTENING"},
    {0xC00000B4UL, "STATUS_INVALID_READ_MODE"},
    {0xC00000B5UL, "STATUS_IO_TIMEOUT"},
    {0xC00000BAUL, "STATUS_FILE_IS_A_DIRECTORY"},
    {0xC00000BBUL, "STATUS_NOT_SUPPORTED"},
    {0xC0000120UL, "STATUS_CANCELLED"},
    {0xC000014BUL, "STATUS_PIPE_BROKEN"},
    {0xC0000225UL, "STATUS_NOT_FOUND"},
    {PS_NO_PIPE, "PS_NO_PIPE"},
    {PS_PROGRAM_EXITED, "PS_PROGRAM_EXITED"},
    {PS_NO_LINE, "PS_NO_LINE"},
};

static const char *result_meaning(unsigned long code)
{
    switch (code) {
    case PS_NO_PIPE: return "the program's pipe did not appear in time";
    case PS_PROGRAM_EXITED: return "the program exited before its pipe appeared";
    case PS_NO_LINE: return "the text did not appear in the program's output in time";
    default: return NULL;
    }
}

const char *ps_error_name(unsigned long code)
{
    size_t i;
    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        if (table[i].code == code) return table[i].name;
    return NULL;
}

int ps_error_parse(const char *name, unsigned long *code)
{
    size_t i;
    char *end;
    unsigned long v;
    if (!name || !*name) return -1;
    if (ps_strieq(name, "ok")) {
        *code = 0;
        return 0;
    }
    if (name[0] >= '0' && name[0] <= '9') {
        v = strtoul(name, &end, 0);
        if (*end) return -1;
        *code = v;
        return 0;
    }
    for (i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(table[i].name, name) == 0) {
            *code = table[i].code;
            return 0;
        }
    return -1;
}

const char *ps_error_format(unsigned long code, char *buf, unsigned long size)
{
    const char *n = ps_error_name(code);
    if (n && result_meaning(code)) snprintf(buf, size, "%s (%s)", n, result_meaning(code));
    else if (n) snprintf(buf, size, "%s (%lu)", n, code);
    else snprintf(buf, size, "error %lu", code);
    return buf;
}

const char *ps_error_at(unsigned long i, unsigned long *code)
{
    if (i >= sizeof table / sizeof table[0]) return NULL;
    *code = table[i].code;
    return table[i].name;
}
