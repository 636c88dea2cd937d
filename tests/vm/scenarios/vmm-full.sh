# The test VMM's full scenario on its own: ground truth for an AArch64 guest and,
# when the host CPU can run AArch32 at EL1, for an AArch32 guest. Checked later on
# the host by tests/vm/check_truth.py.
#   truth.jsonl, vmm.log, vmm.rc          AArch64 guest
#   truth32.jsonl, vmm32.log, vmm32.rc    AArch32 guest (rc 3: not supported here,
#                                         aarch32.skip says why, no truth32.jsonl)
out=$1

smccc-testvmm --scenario full --truth "$out/truth.jsonl" 2>"$out/vmm.log"
rc=$?
echo $rc >"$out/vmm.rc"
echo "vmm-full: aarch64 exit $rc"

smccc-testvmm --scenario full --aarch32 --truth "$out/truth32.jsonl" 2>"$out/vmm32.log"
rc32=$?
echo $rc32 >"$out/vmm32.rc"
echo "vmm-full: aarch32 exit $rc32"
if [ $rc32 -eq 3 ]; then
	rm -f "$out/truth32.jsonl"
	tail -n 1 "$out/vmm32.log" >"$out/aarch32.skip"
	rc32=0
fi
cat "$out/vmm.log" "$out/vmm32.log"
[ $rc -eq 0 ] && [ $rc32 -eq 0 ]
