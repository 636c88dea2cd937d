/* Inside the PSCI flow model (src/psci_flow.h): the replay's state and the helpers
 * that src/psci_flow.c (vCPUs, power states, anomalies), src/psci_mpidr.c (MPIDRs)
 * and src/psci_hotplug.c (AFFINITY_INFO polls, hotplug operations, their statistics)
 * share. Not an API. */
#ifndef SMCCCTRACE_PSCI_REPLAY_H
#define SMCCCTRACE_PSCI_REPLAY_H
#include "psci_flow.h"

/* PSCI function numbers (DEN0022), the low 16 bits of the ID */
#define PSCI_FN_CPU_SUSPEND		0x01
#define PSCI_FN_CPU_OFF			0x02
#define PSCI_FN_CPU_ON			0x03
#define PSCI_FN_AFFINITY_INFO		0x04
#define PSCI_FN_MIGRATE			0x05
#define PSCI_FN_SYSTEM_OFF		0x08
#define PSCI_FN_SYSTEM_RESET		0x09
#define PSCI_FN_CPU_FREEZE		0x0b
#define PSCI_FN_CPU_DEFAULT_SUSPEND	0x0c
#define PSCI_FN_SYSTEM_SUSPEND		0x0e
#define PSCI_FN_SYSTEM_RESET2		0x12
#define PSCI_FN_SYSTEM_OFF2		0x15

#define MPIDR_HWID_MASK		0xff00ffffffull	/* Aff3, Aff2, Aff1, Aff0 */
#define SMCCC_SMC64		(1u << 30)

struct binding {
	__u64 mpidr;
	__u32 vcpu;
};

struct flow_vcpu {
	bool seen;		/* pass 1: makes at least one call in the trace */
	bool up;		/* pass 2: running, as far as MPIDR learning is concerned */
	bool came_up;		/* pass 2: it has been up before */
	bool present;		/* pass 3: in the summary */
	enum psci_power state;
	__u64 calls, cpu_on_ok, cpu_on_failed, cpu_off;
	__u64 unanswered, parked;	/* of its calls: forwarded, never answered / parked */
	__u32 last_boot;	/* the boot (1, 2, ...) of its last call; 0: none yet */
	bool has_bringup;
	__u64 last_bringup_ns;
	/* on_pending: the CPU_ON */
	__u64 on_ts;
	int on_by;
	__u32 on_func;
	__u64 on_pc;		/* the CPU_ON's call site, for its cpu_on_timeout anomaly */
	long timeout_anomaly;	/* -1 until the deadline passed */
	/* off: since when, why, and the call_while_off anomaly of this off period */
	__u64 off_ts;
	enum psci_cause off_cause;
	long off_anomaly;
	bool counting_offline;	/* off by its CPU_OFF: the time goes to offline_ns */
	__u64 offline_ns;
	long poll;		/* its open AFFINITY_INFO poll, or -1 */
	long poll_anomaly;	/* that poll's affinity_poll anomaly, or -1 */
	long op[PSCI_OP__COUNT];	/* its open hotplug operation of each kind, or -1 */
};

struct flow_vm {
	__u32 pid, vm;
	struct flow_vcpu *vcpus;	/* by vcpu_id */
	size_t nr_vcpus;
	struct binding *learned;	/* pass 2's result */
	size_t nr_learned, cap_learned;
	__u64 *pending_on;		/* pass 2: MPIDRs of CPU_ONs not matched yet */
	size_t nr_pending_on, cap_pending_on;
	bool rebooting;			/* SYSTEM_RESET seen: the next call is the reboot */
	enum psci_boot_start next_start;	/* what the reboot's boot is started by */
	size_t nr_on_pending;		/* vCPUs in on_pending, to skip the deadline scan */
	long boot;			/* its current boot in psci_flow.boots, or -1 */
};

struct replay {
	struct psci_flow *f;
	struct flow_vm *m;
	const struct psci_call *c;	/* the call being replayed (NULL: at the end) */
};

/* Grows *arr to hold one more element; returns it zeroed, or NULL. */
void *psci_grow(void *arr_p, size_t *nr, size_t *cap, size_t size);

/* The calls, read the PSCI way */
bool psci_call_is_psci(const struct psci_call *c);
unsigned psci_call_fn(const struct psci_call *c);	/* PSCI function number, 0 if none */
__u64 psci_call_arg(const struct psci_call *c, int i);	/* x1.. narrowed for SMC32 */
long long psci_call_sret(const struct psci_call *c);
bool psci_call_error(const struct psci_call *c);	/* came back with a PSCI error */
__u64 psci_call_target(const struct psci_call *c);	/* x1 as an MPIDR */
__u64 psci_call_return_ns(const struct psci_call *c);	/* trap + time in KVM and the VMM */

struct flow_vm *psci_find_vm(struct psci_flow *f, __u32 pid, __u32 vm, bool create);
struct flow_vcpu *psci_find_vcpu(struct flow_vm *m, long id);
/* src/psci_mpidr.c: pass 2, the MPIDRs a VMM gave its vCPUs. Returns 0, or -1 (ENOMEM). */
int psci_learn_mpidrs(struct psci_flow *f);
long psci_resolve(const struct flow_vm *m, __u64 mpidr);
enum psci_mpidr_source psci_mpidr_of(const struct flow_vm *m, __u32 vcpu, __u64 *mpidr);
struct psci_anomaly *psci_new_anomaly(struct replay *r, enum psci_anomaly_kind kind, __u64 ts, long vcpu,
				      long *index);
__u32 psci_current_boot(const struct replay *r);

/* src/psci_replay.c: pass 3. Each returns 0, or -1 (ENOMEM). */
int psci_all_deadlines(struct replay *r, __u64 now);	/* CPU_ON deadlines passed by now */
int psci_replay_call(struct replay *r);
void psci_end_of_trace(struct replay *r, __u64 end_ns);	/* polls, operations, time offline */

/* src/psci_hotplug.c: AFFINITY_INFO polls */
int psci_affinity_info(struct replay *r, struct flow_vcpu *v);
void psci_close_poll(struct replay *r, struct flow_vcpu *v, enum psci_poll_end why);
/* the target's power state changes: the polls about it that it answers end */
void psci_target_changed(struct replay *r, long target, enum psci_power from, enum psci_power to);

/* src/psci_hotplug.c: operations. Each returns 0, or -1 (ENOMEM). */
int psci_op_start(struct replay *r, enum psci_op_kind kind, long target, struct flow_vcpu *tv);
/* the call starts an operation that fails at once (its PSCI error) */
int psci_op_failed(struct replay *r, enum psci_op_kind kind, long target);
/* ends target's open operation of that kind; by: the controller (-1: keep) */
void psci_op_end(struct replay *r, struct flow_vcpu *tv, enum psci_op_kind kind, enum psci_op_outcome outcome,
		 bool has_end, __u64 end_ns, int by);
/* the end of the trace: statistics per vCPU, per boot and overall */
int psci_op_statistics(struct psci_flow *f);
#endif
