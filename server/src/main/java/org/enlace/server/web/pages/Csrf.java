package org.enlace.server.web.pages;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * Cross-site request forgery protection for the pages' forms. Sign-in is HTTP Basic, which the
 * browser sends on every request to the server, also on one that another site's page makes it send:
 * so each form carries a synchronizer token, an HMAC of the signed-in user's name under a secret of
 * this server process (a new one on every start: a form left open across a restart is refused once
 * and works after reloading the page), and a POST whose Origin (or, without it, Referer) names
 * another site is refused even with a good token.
 */
public final class Csrf {
  public static final String FIELD = "csrf";
  private static final String MAC = "HmacSHA256";

  private final SecretKeySpec key;

  public Csrf() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.key = new SecretKeySpec(secret, MAC);
  }

  /** The token for a user's forms. */
  public String token(String username) {
    try {
      Mac mac = Mac.getInstance(MAC);
      mac.init(key);
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(("csrf:" + username).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether a form POST may change anything: the user's token, from this server's own pages. */
  public boolean accepts(
      String username,
      @Nullable String token,
      @Nullable String origin,
      @Nullable String referer,
      @Nullable String host) {
    if (token == null
        || !MessageDigest.isEqual(
            token.getBytes(StandardCharsets.UTF_8),
            token(username).getBytes(StandardCharsets.UTF_8))) {
      return false;
    }
    if (origin != null) {
      return sameHost(origin, host);
    }
    // No Origin (an old browser): the Referer, when sent, must be ours too.
    return referer == null || sameHost(referer, host);
  }

  /**
   * The authority of an Origin or Referer against the Host the browser addressed. The scheme is not
   * compared: TLS may end in front of the server.
   */
  static boolean sameHost(String url, @Nullable String host) {
    if (host == null || url.equals("null")) {
      return false;
    }
    try {
      URI u = URI.create(url);
      String authority = u.getRawAuthority();
      return authority != null
          && authority.toLowerCase(Locale.ROOT).equals(host.trim().toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return false;
    }
  }
}
