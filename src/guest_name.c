#include "guest_name.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void guest_name_clean(const char *in, size_t inlen, char *out, size_t outlen)
{
	size_t n = 0;

	if (!outlen)
		return;
	for (size_t i = 0; i < inlen && in[i] && n + 1 < outlen; i++)
		out[n++] = in[i] >= 0x20 && in[i] <= 0x7e ? in[i] : '?';
	out[n] = 0;
}

/*
 * QEMU's option syntax (util/qemu-option.c): KEY=VALUE items separated by commas, a
 * comma inside a value written twice; the first item may omit "KEY=", and for -name
 * that implied key is "guest". So `-name guest=vm1,debug-threads=on`, `-name vm1` and
 * `-name vm1,process=qemu-vm1` all name the guest vm1, and `-name a,,b` names it "a,b".
 */
bool guest_name_from_qemu_value(const char *value, char *out, size_t outlen)
{
	char item[GUEST_NAME_MAX * 2];
	bool found = false, first = true;
	const char *p = value;

	while (*p) {
		size_t n = 0;

		/* one item, ",," unescaped */
		while (*p) {
			if (*p == ',' && p[1] == ',') {
				if (n + 1 < sizeof(item))
					item[n++] = ',';
				p += 2;
			} else if (*p == ',') {
				break;
			} else {
				if (n + 1 < sizeof(item))
					item[n++] = *p;
				p++;
			}
		}
		item[n] = 0;
		if (*p == ',')
			p++;
		/* only the implied key's item has no '=' (QEMU rejects it elsewhere) */
		if (first && !strchr(item, '=')) {
			guest_name_clean(item, n, out, outlen);
			found = true;
		} else if (!strncmp(item, "guest=", 6)) {
			guest_name_clean(item + 6, n - 6, out, outlen);
			found = true;
		}
		first = false;
	}
	return found && *out;
}

/* kvmtool (lkvm, or vm in its tree) takes --name NAME as it is; QEMU's value has options */
static bool is_kvmtool(const char *argv0)
{
	const char *base = strrchr(argv0, '/');

	base = base ? base + 1 : argv0;
	return !strncmp(base, "lkvm", 4) || !strcmp(base, "vm") || strstr(base, "kvmtool");
}

bool guest_name_from_cmdline(const char *cmdline, size_t len, char *out, size_t outlen)
{
	const char *end = cmdline + len, *arg = cmdline, *value = NULL;
	bool kvmtool;

	if (!len || !outlen)
		return false;
	kvmtool = is_kvmtool(cmdline);
	/* every argument after argv[0]; the last one is NUL-terminated, or cut at len */
	for (arg += strnlen(arg, len) + 1; arg < end; arg += strnlen(arg, (size_t)(end - arg)) + 1) {
		const char *opt = arg, *next;

		if (!strcmp(opt, "--"))
			break;	/* operands from here on (kvmtool's guest command line) */
		if (opt[0] != '-')
			continue;
		opt += opt[1] == '-' ? 2 : 1;	/* QEMU takes -name and --name alike */
		if (strncmp(opt, "name", 4))
			continue;
		if (opt[4] == '=') {
			value = opt + 5;	/* --name=NAME (kvmtool; QEMU takes -name=... too) */
			continue;
		}
		if (opt[4])
			continue;		/* -named, -name-foo: other options */
		next = arg + strnlen(arg, (size_t)(end - arg)) + 1;
		if (next >= end)
			break;
		value = next;
		arg = next;		/* the value is no option */
	}
	if (!value)
		return false;
	if (kvmtool) {
		guest_name_clean(value, strnlen(value, (size_t)(end - value)), out, outlen);
		return *out;
	}
	char buf[GUEST_NAME_MAX * 4];
	size_t n = strnlen(value, (size_t)(end - value));

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	memcpy(buf, value, n);
	buf[n] = 0;
	return guest_name_from_qemu_value(buf, out, outlen);
}

static ssize_t read_proc(__u32 pid, const char *what, char *buf, size_t len)
{
	char path[64];
	ssize_t n, total = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/%s", pid, what);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)total < len && (n = read(fd, buf + total, len - (size_t)total)) > 0)
		total += n;
	close(fd);
	return total;
}

