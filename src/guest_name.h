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
 * known; live (guest_names_live, the tracer), a pid not in it is looked up in /proc once. */
void guest_names_live(void);
/* Returns 0, or -1 when out of memory. */
int guest_names_set(__u32 pid, const char *name);
/* The pid's guest name, NULL when unknown (a VMM gone before it was looked up, a
 * record file without process records). Valid until the table is freed. */
const char *guest_names_get(__u32 pid);
/* The lowest pid in the table with pid's name (pid itself when it has none): the
 * group of a name in summaries (--by guest). */
__u32 guest_names_first_pid(__u32 pid);
void guest_names_free(void);

/* The processes whose guest name is name, from /proc: up to max pids into pids.
 * Returns how many matched (may exceed max), or -1 when /proc cannot be read. Live,
 * their names go into the table. */
int guest_names_find(const char *name, __u32 *pids, int max);
#endif
