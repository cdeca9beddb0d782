#!/bin/bash
# Restart time under xdrv up (issue 12): the RTL8139 driver's faultsend
# variant (a NULL dereference on its 3rd send) installed as "flaky" and
# served on a TAP in a network namespace of its own; pings make it fault
# again and again. For each fault, the time from the fault report to the
# restarted driver serving, and to the TAP's carrier coming back, beside
# the pause xdrv up waits before it starts the driver again (0.2 s,
# doubling): what is above the pause is the cost of a new serving process
# (fork, Unicorn, DriverEntry, MiniportInitialize). Needs root.
#   bench/restart.sh [BUILD]          (default build)
set -u
B=${1:-build}
cd "$(dirname "$0")/.." || exit 1
[ "$(id -u)" = 0 ] && [ -c /dev/net/tun ] || { echo "restart: needs root and /dev/net/tun"; exit 0; }
dir=$(mktemp -d)
trap 'ip netns del xdrvRT$$ 2>/dev/null; rm -rf "$dir"' EXIT
mkdir -p "$dir/pkg"
cp drivers/rtl8139/rtl8139.inf "$dir/pkg/"
cp "$B/drivers/rtl8139-faultsend.sys" "$dir/pkg/rtl8139.sys" || exit 1
"$B/xdrv" install "$dir/pkg/rtl8139.inf" --store "$dir/store" --name flaky >/dev/null || exit 1
XDRV="$B/xdrv" STORE="$dir/store" NS="xdrvRT$$" XDRV_RUN_DIR="$dir/run" python3 - <<'PY'
import os, re, subprocess, threading, time
X, S, A = os.environ['XDRV'], os.environ['STORE'], os.environ['NS']
subprocess.run(['ip', 'netns', 'add', A], check=True)
subprocess.run(['ip', '-n', A, 'link', 'set', 'lo', 'up'], check=True)
p = subprocess.Popen(['ip', 'netns', 'exec', A, X, 'up', 'flaky', '--store', S, '--restart-limit', '10',
                      '--netdev', 'tap,ifname=xfl0'], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
lines = []
threading.Thread(target=lambda: [lines.append((time.monotonic(), l)) for l in p.stdout], daemon=True).start()
def count(pat):
    return sum(1 for _, l in lines if re.search(pat, l))
def wait(pat, n, to=30):
    t0 = time.monotonic()
    while time.monotonic() - t0 < to:
        if count(pat) >= n:
            return True
        time.sleep(0.005)
    return False
wait('serving until', 1)
subprocess.run(['ip', '-n', A, 'addr', 'add', '192.0.2.1/24', 'dev', 'xfl0'])
subprocess.run(['ip', '-n', A, 'link', 'set', 'xfl0', 'up'])
print('fault  pause  fault->serving  fault->carrier  above the pause')
pause = 0.2
for k in range(2, 7):
    subprocess.Popen(['ip', 'netns', 'exec', A, 'ping', '-c', '3', '-i', '0.2', '-W', '1', '192.0.2.9'],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if not wait('serving until', k):
        break
    t0 = time.monotonic()
    while time.monotonic() - t0 < 10 and 'LOWER_UP' not in subprocess.run(
            ['ip', '-n', A, 'link', 'show', 'xfl0'], capture_output=True, text=True).stdout:
        time.sleep(0.002)
    carrier = time.monotonic()
    faults = [t for t, l in lines if 'stopped the run during traffic' in l]
    ups = [t for t, l in lines if 'serving until' in l]
    f = faults[k - 2]
    print('%5d  %4.1f s  %12.3f s  %12.3f s  %13.3f s' % (k - 1, pause, ups[k - 1] - f, carrier - f, ups[k - 1] - f - pause))
    pause = min(pause * 2, 30)
p.terminate()
p.wait()
PY
