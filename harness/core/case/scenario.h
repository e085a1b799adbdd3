/* scenario.h: the case language's model and parser. Portable.
 * The language is documented in docs/LANGUAGE.md; the op table (ops.c) says which
 * operations exist, which roles may use them and which arguments each one takes. */
#ifndef SCENARIO_H
#define SCENARIO_H
#include <stddef.h>

typedef enum { PS_ROLE_SERVER, PS_ROLE_CLIENT, PS_ROLE_PROC, PS_ROLE_NONE } ps_role;

typedef struct {
    char *key;
    char *value;
    int col;
} ps_arg;

/* One field check in an expectation: key=value, value may be a range lo..hi,
 * alternatives a|b, or a string. */
typedef struct {
    char *key;
    char *value;
    int col;
    int advisory;        /* ~key=value: a difference is a note (FAIL only under --strict) */
} ps_field;

#define PS_MAX_ALTS 8
#define PS_MAX_FIELDS 16
typedef struct {
    int present;
    int any_error;                     /* "fail": any error at all */
    int nalts;
    unsigned long alts[PS_MAX_ALTS];   /* accepted error codes, 0 = ok */
    int nfields;
    ps_field fields[PS_MAX_FIELDS];
    int has_time;
    long t_min_ms, t_max_ms;           /* "after 200ms..600ms" */
    char *reason;                      /* platform alternatives: why */
    char *text;                        /* the expectation as written */
    int col;
} ps_expect;

typedef struct {
    int line;
    ps_role role;        /* PS_ROLE_NONE for statements (sleep, await, pending) */
    char *actor;         /* NULL for sleep */
    char *op;
    int nargs;
    ps_arg *args;
    int background;      /* '&' */
    ps_expect expect;    /* Windows behaviour */
    ps_expect wine;      /* the known divergence under Wine, if present */
    char *wine_when;     /* the Wine versions it applies to ("<10.0"), NULL = every one */
    int nmore;           /* further divergences for other Wine versions ("wine >=10.0: ...") */
    ps_expect more_wine[3];
    char *more_when[3];
    char *meaning;       /* `else "..."`: what a FAIL of this step means for the program under test */
    char *text;          /* the source line, trimmed */
} ps_step;

typedef struct {
    char *file;
    char *id, *title, *ref, *tags;
    char *requires;      /* space separated conditions */
    int covers[64];
    int ncovers;
    long timeout_ms;     /* 0 = default */
    int nsteps;
    ps_step *steps;
} ps_case;

/* Parse errors are collected, never printed by the parser. */
typedef struct {
    int count;
    char **msgs;         /* "file:line:col: error: found X, expected Y" */
} ps_diag;
void ps_diag_add(ps_diag *d, const char *file, int line, int col, const char *fmt, ...);
void ps_diag_free(ps_diag *d);

/* Parses text (the content of file). Returns a case, or NULL when there were errors
 * (all of them appended to d). */
ps_case *ps_parse_case(const char *file, const char *text, ps_diag *d);
ps_case *ps_load_case(const char *file, ps_diag *d); /* reads then parses */
void ps_case_free(ps_case *c);

const char *ps_arg_get(const ps_step *s, const char *key); /* NULL when absent */
/* A case's topic: its id up to the first dot ("busy.wait" -> "busy"), the whole id when
 * it has none, "unknown" for an empty one. malloc'ed. The one definition of a topic. */
char *ps_case_topic(const char *id);
const char *ps_role_name(ps_role r);

/* The limits the parser enforces, so the executor never meets a value it cannot
 * hold: every size is a DWORD of the Win32 API, and a case has at most this many
 * actors (each one a thread of the case process). */
#define PS_SIZE_MAX 4294967295ULL
#define PS_MAX_ACTORS 64

/* Sizes: decimal digits with an optional k or m suffix ("1024", "64k", "1m"), at most
 * PS_SIZE_MAX; no octal, no hex, no sign; overflow is an error. 0 ok, -1 bad. */
int ps_parse_size(const char *s, unsigned long long *out);
/* Numbers: decimal, or hexadecimal written 0x... (access masks), at most PS_SIZE_MAX. */
int ps_parse_uint(const char *s, unsigned long long *out);
/* Durations: "200", "200ms", "5s", "1.5s" -> ms (decimal only). 0 ok, -1 bad. */
int ps_parse_ms(const char *s, long *out);
/* A Wine version condition such as "<10.0" or ">=9.0,<10.0": -1 when malformed,
 * else 1 when version meets it (always 1 when version is NULL), 0 when not. */
int ps_version_cond(const char *cond, const char *version);
/* 1 when one of the step's `wine` divergences applies to this Wine version (NULL: not
 * Wine); ps_wine_for returns the first that does, or NULL. */
int ps_wine_applies(const ps_step *s, const char *wine_version);
const ps_expect *ps_wine_for(const ps_step *s, const char *wine_version);

/* ---- The op table (ops.c) ---- */
typedef enum {
    PS_ARG_STR, PS_ARG_SIZE, PS_ARG_INT, PS_ARG_MS, PS_ARG_BOOL, PS_ARG_ENUM
} ps_argtype;
typedef struct {
    const char *name;
    ps_argtype type;
    const char *choices; /* PS_ARG_ENUM: "a|b|c"; for INT/MS/SIZE: extra words accepted */
} ps_argdef;
#define PS_OP_SERVER 1
#define PS_OP_CLIENT 2
#define PS_OP_PROC 4
#define PS_OP_STMT 8
typedef struct {
    const char *name;
    int roles;            /* mask of PS_OP_* */
    const char *summary;  /* one line, for docs and errors */
    const char *fields;   /* result fields it reports, space separated */
    ps_argdef args[16];
} ps_opdef;
const ps_opdef *ps_op_find(const char *name);
const ps_opdef *ps_op_table(size_t *n);
#endif
