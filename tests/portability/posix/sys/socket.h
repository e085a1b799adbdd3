/* ci/portability: MSVC has no <sys/socket.h>; the Windows half must not include it. */
#error "<sys/socket.h> is not in MSVC's C runtime"
