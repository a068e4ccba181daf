package dev.jemu.riscv.cpu;

import dev.jemu.core.machine.CpuArchitecture;
import dev.jemu.core.machine.CpuModel;
import java.util.List;

/** The riscv64 CPU plug-in: one model, the RV64GC {@link Hart}. */
public final class RiscvArchitecture implements CpuArchitecture {
    public static final String NAME = "riscv64";
    public static final String ISA = "rv64imafdc_zicsr_zifencei_zicntr_zihintpause_zba_zbb_zbs_sstc";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String description() {
        return "64-bit RISC-V";
    }

    @Override
    public List<CpuModel> models() {
        return List.of(new CpuModel("rv64",
                "RV64GC (IMAFDC, Zicsr, Zifencei, Zicntr, Zihintpause, Zba, Zbb, Zbs, Sstc), Sv39/Sv48/Sv57, M/S/U",
                List.of("riscv64")));
    }
}
