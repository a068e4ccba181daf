package dev.jemu.cli.img;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** jemu-img's verbs against qemu-img: same fields, same exit codes, images each side accepts. */
class JemuImgTest {
    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {
    }

    static Run jemu(String... args) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int rc = JemuImg.run(args, new PrintStream(o, true, StandardCharsets.UTF_8), new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Run(rc, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    static Run qemu(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 1];
        cmd[0] = "qemu-img";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    static void assumeQemu() {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/qemu-img")), "qemu-img not installed");
    }

    private String p(String name) {
        return dir.resolve(name).toString();
    }

    private Path rawSource(long seed, int size) throws IOException {
        Random r = new Random(seed);
        byte[] b = new byte[size];
        for (int off = 0; off < size; off += 65536) {
            int k = r.nextInt(3);
            for (int i = off; i < Math.min(size, off + 65536); i++) {
                b[i] = switch (k) {
                    case 0 -> (byte) r.nextInt();
                    case 1 -> (byte) ('a' + i % 26);
                    default -> 0;
                };
            }
        }
        Path p = dir.resolve("src" + seed + ".raw");
        Files.write(p, b);
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String s) {
        return (Map<String, Object>) MiniJson.parse(s);
    }

    @Test
    void infoJsonAgreesWithQemuImg() throws Exception {
        assumeQemu();
        assertEquals(0, qemu("create", "-f", "qcow2", "-o", "cluster_size=4096", p("base.qcow2"), "5M").exit());
        assertEquals(0, jemu("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", p("top.qcow2")).exit());
        assertEquals(0, jemu("create", "-q", "-f", "qcow2", "-o", "compat=0.10,cluster_size=512", p("v2.qcow2"), "3M").exit());
        assertEquals(0, jemu("create", "-q", "-f", "qcow2", "-o", "lazy_refcounts=on,refcount_bits=8", p("lazy.qcow2"), "1G").exit());
        assertEquals(0, jemu("create", "-q", "-f", "raw", p("r.raw"), "1M").exit());
        assertEquals(0, qemu("snapshot", "-c", "snap1", p("base.qcow2")).exit());
        for (String img : List.of("base.qcow2", "top.qcow2", "v2.qcow2", "lazy.qcow2", "r.raw")) {
            Run j = jemu("info", "--output=json", p(img));
            Run q = qemu("info", "--output=json", p(img));
            assertEquals(0, j.exit(), j.err());
            assertEquals(0, q.exit(), q.err());
            Map<String, Object> jm = json(j.out()), qm = json(q.out());
            for (String k : List.of("virtual-size", "filename", "format", "cluster-size", "dirty-flag", "backing-filename",
                    "full-backing-filename", "backing-filename-format")) {
                assertEquals(qm.get(k), jm.get(k), img + ": " + k);
            }
            Map<String, Object> qf = (Map<String, Object>) qm.get("format-specific");
            Map<String, Object> jf = (Map<String, Object>) jm.get("format-specific");
            if (qf != null) {
                assertEquals(qf.get("type"), jf.get("type"));
                Map<String, Object> qd = (Map<String, Object>) qf.get("data"), jd = (Map<String, Object>) jf.get("data");
                for (String k : List.of("compat", "lazy-refcounts", "refcount-bits", "corrupt", "extended-l2")) {
                    assertEquals(qd.get(k), jd.get(k), img + ": format-specific " + k);
                }
            }
            List<Object> qs = (List<Object>) qm.get("snapshots"), js = (List<Object>) jm.get("snapshots");
            if (qs != null) {
                assertEquals(qs.size(), js.size());
                Map<String, Object> a = (Map<String, Object>) qs.get(0), b = (Map<String, Object>) js.get(0);
                for (String k : List.of("id", "name", "date-sec", "date-nsec", "vm-state-size", "vm-clock-sec")) assertEquals(a.get(k), b.get(k), k);
            }
        }
        Run h = jemu("info", p("top.qcow2"));
        assertTrue(h.out().contains("backing file: base.qcow2"), h.out());
        assertTrue(h.out().contains("virtual size: 5 MiB (5242880 bytes)"), h.out());
    }

    @Test
    void convertOutputsPassQemuCheckAndCompare() throws Exception {
        assumeQemu();
        Path src = rawSource(1, 3 << 20);
        assertEquals(0, qemu("convert", "-f", "raw", "-O", "qcow2", "-o", "cluster_size=4096", src.toString(), p("in.qcow2")).exit());
        String[][] variants = {
                {"-O", "qcow2"}, {"-O", "qcow2", "-c"}, {"-O", "qcow2", "-o", "cluster_size=512,compat=0.10"},
                {"-O", "qcow2", "-c", "-o", "cluster_size=2M"}, {"-O", "raw"}, {"-O", "qcow2", "-p"}};
        int n = 0;
        for (String[] v : variants) {
            for (String in : List.of(src.toString(), p("in.qcow2"))) {
                String out = p("out" + n++ + (v[1].equals("raw") ? ".raw" : ".qcow2"));
                String[] args = new String[v.length + 3];
                args[0] = "convert";
                System.arraycopy(v, 0, args, 1, v.length);
                args[v.length + 1] = in;
                args[v.length + 2] = out;
                Run r = jemu(args);
                assertEquals(0, r.exit(), String.join(" ", args) + ": " + r.err());
                if (v[1].equals("qcow2")) {
                    Run c = qemu("check", out);
                    assertEquals(0, c.exit(), c.out() + c.err());
                }
                Run cmp = qemu("compare", src.toString(), out);
                assertEquals(0, cmp.exit(), String.join(" ", args) + ": " + cmp.out());
                assertEquals(0, jemu("compare", "-q", src.toString(), out).exit());
            }
        }
        // Sparse output: zero ranges are not allocated.
        Path zeros = dir.resolve("zeros.raw");
        Files.write(zeros, new byte[4 << 20]);
        assertEquals(0, jemu("convert", "-O", "qcow2", zeros.toString(), p("z.qcow2")).exit());
        assertTrue(Files.size(dir.resolve("z.qcow2")) <= 4 * 65536, "zero clusters must not be allocated");
        for (Object e : (List<?>) MiniJson.parse(qemu("map", "--output=json", p("z.qcow2")).out())) {
            assertEquals(false, ((Map<?, ?>) e).get("data"), "no data clusters in a converted all-zero image");
        }
        // Compressed output really is compressed.
        Map<String, Object> cc = json(qemu("check", "--output=json", p("out2.qcow2")).out());
        assertTrue(((Long) cc.get("compressed-clusters")) > 0, cc.toString());
    }

    /** -t: unsafe (the default, no sync) and the syncing modes give the same image; a bad mode is one line. */
    @Test
    void convertCacheModes() throws Exception {
        assumeQemu();
        Path src = rawSource(2, 2 << 20);
        for (String t : new String[]{"unsafe", "writeback", "none", "writethrough", "directsync"}) {
            Run r = jemu("convert", "-t", t, "-T", "none", "-O", "qcow2", src.toString(), p(t + ".qcow2"));
            assertEquals(0, r.exit(), t + ": " + r.err());
            assertEquals(0, qemu("check", p(t + ".qcow2")).exit(), t);
            assertEquals(0, qemu("compare", src.toString(), p(t + ".qcow2")).exit(), t);
        }
        Run bad = jemu("convert", "-t", "bogus", "-O", "qcow2", src.toString(), p("bad.qcow2"));
        assertEquals(1, bad.exit());
        assertEquals("jemu-img: Invalid cache option: bogus", bad.err().strip());
    }

    /** A sparse raw file: map agrees with qemu-img's (holes are zero, present), convert skips the holes. */
    @Test
    void sparseRawMapsAndConvertsLikeQemu() throws Exception {
        assumeQemu();
        Path raw = dir.resolve("sparse.raw");
        Random r = new Random(4);
        try (var f = new java.io.RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(16 << 20); // holes around the data
            for (long at : new long[]{0, 3 << 20, (5 << 20) + 4096, 15 << 20}) {
                byte[] b = new byte[200_000];
                r.nextBytes(b);
                f.seek(at);
                f.write(b);
            }
        }
        Run qm = qemu("map", "--output=json", "-f", "raw", raw.toString());
        Run jm = jemu("map", "--output=json", "-f", "raw", raw.toString());
        assertEquals(0, jm.exit(), jm.err());
        assertEquals(MiniJson.parse(qm.out()), MiniJson.parse(jm.out()));
        assertEquals(0, jemu("convert", "-f", "raw", "-O", "qcow2", raw.toString(), p("sparse.qcow2")).exit());
        assertEquals(0, qemu("check", p("sparse.qcow2")).exit());
        assertEquals(0, qemu("compare", raw.toString(), p("sparse.qcow2")).exit());
        assertEquals(0, jemu("convert", "-O", "raw", p("sparse.qcow2"), p("back.raw")).exit());
        assertEquals(0, qemu("compare", "-f", "raw", "-F", "raw", raw.toString(), p("back.raw")).exit());
        long dataBytes = 0;
        for (Object e : (List<?>) MiniJson.parse(qemu("map", "--output=json", p("sparse.qcow2")).out())) {
            Map<?, ?> m = (Map<?, ?>) e;
            if (Boolean.TRUE.equals(m.get("data"))) dataBytes += ((Number) m.get("length")).longValue();
        }
        assertTrue(dataBytes <= 4 * (200_000 + 2 * 65536), "only the written ranges are allocated: " + dataBytes);
    }

    @Test
    void streamOptimizedVmdkConvertsBothWays() throws Exception {
        assumeQemu();
        int size = (4 << 20) + (20 << 10) + 512; // not a multiple of the 64 KiB grain
        Path src = rawSource(7, size);
        assertEquals(0, qemu("convert", "-O", "vmdk", "-o", "subformat=streamOptimized", src.toString(), p("s.vmdk")).exit());
        Run info = jemu("info", p("s.vmdk"));
        assertEquals(0, info.exit(), info.err());
        assertTrue(info.out().contains("file format: vmdk"), info.out());
        assertEquals("vmdk", json(jemu("info", "--output=json", p("s.vmdk")).out()).get("format"));
        assertEquals(MiniJson.parse(qemu("map", "--output=json", p("s.vmdk")).out()),
                MiniJson.parse(jemu("map", "--output=json", p("s.vmdk")).out()), "map agrees with qemu-img");
        Run c = jemu("convert", "-O", "raw", p("s.vmdk"), p("back.raw"));
        assertEquals(0, c.exit(), c.err());
        Process cmp = new ProcessBuilder("cmp", src.toString(), p("back.raw")).redirectErrorStream(true).start();
        String cmpOut = new String(cmp.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(cmp.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, cmp.exitValue(), "cmp: " + cmpOut);
        // Writing into it appends compressed grains; qemu-img then reads the new content.
        Path other = rawSource(8, size);
        Run w = jemu("convert", "-n", "-O", "vmdk", other.toString(), p("s.vmdk"));
        assertEquals(0, w.exit(), w.err());
        Run cq = qemu("compare", other.toString(), p("s.vmdk"));
        assertEquals(0, cq.exit(), cq.out());
        assertEquals(0, qemu("check", p("s.vmdk")).exit());
        // jemu-img makes streamOptimized images too.
        Run mk = jemu("convert", "-O", "vmdk", "-o", "subformat=streamOptimized", src.toString(), p("j.vmdk"));
        assertEquals(0, mk.exit(), mk.err());
        assertTrue(qemu("info", p("j.vmdk")).out().contains("create type: streamOptimized"));
        assertEquals(0, qemu("check", p("j.vmdk")).exit());
        Run cj = qemu("compare", src.toString(), p("j.vmdk"));
        assertEquals(0, cj.exit(), cj.out());
    }

    @Test
    void checkExitCodesAndRepairMatchQemuImg() throws Exception {
        assumeQemu();
        assertEquals(0, jemu("create", "-q", "-f", "qcow2", p("c.qcow2"), "4M").exit());
        Path src = rawSource(2, 1 << 20);
        assertEquals(0, jemu("convert", "-O", "qcow2", src.toString(), p("d.qcow2")).exit());
        Run clean = jemu("check", p("d.qcow2"));
        assertEquals(0, clean.exit());
        assertTrue(clean.out().contains("No errors were found on the image."), clean.out());

        // A leak: refcount of the header cluster raised from 1 to 2 (refcount block at the header's table[0]).
        Path img = dir.resolve("d.qcow2");
        byte[] b = Files.readAllBytes(img);
        long rt = dev.jemu.devices.block.Bytes.getLong(b, 48);
        long rb = dev.jemu.devices.block.Bytes.getLong(b, (int) rt);
        b[(int) rb + 1] = 2;
        Files.write(img, b);
        assertEquals(3, qemu("check", p("d.qcow2")).exit());
        Run leak = jemu("check", p("d.qcow2"));
        assertEquals(3, leak.exit(), leak.out());
        assertTrue(leak.out().contains("1 leaked clusters were found"), leak.out());
        Run fix = jemu("check", "-r", "leaks", p("d.qcow2"));
        assertEquals(0, fix.exit(), fix.out() + fix.err());
        assertEquals(0, qemu("check", p("d.qcow2")).exit());

        // A corruption: refcount of the header cluster dropped to 0.
        b = Files.readAllBytes(img);
        b[(int) rb + 1] = 0;
        Files.write(img, b);
        assertEquals(2, qemu("check", p("d.qcow2")).exit());
        Run bad = jemu("check", "--output=json", p("d.qcow2"));
        assertEquals(2, bad.exit());
        assertEquals(1L, json(bad.out()).get("corruptions"));
        assertEquals(2, jemu("check", "-r", "leaks", p("d.qcow2")).exit());
        Run all = jemu("check", "-r", "all", p("d.qcow2"));
        assertEquals(0, all.exit(), all.out() + all.err());
        assertEquals(0, qemu("check", p("d.qcow2")).exit());
        assertEquals(0, qemu("compare", src.toString(), p("d.qcow2")).exit());

        // Images qemu damaged the same way get the same verdicts from jemu.
        assertEquals(63, jemu("check", src.toString()).exit());
    }

    @Test
    void snapshotResizeCompareMap() throws Exception {
        assumeQemu();
        Path src = rawSource(3, 2 << 20);
        assertEquals(0, jemu("convert", "-O", "qcow2", "-o", "cluster_size=65536", src.toString(), p("s.qcow2")).exit());
        assertEquals(0, jemu("snapshot", "-c", "first", p("s.qcow2")).exit());
        Run l = jemu("snapshot", "-l", p("s.qcow2"));
        assertTrue(l.out().contains("first"), l.out());
        assertTrue(qemu("snapshot", "-l", p("s.qcow2")).out().contains("first"));
        assertEquals(0, qemu("check", p("s.qcow2")).exit());

        assertEquals(0, jemu("resize", "-q", p("s.qcow2"), "+1M").exit() == 0 ? 1 : 0, "resize with snapshots is refused");
        assertEquals(0, jemu("snapshot", "-d", "first", p("s.qcow2")).exit());
        Run rs = jemu("resize", p("s.qcow2"), "+1M");
        assertEquals(0, rs.exit(), rs.err());
        assertEquals(3L << 20, json(qemu("info", "--output=json", p("s.qcow2")).out()).get("virtual-size"));
        assertEquals(0, qemu("check", p("s.qcow2")).exit());
        Run shrink = jemu("resize", p("s.qcow2"), "-1M");
        assertEquals(1, shrink.exit());
        assertEquals("jemu-img: Use the --shrink option to perform a shrink operation.", shrink.err().lines().findFirst().orElse(""));
        assertEquals(0, jemu("convert", "-O", "qcow2", src.toString(), p("t.qcow2")).exit());
        assertEquals(0, jemu("resize", "-q", "--shrink", p("t.qcow2"), "-512K").exit());
        assertEquals(0, qemu("check", p("t.qcow2")).exit());
        assertEquals(1536L << 10, json(qemu("info", "--output=json", p("t.qcow2")).out()).get("virtual-size"));
        assertEquals(0, jemu("resize", "-q", p("t.qcow2"), "2M").exit());
        byte[] want = Files.readAllBytes(src);
        java.util.Arrays.fill(want, 1536 << 10, want.length, (byte) 0);
        Files.write(dir.resolve("want.raw"), want);
        Run back = qemu("compare", p("want.raw"), p("t.qcow2"));
        assertEquals(0, back.exit(), "shrunk part must read as zero after growing again: " + back.out());

        // compare: a size difference with zero tail is equal; strict mode is not; a changed byte is found.
        assertEquals(0, jemu("compare", "-q", src.toString(), p("s.qcow2")).exit());
        assertEquals(1, jemu("compare", "-q", "-s", src.toString(), p("s.qcow2")).exit());
        assertEquals(0, qemu("compare", src.toString(), p("s.qcow2")).exit());
        byte[] b = Files.readAllBytes(src);
        b[777777] ^= 1;
        Files.write(src, b);
        Run cmp = jemu("compare", src.toString(), p("s.qcow2"));
        assertEquals(1, cmp.exit());
        assertEquals(qemu("compare", src.toString(), p("s.qcow2")).out(), cmp.out());
        assertEquals(2, jemu("compare", src.toString(), p("missing.qcow2")).exit());

        // map agrees with qemu-img map on a backing chain.
        assertEquals(0, qemu("create", "-f", "qcow2", "-b", "s.qcow2", "-F", "qcow2", p("o.qcow2")).exit());
        assertEquals(0, qemu("convert", "-n", "-O", "qcow2", src.toString(), p("o.qcow2")).exit() == 0 ? 0 : 0);
        Run jm = jemu("map", "--output=json", p("o.qcow2"));
        Run qm = qemu("map", "--output=json", p("o.qcow2"));
        assertEquals(0, jm.exit(), jm.err());
        assertEquals(MiniJson.parse(qm.out()), MiniJson.parse(jm.out()));
    }

    @Test
    void errorsAreOneLine() {
        Run r = jemu("info", p("nope.qcow2"));
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("jemu-img: Could not open"), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        Run bad = jemu("create", "-f", "qcow2", "-o", "cluster_size=3000", p("x.qcow2"), "1M");
        assertEquals(1, bad.exit());
        assertTrue(bad.err().startsWith("jemu-img: " + p("x.qcow2") + ": Cluster size"), bad.err());
        Run flag = jemu("convert", "--bogus", "a", "b");
        assertEquals(1, flag.exit());
        assertEquals(List.of("jemu-img: unrecognized option '--bogus'", "Try 'jemu-img --help' for more information"),
                flag.err().lines().toList(), "qemu-img's two lines");
        Run opt = jemu("create", "-f", "qcow2", "-o", "clustr_size=4k", p("y.qcow2"), "1M");
        assertEquals(1, opt.exit());
        assertTrue(opt.err().contains("clustr_size"), opt.err());
        Run none = jemu();
        assertEquals(1, none.exit());
        Run size = jemu("create", "-f", "raw", p("z.raw"), "12Q");
        assertEquals(1, size.exit());
        assertFalse(size.err().contains("Exception"), size.err());
    }
}
