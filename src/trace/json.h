/* Writing JSON strings (RFC 8259 section 7) from arbitrary bytes. */
#ifndef XDRV_TRACE_JSON_H
#define XDRV_TRACE_JSON_H

#include <stdio.h>

/* The string's characters without the quotes. Quote and backslash are
 * escaped, control bytes and bytes that are not valid UTF-8 become \u00XX
 * (the code point of the same number), so the document stays valid. NULL
 * writes nothing. */
void json_string_body(FILE *f, const char *str);
/* The same between double quotes. */
void json_string(FILE *f, const char *str);

#endif
