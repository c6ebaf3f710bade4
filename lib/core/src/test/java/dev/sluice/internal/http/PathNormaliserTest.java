package dev.sluice.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The path a route is matched against, as nginx's {@code ngx_http_parse_complex_uri()} computes {@code $uri} with
 * merge_slashes on. The vectors marked "nginx-tests" are the cases of nginx's own test suite (http_uri.t,
 * http_variables.t, merge_slashes.t read with merge_slashes on).
 */
class PathNormaliserTest {

    private static final String INVALID = "400";

    static Stream<Arguments> vectors() {
        return Stream.of(
                // nginx-tests
                vector("/foo/bar%", INVALID),
                vector("/foo/bar%1", INVALID),
                vector("/foo/bar/.?args", "/foo/bar/"),
                vector("/foo/bar/..?args", "/foo/"),
                vector("/foo/bar/.#frag", "/foo/bar/"),
                vector("/foo/bar/.", "/foo/bar/"),
                vector("/foo/bar/..", "/foo/"),
                vector("", "/"),
                vector("/", "/"),
                vector("?args", "/"),
                vector("/%02", "/\u0002"),
                vector("/../bad_uri", INVALID),
                vector("/foo//../bar", "/bar"),
                vector("/foo///../bar", "/bar"),
                // plain paths pass unchanged
                vector("/a/b", "/a/b"),
                vector("/a/b/", "/a/b/"),
                vector("/a+b;c=d,e:f@g!$&'()*~_-", "/a+b;c=d,e:f@g!$&'()*~_-"),
                vector("/a.b/c.d", "/a.b/c.d"),
                // slashes merged
                vector("//a///b//", "/a/b/"),
                vector("//", "/"),
                // dot-segments
                vector("/a/./b", "/a/b"),
                vector("/./a", "/a"),
                vector("/.", "/"),
                vector("/a/../b", "/b"),
                vector("/a/b/../../c", "/c"),
                vector("/a/..", "/"),
                vector("/a/b/../..", "/"),
                vector("/a//..//b", "/b"),
                vector("/a/.//./b", "/a/b"),
                // segments that only look like dot-segments
                vector("/..a", "/..a"),
                vector("/a..", "/a.."),
                vector("/.a", "/.a"),
                vector("/...", "/..."),
                vector("/a/.../b", "/a/.../b"),
                vector("/a./b", "/a./b"),
                // climbing above the root
                vector("/..", INVALID),
                vector("/../", INVALID),
                vector("/./..", INVALID),
                vector("/a/../..", INVALID),
                vector("/a/b/../../../c", INVALID),
                vector("//..//a", INVALID),
                vector("/..?x", INVALID),
                vector("/..#x", INVALID),
                vector("?..", "/"),
                // %XX decoded, and read as if sent as itself
                vector("/%41%62%7e", "/Ab~"),
                vector("/%c3%A9", "/\u00c3\u00a9"),
                vector("/a%2fb", "/a/b"),
                vector("/a%2F%2Fb", "/a/b"),
                vector("/a/%2F/b", "/a/b"),
                vector("/a%2e", "/a."),
                vector("/%2e/", "/"),
                vector("/a/%2e", "/a/"),
                vector("/a/%2e%2e/b", "/b"),
                vector("/a/.%2e/b", "/b"),
                vector("/a/%2e./b", "/b"),
                vector("/a/%2E%2E", "/"),
                vector("/.%2e.", "/..."),
                vector("/%2e%2e", INVALID),
                vector("/%2E%2e/", INVALID),
                vector("/a/..%2f..%2fb", INVALID),
                vector("/a%2f..%2f..", INVALID),
                // ... except '%', '#' and '?', which stay path bytes
                vector("/%25", "/%"),
                vector("/%252e%252e", "/%2e%2e"),
                vector("/%23x", "/#x"),
                vector("/%3f", "/?"),
                vector("/a%3Fb", "/a?b"),
                vector("/%3F/../b", "/b"),
                // broken or NUL escapes
                vector("/%", INVALID),
                vector("/%0", INVALID),
                vector("/%zz", INVALID),
                vector("/%g0", INVALID),
                vector("/%0g", INVALID),
                vector("/a%00b", INVALID),
                vector("/.%", INVALID),
                vector("/..%2", INVALID),
                // the query is neither decoded nor checked
                vector("/a?b/../..", "/a"),
                vector("/a/..?x", "/"),
                vector("/a/.?x", "/a/"),
                vector("/a?%zz", "/a"),
                vector("/a/?x", "/a/"));
    }

    private static Arguments vector(String path, String expected) {
        return Arguments.of(path, expected);
    }

    /** Each vector runs with exactly the room {@link PathNormaliser#capacityFor} asks for: a byte more would throw. */
    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("vectors")
    void normalisesAsNginxComputesUri(String path, String expected) {
        assertEquals(expected, normalise(path));
    }

    @Test
    void readsOnlyTheGivenRangeOfItsSource() {
        byte[] src = ascii("GET /a/../b?x HTTP/1.1");
        byte[] dst = new byte[PathNormaliser.capacityFor(9)];

        int length = PathNormaliser.normalise(src, 4, 13, dst);

        assertEquals("/b", new String(dst, 0, length, StandardCharsets.ISO_8859_1));
    }

    private static String normalise(String path) {
        byte[] src = ascii(path);
        byte[] dst = new byte[PathNormaliser.capacityFor(src.length)];
        Arrays.fill(dst, (byte) '!');
        int length = PathNormaliser.normalise(src, 0, src.length, dst);
        return length == PathNormaliser.INVALID ? INVALID : new String(dst, 0, length, StandardCharsets.ISO_8859_1);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }
}
