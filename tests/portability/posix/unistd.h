/* ci/portability: MSVC has no <unistd.h>; the Windows half must not include it. */
#error "<unistd.h> is not in MSVC's C runtime"
