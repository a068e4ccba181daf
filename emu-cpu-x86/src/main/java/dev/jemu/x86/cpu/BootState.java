package dev.jemu.x86.cpu;

/**
 * The CPU state a boot protocol starts the guest in (the Linux 64-bit entry, PVH's 32-bit entry, or reset):
 * what the board's loader computes and each accelerator applies (jemu's interpreter through
 * {@link X86Cpu#load(BootState)}, KVM through its register ioctls).
 *
 * @param regs RAX..R15
 * @param segs ES, CS, SS, DS, FS, GS (X86Cpu.ES..GS), with their hidden parts
 */
public record BootState(long rip, long[] regs, long rflags, long cr0, long cr3, long cr4, long efer, Segment[] segs,
        Segment tr, long gdtBase, int gdtLimit, long idtBase, int idtLimit) {
}
