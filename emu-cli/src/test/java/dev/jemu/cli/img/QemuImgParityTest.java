package dev.jemu.cli.img;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.jemu.cli.img.JemuImgTest.jemu;
import static dev.jemu.cli.img.JemuImgTest.qemu;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * jemu-img and qemu-img 7.2 side by side on the same inputs (issue 13): same exit status, file and virtual
 * sizes, verdicts and parsed output. Each case runs a command with both tools on copies of one image
 * (or on images each tool made) and compares.
 */
class QemuImgParityTest {
    @TempDir
    Path dir;

    @BeforeEach
    void needQemu() {
        JemuImgTest.assumeQemu();
    }

    private String p(String name) {
        return dir.resolve(name).toString();
    }

    private static String same(String s) {
        return s.replace("qemu-img", "IMG").replace("jemu-img", "IMG");
    }

    private static long fileSize(String f) throws IOException {
        return Files.size(Path.of(f));
    }

    private static Object virtualSize(String f) throws Exception {
        return ((Map<?, ?>) MiniJson.parse(qemu("info", "--output=json", f).out())).get("virtual-size");
    }

    private static String[] with(String[] args, String file) {
        List<String> l = new ArrayList<>(List.of(args));
        l.replaceAll(a -> a.equals("@") ? file : a);
        return l.toArray(new String[0]);
    }

    /** Runs args (with @ replaced by a copy of the image per tool) under both tools; returns {qemu, jemu} file names. */
    private String[] both(String image, String[] args, boolean sameStderr) throws Exception {
        String q = p("q-" + Path.of(image).getFileName()), j = p("j-" + Path.of(image).getFileName());
        Files.copy(Path.of(image), Path.of(q));
        Files.copy(Path.of(image), Path.of(j));
        JemuImgTest.Run rq = qemu(with(args, q)), rj = jemu(with(args, j));
        String what = String.join(" ", args);
        assertEquals(rq.exit(), rj.exit(), what + ": qemu said " + rq.err() + rq.out() + ", jemu said " + rj.err() + rj.out());
        if (sameStderr) assertEquals(same(rq.err()).replace(q, "F"), same(rj.err()).replace(j, "F"), what);
        return new String[]{q, j};
    }

    private Path data(String name, long seed, int size) throws IOException {
        byte[] b = new byte[size];
        Random r = new Random(seed);
        for (int off = 0; off < size; off += 65536) {
            if (r.nextInt(3) == 0) continue; // leave some clusters zero
            for (int i = off; i < Math.min(size, off + 65536); i++) b[i] = (byte) (i * 31 + seed);
        }
        Path f = dir.resolve(name);
        Files.write(f, b);
        return f;
    }

    @Test
    void usageErrorsUseQemuImgWords() throws Exception {
        String[][] cases = {{"foo"}, {"info"}, {"check"}, {"compare", "a"}, {"create", "-f", "qcow2"}, {"resize", "a"},
                {"info", "--bogus", "a"}, {"convert", "a"}, {"rebase", "a"}, {"amend", "a"}, {"measure"}, {"dd"},
                {"bitmap", "a", "b"}};
        for (String[] c : cases) {
            JemuImgTest.Run q = qemu(c), j = jemu(c);
            assertEquals(q.exit(), j.exit(), String.join(" ", c));
            assertEquals(same(q.err()), same(j.err()), String.join(" ", c));
        }
    }

