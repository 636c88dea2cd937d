// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the exporter's HTTP server (src/exporter.c) serving a fixed
 * table through the real metrics renderer: GET /metrics and /, 404 and 405, the
 * --listen parser, then a burst of malformed requests, oversized headers, half-sent
 * requests and more connections than allowed. After each, the server must still
 * answer a good scrape with the same page (and, under ASan, not have touched memory
 * it should not).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "unit.h"
#include "exposition.h"
#include "aggregate.h"
#include "exporter.h"
#include "exporter_metrics.h"
#include "listen_addr.h"

static unsigned port;
static struct agg_table *table;
static int fail_render;

static int render(FILE *out, void *ctx)
{
	const struct exporter_status st = { .up = true, .version = ctx, .plan = "fentry/fexit",
					    .handler = "kvm_smccc_call_handler", .kernel = "test" };

	if (fail_render)
		return -1;
	return exporter_metrics_render(out, table, &st);
}

static int connect_local(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((unsigned short)port) };
	struct timeval tv = { .tv_sec = 5 };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd);
		return -1;
	}
	return fd;
}

static const char *body_of(const char *r);
static int status_of(const char *r);

/* What the client saw of the server's own answers, to compare with its counts. */
static unsigned long pages_seen, refusals_seen;

static void count_reply(const char *r)
{
	const char *b = body_of(r);

	if (status_of(r) == 200 && !strncmp(b, "# HELP smccctrace_up ", 21))
		pages_seen++;
	else if ((status_of(r) == 405 && strstr(r, "\r\nAllow: GET\r\n")) ||	/* no body for HEAD */
		 !strcmp(b, "not found: try /metrics\n") || !strcmp(b, "smccctrace: cannot read the kernel's counters\n"))
		refusals_seen++;
}

/* The bytes of the first response in r, once it is all there (its Content-Length);
 * 0 before. */
static size_t response_len(const char *r)
{
	const char *cl = strstr(r, "Content-Length: "), *body = strstr(r, "\r\n\r\n");

	if (!cl || !body || cl > body)
		return 0;
	return (size_t)(body + 4 - r) + strtoul(cl + 16, NULL, 10);
}

/* Sends len bytes of req, then reads into resp until a whole response is there, the
 * server closes, or 5 s pass. Returns the bytes read, -1 if the connection failed. */
static ssize_t exchange(const char *req, size_t len, char *resp, size_t resp_len)
{
	int fd = connect_local();
	size_t got = 0;
	ssize_t n;

	if (fd < 0)
		return -1;
	for (size_t sent = 0; sent < len; sent += (size_t)n) {
		n = send(fd, req + sent, len - sent, MSG_NOSIGNAL);
		if (n <= 0)
			break;	/* the server may close early on garbage: that is fine */
	}
	shutdown(fd, SHUT_WR);
	resp[0] = 0;
	while (got + 1 < resp_len && (n = recv(fd, resp + got, resp_len - got - 1, 0)) > 0) {
		size_t want;

		got += (size_t)n;
		resp[got] = 0;
		want = response_len(resp);
		if (want && got >= want)
			break;
	}
	resp[got] = 0;
	close(fd);
	count_reply(resp);
	return (ssize_t)got;
}

static char resp[1 << 20];

static ssize_t request(const char *req)
{
	return exchange(req, strlen(req), resp, sizeof(resp));
}

static int status_of(const char *r)
{
	int status = 0;

	return sscanf(r, "HTTP/1.%*d %d", &status) == 1 ? status : 0;
}

static const char *body_of(const char *r)
{
	const char *b = strstr(r, "\r\n\r\n");

	return b ? b + 4 : "";
}

#define GET_METRICS "GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"

/* A good scrape: 200, the exposition content type, the page the renderer makes. */
static void check_scrape(const char *when, const char *want_body)
{
	struct expo_page pg;

	request(GET_METRICS);
	CHECK(status_of(resp) == 200, "%s: GET /metrics is 200, got '%.40s'", when, resp);
	CHECK(strstr(resp, "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") != NULL,
	      "%s: exposition content type", when);
	CHECK(!strcmp(body_of(resp), want_body), "%s: the body is the rendered page", when);
	CHECK(expo_parse(body_of(resp), &pg), "%s: the body parses: %s", when, pg.error);
	expo_free(&pg);
}

