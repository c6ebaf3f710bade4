package dev.sluice.internal.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FlatJsonTest {

    @Test
    void readsStringsNumbersBooleansAndNullInOrder() {
        Map<String, Object> members = FlatJson.parse(" {\"server\": \"10.0.0.1:80\", \"weight\": 3, \"ratio\": -1.5e2,"
                + " \"down\": true, \"backup\": false, \"route\": null, \"esc\": \"a\\\"b\\\\c\\u0041\\n\"} ");

        assertEquals(List.of("server", "weight", "ratio", "down", "backup", "route", "esc"), List.copyOf(members.keySet()));
        assertEquals("10.0.0.1:80", members.get("server"));
        assertEquals(3.0, members.get("weight"));
        assertEquals(-150.0, members.get("ratio"));
        assertEquals(Boolean.TRUE, members.get("down"));
        assertEquals(Boolean.FALSE, members.get("backup"));
        assertNull(members.get("route"));
        assertEquals("a\"b\\cA\n", members.get("esc"));
        assertTrue(FlatJson.parse("{}").isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "[]", "{", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{\"a\":1} x", "{\"a\":{}}",
            "{\"a\":[1]}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":tru}", "{\"a\":\"\\x\"}", "{\"a\":\"\\u12\"}",
            "{\"a\":1,\"a\":2}", "{a:1}", "{\"a\":\"line\nbreak\"}"})
    void refusesWhatIsNotOneFlatObject(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FlatJson.parse(text));
        assertTrue(e.getMessage().startsWith("invalid JSON at offset "), e.getMessage());
    }
}
