# Sv48: see vm_multi.inc.
        .equ SATP_MODE, 9
        .include "vm_multi.inc"
