/* expect: assignment used as a condition */
int f(int n) { int k; if ((k = n)) return k; return 0; }