static void test_listen_parse(void)
{
	static const char *const bad[] = {
		"", ":9464", "localhost:9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
		"127.0.0.1:0x10", "127.0.0.1:9464x", "1.2.3:80", "::1:9464", "[::1]", "[::1]9464", "[]:80",
		"[127.0.0.1]:80", "[::1]:99999", "1.2.3.4[", "999.1.1.1:80", "9464 ",
	};
	struct listen_addr a;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = listen_addr_parse(bad[i], &a, err, sizeof(err));

		CHECK(rc == -1 && !strncmp(err, "--listen: ", 10) && !strchr(err, '\n'),
		      "--listen '%s' is rejected with one line (%s)", bad[i], err);
	}
	CHECK(listen_addr_parse("9464", &a, err, sizeof(err)) == 0 && a.sa.ss_family == AF_INET &&
	      ((struct sockaddr_in *)&a.sa)->sin_addr.s_addr == htonl(INADDR_LOOPBACK), "a bare port is loopback");
	CHECK_STR(a.text, "127.0.0.1:9464");
	CHECK(listen_addr_parse("0.0.0.0:80", &a, err, sizeof(err)) == 0 &&
	      ntohs(((struct sockaddr_in *)&a.sa)->sin_port) == 80, "0.0.0.0:80");
	CHECK(listen_addr_parse("[::1]:9464", &a, err, sizeof(err)) == 0 && a.sa.ss_family == AF_INET6 &&
	      a.len == sizeof(struct sockaddr_in6), "[::1]:9464");
	CHECK_STR(a.text, "[::1]:9464");
	CHECK_STR(a.host, "[::1]");
	CHECK(listen_addr_parse("10.0.2.15:09464", &a, err, sizeof(err)) == 0 &&
	      ntohs(((struct sockaddr_in *)&a.sa)->sin_port) == 9464, "leading zeros are decimal");
}

