package org.enlace.server.evidence;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.ImageType;
import org.apache.pdfbox.rendering.PDFRenderer;

/**
 * A PDF's pages as pixels (PDFBox's renderer, as a reader's screen would show them): where each of
 * a set of colours was painted, for the render checks of the charts. A colour matches within a
 * small tolerance per channel, since edges are anti-aliased; the insides of shapes match exactly.
 */
final class PdfPixels {
  static final int DPI = 72;
  static final int TOLERANCE = 6;

  /** Pixels of one colour over all pages, and the box they span on the page with the most. */
  record Found(String colour, long pixels, int page, int width, int height) {}

  private PdfPixels() {}

  static Map<String, Found> find(byte[] pdf, List<String> colours) throws IOException {
    int[][] rgb = colours.stream().map(PdfPixels::rgb).toArray(int[][]::new);
    Map<String, Found> out = new HashMap<>();
    for (String c : colours) {
      out.put(c, new Found(c, 0, -1, 0, 0));
    }
    try (PDDocument doc = Loader.loadPDF(pdf)) {
      PDFRenderer renderer = new PDFRenderer(doc);
      for (int page = 0; page < doc.getNumberOfPages(); page++) {
        BufferedImage img = renderer.renderImageWithDPI(page, DPI, ImageType.RGB);
        long[] count = new long[rgb.length];
        int[][] box = new int[rgb.length][];
        for (int y = 0; y < img.getHeight(); y++) {
          for (int x = 0; x < img.getWidth(); x++) {
            int p = img.getRGB(x, y);
            int r = (p >> 16) & 0xff;
            int g = (p >> 8) & 0xff;
            int b = p & 0xff;
            for (int k = 0; k < rgb.length; k++) {
              if (Math.abs(r - rgb[k][0]) <= TOLERANCE
                  && Math.abs(g - rgb[k][1]) <= TOLERANCE
                  && Math.abs(b - rgb[k][2]) <= TOLERANCE) {
                count[k]++;
                if (box[k] == null) {
                  box[k] = new int[] {x, y, x, y};
                } else {
                  box[k][0] = Math.min(box[k][0], x);
                  box[k][1] = Math.min(box[k][1], y);
                  box[k][2] = Math.max(box[k][2], x);
                  box[k][3] = Math.max(box[k][3], y);
                }
              }
            }
          }
        }
        for (int k = 0; k < rgb.length; k++) {
          Found f = out.get(colours.get(k));
          if (box[k] != null && count[k] > 0) {
            long total = f.pixels() + count[k];
            boolean better = f.page() < 0 || count[k] > f.pixels();
            out.put(
                colours.get(k),
                better
                    ? new Found(
                        colours.get(k),
                        total,
                        page,
                        box[k][2] - box[k][0] + 1,
                        box[k][3] - box[k][1] + 1)
                    : new Found(colours.get(k), total, f.page(), f.width(), f.height()));
          }
        }
      }
    }
    return out;
  }

  static int[] rgb(String hex) {
    int v = Integer.parseInt(hex.substring(1), 16);
    return new int[] {(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff};
  }
}
