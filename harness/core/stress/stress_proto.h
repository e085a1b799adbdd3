/* stress_proto.h: what stress clients and servers put in their messages, and how the
 * other end checks every byte. Portable (no Win32).
 *
 * Two protocols:
 *  - sample: the sample's texts. A request of N bytes is "Default request from client"
 *    as UTF-16LE, repeated or cut to N bytes, its last whole UTF-16 unit NUL (N = 56 is
 *    exactly the sample's request); the response must be the sample's 58-byte
 *    "Default response from server" with its NUL.
 *  - builtin: the harness's own server. A message of N >= 16 bytes is a 16-byte header
 *    (magic "PSRQ" or "PSRS", client number, sequence number, N; little-endian 32-bit)
 *    followed by bytes N-16 of a fixed pseudo-random pattern (one for requests, another
 *    for responses; byte i of a message is byte i of its pattern). A message shorter
 *    than 16 bytes is the pattern's first N bytes. A response has the size of its
 *    request and echoes its client and sequence numbers, so a flipped, lost, shifted,
 *    truncated, extended or misdelivered byte is detected. */
#ifndef PS_STRESS_PROTO_H
#define PS_STRESS_PROTO_H
#include <stddef.h>
#include <stdint.h>

#define PS_MSG_HDR 16
#define PS_SAMPLE_REQUEST_SIZE 56
#define PS_SAMPLE_RESPONSE_SIZE 58

typedef struct {
    unsigned char *req, *rsp; /* the two patterns, `max` bytes each */
    size_t max;
} ps_msgpat;

/* Builds both patterns for messages up to max bytes (deterministic). */
void ps_msgpat_init(ps_msgpat *p, size_t max);
void ps_msgpat_free(ps_msgpat *p);

/* Writes a whole builtin message of `size` bytes (size <= p->max) into buf. */
void ps_msg_build(const ps_msgpat *p, unsigned char *buf, int response, uint32_t client,
                  uint32_t seq, uint32_t size);
/* Writes only the header (size >= 16): enough when buf already holds a message of the
 * same kind built by ps_msg_build with a size >= this one (the body is the same). */
void ps_msg_header(unsigned char *buf, int response, uint32_t client, uint32_t seq, uint32_t size);

/* Checks a received message of n bytes against the one expected. Returns 0 when every
 * byte is right, else -1 with the first difference described in why ("byte 1234 is 0x41,
 * expected 0x40"; "4000 bytes, expected 4096"). */
int ps_msg_check(const ps_msgpat *p, const unsigned char *buf, size_t n, int response,
                 uint32_t client, uint32_t seq, uint32_t size, char *why, size_t whylen);

/* Checks a message whose numbers are not known in advance (the server's side): a
 * well-formed message of its kind, whose header length equals n. Sets *client and
 * *seq (0 for a short message). Returns 0 or -1 with why. */
int ps_msg_check_any(const ps_msgpat *p, const unsigned char *buf, size_t n, int response,
                     uint32_t *client, uint32_t *seq, char *why, size_t whylen);

/* The length a builtin header announces (for byte mode, where the reader needs it to
 * find the end of a message). Returns 0 and sets *size, or -1 when buf (16 bytes) is
 * not a header of this kind. */
int ps_msg_header_size(const unsigned char *buf, int response, uint32_t *size);

/* Sample protocol: fills size bytes with the request (response = 0) or response text,
 * as described above. */
void ps_sample_fill(unsigned char *buf, size_t size, int response);
#endif
