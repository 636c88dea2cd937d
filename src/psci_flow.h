/* The PSCI flow model behind `smccctrace psci` and `smccctrace report --psci`: from the
 * traced calls of a VMM's guests, each vCPU's power-state timeline (off -> on_pending
 * -> on -> off), the AFFINITY_INFO polls, the PSCI calls the VMM answered itself, and
 * the anomalies that vCPU hotplug and bring-up bugs show as.
 *
 * Calls are added as they arrive; psci_flow_run() then replays them once, in trap-time
 * order. Arrival order is not trap order: a call forwarded to the VMM reaches
 * userspace when the VMM answers it, and a CPU_OFF the VMM parks is answered only when
 * the vCPU is started again, after the CPU_ON that started it.
 *
 * "The target of a CPU_ON runs" is observed as its first SMCCC call after the CPU_ON:
 * the tracer sees SMCCC calls, not guest entries (docs/psci-walkthrough.md says what
 * that means for --on-timeout). */
#ifndef SMCCCTRACE_PSCI_FLOW_H
#define SMCCCTRACE_PSCI_FLOW_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>
#include "render.h"

/* Where each default comes from: docs/psci-walkthrough.md, "Thresholds" */
#define PSCI_DEFAULT_ON_TIMEOUT_MS	1000	/* Linux itself waits 5 s for a secondary */
#define PSCI_DEFAULT_POLL_LIMIT		10	/* Linux's CPU kill polls for 100 ms */
#define PSCI_DEFAULT_POLL_TIME_MS	100	/* ... and gives up after those 100 ms */
#define PSCI_DEFAULT_SLOW_VMM_MS	10
/* A pause this long (or --poll-time, if longer) between two AFFINITY_INFO calls ends a
 * poll: Linux sleeps at most 1 ms between the polls of one CPU kill */
#define PSCI_POLL_GAP_MS		1000
#define PSCI_MAX_VCPU_ID		4095	/* vCPUs are kept by id; calls of others are skipped */

struct psci_flow_config {
	__u64 on_timeout_ns;	/* a CPU_ON target that makes no call this long after it */
	__u32 poll_limit;	/* an AFFINITY_INFO poll of more calls than this ... */
	__u64 poll_time_ns;	/* ... or lasting longer than this */
	__u64 slow_vmm_ns;	/* a forwarded PSCI call the VMM held longer than this */
};

void psci_flow_config_default(struct psci_flow_config *c);

/* Names are public: JSON "from"/"to" ("unknown": not seen yet, e.g. before the trace) */
enum psci_power {
	PSCI_POWER_UNKNOWN,
	PSCI_POWER_OFF,
	PSCI_POWER_ON_PENDING,
	PSCI_POWER_ON,
	PSCI_POWER_SUSPENDED,
};

/* What moved a vCPU (JSON "cause") */
enum psci_cause {
	PSCI_CAUSE_FIRST_CALL,		/* first call of a vCPU no traced CPU_ON started: it was on */
	PSCI_CAUSE_CPU_ON,		/* a successful CPU_ON targets it */
	PSCI_CAUSE_RUNNING,		/* its first call after that CPU_ON */
	PSCI_CAUSE_CPU_OFF,
	PSCI_CAUSE_CPU_SUSPEND,
	PSCI_CAUSE_WAKEUP,		/* its CPU_SUSPEND returned */
	PSCI_CAUSE_SYSTEM_OFF,		/* SYSTEM_OFF or SYSTEM_OFF2, from any vCPU of the VM */
	PSCI_CAUSE_SYSTEM_RESET,	/* SYSTEM_RESET or SYSTEM_RESET2 */
	PSCI_CAUSE_REBOOT,		/* the first call after a SYSTEM_RESET */
	PSCI_CAUSE_MIGRATE,		/* the Trusted OS moved (no power-state change) */
	PSCI_CAUSE_SYSTEM_SUSPEND,	/* SYSTEM_SUSPEND: the last vCPU running suspends the system */
	PSCI_CAUSE_VMM_RESET,		/* the VMM re-initialised the vCPUs without a PSCI reset
					 * (EVF_VCPU_REINIT), seen at the first call after it */
};

/* How a boot started (JSON "started_by") */
enum psci_boot_start {
	PSCI_BOOT_FIRST_CALL,		/* the VM's first traced call */
	PSCI_BOOT_SYSTEM_RESET,		/* after a PSCI SYSTEM_RESET or SYSTEM_RESET2 */
	PSCI_BOOT_VMM_RESET,		/* after the VMM re-initialised a vCPU that had run in
					 * the boot before (KVM_ARM_VCPU_INIT: QEMU's
					 * system_reset, a reboot without a PSCI call) */
};