    @Test
    void resizeOddSizesShrinkAndPreallocation() throws Exception {
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", p("q.qcow2"), "1M").exit());
        assertEquals(0, qemu("create", "-q", "-f", "raw", p("r.raw"), "1M").exit());
        String[] odd = both(p("q.qcow2"), new String[]{"resize", "@", "2000001"}, true); // refused: not a multiple of 512
        assertEquals(virtualSize(odd[0]), virtualSize(odd[1]));
        Files.delete(Path.of(odd[0]));
        Files.delete(Path.of(odd[1]));
        String[][] rawCases = {{"resize", "-q", "-f", "raw", "@", "2000001"}, {"resize", "-f", "raw", "@", "512K"},
                {"resize", "-q", "-f", "raw", "--shrink", "@", "512K"}, {"resize", "-q", "-f", "raw", "--preallocation=full", "@", "3M"},
                {"resize", "-q", "-f", "raw", "--preallocation=falloc", "@", "+1M"}, {"resize", "-q", "-f", "raw", "--preallocation=metadata", "@", "+1M"},
                {"resize", "-q", "-f", "raw", "--shrink", "--preallocation=full", "@", "64K"}};
        for (String[] c : rawCases) {
            String[] f = both(p("r.raw"), c, true);
            assertEquals(fileSize(f[0]), fileSize(f[1]), String.join(" ", c));
            assertEquals(virtualSize(f[0]), virtualSize(f[1]), String.join(" ", c));
            Files.delete(Path.of(f[0]));
            Files.delete(Path.of(f[1]));
        }
        Path src = data("d.raw", 5, 1 << 20);
        assertEquals(0, qemu("convert", "-O", "qcow2", src.toString(), p("d.qcow2")).exit());
        String[][] qCases = {{"resize", "-q", "--shrink", "@", "512K"}, {"resize", "-q", "@", "-512K"},
                {"resize", "-q", "--preallocation=metadata", "@", "3M"}, {"resize", "-q", "--preallocation=falloc", "@", "+1M"},
                {"resize", "-q", "--preallocation=full", "@", "2M"}, {"resize", "-q", "--preallocation=bogus", "@", "2M"}};
        for (String[] c : qCases) {
            String[] f = both(p("d.qcow2"), c, true);
            assertEquals(virtualSize(f[0]), virtualSize(f[1]), String.join(" ", c));
            assertEquals(fileSize(f[0]), fileSize(f[1]), String.join(" ", c) + ": file size");
            assertEquals(0, qemu("check", f[1]).exit(), String.join(" ", c));
            assertEquals(0, qemu("compare", f[0], f[1]).exit(), String.join(" ", c));
            Files.delete(Path.of(f[0]));
            Files.delete(Path.of(f[1]));
        }
        // a shrunk qcow2's file is truncated as qemu-img truncates it
        for (String img : List.of("d.qcow2", "q.qcow2")) {
            String[] s = both(p(img), new String[]{"resize", "-q", "--shrink", "@", "128K"}, true);
            assertEquals(fileSize(s[0]), fileSize(s[1]), img);
            assertTrue(fileSize(s[1]) < fileSize(p("d.qcow2")));
            Files.delete(Path.of(s[0]));
            Files.delete(Path.of(s[1]));
        }
    }

    @Test
    void createAndConvertPreallocation() throws Exception {
        Path src = data("s.raw", 6, 3 << 20);
        for (String fmt : List.of("qcow2", "raw")) {
            for (String mode : List.of("off", "metadata", "falloc", "full", "bogus")) {
                String q = p("q-" + mode + "." + fmt), j = p("j-" + mode + "." + fmt);
                JemuImgTest.Run rq = qemu("create", "-q", "-f", fmt, "-o", "preallocation=" + mode, q, "3M");
                JemuImgTest.Run rj = jemu("create", "-q", "-f", fmt, "-o", "preallocation=" + mode, j, "3M");
                assertEquals(rq.exit(), rj.exit(), fmt + " " + mode + ": " + rj.err());
                assertEquals(same(rq.err()).replace(q, "F"), same(rj.err()).replace(j, "F"), fmt + " " + mode);
                if (rq.exit() != 0) continue;
                assertEquals(fileSize(q), fileSize(j), fmt + " " + mode + " file size");
                if (fmt.equals("qcow2")) {
                    assertEquals(0, qemu("check", j).exit());
                    assertEquals(MiniJson.parse(qemu("map", "--output=json", q).out()).toString().replace(q, "F"),
                            MiniJson.parse(qemu("map", "--output=json", j).out()).toString().replace(j, "F"),
                            mode + " map");
                }
                String cq = p("cq-" + mode + "." + fmt), cj = p("cj-" + mode + "." + fmt);
                assertEquals(0, qemu("convert", "-O", fmt, "-o", "preallocation=" + mode, src.toString(), cq).exit());
                assertEquals(0, jemu("convert", "-O", fmt, "-o", "preallocation=" + mode, src.toString(), cj).exit());
                assertEquals(fileSize(cq), fileSize(cj), "convert " + fmt + " " + mode);
                assertEquals(0, qemu("compare", src.toString(), cj).exit(), "convert " + fmt + " " + mode);
            }
        }
    }

