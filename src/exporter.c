/* The exporter's HTTP server: see exporter.h. */
#include "exporter.h"

#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <microhttpd.h>

#include "prometheus.h"

struct exporter {
	struct MHD_Daemon *daemon;
	exporter_render_fn render;
	void *ctx;
	bool verbose;
	unsigned port;
	unsigned long scrapes, errors;	/* __atomic: the server's thread writes them */
};

static const char index_page[] =
	"<html><head><title>smccctrace</title></head><body>\n"
	"<h1>smccctrace</h1>\n"
	"<p>SMCCC calls of KVM guests: <a href=\"/metrics\">metrics</a></p>\n"
	"</body></html>\n";

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     struct MHD_Response *r)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;	/* out of memory: libmicrohttpd closes the connection */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, MHD_HTTP_METHOD_GET);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text)
{
	return reply(c, status, "text/plain; charset=utf-8",
		     MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT));
}

static enum MHD_Result reply_metrics(struct exporter *e, struct MHD_Connection *c)
{
	char *page = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&page, &len);
	struct MHD_Response *r;
	int rc;

	if (!out)
		return MHD_NO;
	rc = e->render(out, e->ctx);
	if (fclose(out) || rc) {
		free(page);
		__atomic_add_fetch(&e->errors, 1, __ATOMIC_RELAXED);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "smccctrace: cannot read the kernel's counters\n");
	}
	r = MHD_create_response_from_buffer(len, page, MHD_RESPMEM_MUST_FREE);	/* frees the page */
	if (!r)
		free(page);
	else
		__atomic_add_fetch(&e->scrapes, 1, __ATOMIC_RELAXED);
	return reply(c, MHD_HTTP_OK, PROM_CONTENT_TYPE, r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
				  const char *version, const char *upload_data, size_t *upload_data_size,
				  void **req_cls)
{
	static int headers_seen;	/* its address marks a request whose headers were seen */
	struct exporter *e = cls;

	(void)version;
	(void)upload_data;
	/* Other methods are refused on the first call, before any body is read; the
	 * connection is then closed. */
	if (strcmp(method, MHD_HTTP_METHOD_GET)) {
		__atomic_add_fetch(&e->errors, 1, __ATOMIC_RELAXED);
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET\n");
	}
	/* A GET is answered on the second call, once the request is complete: answering
	 * the first would keep libmicrohttpd from reusing the connection (Prometheus
	 * scrapes over one kept-alive connection). A body, if any, is read and dropped. */
	if (*req_cls != &headers_seen) {
		*req_cls = &headers_seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (!strcmp(url, "/metrics"))
		return reply_metrics(e, c);
	if (!strcmp(url, "/"))
		return reply(c, MHD_HTTP_OK, "text/html; charset=utf-8",
			     MHD_create_response_from_buffer(sizeof(index_page) - 1, (void *)index_page,
							     MHD_RESPMEM_PERSISTENT));
	__atomic_add_fetch(&e->errors, 1, __ATOMIC_RELAXED);
	return reply_text(c, MHD_HTTP_NOT_FOUND, "not found: try /metrics\n");
}

static void on_mhd_message(void *cls, const char *fmt, va_list ap)
{
	struct exporter *e = cls;

	if (!e->verbose)
		return;
	fputs("smccctrace: http: ", stderr);
	vfprintf(stderr, fmt, ap);	/* libmicrohttpd's messages end with a newline */
}

/* Our own socket, so that a bind failure has an errno and port 0 a port number. */
static int listen_socket(const struct listen_addr *addr, unsigned *port, char *err, size_t errlen)
{
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	int one = 1, fd;

	fd = socket(addr->sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(err, errlen, "--listen %s: %s", addr->text, strerror(errno));
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->sa.ss_family == AF_INET6)	/* [::] means IPv6 only, as written */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)&addr->sa, addr->len) || listen(fd, EXPORTER_MAX_CONNECTIONS) ||
	    getsockname(fd, (struct sockaddr *)&bound, &len)) {
		snprintf(err, errlen, "--listen %s: %s", addr->text, strerror(errno));
		close(fd);
		return -1;
	}
	*port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
						  : ((struct sockaddr_in *)&bound)->sin_port);
	return fd;
}

struct exporter *exporter_start(const struct listen_addr *addr, exporter_render_fn render, void *ctx,
				bool verbose, char *err, size_t errlen)
{
	struct exporter *e = calloc(1, sizeof(*e));
	sigset_t stop_signals, old;
	int fd;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->render = render;
	e->ctx = ctx;
	e->verbose = verbose;
	fd = listen_socket(addr, &e->port, err, errlen);
	if (fd < 0) {
		free(e);
		return NULL;
	}
	/* the server's thread inherits this mask: SIGINT, SIGTERM and SIGHUP stay with the caller */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
	e->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
				     on_request, e,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_message, e,	/* first: catches all */
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)EXPORTER_MAX_CONNECTIONS,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)EXPORTER_MAX_PER_CLIENT,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)EXPORTER_TIMEOUT_S,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)EXPORTER_CONN_MEMORY,
				     MHD_OPTION_STRICT_FOR_CLIENT, 1,
				     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e->daemon) {
		snprintf(err, errlen, "--listen %s: cannot start the HTTP server", addr->text);
		close(fd);
		free(e);
		return NULL;
	}
	return e;
}

unsigned exporter_port(const struct exporter *e)
{
	return e->port;
}

void exporter_counts(struct exporter *e, struct exporter_counts *c)
{
	c->scrapes = __atomic_load_n(&e->scrapes, __ATOMIC_RELAXED);
	c->errors = __atomic_load_n(&e->errors, __ATOMIC_RELAXED);
}

void exporter_stop(struct exporter *e)
{
	if (!e)
		return;
	MHD_stop_daemon(e->daemon);	/* joins the server's thread, closes the socket */
	free(e);
}