bool guest_name_of_process(__u32 pid, char *out, size_t outlen)
{
	char buf[8192];
	ssize_t n = read_proc(pid, "cmdline", buf, sizeof(buf));

	if (n > 0 && guest_name_from_cmdline(buf, (size_t)n, out, outlen))
		return true;
	n = read_proc(pid, "comm", buf, sizeof(buf) - 1);
	if (n <= 0)
		return false;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	guest_name_clean(buf, (size_t)n, out, outlen);
	return true;
}

/* A process's start time (/proc/PID/stat field 22, in clock ticks since boot): with
 * the pid, it names one process; 0 when the process is gone. */
static __u64 start_time_of_process(__u32 pid)
{
	char buf[1024], *p;
	ssize_t n = read_proc(pid, "stat", buf, sizeof(buf) - 1);
	unsigned long long start = 0;

	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* comm, field 2, may hold spaces and parentheses */
	if (!p)
		return 0;
	/* the space before each field from 3 (state) to 22, the start time */
	for (int field = 3; field <= 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &start) != 1)
		return 0;
	return start;
}

static const struct guest_names_source proc_source = { guest_name_of_process, start_time_of_process };

/*
 * The table: open addressing on the pid, rebuilt by every sweep. One entry per pid,
 * for the process that had it when it was looked up (its start time): a pid reused
 * by a new process, or a process gone for two sweeps, loses its entry at a sweep, and
 * a later lookup reads /proc again. The names of dropped entries are freed one sweep
 * later, so a name handed out stays valid across one sweep. The exporter's HTTP
 * threads may read the table while the collector fills it: one lock.
 */
struct guest_entry {
	__u32 pid;			/* 0: free */
	__u32 gone_since;		/* the sweep that first found the process gone; 0: alive */
	bool reused;			/* a sweep found another process with the pid */
	__u64 start;			/* its start time; 0: unknown (offline, or gone when looked up) */
	char *name;			/* NULL: the process was gone when looked up */
	/* offline: the pid's names before this one (a record file named it again: pid
	 * reuse), earlier[i] for incarnation i; kept, as rows and sinks hold them */
	__u32 incarnation;
	char **earlier;
};

