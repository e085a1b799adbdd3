/*
 * reference_server: the CppNamedPipeServer of Microsoft's CppNamedPipeCommunication
 * sample, reproduced exactly (constants, calls, flags, DACL, transcript, error
 * messages, exit codes), plus options that default to the sample's values.
 *
 * Every place where this file departs from the letter of the original carries a
 * comment starting "DEPARTURE"; docs/reference-programs.md lists them all.
 *
 * Build: C11, UNICODE/_UNICODE, link advapi32. Also builds with MSVC.
 */

#ifndef UNICODE
#define UNICODE
#endif
#ifndef _UNICODE
#define _UNICODE
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include <windows.h>
#include "sample_common.h"
#include <sddl.h>

#ifdef _MSC_VER
#pragma comment(lib, "advapi32.lib")
#endif

/* The full name of the pipe in the format of \\servername\pipe\pipename. */
#define SERVER_NAME         L"."
#define PIPE_NAME           L"SamplePipe"
#define FULL_PIPE_NAME      L"\\\\" SERVER_NAME L"\\pipe\\" PIPE_NAME

#define BUFFER_SIZE     1024

/* Response message from server to client. '\0' is appended in the end
   because the client may be a native C++ application that expects NULL
   terminated string. */
#define RESPONSE_MESSAGE    L"Default response from server"

/* Exit code of a command-line usage error (DEPARTURE: the original takes no
   arguments). 2 is also ERROR_FILE_NOT_FOUND; the usage text on stderr tells
   the two apart. */
#define EXIT_USAGE 2

/* The options; each defaults to the sample's behaviour. */
typedef struct options {
    const wchar_t *pipe_name;   /* short name after \\.\pipe\ */
    unsigned long clients;      /* clients to serve in turn; 0 = forever */
    int has_response_size;      /* 0: send RESPONSE_MESSAGE as the sample does */
    unsigned long response_size;/* bytes of the response when has_response_size */
} options;

BOOL CreatePipeSecurity(PSECURITY_ATTRIBUTES *);
void FreePipeSecurity(PSECURITY_ATTRIBUTES);


static void print_usage(FILE *to)
{
    fwprintf(to,
        L"Usage: reference_server [--pipe NAME] [--clients N] [--response-size N]\n"
        L"       reference_server --help\n"
        L"\n"
        L"The CppNamedPipeServer sample. Without options it behaves exactly as the\n"
        L"sample: creates \\\\.\\pipe\\SamplePipe, serves one client, exits with the\n"
        L"last error (0 on success).\n"
        L"\n"
        L"  --pipe NAME          pipe name after \\\\.\\pipe\\ (default SamplePipe)\n"
        L"  --clients N          serve N clients in turn, one pipe instance at a time,\n"
        L"                       each with the whole transcript; 0 = forever (default 1)\n"
        L"  --response-size N    respond with N bytes: the response text repeated or\n"
        L"                       truncated as UTF-16LE, the last whole UTF-16 unit NUL\n"
        L"                       when N >= 2 (default: the sample's 58-byte response)\n"
        L"  --help               print this text and exit 0\n"
        L"\n"
        L"Exit codes: 0 success; otherwise the Win32 error of the last failure\n"
        L"(seen modulo 256 by a POSIX parent); 2 also for a usage error.\n");
    fflush(to);
}



/* Parses the options. Returns -1 to go on, or the exit code to end with
   (0 after --help, EXIT_USAGE after a usage error, which has been reported). */
static int parse_options(int argc, wchar_t **argv, options *o)
{
    int i;
    o->pipe_name = PIPE_NAME;
    o->clients = 1;
    o->has_response_size = 0;
    o->response_size = 0;

    for (i = 1; i < argc; i++) {
        const wchar_t *a = argv[i];
        const wchar_t *v = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (wcscmp(a, L"--help") == 0 || wcscmp(a, L"-h") == 0 || wcscmp(a, L"/?") == 0) {
            print_usage(stdout);
            return 0;
        } else if (wcscmp(a, L"--pipe") == 0) {
            if (v == NULL || *v == L'\0') {
                fwprintf(stderr, L"reference_server: --pipe needs a non-empty NAME\n");
                goto Usage;
            }
            o->pipe_name = v;
            i++;
        } else if (wcscmp(a, L"--clients") == 0) {
            if (!parse_count(v, &o->clients)) {
                fwprintf(stderr, L"reference_server: --clients needs a number 0..4294967295\n");
                goto Usage;
            }
            i++;
        } else if (wcscmp(a, L"--response-size") == 0) {
            if (!parse_count(v, &o->response_size) || o->response_size > 0x7FFFFFFFul) {
                fwprintf(stderr, L"reference_server: --response-size needs a number 0..2147483647\n");
                goto Usage;
            }
            o->has_response_size = 1;
            i++;
        } else {
            fwprintf(stderr, L"reference_server: unknown argument '%ls'\n", a);
            goto Usage;
        }
    }
    return -1;

Usage:
    print_usage(stderr);
    return EXIT_USAGE;
}



