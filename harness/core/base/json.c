/* json.c: see json.h. A strict RFC 8259 reader, nesting limited (its input can come
 * from a case process or a file given on the command line). */
#include "json.h"
#include "psutil.h"
#include <stdlib.h>
#include <string.h>

void ps_jv_free(ps_jv *v)
{
    int i;
    for (i = 0; i < v->n; i++) {
        ps_jv_free(&v->kids[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->kids);
    free(v->keys);
    free(v->s);
    memset(v, 0, sizeof *v);
}

int ps_jp_peek(const ps_jp *p) { return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1; }

void ps_jp_ws(ps_jp *p)
{
    int c;
    while ((c = ps_jp_peek(p)) == ' ' || c == '\t' || c == '\n' || c == '\r') p->pos++;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int jhex4(ps_jp *p, unsigned *out)
{
    unsigned v = 0;
    int i, h;
    if (p->pos + 4 > p->len) return -1;
    for (i = 0; i < 4; i++) {
        if ((h = hexval((unsigned char)p->s[p->pos + (size_t)i])) < 0) return -1;
        v = v * 16u + (unsigned)h;
    }
    p->pos += 4;
    *out = v;
    return 0;
}

static void add_utf8(ps_buf *b, unsigned cp)
{
    char u[4];
    if (cp < 0x80) {
        ps_buf_addc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        ps_buf_add(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        ps_buf_add(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        ps_buf_add(b, u, 4);
    }
}

static int jstring(ps_jp *p, char **out)
{
    ps_buf b;
    int c;
    if (ps_jp_peek(p) != '"') return -1;
    p->pos++;
    ps_buf_init(&b);
    for (;;) {
        c = ps_jp_peek(p);
        if (c < 0x20) goto bad; /* end of input, or a raw control character */
        p->pos++;
        if (c == '"') break;
        if (c != '\\') {
            ps_buf_addc(&b, (char)c);
            continue;
        }
        c = ps_jp_peek(p);
        p->pos++;
        switch (c) {
        case '"': ps_buf_addc(&b, '"'); break;
        case '\\': ps_buf_addc(&b, '\\'); break;
        case '/': ps_buf_addc(&b, '/'); break;
        case 'b': ps_buf_addc(&b, '\b'); break;
        case 'f': ps_buf_addc(&b, '\f'); break;
        case 'n': ps_buf_addc(&b, '\n'); break;
        case 'r': ps_buf_addc(&b, '\r'); break;
        case 't': ps_buf_addc(&b, '\t'); break;
        case 'u': {
            unsigned cp, lo;
            if (jhex4(p, &cp) != 0) goto bad;
            if (cp >= 0xD800 && cp <= 0xDBFF && p->pos + 1 < p->len && p->s[p->pos] == '\\' &&
                p->s[p->pos + 1] == 'u') {
                size_t save = p->pos;
                p->pos += 2;
                if (jhex4(p, &lo) != 0) goto bad;
                if (lo >= 0xDC00 && lo <= 0xDFFF) cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                else p->pos = save; /* lone high surrogate; the next escape stands alone */
            }
            if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
            if (cp == 0) cp = 0xFFFD; /* keep C strings whole */
            add_utf8(&b, cp);
            break;
        }
        default: goto bad;
        }
    }
    *out = ps_buf_steal(&b);
    return 0;
bad:
    ps_buf_free(&b);
    return -1;
}

static int jdigits(ps_jp *p)
{
    size_t start = p->pos;
    int c;
    while ((c = ps_jp_peek(p)) >= '0' && c <= '9') p->pos++;
    return p->pos > start ? 0 : -1;
}

static int jnumber(ps_jp *p)
{
    int c;
    if (ps_jp_peek(p) == '-') p->pos++;
    c = ps_jp_peek(p);
    if (c == '0') p->pos++;
    else if (c >= '1' && c <= '9') jdigits(p);
    else return -1;
    if (ps_jp_peek(p) == '.') {
        p->pos++;
        if (jdigits(p) != 0) return -1;
    }
    c = ps_jp_peek(p);
    if (c == 'e' || c == 'E') {
        p->pos++;
        c = ps_jp_peek(p);
        if (c == '+' || c == '-') p->pos++;
        if (jdigits(p) != 0) return -1;
    }
    return 0;
}

static int jliteral(ps_jp *p, const char *word)
{
    size_t n = strlen(word);
    if (p->pos + n > p->len || memcmp(p->s + p->pos, word, n) != 0) return -1;
    p->pos += n;
    return 0;
}

static int value(ps_jp *p, ps_jv *v, int depth);

static void push(ps_jv *v, ps_jv *kid, char *key)
{
    v->kids = ps_xrealloc(v->kids, sizeof *v->kids * (size_t)(v->n + 1));
    if (v->t == 'o') {
        v->keys = ps_xrealloc(v->keys, sizeof *v->keys * (size_t)(v->n + 1));
        v->keys[v->n] = key;
    }
    v->kids[v->n++] = *kid;
}

static int jcontainer(ps_jp *p, ps_jv *v, int depth)
{
    int close = v->t == 'o' ? '}' : ']';
    p->pos++; /* '{' or '[' */
    ps_jp_ws(p);
    if (ps_jp_peek(p) == close) {
        p->pos++;
        return 0;
    }
    for (;;) {
        ps_jv kid;
        char *key = NULL;
        ps_jp_ws(p);
        if (v->t == 'o') {
            if (jstring(p, &key) != 0) return -1;
            ps_jp_ws(p);
            if (ps_jp_peek(p) != ':') {
                free(key);
                return -1;
            }
            p->pos++;
            ps_jp_ws(p);
        }
        if (value(p, &kid, depth + 1) != 0) {
            free(key);
            return -1;
        }
        push(v, &kid, key);
        ps_jp_ws(p);
        if (ps_jp_peek(p) == ',') {
            p->pos++;
            continue;
        }
        if (ps_jp_peek(p) == close) {
            p->pos++;
            return 0;
        }
        return -1;
    }
}

/* Parses one value at p->pos into v. On failure v is left empty and -1 returned. */
static int value(ps_jp *p, ps_jv *v, int depth)
{
    int c = ps_jp_peek(p), rc;
    memset(v, 0, sizeof *v);
    if (depth > PS_JSON_MAXDEPTH) return -1;
    v->raw = p->s + p->pos;
    switch (c) {
    case '{': v->t = 'o'; rc = jcontainer(p, v, depth); break;
    case '[': v->t = 'a'; rc = jcontainer(p, v, depth); break;
    case '"': v->t = 's'; rc = jstring(p, &v->s); break;
    case 't': v->t = 'b'; rc = jliteral(p, "true"); break;
    case 'f': v->t = 'b'; rc = jliteral(p, "false"); break;
    case 'n': v->t = 'n'; rc = jliteral(p, "null"); break;
    default: v->t = 'd'; rc = jnumber(p); break;
    }
    if (rc != 0) {
        ps_jv_free(v);
        return -1;
    }
    v->rawlen = (size_t)(p->s + p->pos - v->raw);
    return 0;
}

const ps_jv *ps_jv_get(const ps_jv *o, const char *key)
{
    int i;
    if (!o || o->t != 'o') return NULL;
    for (i = 0; i < o->n; i++)
        if (strcmp(o->keys[i], key) == 0) return &o->kids[i];
    return NULL;
}


void ps_jp_init(ps_jp *p, const char *s, size_t len)
{
    p->s = s;
    p->len = len;
    p->pos = 0;
}

int ps_jp_value(ps_jp *p, ps_jv *v) { return value(p, v, 0); }

int ps_json_parse(const char *text, size_t len, ps_jv *out, int *line, int *col)
{
    ps_jp p;
    size_t i;
    int l = 1, c = 1;
    ps_jp_init(&p, text, len);
    ps_jp_ws(&p);
    if (value(&p, out, 0) == 0) {
        ps_jp_ws(&p);
        if (p.pos == p.len) return 0;
        ps_jv_free(out);
    }
    for (i = 0; i < p.pos && i < len; i++) {
        if (text[i] == '\n') l++, c = 1;
        else if (((unsigned char)text[i] & 0xC0) != 0x80) c++; /* columns count characters */
    }
    if (line) *line = l;
    if (col) *col = c;
    return -1;
}

const char *ps_jv_str(const ps_jv *o, const char *key)
{
    const ps_jv *v = ps_jv_get(o, key);
    return v && v->t == 's' ? v->s : NULL;
}

/* Parsed here because strtod follows the C locale's decimal point. Precise enough for
 * display and comparisons of milliseconds. */
double ps_jv_number(const ps_jv *v)
{
    const char *p, *end;
    double x = 0, scale = 1;
    int neg = 0, eneg = 0, ex = 0;
    if (!v || v->t != 'd') return 0;
    p = v->raw;
    end = v->raw + v->rawlen;
    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    for (; p < end && *p >= '0' && *p <= '9'; p++) x = x * 10 + (*p - '0');
    if (p < end && *p == '.')
        for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
            scale /= 10;
            x += (*p - '0') * scale;
        }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-')) eneg = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (ex < 400) ex = ex * 10 + (*p - '0');
        while (ex-- > 0) x = eneg ? x / 10 : x * 10;
    }
    return neg ? -x : x;
}