static struct {
	struct guest_entry *slots;
	size_t cap, used;
	bool live;
	const struct guest_names_source *source;
	__u32 sweeps;
	size_t keep_gone;		/* gone processes kept past their grace sweep */
	char **retired;			/* names of entries the last sweep dropped */
	size_t nr_retired;
	__u64 forgotten;		/* named gone processes dropped past keep_gone */
} table = { .keep_gone = GUEST_NAMES_KEEP_GONE };
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static struct guest_entry *slot_in(struct guest_entry *slots, size_t cap, __u32 pid)
{
	size_t i = (pid * 2654435761u) & (cap - 1);

	while (slots[i].pid && slots[i].pid != pid)
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static struct guest_entry *slot_of(__u32 pid)
{
	return slot_in(table.slots, table.cap, pid);
}

/* The table's entries that keep() accepts, in a table of cap slots (a power of two,
 * over twice their number). The others are left in the old slots for the caller. */
static int rebuild(size_t cap, bool (*keep)(const struct guest_entry *e, void *ctx), void *ctx)
{
	struct guest_entry *slots = calloc(cap, sizeof(*slots));
	size_t used = 0;

	if (!slots)
		return -1;
	for (size_t i = 0; i < table.cap; i++) {
		if (!table.slots[i].pid || (keep && !keep(&table.slots[i], ctx)))
			continue;
		*slot_in(slots, cap, table.slots[i].pid) = table.slots[i];
		table.slots[i].name = NULL;	/* moved */
		used++;
	}
	free(table.slots);
	table.slots = slots;
	table.cap = cap;
	table.used = used;
	return 0;
}

static struct guest_entry *entry(__u32 pid, bool *fresh)
{
	struct guest_entry *e;

	if ((table.used + 1) * 2 > table.cap && rebuild(table.cap ? table.cap * 2 : 64, NULL, NULL))
		return NULL;
	e = slot_of(pid);
	*fresh = !e->pid;
	if (*fresh) {
		*e = (struct guest_entry){ .pid = pid };
		table.used++;
	}
	return e;
}

void guest_names_live(void)
{
	table.live = true;
	if (!table.source)
		table.source = &proc_source;
}

void guest_names_use_source(const struct guest_names_source *source)
{
	pthread_mutex_lock(&table_lock);
	table.source = source ? source : &proc_source;
	pthread_mutex_unlock(&table_lock);
}

/* A live pid's entry, looked up in /proc when new: its start time first, so that a
 * process that replaces it between the two reads is caught by the next sweep. */
static struct guest_entry *live_entry(__u32 pid)
{
	char name[GUEST_NAME_MAX];
	struct guest_entry *e;
	bool fresh;

	e = entry(pid, &fresh);
	if (e && fresh) {
		e->start = table.source->start_time(pid);
		if (e->start && table.source->name(pid, name, sizeof(name)))
			e->name = strdup(name);
		if (!e->name)
			e->start = 0;	/* gone (or out of memory): a later process with the pid is new */
	}
	return e;
}

/*
 * Offline, a record file names a pid again when its VMM exited and another took the
 * pid (sink_record.c): the new name is the pid's from here on, a new incarnation.
 * The old name stays allocated until guest_names_free(): rows and sinks hold it, and
 * a name handed out stays valid. Memory grows with the file's PROCESS records only.
 */
static int rename_offline(struct guest_entry *e, const char *name)
{
	char *copy;
	char **earlier;

	if (e->incarnation == UINT32_MAX)
		return 0;	/* 2^32 names take a file of 70 GB: the last one stays */
	earlier = realloc(e->earlier, ((size_t)e->incarnation + 1) * sizeof(*earlier));
	if (!earlier)
		return -1;
	e->earlier = earlier;
	copy = strdup(name);
	if (!copy)
		return -1;
	earlier[e->incarnation++] = e->name;
	e->name = copy;
	return 0;
}

int guest_names_set(__u32 pid, const char *name)
{
	struct guest_entry *e;
	bool fresh;
	int rc = -1;

	pthread_mutex_lock(&table_lock);
	/* live, the entry is the process's own (its start time), whatever name was passed */
	e = table.live ? live_entry(pid) : entry(pid, &fresh);
	if (e && !e->name)
		e->name = strdup(name);
	if (e && e->name)
		rc = table.live || !strcmp(e->name, name) ? 0 : rename_offline(e, name);
	pthread_mutex_unlock(&table_lock);
	return rc;
}

const char *guest_names_lookup(__u32 pid, __u32 *incarnation)
{
	struct guest_entry *e;
	const char *found = NULL;

	if (incarnation)
		*incarnation = 0;
	if (!pid)
		return NULL;
	pthread_mutex_lock(&table_lock);
	if (!table.live) {
		if (table.cap && (e = slot_of(pid))->pid) {
			found = e->name;
			if (incarnation)
				*incarnation = e->incarnation;
		}
	} else if ((e = live_entry(pid))) {
		found = e->name;	/* a pid gone before its first lookup stays unnamed */
	}
	pthread_mutex_unlock(&table_lock);
	return found;
}

const char *guest_names_get(__u32 pid)
{
	return guest_names_lookup(pid, NULL);
}

const char *guest_names_get_incarnation(__u32 pid, __u32 incarnation)
{
	struct guest_entry *e;
	const char *found = NULL;
	bool live;

	pthread_mutex_lock(&table_lock);
	live = table.live;
	if (!live && pid && table.cap && (e = slot_of(pid))->pid && incarnation <= e->incarnation)
		found = incarnation < e->incarnation ? e->earlier[incarnation] : e->name;
	pthread_mutex_unlock(&table_lock);
	if (live)	/* one incarnation, the process's that has the pid */
		return incarnation ? NULL : guest_names_get(pid);
	return found;
}

/* Whether entry e has (or, offline, had) the name */
static bool had_name(const struct guest_entry *e, const char *name)
{
	if (e->name && !strcmp(e->name, name))
		return true;
	for (__u32 i = 0; i < e->incarnation; i++)
		if (!strcmp(e->earlier[i], name))
			return true;
	return false;
}

__u32 guest_names_first_pid_named(const char *name, __u32 pid)
{
	__u32 first = pid;

	if (!name)
		return pid;
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table.cap; i++)
		if (table.slots[i].pid && table.slots[i].pid < first && had_name(&table.slots[i], name))
			first = table.slots[i].pid;
	pthread_mutex_unlock(&table_lock);
	return first;
}

__u32 guest_names_first_pid(__u32 pid)
{
	return guest_names_first_pid_named(guest_names_get(pid), pid);
}

/* Sweeps (a sweep's number, from 1) */
struct sweep {
	__u32 keep_gone_from;		/* gone entries first found gone before this go */
};

