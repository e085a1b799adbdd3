/* ci/portability: MSVC has no <pthread.h>; the Windows half must not include it. */
#error "<pthread.h> is not in MSVC's C runtime"
