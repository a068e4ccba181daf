package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.machine.ConfigException;
import org.junit.jupiter.api.Test;

/** -accel, -enable-kvm and -M accel= as QEMU 7.2 reads them. */
class AccelOptionTest {
    private static String error(String accel, String machineAccel, boolean enableKvm) {
        return assertThrows(ConfigException.class, () -> AccelOption.parse(accel, machineAccel, enableKvm)).getMessage();
    }

    @Test
    void spellingsOfEachAccelerator() throws ConfigException {
        assertEquals("tcg", AccelOption.parse(null, null, false).name());
        assertEquals("tcg", AccelOption.parse("tcg", null, false).name());
        assertEquals("tcg", AccelOption.parse("tcg,thread=single", null, false).name());
        assertEquals("kvm", AccelOption.parse("kvm", null, false).name());
        assertEquals("kvm", AccelOption.parse("kvm,kernel-irqchip=on", null, false).name());
        assertEquals("kvm", AccelOption.parse(null, null, true).name());
        assertEquals("kvm", AccelOption.parse(null, "kvm", false).name());
        assertEquals("tcg", AccelOption.parse(null, "tcg", false).name());
        assertEquals("kvm", AccelOption.parse(null, "kvm", true).name());
    }

    @Test
    void badOnesAreOneLine() {
        assertEquals("-accel foo: invalid accelerator foo", error("foo", null, false));
        assertEquals("-accel hvf: accelerator hvf is not supported by jemu; use kvm or tcg", error("hvf", null, false));
        assertEquals("-machine accel=kvm:tcg: accelerator lists are not supported; give one of kvm, tcg",
                error(null, "kvm:tcg", false));
        assertEquals("The -accel and \"-machine accel=\" options are incompatible", error("kvm", null, true));
        assertEquals("The -accel and \"-machine accel=\" options are incompatible", error("tcg", "kvm", false));
        assertEquals("-accel kvm,kernel-irqchip=split: property 'kernel-irqchip=split' is not supported (jemu's KVM "
                + "runs with kernel-irqchip=on)", error("kvm,kernel-irqchip=split", null, false));
    }

    @Test
    void tcgThreadModeAsQemuSpellsIt() throws ConfigException {
        assertEquals(null, AccelOption.parse(null, null, false).tcgMultiThread());
        assertEquals(null, AccelOption.parse("tcg", null, false).tcgMultiThread());
        assertEquals(Boolean.FALSE, AccelOption.parse("tcg,thread=single", null, false).tcgMultiThread());
        assertEquals(Boolean.TRUE, AccelOption.parse("tcg,thread=multi", null, false).tcgMultiThread());
        assertEquals("-accel tcg,thread=foo: Invalid 'thread' setting foo", error("tcg,thread=foo", null, false));
        assertEquals("-accel tcg,thread=foo,x=1: property 'x=1' is not supported", error("tcg,thread=foo,x=1", null, false));
    }

    @Test
    void onlyX86BoardsTakeKvm() throws ConfigException {
        AccelOption.checkBoard("tcg", "riscv64");
        assertEquals("-accel kvm: KVM is only available for x86_64 guests on an x86_64 host",
                assertThrows(ConfigException.class, () -> AccelOption.checkBoard("kvm", "riscv64")).getMessage());
        assertEquals("-accel kvm: KVM is only available for x86_64 guests on an x86_64 host",
                assertThrows(ConfigException.class, () -> AccelOption.checkBoard("kvm", "aarch64")).getMessage());
        if (System.getProperty("os.arch").equals("amd64")) {
            AccelOption.checkBoard("kvm", "x86_64");
        }
    }
}
