/* A call record as the kernel side would count it, for the unit tests of the
 * summaries and the exporter: the fields the aggregation keys and times use. */
#ifndef SMCCCTRACE_TEST_CALL_H
#define SMCCCTRACE_TEST_CALL_H
#include <linux/types.h>
#include "smccctrace.h"

static inline struct smccc_event test_call(__u32 pid, __u32 vcpu, __u32 func, __u8 disp,
					   __u64 kvm_ns, __u64 vmm_ns)
{
	struct smccc_event ev = { 0 };

	ev.pid = pid;
	ev.vm = 1;
	ev.vcpu = vcpu;
	ev.regs[0] = func;
	ev.disposition = disp;
	ev.kvm_ns = kvm_ns;
	ev.vmm_ns = vmm_ns;
	return ev;
}
#endif
