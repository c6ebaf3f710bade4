package dev.sluice.internal.proxy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Opens the temporary files of {@code client_body_temp_path}: each one new (never an existing file), readable and
 * writable by its owner only, and opened with {@link StandardOpenOption#DELETE_ON_CLOSE}, which on POSIX systems
 * unlinks it at once, as nginx unlinks its temporary files right after opening them: the file has no name while it
 * is in use and its space comes back when it is closed, even if the process dies. Where a file cannot be unlinked
 * while open (Windows), it is deleted when closed.
 *
 * <p>Creating a file runs on the event loop: it is one metadata operation on a local directory, as nginx's workers
 * do it. The directory is created with its parents when first needed.
 */
final class TempFiles {

    private static final Set<OpenOption> OPTIONS = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
            StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE);
    private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];
    /** Names are numbered across every proxy of the process; a name another process took is skipped. */
    private static final AtomicLong NUMBER = new AtomicLong(System.nanoTime() & 0xffffffffL);
    private static final int ATTEMPTS = 16;

    private final Path directory;
    private final FileAttribute<?>[] attributes;
    private volatile boolean directoryReady;

    TempFiles(Path directory) {
        this.directory = directory;
        boolean posix = directory.getFileSystem().supportedFileAttributeViews().contains("posix");
        Set<PosixFilePermission> ownerOnly = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        this.attributes = posix ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(ownerOnly)} : NO_ATTRIBUTES;
    }

    /** The directory the files go to. */
    Path directory() {
        return directory;
    }

    /** Opens a new, empty temporary file for reading and writing. */
    FileChannel open() throws IOException {
        if (!directoryReady) {
            Files.createDirectories(directory);
            directoryReady = true;
        }
        for (int i = 0;; i++) {
            Path file = directory.resolve(String.format("%010d.body", NUMBER.incrementAndGet() % 10_000_000_000L));
            try {
                return FileChannel.open(file, OPTIONS, attributes);
            } catch (FileAlreadyExistsException e) {
                if (i == ATTEMPTS) {
                    throw e;
                }
            } catch (NoSuchFileException e) {
                if (i == ATTEMPTS) {
                    throw e;
                }
                Files.createDirectories(directory); // removed while the proxy ran
            }
        }
    }
}
