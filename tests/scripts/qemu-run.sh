#!/bin/sh
# Assembles one difftest program and runs it under QEMU: qemu-run.sh NAME [OUTDIR]
# (the JUnit harness does the same; this is for writing and debugging programs)
set -e
here=$(cd "$(dirname "$0")/../src/test/resources/riscv" && pwd)
name=$1; out=${2:-/tmp/difftest}
mkdir -p "$out"
riscv64-unknown-elf-as -march=rv64gc_zba_zbb_zbs -I "$here" -o "$out/$name.o" "$here/$name.S"
riscv64-unknown-elf-ld -T "$here/link.ld" -o "$out/$name.elf" "$out/$name.o"
set +e
timeout 20 qemu-system-riscv64 -M virt -bios none -kernel "$out/$name.elf" -nographic -m 128M </dev/null
echo "[exit $?]"
