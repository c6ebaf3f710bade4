package dev.sluice.internal.http;

/** Messages the tests and the timing harness share. */
final class Samples {

    private Samples() {
    }

    /** What a desktop browser sends for a page: about 500 bytes, 10 fields. */
    static final String BROWSER_REQUEST = ""
            + "GET /catalog/items?page=2&sort=price HTTP/1.1\r\n"
            + "Host: shop.example.com\r\n"
            + "User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0\r\n"
            + "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
            + "Accept-Language: en-GB,en;q=0.5\r\n"
            + "Accept-Encoding: gzip, deflate, br, zstd\r\n"
            + "Referer: https://shop.example.com/catalog/items?page=1\r\n"
            + "Connection: keep-alive\r\n"
            + "Cookie: session=3f9a1c0e7b2d4a68; theme=dark; consent=analytics\r\n"
            + "Upgrade-Insecure-Requests: 1\r\n"
            + "Sec-Fetch-Dest: document\r\n"
            + "\r\n";

    static final String UPSTREAM_RESPONSE = ""
            + "HTTP/1.1 200 OK\r\n"
            + "Server: backend\r\n"
            + "Date: Tue, 05 Nov 2024 10:00:00 GMT\r\n"
            + "Content-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: 1234\r\n"
            + "Cache-Control: private, max-age=0\r\n"
            + "Keep-Alive: timeout=5, max=100\r\n"
            + "\r\n";
}
