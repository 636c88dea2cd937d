/* scrape-flood HOST PORT N THREADS LIMIT_S: N GET /metrics requests to HOST:PORT (one
 * connection each), THREADS at a time, for at most LIMIT_S seconds. Prints one JSON
 * line: requests made, 200s, failures, seconds, the slowest request, and how many
 * distinct pages were served (an exporter that serves a snapshot serves one page per
 * collection, whatever the number of scrapes). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_PAGES 4096

static struct sockaddr_in addr;
static unsigned long total, limit_ns;
static unsigned long next_req, ok, failed, slowest_ns;
static uint64_t pages[MAX_PAGES];
static unsigned nr_pages;
static uint64_t start_ns;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* One request; returns the FNV-1a hash of the body of a 200, or 0. */
static uint64_t scrape(char *buf, size_t size)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
	struct timeval tv = { .tv_sec = 10 };
	size_t got = 0;
	uint64_t h = 1469598103934665603ull;
	char *body;
	ssize_t n;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&addr, sizeof(addr)) || write(fd, req, sizeof(req) - 1) != sizeof(req) - 1) {
		close(fd);
		return 0;
	}
	while (got < size - 1 && (n = read(fd, buf + got, size - 1 - got)) > 0)
		got += (size_t)n;
	close(fd);
	buf[got] = 0;
	if (strncmp(buf, "HTTP/1.1 200", 12) || !(body = strstr(buf, "\r\n\r\n")))
		return 0;
	for (const char *p = body + 4; p < buf + got; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return h ? h : 1;
}

static void *worker(void *arg)
{
	size_t size = 64 << 20;
	char *buf = malloc(size);

	(void)arg;
	for (;;) {
		uint64_t t0 = now_ns(), h, dt;

		pthread_mutex_lock(&lock);
		if (next_req >= total || t0 - start_ns > limit_ns) {
			pthread_mutex_unlock(&lock);
			break;
		}
		next_req++;
		pthread_mutex_unlock(&lock);
		h = buf ? scrape(buf, size) : 0;
		dt = now_ns() - t0;
		pthread_mutex_lock(&lock);
		if (h) {
			unsigned i;

			ok++;
			for (i = 0; i < nr_pages && pages[i] != h; i++)
				;
			if (i == nr_pages && nr_pages < MAX_PAGES)
				pages[nr_pages++] = h;
		} else {
			failed++;
		}
		if (dt > slowest_ns)
			slowest_ns = dt;
		pthread_mutex_unlock(&lock);
	}
	free(buf);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th[64];
	int nr;

	if (argc != 6 || inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
		fprintf(stderr, "usage: scrape-flood HOST PORT N THREADS LIMIT_S\n");
		return 2;
	}
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[2]));
	total = strtoul(argv[3], NULL, 10);
	nr = atoi(argv[4]);
	limit_ns = strtoul(argv[5], NULL, 10) * 1000000000ul;
	if (nr < 1 || nr > 64)
		return 2;
	start_ns = now_ns();
	for (int i = 0; i < nr; i++)
		pthread_create(&th[i], NULL, worker, NULL);
	for (int i = 0; i < nr; i++)
		pthread_join(th[i], NULL);
	printf("{\"requests\":%lu,\"ok\":%lu,\"failed\":%lu,\"seconds\":%.3f,\"slowest_s\":%.3f,\"distinct_pages\":%u}\n",
	       next_req, ok, failed, (now_ns() - start_ns) / 1e9, slowest_ns / 1e9, nr_pages);
	return 0;
}