    @Test
    void compareStatusesAndStrictMode() throws Exception {
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", p("a.qcow2"), "1M").exit());
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", p("b.qcow2"), "1M").exit());
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", p("c.qcow2"), "2M").exit());
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", p("d.qcow2"), "1M").exit());
        Files.write(dir.resolve("z.raw"), new byte[1 << 20]);
        assertEquals(0, jemu("convert", "-O", "qcow2", "-o", "preallocation=metadata", p("z.raw"), p("m.qcow2")).exit());
        Path r = data("r.raw", 9, 1 << 20);
        assertEquals(0, jemu("convert", "-O", "qcow2", r.toString(), p("r.qcow2")).exit());
        byte[] b = Files.readAllBytes(r);
        b[777777] ^= 1;
        Files.write(dir.resolve("r2.raw"), b);
        // b gets a zero cluster, d data that is all zeroes (via raw convert -n -S 0)
        assertEquals(0, jemu("convert", "-n", "-S", "0", "-O", "qcow2", p("z.raw"), p("d.qcow2")).exit());
        String[][] pairs = {{"a.qcow2", "a.qcow2"}, {"a.qcow2", "c.qcow2"}, {"a.qcow2", "d.qcow2"}, {"a.qcow2", "z.raw"},
                {"a.qcow2", "m.qcow2"}, {"r.raw", "r.qcow2"}, {"r2.raw", "r.qcow2"}, {"c.qcow2", "r.qcow2"}, {"a.qcow2", "missing"}};
        for (String[] pr : pairs) {
            for (boolean strict : new boolean[]{false, true}) {
                List<String> args = new ArrayList<>(List.of("compare"));
                if (strict) args.add("-s");
                args.add(p(pr[0]));
                args.add(p(pr[1]));
                String[] a = args.toArray(new String[0]);
                JemuImgTest.Run q = qemu(a), j = jemu(a);
                assertEquals(q.exit(), j.exit(), String.join(" ", a) + ": " + q.out() + " / " + j.out() + j.err());
                assertEquals(q.out(), j.out(), String.join(" ", a));
            }
        }
    }

    @Test
    void checkTruncatedImagesAndMissingBacking() throws Exception {
        Path src = data("c.raw", 11, 3 << 20);
        assertEquals(0, qemu("convert", "-O", "qcow2", src.toString(), p("c.qcow2")).exit());
        long full = fileSize(p("c.qcow2"));
        for (long cut : new long[]{full - 100_000, 1_000_000, 300_000, full - 65536}) {
            Path t = dir.resolve("t" + cut + ".qcow2");
            Files.copy(dir.resolve("c.qcow2"), t);
            try (var f = new java.io.RandomAccessFile(t.toFile(), "rw")) {
                f.setLength(cut);
            }
            JemuImgTest.Run q = qemu("check", "--output=json", t.toString()), j = jemu("check", "--output=json", t.toString());
            assertEquals(q.exit(), j.exit(), cut + ": " + j.out() + j.err());
            Map<?, ?> qm = (Map<?, ?>) MiniJson.parse(q.out()), jm = (Map<?, ?>) MiniJson.parse(j.out());
            for (String k : List.of("corruptions", "leaks", "check-errors", "image-end-offset", "allocated-clusters", "total-clusters")) {
                assertEquals(qm.get(k), jm.get(k), cut + ": " + k);
            }
            assertEquals(qemu("check", t.toString()).exit(), jemu("check", "-q", t.toString()).exit());
        }
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", p("base.qcow2"), "1M").exit());
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", "-b", "base.qcow2", "-F", "qcow2", p("top.qcow2")).exit());
        assertEquals(0, jemu("check", p("top.qcow2")).exit());
        Files.delete(dir.resolve("base.qcow2"));
        JemuImgTest.Run q = qemu("check", p("top.qcow2")), j = jemu("check", p("top.qcow2"));
        assertEquals(1, q.exit());
        assertEquals(q.exit(), j.exit(), j.out());
        assertEquals(same(q.err()), same(j.err()));
    }

