# Sv57 (QEMU 7.2 rv64 accepts satp mode 10): see vm_multi.inc.
        .equ SATP_MODE, 10
        .include "vm_multi.inc"