/* Serves one client on a new pipe instance: the sample's main body from
   CreateNamedPipe to DisconnectNamedPipe. Closes hPrevious (the previous client's
   instance, or INVALID_HANDLE_VALUE) once the new instance exists. Returns the
   error that ended it, or ERROR_SUCCESS. Sets *phNamedPipe to the new instance
   (INVALID_HANDLE_VALUE if it could not be created, which also sets *fatal: no
   further client can be served); the caller closes it, so that with one client
   the last calls come in the original's order (FreePipeSecurity, then
   CloseHandle). */
static DWORD serve_one(const wchar_t *fullPipeName, PSECURITY_ATTRIBUTES pSa,
                       const wchar_t *response, DWORD cbResponseSize,
                       HANDLE hPrevious, HANDLE *phNamedPipe, BOOL *fatal)
{
    DWORD dwError = ERROR_SUCCESS;
    HANDLE hNamedPipe = INVALID_HANDLE_VALUE;
    BOOL fFinishRead = FALSE;
    DWORD cbResponse, cbWritten;

    *fatal = FALSE;

    // Create the named pipe.
    hNamedPipe = CreateNamedPipe(
        fullPipeName,               // Pipe name.
        PIPE_ACCESS_DUPLEX,         // The pipe is duplex; both server and
                                    // client processes can read from and
                                    // write to the pipe
        PIPE_TYPE_MESSAGE |         // Message type pipe
        PIPE_READMODE_MESSAGE |     // Message-read mode
        PIPE_WAIT,                  // Blocking mode is enabled
        PIPE_UNLIMITED_INSTANCES,   // Max. instances
        BUFFER_SIZE,                // Output buffer size in bytes
        BUFFER_SIZE,                // Input buffer size in bytes
        NMPWAIT_USE_DEFAULT_WAIT,   // Time-out interval
        pSa                         // Security attributes
        );
    *phNamedPipe = hNamedPipe;

    if (hNamedPipe == INVALID_HANDLE_VALUE)
    {
        dwError = GetLastError();
        wprintf(L"Unable to create named pipe w/err 0x%08lx\n", dwError);
        flush_out();
        *fatal = TRUE;
        goto Cleanup;
    }

    // DEPARTURE (only with --clients other than 1): the previous client's
    // instance is closed only now that the next one exists, so that the name
    // never disappears between two clients (a client would then get
    // ERROR_FILE_NOT_FOUND, and one waiting in WaitNamedPipe would fail).
    if (hPrevious != INVALID_HANDLE_VALUE)
    {
        CloseHandle(hPrevious);
        hPrevious = INVALID_HANDLE_VALUE;
    }

    // DEPARTURE: %ls instead of %s (mingw-w64's C99 wprintf reads %s as narrow).
    wprintf(L"The named pipe (%ls) is created.\n", fullPipeName);
    flush_out();

    // Wait for the client to connect.
    wprintf(L"Waiting for the client's connection...\n");
    flush_out();
    if (!ConnectNamedPipe(hNamedPipe, NULL))
    {
        if (ERROR_PIPE_CONNECTED != GetLastError())
        {
            dwError = GetLastError();
            wprintf(L"ConnectNamedPipe failed w/err 0x%08lx\n", dwError);
            flush_out();
            goto Cleanup;
        }
    }
    wprintf(L"Client is connected.\n");
    flush_out();

    //
    // Receive a request from client.
    //

    do
    {
        wchar_t chRequest[BUFFER_SIZE];
        DWORD cbRequest, cbRead;
        cbRequest = sizeof(chRequest);

        fFinishRead = ReadFile(
            hNamedPipe,     // Handle of the pipe
            chRequest,      // Buffer to receive data
            cbRequest,      // Size of buffer in bytes
            &cbRead,        // Number of bytes read
            NULL            // Not overlapped I/O
            );

        if (!fFinishRead && ERROR_MORE_DATA != GetLastError())
        {
            dwError = GetLastError();
            wprintf(L"ReadFile from pipe failed w/err 0x%08lx\n", dwError);
            flush_out();
            goto Cleanup;
        }

        // DEPARTURE: %.*ls bounded by the bytes read and the first NUL, instead of
        // %s over the whole buffer (which could read past the data).
        wprintf(L"Receive %ld bytes from client: \"%.*ls\"\n", cbRead,
            printable_units(chRequest, cbRead), chRequest);
        flush_out();

    } while (!fFinishRead); // Repeat loop if ERROR_MORE_DATA

    //
    // Send a response from server to client.
    //

    cbResponse = cbResponseSize;

    if (!WriteFile(
        hNamedPipe,     // Handle of the pipe
        response,       // Buffer to write
        cbResponse,     // Number of bytes to write
        &cbWritten,     // Number of bytes written
        NULL            // Not overlapped I/O
        ))
    {
        dwError = GetLastError();
        wprintf(L"WriteFile to pipe failed w/err 0x%08lx\n", dwError);
        flush_out();
        goto Cleanup;
    }

    // DEPARTURE: %.*ls bounded by the bytes written and the first NUL.
    wprintf(L"Send %ld bytes to client: \"%.*ls\"\n", cbWritten,
        printable_units(response, cbWritten), response);
    flush_out();

    // Flush the pipe to allow the client to read the pipe's contents
    // before disconnecting. Then disconnect the client's connection.
    FlushFileBuffers(hNamedPipe);
    DisconnectNamedPipe(hNamedPipe);

Cleanup:

    if (hPrevious != INVALID_HANDLE_VALUE)
    {
        CloseHandle(hPrevious);
        hPrevious = INVALID_HANDLE_VALUE;
    }

    return dwError;
}