    @Test
    void mapHumanAndJsonAsQemuImg() throws Exception {
        Path src = data("m.raw", 13, 2 << 20);
        assertEquals(0, jemu("convert", "-O", "qcow2", src.toString(), p("m.qcow2")).exit());
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", "-b", "m.qcow2", "-F", "qcow2", p("o.qcow2")).exit());
        for (String img : List.of("m.qcow2", "o.qcow2", "m.raw")) {
            for (String out : List.of("human", "json")) {
                JemuImgTest.Run q = qemu("map", "--output=" + out, p(img)), j = jemu("map", "--output=" + out, p(img));
                assertEquals(q.exit(), j.exit());
                assertEquals(q.out(), j.out(), img + " " + out);
            }
        }
        assertTrue(jemu("map", p("m.qcow2")).out().lines().skip(1).findFirst().orElse("").startsWith("0 "));
    }

    @Test
    void measureAndDd() throws Exception {
        Path src = data("s.raw", 17, 3 << 20);
        assertEquals(0, qemu("convert", "-O", "qcow2", src.toString(), p("s.qcow2")).exit());
        String[][] cases = {{"measure", "--size", "1G", "-O", "qcow2"}, {"measure", "--output=json", "--size", "100M", "-O", "qcow2", "-o", "cluster_size=4k,preallocation=metadata"},
                {"measure", "--output=json", "-O", "qcow2", p("s.qcow2")}, {"measure", "--output=json", "-O", "raw", p("s.qcow2")},
                {"measure", "-O", "qcow2", "-o", "preallocation=full", src.toString()}, {"measure", "--size", "1G", p("s.qcow2")},
                {"measure", "--size", "12345"}};
        for (String[] c : cases) {
            JemuImgTest.Run q = qemu(c), j = jemu(c);
            assertEquals(q.exit(), j.exit(), String.join(" ", c));
            if (c[1].startsWith("--output=json")) assertEquals(MiniJson.parse(q.out()), MiniJson.parse(j.out()), String.join(" ", c));
            else assertEquals(q.out(), j.out(), String.join(" ", c));
            assertEquals(same(q.err()), same(j.err()));
        }
        String[][] dd = {{"bs=64k", "count=3", "skip=1"}, {"bs=1M"}, {"bs=4k", "count=100"}, {"skip=99999"}, {"bs=1x"}, {"count=0"}};
        for (String[] ops : dd) {
            List<String> a = new ArrayList<>(List.of("dd", "if=" + p("s.qcow2")));
            a.addAll(List.of(ops));
            List<String> qa = new ArrayList<>(a), ja = new ArrayList<>(a);
            qa.add("of=" + p("dq.raw"));
            ja.add("of=" + p("dj.raw"));
            JemuImgTest.Run q = qemu(qa.toArray(new String[0])), j = jemu(ja.toArray(new String[0]));
            assertEquals(q.exit(), j.exit(), a.toString());
            assertEquals(same(q.err()), same(j.err()), a.toString());
            if (q.exit() == 0) assertArrayEquals(Files.readAllBytes(dir.resolve("dq.raw")), Files.readAllBytes(dir.resolve("dj.raw")), a.toString());
            Files.deleteIfExists(dir.resolve("dq.raw"));
            Files.deleteIfExists(dir.resolve("dj.raw"));
        }
        JemuImgTest.Run j = jemu("dd", "-O", "qcow2", "if=" + p("s.qcow2"), "of=" + p("dd.qcow2"), "bs=1M");
        assertEquals(0, j.exit(), j.err());
        assertEquals(0, qemu("compare", p("s.qcow2"), p("dd.qcow2")).exit());
        assertEquals(0, qemu("check", p("dd.qcow2")).exit());
    }

