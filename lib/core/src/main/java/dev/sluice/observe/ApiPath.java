package dev.sluice.observe;

/**
 * A path of NGINX Plus's upstream API, parsed into what it names: every group ({@code /api/9/http/upstreams}), one
 * group ({@code .../NAME}), its servers ({@code .../NAME/servers}) or one of them ({@code .../NAME/servers/ID}),
 * each with or without a trailing slash, as NGINX Plus takes them; a version other than 9, or any other path.
 *
 * @param kind what the path names
 * @param group the group's name, for a path under one
 * @param id the server's id as written, for a path of one server
 */
record ApiPath(Kind kind, String group, String id) {

    /** What a path names. */
    enum Kind {
        GROUPS, GROUP, SERVERS, SERVER, UNKNOWN_VERSION, NOT_FOUND
    }

    private static final String API = "/api/";
    private static final String UPSTREAMS = "/http/upstreams";
    private static final ApiPath NOT_FOUND = new ApiPath(Kind.NOT_FOUND, null, null);

    static ApiPath parse(String path) {
        if (!path.startsWith(API)) {
            return NOT_FOUND;
        }
        String rest = path.substring(API.length());
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        int slash = rest.indexOf('/');
        String version = slash < 0 ? rest : rest.substring(0, slash);
        if (!version.equals("9")) {
            boolean numbered = !version.isEmpty() && version.chars().allMatch(c -> c >= '0' && c <= '9');
            return numbered ? new ApiPath(Kind.UNKNOWN_VERSION, null, null) : NOT_FOUND;
        }
        rest = slash < 0 ? "" : rest.substring(slash);
        if (!rest.startsWith(UPSTREAMS)) {
            return NOT_FOUND;
        }
        rest = rest.substring(UPSTREAMS.length());
        if (rest.isEmpty()) {
            return new ApiPath(Kind.GROUPS, null, null);
        }
        if (rest.charAt(0) != '/') {
            return NOT_FOUND;
        }
        String[] parts = rest.substring(1).split("/", -1);
        if (parts.length == 1) {
            return new ApiPath(Kind.GROUP, parts[0], null);
        }
        if (!parts[1].equals("servers") || parts.length > 3) {
            return NOT_FOUND;
        }
        return parts.length == 2 ? new ApiPath(Kind.SERVERS, parts[0], null)
                : new ApiPath(Kind.SERVER, parts[0], parts[2]);
    }
}