static void test_routes(const char *page)
{
	check_scrape("first", page);
	request("GET /metrics?name[]=up HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK_INT(status_of(resp), 200);
	request("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
	CHECK(status_of(resp) == 200 && strstr(resp, "href=\"/metrics\""), "GET / links to /metrics");
	request("GET /metrics HTTP/1.0\r\n\r\n");
	CHECK(status_of(resp) == 200 && !strcmp(body_of(resp), page), "HTTP/1.0 without Host");

	static const char *const not_found[] = { "/nope", "/metrics/", "/metricsx", "//metrics", "/../metrics" };
	for (size_t i = 0; i < sizeof(not_found) / sizeof(not_found[0]); i++) {
		char req[256];

		snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", not_found[i]);
		request(req);
		CHECK(status_of(resp) == 404, "GET %s is 404, got '%.40s'", not_found[i], resp);
	}
	static const char *const methods[] = { "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "BREW" };
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		char req[256];

		snprintf(req, sizeof(req), "%s /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
			 "Content-Length: 5\r\n\r\nhello", methods[i]);
		request(req);
		CHECK(status_of(resp) == 405 && strstr(resp, "Allow: GET\r\n"), "%s /metrics is 405 with Allow: GET, got '%.40s'",
		      methods[i], resp);
	}
	/* keep-alive: a second scrape on the connection of the first */
	int fd = connect_local();
	size_t got = 0;
	ssize_t n;
	const char *keep = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";

	resp[0] = 0;
	send(fd, keep, strlen(keep), MSG_NOSIGNAL);
	while (got + 1 < sizeof(resp) && (!response_len(resp) || got < response_len(resp)) &&
	       (n = recv(fd, resp + got, sizeof(resp) - got - 1, 0)) > 0) {
		got += (size_t)n;
		resp[got] = 0;
	}
	CHECK(status_of(resp) == 200 && got == response_len(resp) && !strcmp(body_of(resp), page),
	      "first scrape, kept alive");
	count_reply(resp);
	send(fd, GET_METRICS, strlen(GET_METRICS), MSG_NOSIGNAL);
	for (got = 0; got + 1 < sizeof(resp) && (n = recv(fd, resp + got, sizeof(resp) - got - 1, 0)) > 0;)
		got += (size_t)n;
	resp[got] = 0;
	close(fd);
	count_reply(resp);
	CHECK(status_of(resp) == 200 && !strcmp(body_of(resp), page), "second scrape on the same connection");

	fail_render = 1;
	request(GET_METRICS);
	CHECK_INT(status_of(resp), 500);
	fail_render = 0;
}

/* xorshift64*: reproducible garbage */
static uint64_t rng = 0x2545f4914f6cdd1dull;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dull;
}

static void test_malformed(const char *page)
{
#define G(s) { s, sizeof(s) - 1 }
	static const struct {
		const char *req;
		size_t len;
	} garbage[] = {
		G("GET\r\n\r\n"),
		G("GET /metrics\r\n\r\n"),
		G("GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n"),
		G("GET /metrics HTTP/1.1\r\n\r\n"),			/* HTTP/1.1 without Host */
		G("GET /metrics HTTP/1.1\r\nHost x\r\n\r\n"),		/* header without a colon */
		G("GET /metrics HTTP/1.1\r\nHost: x\r\n Folded: y\r\n\r\n"),
		G("GET /metr\0ics HTTP/1.1\r\nHost: x\r\n\r\n"),
		G("get /metrics HTTP/1.1\r\nHost: x\r\n\r\n"),
		G("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"),
		G("POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
		G("POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
		G("POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n"),
		G("GET %00%ff%zz HTTP/1.1\r\nHost: x\r\n\r\n"),
	};
#undef G
	char big[64 * 1024];
	int status_ok = 1;

	for (size_t i = 0; i < sizeof(garbage) / sizeof(garbage[0]); i++) {
		ssize_t n = exchange(garbage[i].req, garbage[i].len, resp, sizeof(resp));
		int st = status_of(resp);

		/* either a 4xx/5xx answer or a closed connection; never a page, never a hang */
		status_ok &= n >= 0 && (n == 0 || st >= 400);
		if (!status_ok) {
			printf("# garbage %zu got '%.60s'\n", i, resp);
			break;
		}
	}
	CHECK(status_ok, "malformed requests get a 4xx or a closed connection");
	check_scrape("after malformed requests", page);

	/* 64 KiB of header: more than the connection's memory */
	int n = snprintf(big, sizeof(big), "GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ");
	memset(big + n, 'a', sizeof(big) - (size_t)n - 5);
	memcpy(big + sizeof(big) - 5, "\r\n\r\n", 5);
	exchange(big, sizeof(big) - 1, resp, sizeof(resp));
	CHECK(status_of(resp) == 431 || status_of(resp) == 413 || !resp[0], "an oversized header is refused, got '%.40s'", resp);
	/* a 64 KiB URL */
	memcpy(big, "GET /", 5);
	memset(big + 5, 'm', sizeof(big) - 40);
	strcpy(big + sizeof(big) - 35, " HTTP/1.1\r\nHost: x\r\n\r\n");
	exchange(big, strlen(big), resp, sizeof(resp));
	CHECK(status_of(resp) >= 400 || !resp[0], "an oversized URL is refused, got '%.40s'", resp);

	/* 300 random byte strings, half of them after a request line, ended like a request */
	for (int i = 0; i < 300; i++) {
		size_t len = 1 + rnd() % 2048, off = 0;

		if (i % 2)
			off = (size_t)snprintf(big, sizeof(big), "GET /metrics HTTP/1.1\r\n");
		for (size_t j = off; j < off + len; j++)
			big[j] = (char)rnd();
		memcpy(big + off + len, "\r\n\r\n", 4);
		exchange(big, off + len + 4, resp, sizeof(resp));
		status_ok &= status_of(resp) != 200;
	}
	CHECK(status_ok, "random bytes never get a page");
	check_scrape("after random bytes", page);
}

/* Requests that never end, the client's side half-closed: the server waits for the rest
 * but drops them after EXPORTER_TIMEOUT_S, and answers others meanwhile. */
static void test_unfinished(const char *page)
{
	static const char *const unfinished[] = {
		"G",
		"\r\n\r\n",
		"GET /metrics HTTP/1.1\r\nHost: x\r\n",
		"\x16\x03\x01\x02",	/* the start of a TLS ClientHello: we never speak TLS */
	};
	int fds[4], dropped = 0;
	time_t start = time(NULL);

	for (int i = 0; i < 4; i++) {
		fds[i] = connect_local();
		send(fds[i], unfinished[i], strlen(unfinished[i]), MSG_NOSIGNAL);
		shutdown(fds[i], SHUT_WR);
	}
	check_scrape("with unfinished requests pending", page);
	for (int i = 0; i < 4; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };
		char c;

		if (poll(&p, 1, (EXPORTER_TIMEOUT_S + 3) * 1000) == 1 && recv(fds[i], &c, 1, 0) <= 0)
			dropped++;
		close(fds[i]);
	}
	CHECK(dropped == 4 && time(NULL) - start <= EXPORTER_TIMEOUT_S + 3,
	      "%d of 4 unfinished requests dropped after %lds (timeout %ds)", dropped, (long)(time(NULL) - start),
	      EXPORTER_TIMEOUT_S);
}

/* More connections than allowed, all idle: the extra ones are refused, and once they
 * are gone the server answers again. */
static void test_connection_limit(const char *page)
{
	int fds[3 * EXPORTER_MAX_CONNECTIONS], nr = 0, closed = 0;

	for (int i = 0; i < 3 * EXPORTER_MAX_CONNECTIONS; i++)
		if ((fds[nr] = connect_local()) >= 0)
			nr++;
	usleep(300 * 1000);
	for (int i = 0; i < nr; i++) {
		struct pollfd p = { .fd = fds[i], .events = POLLIN };
		char c;

		/* refused connections are closed by the server: readable, EOF */
		if (poll(&p, 1, 0) == 1 && recv(fds[i], &c, 1, MSG_DONTWAIT) <= 0)
			closed++;
	}
	CHECK(closed >= nr - EXPORTER_MAX_PER_CLIENT, "%d of %d idle connections from one client refused", closed, nr);
	for (int i = 0; i < nr; i++)
		close(fds[i]);
	usleep(100 * 1000);
	check_scrape("after too many connections", page);
}

int main(void)
{
	struct smccc_event ev = { .pid = 42, .vm = 1, .vcpu = 3, .regs = { 0x84000000 }, .kvm_ns = 1234 };
	struct exporter_counts counts;
	struct listen_addr addr;
	struct exporter *e;
	char err[256], *page = NULL;
	size_t len;
	FILE *out;

	test_listen_parse();

	table = agg_new();
	for (int i = 0; i < 5; i++)
		agg_add_event(table, &ev);
	out = open_memstream(&page, &len);
	render(out, "test");
	fclose(out);

	listen_addr_parse("127.0.0.1:0", &addr, err, sizeof(err));
	e = exporter_start(&addr, render, "test", false, err, sizeof(err));
	CHECK(e != NULL, "the server starts: %s", err);
	if (!e)
		return unit_report("test_exporter_http");
	port = exporter_port(e);
	CHECK(port > 0, "an ephemeral port: %u", port);

	/* the same address again: one line naming the address and the reason */
	char taken[64];
	snprintf(taken, sizeof(taken), "127.0.0.1:%u", port);
	listen_addr_parse(taken, &addr, err, sizeof(err));
	CHECK(exporter_start(&addr, render, "test", false, err, sizeof(err)) == NULL && strstr(err, taken) &&
	      strstr(err, "Address already in use"), "a busy port is an error: %s", err);

	test_routes(page);
	test_malformed(page);
	test_unfinished(page);
	test_connection_limit(page);
	exporter_counts(e, &counts);
	CHECK(counts.scrapes == pages_seen && counts.errors == refusals_seen,
	      "the server counted %lu pages and %lu refusals, the client saw %lu and %lu",
	      counts.scrapes, counts.errors, pages_seen, refusals_seen);

	exporter_stop(e);
	CHECK(request(GET_METRICS) == -1, "stopped: nothing listens");
	free(page);
	agg_free(table);
	return unit_report("test_exporter_http");
}
