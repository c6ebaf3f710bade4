package dev.sluice.cli;

import java.time.Duration;

/**
 * One {@code --queue} value: NGINX Plus's {@code queue N [timeout=T]}, the most requests that wait for a free peer
 * and how long each may wait (60 s unless given, as NGINX Plus).
 *
 * @param size the most requests that wait
 * @param timeout how long one may wait
 */
record QueueLine(int size, Duration timeout) {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    /**
     * Reads a queue line.
     *
     * @throws IllegalArgumentException quoting what is not understood
     */
    static QueueLine parse(String text) {
        String[] words = text.trim().split("\\s+");
        int size = NginxSyntax.number(words[0]);
        if (size < 1) {
            throw new IllegalArgumentException("the queue needs room for at least one request: \"" + text + "\"");
        }
        if (words.length == 1) {
            return new QueueLine(size, DEFAULT_TIMEOUT);
        }
        if (words.length > 2 || !words[1].startsWith("timeout=")) {
            throw new IllegalArgumentException("expected 'N [timeout=T]', got \"" + text + "\"");
        }
        Duration timeout = NginxSyntax.time(words[1].substring("timeout=".length()));
        if (timeout.isZero()) {
            throw new IllegalArgumentException("the queue timeout must be above zero: \"" + text + "\"");
        }
        return new QueueLine(size, timeout);
    }
}
