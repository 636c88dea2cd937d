/* The exporter's HTTP server (libmicrohttpd): GET /metrics renders a page through a
 * callback, GET / links to it; other paths are 404, other methods 405. Connections
 * are bounded in number, per client, in memory and in time. It knows nothing about
 * BPF: src/exporter_mode.c feeds it the kernel's counters, tests a fixed table. */
#ifndef SMCCCTRACE_EXPORTER_H
#define SMCCCTRACE_EXPORTER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include "listen_addr.h"

/* Writes one /metrics page to out. Returns 0, or -1 (the scrape gets a 500). Runs on
 * the server's thread, one scrape at a time. */
typedef int (*exporter_render_fn)(FILE *out, void *ctx);

struct exporter;

/*
 * Binds addr and serves until exporter_stop(). Returns NULL with a one-line reason in
 * err when the address cannot be bound. verbose: libmicrohttpd's own messages (bad
 * requests, dropped connections) go to stderr.
 */
struct exporter *exporter_start(const struct listen_addr *addr, exporter_render_fn render, void *ctx,
				bool verbose, char *err, size_t errlen);
/*
 * The same in two steps, so that the tracer binds before it drops its privileges (a
 * port below 1024 needs CAP_NET_BIND_SERVICE, which it does not keep): exporter_listen()
 * returns the listening socket (or -1 with err), exporter_start_on() serves on it
 * (and closes it on failure). web (NULL: none) adds TLS and basic authentication
 * (--web-config, src/web_config.h); it must outlive the server.
 */
struct web_config;
int exporter_listen(const struct listen_addr *addr, char *err, size_t errlen);
struct exporter *exporter_start_on(int fd, const struct listen_addr *addr, const struct web_config *web,
				   exporter_render_fn render, void *ctx, bool verbose, char *err, size_t errlen);
/* The port it listens on (the one the kernel chose for port 0). */
unsigned exporter_port(const struct exporter *e);
/* Pages served, by outcome. */
struct exporter_counts {
	unsigned long scrapes;		/* GET /metrics answered 200 */
	unsigned long errors;		/* 404, 405, 500 */
};
void exporter_counts(struct exporter *e, struct exporter_counts *c);
void exporter_stop(struct exporter *e);

#define EXPORTER_MAX_CONNECTIONS	16
#define EXPORTER_MAX_PER_CLIENT		8
#define EXPORTER_TIMEOUT_S		10	/* an idle or slow connection is closed */
#define EXPORTER_CONN_MEMORY		(16 * 1024)	/* request line and headers */
#endif
