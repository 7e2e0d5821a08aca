package io.cumulus.ingest.links;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.Locale;
import java.util.Optional;

/**
 * The HTML a browser gets through a link, written here with no template engine and no external
 * asset: every name in it comes from whoever named the files, so every one passes {@link #escape}.
 * The one stylesheet is inline and allowed by its hash in {@link #CONTENT_SECURITY_POLICY}, which
 * allows no script at all, images only from this server, and forms posting only back to it.
 */
final class LinkPage {
    private static final String STYLE = "body{font:15px/1.4 system-ui,sans-serif;margin:2em auto;max-width:52em;padding:0 1em;"
            + "color:#222}h1{font-size:1.4em;word-break:break-all}table{border-collapse:collapse;width:100%}"
            + "td{padding:.4em;border-bottom:1px solid #ddd;vertical-align:middle;word-break:break-all}"
            + "td.size{text-align:right;white-space:nowrap;color:#555}img{max-width:96px;max-height:96px;display:block}"
            + "p.note{color:#555}p.error{color:#a00}";
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; img-src 'self'; style-src 'sha256-" + sha256(STYLE)
            + "'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private LinkPage() {
    }

    /** The link's files, each with a download and, for a photo, its thumbnail. */
    static String listing(LinkToken token, LinkTargets.Listing listing, Optional<Instant> expiresAt) {
        String base = "/s/" + token.value();
        StringBuilder body = new StringBuilder();
        body.append("<h1>").append(escape(listing.title().isEmpty() ? "Shared files" : listing.title())).append("</h1>\n");
        expiresAt.ifPresent(at -> body.append("<p class=\"note\">This link expires at ").append(escape(at.toString()))
                .append(".</p>\n"));
        if (listing.files().isEmpty()) {
            body.append("<p class=\"note\">There are no files here now.</p>\n");
        } else {
            body.append("<table>\n");
            for (SharedFile f : listing.files()) {
                String id = escape(f.fileId());
                body.append("<tr><td>");
                if (f.thumbnailChunk().isPresent()) {
                    body.append("<img src=\"").append(base).append("/thumbnails/").append(id).append("\" alt=\"\">");
                }
                body.append("</td><td><a href=\"").append(base).append("/files/").append(id).append("\" download>")
                        .append(escape(f.name())).append("</a></td><td class=\"size\">").append(size(f.size()))
                        .append("</td></tr>\n");
            }
            body.append("</table>\n");
            if (listing.truncated()) {
                body.append("<p class=\"note\">Only the first ").append(LinkTargets.MAX_LISTED).append(" files are listed.</p>\n");
            }
        }
        return page(listing.title().isEmpty() ? "Shared files" : listing.title(), body.toString());
    }

    /** The form that asks for a link's password; {@code wrong} after a wrong one. */
    static String passwordForm(LinkToken token, boolean wrong) {
        String body = "<h1>This link is protected by a password</h1>\n"
                + (wrong ? "<p class=\"error\">That password is not right.</p>\n" : "")
                + "<form method=\"post\" action=\"/s/" + token.value() + "\">\n"
                + "<label>Password <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required autofocus>"
                + "</label>\n<button type=\"submit\">Open</button>\n</form>\n";
        return page("Password required", body);
    }

    static String notFound() {
        return page("Link not found", "<h1>Link not found</h1>\n<p class=\"note\">There is nothing at this address: the link "
                + "may be mistyped, expired or revoked.</p>\n");
    }

    static String tooManyRequests(long retryAfterSeconds) {
        return page("Too many requests", "<h1>Too many requests</h1>\n<p class=\"note\">Please try again in "
                + retryAfterSeconds + " seconds.</p>\n");
    }

    private static String page(String title, String body) {
        return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                + "<meta name=\"robots\" content=\"noindex, nofollow\">"
                + "<meta name=\"referrer\" content=\"no-referrer\">"
                + "<title>" + escape(title) + "</title><style>" + STYLE + "</style></head>\n<body>\n" + body + "</body></html>\n";
    }

    /** Text as HTML text or a quoted attribute value: the five characters that could end either, replaced. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    static byte[] utf8(String html) {
        return html.getBytes(StandardCharsets.UTF_8);
    }

    private static String sha256(String text) {
        try {
            return Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
