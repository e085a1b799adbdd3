/* expect: -Wshadow */
int f(int n) { int k = n; { int k = 2; n += k; } return n + k; }
