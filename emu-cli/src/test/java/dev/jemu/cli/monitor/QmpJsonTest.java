package dev.jemu.cli.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QmpJsonTest {
    @Test
    void writesInQemusLayout() throws Exception {
        Object v = QmpJson.parse("{\"b\": [1, 2.5, null, true], \"a\": \"\\u00e9\\n\", \"c\": {}}");
        assertEquals("{\"b\": [1, 2.5, null, true], \"a\": \"\\u00E9\\n\", \"c\": {}}", QmpJson.write(v));
    }

    @Test
    void numbersAsQemuPrintsThem() throws Exception {
        assertEquals("1000", QmpJson.write(QmpJson.parse("1e3")));
        assertEquals("1.2345678901234568e+29", QmpJson.write(QmpJson.parse("123456789012345678901234567890")));
        assertEquals("0", QmpJson.write(QmpJson.parse("-0")));
        assertEquals("-9223372036854775808", QmpJson.write(QmpJson.parse("-9223372036854775808")));
        assertEquals("1.0000000000000001e-05", QmpJson.formatDouble(0.00001));
        assertEquals("0.10000000000000001", QmpJson.formatDouble(0.1));
    }

    @Test
    void errorsWordedAsQemus() {
        assertEquals("JSON parse error, invalid keyword 'garbage'",
                assertThrows(QmpJson.JsonException.class, () -> QmpJson.parse("garbage")).getMessage());
        assertEquals("JSON parse error, expecting value",
                assertThrows(QmpJson.JsonException.class, () -> QmpJson.parse("{\"a\": 1,}")).getMessage());
        assertEquals("JSON parse error, missing : in object pair",
                assertThrows(QmpJson.JsonException.class, () -> QmpJson.parse("{\"a\" 1}")).getMessage());
        assertEquals("JSON nesting depth limit exceeded",
                assertThrows(QmpJson.JsonException.class, () -> QmpJson.parse("[".repeat(1100))).getMessage());
    }

    @Test
    void streamerCutsMessagesAcrossReadsAndLines() {
        List<String> got = new ArrayList<>();
        QmpStreamer s = new QmpStreamer(new QmpStreamer.Sink() {
            @Override
            public void message(String text) {
                got.add(text);
            }

            @Override
            public void error(String desc) {
                got.add("ERR " + desc);
            }
        });
        byte[] in = "{\"a\": \"}{\\\"\"}\n{\"b\":\n[1]} x ]".getBytes();
        for (byte b : in) {
            s.feed(new byte[] {b}, 0, 1);
        }
        s.feed(" ".getBytes(), 0, 1);
        assertEquals(List.of("{\"a\": \"}{\\\"\"}", "{\"b\":\n[1]}", "x", "ERR JSON parse error, expecting value"), got);
        assertEquals(Map.of("a", "}{\""), assertDoesNotThrowParse(got.get(0)));
    }

    private static Object assertDoesNotThrowParse(String text) {
        try {
            return QmpJson.parse(text);
        } catch (QmpJson.JsonException e) {
            throw new AssertionError(e);
        }
    }
}
