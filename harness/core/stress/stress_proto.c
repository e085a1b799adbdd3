/* stress_proto.c: see stress_proto.h. */
#include "stress_proto.h"
#include "psutil.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC_REQ "PSRQ"
#define MAGIC_RSP "PSRS"

static void fill_pattern(unsigned char *buf, size_t n, uint64_t seed)
{
    uint64_t s = seed;
    size_t i = 0;
    while (i < n) {
        uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        int k;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        z ^= z >> 31;
        for (k = 0; k < 8 && i < n; k++, i++) buf[i] = (unsigned char)(z >> (8 * k));
    }
}

void ps_msgpat_init(ps_msgpat *p, size_t max)
{
    p->max = max;
    p->req = ps_xmalloc(max ? max : 1);
    p->rsp = ps_xmalloc(max ? max : 1);
    fill_pattern(p->req, max, 0x5053525120202031ull);
    fill_pattern(p->rsp, max, 0x5053525320202032ull);
}

void ps_msgpat_free(ps_msgpat *p)
{
    free(p->req);
    free(p->rsp);
    memset(p, 0, sizeof *p);
}

static void put32(unsigned char *b, uint32_t v)
{
    b[0] = (unsigned char)v;
    b[1] = (unsigned char)(v >> 8);
    b[2] = (unsigned char)(v >> 16);
    b[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *b)
{
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

void ps_msg_header(unsigned char *buf, int response, uint32_t client, uint32_t seq, uint32_t size)
{
    memcpy(buf, response ? MAGIC_RSP : MAGIC_REQ, 4);
    put32(buf + 4, client);
    put32(buf + 8, seq);
    put32(buf + 12, size);
}

void ps_msg_build(const ps_msgpat *p, unsigned char *buf, int response, uint32_t client,
                  uint32_t seq, uint32_t size)
{
    const unsigned char *pat = response ? p->rsp : p->req;
    if (size < PS_MSG_HDR) {
        memcpy(buf, pat, size);
        return;
    }
    ps_msg_header(buf, response, client, seq, size);
    memcpy(buf + PS_MSG_HDR, pat + PS_MSG_HDR, size - PS_MSG_HDR);
}

/* The first byte where a and b differ (n bytes), or n. */
static size_t first_diff(const unsigned char *a, const unsigned char *b, size_t n)
{
    size_t i;
    if (!memcmp(a, b, n)) return n;
    for (i = 0; i < n && a[i] == b[i]; i++) {
    }
    return i;
}

static int body_check(const unsigned char *pat, const unsigned char *buf, size_t from, size_t n,
                      char *why, size_t whylen)
{
    size_t d = from + first_diff(buf + from, pat + from, n - from);
    if (d == n) return 0;
    snprintf(why, whylen, "byte %lu is 0x%02x, expected 0x%02x", (unsigned long)d, buf[d], pat[d]);
    return -1;
}

int ps_msg_check(const ps_msgpat *p, const unsigned char *buf, size_t n, int response,
                 uint32_t client, uint32_t seq, uint32_t size, char *why, size_t whylen)
{
    unsigned char hdr[PS_MSG_HDR];
    const unsigned char *pat = response ? p->rsp : p->req;
    size_t d;
    if (n != size) {
        snprintf(why, whylen, "%lu bytes, expected %lu", (unsigned long)n, (unsigned long)size);
        return -1;
    }
    if (size > p->max) {
        snprintf(why, whylen, "%lu bytes is beyond the pattern (%lu)", (unsigned long)n, (unsigned long)p->max);
        return -1;
    }
    if (size < PS_MSG_HDR) return body_check(pat, buf, 0, n, why, whylen);
    ps_msg_header(hdr, response, client, seq, size);
    d = first_diff(buf, hdr, PS_MSG_HDR);
    if (d < PS_MSG_HDR) {
        snprintf(why, whylen, "header byte %lu is 0x%02x, expected 0x%02x (client %lu seq %lu; got client %lu seq %lu)",
                 (unsigned long)d, buf[d], hdr[d], (unsigned long)client, (unsigned long)seq,
                 (unsigned long)get32(buf + 4), (unsigned long)get32(buf + 8));
        return -1;
    }
    return body_check(pat, buf, PS_MSG_HDR, n, why, whylen);
}

int ps_msg_header_size(const unsigned char *buf, int response, uint32_t *size)
{
    if (memcmp(buf, response ? MAGIC_RSP : MAGIC_REQ, 4)) return -1;
    *size = get32(buf + 12);
    return 0;
}

int ps_msg_check_any(const ps_msgpat *p, const unsigned char *buf, size_t n, int response,
                     uint32_t *client, uint32_t *seq, char *why, size_t whylen)
{
    uint32_t size;
    const unsigned char *pat = response ? p->rsp : p->req;
    *client = *seq = 0;
    if (n > p->max) {
        snprintf(why, whylen, "%lu bytes is beyond the largest message (%lu)", (unsigned long)n,
                 (unsigned long)p->max);
        return -1;
    }
    if (n < PS_MSG_HDR) return body_check(pat, buf, 0, n, why, whylen);
    if (ps_msg_header_size(buf, response, &size)) {
        snprintf(why, whylen, "no %s header: starts 0x%02x 0x%02x 0x%02x 0x%02x",
                 response ? "response" : "request", buf[0], buf[1], buf[2], buf[3]);
        return -1;
    }
    if (size != n) {
        snprintf(why, whylen, "%lu bytes, the header says %lu", (unsigned long)n, (unsigned long)size);
        return -1;
    }
    *client = get32(buf + 4);
    *seq = get32(buf + 8);
    return body_check(pat, buf, PS_MSG_HDR, n, why, whylen);
}

void ps_sample_fill(unsigned char *buf, size_t size, int response)
{
    static const char req[] = "Default request from client";
    static const char rsp[] = "Default response from server";
    const char *text = response ? rsp : req;
    size_t len = strlen(text), i;
    for (i = 0; i < size; i++) buf[i] = (unsigned char)((i % 2) ? 0 : text[(i / 2) % len]);
    if (size >= 2) {
        buf[(size / 2) * 2 - 2] = 0;
        buf[(size / 2) * 2 - 1] = 0;
    }
}
