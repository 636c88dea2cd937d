#include "listen_addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

static int fail(char *err, size_t len, const char *s, const char *why)
{
	snprintf(err, len, "--listen: %s in '%.64s' (expected ADDR:PORT, e.g. 127.0.0.1:9464 or [::1]:9464)",
		 why, s);
	return -1;
}

/* decimal only: "09464" is 9464, "0x24f8" and "+1" are errors */
static int parse_port(const char *p, unsigned *port)
{
	unsigned v = 0;

	if (!*p || strlen(p) > 5)
		return -1;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return -1;
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v > 65535)
		return -1;
	*port = v;
	return 0;
}

int listen_addr_parse(const char *s, struct listen_addr *out, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *port_str, *colon;
	size_t host_len;
	unsigned port;

	memset(out, 0, sizeof(*out));
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':')
			return fail(err, errlen, s, "no ']:PORT' after the IPv6 address");
		host_len = (size_t)(close - s - 1);
		if (host_len == 0 || host_len >= sizeof(host))
			return fail(err, errlen, s, "bad IPv6 address");
		memcpy(host, s + 1, host_len);
		port_str = close + 2;
	} else if ((colon = strrchr(s, ':'))) {
		host_len = (size_t)(colon - s);
		if (host_len == 0)
			return fail(err, errlen, s, "missing address (0.0.0.0 listens on every interface)");
		if (host_len >= sizeof(host) || memchr(s, ':', host_len))
			return fail(err, errlen, s, "IPv6 addresses need brackets");
		memcpy(host, s, host_len);
		port_str = colon + 1;
	} else {
		host_len = 0;		/* a bare port: loopback */
		port_str = s;
	}
	host[host_len] = 0;
	if (parse_port(port_str, &port))
		return fail(err, errlen, s, port_str == s ? "not a port number" : "bad port (0..65535)");

	if (*s == '[') {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&out->sa;

		if (inet_pton(AF_INET6, host, &a6->sin6_addr) != 1)
			return fail(err, errlen, s, "bad IPv6 address");
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((unsigned short)port);
		out->len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)&out->sa;

		if (host_len == 0)
			strcpy(host, "127.0.0.1");
		if (inet_pton(AF_INET, host, &a4->sin_addr) != 1)
			return fail(err, errlen, s, "not a numeric IPv4 address");
		a4->sin_family = AF_INET;
		a4->sin_port = htons((unsigned short)port);
		out->len = sizeof(*a4);
	}
	snprintf(out->host, sizeof(out->host), *s == '[' ? "[%s]" : "%s", host);
	snprintf(out->text, sizeof(out->text), "%s:%u", out->host, port);
	return 0;
}
