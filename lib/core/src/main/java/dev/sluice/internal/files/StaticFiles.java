package dev.sluice.internal.files;

import dev.sluice.Answer;
import dev.sluice.MediaTypes;
import dev.sluice.ProxyHandler;
import dev.sluice.ProxyRequest;
import dev.sluice.internal.http.UriText;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The handler of a route with {@code root}: nginx's {@code root DIR; index ...;} with what {@code try_files $uri
 * =404} answers, for the small files a configuration points its error pages at. It answers every request itself,
 * reading the file when asked (nothing is cached), whole, on the event loop, as an nginx worker without {@code aio}
 * reads it:
 *
 * <ul>
 *   <li>a method but GET, HEAD and POST: 405 with {@code Allow: GET, HEAD}, whether or not the file exists; a POST
 *       is looked up as a GET is (404, 301, the index's reroute, which keeps the POST) and is 405 for a file;
 *   <li>the file is the directory and the request's {@code $uri} ({@link ProxyRequest#path()}); a regular file is
 *       200 with its {@code Content-Type} by extension ({@link MediaTypes}), {@code Last-Modified} and {@code
 *       Content-Length} (a HEAD gets the same head and no body);
 *   <li>a directory, with a '/' at the end of the path: a {@link Answer#reroute reroute} to the first of the index
 *       files that is a regular file, which the route of that path serves, as nginx's internal redirect; else 403
 *       (nginx with {@code autoindex off}: no listing, ever); without the '/': 301 to the path with it (and the
 *       query), as nginx, with a {@code Location} that is a path (nginx's {@code absolute_redirect off});
 *   <li>a path that names nothing, a file with a '/' after it, or anything but a regular file or directory: 404;
 *       one the process may not read: 403; a file above {@link #MAX_FILE_SIZE}, or an error reading it: 500,
 *       logged.
 * </ul>
 *
 * <p>No file outside the directory is ever served: a path segment that is {@code .} or {@code ..}, holds a
 * control byte or is not UTF-8 is 404, and so is a path whose real path (every symbolic link followed) is not under
 * the directory's real path — a link inside the directory that points out of it. Links that stay inside are
 * followed. (nginx's default, {@code disable_symlinks off}, follows every link.) The check is made before the file
 * is opened: it guards against what the directory holds, not against a local user who swaps a link in between.
 */
public final class StaticFiles implements ProxyHandler {

    /**
     * The largest file served, 1 MiB: a file is read whole into memory on the event loop, so its size bounds both
     * the memory a request holds and the time the loop's other connections wait. Error pages and a few assets fit;
     * larger files belong to a file server behind an upstream.
     */
    public static final int MAX_FILE_SIZE = 1 << 20;

    private static final Logger log = LoggerFactory.getLogger(StaticFiles.class);
    private static final DateTimeFormatter HTTP_DATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.US).withZone(ZoneOffset.UTC);
    private static final Answer NOT_ALLOWED = Answer.builder(405).header("Allow", "GET, HEAD").build();
    private static final Answer FORBIDDEN = Answer.of(403);
    private static final Answer NOT_FOUND = Answer.of(404);
    private static final Answer FAILED = Answer.of(500);

    private final Path root;
    private final List<String> index;
    /** For nginx's {@code alias}: the location's path, which the request's path starts with and loses; else null. */
    private final byte[] aliased;
    /** nginx's {@code try_files}, or null. */
    private final TryFiles tryFiles;
    /** nginx's {@code types} and {@code default_type}: the type of a file by the extension of the path asked for. */
    private final MediaTypes types;

    /** Serves files under {@code root}, a directory with {@code index} files (plain names) in the order given. */
    public StaticFiles(Path root, List<String> index) {
        this(root, index, null, null, MediaTypes.nginx());
    }

    /**
     * nginx's {@code alias}: serves the files under {@code alias} (or that one file) for the requests of location
     * {@code location}, a prefix or exact path, which their path starts with and which is replaced by the alias
     * ({@code /static/css/a.css} of {@code location /static/ { alias /srv/assets/; }} is {@code
     * /srv/assets/css/a.css}); null: {@code alias} is a root, the path appended to it whole. With {@code tryFiles}
     * (else null), the files it names are looked for in place of the request's path, as nginx's {@code try_files}.
     * A file's type is the one {@code types} gives the path it was asked for by, as nginx types a file by {@code
     * $uri}.
     */
    public StaticFiles(Path alias, List<String> index, String location, TryFiles tryFiles, MediaTypes types) {
        this.root = Objects.requireNonNull(alias, "root");
        this.index = List.copyOf(index);
        this.aliased = location == null ? null : UriText.pathBytes(location);
        this.tryFiles = tryFiles;
        this.types = Objects.requireNonNull(types, "types");
    }

    @Override
    public Answer onRequest(ProxyRequest request) {
        if (tryFiles != null) {
            return tryFiles(request);
        }
        if (!isGetOrHead(request) && !isPost(request)) {
            return NOT_ALLOWED;
        }
        byte[] path = UriText.pathBytes(request.path());
        try {
            Path top = root.toRealPath();
            Path file = resolve(top, aliased == null ? path : underAlias(path));
            if (file == null) {
                return NOT_FOUND;
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            boolean slash = path[path.length - 1] == '/';
            if (attributes.isDirectory()) {
                return slash ? index(top, file, path, request.query()) : withSlash(path, request.query());
            }
            if (slash || !attributes.isRegularFile()) {
                return NOT_FOUND;
            }
            return isPost(request) ? NOT_ALLOWED : read(file, types.of(request.path()), attributes);
        } catch (IOException e) {
            return failed(e, path);
        }
    }

    private static boolean isGetOrHead(ProxyRequest request) {
        return request.method().equals("GET") || request.method().equals("HEAD");
    }

    private static boolean isPost(ProxyRequest request) {
        return request.method().equals("POST");
    }

    /**
     * nginx's {@code try_files}: the first of its files that is there (a directory for one ending in '/') is served,
     * to GET and HEAD only, as the path it names (a directory named without its own '/', {@code $uri/} of {@code
     * /docs}, gets the 301 to add it); when none is, its fallback answers, whatever the method.
     */
    private Answer tryFiles(ProxyRequest request) {
        Path top;
        try {
            top = root.toRealPath();
        } catch (IOException e) {
            return fallback(request); // no root yet: no file is there
        }
        for (TryFiles.Candidate candidate : tryFiles.files()) {
            byte[] path = UriText.pathBytes(request.value(candidate.path()));
            if (path == null || path.length == 0) {
                continue;
            }
            boolean directory = candidate.directory();
            if (!directory && path[path.length - 1] == '/') {
                continue; // a file with a '/' after it is no file, as open() fails for nginx
            }
            try {
                Path file = resolve(top, aliased == null ? path : inAlias(path));
                BasicFileAttributes attributes = file == null ? null
                        : Files.readAttributes(file, BasicFileAttributes.class);
                if (attributes == null || !(directory ? attributes.isDirectory() : attributes.isRegularFile())) {
                    continue;
                }
                if (!directory) {
                    String type = types.of(new String(path, StandardCharsets.ISO_8859_1));
                    return isGetOrHead(request) ? read(file, type, attributes) : NOT_ALLOWED;
                }
                if (!isGetOrHead(request) && !isPost(request)) {
                    return NOT_ALLOWED;
                }
                return path[path.length - 1] == '/' ? index(top, file, path, request.query())
                        : withSlash(path, request.query());
            } catch (AccessDeniedException e) {
                return FORBIDDEN;
            } catch (FileSystemException e) {
                continue; // not there, or a file where a directory should be: nginx tries the next
            } catch (IOException e) {
                return failed(e, path);
            }
        }
        return fallback(request);
    }

    /**
     * What answers when none of {@code try_files}' files is there: a status, a named route, or a reroute to the
     * target's value taken as nginx takes it, a {@code $uri} to be as it is (its path escaped here, so that the
     * reroute's decoding gives it back; an empty query dropped).
     */
    private Answer fallback(ProxyRequest request) {
        if (tryFiles.status() > 0) {
            return Answer.of(tryFiles.status());
        }
        return Answer.reroute(tryFiles.route() != null ? tryFiles.route()
                : UriText.asTarget(request.value(tryFiles.target())));
    }

    /**
     * The path under the alias of a {@code try_files} entry, as nginx takes one: what follows the location's path
     * when it starts with it ({@link #underAlias}), else the whole entry, appended to the alias.
     */
    private byte[] inAlias(byte[] path) {
        byte[] under = underAlias(path);
        return under != null || path.length >= aliased.length
                && Arrays.equals(path, 0, aliased.length, aliased, 0, aliased.length) ? under : path;
    }

    /**
     * The path under the alias of a request's {@code path}: what follows the location's path, as a path from the
     * alias's top ({@code /static/css/a.css} of location {@code /static/} is {@code /css/a.css}); null when the
     * request's path does not start with the location's, or goes on past a location without a final '/' with no
     * '/' of its own ({@code /itop.gif} of location {@code /i}, a sibling of the alias for nginx).
     */
    private byte[] underAlias(byte[] path) {
        if (path == null || path.length < aliased.length || !Arrays.equals(path, 0, aliased.length, aliased, 0,
                aliased.length)) {
            return null;
        }
        boolean slashed = aliased[aliased.length - 1] == '/';
        if (!slashed && path.length > aliased.length && path[aliased.length] != '/') {
            return null;
        }
        int from = slashed ? aliased.length : aliased.length + Math.min(1, path.length - aliased.length);
        byte[] under = new byte[1 + path.length - from];
        under[0] = '/';
        System.arraycopy(path, from, under, 1, path.length - from);
        return under;
    }

    /**
     * The real path of {@code path} under {@code top}, or null when a segment could name something outside it (a
     * {@code .} or {@code ..}, a control byte, a separator of the file system, not UTF-8) or its real path is not
     * under {@code top}.
     */
    private static Path resolve(Path top, byte[] path) throws IOException {
        if (path == null || path.length == 0 || path[0] != '/') {
            return null;
        }
        Path file = top;
        int start = 1;
        for (int i = 1; i <= path.length; i++) {
            if (i < path.length && path[i] != '/') {
                continue;
            }
            if (i > start) {
                String segment = segment(path, start, i, top.getFileSystem().getSeparator());
                if (segment == null) {
                    return null;
                }
                try {
                    file = file.resolve(segment);
                } catch (InvalidPathException e) {
                    return null;
                }
            }
            start = i + 1;
        }
        Path real = file.toRealPath();
        return real.startsWith(top) ? real : null;
    }

    /** One segment of the path as a file name, or null when it is no plain name. */
    private static String segment(byte[] path, int from, int to, String separator) {
        for (int i = from; i < to; i++) {
            if (path[i] >= 0 && path[i] < ' ' || path[i] == 0x7f) {
                return null;
            }
        }
        String name;
        try {
            name = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(path, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        boolean dots = name.equals(".") || name.equals("..");
        return dots || name.contains(separator) ? null : name;
    }

    /**
     * The first index file of {@code directory} that is a regular file under {@code top}, as nginx's index module
     * finds it: a reroute to it ({@code path} with its name, and the query), so that the route its own path matches
     * serves it, as nginx redirects internally; else 403.
     */
    private Answer index(Path top, Path directory, byte[] path, String query) throws IOException {
        for (String name : index) {
            Path file;
            try {
                file = directory.resolve(name).toRealPath();
            } catch (NoSuchFileException e) {
                continue; // nginx tries the next one
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            if (file.startsWith(top) && attributes.isRegularFile()) {
                byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
                byte[] indexPath = Arrays.copyOf(path, path.length + bytes.length);
                System.arraycopy(bytes, 0, indexPath, path.length, bytes.length);
                return Answer.reroute(UriText.target(indexPath, query));
            }
        }
        return FORBIDDEN;
    }

    /** The 301 nginx sends for a directory named without its '/': to the path with one, and the query. */
    private static Answer withSlash(byte[] path, String query) {
        byte[] slashed = Arrays.copyOf(path, path.length + 1);
        slashed[path.length] = '/';
        return Answer.redirect(301, UriText.target(slashed, query));
    }

    /** The file, read whole: its {@code type}, its time of change and its bytes; 500 beyond the limit. */
    private static Answer read(Path file, String type, BasicFileAttributes attributes) throws IOException {
        byte[] body;
        if (attributes.size() > MAX_FILE_SIZE) {
            body = null;
        } else {
            try (InputStream in = Files.newInputStream(file)) {
                body = in.readNBytes(MAX_FILE_SIZE + 1);
            }
        }
        if (body == null || body.length > MAX_FILE_SIZE) {
            log.warn("root: {} is larger than the {} bytes a root serves; answered 500", file, MAX_FILE_SIZE);
            return FAILED;
        }
        Answer.Builder answer = Answer.builder(200);
        if (!type.isEmpty()) { // an empty type, as nginx's default_type "": no Content-Type
            answer.header("Content-Type", type);
        }
        return answer.header("Last-Modified", HTTP_DATE.format(attributes.lastModifiedTime().toInstant()))
                .body(body)
                .build();
    }

    /**
     * What a failure of the file system costs, as nginx maps {@code open()}'s errors: no access is 403, a name that
     * is not there (or a file where a directory should be, a loop of links, a name too long) 404, anything else 500.
     */
    private Answer failed(IOException e, byte[] path) {
        if (e instanceof AccessDeniedException) {
            return FORBIDDEN;
        }
        if (e instanceof FileSystemException) {
            return NOT_FOUND;
        }
        log.warn("root {}: reading {} failed; answered 500", root,
                path == null ? "?" : new String(path, StandardCharsets.UTF_8), e);
        return FAILED;
    }
}
