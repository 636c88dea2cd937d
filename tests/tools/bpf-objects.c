/* bpf-objects: prints how many BPF programs, maps and links the kernel holds, and
 * the names of the programs, so that a test can check that smccctrace left nothing
 * behind after it exited (bpftool is not in the test bed's initramfs). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

static unsigned count(int (*next)(__u32, __u32 *))
{
	__u32 id = 0;
	unsigned n = 0;

	while (!next(id, &id))
		n++;
	return n;
}

int main(void)
{
	__u32 id = 0;

	printf("progs %u maps %u links %u\n", count(bpf_prog_get_next_id), count(bpf_map_get_next_id),
	       count(bpf_link_get_next_id));
	while (!bpf_prog_get_next_id(id, &id)) {
		struct bpf_prog_info info;
		__u32 len = sizeof(info);
		int fd = bpf_prog_get_fd_by_id(id);

		if (fd < 0)
			continue;
		memset(&info, 0, sizeof(info));
		if (!bpf_obj_get_info_by_fd(fd, &info, &len))
			printf("prog %u %s\n", id, info.name);
		close(fd);
	}
	return 0;
}
