# Real-VMM patterns (tests/vmm/patterns.c), each under the tracer's stream (and its
# record file, for the PSCI view offline) and, at the same time, a --summary -i 1
# tracer of the same plan (its interval documents must add up to the stream, call for
# call), with every plan given in $PLANS (fentry and the forced kprobe plan by
# default); the last pattern, linger, still holds forwarded calls when both tracers
# stop (unanswered at the end, in the stream and in the last interval); then the
# VM churn from several processes under one stream tracer and one --summary --by
# pid,vm tracer at once. Checked on the host by tests/vm/check_patterns.py.
out=$1
. /scenarios/lib.sh
PLANS=${PLANS:-"fentry kprobe"}
ROUNDS=${ROUNDS:-4}
CHURN_PROCS=${CHURN_PROCS:-4}
CHURN_VMS=${CHURN_VMS:-520}

# start_tracer DIR [NAME]: a stream tracer of every VMM (plan $plan) into DIR/NAME.jsonl
# (and its record file DIR/NAME.bin); NAME defaults to trace
start_tracer() {
	local n=${2:-trace}
	smccctrace -v --plan "$plan" --json -o "$1/$n.jsonl" --record "$1/$n.bin" 2>"$1/$n.err" &
	tracer=$!
	wait_attached "$1/$n.err" $tracer || { cat "$1/$n.err"; return 1; }
}
stop_tracer() {
	kill -INT $tracer
	wait $tracer; echo $? >"$1/${2:-trace}.rc"
}

# seconds since boot, and since one of those (for the log: what each step costs)
uptime_s() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.1f", b - a }'; }

# start_intervals DIR: a --summary -i 1 tracer (plan $plan) of every VMM, grouped by
# every key a call has, into DIR/intervals.jsonl
start_intervals() {
	smccctrace -v --plan "$plan" --summary -i 1 --by pid,vm,vcpu,func,disposition --json \
		-o "$1/intervals.jsonl" 2>"$1/intervals.err" &
	intervals=$!
	wait_attached "$1/intervals.err" $intervals || { cat "$1/intervals.err"; return 1; }
}

# one stream tracer and one interval tracer per plan see the patterns' VMMs one after
# another
for plan in $PLANS; do
	d=$out/$plan
	mkdir -p "$d"
	start_tracer "$d" || exit 1
	if [ "$plan" = "${PLANS%% *}" ]; then
		# the first plan also runs a tracer that lets no forwarded call through: linger's
		# calls still with the VMM at its stop must not come out of it either
		smccctrace -v --plan "$plan" --json --disposition kvm,denied,refused -o "$d/nofwd.jsonl" 2>"$d/nofwd.err" &
		nofwd=$!
		wait_attached "$d/nofwd.err" $nofwd || { cat "$d/nofwd.err"; exit 1; }
	fi
	t0=$(uptime_s)
	start_intervals "$d" || exit 1
	echo "$plan: the interval tracer attached in $(elapsed "$t0") s"
	for pattern in abandon one-thread migrate thread-exit park reset; do
		t0=$(uptime_s)
		smccc-testvmm --scenario "$pattern" --rounds "$ROUNDS" --hold-ms 20 --truth "$d/truth-$pattern.jsonl" \
			2>"$d/vmm-$pattern.log"
		echo $? >"$d/vmm-$pattern.rc"
		echo "$plan: $pattern in $(elapsed "$t0") s"
	done
	t0=$(uptime_s)
	# linger holds a forwarded call of each of its VMs until both tracers are gone
	smccc-testvmm --scenario linger --rounds 2 --truth "$d/truth-linger.jsonl" 2>"$d/vmm-linger.log" &
	linger=$!
	while ! grep -q 'linger: holding' "$d/vmm-linger.log"; do
		kill -0 $linger 2>/dev/null || break
		sleep 0.05
	done
	kill -INT $intervals
	wait $intervals; echo $? >"$d/intervals.rc"
	if [ "$plan" = "${PLANS%% *}" ]; then
		kill -INT $nofwd
		wait $nofwd; echo $? >"$d/nofwd.rc"
	fi
	stop_tracer "$d"
	kill -USR1 $linger
	wait $linger; echo $? >"$d/vmm-linger.rc"
	echo "$plan: linger and both tracers' stop in $(elapsed "$t0") s"
done

# churn: several VMMs, each creating and destroying VMs one after another, under a
# stream tracer of each plan (trace.jsonl: the first plan's, trace-PLAN.jsonl the
# others') and a --summary --by pid,vm tracer (the first plan), all at once
d=$out/churn
mkdir -p "$d"
tracers=
for plan in $PLANS; do
	n=trace; [ "$plan" != "${PLANS%% *}" ] && n=trace-$plan
	start_tracer "$d" "$n" || exit 1
	tracers="$tracers $tracer:$n"
done
plan=${PLANS%% *}
smccctrace -v --plan "$plan" --summary --by pid,vm --json -o "$d/summary.jsonl" 2>"$d/summary.err" &
summary=$!
wait_attached "$d/summary.err" $summary || { cat "$d/summary.err"; exit 1; }
start=$(date +%s)
pids=
for i in $(seq 1 "$CHURN_PROCS"); do
	smccc-testvmm --scenario churn --rounds "$CHURN_VMS" --truth "$d/truth-$i.jsonl" 2>"$d/vmm-$i.log" &
	pids="$pids $!"
done
rc=0
for p in $pids; do wait $p || rc=1; done
echo $rc >"$d/vmm.rc"
echo "churn: $CHURN_PROCS x $CHURN_VMS VMs in $(($(date +%s) - start)) s"
kill -INT $summary
wait $summary; echo $? >"$d/summary.rc"
for t in $tracers; do
	tracer=${t%%:*}
	stop_tracer "$d" "${t#*:}"
done