static bool keep_entry(const struct guest_entry *e, void *ctx)
{
	const struct sweep *sw = ctx;
	char **r;

	if (!e->reused && (!e->gone_since || e->gone_since >= sw->keep_gone_from))
		return true;
	r = realloc(table.retired, (table.nr_retired + 1) * sizeof(*r));
	if (!r)
		return true;	/* out of memory: kept until a later sweep */
	table.retired = r;
	table.retired[table.nr_retired++] = e->name;
	if (!e->reused && e->name && table.keep_gone)
		table.forgotten++;	/* past the bound (the exporter keeps none on purpose) */
	return false;
}

static int by_number(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return (x > y) - (x < y);
}

void guest_names_sweep(void)
{
	struct sweep sw;
	__u32 *gone = NULL;
	size_t nr_gone = 0;

	pthread_mutex_lock(&table_lock);
	if (!table.live)
		goto out;
	/* the names the last sweep dropped: held by nobody now (guest_names_get's contract) */
	for (size_t i = 0; i < table.nr_retired; i++)
		free(table.retired[i]);
	table.nr_retired = 0;
	if (!table.cap || !(gone = calloc(table.used + 1, sizeof(*gone))))
		goto out;
	table.sweeps++;
	for (size_t i = 0; i < table.cap; i++) {
		struct guest_entry *e = &table.slots[i];
		__u64 start;

		if (!e->pid)
			continue;
		start = table.source->start_time(e->pid);
		if (start && start == e->start) {
			e->gone_since = 0;
		} else if (start) {
			e->reused = true;	/* another process has the pid: the name is not its */
		} else {
			if (!e->gone_since)
				e->gone_since = table.sweeps;
			gone[nr_gone++] = e->gone_since;
		}
	}
	/* a process found gone now is kept until the next sweep (its last calls may still
	 * come); then the newest table.keep_gone gone ones (names for a summary's rows) */
	sw.keep_gone_from = table.sweeps;
	if (nr_gone > table.keep_gone) {
		qsort(gone, nr_gone, sizeof(*gone), by_number);
		if (table.keep_gone && gone[nr_gone - table.keep_gone] < sw.keep_gone_from)
			sw.keep_gone_from = gone[nr_gone - table.keep_gone];
	} else {
		sw.keep_gone_from = 0;	/* all kept */
	}
	if (rebuild(table.cap, keep_entry, &sw))
		goto out;
	/* the table shrinks as processes go */
	while (table.cap > 64 && (table.used + 1) * 8 < table.cap && !rebuild(table.cap / 2, NULL, NULL))
		;
out:
	free(gone);
	pthread_mutex_unlock(&table_lock);
}

void guest_names_keep_gone(size_t n)
{
	pthread_mutex_lock(&table_lock);
	table.keep_gone = n;
	pthread_mutex_unlock(&table_lock);
}

void guest_names_counts(struct guest_names_counts *c)
{
	pthread_mutex_lock(&table_lock);
	*c = (struct guest_names_counts){ .entries = table.used, .forgotten = table.forgotten };
	for (size_t i = 0; i < table.cap; i++)
		if (table.slots[i].pid && table.slots[i].gone_since)
			c->gone++;
	pthread_mutex_unlock(&table_lock);
}

void guest_names_free(void)
{
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table.cap; i++) {
		free(table.slots[i].name);
		for (__u32 j = 0; j < table.slots[i].incarnation; j++)
			free(table.slots[i].earlier[j]);
		free(table.slots[i].earlier);
	}
	free(table.slots);
	for (size_t i = 0; i < table.nr_retired; i++)
		free(table.retired[i]);
	free(table.retired);
	memset(&table, 0, sizeof(table));
	table.keep_gone = GUEST_NAMES_KEEP_GONE;
	pthread_mutex_unlock(&table_lock);
}

int guest_names_find(const char *name, __u32 *pids, int max)
{
	char found[GUEST_NAME_MAX];
	struct dirent *d;
	int n = 0;
	DIR *proc = opendir("/proc");

	if (!proc)
		return -1;
	while ((d = readdir(proc))) {
		char *end;
		unsigned long pid = strtoul(d->d_name, &end, 10);

		if (!isdigit((unsigned char)d->d_name[0]) || *end || !pid || pid > 4194304 ||
		    pid == (unsigned long)getpid())
			continue;
		if (!guest_name_of_process((__u32)pid, found, sizeof(found)) || strcmp(found, name))
			continue;
		if (n < max)
			pids[n] = (__u32)pid;
		n++;
		if (table.live)
			guest_names_set((__u32)pid, found);
	}
	closedir(proc);
	return n;
}
