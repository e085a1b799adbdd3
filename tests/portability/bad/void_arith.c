/* expect: -Wpointer-arith */
void *f(void *p) { return p + 1; }
