/*
 * byte_server: a test-only server that does what the sample's server does
 * (reference_server: one pipe instance at a time, read one request, write the
 * 58-byte "Default response from server" with its NUL, flush, disconnect), except
 * that its pipe is byte-type: PIPE_TYPE_BYTE | PIPE_READMODE_BYTE. A client that asks
 * for message-read mode (SetNamedPipeHandleState with PIPE_READMODE_MESSAGE, as the
 * sample's client does) is refused with ERROR_INVALID_PARAMETER; one that reads in
 * byte mode is served normally. Used by tests/e2e/stress_judging.sh to show that
 * `pipespec stress` names the call that failed and does not pass a run that verified
 * nothing.
 *
 * Other differences from the sample: the pipe has the default security descriptor
 * (no DACL built), and the transcript goes to stdout without the request's text.
 *
 * Usage: byte_server [--pipe NAME] [--clients N]
 *   --pipe NAME   pipe name after \\.\pipe\ (default SamplePipe)
 *   --clients N   serve N clients in turn, one instance at a time; 0 = forever
 *                 (default 1, as the sample). A failed client is reported and the
 *                 next one served.
 * Exit code: 0, or the Win32 error of the last failure; 2 on a usage error.
 */
#ifndef UNICODE
#define UNICODE
#endif
#include <windows.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUFFER_SIZE 1024

static const wchar_t RESPONSE[] = L"Default response from server";

/* Serves one client on `h`; returns 0 or the error that ended it. */
static DWORD serve_one(HANDLE h)
{
    unsigned char request[BUFFER_SIZE];
    DWORD got = 0, written = 0;
    printf("Waiting for the client's connection...\n");
    fflush(stdout);
    if (!ConnectNamedPipe(h, NULL) && GetLastError() != ERROR_PIPE_CONNECTED) {
        DWORD e = GetLastError();
        printf("ConnectNamedPipe failed w/err 0x%08lx\n", e);
        fflush(stdout);
        return e;
    }
    printf("Client is connected.\n");
    /* byte mode: one read, as the sample's (a request of up to 1024 bytes) */
    if (!ReadFile(h, request, sizeof request, &got, NULL)) {
        DWORD e = GetLastError();
        printf("ReadFile from pipe failed w/err 0x%08lx\n", e);
        fflush(stdout);
        DisconnectNamedPipe(h);
        return e;
    }
    printf("Receive %lu bytes from client\n", got);
    if (!WriteFile(h, RESPONSE, sizeof RESPONSE, &written, NULL)) {
        DWORD e = GetLastError();
        printf("WriteFile to pipe failed w/err 0x%08lx\n", e);
        fflush(stdout);
        DisconnectNamedPipe(h);
        return e;
    }
    printf("Send %lu bytes to client\n", written);
    fflush(stdout);
    FlushFileBuffers(h);
    DisconnectNamedPipe(h);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: byte_server [--pipe NAME] [--clients N]\n");
    return 2;
}

int main(int argc, char **argv)
{
    const char *pipe = "SamplePipe";
    unsigned long clients = 1, served;
    wchar_t name[300];
    HANDLE h = INVALID_HANDLE_VALUE;
    DWORD last = 0;
    int i;
    for (i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        char *end;
        if (!strcmp(argv[i], "--pipe") && v && *v) pipe = v, i++;
        else if (!strcmp(argv[i], "--clients") && v) {
            clients = strtoul(v, &end, 10);
            if (*end || !*v) return usage();
            i++;
        } else return usage();
    }
    if (strlen(pipe) > 256) return usage();
    swprintf(name, sizeof name / sizeof name[0], L"\\\\.\\pipe\\%hs", pipe);
    for (served = 0; clients == 0 || served < clients; served++) {
        /* the next instance exists before the previous one is closed, so the name
         * never disappears between two clients (as reference_server --clients N) */
        HANDLE next = CreateNamedPipeW(name, PIPE_ACCESS_DUPLEX, PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT,
                                       PIPE_UNLIMITED_INSTANCES, BUFFER_SIZE, BUFFER_SIZE, 0, NULL);
        DWORD e;
        if (next == INVALID_HANDLE_VALUE) {
            last = GetLastError();
            printf("Unable to create named pipe w/err 0x%08lx\n", last);
            fflush(stdout);
            break;
        }
        if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
        h = next;
        printf("The named pipe (%ls) is created.\n", name);
        e = serve_one(h);
        if (e) last = e;
    }
    if (h != INVALID_HANDLE_VALUE) CloseHandle(h);
    return (int)last;
}
