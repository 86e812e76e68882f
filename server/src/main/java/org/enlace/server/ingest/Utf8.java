package org.enlace.server.ingest;

/**
 * Strict UTF-8 (RFC 3629) for report bodies: no overlong forms, no encoded surrogates, nothing
 * above U+10FFFF, and no NUL byte, which JSON text never needs (U+0000 inside a string is written
 * escaped). Jackson is laxer: it reads a body that starts with NUL bytes as UTF-16 and decodes
 * encoded surrogates, and the server stores each observation's {@code checks} as the bytes the
 * agent sent, so such bodies once reached PostgreSQL, which refused them in a shared commit.
 */
final class Utf8 {
  private Utf8() {}

  /** The offset of the first byte that breaks the rules above, or -1 when there is none. */
  static int firstInvalid(byte[] b) {
    int n = b.length;
    int i = 0;
    while (i < n) {
      int c = b[i];
      if (c > 0) { // ASCII but NUL: by far the most common case
        i++;
        continue;
      }
      if (c == 0) {
        return i;
      }
      c &= 0xff;
      if (c >= 0xc2 && c <= 0xdf) {
        if (!continuation(b, i + 1)) {
          return i;
        }
        i += 2;
      } else if (c >= 0xe0 && c <= 0xef) {
        if (i + 2 >= n || !continuation(b, i + 1) || !continuation(b, i + 2)) {
          return i;
        }
        int second = b[i + 1] & 0xff;
        if ((c == 0xe0 && second < 0xa0) || (c == 0xed && second >= 0xa0)) {
          return i; // overlong, or a surrogate
        }
        i += 3;
      } else if (c >= 0xf0 && c <= 0xf4) {
        if (i + 3 >= n
            || !continuation(b, i + 1)
            || !continuation(b, i + 2)
            || !continuation(b, i + 3)) {
          return i;
        }
        int second = b[i + 1] & 0xff;
        if ((c == 0xf0 && second < 0x90) || (c == 0xf4 && second >= 0x90)) {
          return i; // overlong, or above U+10FFFF
        }
        i += 4;
      } else {
        return i; // a continuation byte first, 0xc0/0xc1 (overlong) or 0xf5..0xff
      }
    }
    return -1;
  }

  private static boolean continuation(byte[] b, int i) {
    return i < b.length && (b[i] & 0xc0) == 0x80;
  }
}
