/* expect: -Wzero-length-array */
struct s { int n; int v[0]; };
int f(struct s *p) { return p->n; }
