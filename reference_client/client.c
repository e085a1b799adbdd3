/*
 * reference_client: the CppNamedPipeClient of Microsoft's CppNamedPipeCommunication
 * sample, reproduced exactly (constants, calls, flags, transcript, error messages,
 * exit codes), plus options that default to the sample's values.
 *
 * Every place where this file departs from the letter of the original carries a
 * comment starting "DEPARTURE"; docs/reference-programs.md lists them all.
 *
 * Build: C11, UNICODE/_UNICODE. Also builds with MSVC.
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

/* The full name of the pipe in the format of \\servername\pipe\pipename. */
#define SERVER_NAME         L"."
#define PIPE_NAME           L"SamplePipe"
#define FULL_PIPE_NAME      L"\\\\" SERVER_NAME L"\\pipe\\" PIPE_NAME

#define BUFFER_SIZE     1024

/* Request message from client to server. '\0' is appended in the end because
   the server may be a native C++ application that expects NULL terminated
   string. */
#define REQUEST_MESSAGE     L"Default request from client"

/* The sample's WaitNamedPipe timeout, in ms. */
#define SAMPLE_WAIT_MS  5000

/* Exit code of a command-line usage error (DEPARTURE: the original takes no
   arguments). 2 is also ERROR_FILE_NOT_FOUND (no such pipe); the usage text on
   stderr tells the two apart. */
#define EXIT_USAGE 2

/* The options; each defaults to the sample's behaviour. */
typedef struct options {
    const wchar_t *server_name; /* host part of \\HOST\pipe\NAME */
    const wchar_t *pipe_name;   /* short name after \\HOST\pipe\ */
    int has_request_size;       /* 0: send REQUEST_MESSAGE as the sample does */
    unsigned long request_size; /* bytes of the request when has_request_size */
    unsigned long wait_ms;      /* WaitNamedPipe timeout */
    unsigned long hold_ms;      /* test aid: sleep after connecting, before sending */
} options;


static void print_usage(FILE *to)
{
    fwprintf(to,
        L"Usage: reference_client [--server HOST] [--pipe NAME] [--request-size N]\n"
        L"                        [--wait-ms N] [--hold-ms N]\n"
        L"       reference_client --help\n"
        L"\n"
        L"The CppNamedPipeClient sample. Without options it behaves exactly as the\n"
        L"sample: opens \\\\.\\pipe\\SamplePipe (waiting up to 5 s while it is busy),\n"
        L"sends the request, prints the response, exits with the last error\n"
        L"(0 on success).\n"
        L"\n"
        L"  --server HOST        open \\\\HOST\\pipe\\NAME (default .)\n"
        L"  --pipe NAME          pipe name after \\\\HOST\\pipe\\ (default SamplePipe)\n"
        L"  --request-size N     send N bytes: the request text repeated or truncated\n"
        L"                       as UTF-16LE, the last whole UTF-16 unit NUL when\n"
        L"                       N >= 2 (default: the sample's 56-byte request)\n"
        L"  --wait-ms N          WaitNamedPipe timeout while every instance is busy\n"
        L"                       (default 5000; 0 = the pipe's default timeout,\n"
        L"                       4294967295 = forever)\n"
        L"  --hold-ms N          test aid: after connecting, sleep N ms before sending\n"
        L"                       (default 0), to keep the server's instance busy\n"
        L"  --help               print this text and exit 0\n"
        L"\n"
        L"Exit codes: 0 success; otherwise the Win32 error of the failure (seen\n"
        L"modulo 256 by a POSIX parent), e.g. 2 no such pipe, 121 the wait timed out;\n"
        L"2 also for a usage error.\n");
    fflush(to);
}



/* Parses the options. Returns -1 to go on, or the exit code to end with
   (0 after --help, EXIT_USAGE after a usage error, which has been reported). */
