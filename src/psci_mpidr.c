/* MPIDRs in the PSCI flow model (src/psci_flow.h): KVM's default mapping of vcpu_ids,
 * and pass 2 of the replay, which learns the MPIDRs a VMM chose itself from which vCPU
 * comes up after a CPU_ON. */
#include <string.h>

#include "psci_replay.h"

__u64 psci_kvm_mpidr(__u32 vcpu_id)
{
	return (__u64)(vcpu_id & 0xf) | (__u64)((vcpu_id >> 4) & 0xff) << 8 |
	       (__u64)((vcpu_id >> 12) & 0xff) << 16;
}

long psci_kvm_vcpu_of(__u64 mpidr)
{
	if ((mpidr & ~MPIDR_HWID_MASK) || (mpidr >> 32) || (mpidr & 0xf0))
		return -1;	/* Aff3, or an Aff0 above 15: not KVM's */
	return (long)((mpidr & 0xf) | ((mpidr >> 8) & 0xff) << 4 | ((mpidr >> 16) & 0xff) << 12);
}

static long learned_vcpu(const struct flow_vm *m, __u64 mpidr)
{
	for (size_t i = 0; i < m->nr_learned; i++)
		if (m->learned[i].mpidr == mpidr)
			return m->learned[i].vcpu;
	return -1;
}

static bool vcpu_learned(const struct flow_vm *m, __u32 vcpu)
{
	for (size_t i = 0; i < m->nr_learned; i++)
		if (m->learned[i].vcpu == vcpu)
			return true;
	return false;
}

/* The vCPU an MPIDR names: what the trace taught, else KVM's default unless that
 * vCPU was seen to have another MPIDR; -1 when neither applies. */
long psci_resolve(const struct flow_vm *m, __u64 mpidr)
{
	long v = learned_vcpu(m, mpidr);

	if (v >= 0)
		return v;
	v = psci_kvm_vcpu_of(mpidr);
	return v >= 0 && !vcpu_learned(m, (__u32)v) ? v : -1;
}

enum psci_mpidr_source psci_mpidr_of(const struct flow_vm *m, __u32 vcpu, __u64 *mpidr)
{
	for (size_t i = 0; i < m->nr_learned; i++) {
		if (m->learned[i].vcpu == vcpu) {
			*mpidr = m->learned[i].mpidr;
			return PSCI_MPIDR_OBSERVED;
		}
	}
	*mpidr = psci_kvm_mpidr(vcpu);
	if (learned_vcpu(m, *mpidr) >= 0) {
		*mpidr = 0;	/* another vCPU has it */
		return PSCI_MPIDR_NONE;
	}
	return PSCI_MPIDR_KVM;
}

/* ---- pass 2: MPIDR learning ---- */

static int learn(struct flow_vm *m, __u64 mpidr, __u32 vcpu)
{
	struct binding *b = psci_grow(&m->learned, &m->nr_learned, &m->cap_learned, sizeof(*b));

	if (!b)
		return -1;
	*b = (struct binding){ .mpidr = mpidr, .vcpu = vcpu };
	return 0;
}

/*
 * A vCPU W comes up: its first call, or its first since it went off. The CPU_ON that
 * started it is the pending one whose MPIDR KVM maps to W. Failing that, and only on
 * W's very first call (a vCPU back from off already has its MPIDR, or is a zombie the
 * VMM did not park), the oldest pending one whose MPIDR is not bound yet and whose
 * KVM vCPU never makes a call in the whole trace: a VMM that sets MPIDR_EL1 itself.
 */
static int learn_coming_up(struct flow_vm *m, __u32 w, bool first)
{
	size_t pick = m->nr_pending_on;
	bool bind = false;

	for (size_t i = 0; i < m->nr_pending_on && pick == m->nr_pending_on; i++)
		if (psci_kvm_vcpu_of(m->pending_on[i]) == (long)w)
			pick = i;
	for (size_t i = 0; first && !vcpu_learned(m, w) && i < m->nr_pending_on && pick == m->nr_pending_on; i++) {
		long kvm = psci_kvm_vcpu_of(m->pending_on[i]);

		if (learned_vcpu(m, m->pending_on[i]) < 0 &&
		    (kvm < 0 || (size_t)kvm >= m->nr_vcpus || !m->vcpus[kvm].seen)) {
			pick = i;
			bind = true;
		}
	}
	if (pick == m->nr_pending_on)
		return 0;
	if (bind && learn(m, m->pending_on[pick], w))
		return -1;
	memmove(&m->pending_on[pick], &m->pending_on[pick + 1], (m->nr_pending_on - pick - 1) * sizeof(__u64));
	m->nr_pending_on--;
	return 0;
}

int psci_learn_mpidrs(struct psci_flow *f)
{
	for (size_t i = 0; i < f->nr_calls; i++) {
		const struct psci_call *c = &f->calls[i];
		struct flow_vm *m = psci_find_vm(f, c->pid, c->vm, false);
		struct flow_vcpu *v = psci_find_vcpu(m, c->vcpu);
		unsigned fn = psci_call_fn(c);

		if (!v->up) {
			v->up = true;
			if (learn_coming_up(m, c->vcpu, !v->came_up))
				return -1;
			v->came_up = true;
		}
		if (fn == PSCI_FN_CPU_ON && c->has_result && psci_call_sret(c) == 0) {
			__u64 *p = psci_grow(&m->pending_on, &m->nr_pending_on, &m->cap_pending_on, sizeof(*p));

			if (!p)
				return -1;
			*p = psci_call_target(c);
		} else if (fn == PSCI_FN_CPU_OFF && !psci_call_error(c)) {
			v->up = false;
		} else if ((fn == PSCI_FN_SYSTEM_OFF || fn == PSCI_FN_SYSTEM_OFF2 || fn == PSCI_FN_SYSTEM_RESET ||
			    fn == PSCI_FN_SYSTEM_RESET2) && !psci_call_error(c)) {
			for (size_t j = 0; j < m->nr_vcpus; j++)
				m->vcpus[j].up = false;
			m->nr_pending_on = 0;
		}
	}
	return 0;
}
