/*
 * --listen (src/tracer.c loads and attaches, then hands over here).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <malloc.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/libbpf.h>

#include "diag.h"
#include "exporter.h"
#include "exporter_fold.h"
#include "exporter_metrics.h"
#include "guest_name.h"
#include "smccctrace.skel.h"
#include "stats_map.h"
#include "tracer_internal.h"
#include "version.h"
#include "web_config.h"

/*
 * --listen: a Prometheus exporter. The kernel counts calls as for --summary, with no
 * ring-buffer traffic. Every --listen-interval this thread (the collector) moves the
 * kernel's counts into a table that only grows (stats_map_collect), so the counters
 * Prometheus sees never go down and the kernel's table never fills up on a long run,
 * and renders the page (exporter_metrics.c) into a snapshot. Scrapes, on the HTTP
 * server's thread, copy the latest snapshot: they do no kernel work, however many
 * clients ask and however often.
 */
#define EXPORTER_MMAP_THRESHOLD (128 * 1024)
#define LIVE_VMS_WALK 4	/* steps of a walk of vm_ids, per entry: it restarts where a VM goes */

struct exporter_source {
	struct tracer *t;
	struct agg_table *calls;	/* every call counted since the start */
	struct agg_table *interval;	/* the calls of one collection, before they join calls */
	struct exporter_status st;
	struct exporter_fold fold;	/* exited VMMs, destroyed VMs (src/exporter_fold.h) */
	__u32 *live_vms;		/* vm_ids' numbers; NULL: no VM-destroy hook, no VM folds */
	size_t live_vms_cap;
	pthread_mutex_t lock;		/* guards the snapshot: the collector swaps, scrapes copy */
	char *page;			/* the latest /metrics page; NULL: the last rendering failed */
	size_t page_len;
};

static bool pid_alive(__u32 pid)
{
	return !(kill((pid_t)pid, 0) && errno == ESRCH);
}

/*
 * The numbers of the VMs alive now (map vm_ids, whose entries on_vm_destroy() deletes),
 * in the map's order. A walk whose current key is deleted starts again from the first: a live VM is
 * never missed, some are seen twice; live_vms holds a number per step. Returns how
 * many, or -1 (this collection folds no VM).
 */
static ssize_t read_live_vms(struct exporter_source *src)
{
	const struct bpf_map *vm_ids = src->t->bpf.skel->maps.vm_ids;
	__u64 key, next;
	size_t n = 0;

	for (size_t step = 0;; step++) {
		int e = bpf_map__get_next_key(vm_ids, step ? &key : NULL, &next, sizeof(next));

		if (e) {
			if (e != -ENOENT)
				return -1;
			break;	/* the end */
		}
		if (step == src->live_vms_cap)
			return -1;	/* VMs come and go faster than the walk */
		key = next;
		if (!bpf_map__lookup_elem(vm_ids, &key, sizeof(key), &src->live_vms[n], sizeof(src->live_vms[n]), 0))
			n++;	/* else deleted since */
	}
	return (ssize_t)n;
}

/*
 * The series of VMMs that exited and of VMs destroyed under a live VMM are shown one
 * more time, then folded into pid "exited" and vm "destroyed" (exporter_fold.h). The
 * VMs alive are read after the counts: a VM number in the counts is either live in the
 * snapshot or gone for good (numbers are never given twice).
 */
static void fold_gone(struct exporter_source *src)
{
	ssize_t nr_live = src->live_vms ? read_live_vms(src) : -1;

	exporter_fold_gone(&src->fold, src->calls, nr_live < 0 ? NULL : src->live_vms, nr_live < 0 ? 0 : (size_t)nr_live);
}

/*
 * The cap on series (--max-series): a key new to the table gets its own rows while
 * the table has fewer than max_series keys; past that its calls go to the overflow
 * series of its function and disposition (pid, vm, vcpu "overflow"; at most one per
 * function the decoder knows or service, since unknown IDs are folded) and it counts in
 * smccctrace_dropped_series_total. No call is lost and the table stays bounded.
 */