int main(void)
{
    DWORD dwError = ERROR_SUCCESS;
    PSECURITY_ATTRIBUTES pSa = NULL;
    HANDLE hNamedPipe = INVALID_HANDLE_VALUE;
    wchar_t chResponseSample[] = RESPONSE_MESSAGE;
    wchar_t *response = chResponseSample;
    DWORD cbResponse = sizeof(chResponseSample);
    wchar_t *fullPipeName = NULL;
    wchar_t **argv = NULL;
    int argc = 0;
    int rc;
    unsigned long served;
    options opt;

    argv = split_command_line(GetCommandLineW(), &argc);
    if (argv == NULL)
    {
        // DEPARTURE: option handling can run out of memory; the original cannot.
        dwError = ERROR_NOT_ENOUGH_MEMORY;
        wprintf(L"Out of memory w/err 0x%08lx\n", dwError);
        flush_out();
        return (int)dwError;
    }
    rc = parse_options(argc, argv, &opt);
    if (rc >= 0)
    {
        free(argv);
        return rc;
    }

    // DEPARTURE: the full name is built at run time from --pipe; with the default
    // it equals FULL_PIPE_NAME.
    {
        size_t n = wcslen(L"\\\\" SERVER_NAME L"\\pipe\\") + wcslen(opt.pipe_name) + 1;
        fullPipeName = (wchar_t *)malloc(n * sizeof(wchar_t));
        if (fullPipeName == NULL)
        {
            dwError = ERROR_NOT_ENOUGH_MEMORY;
            wprintf(L"Out of memory w/err 0x%08lx\n", dwError);
            flush_out();
            goto Cleanup;
        }
        fullPipeName[0] = L'\0';
        wcscat(fullPipeName, L"\\\\" SERVER_NAME L"\\pipe\\");
        wcscat(fullPipeName, opt.pipe_name);
    }

    // DEPARTURE: --response-size builds the response from the sample's text.
    if (opt.has_response_size)
    {
        // At least one wchar_t so that the buffer is never empty.
        size_t cb = opt.response_size < sizeof(wchar_t) ? sizeof(wchar_t) : opt.response_size;
        response = (wchar_t *)malloc(cb);
        if (response == NULL)
        {
            dwError = ERROR_NOT_ENOUGH_MEMORY;
            wprintf(L"Out of memory w/err 0x%08lx\n", dwError);
            flush_out();
            goto Cleanup;
        }
        fill_message((unsigned char *)response, opt.response_size, RESPONSE_MESSAGE);
        cbResponse = (DWORD)opt.response_size;
    }

    // Prepare the security attributes (the lpSecurityAttributes parameter in
    // CreateNamedPipe) for the pipe. This is optional. If the
    // lpSecurityAttributes parameter of CreateNamedPipe is NULL, the named
    // pipe gets a default security descriptor and the handle cannot be
    // inherited. The ACLs in the default security descriptor of a pipe grant
    // full control to the LocalSystem account, (elevated) administrators,
    // and the creator owner. They also give only read access to members of
    // the Everyone group and the anonymous account. However, if you want to
    // customize the security permission of the pipe, (e.g. to allow
    // Authenticated Users to read from and write to the pipe), you need to
    // create a SECURITY_ATTRIBUTES structure.
    if (!CreatePipeSecurity(&pSa))
    {
        dwError = GetLastError();
        wprintf(L"CreatePipeSecurity failed w/err 0x%08lx\n", dwError);
        flush_out();
        goto Cleanup;
    }

    // DEPARTURE: --clients N repeats the sample's body (one new instance per
    // client, one client at a time). A failed client is reported and the next
    // one served; the exit code is the last error seen (0 if none). Failing to
    // create an instance ends the program, as in the original.
    for (served = 0; opt.clients == 0 || served < opt.clients; served++)
    {
        BOOL fatal = FALSE;
        DWORD err;
        HANDLE hPrevious = hNamedPipe;
        hNamedPipe = INVALID_HANDLE_VALUE;
        err = serve_one(fullPipeName, pSa, response, cbResponse, hPrevious,
            &hNamedPipe, &fatal);
        if (err != ERROR_SUCCESS)
            dwError = err;
        if (fatal)
            break;
    }

Cleanup:

    // Centralized cleanup for all allocated resources.
    if (pSa)
    {
        FreePipeSecurity(pSa);
        pSa = NULL;
    }
    if (hNamedPipe != INVALID_HANDLE_VALUE)
    {
        CloseHandle(hNamedPipe);
        hNamedPipe = INVALID_HANDLE_VALUE;
    }
    if (response != chResponseSample)
        free(response);
    free(fullPipeName);
    free(argv);

    return (int)dwError;
}

