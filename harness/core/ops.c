/* ops.c: the operations a case may use, with their roles and arguments.
 * The executor (harness/win/exec.c) implements each one with the Win32 call named
 * in its summary; the parser uses this table to reject unknown ops and arguments. */
#include "scenario.h"
#include <string.h>

#define S PS_OP_SERVER
#define C PS_OP_CLIENT
#define H (PS_OP_SERVER | PS_OP_CLIENT)
#define OV {"overlapped", PS_ARG_BOOL, NULL}

static const ps_opdef ops[] = {
    {"create", S, "CreateNamedPipeW", "",
     {{"name", PS_ARG_STR, NULL},
      {"access", PS_ARG_ENUM, "duplex|inbound|outbound|none"},
      {"type", PS_ARG_ENUM, "byte|message"},
      {"read", PS_ARG_ENUM, "byte|message"},
      {"wait", PS_ARG_ENUM, "wait|nowait"},
      {"instances", PS_ARG_INT, "unlimited"},
      {"out", PS_ARG_SIZE, NULL},
      {"in", PS_ARG_SIZE, NULL},
      {"timeout", PS_ARG_MS, "default"},
      {"sddl", PS_ARG_STR, NULL},
      {"first", PS_ARG_BOOL, NULL},
      {"reject_remote", PS_ARG_BOOL, NULL},
      {"write_through", PS_ARG_BOOL, NULL},
      {"null_name", PS_ARG_BOOL, NULL},
      {"flags", PS_ARG_INT, NULL},
      OV}},
    {"connect", H, "ConnectNamedPipe (on a client end: row 9)", "", {OV}},
    {"disconnect", S, "DisconnectNamedPipe", "", {{NULL, 0, NULL}}},
    {"impersonate", S, "ImpersonateNamedPipeClient (on the actor's thread)", "",
     {{NULL, 0, NULL}}},
    {"token", S, "OpenThreadToken + GetTokenInformation(TokenImpersonationLevel)", "level",
     {{NULL, 0, NULL}}},
    {"revert", S, "RevertToSelf", "", {{NULL, 0, NULL}}},
    {"open", C, "CreateFileW on a pipe name (retry=MS: on ERROR_PIPE_BUSY, WaitNamedPipe(MS) and again, as the sample client; the trace says how often it was busy)", "",
     {{"name", PS_ARG_STR, NULL},
      {"retry", PS_ARG_MS, NULL},
      {"access", PS_ARG_INT, "rw|read|write|none|readattr|rwattr"}, /* or a mask: 0x2 */
      {"share", PS_ARG_INT, NULL},
      {"sqos", PS_ARG_ENUM, "anonymous|identification|impersonation|delegation"},
      {"null_name", PS_ARG_BOOL, NULL},
      OV}},
    {"wait", C, "WaitNamedPipeW", "",
     {{"name", PS_ARG_STR, NULL}, {"timeout", PS_ARG_MS, "default|forever"}}},
    {"call", C, "CallNamedPipeW (no handle kept)", "bytes",
     {{"name", PS_ARG_STR, NULL},
      {"size", PS_ARG_SIZE, NULL},
      {"text", PS_ARG_STR, NULL},
      {"out", PS_ARG_SIZE, NULL},
      {"timeout", PS_ARG_MS, "default|forever|nowait"}}},
    {"mode", H, "SetNamedPipeHandleState", "",
     {{"read", PS_ARG_ENUM, "byte|message"}, {"wait", PS_ARG_ENUM, "wait|nowait"}}},
    {"state", H, "GetNamedPipeHandleStateW", "read wait instances", {{NULL, 0, NULL}}},
    {"info", H, "GetNamedPipeInfo", "type end out in max", {{NULL, 0, NULL}}},
    {"write", H, "WriteFile", "bytes",
     {{"size", PS_ARG_SIZE, NULL}, {"text", PS_ARG_STR, NULL}, {"ascii", PS_ARG_STR, NULL},
      OV}},
    {"read", H, "ReadFile (data checked against what the peer wrote)", "bytes text",
     {{"size", PS_ARG_SIZE, NULL}, OV}},
    {"peek", H, "PeekNamedPipe", "bytes avail left",
     {{"size", PS_ARG_SIZE, NULL}, {"null_buf", PS_ARG_BOOL, NULL}}},
    {"transact", H, "TransactNamedPipe", "bytes",
     {{"size", PS_ARG_SIZE, NULL}, {"text", PS_ARG_STR, NULL}, {"out", PS_ARG_SIZE, NULL},
      OV}},
    {"result", H, "GetOverlappedResult on the actor's pending overlapped call", "bytes",
     {{"wait", PS_ARG_BOOL, NULL}}},
    {"flush", H, "FlushFileBuffers", "", {{NULL, 0, NULL}}},
    {"close", H, "CloseHandle", "", {{NULL, 0, NULL}}},
    {"cancel", H, "CancelIoEx(handle, NULL), from the script thread", "", {{NULL, 0, NULL}}},
    {"cancel_sync", H, "CancelSynchronousIo on the actor's thread, from the script thread", "",
     {{NULL, 0, NULL}}},
    {"pid", H, "GetNamedPipeClientProcessId / GetNamedPipeServerProcessId", "pid",
     {{"of", PS_ARG_ENUM, "client|server"}}},
    {"audit", H,
     "does the platform grant an identity these rights under the pipe's stored security "
     "descriptor: AccessCheck with the harness's own token (self), AuthzAccessCheck for the "
     "others, or a step-level SKIP where Authz cannot answer",
     "granted dacl",
     {{"who", PS_ARG_ENUM, "self|everyone|authenticated|administrators|anonymous|system"},
      {"rights", PS_ARG_ENUM, "read|write|create_instance|all|readwrite"}}},
    {"start", PS_OP_PROC, "CreateProcessW of a command line (stdout captured)", "",
     {{"cmd", PS_ARG_STR, NULL}}},
    {"serve", PS_OP_PROC,
     "start the server under test ({server_cmd}, default the reference server) and wait "
     "until its pipe exists; with --server-pipe, only check that the pipe exists", "",
     {{"clients", PS_ARG_INT, NULL}, {"timeout", PS_ARG_MS, NULL}}},
    {"waitpipe", PS_OP_PROC, "wait until a pipe name exists (WaitNamedPipe polling)", "",
     {{"name", PS_ARG_STR, NULL}, {"timeout", PS_ARG_MS, NULL}}},
    {"exit", PS_OP_PROC, "wait for the process to exit", "code",
     {{"timeout", PS_ARG_MS, "forever"}}},
    {"kill", PS_OP_PROC, "TerminateProcess", "", {{NULL, 0, NULL}}},
    {"output", PS_OP_PROC, "compare the captured stdout (CR removed)", "",
     {{"file", PS_ARG_STR, NULL}, {"as", PS_ARG_STR, NULL}, {"contains", PS_ARG_STR, NULL},
      {"lines", PS_ARG_INT, NULL}}},
    {"waitline", PS_OP_PROC, "wait until the output has a line containing text", "",
     {{"text", PS_ARG_STR, NULL}, {"timeout", PS_ARG_MS, NULL}}},
    {"sleep", PS_OP_STMT, "Sleep (prefer await/pending: they synchronise on events)", "",
     {{NULL, 0, NULL}}},
    {"await", PS_OP_STMT, "wait for an actor's background step to finish", "",
     {{"timeout", PS_ARG_MS, NULL}}},
    {"pending", PS_OP_STMT, "assert an actor's background step has not finished", "",
     {{NULL, 0, NULL}}},
    {"debug", PS_OP_STMT, "harness self-tests: crash or hang the case process", "",
     {{NULL, 0, NULL}}},
};

const ps_opdef *ps_op_find(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (strcmp(ops[i].name, name) == 0) return &ops[i];
    return NULL;
}

const ps_opdef *ps_op_table(size_t *n)
{
    *n = sizeof ops / sizeof ops[0];
    return ops;
}