    /** A base, an overlay with data, a zero cluster and a cluster that hides base data. */
    private void chain(String base, String top) throws Exception {
        Path b = data(base + ".raw", 19, 2 << 20);
        assertEquals(0, qemu("convert", "-O", "qcow2", b.toString(), p(base)).exit());
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", "-b", base, "-F", "qcow2", p(top)).exit());
        Path t = data(top + ".raw", 23, 1 << 20);
        assertEquals(0, qemu("convert", "-n", "-f", "raw", "-O", "qcow2", t.toString(), p(top)).exit());
    }

    @Test
    void commitRebaseAmend() throws Exception {
        for (String tool : List.of("qemu", "jemu")) {
            String base = tool + "b.qcow2", top = tool + "t.qcow2";
            chain(base, top);
            Files.copy(dir.resolve(top), dir.resolve("view-" + top));
            Files.copy(dir.resolve(base), dir.resolve("view-" + base));
            // the expected content: the whole chain read now
            assertEquals(0, qemu("convert", "-O", "raw", p(top), p(tool + "-want.raw")).exit());
            String[] commit = {"commit", "-q", p(top)};
            JemuImgTest.Run r = tool.equals("qemu") ? qemu(commit) : jemu(commit);
            assertEquals(0, r.exit(), r.err());
        }
        for (String k : List.of("jemu")) {
            assertEquals(0, qemu("check", p(k + "b.qcow2")).exit());
            assertEquals(0, qemu("check", p(k + "t.qcow2")).exit());
            assertEquals(0, qemu("compare", p(k + "-want.raw"), p(k + "b.qcow2")).exit());
            assertEquals(0, qemu("compare", p(k + "-want.raw"), p(k + "t.qcow2")).exit());
            assertEquals(fileSize(p("qemut.qcow2")), fileSize(p(k + "t.qcow2")), "the committed overlay is emptied and cut");
            JemuImgTest.Run same = qemu("compare", "-s", p("qemut.qcow2"), p("jemut.qcow2"));
            assertEquals(0, same.exit(), "same block status through both committed chains: " + same.out());
        }
        // rebase: safe onto another base, safe onto nothing, unsafe; content kept (safe) and names as qemu-img writes them
        String[][] rebases = {{"rebase", "-b", "other.qcow2", "-F", "qcow2", "@"}, {"rebase", "-b", "", "@"},
                {"rebase", "-u", "-b", "other.qcow2", "-F", "qcow2", "@"}, {"rebase", "-u", "-b", "", "@"}};
        chain("cb.qcow2", "ct.qcow2");
        Path o = data("other.raw", 29, 2 << 20);
        assertEquals(0, qemu("convert", "-O", "qcow2", o.toString(), p("other.qcow2")).exit());
        assertEquals(0, qemu("convert", "-O", "raw", p("ct.qcow2"), p("ct-want.raw")).exit());
        for (String[] c : rebases) {
            String[] f = both(p("ct.qcow2"), c, true);
            Map<?, ?> qi = (Map<?, ?>) MiniJson.parse(qemu("info", "--output=json", f[0]).out());
            Map<?, ?> ji = (Map<?, ?>) MiniJson.parse(qemu("info", "--output=json", f[1]).out());
            for (String k : List.of("backing-filename", "backing-filename-format", "virtual-size")) assertEquals(qi.get(k), ji.get(k), k);
            assertEquals(0, qemu("check", f[1]).exit());
            assertEquals(qemu("compare", p("ct-want.raw"), f[0]).exit(), qemu("compare", p("ct-want.raw"), f[1]).exit(), String.join(" ", c));
            assertEquals(qemu("compare", "-s", f[0], f[1]).exit(), 0, "same allocation: " + String.join(" ", c));
            Files.delete(Path.of(f[0]));
            Files.delete(Path.of(f[1]));
        }
        // amend: compat both ways, lazy_refcounts, backing fields; qemu-img's refusals
        String[][] amends = {{"amend", "-o", "compat=0.10", "@"}, {"amend", "-o", "lazy_refcounts=on", "@"},
                {"amend", "-o", "backing_file=other.qcow2,backing_fmt=qcow2", "@"}, {"amend", "-o", "backing_fmt=raw", "@"},
                {"amend", "-o", "backing_file=cb.qcow2,backing_fmt=qcow2", "@"}, {"amend", "-o", "compat=0.10,lazy_refcounts=on", "@"},
                {"amend", "-o", "cluster_size=4k", "@"}};
        for (String[] c : amends) {
            String[] f = both(p("ct.qcow2"), c, true);
            Map<?, ?> qi = (Map<?, ?>) MiniJson.parse(qemu("info", "--output=json", f[0]).out());
            Map<?, ?> ji = (Map<?, ?>) MiniJson.parse(qemu("info", "--output=json", f[1]).out());
            assertEquals(qi.get("backing-filename"), ji.get("backing-filename"));
            assertEquals(((Map<?, ?>) ((Map<?, ?>) qi.get("format-specific")).get("data")).get("compat"),
                    ((Map<?, ?>) ((Map<?, ?>) ji.get("format-specific")).get("data")).get("compat"), String.join(" ", c));
            assertEquals(((Map<?, ?>) ((Map<?, ?>) qi.get("format-specific")).get("data")).get("lazy-refcounts"),
                    ((Map<?, ?>) ((Map<?, ?>) ji.get("format-specific")).get("data")).get("lazy-refcounts"), String.join(" ", c));
            assertEquals(0, qemu("check", f[1]).exit());
            assertEquals(qemu("compare", f[0], f[1]).exit(), 0, String.join(" ", c));
            Files.delete(Path.of(f[0]));
            Files.delete(Path.of(f[1]));
        }
    }

