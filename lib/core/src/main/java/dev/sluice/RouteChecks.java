package dev.sluice;

import dev.sluice.internal.files.TryFiles;
import dev.sluice.internal.text.NginxRegex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The checks of the values given to a {@link Route.Builder}, one option at a time and then the route as a whole:
 * each refuses a bad value with an {@link IllegalArgumentException} whose message names the option.
 */
final class RouteChecks {

    /** A variable whose value is a path, {@code /} first: a passUri may start with it. */
    private static final Pattern PATH_VARIABLE =
            Pattern.compile("\\$(\\{request_uri}|\\{uri}|request_uri|uri)(?![A-Za-z0-9_])");

    private static final Duration MAX = Duration.ofDays(365);
    /** The largest body a handler may read: it is held in memory, once per connection that reads one. */
    private static final int MAX_HANDLER_BODY = 64 * 1024 * 1024;
    /** An HTTP token: a field name, or an Upgrade protocol's name. */
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";

    private RouteChecks() {
    }

    /** A timeout of {@code option}: more than 0 and at most 365 days. */
    static Duration positive(String option, Duration value) {
        Objects.requireNonNull(value, option);
        if (value.isNegative() || value.isZero() || value.compareTo(MAX) > 0) {
            throw new IllegalArgumentException(option + " must be more than 0 and at most 365d: " + value);
        }
        return value;
    }

    static int handlerBodyLimit(int maxBytes) {
        if (maxBytes <= 0 || maxBytes > MAX_HANDLER_BODY) {
            throw new IllegalArgumentException("handlerReadsBody must be more than 0 and at most "
                    + MAX_HANDLER_BODY + " bytes: " + maxBytes);
        }
        return maxBytes;
    }

