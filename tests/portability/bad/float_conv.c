/* expect: -Wfloat-conversion */
int f(double d) { int k = d; return k; }
