package dev.sluice.internal.http;

import static dev.sluice.internal.http.FuzzChecks.check;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * nginx's {@code $uri} from any path: refused, or a path that starts with '/', holds no empty, {@code .} or
 * {@code ..} segment (so it never climbs above the root), and normalises to itself when its own '%' and control
 * bytes are left aside.
 *
 * <p>The target of {@link PathNormaliserFuzzTest} and of {@code benchmarks/fuzz/run.sh}, which runs it through Jazzer's own
 * entry point for as many executions as asked.
 */
final class PathNormaliserFuzzer {

    private PathNormaliserFuzzer() {
    }

    /** One input; a broken invariant throws. */
    public static void fuzzerTestOneInput(byte[] data) {
        if (data.length > 0 && data[0] != '/' && data[0] != '?') {
            return; // not a path of a request-target: the request parser never hands one over
        }
        byte[] out = new byte[PathNormaliser.capacityFor(data.length)];
        int n = PathNormaliser.normalise(data, 0, data.length, out);
        if (n == PathNormaliser.INVALID) {
            return;
        }
        check(n >= 1 && out[0] == '/', "starts with '/'", n);
        String path = new String(out, 0, n, StandardCharsets.ISO_8859_1);
        check(!path.contains("//"), "no empty segment", path);
        check(!path.contains("/./") && !path.endsWith("/."), "no '.' segment", path);
        check(!path.contains("/../") && !path.endsWith("/.."), "no '..' segment", path);
        if (path.indexOf('%') < 0 && path.indexOf('?') < 0 && path.indexOf('#') < 0) {
            byte[] again = new byte[PathNormaliser.capacityFor(n)];
            int m = PathNormaliser.normalise(out, 0, n, again);
            check(m == n && Arrays.equals(again, 0, m, out, 0, n), "idempotent", path);
        }
    }
}
