package dev.sluice.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The JSON reader: RFC 8259 and nothing more, within its size and depth limits. */
class JsonTest {

    private static Object parse(String text) throws JsonException {
        return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsObjectsInMemberOrderArraysStringsNumbersAndLiterals() throws Exception {
        Object value = parse(" {\"b\": [1, -2, 3.5, 1e3, true, false, null], \"a\": {\"s\": \"x\"}, \"e\": []}\r\n");

        Map<?, ?> object = (Map<?, ?>) value;
        assertEquals(List.of("b", "a", "e"), List.copyOf(object.keySet()));
        assertEquals(Arrays.asList(1L, -2L, 3.5, 1000.0, true, false, null), object.get("b"));
        assertEquals(Map.of("s", "x"), object.get("a"));
        assertEquals(List.of(), object.get("e"));
    }

    @Test
    void decodesEveryEscapeAndSurrogatePairs() throws Exception {
        assertEquals("\"\\/\b\f\n\r\t é😀", parse("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u0020\\u00e9\\ud83d\\ude00\""));
        assertEquals("é😀", parse("\"é😀\""), "UTF-8 as is");
    }

    @Test
    void anIntegerBeyondALongIsADouble() throws Exception {
        assertEquals(9223372036854775807L, parse("9223372036854775807"));
        assertEquals(1e19, parse("10000000000000000000"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[1,]", "{\"a\":1,}", "[1 2]", "01", "-", "1.", ".5", "+1", "1e", "0x1",
        "NaN", "Infinity", "'a'", "\"a", "\"\\x\"", "\"\\u12\"", "\"\\ud83d\"", "\"\\ude00\"", "\"\\ud83d\\u0041\"",
        "\"tab\there\"", "tru", "nul", "{\"a\" 1}", "{a:1}", "{\"a\":1,\"a\":2}", "[1]]", "1 2", "[", "{", "\u00a01",
        "1e999"})
    void refusesWhatRfc8259DoesNotAllow(String text) {
        assertThrows(JsonException.class, () -> parse(text), text);
    }

    @Test
    void refusesBytesThatAreNotUtf8() {
        JsonException e = assertThrows(JsonException.class, () -> Json.parse(new byte[] {'"', (byte) 0xc3, '"'}));

        assertEquals("not UTF-8", e.getMessage());
    }

    @Test
    void nestsUpToItsDepthLimitAndNoFurther() throws Exception {
        String deepest = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        String deeper = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);

        assertTrue(parse(deepest) instanceof List);
        JsonException e = assertThrows(JsonException.class, () -> parse(deeper));
        assertTrue(e.getMessage().contains("nested over 64 levels"), e.getMessage());
    }

    @Test
    void refusesADocumentOverItsSizeLimit() {
        byte[] big = new byte[Json.MAX_BYTES + 1];
        Arrays.fill(big, (byte) ' ');
        big[0] = '1';

        JsonException e = assertThrows(JsonException.class, () -> Json.parse(big));

        assertTrue(e.getMessage().contains("over " + Json.MAX_BYTES + " bytes"), e.getMessage());
    }

    @Test
    void anErrorSaysWhereItIs() {
        JsonException e = assertThrows(JsonException.class, () -> parse("{\"a\": [1, 2,]}"));

        assertEquals("a value expected at character 12", e.getMessage());
    }

    @Test
    void anObjectsMembersAreTypedAndAnAbsentOneIsANullOne() throws Exception {
        JsonObject object = JsonObject.of(parse("{\"s\":\"x\",\"n\":null,\"i\":3,\"l\":[\"a\"],\"o\":{}}"), "doc");

        assertEquals("x", object.string("s"));
        assertNull(object.string("n"));
        assertNull(object.object("absent"));
        assertEquals(3L, object.integer("i"));
        assertEquals(List.of("a"), object.strings("l"));
        assertEquals(List.of(), object.objects("n"));
        JsonException wrong = assertThrows(JsonException.class, () -> object.string("i"));
        assertEquals("doc.i is not a string", wrong.getMessage());
        JsonException missing = assertThrows(JsonException.class, () -> object.requiredObject("o").requiredString("x"));
        assertEquals("doc.o.x is missing", missing.getMessage());
    }
}
