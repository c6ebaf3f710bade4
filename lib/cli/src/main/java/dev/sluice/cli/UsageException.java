package dev.sluice.cli;

/**
 * A command-line mistake, reported as one line naming the flag and the value, after which the process exits
 * with status 2: {@code sluice: --proxy-connect-timeout: invalid time "5x"}.
 */
final class UsageException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final String flag;

    /**
     * @param flag the flag at fault, such as {@code --server}, or null when no flag is (a stray argument)
     * @param detail what is wrong, quoting the offending value
     */
    UsageException(String flag, String detail) {
        super(oneLine(flag == null ? detail : flag + ": " + detail));
        this.flag = flag;
    }

    /**
     * A value the parser accepted but the library's builder refused (a weight of 0, a zero timeout). The
     * builder's message names its option; this adds the flag, and the value unless the message quotes it.
     */
    static UsageException rejected(String flag, String value, IllegalArgumentException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String quoted = "\"" + value + "\"";
        return new UsageException(flag, why.contains(quoted) ? why : quoted + ": " + why);
    }

    /** The flag at fault, or null. */
    String flag() {
        return flag;
    }

    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n]+", " ");
    }
}
