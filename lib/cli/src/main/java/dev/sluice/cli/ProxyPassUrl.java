package dev.sluice.cli;

/**
 * The URL of a {@code proxy_pass} directive, read once: {@code http[s]://HOST[/URI]}, where HOST names an upstream
 * block or is {@code HOST[:PORT]}. A URI that names variables ({@code /items/$1?id=$arg_id}, or {@code $request_uri}
 * right after the HOST) is the request's whole target, as in nginx; a HOST may name none (nginx would resolve it
 * per request).
 *
 * @param at the directive, for errors
 * @param tls whether it is {@code https://}
 * @param host the group's name, or {@code HOST[:PORT]}
 * @param uri the URI part that replaces the location's prefix, or null when there is none
 */
record ProxyPassUrl(Directive at, boolean tls, String host, String uri) {

    /**
     * Reads the URL of {@code d}.
     *
     * @throws UsageException for another scheme, or variables in the host (not supported), naming the file and line
     */
    static ProxyPassUrl of(Directive d) {
        String url = Args.one(d);
        if (!url.startsWith("https://") && !url.startsWith("http://")) {
            throw d.error("invalid URL prefix in \"" + url + "\" (http:// or https://)");
        }
        boolean tls = url.startsWith("https://");
        String rest = url.substring(tls ? 8 : 7);
        int slash = rest.indexOf('/');
        int variable = rest.indexOf('$');
        if (variable >= 0 && (slash < 0 || variable < slash)) {
            if (variable == 0) {
                throw Args.unsupported(d, "variables in the URL's host (" + url + ")");
            }
            slash = variable; // http://backend$request_uri: the URI part, which must begin with a path
        }
        return new ProxyPassUrl(d, tls, slash < 0 ? rest : rest.substring(0, slash),
                slash < 0 ? null : rest.substring(slash));
    }

    /** The address of the group nginx makes when no upstream block has the host's name: its port defaulted. */
    String address() {
        return host.matches(".*:[0-9]+") ? host : host + (tls ? ":443" : ":80");
    }
}
