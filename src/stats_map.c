/*
 * Reading the "stats" map (declared in bpf/smccctrace.bpf.c, written by aggregate_call()
 * in bpf/summary.bpf.h) exactly, while the guests keep calling.
 *
 * Each call is counted under a key that includes the epoch it saw (agg_epoch), in a
 * value guarded by a per-key sequence counter that is odd while the vCPU's thread
 * updates it. The vCPU thread (the only writer of its keys: KVM_RUN holds
 * vcpu->mutex) does:
 *
 *	E = agg_epoch; look up or insert key(E); seq++ (full barrier);
 *	if agg_epoch is still E: add the call, seq++;
 *	else: seq++, and start again with the new epoch.
 *
 * To read epoch E, userspace sets agg_epoch = E + 1 first. From then on no update
 * can land in E: a writer that saw E before the switch either re-reads agg_epoch
 * inside its critical section and moves on to E + 1, or was already inside it and
 * finishes before the value reads as stable. A value is stable when two copies are
 * byte-for-byte equal with an even seq (a copy torn by an update differs from the
 * next copy in seq or in the counts). Then the key is deleted: a late writer still
 * holding it aborts on the epoch check. So every call is counted in exactly one
 * epoch, and each interval's histograms add up to its counts.
 */
#include "stats_map.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "smccctrace.skel.h"

#define STABLE_TRIES 10000	/* 10000 x 100 us: a writer holds a key for well under a microsecond */

/* Copies key's value into *v once no update is in progress. */
static int read_stable(int fd, const struct agg_map_key *key, struct agg_value *v, struct agg_value *again)
{
	struct timespec pause = { .tv_nsec = 100000 };

	for (int i = 0; i < STABLE_TRIES; i++) {
		if (bpf_map_lookup_elem(fd, key, v) || bpf_map_lookup_elem(fd, key, again))
			return -1;	/* errno ENOENT: cannot happen, we are the only deleter */
		if (!(v->seq & 1) && !memcmp(v, again, sizeof(*v)))
			return 0;
		nanosleep(&pause, NULL);
	}
	errno = EBUSY;
	return -1;
}

int stats_map_collect(struct smccctrace_bpf *skel, struct agg_table *t)
{
	int fd = bpf_map__fd(skel->maps.stats);
	struct agg_map_key *keys = NULL;
	struct agg_value *v = malloc(2 * sizeof(*v));
	size_t nr = 0, cap = 0;
	__u32 open_epoch;
	int err = 0;

	if (!v)
		return -1;
	/* close the epoch; a full barrier, so that the writers' re-check sees it */
	open_epoch = __atomic_add_fetch(&skel->bss->agg_epoch, 1, __ATOMIC_SEQ_CST);

	/* all keys first: deleting while walking could restart the walk */
	while (nr < 2 * AGG_MAX_KEYS) {
		if (nr == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct agg_map_key *k = realloc(keys, ncap * sizeof(*k));

			if (!k) {
				err = -1;
				goto out;
			}
			keys = k;
			cap = ncap;
		}
		if (bpf_map_get_next_key(fd, nr ? &keys[nr - 1] : NULL, &keys[nr]))
			break;	/* ENOENT: the end */
		nr++;
	}
	for (size_t i = 0; i < nr && !err; i++) {
		/* every epoch but the open one: a late writer may have inserted an empty
		 * key under an epoch read before; it goes too */
		if (keys[i].epoch == open_epoch)
			continue;
		if (read_stable(fd, &keys[i], &v[0], &v[1]) || agg_merge(t, &keys[i].key, &v[0].stats) ||
		    bpf_map_delete_elem(fd, &keys[i]))
			err = -1;
	}
out:
	free(keys);
	free(v);
	return err;
}