//
//   FUNCTION: CreatePipeSecurity(PSECURITY_ATTRIBUTES *)
//
//   PURPOSE: The CreatePipeSecurity function creates and initializes a new
//   SECURITY_ATTRIBUTES structure to allow Authenticated Users read and
//   write access to a pipe, and to allow the Administrators group full
//   access to the pipe.
//
//   PARAMETERS:
//   * ppSa - output a pointer to a SECURITY_ATTRIBUTES structure that allows
//     Authenticated Users read and write access to a pipe, and allows the
//     Administrators group full access to the pipe. The structure must be
//     freed by calling FreePipeSecurity.
//
//   RETURN VALUE: Returns TRUE if the function succeeds.
//
BOOL CreatePipeSecurity(PSECURITY_ATTRIBUTES *ppSa)
{
    BOOL fSucceeded = TRUE;
    DWORD dwError = ERROR_SUCCESS;

    PSECURITY_DESCRIPTOR pSd = NULL;
    PSECURITY_ATTRIBUTES pSa = NULL;

    // Define the SDDL for the security descriptor.
    PCWSTR szSDDL = L"D:"       // Discretionary ACL
        L"(A;OICI;GRGW;;;AU)"   // Allow read/write to authenticated users
        L"(A;OICI;GA;;;BA)";    // Allow full control to administrators

    if (!ConvertStringSecurityDescriptorToSecurityDescriptor(szSDDL,
        SDDL_REVISION_1, &pSd, NULL))
    {
        fSucceeded = FALSE;
        dwError = GetLastError();
        goto Cleanup;
    }

    // Allocate the memory of SECURITY_ATTRIBUTES.
    pSa = (PSECURITY_ATTRIBUTES)LocalAlloc(LPTR, sizeof(*pSa));
    if (pSa == NULL)
    {
        fSucceeded = FALSE;
        dwError = GetLastError();
        goto Cleanup;
    }

    pSa->nLength = sizeof(*pSa);
    pSa->lpSecurityDescriptor = pSd;
    pSa->bInheritHandle = FALSE;

    *ppSa = pSa;

Cleanup:
    // Clean up the allocated resources if something is wrong.
    if (!fSucceeded)
    {
        if (pSd)
        {
            LocalFree(pSd);
            pSd = NULL;
        }
        if (pSa)
        {
            LocalFree(pSa);
            pSa = NULL;
        }

        SetLastError(dwError);
    }

    return fSucceeded;
}

//
//   FUNCTION: FreePipeSecurity(PSECURITY_ATTRIBUTES)
//
//   PURPOSE: The FreePipeSecurity function frees a SECURITY_ATTRIBUTES
//   structure that was created by the CreatePipeSecurity function.
//
//   PARAMETERS:
//   * pSa - pointer to a SECURITY_ATTRIBUTES structure that was created by
//     the CreatePipeSecurity function.
//
void FreePipeSecurity(PSECURITY_ATTRIBUTES pSa)
{
    if (pSa)
    {
        if (pSa->lpSecurityDescriptor)
        {
            LocalFree(pSa->lpSecurityDescriptor);
        }
        LocalFree(pSa);
    }
}
