package dev.sluice;

import dev.sluice.internal.http.FieldText;
import dev.sluice.internal.text.ByteText;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The {@code Content-Type} a route gives what it answers from a name, nginx's {@code types} block and {@code
 * default_type} together: a file a {@link Route.Builder#root root} serves, and the text of a {@link
 * Route.Builder#returns return}. The type is the one of the extension of the request's path, as nginx's {@code
 * $uri} has it (what follows the last '.' of its last segment, not one of the dots the segment starts with: {@code
 * /.htaccess} and {@code /..css} have none), in any case; a path with no extension, or one the table does not know,
 * gets the default type. No charset is added. Immutable.
 *
 * <p>A route's default is {@link #nginx()}: what the stock {@code nginx.conf} says ({@code include mime.types;
 * default_type application/octet-stream;}).
 *
 * <pre>{@code
 * MediaTypes types = MediaTypes.nginx().toBuilder().type("text/markdown", "md").defaultType("text/plain").build();
 * Route.builder("/docs/").root(Path.of("/srv/docs")).mediaTypes(types).build();
 * }</pre>
 */
public final class MediaTypes {

    private static final MediaTypes NGINX = nginxMimeTypes().defaultType("application/octet-stream").build();

    private final Map<String, String> byExtension;
    private final String defaultType;

    private MediaTypes(Map<String, String> byExtension, String defaultType) {
        this.byExtension = Collections.unmodifiableMap(new LinkedHashMap<>(byExtension));
        this.defaultType = defaultType;
    }

    /**
     * The {@code mime.types} file nginx 1.22 ships (110 extensions: {@code text/html} for {@code html htm
     * shtml}, {@code text/css} for {@code css}, {@code application/javascript} for {@code js}, ...) with the
     * stock {@code nginx.conf}'s {@code default_type application/octet-stream}.
     */
    public static MediaTypes nginx() {
        return NGINX;
    }

    /**
     * An empty table, as nginx's {@code types {}}, with nginx's own {@code default_type}, {@code text/plain}: every
     * name gets the default type until {@link Builder#type} adds some.
     */
    public static Builder builder() {
        return new Builder(new LinkedHashMap<>(), "text/plain");
    }

    /** A builder that starts from this table and default type. */
    public Builder toBuilder() {
        return new Builder(new LinkedHashMap<>(byExtension), defaultType);
    }

    /** The type of what is answered for {@code path}, a request's path ({@code $uri}) or a file's name. */
    public String of(String path) {
        int segment = path.lastIndexOf('/') + 1;
        int dot = path.lastIndexOf('.');
        int named = segment;
        while (named < path.length() && path.charAt(named) == '.') {
            named++; // the dots a segment starts with begin no extension, as nginx parses a URI
        }
        if (dot < named || dot == path.length() - 1) {
            return defaultType;
        }
        String type = byExtension.get(ByteText.lowerAscii(path.substring(dot + 1)));
        return type == null ? defaultType : type;
    }

    /** The types by extension, each extension in lower case. */
    public Map<String, String> byExtension() {
        return byExtension;
    }

    /** What a name with no extension, or an unknown one, gets: nginx's {@code default_type}. */
    public String defaultType() {
        return defaultType;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MediaTypes other && byExtension.equals(other.byExtension)
                && defaultType.equals(other.defaultType);
    }

    @Override
    public int hashCode() {
        return Objects.hash(byExtension, defaultType);
    }

    @Override
    public String toString() {
        return "MediaTypes" + byExtension + " default " + defaultType;
    }

    /** Builds {@link MediaTypes}: nginx's {@code types { TYPE EXTENSION...; }} lines and its {@code default_type}. */
    public static final class Builder {

        private final Map<String, String> byExtension;
        private String defaultType;

        private Builder(Map<String, String> byExtension, String defaultType) {
            this.byExtension = byExtension;
            this.defaultType = defaultType;
        }

        /**
         * One line of a {@code types} block: {@code type} for each of {@code extensions} (without the dot, in any
         * case). An extension given again takes the later type, as nginx does (with a warning in its log).
         *
         * @throws IllegalArgumentException for an empty extension or one with a '.', '/' or control character, or a
         *     type that could not be a field's value; an empty type is one: what has it goes without a Content-Type,
         *     as nginx sends it
         */
        public Builder type(String type, String... extensions) {
            checkType("type", type);
            if (extensions.length == 0) {
                throw new IllegalArgumentException("type " + type + " needs at least one extension");
            }
            for (String extension : extensions) {
                checkExtension(extension);
            }
            for (String extension : extensions) {
                byExtension.put(ByteText.lowerAscii(extension), type);
            }
            return this;
        }

        /**
         * nginx's {@code default_type}: the type of a name with no extension or an unknown one. {@code text/plain}
         * for a {@link MediaTypes#builder()}, {@code application/octet-stream} for {@link MediaTypes#nginx()}; an
         * empty one sends no Content-Type, as nginx's {@code default_type ""}.
         */
        public Builder defaultType(String type) {
            checkType("defaultType", type);
            this.defaultType = type;
            return this;
        }

