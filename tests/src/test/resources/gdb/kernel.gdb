set pagination off
set confirm off
set architecture riscv:rv64
# kernel.gdb: break at the kit kernel's entry (its load address; no symbols), on jemu and QEMU 7.2 (GdbKernelBootTest)
target remote :${PORT}
break *0x80200000
continue
info registers a0 a1 pc
x/1xw $a1
p $priv
x/2i $pc
stepi
info registers pc
delete
detach
