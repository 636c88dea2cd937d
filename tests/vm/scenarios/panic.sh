# The host's view of a dead emulated host (tests/vm/cpu-watch.py; tests/vm/test-stall.sh
# runs this): the kernel panics on purpose (sysrq c), on CPU 1 so that both the panicking
# CPU and the one it stopped are away from where the scenario started. The watcher must
# dump every CPU's PC, named, and end QEMU well before panic=10 would.
out=$1
echo "panic: crashing the kernel on CPU 1"
taskset -c 1 sh -c 'echo c >/proc/sysrq-trigger'
echo "panic: still alive (not expected)"
