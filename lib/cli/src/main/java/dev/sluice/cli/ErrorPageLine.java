package dev.sluice.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One {@code --error-page} value, nginx's {@code error_page CODE [CODE...] PAGE} with PAGE a local file: the
 * file is read once, at startup, and its bytes become the body sent for each CODE (the status is kept). The
 * file name is everything after the codes, so it may hold spaces.
 *
 * @param codes the statuses, in the order written; their range (300 to 599) is the library's to check
 * @param file the page's file
 * @param body the page's bytes
 */
record ErrorPageLine(List<Integer> codes, Path file, byte[] body) {

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
        return new ErrorPageLine(List.copyOf(codes), file, read(file));
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read \"" + file + "\": no such file");
        } catch (AccessDeniedException e) {
            throw new IllegalArgumentException("cannot read \"" + file + "\": permission denied");
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read \"" + file + "\": " + e.getMessage());
        }
    }
}
