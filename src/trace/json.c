/* JSON strings for every JSON xdrv writes (trace export, coverage, info,
 * diff and analysis reports): one escaping rule, valid whatever the bytes. */
#include "trace/json.h"

/* Length of the valid UTF-8 sequence at s (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), 0 if it is not one. s ends in NUL,
 * which no continuation byte matches, so this never reads past it. */
static size_t json_utf8_len(const unsigned char *s)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xbf;
    size_t n;
    if (c < 0x80)
        return 1;
    if (c < 0xc2)
        return 0;
    if (c < 0xe0) {
        n = 2;
    } else if (c < 0xf0) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0;
        if (c == 0xed)
            hi = 0x9f;
    } else if (c < 0xf5) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90;
        if (c == 0xf4)
            hi = 0x8f;
    } else {
        return 0;
    }
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

/* A JSON string. Bytes that are not UTF-8 become the code point of the
 * same number (\u00XX): the document stays valid whatever the driver
 * printed. */
void json_string_body(FILE *f, const char *str)
{
    const unsigned char *s = (const unsigned char *)(str ? str : "");
    while (*s) {
        unsigned char c = *s;
        if (c == '"' || c == '\\') {
            putc('\\', f);
            putc(c, f);
            s++;
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
            s++;
        } else {
            size_t n = json_utf8_len(s);
            if (!n) {
                fprintf(f, "\\u%04x", c);
                s++;
            } else {
                fwrite(s, 1, n, f);
                s += n;
            }
        }
    }
}

void json_string(FILE *f, const char *str)
{
    putc('"', f);
    json_string_body(f, str);
    putc('"', f);
}

