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

#define PSCI_DEFAULT_ON_TIMEOUT_MS	1000	/* Linux itself waits 5 s for a secondary */
#define PSCI_DEFAULT_POLL_LIMIT		10	/* Linux's CPU kill gives up after 100 polls */
#define PSCI_DEFAULT_POLL_TIME_MS	100
#define PSCI_DEFAULT_SLOW_VMM_MS	10
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
	int by_vcpu;		/* cpu_on, system_*: who called; -1: the vCPU itself */
	bool has_mpidr;
	__u64 mpidr;		/* cpu_on: the target; migrate: where the Trusted OS went */
	__u64 entry, context_id;	/* cpu_on */
	bool forwarded;		/* cpu_on: the VMM answered it */
	bool has_latency;
	__u64 latency_ns;	/* running: since the CPU_ON; wakeup: time suspended */
};

struct psci_anomaly {
	enum psci_anomaly_kind kind;
	__u64 ts_ns;		/* when it became true */
	__u32 pid, vm;
	int vcpu;		/* the caller; cpu_on_timeout: the target */
	__u32 func_id;		/* the call (cpu_on_timeout: the CPU_ON; call_while_off: the first) */
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
};

enum psci_affinity_answer {
	PSCI_AFF_ON = 0,
	PSCI_AFF_OFF = 1,
	PSCI_AFF_ON_PENDING = 2,
	PSCI_AFF_ERROR = 3,	/* any PSCI error */
	PSCI_AFF__COUNT,
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
	bool changed;		/* ended by a different answer; false: still polling at the end */
	bool over_limit;	/* it has an affinity_poll anomaly */
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
};

/* Each vCPU as the trace leaves it */
struct psci_vcpu_summary {
	__u32 pid, vm;
	int vcpu;
	enum psci_power state;
	enum psci_mpidr_source mpidr_source;
	__u64 mpidr;
	__u64 calls;		/* SMCCC calls it made */
	__u64 cpu_on_ok;	/* successful CPU_ONs that targeted it */
	__u64 cpu_on_failed;	/* failed ones */
	bool has_bringup;
	__u64 last_bringup_ns;	/* last CPU_ON to first call */
};

/* One traced call, as much of it as the model needs */
struct psci_call {
	__u64 ts_ns, kvm_ns, vmm_ns;
	__u64 args[3];		/* x1..x3 */
	__u64 ret0;
	__u32 pid, vm, vcpu, func_id;
	__u32 seq;		/* arrival order: ties in ts_ns keep it */
	__u8 disposition, flags;
	bool has_result;
};

struct flow_vm;

struct psci_flow {
	struct psci_flow_config cfg;
	struct psci_call *calls;
	size_t nr_calls, cap_calls;
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

/* AFFINITY_INFO's x0 read as an answer (SMC32: the low 32 bits, sign-extended) */
bool psci_is_affinity_info(__u32 func_id);
enum psci_affinity_answer psci_affinity_answer_of(__u32 func_id, __u64 ret0);

/* KVM's MPIDR of a vcpu_id, and back (-1: not one KVM would give) */
__u64 psci_kvm_mpidr(__u32 vcpu_id);
long psci_kvm_vcpu_of(__u64 mpidr);

#endif
