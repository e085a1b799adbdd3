/* ci/portability: MSVC has no <sys/time.h>; the Windows half must not include it. */
#error "<sys/time.h> is not in MSVC's C runtime"