    /** The index file names, each a plain file name; at least one. */
    /**
     * nginx's {@code try_files}: every argument but the last a file's template, the last {@code =CODE}, {@code @NAME}
     * or a target's template starting with '/' or a variable; {@code names}: the route's own variables.
     */
    static TryFiles tryFiles(VariableNames names, String... args) {
        Objects.requireNonNull(args, "tryFiles");
        if (args.length < 2) {
            throw new IllegalArgumentException("tryFiles needs a file and what answers when none is there");
        }
        List<TryFiles.Candidate> files = new ArrayList<>();
        for (int i = 0; i < args.length - 1; i++) {
            String file = Objects.requireNonNull(args[i], "tryFiles");
            boolean directory = file.length() > 1 && file.endsWith("/");
            files.add(new TryFiles.Candidate(ValueTemplate.parse("tryFiles " + file,
                    directory ? file.substring(0, file.length() - 1) : file, false, names), directory));
        }
        String last = Objects.requireNonNull(args[args.length - 1], "tryFiles");
        if (last.startsWith("=")) {
            int status;
            try {
                status = Integer.parseInt(last.substring(1));
            } catch (NumberFormatException e) {
                status = -1;
            }
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("tryFiles: the fallback's status must be 200 to 599: " + last);
            }
            return new TryFiles(files, status, null, null);
        }
        if (last.startsWith("@")) {
            if (!RouteLocation.isName(last)) {
                throw new IllegalArgumentException("tryFiles: not a named route: " + last);
            }
            return new TryFiles(files, 0, last, null);
        }
        if (!last.startsWith("/") && !last.startsWith("$")) {
            throw new IllegalArgumentException("tryFiles: the fallback is =CODE, @NAME or a target starting with '/'"
                    + " or a variable: " + last);
        }
        return new TryFiles(files, 0, null, ValueTemplate.parse("tryFiles " + last, last, false, names));
    }

    /** The fields nginx's {@code proxy_ignore_headers} may name, lower case. */
    private static final Set<String> IGNORABLE_HEADERS = Set.of("x-accel-redirect", "x-accel-expires",
            "x-accel-limit-rate", "x-accel-buffering", "x-accel-charset", "expires", "cache-control", "set-cookie",
            "vary");

    /** {@code proxy_ignore_headers}: fields among nginx's, in any case; lower case. */
    static Set<String> ignoreHeaders(String... names) {
        Objects.requireNonNull(names, "ignoreHeaders");
        Set<String> lower = new HashSet<>();
        for (String name : names) {
            String field = Objects.requireNonNull(name, "ignoreHeaders").toLowerCase(Locale.ROOT);
            if (!IGNORABLE_HEADERS.contains(field)) {
                throw new IllegalArgumentException("ignoreHeaders: not a field nginx's proxy_ignore_headers takes: "
                        + name);
            }
            lower.add(field);
        }
        return Set.copyOf(lower);
    }

    static List<String> index(String... names) {
        Objects.requireNonNull(names, "index");
        if (names.length == 0) {
            throw new IllegalArgumentException("index needs at least one file name");
        }
        for (String name : names) {
            Objects.requireNonNull(name, "index");
            if (name.isEmpty() || name.equals(".") || name.equals("..") || name.chars().anyMatch(
                    c -> c < ' ' || c == 0x7f || c == '/' || c == '\\')) {
                throw new IllegalArgumentException("index: not a plain file name: \"" + name + "\"");
            }
        }
        return List.of(names);
    }

    /**
     * One {@code proxy_redirect} line, its templates parsed: in a prefix, and in the replacement of one, {@code
     * names} (the route's named groups, the maps) are variables; in the replacement of a regex, the regex's own
     * groups instead of the route's.
     */
    static ProxyRedirect redirect(String redirect, String replacement, VariableNames names) {
        if (!redirect.startsWith("~")) {
            return new ProxyRedirect(ValueTemplate.parse("redirectRewrite", redirect, false, names), null,
                    ValueTemplate.parse("redirectRewrite", replacement, false, names));
        }
        RegexValue line = regexValue("redirectRewrite \"" + redirect + "\"", redirect, "the replacement", replacement,
                names);
        return new ProxyRedirect(null, line.regex(), line.value());
    }

    /** A regex key of the configuration's and the value its match gets. */
    record RegexValue(Pattern regex, ValueTemplate value) {
    }

    /**
     * A regex key, {@code ~REGEX} or {@code ~*REGEX} (ignoring case), and {@code value}, a template whose {@code $1}
     * to {@code $9} and named groups are the regex's; {@code owner} names the key in errors, {@code what} the value.
     */
    static RegexValue regexValue(String owner, String key, String what, String value, VariableNames names) {
        boolean caseless = key.startsWith("~*");
        String regex = key.substring(caseless ? 2 : 1);
        Pattern pattern;
        Map<String, Integer> groups;
        try {
            pattern = NginxRegex.compile(regex, caseless);
            groups = groupNames(owner, regex);
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException(owner + ": not a regex: " + e.getDescription());
        }
        ValueTemplate template = ValueTemplate.parse(owner, value, false, names.withCaptures(groups));
        int count = pattern.matcher("").groupCount();
        if (template.highestCapture() > count) {
            throw new IllegalArgumentException(owner + ": " + what + " uses $" + template.highestCapture()
                    + " but the regex captures " + count + " group(s)");
        }
        return new RegexValue(pattern, template);
    }

    /**
     * The named groups of {@code regex}, which become variables: none may take a variable's name, as nginx refuses
     * a duplicate variable. {@code owner} names the regex in the error.
     *
     * @throws PatternSyntaxException when two groups share a name
     */
    static Map<String, Integer> groupNames(String owner, String regex) {
        Map<String, Integer> names = NginxRegex.groupNames(regex);
        for (String name : names.keySet()) {
            if (ValueTemplate.isVariable(name)) {
                throw new IllegalArgumentException(owner + ": the group name " + name + " is the variable $" + name
                        + " already");
            }
        }
        return names;
    }

    /** A passUri's template when it names variables, else null; {@code names}: the route's own variables. */
    static ValueTemplate passUri(String uri, VariableNames names) {
        Objects.requireNonNull(uri, "passUri");
        boolean template = uri.indexOf('$') >= 0;
        boolean path = uri.startsWith("/") || PATH_VARIABLE.matcher(uri).lookingAt();
        if (!path || uri.chars().anyMatch(c -> c <= ' ' || c >= 0x7f || c == '#' || c == '?' && !template)) {
            throw new IllegalArgumentException("passUri must be a path starting with '/' (or with $request_uri or"
                    + " $uri), with no spaces, controls, '#' or (unless it names variables) '?': \"" + uri + "\"");
        }
        return template ? ValueTemplate.parse("passUri", uri, false, names) : null;
    }

    /** Whether {@code status} is one a redirect answers with: 301, 302, 303, 307 or 308. */
    static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    static int errorPageStatus(int status) {
        if (status < 300 || status > 599) {
            throw new IllegalArgumentException("errorPage status must be between 300 and 599: " + status);
        }
        return status;
    }

    static String headerName(String name) {
        Objects.requireNonNull(name, "name");
        if (!name.matches(TOKEN)) {
            throw new IllegalArgumentException("setHeader name must be a field name token: \"" + name + "\"");
        }
        if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Transfer-Encoding")) {
            throw new IllegalArgumentException("setHeader " + name + ": the proxy writes the request's framing"
                    + " from its body");
        }
        return name;
    }

    /** Whether {@code version}, which must be 1.0 or 1.1, is 1.1. */
    static boolean http11(String version) {
        if (!version.equals("1.1") && !version.equals("1.0")) {
            throw new IllegalArgumentException("httpVersion must be 1.0 or 1.1: " + version);
        }
        return version.equals("1.1");
    }

    static int bufferSize(int bytes) {
        if (bytes < 1024 || bytes > 1 << 20) {
            throw new IllegalArgumentException("bufferSize must be between 1024 and 1048576 bytes: " + bytes);
        }
        return bytes;
    }

    static void buffers(int count, int size) {
        if (count < 2 || count > 1024) {
            throw new IllegalArgumentException("buffers count must be between 2 and 1024: " + count);
        }
        if (size < 1024 || size > 1 << 20) {
            throw new IllegalArgumentException("buffers size must be between 1024 and 1048576 bytes: " + size);
        }
    }

    /** The protocols' names in lower case, each once, refusing those that would open a connection past the proxy. */
    static List<String> upgradeProtocols(String... protocols) {
        Objects.requireNonNull(protocols, "upgradeProtocols");
        List<String> names = new ArrayList<>();
        for (String protocol : protocols) {
            Objects.requireNonNull(protocol, "upgradeProtocols");
            if (!protocol.matches(TOKEN)) {
                throw new IllegalArgumentException("upgradeProtocols: not a protocol name: \"" + protocol + "\"");
            }
            String name = protocol.toLowerCase(Locale.ROOT);
            if (name.equals("h2c") || name.equals("h2") || name.equals("http")) {
                throw new IllegalArgumentException("upgradeProtocols: " + protocol + " is never forwarded: a 101 "
                        + "would hand the client a connection to the upstream past the proxy's checks");
            }
            if (!names.contains(name)) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    /**
     * Checks that the options of the route at {@code location} fit together; {@code answers} is the option by which
     * it answers every request itself, or null.
     */
    static void whole(RouteLocation location, RouteOptions options, String answers) {
        String prefix = location.prefix();
        Pattern pattern = location.pattern();
        if (options.upstream == null && answers == null) {
            throw new IllegalArgumentException("route " + prefix + " has no upstream");
        }
        if (options.upstream != null && answers != null) {
            throw new IllegalArgumentException("route " + prefix + " answers every request by its " + answers
                    + ": it cannot also have an upstream");
        }
        if (options.root == null && options.index != null) {
            throw new IllegalArgumentException("route " + prefix + " has an index but no root or alias");
        }
        if (options.root == null && options.tryFiles != null) {
            throw new IllegalArgumentException("route " + prefix + " has tryFiles but no root or alias");
        }
        if (options.passUri != null && location.match() == Route.Match.NAMED && options.passTemplate == null) {
            throw new IllegalArgumentException("route " + prefix + ": a named route's passUri must name variables,"
                    + " as nginx's proxy_pass has no plain URI part inside a named location");
        }
        if (options.passUri != null && pattern != null && options.passTemplate == null) {
            throw new IllegalArgumentException("route " + prefix + ": a regex route's passUri must name variables"
                    + " or captures ($1), as nginx's proxy_pass has no plain URI part in a regex location");
        }
        if (options.handlerBodyLimit > 0 && !options.requestBuffering) {
            throw new IllegalArgumentException("route " + prefix + ": a handler that reads the body needs"
                    + " requestBuffering on");
        }
        if (options.passTemplate != null && options.redirects != null
                && options.redirects.contains(ProxyRedirect.DEFAULT)) {
            throw new IllegalArgumentException("route " + prefix + ": redirectRewrite default cannot be used with a"
                    + " passUri that names variables, as nginx's proxy_redirect default");
        }
        int capture = options.passTemplate == null ? 0 : options.passTemplate.highestCapture();
        int groups = pattern == null ? 0 : pattern.matcher("").groupCount();
        if (capture > groups) {
            throw new IllegalArgumentException("route " + prefix + ": passUri uses $" + capture + " but the "
                    + (pattern == null ? "route is not a regex route" : "regex captures " + groups + " group(s)"));
        }
    }
}
