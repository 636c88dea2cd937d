#include "guest_name.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
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

/* The table: open addressing on the pid, grown at half full. Names are never freed
 * before the table is (guest_names_get's pointers stay valid). The exporter's HTTP
 * threads read it while the collector fills it: one lock. */
struct guest_entry {
	__u32 pid;			/* 0: free */
	char *name;			/* NULL: the process was gone when looked up */
};

static struct {
	struct guest_entry *slots;
	size_t cap, used;
	bool live;
} table;
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;

static struct guest_entry *slot_of(__u32 pid)
{
	size_t i = (pid * 2654435761u) & (table.cap - 1);

	while (table.slots[i].pid && table.slots[i].pid != pid)
		i = (i + 1) & (table.cap - 1);
	return &table.slots[i];
}

static int grow(void)
{
	struct guest_entry *old = table.slots;
	size_t old_cap = table.cap, cap = old_cap ? old_cap * 2 : 64;
	struct guest_entry *slots = calloc(cap, sizeof(*slots));

	if (!slots)
		return -1;
	table.slots = slots;
	table.cap = cap;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].pid)
			*slot_of(old[i].pid) = old[i];
	free(old);
	return 0;
}

static struct guest_entry *entry(__u32 pid, bool *fresh)
{
	struct guest_entry *e;

	if ((table.used + 1) * 2 > table.cap && grow())
		return NULL;
	e = slot_of(pid);
	*fresh = !e->pid;
	if (*fresh) {
		e->pid = pid;
		e->name = NULL;
		table.used++;
	}
	return e;
}

void guest_names_live(void)
{
	table.live = true;
}

int guest_names_set(__u32 pid, const char *name)
{
	struct guest_entry *e;
	bool fresh;
	int rc = -1;

	pthread_mutex_lock(&table_lock);
	e = entry(pid, &fresh);
	/* a name handed out stays valid: a pid's first name is kept */
	if (e && (e->name || (e->name = strdup(name))))
		rc = 0;
	pthread_mutex_unlock(&table_lock);
	return rc;
}

const char *guest_names_get(__u32 pid)
{
	char name[GUEST_NAME_MAX];
	struct guest_entry *e;
	bool fresh;

	const char *found = NULL;

	if (!pid)
		return NULL;
	pthread_mutex_lock(&table_lock);
	if (!table.live) {
		if (table.cap && (e = slot_of(pid))->pid)
			found = e->name;
	} else if ((e = entry(pid, &fresh))) {
		/* read once: a pid gone before its first call stays unnamed */
		if (fresh && guest_name_of_process(pid, name, sizeof(name)))
			e->name = strdup(name);
		found = e->name;
	}
	pthread_mutex_unlock(&table_lock);
	return found;
}

__u32 guest_names_first_pid(__u32 pid)
{
	const char *name = guest_names_get(pid);
	__u32 first = pid;

	if (!name)
		return pid;
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table.cap; i++)
		if (table.slots[i].pid && table.slots[i].pid < first && table.slots[i].name &&
		    !strcmp(table.slots[i].name, name))
			first = table.slots[i].pid;
	pthread_mutex_unlock(&table_lock);
	return first;
}

void guest_names_free(void)
{
	pthread_mutex_lock(&table_lock);
	for (size_t i = 0; i < table.cap; i++)
		free(table.slots[i].name);
	free(table.slots);
	memset(&table, 0, sizeof(table));
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
