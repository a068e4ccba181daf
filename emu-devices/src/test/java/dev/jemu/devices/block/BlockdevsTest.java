package dev.jemu.devices.block;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.machine.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockdevsTest {
    @TempDir
    Path dir;

    @Test
    void jsonFlattensToDottedKeys() {
        assertEquals(Map.of("driver", "qcow2", "node-name", "d0", "read-only", "on", "file.driver", "file",
                        "file.filename", "a \"b\"\\c", "n", "-1"),
                FlatJson.parse(" {\"driver\": \"qcow2\", \"node-name\":\"d0\",\"read-only\":true, \"file\": "
                        + "{\"driver\":\"file\",\"filename\":\"a \\\"b\\\"\\\\c\"}, \"n\": -1}"));
        assertEquals("JSON parse error, invalid keyword 'bad'",
                assertThrows(IllegalArgumentException.class, () -> FlatJson.parse("{bad")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> FlatJson.parse("{\"a\":[1]}"));
        assertThrows(IllegalArgumentException.class, () -> FlatJson.parse("{\"a\":1} x"));
        assertThrows(IllegalArgumentException.class, () -> FlatJson.parse("{\"a\":1"));
    }

    @Test
    void nodesBecomeDrivesWithTheirOptions() throws Exception {
        Path img = Files.write(dir.resolve("a,b.img"), new byte[4096]);
        String f = img.toString().replace(",", ",,");
        List<DriveOptions> d = Blockdevs.resolve(List.of(
                "driver=qcow2,node-name=q,file.driver=file,file.filename=" + f + ",read-only=on,cache.direct=on",
                "driver=file,node-name=f,filename=" + f + ",cache.no-flush=on,discard=unmap",
                "driver=raw,node-name=r,file=f"));
        assertEquals(2, d.size()); // f is consumed by r
        DriveOptions q = d.get(0);
        assertEquals(List.of("q", "qcow2", img.toString(), "none", true, DriveOptions.Cache.NONE),
                List.of(q.id(), q.format(), q.file(), q.iface(), q.readOnly(), q.cache()));
        DriveOptions r = d.get(1);
        assertEquals(List.of("r", "raw", img.toString(), false, DriveOptions.Cache.UNSAFE, DriveOptions.Discard.UNMAP),
                List.of(r.id(), r.format(), r.file(), r.readOnly(), r.cache(), r.discard()));
        // a protocol node on its own is a raw disk
        DriveOptions p = Blockdevs.resolve(List.of("driver=file,node-name=p,filename=" + f)).get(0);
        assertEquals(List.of("p", "raw", DriveOptions.Cache.WRITEBACK), List.of(p.id(), p.format(), p.cache()));
    }

    @Test
    void mistakesInQemusWords() throws Exception {
        Path img = Files.write(dir.resolve("a.img"), new byte[4096]);
        assertEquals("-blockdev driver=raw,node-name=a,file=b,node-name=c: Parameter 'node-name' given twice",
                error("driver=raw,node-name=a,file=b,node-name=c"));
        assertEquals("-blockdev driver=file,node-name=x,filename=" + img + ": Duplicate nodes with node-name='x'",
                error("driver=file,node-name=x,filename=" + img, "driver=file,node-name=x,filename=" + img));
        assertEquals("-blockdev node-name=x: Parameter 'driver' is missing", error("node-name=x"));
        assertEquals("-blockdev driver=raw,node-name=x,file.filename=" + img + ": Parameter 'file.driver' is missing",
                error("driver=raw,node-name=x,file.filename=" + img));
        assertEquals("-blockdev driver=file,node-name=x: Parameter 'filename' is missing", error("driver=file,node-name=x"));
        assertEquals("-blockdev driver=file,node-name=x,filename=" + img + ",read-only=maybe: Parameter 'read-only' "
                + "expects 'on' or 'off'", error("driver=file,node-name=x,filename=" + img + ",read-only=maybe"));
        assertEquals("-blockdev driver=file,node-name=x,file=y: Parameter 'file' is unexpected",
                error("driver=file,node-name=x,file=y"));
    }

    private static String error(String... specs) {
        return assertThrows(ConfigException.class, () -> Blockdevs.resolve(List.of(specs))).getMessage();
    }
}
