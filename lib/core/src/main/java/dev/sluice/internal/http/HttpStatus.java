package dev.sluice.internal.http;

/**
 * Status codes the proxy sends or interprets, and their reason phrases. nginx picks the same codes for the same
 * failures; where Sluice deliberately differs the constant says so.
 */
public final class HttpStatus {

    public static final int CONTINUE = 100;
    public static final int SWITCHING_PROTOCOLS = 101;
    public static final int OK = 200;
    public static final int NO_CONTENT = 204;
    public static final int NOT_MODIFIED = 304;
    public static final int BAD_REQUEST = 400;
    public static final int NOT_FOUND = 404;
    public static final int METHOD_NOT_ALLOWED = 405;
    public static final int REQUEST_TIMEOUT = 408;
    public static final int CONTENT_TOO_LARGE = 413;
    public static final int URI_TOO_LONG = 414;
    public static final int EXPECTATION_FAILED = 417;
    public static final int REQUEST_HEADER_FIELDS_TOO_LARGE = 431;
    public static final int INTERNAL_SERVER_ERROR = 500;
    public static final int NOT_IMPLEMENTED = 501;
    public static final int BAD_GATEWAY = 502;
    public static final int SERVICE_UNAVAILABLE = 503;
    public static final int GATEWAY_TIMEOUT = 504;
    public static final int HTTP_VERSION_NOT_SUPPORTED = 505;

    /**
     * What a client gets when a header field line, or the whole request head, exceeds its limit. nginx sends 400
     * (internally 494 "Request Header Or Cookie Too Large"); Sluice sends RFC 6585's 431. Set this to
     * {@link #BAD_REQUEST} to answer exactly as nginx does.
     */
    public static final int HEADER_TOO_LARGE = REQUEST_HEADER_FIELDS_TOO_LARGE;

    private HttpStatus() {
    }

    /**
     * The RFC 9110 reason phrase of {@code status}, e.g. {@code "Bad Gateway"}, or {@code ""} for a code this class
     * does not know (a status line may carry an empty reason).
     */
    public static String reasonPhrase(int status) {
        switch (status) {
            case 100: return "Continue";
            case 101: return "Switching Protocols";
            case 103: return "Early Hints";
            case 200: return "OK";
            case 201: return "Created";
            case 202: return "Accepted";
            case 203: return "Non-Authoritative Information";
            case 204: return "No Content";
            case 205: return "Reset Content";
            case 206: return "Partial Content";
            case 300: return "Multiple Choices";
            case 301: return "Moved Permanently";
            case 302: return "Found";
            case 303: return "See Other";
            case 304: return "Not Modified";
            case 307: return "Temporary Redirect";
            case 308: return "Permanent Redirect";
            case 400: return "Bad Request";
            case 401: return "Unauthorized";
            case 402: return "Payment Required";
            case 403: return "Forbidden";
            case 404: return "Not Found";
            case 405: return "Method Not Allowed";
            case 406: return "Not Acceptable";
            case 407: return "Proxy Authentication Required";
            case 408: return "Request Timeout";
            case 409: return "Conflict";
            case 410: return "Gone";
            case 411: return "Length Required";
            case 412: return "Precondition Failed";
            case 413: return "Content Too Large";
            case 414: return "URI Too Long";
            case 415: return "Unsupported Media Type";
            case 416: return "Range Not Satisfiable";
            case 417: return "Expectation Failed";
            case 421: return "Misdirected Request";
            case 422: return "Unprocessable Content";
            case 425: return "Too Early";
            case 426: return "Upgrade Required";
            case 428: return "Precondition Required";
            case 429: return "Too Many Requests";
            case 431: return "Request Header Fields Too Large";
            case 500: return "Internal Server Error";
            case 501: return "Not Implemented";
            case 502: return "Bad Gateway";
            case 503: return "Service Unavailable";
            case 504: return "Gateway Timeout";
            case 505: return "HTTP Version Not Supported";
            case 507: return "Insufficient Storage";
            default: return "";
        }
    }

    /**
     * Whether a response of the proxy's own with {@code status} and no body of its own gets a built-in page: the
     * statuses nginx has one for (the redirects 301, 302, 303, 307 and 308; 400 to 416 but 407; 421, 429; 500 to 505
     * and 507). Any other status goes with an empty body, as nginx sends it (Sluice's own 417 and 431 too).
     */
    public static boolean hasBuiltInPage(int status) {
        return switch (status) {
            case 301, 302, 303, 307, 308, 400, 401, 402, 403, 404, 405, 406, 408, 409, 410, 411, 412, 413, 414, 415,
                    416, 421, 429, 500, 501, 502, 503, 504, 505, 507 -> true;
            default -> false;
        };
    }
}
