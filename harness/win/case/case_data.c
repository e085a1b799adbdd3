/* case_data.c: the data a step writes, and the check of what a read returns against
 * what the peer wrote (queued before each write and settled after it). */
#include "case_internal.h"

/* ---------------- data: what is written, and checking what is read ---------------- */
unsigned char *cp_make_data(actor *a, const ps_step *s, const char *sizekey, DWORD *len)
{
    const char *text = ps_arg_get(s, "text"), *ascii = ps_arg_get(s, "ascii");
    unsigned char *d;
    if (text) { /* UTF-16LE with its NUL, as the sample sends */
        char *e = cp_expand(text);
        wchar_t *w = ps_wide(e);
        *len = (DWORD)((wcslen(w) + 1) * sizeof(wchar_t));
        d = ps_xmalloc(*len);
        memcpy(d, w, *len);
        free(w);
        free(e);
    } else if (ascii) {
        char *e = cp_expand(ascii);
        *len = (DWORD)strlen(e);
        d = ps_xmalloc(*len + 1);
        memcpy(d, e, *len);
        free(e);
    } else {
        unsigned long long n = cp_size_arg(s, sizekey, 0), i;
        long k = InterlockedIncrement(&the_case.write_count);
        if (n > PS_MAX_WRITE) { /* the harness keeps a copy of all it writes, for the check */
            cp_harness_fault(a, "a write of %llu bytes: the harness generates at most %lu bytes per call", n, (unsigned long)PS_MAX_WRITE);
            return NULL;
        }
        *len = (DWORD)n;
        d = cp_try_alloc(a, (size_t)n + 1, "the data to write");
        if (!d) return NULL;
        for (i = 0; i < n; i++) d[i] = (unsigned char)((i * 7 + (i >> 8) + (unsigned long long)k * 13 + 1) & 0xff);
    }
    return d;
}

/* Queues what a is about to write for its peer's reads to be checked against. It is
 * queued before the call, so a reader that drains a blocked write finds it; cp_settle()
 * then trims it to what the call really wrote. Returns the message's id (0: no peer). */
long cp_queue_to_peer(actor *a, const unsigned char *data, size_t len)
{
    actor *p;
    msg *m;
    long id = 0;
    EnterCriticalSection(&the_case.qlock);
    p = a->peer;
    if (p) {
        m = ps_xcalloc(1, sizeof *m);
        m->len = len;
        m->data = malloc(len + 1);
        if (!m->data) { /* the check needs a copy; without one it cannot be made */
            free(m);
            LeaveCriticalSection(&the_case.qlock);
            cp_harness_fault(a, "cannot allocate %lu bytes to keep a copy of the data written, for the check of the reads", (unsigned long)len);
            return 0;
        }
        memcpy(m->data, data, len);
        m->id = id = ++the_case.next_msg;
        if (p->in_tail) p->in_tail->next = m;
        else p->in_head = m;
        p->in_tail = m;
    }
    LeaveCriticalSection(&the_case.qlock);
    return id;
}

/* The write of message id wrote only `written` bytes (0: nothing, it is dropped). */
void cp_settle(actor *a, long id, size_t written)
{
    actor *p;
    msg *m, *prev = NULL;
    if (!id) return;
    EnterCriticalSection(&the_case.qlock);
    p = a->peer;
    for (m = p ? p->in_head : NULL; m; prev = m, m = m->next) {
        if (m->id != id) continue;
        if (written < m->len) m->len = written < m->off ? m->off : written;
        if (m->len == 0 && written == 0 && m->off == 0 && m->data) {
            if (prev) prev->next = m->next;
            else p->in_head = m->next;
            if (p->in_tail == m) p->in_tail = prev;
            free(m->data);
            free(m);
        }
        break;
    }
    LeaveCriticalSection(&the_case.qlock);
}

void cp_clear_queue_locked(actor *a)
{
    msg *m = a->in_head;
    while (m) {
        msg *n = m->next;
        free(m->data);
        free(m);
        m = n;
    }
    a->in_head = a->in_tail = NULL;
}

/* A server end disconnected (DisconnectNamedPipe, FSCTL_PIPE_DISCONNECT): what either
 * end had not read is gone, the ends are no longer a pair, and it is not listening. */
void cp_disconnected(actor *a)
{
    EnterCriticalSection(&the_case.qlock);
    cp_clear_queue_locked(a);
    if (a->peer) {
        cp_clear_queue_locked(a->peer);
        if (a->peer->peer == a) a->peer->peer = NULL;
        a->peer = NULL;
    }
    a->listen_seq = 0;
    LeaveCriticalSection(&the_case.qlock);
}

/* Checks n bytes just read against what the peer wrote. complete: the read said the
 * message ended here (message-read mode, TRUE). */
static void check_read_locked(actor *a, const unsigned char *buf, size_t n, int complete);
void cp_check_read(actor *a, const unsigned char *buf, size_t n, int complete)
{
    EnterCriticalSection(&the_case.qlock);
    check_read_locked(a, buf, n, complete);
    LeaveCriticalSection(&the_case.qlock);
}

static void check_read_locked(actor *a, const unsigned char *buf, size_t n, int complete)
{
    size_t i = 0;
    if (!a->peer && !a->in_head) return; /* no known writer: nothing to compare */
    while (i < n) {
        msg *m = a->in_head;
        if (!m) {
            snprintf(a->data_error, sizeof a->data_error,
                     "data check: read %lu bytes but only %lu were written by the peer",
                     (unsigned long)n, (unsigned long)i);
            return;
        }
        while (i < n && m->off < m->len) {
            if (buf[i] != m->data[m->off]) {
                snprintf(a->data_error, sizeof a->data_error,
                         "data check: byte %lu of the message differs: expected 0x%02x, got 0x%02x",
                         (unsigned long)m->off, m->data[m->off], buf[i]);
                return;
            }
            i++;
            m->off++;
        }
        if (m->off == m->len && (i < n || !a->read_message || complete)) {
            a->in_head = m->next;
            if (!a->in_head) a->in_tail = NULL;
            free(m->data);
            free(m);
            if (a->read_message && complete) break;
        }
    }
    if (a->read_message && complete && a->in_head && a->in_head->off > 0 &&
        a->in_head->off < a->in_head->len)
        snprintf(a->data_error, sizeof a->data_error,
                 "data check: the read ended the message after %lu of its %lu bytes",
                 (unsigned long)a->in_head->off, (unsigned long)a->in_head->len);
    /* an empty message completes with a 0-byte read */
    if (a->read_message && complete && n == 0 && a->in_head && a->in_head->len == 0) {
        msg *m = a->in_head;
        a->in_head = m->next;
        if (!a->in_head) a->in_tail = NULL;
        free(m->data);
        free(m);
    }
}

void cp_set_text_field(actor *a, const unsigned char *buf, DWORD n)
{
    /* The data as UTF-16LE text up to its NUL (the sample's messages), for text= checks. */
    int units = (int)(n / 2), k;
    const wchar_t *w = (const wchar_t *)buf;
    char *u;
    for (k = 0; k < units && w[k]; k++) {}
    u = ps_utf8n(w, k);
    ps_actual_set(&a->act, "text", "%s", u);
    free(u);
}
