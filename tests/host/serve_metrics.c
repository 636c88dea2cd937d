/* serve-metrics PORT_FILE [WEB_CONFIG]: the exporter's HTTP server alone, on 127.0.0.1
 * and a free port (written to PORT_FILE once it serves), with a fixed page and
 * --web-config's TLS and basic auth, until SIGTERM. tests/host/web-config.sh points
 * curl, openssl and a real Prometheus at it: on an x86 host the tracer itself cannot
 * attach, and the HTTP side is the same code (src/exporter.c, src/web_config.c). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exporter.h"
#include "listen_addr.h"
#include "web_config.h"

static int render(FILE *out, void *ctx)
{
	(void)ctx;
	fputs("# HELP smccctrace_up 1 if this scrape read the kernel's call counters, 0 if it could not.\n"
	      "# TYPE smccctrace_up gauge\nsmccctrace_up 1\n", out);
	return 0;
}

int main(int argc, char **argv)
{
	struct web_config *web = NULL;
	struct listen_addr addr;
	struct exporter *e;
	char err[512];
	sigset_t stop;
	FILE *f;
	int fd, sig;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: serve-metrics PORT_FILE [WEB_CONFIG]\n");
		return 2;
	}
	if (argc == 3 && !(web = web_config_load(argv[2], err, sizeof(err)))) {
		fprintf(stderr, "serve-metrics: %s\n", err);
		return 2;
	}
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigprocmask(SIG_BLOCK, &stop, NULL);
	if (listen_addr_parse("127.0.0.1:0", &addr, err, sizeof(err)) ||
	    (fd = exporter_listen(&addr, err, sizeof(err))) < 0 ||
	    !(e = exporter_start_on(fd, &addr, web, render, NULL, true, err, sizeof(err)))) {
		fprintf(stderr, "serve-metrics: %s\n", err);
		return 1;
	}
	f = fopen(argv[1], "w");
	if (!f || fprintf(f, "%u\n", exporter_port(e)) < 0 || fclose(f))
		return 1;
	sigwait(&stop, &sig);
	exporter_stop(e);
	web_config_free(web);
	return 0;
}
