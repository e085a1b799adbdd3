/* expect: -Wshorten-64-to-32 */
#include <stddef.h>
int f(size_t n) { int k = n; return k; }
