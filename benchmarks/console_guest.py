"""An emulator process with its serial console on pipes, shared by the benchmarks that drive a kit guest's shell
(snapshot-bench.py, migrate-bench.py)."""
import subprocess
import threading
import time

# A counter on a tmpfs and on the kit's root disk, ten steps a second: the guest keeps dirtying RAM and the disk.
COUNTER = (b"mkdir -p /t; mount -t tmpfs tmpfs /t; mount -t ext4 /dev/vda /mnt; "
           b"(i=0; while true; do i=$((i+1)); echo $i > /t/c; echo $i > /mnt/c; sleep 0.1; done) &\n")

_STARTED = []


class Guest:
    """Output and error collected by threads; wait_for returns the seconds since spawn."""

    def __init__(self, cmd, env=None):
        self.t0 = time.perf_counter()
        self.p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        _STARTED.append(self.p)
        self.out, self.err = bytearray(), bytearray()
        threading.Thread(target=self._pump, args=(self.p.stdout, self.out), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.p.stderr, self.err), daemon=True).start()

    @staticmethod
    def _pump(stream, buf):
        while True:
            b = stream.read1(4096)
            if not b:
                return
            buf.extend(b)

    def wait_for(self, text, timeout):
        end = time.perf_counter() + timeout
        while text not in self.out:
            if self.p.poll() is not None or time.perf_counter() > end:
                raise RuntimeError("no %r; last output: %r; stderr: %r" % (text, bytes(self.out[-300:]), bytes(self.err)))
            time.sleep(0.005)
        return time.perf_counter() - self.t0

    def type(self, text):
        self.p.stdin.write(text)
        self.p.stdin.flush()

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()

    def end(self):
        """Waits for the guest to power off (30 s), then kills it."""
        try:
            self.p.wait(30)
        except subprocess.TimeoutExpired:
            self.kill()


def kill_all():
    """No guest outlives the benchmark, even when it fails."""
    for p in _STARTED:
        if p.poll() is None:
            p.kill()
            p.wait()