static int admit(struct exporter_source *src, const struct agg_key *k, const struct agg_stats *s)
{
	struct agg_key overflow;

	if (agg_size(src->calls) < src->t->opts.max_series || agg_contains(src->calls, k))
		return agg_merge(src->calls, k, s);
	overflow = *k;
	overflow.pid = EXPORTER_OVERFLOW_PID;
	overflow.vm = 0;
	overflow.vcpu = 0;
	src->st.dropped_series++;
	return agg_merge(src->calls, &overflow, s);
}

/* Reads what the kernel counted since the last collection into src->calls. */
static int collect_kernel(struct exporter_source *src)
{
	struct agg_row *rows = NULL;
	size_t n;
	int rc = 0;

	agg_reset(src->interval);
	if (stats_map_collect(src->t->bpf.skel, src->interval))
		rc = -1;	/* what was read still counts */
	n = agg_rows(src->interval, AGG_BY__ALL, &rows);
	if (n == (size_t)-1)
		return -1;
	for (size_t i = 0; i < n; i++)
		if (admit(src, &rows[i].key, &rows[i].stats))
			rc = -1;
	free(rows);
	return rc;
}

/* The collector's work: read the kernel, fold exited VMMs and destroyed VMs, render the page. */
static void collect(struct exporter_source *src)
{
	char *page = NULL, *old;
	size_t len = 0;
	FILE *out = open_memstream(&page, &len);
	int rc;

	src->st.up = !collect_kernel(src);
	fold_gone(src);
	src->st.lost = lost_events(src->t);
	src->st.lost_by_cause = src->t->drops;
	src->st.keys = agg_size(src->calls);
	rc = out ? exporter_metrics_render(out, src->calls, &src->st) : -1;
	if ((out && fclose(out)) || rc) {
		free(page);
		page = NULL;	/* scrapes get a 500 until the next collection works */
	}
	pthread_mutex_lock(&src->lock);
	old = src->page;
	src->page = page;
	src->page_len = page ? len : 0;
	pthread_mutex_unlock(&src->lock);
	free(old);
	guest_names_sweep();	/* the page holds copies of the names */
}

/* A scrape: a copy of the latest snapshot. */
static int serve_snapshot(FILE *out, void *ctx)
{
	struct exporter_source *src = ctx;
	int rc = -1;

	pthread_mutex_lock(&src->lock);
	if (src->page && fwrite(src->page, 1, src->page_len, out) == src->page_len)
		rc = 0;
	pthread_mutex_unlock(&src->lock);
	return rc;
}

/* 127.0.0.0/8 or ::1: only this host can connect */
static bool loopback(const struct listen_addr *a)
{
	if (a->sa.ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)&a->sa)->sin_addr.s_addr) >> 24) == 127;
	return a->sa.ss_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)&a->sa)->sin6_addr);
}

int exporter_prepare(struct tracer *t)
{
	char err[512];

	t->listen_fd = exporter_listen(&t->opts.listen_addr, err, sizeof(err));
	if (t->listen_fd < 0) {
		exporter_release(t);
		return errorf("%s", err);
	}
	if (!loopback(&t->opts.listen_addr) && !(t->web && t->web->cert_pem))
		fprintf(stderr, "smccctrace: warning: --listen %s serves every guest's calls to anyone who can reach "
			"it, in clear and without authentication (--web-config adds TLS and basic auth)\n",
			t->opts.listen_addr.text);
	return 0;
}

void exporter_release(struct tracer *t)
{
	if (t->listen_fd >= 0)
		close(t->listen_fd);
	t->listen_fd = -1;
	web_config_free(t->web);
	t->web = NULL;
}

/* The tables, and where the VM-destroy hook retires VM numbers, the live VMs' buffer.
 * Returns 0, or -1 when out of memory (source_free() cleans up either way). */
static int source_init(struct exporter_source *src, struct tracer *t)
{
	src->t = t;
	exporter_fold_init(&src->fold, pid_alive);
	src->calls = agg_new();
	src->interval = agg_new();
	if (plan_retires_vm_numbers(&t->bpf.plan)) {
		src->live_vms_cap = LIVE_VMS_WALK * (size_t)bpf_map__max_entries(t->bpf.skel->maps.vm_ids);
		src->live_vms = calloc(src->live_vms_cap, sizeof(*src->live_vms));
		if (!src->live_vms)
			return -1;
	} else if (t->opts.verbose) {
		fprintf(stderr, "smccctrace: kvm_arch_destroy_vm is not hooked: a destroyed VM's series stay "
			"until its VMM exits\n");
	}
	return src->calls && src->interval ? 0 : -1;
}

