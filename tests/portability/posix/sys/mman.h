/* ci/portability: MSVC has no <sys/mman.h>; the Windows half must not include it. */
#error "<sys/mman.h> is not in MSVC's C runtime"