enum psci_anomaly_kind {
	PSCI_ANOMALY_CPU_ON_FAILED,	/* CPU_ON answered with a PSCI error */
	PSCI_ANOMALY_CPU_ON_TIMEOUT,	/* its target made no call within on_timeout_ns */
	PSCI_ANOMALY_AFFINITY_POLL,	/* an AFFINITY_INFO poll past poll_limit or poll_time_ns */
	PSCI_ANOMALY_SLOW_VMM,		/* a forwarded PSCI call held past slow_vmm_ns */
	PSCI_ANOMALY_CALL_WHILE_OFF,	/* a call from a vCPU the flow believes is off */
};

/* How a vCPU's MPIDR is known (JSON "mpidr_source") */
enum psci_mpidr_source {
	PSCI_MPIDR_NONE,
	PSCI_MPIDR_KVM,		/* KVM's default: Aff0 = id & 0xf, Aff1 = id >> 4, Aff2 = id >> 12 */
	PSCI_MPIDR_OBSERVED,	/* the vCPU that came up after a CPU_ON of that MPIDR */
};

/* vCPU numbers are ints: -1 when a CPU_ON target's MPIDR maps to no known vCPU. */
struct psci_transition {
	__u64 ts_ns;
	__u32 pid, vm;
	int vcpu;
	enum psci_power from, to;
	enum psci_cause cause;
	__u32 func_id;		/* the call behind it */
	__u64 pc;		/* that call's trapping PC (pc_sym: its call site) */
	int by_vcpu;		/* cpu_on, system_*: who called; -1: the vCPU itself */
	bool has_mpidr;
	__u64 mpidr;		/* cpu_on: the target; migrate: where the Trusted OS went */
	__u64 entry, context_id;	/* cpu_on */
	bool forwarded;		/* cpu_on: the VMM answered it */
	bool has_latency;
	__u64 latency_ns;	/* running: since the CPU_ON; wakeup: time suspended */
	__u32 boot;
};

struct psci_anomaly {
	enum psci_anomaly_kind kind;
	__u64 ts_ns;		/* when it became true */
	__u32 pid, vm;
	int vcpu;		/* the caller; cpu_on_timeout: the target */
	__u32 func_id;		/* the call (cpu_on_timeout: the CPU_ON; call_while_off: the first) */
	__u64 pc;		/* that call's trapping PC (pc_sym: its call site) */
	int other_vcpu;		/* cpu_on_failed, affinity_poll: the target; cpu_on_timeout: the caller */
	bool has_mpidr;
	__u64 mpidr;		/* cpu_on_*, affinity_poll: the target's */
	__u64 ret0;		/* cpu_on_failed, slow_vmm: x0 the guest got */
	bool forwarded;		/* cpu_on_failed: the VMM answered */
	__u64 since_ns;		/* cpu_on_timeout: the CPU_ON; affinity_poll: the first poll;
				 * call_while_off: when the vCPU went off */
	enum psci_cause off_cause;	/* call_while_off */
	bool has_ns;
	__u64 ns;		/* cpu_on_timeout: CPU_ON to first call (false: never, in the trace);
				 * affinity_poll: duration; slow_vmm: the VMM's round trip */
	__u64 count;		/* affinity_poll: polls; call_while_off: calls while off */
	__u32 boot;
};

enum psci_affinity_answer {
	PSCI_AFF_ON = 0,
	PSCI_AFF_OFF = 1,
	PSCI_AFF_ON_PENDING = 2,
	PSCI_AFF_ERROR = 3,	/* any PSCI error */
	PSCI_AFF__COUNT,
};

/* Why a poll ended (JSON "ended_by") */
enum psci_poll_end {
	PSCI_POLL_END_ANSWER,		/* a different answer: the one the poller waited for */
	PSCI_POLL_END_POWER,		/* a power change it cannot be waiting for: a CPU_ON or
					 * reboot of its target, the target's CPU_OFF or first
					 * call after a poll that already saw it off, the poller's
					 * CPU_OFF, a system event */
	PSCI_POLL_END_GAP,		/* no call for longer than the poll gap */
	PSCI_POLL_END_OTHER,		/* the poller asked about another target or level (other_target) */
	PSCI_POLL_END_TRACE,		/* still polling when the trace ended */
};

/* Consecutive AFFINITY_INFO calls of one vCPU about one target and level, while the
 * answer stays what it first was; the first different answer, the one the poller
 * waited for, is the last of the poll. */
