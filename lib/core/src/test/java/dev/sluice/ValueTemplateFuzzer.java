package dev.sluice;

import java.nio.charset.StandardCharsets;

/**
 * Header value templates from any text: refused with an {@link IllegalArgumentException}, or parsed into a template
 * that keeps its source and evaluates without failing.
 *
 * <p>The target of {@link ValueTemplateFuzzTest} and of {@code benchmarks/fuzz/run.sh}, which runs it through Jazzer's own
 * entry point for as many executions as asked.
 */
final class ValueTemplateFuzzer {

    private ValueTemplateFuzzer() {
    }

    /** One input; a broken invariant throws. */
    public static void fuzzerTestOneInput(byte[] data) {
        String text = new String(data, StandardCharsets.ISO_8859_1);
        ValueTemplate template;
        try {
            template = ValueTemplate.parse("proxy_set_header", text);
        } catch (IllegalArgumentException refused) {
            return;
        }
        if (!template.toString().equals(text)) {
            throw new AssertionError("the template lost its source: " + template);
        }
        StringBuilder out = new StringBuilder();
        template.appendTo(out, (part, sb) -> sb.append('<').append(part.variable()).append('>'));
        if (template.isEmpty() != (out.length() == 0)) {
            throw new AssertionError("isEmpty disagrees with the evaluation of \"" + text + "\"");
        }
    }
}
