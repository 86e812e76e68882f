package org.enlace.agent.config;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Text files a person edits, read in whatever encoding their editor saved them: UTF-8 with or
 * without a byte order mark (Notepad, most editors), UTF-16 LE or BE with one (PowerShell 5.1's
 * {@code >} and {@code Out-File}, Notepad's "Unicode"), UTF-16 without one when every other byte is
 * zero, and, failing all that, Windows-1252 (older Notepad's "ANSI"), so that a stray accent never
 * stops the agent with a decoding error.
 */
public final class TextFiles {
  private TextFiles() {}

  public static String read(Path file) throws IOException {
    return decode(Files.readAllBytes(file));
  }

  public static String decode(byte[] b) {
    if (b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
      return lenient(b, 3, StandardCharsets.UTF_8);
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xfe) {
      return lenient(b, 2, StandardCharsets.UTF_16LE);
    }
    if (b.length >= 2 && (b[0] & 0xff) == 0xfe && (b[1] & 0xff) == 0xff) {
      return lenient(b, 2, StandardCharsets.UTF_16BE);
    }
    if (b.length >= 2 && b.length % 2 == 0) {
      if (zeroEvery(b, 1)) {
        return lenient(b, 0, StandardCharsets.UTF_16LE);
      }
      if (zeroEvery(b, 0)) {
        return lenient(b, 0, StandardCharsets.UTF_16BE);
      }
    }
    try {
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(b))
          .toString();
    } catch (CharacterCodingException e) {
      return lenient(b, 0, Charset.forName("windows-1252"));
    }
  }

  /** Every byte at offset, offset + 2, ... is zero: ASCII text in UTF-16. */
  private static boolean zeroEvery(byte[] b, int offset) {
    for (int i = offset; i < b.length; i += 2) {
      if (b[i] != 0) {
        return false;
      }
    }
    return true;
  }

  private static String lenient(byte[] b, int from, Charset cs) {
    return new String(b, from, b.length - from, cs);
  }
}
