package dev.sluice.internal.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Test helpers that feed bytes to a parser whole, split at every position, and one byte at a time, and check that
 * every way of cutting the input gives the same outcome.
 */
final class Wire {

    private Wire() {
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    static String text(ByteBuffer buf, int start, int length) {
        byte[] out = new byte[length];
        buf.get(start, out);
        return new String(out, StandardCharsets.ISO_8859_1);
    }

    /** What a head parse gave: result, status, bytes consumed when DONE, and a description of the head. */
    record Outcome(ParseResult result, int status, int consumed, String head) {
    }

    /** Something that consumes a stream of buffers and describes the first message it found in it. */
    interface Feeder {
        void reset();

        /** Consumes from the buffer; returns NEED_MORE, DONE or ERROR. */
        ParseResult feed(ByteBuffer in);

        /** Describes the outcome after DONE or ERROR. */
        String describe(ParseResult result);

        int status();
    }

    static Outcome whole(Feeder feeder, byte[] input) {
        return feed(feeder, input, List.of());
    }

    /** Feeds {@code input} cut at the given ascending positions, each piece a separate buffer. */
    static Outcome feed(Feeder feeder, byte[] input, List<Integer> cuts) {
        feeder.reset();
        int from = 0;
        List<Integer> ends = new ArrayList<>(cuts);
        ends.add(input.length);
        for (int to : ends) {
            // A fresh array per piece, with slack around it, so the parser cannot rely on buffer identity or offset.
            byte[] piece = new byte[to - from + 6];
            System.arraycopy(input, from, piece, 3, to - from);
            ByteBuffer in = ByteBuffer.wrap(piece, 3, to - from);
            ParseResult r = feeder.feed(in);
            if (r != ParseResult.NEED_MORE) {
                int consumed = r == ParseResult.DONE ? from + in.position() - 3 : -1;
                return new Outcome(r, feeder.status(), consumed, feeder.describe(r));
            }
            assertEquals(in.limit(), in.position(), "NEED_MORE must consume every byte offered");
            from = to;
        }
        return new Outcome(ParseResult.NEED_MORE, 0, -1, null);
    }

    /**
     * Asserts that the input gives the same outcome whole, split in two at every position, and fed byte by byte;
     * returns that outcome.
     */
    static Outcome sameAtEverySplit(Feeder feeder, byte[] input) {
        Outcome expected = whole(feeder, input);
        for (int cut = 0; cut <= input.length; cut++) {
            assertEquals(expected, feed(feeder, input, List.of(cut)), "split at " + cut);
        }
        List<Integer> everyByte = new ArrayList<>();
        for (int i = 1; i < input.length; i++) {
            everyByte.add(i);
        }
        assertEquals(expected, feed(feeder, input, everyByte), "fed byte by byte");
        return expected;
    }

    static Feeder requests(RequestParser parser) {
        return requests(parser, RequestHead::toString);
    }

    static Feeder requests(RequestParser parser, Function<RequestHead, String> describe) {
        return new Feeder() {
            @Override
            public void reset() {
                parser.reset();
            }

            @Override
            public ParseResult feed(ByteBuffer in) {
                return parser.parse(in);
            }

            @Override
            public String describe(ParseResult result) {
                return result == ParseResult.DONE ? describe.apply(parser.head()) : parser.errorReason();
            }

            @Override
            public int status() {
                return parser.errorStatus();
            }
        };
    }

    static Feeder responses(ResponseParser parser, boolean headRequest) {
        return new Feeder() {
            @Override
            public void reset() {
                parser.reset(headRequest);
            }

            @Override
            public ParseResult feed(ByteBuffer in) {
                return parser.parse(in);
            }

            @Override
            public String describe(ParseResult result) {
                if (result != ParseResult.DONE) {
                    return parser.errorReason();
                }
                ResponseHead head = parser.head();
                return head + "|" + head.bodyFraming() + "|" + head.contentLength() + "|" + head.isReusable();
            }

            @Override
            public int status() {
                return parser.errorStatus();
            }
        };
    }

    /** Feeds a chunked body, collecting its payload; the description is payload + trailers, or the error. */
    static Feeder chunked(ChunkedDecoder decoder) {
        return new Feeder() {
            final StringBuilder payload = new StringBuilder();

            @Override
            public void reset() {
                decoder.reset();
                payload.setLength(0);
            }

            @Override
            public ParseResult feed(ByteBuffer in) {
                ParseResult r;
                while ((r = decoder.decode(in)) == ParseResult.DATA) {
                    payload.append(text(in, decoder.payloadStart(), decoder.payloadLength()));
                }
                return r;
            }

            @Override
            public String describe(ParseResult result) {
                if (result != ParseResult.DONE) {
                    return decoder.errorReason();
                }
                return payload + "|" + decoder.trailers() + "|" + decoder.payloadBytes() + "|"
                        + decoder.messageBytes();
            }

            @Override
            public int status() {
                return 0;
            }
        };
    }

    /** Feeds a chunked body in validate-and-forward mode. */
    static Feeder chunkedScan(ChunkedDecoder decoder) {
        return new Feeder() {
            @Override
            public void reset() {
                decoder.reset();
            }

            @Override
            public ParseResult feed(ByteBuffer in) {
                return decoder.scan(in);
            }

            @Override
            public String describe(ParseResult result) {
                return result == ParseResult.DONE ? "done " + decoder.messageBytes() : decoder.errorReason();
            }

            @Override
            public int status() {
                return 0;
            }
        };
    }
}
