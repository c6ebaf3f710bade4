package dev.sluice.internal.files;

import dev.sluice.ValueTemplate;
import java.util.List;

/**
 * nginx's {@code try_files FILE ... FALLBACK} of a route with a root, read: the files to look for, in order (each a
 * template such as {@code $uri}, {@code $uri/} for a directory, {@code $uri.html}), and what answers when none is
 * there: exactly one of a status ({@code =404}), a named route ({@code @app}) or a target to reroute to ({@code
 * /index.html}, {@code /index.php?$args}).
 *
 * @param files the files, in the order tried
 * @param status the fallback's status, or 0
 * @param route the fallback's named route ({@code @NAME}), or null
 * @param target the fallback's target, or null
 */
public record TryFiles(List<Candidate> files, int status, String route, ValueTemplate target) {

    public TryFiles {
        files = List.copyOf(files);
    }

    /**
     * One file to look for: the template of its path, and whether it must be a directory (nginx's {@code $uri/}: the
     * template is then {@code $uri}, written with a final '/' that is not part of the path).
     *
     * @param path the path's template
     * @param directory whether a directory is looked for, not a regular file
     */
    public record Candidate(ValueTemplate path, boolean directory) {
    }
}
