package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The Content-Type of what a route serves by its path, as nginx's {@code types} and {@code default_type}. */
class MediaTypesTest {

    @Test
    void theStockTableHasNginxsMimeTypes() {
        assertTypes(MediaTypes.nginx(), "/index.html text/html", "/page.htm text/html", "/page.shtml text/html",
                "/site.css text/css", "/app.js application/javascript", "/data.json application/json",
                "/error_500.txt text/plain", "/feed.xml text/xml", "/logo.png image/png", "/photo.jpg image/jpeg",
                "/photo.jpeg image/jpeg", "/anim.gif image/gif", "/icon.svg image/svg+xml", "/favicon.ico image/x-icon",
                "/photo.webp image/webp", "/font.woff font/woff", "/font.woff2 font/woff2",
                "/manual.pdf application/pdf", "/module.wasm application/wasm", "/list.m3u8 application/vnd.apple.mpegurl",
                "/sheet.xlsx application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "/clip.mov video/quicktime", "/cert.pem application/x-x509-ca-cert", "/song.mid audio/midi",
                "/setup.exe application/octet-stream", "/lib.7z application/x-7z-compressed");
        assertEquals(110, MediaTypes.nginx().byExtension().size());
        assertEquals("application/octet-stream", MediaTypes.nginx().defaultType());
    }

    @Test
    void theExtensionIsWhatFollowsTheLastDotOfTheLastSegmentInAnyCase() {
        assertTypes(MediaTypes.nginx(), "/INDEX.HTML text/html", "/logo.min.PNG image/png",
                "/app.css.js application/javascript", "/a.css/readme application/octet-stream",
                "index.html text/html", "/v1.2/data.json application/json");
    }

    @Test
    void aNameStartingWithItsDotsOrEndingInOneHasNoExtension() {
        assertTypes(MediaTypes.nginx(), "/archive.tar.gz application/octet-stream", "/README application/octet-stream",
                "/trailing. application/octet-stream", "/.css application/octet-stream",
                "/dir/.json application/octet-stream", "/dots/..css application/octet-stream",
                ".css application/octet-stream", "/page.html~ application/octet-stream", "/ application/octet-stream",
                " application/octet-stream");
        assertTypes(MediaTypes.nginx(), "/a..css text/css", "/.hidden.css text/css", "/..x.css text/css");
    }

    @Test
    void anEmptyTableGivesNginxsOwnDefaultTypeToEveryName() {
        assertTypes(MediaTypes.builder().build(), "/index.html text/plain", "/x text/plain");
        assertTrue(MediaTypes.builder().build().byExtension().isEmpty());
    }

    @Test
    void aTableOfOnesOwnAddsToOrReplacesTheStockOne() {
        MediaTypes types = MediaTypes.nginx().toBuilder().type("text/markdown", "md", "MARKDOWN")
                .type("text/plain", "js").defaultType("text/plain").build();
        assertTypes(types, "/README.md text/markdown", "/notes.markdown text/markdown", "/app.js text/plain",
                "/site.css text/css", "/LICENSE text/plain");
        assertEquals("application/javascript", MediaTypes.nginx().of("/app.js"), "the stock table stays as it was");
    }

    @Test
    void tablesWithTheSameTypesAreEqual() {
        MediaTypes one = MediaTypes.builder().type("text/html", "html").defaultType("text/html").build();
        MediaTypes two = MediaTypes.builder().type("text/html", "HTML").defaultType("text/html").build();
        assertEquals(one, two);
        assertEquals(one.hashCode(), two.hashCode());
        assertNotEquals(one, one.toBuilder().defaultType("text/plain").build());
        assertEquals(MediaTypes.nginx(), MediaTypes.nginx().toBuilder().build());
    }

    @Test
    void aTypeOrExtensionThatCannotBeOneIsRefusedByName() {
        IllegalArgumentException crlf = assertThrows(IllegalArgumentException.class,
                () -> MediaTypes.builder().type("text/html\r\nX-Evil: 1", "html"));
        assertTrue(crlf.getMessage().startsWith("type \"text/html"), crlf.getMessage());
        IllegalArgumentException dotted = assertThrows(IllegalArgumentException.class,
                () -> MediaTypes.builder().type("text/html", ".html"));
        assertTrue(dotted.getMessage().contains("\".html\""), dotted.getMessage());
        assertThrows(IllegalArgumentException.class, () -> MediaTypes.builder().type("text/html", ""));
        assertThrows(IllegalArgumentException.class, () -> MediaTypes.builder().type("text/html"));
        assertEquals("", MediaTypes.builder().defaultType("").build().of("/x"), "an empty type: no Content-Type");
    }

    /** Each of {@code cases} is a path, a space and the type it gets. */
    private static void assertTypes(MediaTypes types, String... cases) {
        for (String c : cases) {
            int space = c.lastIndexOf(' ');
            assertEquals(c.substring(space + 1), types.of(c.substring(0, space)), c.substring(0, space));
        }
    }
}
