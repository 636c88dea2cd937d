/* Guests by name: the name an operator knows a VM by, taken from its VMM's command
 * line as kvm_stat -g does (QEMU's `-name guest=NAME,...` or `-name NAME`, kvmtool's
 * `--name NAME`), else the VMM's comm. docs/design.md ("Guests by name") has the rules.
 *
 * The parsing is pure (unit-tested); the table maps VMM pids to names for every output:
 * live from /proc the first time a pid is asked for, offline from a record file's
 * process records (src/record.h). */
#ifndef SMCCCTRACE_GUEST_NAME_H
#define SMCCCTRACE_GUEST_NAME_H
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/* A name's longest form, NUL included: longer names are cut. Bytes outside printable
 * ASCII become '?' (names go into record files, JSON, labels and terminals). */
#define GUEST_NAME_MAX 128

/* The guest name in a command line (/proc/PID/cmdline: argc NUL-terminated strings in
 * len bytes). Returns true with the name in out, false when the command line names no
 * guest. The last -name/--name wins, as in QEMU. */
bool guest_name_from_cmdline(const char *cmdline, size_t len, char *out, size_t outlen);
/* QEMU's -name value (`[guest=]NAME[,process=P][,debug-threads=on]`, commas in values
 * doubled): the guest's name into out, false when it has none. */
bool guest_name_from_qemu_value(const char *value, char *out, size_t outlen);
/* Printable ASCII only ('?' for any other byte), cut to outlen - 1. */
void guest_name_clean(const char *in, size_t inlen, char *out, size_t outlen);

/* A live process's guest name: its command line's, else its comm. false when the
 * process is gone (or /proc cannot be read). */
bool guest_name_of_process(__u32 pid, char *out, size_t outlen);

/* The table. Offline (the default: report, tests) only what guest_names_set put in is
 * known; live (guest_names_live, the tracer), a pid not in it is looked up in /proc once,
 * with the process's start time (/proc/PID/stat field 22): pid and start time name one
 * process. */
void guest_names_live(void);
/* Returns 0, or -1 when out of memory. Live, the name is the process's that has the
 * pid, whatever name is passed. Offline, a name other than the pid's current one
 * starts the pid's next incarnation (a record file names a pid again when another VMM
 * took it: pid reuse): calls from here on are that VMM's; earlier names stay valid. */
int guest_names_set(__u32 pid, const char *name);
/* The pid's guest name, NULL when unknown (a VMM gone before it was looked up, a
 * record file without process records). Valid until the second guest_names_sweep()
 * from now (or guest_names_free): hold a name no longer than one sweep interval. */
const char *guest_names_get(__u32 pid);
/* The same, with the pid's current incarnation (offline: how many times the record
 * file renamed it; live: always 0) in *incarnation when not NULL. A reused pid's
 * incarnation tells its VMMs apart in rows and tracks keyed by pid. */
const char *guest_names_lookup(__u32 pid, __u32 *incarnation);
/* The name of one incarnation of pid (0: the first, or live the only one); NULL when
 * unknown. Valid as guest_names_get()'s. */
const char *guest_names_get_incarnation(__u32 pid, __u32 incarnation);
/*
 * A VMM as one __u32 for models keyed by pid (the PSCI view, Perfetto's process
 * tracks): its pid, plus its incarnation times GUEST_VMM_KEY_STRIDE (pids are at most
 * 4194304, PID_MAX_LIMIT), so that a reused pid's VMMs are apart. Live, and for a
 * pid's first VMM, the key is the pid. The 1022nd and later renames of one pid share
 * a key (such a file needs a thousand reuses of one pid).
 */
#define GUEST_VMM_KEY_STRIDE		4194305u
#define GUEST_VMM_KEY_MAX_INCARNATION	1022u
static inline __u32 guest_vmm_key(__u32 pid, __u32 incarnation)
{
	if (incarnation > GUEST_VMM_KEY_MAX_INCARNATION)
		incarnation = GUEST_VMM_KEY_MAX_INCARNATION;
	return pid + incarnation * GUEST_VMM_KEY_STRIDE;
}
static inline __u32 guest_vmm_key_pid(__u32 key) { return key % GUEST_VMM_KEY_STRIDE; }
static inline __u32 guest_vmm_key_incarnation(__u32 key) { return key / GUEST_VMM_KEY_STRIDE; }
/* The guest name of a VMM key's VMM (guest_names_get_incarnation()) */
static inline const char *guest_names_of_key(__u32 key)
{
	return guest_names_get_incarnation(guest_vmm_key_pid(key), guest_vmm_key_incarnation(key));
}
/* The lowest pid in the table with pid's name (pid itself when it has none): the
 * group of a name in summaries (--by guest). */
__u32 guest_names_first_pid(__u32 pid);
/* The lowest pid that has or (offline) had name, if lower than pid; else pid. */
__u32 guest_names_first_pid_named(const char *name, __u32 pid);
/*
 * Live, the tracer's loop calls this about once a second, where it holds no name. A
 * pid whose process is another now (pid reuse: its start time changed) loses its
 * entry; a process found gone keeps its entry until the next sweep (its last calls
 * may still be on their way), then as one of the newest keep_gone gone processes
 * (guest_names_keep_gone), so that a summary names the rows of VMMs that exited;
 * older ones are forgotten (counted). A dropped entry's name is freed one sweep later.
 * A later lookup of a dropped pid reads /proc again. Offline, a no-op.
 */
void guest_names_sweep(void);
#define GUEST_NAMES_KEEP_GONE 1024
void guest_names_keep_gone(size_t n);
struct guest_names_counts {
	size_t entries;		/* pids in the table */
	size_t gone;		/* of which processes found gone */
	__u64 forgotten;	/* named gone processes dropped past keep_gone */
};
void guest_names_counts(struct guest_names_counts *c);
void guest_names_free(void);

/* Where live lookups read a process's name and start time (0: gone): /proc, or a
 * test's fake (NULL: /proc again). */
struct guest_names_source {
	bool (*name)(__u32 pid, char *out, size_t outlen);
	__u64 (*start_time)(__u32 pid);
};
void guest_names_use_source(const struct guest_names_source *source);

/* The processes whose guest name is name, from /proc: up to max pids into pids.
 * Returns how many matched (may exceed max), or -1 when /proc cannot be read. Live,
 * their names go into the table. */
int guest_names_find(const char *name, __u32 *pids, int max);
#endif
