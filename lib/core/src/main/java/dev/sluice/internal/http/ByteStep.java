package dev.sluice.internal.http;

/** A grammar checked one byte at a time, so that a chunked body may be split anywhere. */
interface ByteStep {

    /** The byte was accepted; the construct goes on. */
    int MORE = 0;
    /** The byte was accepted and ended the construct. */
    int END = 1;
    /** The byte was refused; see {@link #violation()}. */
    int BAD = 2;

    int accept(byte b);

    /** After {@link #BAD}: why. */
    Violation violation();
}
