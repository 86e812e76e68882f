package org.enlace.server.web.pages;

import org.jspecify.annotations.Nullable;

/**
 * One page of a long list ({@code ?page=N}, from 1) as {@code paging.mustache} draws it: which rows
 * of how many, and links to the previous and next pages with labels that say where they go. The
 * rows themselves are fetched a page at a time by the DAO (LIMIT/OFFSET), never sliced here.
 */
public record Paging(
    int page,
    int pages,
    long total,
    String summary,
    String prevHref,
    String prevLabel,
    String nextHref,
    String nextLabel) {

  /** A page number from {@code ?page=}: 1 when absent or not a number. */
  public static int requested(@Nullable String page) {
    if (page == null) {
      return 1;
    }
    try {
      return Math.max(1, Integer.parseInt(page.trim()));
    } catch (NumberFormatException e) {
      return 1;
    }
  }

  /** The page to show (a number past the last shows the last) for total rows. */
  public static int clamp(int requested, long total, int size) {
    return (int) Math.max(1, Math.min(requested, pagesOf(total, size)));
  }

  /** The rows a page skips. */
  public static long offset(int page, int size) {
    return (long) (page - 1) * size;
  }

  /**
   * The paging of page {@code page}. {@code path} is the list's path with its other parameters; the
   * page and the language are added.
   */
  public static Paging of(PageContext ctx, String path, int page, int size, long total) {
    PageText t = ctx.text();
    int pages = (int) pagesOf(total, size);
    long first = total == 0 ? 0 : offset(page, size) + 1;
    long last = Math.min(total, offset(page, size) + size);
    String sep = path.contains("?") ? "&" : "?";
    return new Paging(
        page,
        pages,
        total,
        t.t(
            "paging_summary",
            t.integer(first),
            t.integer(last),
            t.integer(total),
            t.integer(page),
            t.integer(pages)),
        page > 1 ? ctx.href(path + sep + "page=" + (page - 1)) : "",
        t.t("paging_prev_label", t.integer(page - 1L), t.integer(pages)),
        page < pages ? ctx.href(path + sep + "page=" + (page + 1)) : "",
        t.t("paging_next_label", t.integer(page + 1L), t.integer(pages)));
  }

  private static long pagesOf(long total, int size) {
    return Math.max(1, (total + size - 1) / size);
  }

  public boolean hasPrev() {
    return !prevHref.isEmpty();
  }

  public boolean hasNext() {
    return !nextHref.isEmpty();
  }

  public boolean isMany() {
    return pages > 1;
  }
}
