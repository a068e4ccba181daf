set pagination off
set confirm off
set width 0
set architecture riscv:rv64
target remote :${PORT}
info registers pc
break work
continue
info registers
x/4xw &counter
p/x $a0
p $priv
p/x $mstatus
p/x $misa
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
