/* --listen ADDR:PORT: where the Prometheus exporter listens. */
#ifndef SMCCCTRACE_LISTEN_ADDR_H
#define SMCCCTRACE_LISTEN_ADDR_H
#include <stddef.h>
#include <sys/socket.h>

struct listen_addr {
	struct sockaddr_storage sa;
	socklen_t len;
	char text[64];			/* "127.0.0.1:9464", "[::1]:9464": as parsed */
	char host[48];			/* "127.0.0.1", "[::1]": for URLs */
};

/*
 * "ADDR:PORT" with a numeric IPv4 address, "[ADDR]:PORT" with an IPv6 one, or a bare
 * "PORT", which means 127.0.0.1: the exporter is reachable from this host only unless
 * told otherwise (0.0.0.0 or [::] for every interface). Names are not resolved. PORT
 * is decimal, 0..65535; 0 picks a free port (the exporter says which). Returns 0, or
 * -1 with a one-line reason in err.
 */
int listen_addr_parse(const char *s, struct listen_addr *out, char *err, size_t errlen);
#endif