static void source_free(struct exporter_source *src)
{
	agg_free(src->calls);
	agg_free(src->interval);
	free(src->live_vms);
	free(src->page);
}

int run_exporter(struct tracer *t)
{
	struct exporter_source src = { 0 };
	__u64 deadline = UINT64_MAX, interval_ns, next;
	struct exporter *http;
	struct timespec rt;
	char err[256];

	if (t->bpf.plan.mech == MECH_TRACEPOINT)
		return errorf("--listen needs the function ID of every call; the tracepoint plan does not see it for SMCs");
	if (source_init(&src, t)) {
		source_free(&src);
		return errorf("out of memory");
	}
	if (begin_trace(t)) {
		source_free(&src);
		return output_error(t);
	}
	clock_gettime(CLOCK_REALTIME, &rt);
	src.st = (struct exporter_status){
		.version = SMCCCTRACE_VERSION, .plan = t->totals.plan, .handler = t->totals.handler,
		.kernel = t->kernel.release, .start_time_ns = (__u64)rt.tv_sec * 1000000000ull + (__u64)rt.tv_nsec,
	};
	pthread_mutex_init(&src.lock, NULL);
	/* an exited VMM's series are folded after one more scrape: no name kept past it
	 * (a destroyed VM's series keep their live VMM's name: guest is per pid) */
	guest_names_keep_gone(0);
	/*
	 * Every collection allocates and frees blocks of a few hundred KiB whose sizes
	 * follow the keys (row arrays of ~4.4 KiB a key, the page). glibc raises its mmap
	 * threshold past a block's size when one is freed, so from the second collection
	 * on they all come from the heap, which then grows a step each time a new mix of
	 * sizes does not fit its holes: +1.2 MiB over the first minute of a soak, and
	 * more later (docs/reliability.md, "The exporter's memory"). A fixed threshold
	 * (which ends the adjustment) maps them and gives them back when freed.
	 */
	mallopt(M_MMAP_THRESHOLD, EXPORTER_MMAP_THRESHOLD);
	collect(&src);	/* the first scrape finds a page */
	http = exporter_start_on(t->listen_fd, &t->opts.listen_addr, t->web, serve_snapshot, &src, t->opts.verbose,
				 err, sizeof(err));
	t->listen_fd = -1;	/* the server's now, or closed */
	if (!http) {
		source_free(&src);
		return errorf("%s", err);
	}
	fprintf(stderr, "smccctrace: serving metrics on %s://%s:%u/metrics%s\n", t->web && t->web->cert_pem ? "https" : "http",
		t->opts.listen_addr.host, exporter_port(http), t->web && t->web->nr_users ? " (basic auth)" : "");
	if (t->opts.duration_s > 0)
		deadline = t->t0_ns + (__u64)(t->opts.duration_s * 1e9);
	interval_ns = (__u64)(t->opts.listen_interval_s * 1e9);
	next = monotonic_ns() + interval_ns;
	while (!stop_signal && monotonic_ns() < deadline && !traced_vmms_gone(t)) {
		nap_until(deadline < next ? deadline : next);
		if (monotonic_ns() >= next) {
			collect(&src);
			next = monotonic_ns() + interval_ns;
		}
	}
	exporter_stop(http);	/* no scrape runs after this */
	free(src.page);
	src.page = NULL;
	pthread_mutex_destroy(&src.lock);
	if (collect_kernel(&src))
		errorf("cannot read the kernel's counts: %s", strerror(errno));
	t->totals.calls = agg_calls(src.calls, t->totals.by_disposition);
	t->totals.lost = lost_events(t);
	t->totals.duration_s = (monotonic_ns() - t->t0_ns) / 1e9;
	if (src.st.dropped_series)
		fprintf(stderr, "smccctrace: %llu series past --max-series %u were counted under pid \"overflow\"\n",
			(unsigned long long)src.st.dropped_series, t->opts.max_series);
	source_free(&src);
	print_totals(&t->totals);
	return 0;
}