struct psci_poll {
	__u64 first_ts_ns, last_ts_ns;
	__u32 pid, vm;
	int vcpu;		/* the poller */
	__u64 mpidr;		/* target_affinity */
	int target_vcpu;
	__u32 level;		/* lowest_affinity_level */
	__u64 count;
	__u64 answers[PSCI_AFF__COUNT];
	__u32 func_id;		/* AFFINITY_INFO's SMC32 or SMC64 ID */
	enum psci_affinity_answer first_answer;
	__u64 last_ret0;	/* x0 of the last answer */
	bool changed;		/* ended by a different answer */
	bool over_limit;	/* it has an affinity_poll anomaly */
	enum psci_poll_end ended_by;
	bool resolved;		/* it got an answer a poller can stop at: a change, or off at once */
	__u64 end_ns;		/* the last call's return (trap + time in KVM and the VMM) */
	__u64 in_kvm_ns;	/* its calls' time in KVM and the VMM, summed */
	__u32 boot;
};

/* A PSCI call the VMM answered (KVM_EXIT_HYPERCALL) */
struct psci_forwarded {
	__u64 ts_ns;
	__u32 pid, vm;
	int vcpu;
	__u32 func_id;
	__u64 args[3];		/* x1..x3 */
	bool answered;		/* false: no answer before the trace ended */
	__u64 ret0;
	__u64 vmm_ns;
	bool restarted;		/* a parked CPU_OFF, ended by a CPU_ON of the vCPU: ret0 is its
				 * new context id, vmm_ns its time off */
	__u32 boot;
};

/* A hotplug operation (JSON "psci_operation"): taking a vCPU offline, from its own
 * CPU_OFF to the AFFINITY_INFO that tells the controller it is off, or bringing one
 * online, from the CPU_ON to the target's first call. */
enum psci_op_kind {
	PSCI_OP_CPU_OFF,
	PSCI_OP_CPU_ON,
	PSCI_OP__COUNT,
};

enum psci_op_outcome {
	PSCI_OP_OK,		/* confirmed: AFFINITY_INFO answered off / the target made a call */
	PSCI_OP_FAILED,		/* the CPU_OFF or CPU_ON came back with a PSCI error */
	PSCI_OP_TIMEOUT,	/* cpu_on: past --on-timeout; cpu_off: the poll about it gave up */
	PSCI_OP_UNCONFIRMED,	/* cpu_off: no AFFINITY_INFO answered off before the target's
				 * next change of state (nobody asked, or the system went down) */
	PSCI_OP_INCOMPLETE,	/* still going when the trace ended or the system went down */
	PSCI_OP__OUTCOMES,
};

struct psci_operation {
	enum psci_op_kind kind;
	enum psci_op_outcome outcome;
	__u64 ts_ns;		/* the CPU_OFF's or the CPU_ON's trap */
	__u32 pid, vm;
	int vcpu;		/* the vCPU going offline or coming online (-1: no known vCPU) */
	int by_vcpu;		/* the controller: the poller that saw it off, the CPU_ON's caller;
				 * -1: none */
	__u64 mpidr;		/* the target's */
	bool has_mpidr;
	__u32 func_id;		/* the CPU_OFF or CPU_ON */
	__u64 ret0;		/* failed: x0 */
	bool forwarded;		/* the VMM answered the CPU_OFF / CPU_ON */
	bool has_end;
	__u64 end_ns;		/* cpu_off: the confirming AFFINITY_INFO's return; cpu_on: the
				 * target's first call */
	bool has_latency;
	__u64 latency_ns;	/* end_ns - ts_ns */
	__u64 polls;		/* cpu_off: AFFINITY_INFO calls about it, this operation */
	__u64 pc;		/* the CPU_OFF's or CPU_ON's trapping PC (pc_sym: its call site) */
	__u32 boot;
};

/* Operations of one kind, for the end table: count, outcomes, and the latency of the
 * ones that have one (p50: the lower median) */
struct psci_op_stats {
	__u64 count;
	__u64 by_outcome[PSCI_OP__OUTCOMES];
	__u64 with_latency;
	__u64 p50_ns, max_ns;
};

/* A boot of a VM (JSON "psci_boot"): the first starts with the VM's first traced
 * call, each next one with the first call after a SYSTEM_RESET or SYSTEM_RESET2 */
struct psci_boot {
	__u32 pid, vm;
	__u32 boot;		/* 1, 2, ... per VM */
	__u64 ts_ns;		/* its first call */
	bool has_end;
	__u64 end_ns;		/* the reset, SYSTEM_OFF, or none (still running); a VMM
				 * reset: the first call after it (when the tracer sees it) */
	__u32 end_func;		/* the call that ended it (0: a VMM reset) */
	enum psci_boot_start started_by;
	__u64 calls, cpu_on_ok, cpu_on_failed, cpu_off;
	__u64 unanswered;	/* of its calls: forwarded, and the VMM never answered (the
				 * stream's "unanswered") */
	__u64 parked;		/* of its calls: forwarded, and the VMM parked the vCPU ("parked") */
	struct psci_op_stats ops[PSCI_OP__COUNT];
};

