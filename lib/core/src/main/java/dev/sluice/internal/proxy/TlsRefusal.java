package dev.sluice.internal.proxy;

import java.nio.charset.StandardCharsets;

/**
 * The requests nginx answers 400 on a TLS address for the connection's sake, each with its own page: its internal
 * statuses 497, 495 and 496, which it turns into 400 with these words.
 */
enum TlsRefusal {
    /** Plain HTTP sent to a TLS address (497). */
    PLAIN_HTTP("The plain HTTP request was sent to HTTPS port"),
    /** A client certificate that does not verify, where one is demanded (495). */
    CERTIFICATE_ERROR("The SSL certificate error"),
    /** No client certificate, where one is demanded (496). */
    NO_CERTIFICATE("No required SSL certificate was sent");

    private final byte[] page;

    TlsRefusal(String words) {
        this.page = ("<html>\r\n<head><title>400 " + words + "</title></head>\r\n<body>\r\n"
                + "<center><h1>400 Bad Request</h1></center>\r\n<center>" + words + "</center>\r\n"
                + "<hr><center>sluice</center>\r\n</body>\r\n</html>\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The page's bytes; not to be changed. */
    byte[] page() {
        return page;
    }
}
