package dev.sluice.kubernetes;

import java.io.IOException;

/** A document that is not strict JSON, or not of the shape the Kubernetes API gives it. */
final class JsonException extends IOException {

    private static final long serialVersionUID = 1L;

    JsonException(String message) {
        super(message);
    }
}