/* Each vCPU as the trace leaves it */
struct psci_vcpu_summary {
	__u32 pid, vm;
	int vcpu;
	enum psci_power state;
	enum psci_mpidr_source mpidr_source;
	__u64 mpidr;
	__u64 calls;		/* SMCCC calls it made */
	__u64 unanswered;	/* of those: forwarded, never answered (psci_boot's) */
	__u64 parked;		/* of those: forwarded, parked by the VMM */
	__u64 cpu_on_ok;	/* successful CPU_ONs that targeted it */
	__u64 cpu_on_failed;	/* failed ones */
	bool has_bringup;
	__u64 last_bringup_ns;	/* last CPU_ON to first call */
	__u64 cpu_off;		/* CPU_OFFs that took it off */
	__u64 offline_ns;	/* time off after its CPU_OFFs (to the next CPU_ON, system
				 * event, or the trace's end) */
	struct psci_op_stats ops[PSCI_OP__COUNT];	/* it as the target */
};

/* One traced call, as much of it as the model needs */
struct psci_call {
	__u64 ts_ns, kvm_ns, vmm_ns;
	__u64 args[3];		/* x1..x3 */
	__u64 ret0;
	/* pid, in this struct and in every one above: the VMM's guest_vmm_key() (its
	 * pid, or apart for a later VMM a record file shows with the same pid) */
	__u32 pid, vm, vcpu, func_id;
	__u32 seq;		/* arrival order: ties in ts_ns keep it */
	__u64 pc;		/* the trapping PC: an operation's call site */
	__u8 disposition, flags;
	bool has_result;
};

struct flow_vm;

struct psci_flow {
	struct psci_flow_config cfg;
	struct psci_call *calls;
	size_t nr_calls, cap_calls;
	__u64 unanswered, parked;	/* every VM's (psci_boot's) */
	__u64 skipped;		/* calls seen without vCPU, function or arguments (tracepoint
				 * plan), or of a vCPU past PSCI_MAX_VCPU_ID */
	__u64 end_ns;		/* the trace's end (ts_ns units), for deadlines still open */

	/* valid after psci_flow_run(), each sorted by time (vcpus by pid, VM, vCPU) */
	struct psci_transition *transitions;
	size_t nr_transitions, cap_transitions;
	struct psci_anomaly *anomalies;
	size_t nr_anomalies, cap_anomalies;
	struct psci_poll *polls;
	size_t nr_polls, cap_polls;
	struct psci_forwarded *forwarded;
	size_t nr_forwarded, cap_forwarded;
	struct psci_vcpu_summary *vcpus;
	size_t nr_vcpus;
	struct psci_operation *ops;		/* by start time */
	size_t nr_ops, cap_ops;
	struct psci_boot *boots;		/* by VM, then boot */
	size_t nr_boots, cap_boots;
	struct psci_op_stats ops_total[PSCI_OP__COUNT];

	struct flow_vm *vms;	/* the replay's state */
	size_t nr_vms, cap_vms;
};

void psci_flow_init(struct psci_flow *f, const struct psci_flow_config *cfg);
/* Returns 0, or -1 (ENOMEM). */
int psci_flow_add(struct psci_flow *f, const struct call_view *v);
/* Replays every call added so far; end_ns is when the trace ended (ts_ns units).
 * Returns 0, or -1 (ENOMEM). Run it once. */
int psci_flow_run(struct psci_flow *f, __u64 end_ns);
void psci_flow_free(struct psci_flow *f);

/* Public names (JSON) */
const char *psci_power_name(enum psci_power p);
const char *psci_cause_name(enum psci_cause c);
const char *psci_anomaly_name(enum psci_anomaly_kind k);
const char *psci_mpidr_source_name(enum psci_mpidr_source s);
const char *psci_affinity_answer_name(enum psci_affinity_answer a);
const char *psci_poll_end_name(enum psci_poll_end e);
const char *psci_op_kind_name(enum psci_op_kind k);
const char *psci_op_outcome_name(enum psci_op_outcome o);
const char *psci_boot_start_name(enum psci_boot_start s);

/* AFFINITY_INFO's x0 read as an answer (SMC32: the low 32 bits, sign-extended) */
bool psci_is_affinity_info(__u32 func_id);
enum psci_affinity_answer psci_affinity_answer_of(__u32 func_id, __u64 ret0);

/* KVM's MPIDR of a vcpu_id, and back (-1: not one KVM would give) */
__u64 psci_kvm_mpidr(__u32 vcpu_id);
long psci_kvm_vcpu_of(__u64 mpidr);

#endif
