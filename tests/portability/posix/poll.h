/* ci/portability: MSVC has no <poll.h>; the Windows half must not include it. */
#error "<poll.h> is not in MSVC's C runtime"
