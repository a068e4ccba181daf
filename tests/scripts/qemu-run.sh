#!/bin/sh
# Assembles one difftest program and runs it under QEMU: [ARCH=aarch64] qemu-run.sh NAME [OUTDIR]
# (the JUnit harness does the same; this is for writing and debugging programs; ARCH defaults to riscv64)
set -e
arch=${ARCH:-riscv64}
name=$1; out=${2:-/tmp/difftest}
mkdir -p "$out"
case $arch in
  riscv64)
    here=$(cd "$(dirname "$0")/../src/test/resources/riscv" && pwd)
    riscv64-unknown-elf-as -march=rv64gc_zba_zbb_zbs -I "$here" -o "$out/$name.o" "$here/$name.S"
    riscv64-unknown-elf-ld -T "$here/link.ld" -o "$out/$name.elf" "$out/$name.o"
    set +e
    timeout 20 qemu-system-riscv64 -M virt -bios none -kernel "$out/$name.elf" -nographic -m 128M </dev/null;;
  aarch64)
    here=$(cd "$(dirname "$0")/../src/test/resources/aarch64" && pwd)
    aarch64-linux-gnu-as -I "$here" -o "$out/$name.o" "$here/$name.S"
    aarch64-linux-gnu-ld -T "$here/link.ld" -o "$out/$name.elf" "$out/$name.o"
    machine=$(sed -n '/^\/\//!q; s|^// *machine: *||p' "$here/$name.S")
    set +e
    timeout 20 qemu-system-aarch64 -M "${machine:-virt}" -cpu cortex-a57 -nographic -m 128M -kernel "$out/$name.elf" </dev/null;;
  *) echo "qemu-run.sh: unknown ARCH $arch (riscv64, aarch64)" >&2; exit 1;;
esac
echo "[exit $?]"
