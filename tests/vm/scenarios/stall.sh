# The testbed's stall watchdog (tests/vm/init; tests/vm/test-stall.sh runs this with
# SCENARIO_STALL=8): progress, a line every 2 s for longer than the stall window,
# which must reach the console as it happens and not count as a stall; then a wait
# on a FIFO that nobody opens for writing, which must be ended within the window,
# naming that process as what the scenario waits for.
out=$1
for i in 1 2 3 4 5 6 7; do
	echo "stall: tick $i at $(cut -d' ' -f1 /proc/uptime)s"
	sleep 2
done
mkfifo /tmp/never-written
echo "stall: waiting on /tmp/never-written"
cat /tmp/never-written >"$out/never.txt"
echo "stall: the FIFO was opened (not expected)"
