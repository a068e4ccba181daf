set pagination off
set confirm off
set width 0
set architecture riscv:rv64
# session.gdb: the same gdb session against jemu and QEMU 7.2 (GdbStubTest); ${PORT} is filled in
target remote :${PORT}
info registers pc
break work
continue
info registers
x/4xw &counter
set *(int *)((char *)&counter + 4) = 0x12345678
set $t6 = 0x77
x/2xw &counter
p/x $t6
p/x $a0
p $priv
p/x $mstatus
printf "misa=%lx\n", $misa
monitor info status
p $fa0
stepi
info registers pc
stepi
x/2i $pc
info breakpoints
delete
watch *(int *)&counter
continue
continue
delete
rwatch *(long *)&total
continue
delete
awatch *(int *)&counter
continue
delete
hbreak finish
continue
info registers pc t1
delete
x/s &done
detach
