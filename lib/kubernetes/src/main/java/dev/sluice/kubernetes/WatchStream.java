package dev.sluice.kubernetes;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/** The events of one watch response, a JSON document a line, read as they come. */
final class WatchStream implements AutoCloseable {

    private final InputStream body;
    private final byte[] buffer = new byte[8192];
    private int position;
    private int limit;

    WatchStream(InputStream body) {
        this.body = body;
    }

    /** The next event, or null when the server ended the watch. */
    WatchEvent next() throws IOException {
        byte[] line;
        do {
            line = line();
            if (line == null) {
                return null;
            }
        } while (isBlank(line));
        return WatchEvent.from(JsonObject.of(Json.parse(line), "a watch event"));
    }

    /** The bytes up to the next newline (or the end), or null at the end; at most {@link Json#MAX_BYTES}. */
    private byte[] line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            if (position == limit) {
                limit = body.read(buffer);
                position = 0;
                if (limit < 0) {
                    limit = 0;
                    return line.size() == 0 ? null : line.toByteArray();
                }
            }
            int start = position;
            while (position < limit && buffer[position] != '\n') {
                position++;
            }
            line.write(buffer, start, position - start);
            if (line.size() > Json.MAX_BYTES) {
                throw new JsonException("a watch event of over " + Json.MAX_BYTES + " bytes");
            }
            if (position < limit) {
                position++;
                return line.toByteArray();
            }
        }
    }

    private static boolean isBlank(byte[] line) {
        for (byte b : line) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        body.close();
    }
}