        /** Builds the table. */
        public MediaTypes build() {
            return new MediaTypes(byExtension, defaultType);
        }

        private static void checkType(String option, String type) {
            Objects.requireNonNull(type, option);
            try {
                FieldText.value(type);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(option + " \"" + type + "\" cannot be a Content-Type: "
                        + e.getMessage(), e);
            }
        }

        private static void checkExtension(String extension) {
            Objects.requireNonNull(extension, "extension");
            boolean plain = !extension.isEmpty();
            for (int i = 0; i < extension.length() && plain; i++) {
                char c = extension.charAt(i);
                plain = c > ' ' && c != 0x7f && c != '.' && c != '/';
            }
            if (!plain) {
                throw new IllegalArgumentException("extension \"" + extension
                        + "\" must be a name without '.', '/', spaces or control characters");
            }
        }
    }

    /** nginx 1.22's {@code conf/mime.types}, line by line. */
    private static Builder nginxMimeTypes() {
        return builder()
                .type("text/html", "html", "htm", "shtml")
                .type("text/css", "css")
                .type("text/xml", "xml")
                .type("image/gif", "gif")
                .type("image/jpeg", "jpeg", "jpg")
                .type("application/javascript", "js")
                .type("application/atom+xml", "atom")
                .type("application/rss+xml", "rss")
                .type("text/mathml", "mml")
                .type("text/plain", "txt")
                .type("text/vnd.sun.j2me.app-descriptor", "jad")
                .type("text/vnd.wap.wml", "wml")
                .type("text/x-component", "htc")
                .type("image/avif", "avif")
                .type("image/png", "png")
                .type("image/svg+xml", "svg", "svgz")
                .type("image/tiff", "tif", "tiff")
                .type("image/vnd.wap.wbmp", "wbmp")
                .type("image/webp", "webp")
                .type("image/x-icon", "ico")
                .type("image/x-jng", "jng")
                .type("image/x-ms-bmp", "bmp")
                .type("font/woff", "woff")
                .type("font/woff2", "woff2")
                .type("application/java-archive", "jar", "war", "ear")
                .type("application/json", "json")
                .type("application/mac-binhex40", "hqx")
                .type("application/msword", "doc")
                .type("application/pdf", "pdf")
                .type("application/postscript", "ps", "eps", "ai")
                .type("application/rtf", "rtf")
                .type("application/vnd.apple.mpegurl", "m3u8")
                .type("application/vnd.google-earth.kml+xml", "kml")
                .type("application/vnd.google-earth.kmz", "kmz")
                .type("application/vnd.ms-excel", "xls")
                .type("application/vnd.ms-fontobject", "eot")
                .type("application/vnd.ms-powerpoint", "ppt")
                .type("application/vnd.oasis.opendocument.graphics", "odg")
                .type("application/vnd.oasis.opendocument.presentation", "odp")
                .type("application/vnd.oasis.opendocument.spreadsheet", "ods")
                .type("application/vnd.oasis.opendocument.text", "odt")
                .type("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx")
                .type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx")
                .type("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx")
                .type("application/vnd.wap.wmlc", "wmlc")
                .type("application/wasm", "wasm")
                .type("application/x-7z-compressed", "7z")
                .type("application/x-cocoa", "cco")
                .type("application/x-java-archive-diff", "jardiff")
                .type("application/x-java-jnlp-file", "jnlp")
                .type("application/x-makeself", "run")
                .type("application/x-perl", "pl", "pm")
                .type("application/x-pilot", "prc", "pdb")
                .type("application/x-rar-compressed", "rar")
                .type("application/x-redhat-package-manager", "rpm")
                .type("application/x-sea", "sea")
                .type("application/x-shockwave-flash", "swf")
                .type("application/x-stuffit", "sit")
                .type("application/x-tcl", "tcl", "tk")
                .type("application/x-x509-ca-cert", "der", "pem", "crt")
                .type("application/x-xpinstall", "xpi")
                .type("application/xhtml+xml", "xhtml")
                .type("application/xspf+xml", "xspf")
                .type("application/zip", "zip")
                .type("application/octet-stream", "bin", "exe", "dll")
                .type("application/octet-stream", "deb")
                .type("application/octet-stream", "dmg")
                .type("application/octet-stream", "iso", "img")
                .type("application/octet-stream", "msi", "msp", "msm")
                .type("audio/midi", "mid", "midi", "kar")
                .type("audio/mpeg", "mp3")
                .type("audio/ogg", "ogg")
                .type("audio/x-m4a", "m4a")
                .type("audio/x-realaudio", "ra")
                .type("video/3gpp", "3gpp", "3gp")
                .type("video/mp2t", "ts")
                .type("video/mp4", "mp4")
                .type("video/mpeg", "mpeg", "mpg")
                .type("video/quicktime", "mov")
                .type("video/webm", "webm")
                .type("video/x-flv", "flv")
                .type("video/x-m4v", "m4v")
                .type("video/x-mng", "mng")
                .type("video/x-ms-asf", "asx", "asf")
                .type("video/x-ms-wmv", "wmv")
                .type("video/x-msvideo", "avi");
    }
}
