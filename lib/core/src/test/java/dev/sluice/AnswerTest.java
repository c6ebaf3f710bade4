package dev.sluice;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** An answer of the proxy's own: what each factory gives, and the field text it refuses. */
class AnswerTest {

    @Test
    void aStatusAloneGetsNginxsBuiltInPage() {
        Answer answer = Answer.of(403);
        assertEquals(403, answer.status());
        assertNull(answer.body());
        assertEquals(List.of(), answer.headers());
    }

    @Test
    void textGoesAsPlainTextLikeReturnWithAText() {
        Answer answer = Answer.of(200, "ok");
        assertArrayEquals("ok".getBytes(StandardCharsets.UTF_8), answer.body());
        assertEquals(List.of(Map.entry("Content-Type", "text/plain")), answer.headers());
    }

    @Test
    void aRedirectCarriesItsLocationAndOnlyARedirectStatus() {
        assertEquals(List.of(Map.entry("Location", "/new")), Answer.redirect(302, "/new").headers());
        assertThrows(IllegalArgumentException.class, () -> Answer.redirect(200, "/new"));
    }

    @Test
    void aFieldValueThatWouldSplitTheHeadIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Answer.builder(200).header("X-A", "a\r\nSet-Cookie: x=1"));
        assertEquals("a field value holds no CR, LF, NUL or character beyond Latin-1: \"a\\r\\nSet-Cookie: x=1\"",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Answer.builder(200).header("Bad Name", "v"));
    }

    @Test
    void aStatusOutsideTwoHundredToFiveNinetyNineIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Answer.of(101));
        assertThrows(IllegalArgumentException.class, () -> Answer.of(600));
    }

    @Test
    void theBodyIsCopiedInAndOut() {
        byte[] bytes = {1, 2};
        Answer answer = Answer.builder(200).body(bytes).build();
        bytes[0] = 9;
        answer.body()[1] = 9;
        assertArrayEquals(new byte[] {1, 2}, answer.body());
    }
}
