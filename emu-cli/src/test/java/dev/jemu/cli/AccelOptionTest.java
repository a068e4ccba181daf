package dev.jemu.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.jemu.core.machine.ConfigException;
import org.junit.jupiter.api.Test;

/** -accel, -enable-kvm and -M accel= as QEMU 7.2 reads them. */
class AccelOptionTest {
    private static String error(String accel, String machineAccel, boolean enableKvm) {
        return assertThrows(ConfigException.class, () -> AccelOption.choose(accel, machineAccel, enableKvm)).getMessage();
    }

    @Test
    void spellingsOfEachAccelerator() throws ConfigException {
        assertEquals("tcg", AccelOption.choose(null, null, false));
        assertEquals("tcg", AccelOption.choose("tcg", null, false));
        assertEquals("tcg", AccelOption.choose("tcg,thread=single", null, false));
        assertEquals("kvm", AccelOption.choose("kvm", null, false));
        assertEquals("kvm", AccelOption.choose("kvm,kernel-irqchip=on", null, false));
        assertEquals("kvm", AccelOption.choose(null, null, true));
        assertEquals("kvm", AccelOption.choose(null, "kvm", false));
        assertEquals("tcg", AccelOption.choose(null, "tcg", false));
        assertEquals("kvm", AccelOption.choose(null, "kvm", true));
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
        assertEquals(null, AccelOption.tcgThread(null));
        assertEquals(null, AccelOption.tcgThread("tcg"));
        assertEquals(Boolean.FALSE, AccelOption.tcgThread("tcg,thread=single"));
        assertEquals(Boolean.TRUE, AccelOption.tcgThread("tcg,thread=multi"));
        assertEquals("-accel tcg,thread=foo: Invalid 'thread' setting foo",
                assertThrows(ConfigException.class, () -> AccelOption.tcgThread("tcg,thread=foo")).getMessage());
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
