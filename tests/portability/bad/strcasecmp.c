/* expect: poisoned identifier */
#include <string.h>
int f(const char *a, const char *b) { return strcasecmp(a, b); }