    private static Object bitmapsOf(String image, boolean byJemu) throws Exception {
        JemuImgTest.Run r = byJemu ? jemu("info", "--output=json", image) : qemu("info", "--output=json", image);
        Map<?, ?> fs = (Map<?, ?>) ((Map<?, ?>) MiniJson.parse(r.out())).get("format-specific");
        return ((Map<?, ?>) fs.get("data")).get("bitmaps");
    }

    @Test
    void persistentDirtyBitmaps() throws Exception {
        Path src = data("bm.raw", 41, 2 << 20);
        assertEquals(0, qemu("convert", "-O", "qcow2", src.toString(), p("bm.qcow2")).exit());
        assertEquals(0, qemu("create", "-q", "-f", "qcow2", "-o", "compat=0.10", p("v2.qcow2"), "1M").exit());
        Files.copy(Path.of(p("bm.qcow2")), Path.of(p("q.qcow2")));
        Files.copy(Path.of(p("bm.qcow2")), Path.of(p("j.qcow2")));
        String[][] steps = {{"--add", "bm0"}, {"--add", "-g", "128k", "--disable", "bm1"}, {"--add", "bm0"}, {"--remove", "nope"},
                {"--add", "-g", "100", "x"}, {"--enable", "bm1"}, {"--disable", "bm0"}, {"--clear", "bm0"}, {"--clear", "nope"},
                {"--remove", "bm0"}, {"--add", "-g", "512", "small"}, {"--remove", "bm1"}, {"--remove", "small"}};
        for (String[] st : steps) {
            List<String> a = new ArrayList<>(List.of("bitmap"));
            a.addAll(List.of(st).subList(0, st.length - 1));
            String name = st[st.length - 1];
            JemuImgTest.Run q = qemu(concat(a, p("q.qcow2"), name)), j = jemu(concat(a, p("j.qcow2"), name));
            String what = String.join(" ", st);
            assertEquals(q.exit(), j.exit(), what + ": " + j.err());
            assertEquals(same(q.err()).replace(p("q.qcow2"), "F"), same(j.err()).replace(p("j.qcow2"), "F"), what);
            assertEquals(bitmapsOf(p("q.qcow2"), false), bitmapsOf(p("j.qcow2"), false), what + ": qemu-img info");
            assertEquals(bitmapsOf(p("q.qcow2"), false), bitmapsOf(p("q.qcow2"), true), what + ": jemu-img info of qemu-img's image");
            JemuImgTest.Run cq = qemu("check", p("j.qcow2"));
            assertEquals(0, cq.exit(), what + ": " + cq.out() + cq.err());
            assertEquals(0, jemu("check", "-q", p("q.qcow2")).exit(), what + ": jemu-img check counts qemu-img's bitmap clusters");
            assertEquals(0, qemu("compare", src.toString(), p("j.qcow2")).exit());
            if (st[0].equals("--add") && st.length == 2 && j.exit() == 0) {
                // a repair keeps the bitmaps
                assertEquals(0, jemu("check", "-q", "-r", "all", p("j.qcow2")).exit());
                assertEquals(bitmapsOf(p("q.qcow2"), false), bitmapsOf(p("j.qcow2"), false), "after check -r");
            }
        }
        Files.write(dir.resolve("r.raw"), new byte[65536]);
        String[][] refused = {{"bitmap", "--add", p("v2.qcow2"), "a"}, {"bitmap", p("bm.qcow2"), "a"}, {"bitmap", "--add", "-f", "raw", p("r.raw"), "a"}};
        for (String[] c : refused) {
            JemuImgTest.Run q = qemu(c), j = jemu(c);
            assertEquals(q.exit(), j.exit(), String.join(" ", c));
            // qemu-img names the image by its internal node name ('#block121'), jemu-img by its file name
            assertEquals(same(q.err()).replaceAll("#block[0-9]+", "N"), same(j.err()).replace(c[c.length - 2], "N"), String.join(" ", c));
        }
    }

