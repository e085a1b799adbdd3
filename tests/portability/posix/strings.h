/* ci/portability: MSVC has no <strings.h>; the Windows half must not include it. */
#error "<strings.h> is not in MSVC's C runtime"
