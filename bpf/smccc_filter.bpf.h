/* SPDX-License-Identifier: GPL-2.0 */
/* The VM's SMCCC filter, walked from BPF: included by smccctrace.bpf.c only. */
#ifndef SMCCC_FILTER_BPF_H
#define SMCCC_FILTER_BPF_H

/* uapi SMCCC filter actions */
#define FILTER_HANDLE		0
#define FILTER_DENY		1
#define FILTER_FWD_TO_USER	2
#define FILTER_UNKNOWN		0xff

/*
 * The VM's SMCCC filter action for func_id, read from kvm->arch.smccc_filter the way
 * the kernel's mtree_lookup_walk() does. The kernel offers no event that says "the
 * filter denied this call", and a DENY looks exactly like an unimplemented function
 * (x0 = NOT_SUPPORTED, no exit), so the filter itself is the only exact witness.
 * The filter is written only before the VM first runs, so it is stable here.
 */
#define MAPLE_NODE_MASK		255UL
#define MAPLE_TYPE_SHIFT	3
#define MAPLE_TYPE_MASK		0xf
#define MAPLE_LEAF_64		1
#define MAPLE_RANGE_64		2
#define MAPLE_ARANGE_64		3
#define MAPLE_MAX_DEPTH		6

static __always_inline bool xa_is_value(unsigned long e) { return e & 1; }
static __always_inline bool xa_is_node(unsigned long e) { return (e & 3) == 2 && e > 4096; }

static __always_inline __u8 filter_action(struct kvm *kvm, __u32 func_id)
{
	unsigned long entry, index = func_id;

	if (!bpf_core_field_exists(kvm->arch.smccc_filter))
		return FILTER_HANDLE;	/* before 6.4: no SMCCC filter */
	entry = (unsigned long)BPF_CORE_READ(kvm, arch.smccc_filter.ma_root);
	if (!entry)
		return FILTER_HANDLE;	/* no filter configured */
	if (!xa_is_node(entry))
		return index == 0 && xa_is_value(entry) ? entry >> 1 : FILTER_HANDLE;

	for (int depth = 0; depth < MAPLE_MAX_DEPTH; depth++) {
		struct maple_node *node = (void *)(entry & ~MAPLE_NODE_MASK);
		unsigned int type = (entry >> MAPLE_TYPE_SHIFT) & MAPLE_TYPE_MASK;
		unsigned long pivot, slot = 0;
		int offset, npivots;

		if (type == MAPLE_LEAF_64 || type == MAPLE_RANGE_64)
			npivots = 15;
		else if (type == MAPLE_ARANGE_64)
			npivots = 9;
		else
			return FILTER_UNKNOWN;

		for (offset = 0; offset < 15; offset++) {
			if (offset >= npivots)
				break;
			if (type == MAPLE_ARANGE_64)
				pivot = BPF_CORE_READ(node, ma64.pivot[offset]);
			else
				pivot = BPF_CORE_READ(node, mr64.pivot[offset]);
			if (pivot >= index)
				break;
		}
		if (type == MAPLE_ARANGE_64)
			slot = (unsigned long)BPF_CORE_READ(node, ma64.slot[offset & 15]);
		else
			slot = (unsigned long)BPF_CORE_READ(node, mr64.slot[offset & 15]);

		if (type == MAPLE_LEAF_64) {
			if (!slot)
				return FILTER_HANDLE;
			return xa_is_value(slot) ? (slot >> 1) & 0xff : FILTER_UNKNOWN;
		}
		entry = slot;
	}
	return FILTER_UNKNOWN;
}

#endif