static int parse_options(int argc, wchar_t **argv, options *o)
{
    int i;
    o->server_name = SERVER_NAME;
    o->pipe_name = PIPE_NAME;
    o->has_request_size = 0;
    o->request_size = 0;
    o->wait_ms = SAMPLE_WAIT_MS;
    o->hold_ms = 0;

    for (i = 1; i < argc; i++) {
        const wchar_t *a = argv[i];
        const wchar_t *v = (i + 1 < argc) ? argv[i + 1] : NULL;
        if (wcscmp(a, L"--help") == 0 || wcscmp(a, L"-h") == 0 || wcscmp(a, L"/?") == 0) {
            print_usage(stdout);
            return 0;
        } else if (wcscmp(a, L"--pipe") == 0) {
            if (v == NULL || *v == L'\0') {
                fwprintf(stderr, L"reference_client: --pipe needs a non-empty NAME\n");
                goto Usage;
            }
            o->pipe_name = v;
            i++;
        } else if (wcscmp(a, L"--server") == 0) {
            if (v == NULL || *v == L'\0') {
                fwprintf(stderr, L"reference_client: --server needs a non-empty HOST\n");
                goto Usage;
            }
            o->server_name = v;
            i++;
        } else if (wcscmp(a, L"--request-size") == 0) {
            if (!parse_count(v, &o->request_size) || o->request_size > 0x7FFFFFFFul) {
                fwprintf(stderr, L"reference_client: --request-size needs a number 0..2147483647\n");
                goto Usage;
            }
            o->has_request_size = 1;
            i++;
        } else if (wcscmp(a, L"--wait-ms") == 0) {
            if (!parse_count(v, &o->wait_ms)) {
                fwprintf(stderr, L"reference_client: --wait-ms needs a number 0..4294967295\n");
                goto Usage;
            }
            i++;
        } else if (wcscmp(a, L"--hold-ms") == 0) {
            if (!parse_count(v, &o->hold_ms)) {
                fwprintf(stderr, L"reference_client: --hold-ms needs a number 0..4294967295\n");
                goto Usage;
            }
            i++;
        } else {
            fwprintf(stderr, L"reference_client: unknown argument '%ls'\n", a);
            goto Usage;
        }
    }
    return -1;

Usage:
    print_usage(stderr);
    return EXIT_USAGE;
}



