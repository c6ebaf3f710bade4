package dev.sluice.internal.files;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The Content-Type a root sends for a file, by its name, as nginx's {@code mime.types} and {@code default_type}. */
class MediaTypesTest {

    @Test
    void theCommonExtensionsHaveNginxsTypes() {
        assertTypes("index.html text/html", "page.htm text/html", "page.shtml text/html", "site.css text/css",
                "app.js application/javascript", "data.json application/json", "error_500.txt text/plain",
                "feed.xml text/xml", "logo.png image/png", "photo.jpg image/jpeg", "photo.jpeg image/jpeg",
                "anim.gif image/gif", "icon.svg image/svg+xml", "favicon.ico image/x-icon", "photo.webp image/webp",
                "font.woff font/woff", "font.woff2 font/woff2", "manual.pdf application/pdf",
                "module.wasm application/wasm");
    }

    @Test
    void theExtensionIsWhatFollowsTheLastDotInAnyCase() {
        assertTypes("INDEX.HTML text/html", "logo.min.PNG image/png", "app.css.js application/javascript");
    }

    @Test
    void anyOtherNameIsTheStockDefaultType() {
        assertTypes("archive.tar.gz application/octet-stream", "README application/octet-stream",
                "trailing. application/octet-stream", ".htaccess application/octet-stream",
                "page.html~ application/octet-stream");
    }

    /** Each of {@code cases} is a file name, a space and the type it gets. */
    private static void assertTypes(String... cases) {
        for (String c : cases) {
            String[] nameAndType = c.split(" ");
            assertEquals(nameAndType[1], MediaTypes.of(nameAndType[0]), nameAndType[0]);
        }
    }
}
