package dev.sluice.internal.tls;

import java.nio.file.Path;

/** A certificate, key or trust file that cannot be used: its message names the file and the reason. */
public final class TlsFileException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    TlsFileException(Path file, String reason) {
        super(file + ": " + reason);
        this.file = file;
    }

    TlsFileException(Path file, String reason, Throwable cause) {
        super(file + ": " + reason, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