int main(void)
{
    HANDLE hPipe = INVALID_HANDLE_VALUE;
    DWORD dwError = ERROR_SUCCESS;
    wchar_t chRequestSample[] = REQUEST_MESSAGE;
    wchar_t *chRequest = chRequestSample;
    DWORD cbRequest, cbWritten;
    DWORD dwMode;
    BOOL fFinishRead = FALSE;
    wchar_t *fullPipeName = NULL;
    wchar_t **argv = NULL;
    int argc = 0;
    int rc;
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

    // DEPARTURE: the full name is built at run time from --server and --pipe;
    // with the defaults it equals FULL_PIPE_NAME.
    {
        size_t n = wcslen(L"\\\\") + wcslen(opt.server_name) + wcslen(L"\\pipe\\")
            + wcslen(opt.pipe_name) + 1;
        fullPipeName = (wchar_t *)malloc(n * sizeof(wchar_t));
        if (fullPipeName == NULL)
        {
            dwError = ERROR_NOT_ENOUGH_MEMORY;
            wprintf(L"Out of memory w/err 0x%08lx\n", dwError);
            flush_out();
            goto Cleanup;
        }
        fullPipeName[0] = L'\0';
        wcscat(fullPipeName, L"\\\\");
        wcscat(fullPipeName, opt.server_name);
        wcscat(fullPipeName, L"\\pipe\\");
        wcscat(fullPipeName, opt.pipe_name);
    }

    // DEPARTURE: --request-size builds the request from the sample's text.
    cbRequest = sizeof(chRequestSample);
    if (opt.has_request_size)
    {
        // At least one wchar_t so that the buffer is never empty.
        size_t cb = opt.request_size < sizeof(wchar_t) ? sizeof(wchar_t) : opt.request_size;
        chRequest = (wchar_t *)malloc(cb);
        if (chRequest == NULL)
        {
            dwError = ERROR_NOT_ENOUGH_MEMORY;
            wprintf(L"Out of memory w/err 0x%08lx\n", dwError);
            flush_out();
            goto Cleanup;
        }
        fill_message((unsigned char *)chRequest, opt.request_size, REQUEST_MESSAGE);
        cbRequest = (DWORD)opt.request_size;
    }

    // Try to open the named pipe identified by the pipe name.
    while (TRUE)
    {
        hPipe = CreateFile(
            fullPipeName,                   // Pipe name
            GENERIC_READ | GENERIC_WRITE,   // Read and write access
            0,                              // No sharing
            NULL,                           // Default security attributes
            OPEN_EXISTING,                  // Opens existing pipe
            0,                              // Default attributes
            NULL                            // No template file
            );

        // If the pipe handle is opened successfully ...
        if (hPipe != INVALID_HANDLE_VALUE)
        {
            // DEPARTURE: %ls instead of %s (mingw-w64's C99 wprintf reads %s as narrow).
            wprintf(L"The named pipe (%ls) is connected.\n", fullPipeName);
            flush_out();
            // DEPARTURE: the original leaves dwError at ERROR_PIPE_BUSY (231) when
            // it had to wait before this CreateFile succeeded, so a successful run
            // after a wait exits with 231. Here success exits 0.
            dwError = ERROR_SUCCESS;
            break;
        }

        dwError = GetLastError();

        // Exit if an error other than ERROR_PIPE_BUSY occurs.
        if (ERROR_PIPE_BUSY != dwError)
        {
            wprintf(L"Unable to open named pipe w/err 0x%08lx\n", dwError);
            flush_out();
            goto Cleanup;
        }

        // All pipe instances are busy, so wait for 5 seconds.
        // DEPARTURE: --wait-ms replaces the 5000; the message names other values.
        if (!WaitNamedPipe(fullPipeName, (DWORD)opt.wait_ms))
        {
            dwError = GetLastError();
            // As in the original, no newline after this message.
            if (opt.wait_ms == SAMPLE_WAIT_MS)
                wprintf(L"Could not open pipe: 5 second wait timed out.");
            else
                wprintf(L"Could not open pipe: %lu ms wait timed out.", opt.wait_ms);
            flush_out();
            goto Cleanup;
        }
    }

    // Set the read mode and the blocking mode of the named pipe. In this
    // sample, we set data to be read from the pipe as a stream of messages.
    dwMode = PIPE_READMODE_MESSAGE;
    if (!SetNamedPipeHandleState(hPipe, &dwMode, NULL, NULL))
    {
        dwError = GetLastError();
        wprintf(L"SetNamedPipeHandleState failed w/err 0x%08lx\n", dwError);
        flush_out();
        goto Cleanup;
    }

    // DEPARTURE: --hold-ms (a test aid, default 0: no call) keeps the server's
    // instance busy before the request is sent.
    if (opt.hold_ms > 0)
    {
        Sleep((DWORD)opt.hold_ms);
    }

    //
    // Send a request from client to server
    //

    if (!WriteFile(
        hPipe,                      // Handle of the pipe
        chRequest,                  // Message to be written
        cbRequest,                  // Number of bytes to write
        &cbWritten,                 // Number of bytes written
        NULL                        // Not overlapped
        ))
    {
        dwError = GetLastError();
        wprintf(L"WriteFile to pipe failed w/err 0x%08lx\n", dwError);
        flush_out();
        goto Cleanup;
    }

    // DEPARTURE: %.*ls bounded by the bytes written and the first NUL.
    wprintf(L"Send %ld bytes to server: \"%.*ls\"\n", cbWritten,
        printable_units(chRequest, cbWritten), chRequest);
    flush_out();

    //
    // Receive a response from server.
    //

    do
    {
        wchar_t chResponse[BUFFER_SIZE];
        DWORD cbResponse, cbRead;
        cbResponse = sizeof(chResponse);

        fFinishRead = ReadFile(
            hPipe,                  // Handle of the pipe
            chResponse,             // Buffer to receive the reply
            cbResponse,             // Size of buffer in bytes
            &cbRead,                // Number of bytes read
            NULL                    // Not overlapped
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
        wprintf(L"Receive %ld bytes from server: \"%.*ls\"\n", cbRead,
            printable_units(chResponse, cbRead), chResponse);
        flush_out();

    } while (!fFinishRead); // Repeat loop if ERROR_MORE_DATA

Cleanup:

    // Centralized cleanup for all allocated resources.
    if (hPipe != INVALID_HANDLE_VALUE)
    {
        CloseHandle(hPipe);
        hPipe = INVALID_HANDLE_VALUE;
    }
    if (chRequest != chRequestSample)
        free(chRequest);
    free(fullPipeName);
    free(argv);

    return (int)dwError;
}
