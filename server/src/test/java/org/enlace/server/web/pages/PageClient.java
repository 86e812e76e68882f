package org.enlace.server.web.pages;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.enlace.server.testing.Api;

/** A person's browser, as plain HTTP: pages fetched and forms posted with HTTP Basic. */
final class PageClient {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private final String base;
  private final String authorization;

  PageClient(String base, String user, String password) {
    this.base = base;
    this.authorization = Api.basic(user, password);
  }

  record Page(int status, String html, HttpResponse<String> raw) {
    String header(String name) {
      return raw.headers().firstValue(name).orElse("");
    }

    /** The CSRF token of the page's forms. */
    String csrf() {
      Matcher m = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"").matcher(html);
      if (!m.find()) {
        throw new AssertionError("no CSRF field in the page");
      }
      return m.group(1);
    }
  }

  Page get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  /** A form POST as the browser sends it from our own page (Origin: the server). */
  Page post(String path, Map<String, String> form) throws Exception {
    return post(path, form, base);
  }

  Page post(String path, Map<String, String> form, String origin) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(encode(form)));
    if (origin != null) {
      b.header("Origin", origin);
    }
    return send(b);
  }

  static Map<String, String> form(String... pairs) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      m.put(pairs[i], pairs[i + 1]);
    }
    return m;
  }

  private Page send(HttpRequest.Builder b) throws Exception {
    HttpResponse<String> r =
        CLIENT.send(
            b.header("Authorization", authorization).timeout(Duration.ofSeconds(30)).build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    return new Page(r.statusCode(), r.body(), r);
  }

  private static String encode(Map<String, String> form) {
    return form.entrySet().stream()
        .map(
            e ->
                URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8)
                    + "="
                    + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
  }
}
