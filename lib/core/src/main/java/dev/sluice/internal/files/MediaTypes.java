package dev.sluice.internal.files;

import java.util.Locale;
import java.util.Map;

/**
 * The {@code Content-Type} of a file by the extension of its name: the common lines of nginx's {@code mime.types},
 * and {@code application/octet-stream}, the stock {@code nginx.conf}'s {@code default_type}, for any other. As nginx,
 * the extension is what follows the last '.' of the name, in any case, and no charset is added.
 */
public final class MediaTypes {

    /** The stock {@code nginx.conf}'s {@code default_type}. */
    static final String DEFAULT = "application/octet-stream";

    private static final Map<String, String> BY_EXTENSION = Map.ofEntries(
            Map.entry("html", "text/html"),
            Map.entry("htm", "text/html"),
            Map.entry("shtml", "text/html"),
            Map.entry("css", "text/css"),
            Map.entry("xml", "text/xml"),
            Map.entry("txt", "text/plain"),
            Map.entry("js", "application/javascript"),
            Map.entry("json", "application/json"),
            Map.entry("atom", "application/atom+xml"),
            Map.entry("rss", "application/rss+xml"),
            Map.entry("xhtml", "application/xhtml+xml"),
            Map.entry("pdf", "application/pdf"),
            Map.entry("wasm", "application/wasm"),
            Map.entry("zip", "application/zip"),
            Map.entry("gif", "image/gif"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("png", "image/png"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("svgz", "image/svg+xml"),
            Map.entry("webp", "image/webp"),
            Map.entry("avif", "image/avif"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("bmp", "image/x-ms-bmp"),
            Map.entry("tif", "image/tiff"),
            Map.entry("tiff", "image/tiff"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("mp3", "audio/mpeg"),
            Map.entry("ogg", "audio/ogg"),
            Map.entry("m4a", "audio/x-m4a"),
            Map.entry("mp4", "video/mp4"),
            Map.entry("webm", "video/webm"));

    private MediaTypes() {
    }

    /** The type of the file named {@code name} (its last path segment), or {@link #DEFAULT}. */
    public static String of(String name) {
        int dot = name.lastIndexOf('.');
        if (dot < 0 || dot == name.length() - 1) {
            return DEFAULT;
        }
        return BY_EXTENSION.getOrDefault(name.substring(dot + 1).toLowerCase(Locale.ROOT), DEFAULT);
    }
}
