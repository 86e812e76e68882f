package org.enlace.agent.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The encodings a Windows editor writes (issue 16: Notepad's BOM, PowerShell 5.1's UTF-16). */
class TextFilesTest {
  static final String TEXT = "enl_token-ñandú-42\r\n";

  /** The bytes an editor writes: the encoding's byte order mark, then the text. */
  static byte[] encoded(String encoding, String text) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    switch (encoding) {
      case "utf-8" -> b.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      case "utf-8-bom" -> {
        b.writeBytes(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf});
        b.writeBytes(text.getBytes(StandardCharsets.UTF_8));
      }
      case "utf-16le-bom" -> {
        b.writeBytes(new byte[] {(byte) 0xff, (byte) 0xfe});
        b.writeBytes(text.getBytes(StandardCharsets.UTF_16LE));
      }
      case "utf-16be-bom" -> {
        b.writeBytes(new byte[] {(byte) 0xfe, (byte) 0xff});
        b.writeBytes(text.getBytes(StandardCharsets.UTF_16BE));
      }
      case "utf-16le" -> b.writeBytes(text.getBytes(StandardCharsets.UTF_16LE));
      case "windows-1252" -> b.writeBytes(text.getBytes(Charset.forName("windows-1252")));
      default -> throw new IllegalArgumentException(encoding);
    }
    return b.toByteArray();
  }

  @ParameterizedTest
  @ValueSource(
      strings = {"utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom", "utf-16le", "windows-1252"})
  void decodesWhatWindowsEditorsWrite(String encoding) {
    assertThat(TextFiles.decode(encoded(encoding, TEXT))).isEqualTo(TEXT);
  }

  @Test
  void emptyAndOneByteFiles() {
    assertThat(TextFiles.decode(new byte[0])).isEmpty();
    assertThat(TextFiles.decode(new byte[] {'x'})).isEqualTo("x");
  }

  @ParameterizedTest
  @ValueSource(strings = {"utf-8", "utf-8-bom", "utf-16le-bom", "utf-16be-bom", "windows-1252"})
  void agentPropertiesInEveryEncoding(String encoding, @TempDir Path dir) throws Exception {
    // The first line a key: a BOM read as a character would rename it.
    String props =
        "check.interval=30s\r\n# Comentario: ubicación\r\ntls.caFile=C:/ProgramData/Enlace/ca.crt\r\n";
    Path f = dir.resolve("agent.properties");
    Files.write(f, encoded(encoding, props));
    AgentConfig c = AgentConfig.load(f);
    assertThat(c.interval().toSeconds()).as(encoding.toLowerCase(Locale.ROOT)).isEqualTo(30);
    assertThat(c.caFile()).contains(Path.of("C:/ProgramData/Enlace/ca.crt"));
  }
}