    private static String[] concat(List<String> a, String... more) {
        List<String> l = new ArrayList<>(a);
        l.addAll(List.of(more));
        return l.toArray(new String[0]);
    }

    @Test
    void vmdkDefaultsToMonolithicSparse() throws Exception {
        for (String[] c : new String[][]{{"create", "-q", "-f", "vmdk", "@", "100M"}, {"create", "-q", "-f", "vmdk", "@", "5000001"}}) {
            String q = p("cq.vmdk"), j = p("cj.vmdk");
            assertEquals(0, qemu(with(c, q)).exit());
            assertEquals(0, jemu(with(c, j)).exit());
            assertEquals(fileSize(q), fileSize(j), String.join(" ", c));
            assertEquals(virtualSize(q), virtualSize(j));
            assertTrue(qemu("info", j).out().contains("create type: monolithicSparse"));
            assertEquals(0, qemu("check", j).exit());
            Files.delete(Path.of(q));
            Files.delete(Path.of(j));
        }
        Path src = data("v.raw", 31, (3 << 20) + 4096);
        assertEquals(0, qemu("convert", "-O", "vmdk", src.toString(), p("q.vmdk")).exit());
        JemuImgTest.Run r = jemu("convert", "-O", "vmdk", src.toString(), p("j.vmdk"));
        assertEquals(0, r.exit(), r.err());
        assertEquals(fileSize(p("q.vmdk")), fileSize(p("j.vmdk")));
        assertEquals(0, qemu("check", p("j.vmdk")).exit());
        assertEquals(0, qemu("compare", src.toString(), p("j.vmdk")).exit(), "qemu-img reads jemu-img's monolithicSparse");
        assertEquals(0, jemu("compare", "-q", src.toString(), p("q.vmdk")).exit(), "jemu-img reads qemu-img's");
        assertEquals(MiniJson.parse(qemu("map", "--output=json", p("q.vmdk")).out()),
                MiniJson.parse(qemu("map", "--output=json", p("j.vmdk")).out()), "same grain layout");
        // writing into an existing monolithicSparse (grains in place and appended; both grain tables)
        Path other = data("w.raw", 37, (3 << 20) + 4096);
        JemuImgTest.Run w = jemu("convert", "-n", "-O", "vmdk", other.toString(), p("q.vmdk"));
        assertEquals(0, w.exit(), w.err());
        assertEquals(0, qemu("check", p("q.vmdk")).exit());
        JemuImgTest.Run cmp = qemu("compare", other.toString(), p("q.vmdk"));
        assertEquals(0, cmp.exit(), cmp.out());
    }
}
