package dev.sluice.kubernetes;

import java.io.IOException;

/** 410 Gone: the resource version a watch asked to resume from is too old; only a new list can follow on. */
final class GoneException extends IOException {

    private static final long serialVersionUID = 1L;

    GoneException(String message) {
        super(message);
    }
}
