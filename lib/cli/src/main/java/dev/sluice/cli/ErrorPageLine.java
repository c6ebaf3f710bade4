package dev.sluice.cli;

import dev.sluice.ErrorPage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --error-page} value, nginx's {@code error_page CODE [CODE...] PAGE} with PAGE a local file: the
 * file is read once, at startup, and its bytes become the body sent for each CODE (the status is kept), with the
 * type of the file's name ({@link ErrorPage#file}). The file name is everything after the codes, so it may hold
 * spaces.
 *
 * @param codes the statuses, in the order written; their range (300 to 599) is the library's to check
 * @param file the page's file
 * @param pages the page for each code, in the order written
 */
record ErrorPageLine(List<Integer> codes, Path file, List<ErrorPage> pages) {

    /**
     * Reads the codes and the file.
     *
     * @throws IllegalArgumentException for a missing code or file, a code that is not a number, nginx's
     *     {@code =CODE} (a changed status, which this proxy does not offer), or a file that cannot be read
     */
    static ErrorPageLine parse(String text) {
        List<Integer> codes = new ArrayList<>();
        String rest = text.strip();
        while (!rest.isEmpty()) {
            String[] split = rest.split("\\s+", 2);
            String word = split[0];
            if (word.startsWith("=")) {
                throw new IllegalArgumentException("changing the status (\"" + word + "\") is not supported; the status is kept: \"" + text + "\"");
            }
            if (!word.chars().allMatch(c -> c >= '0' && c <= '9')) {
                break;
            }
            codes.add(NginxSyntax.number(word));
            rest = split.length > 1 ? split[1] : "";
        }
        if (codes.isEmpty()) {
            throw new IllegalArgumentException("expected 'CODE [CODE...] FILE', got \"" + text + "\"");
        }
        if (rest.isEmpty()) {
            throw new IllegalArgumentException("missing FILE after the codes: \"" + text + "\"");
        }
        Path file = Path.of(rest);
        ErrorPage first = read(codes.get(0), file);
        List<ErrorPage> pages = codes.stream()
                .map(code -> new ErrorPage(code, first.contentType(), first.body(), null))
                .toList();
        return new ErrorPageLine(List.copyOf(codes), file, pages);
    }

    private static ErrorPage read(int code, Path file) {
        try {
            return ErrorPage.file(code, file);
        } catch (UncheckedIOException unreadable) {
            IOException e = unreadable.getCause();
            if (e instanceof NoSuchFileException) {
                throw new IllegalArgumentException("cannot read \"" + file + "\": no such file");
            }
            if (e instanceof AccessDeniedException) {
                throw new IllegalArgumentException("cannot read \"" + file + "\": permission denied");
            }
            throw new IllegalArgumentException("cannot read \"" + file + "\": " + e.getMessage());
        }
    }
}
