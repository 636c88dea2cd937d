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
#include "web_config.h"

struct exporter {
	struct MHD_Daemon *daemon;
	exporter_render_fn render;
	void *ctx;
	bool verbose;
	const struct web_config *web;	/* TLS and basic auth, or NULL */
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

/* basic_auth_users: the request's user and password against the bcrypt hashes */
static bool authorized(struct exporter *e, struct MHD_Connection *c)
{
	char *password = NULL, *user = MHD_basic_auth_get_username_password(c, &password);
	bool ok = user && password && web_config_authorized(e->web, user, password);

	if (password)
		memset(password, 0, strlen(password));
	MHD_free(user);
	MHD_free(password);
	return ok;
}

static enum MHD_Result reply_unauthorized(struct MHD_Connection *c)
{
	static const char text[] = "401 unauthorized\n";
	struct MHD_Response *r = MHD_create_response_from_buffer(sizeof(text) - 1, (void *)text,
								 MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r)
		return MHD_NO;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	ret = MHD_queue_basic_auth_fail_response(c, "smccctrace", r);	/* 401, WWW-Authenticate */
	MHD_destroy_response(r);
	return ret;
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
	if (e->web && e->web->nr_users && !authorized(e, c)) {
		__atomic_add_fetch(&e->errors, 1, __ATOMIC_RELAXED);
		return reply_unauthorized(c);
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

int exporter_listen(const struct listen_addr *addr, char *err, size_t errlen)
{
	unsigned port;

	return listen_socket(addr, &port, err, errlen);
}

struct exporter *exporter_start(const struct listen_addr *addr, exporter_render_fn render, void *ctx,
				bool verbose, char *err, size_t errlen)
{
	int fd = exporter_listen(addr, err, errlen);

	return fd < 0 ? NULL : exporter_start_on(fd, addr, NULL, render, ctx, verbose, err, errlen);
}

struct exporter *exporter_start_on(int fd, const struct listen_addr *addr, const struct web_config *web,
				   exporter_render_fn render, void *ctx, bool verbose, char *err, size_t errlen)
{
	struct exporter *e = calloc(1, sizeof(*e));
	struct sockaddr_storage bound;
	socklen_t len = sizeof(bound);
	bool tls = web && web->cert_pem;
	/* --web-config's TLS: the certificate and key in memory (read before the privilege
	 * drop), TLS 1.2 at least */
	struct MHD_OptionItem tls_options[] = {
		{ tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, tls ? web->cert_pem : NULL },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, tls ? web->key_pem : NULL },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)web_config_tls_priorities(web) },
		{ MHD_OPTION_END, 0, NULL },
	};
	sigset_t stop_signals, old;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return NULL;
	}
	if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
		snprintf(err, errlen, "--web-config: this libmicrohttpd has no TLS");
		close(fd);
		free(e);
		return NULL;
	}
	e->render = render;
	e->ctx = ctx;
	e->verbose = verbose;
	e->web = web;
	if (getsockname(fd, (struct sockaddr *)&bound, &len) == 0)
		e->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
							    : ((struct sockaddr_in *)&bound)->sin_port);
	/* the server's thread inherits this mask: SIGINT, SIGTERM and SIGHUP stay with the caller */
	sigemptyset(&stop_signals);
	sigaddset(&stop_signals, SIGINT);
	sigaddset(&stop_signals, SIGTERM);
	sigaddset(&stop_signals, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &stop_signals, &old);
	e->daemon = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG | (tls ? MHD_USE_TLS : 0),
				     0, NULL, NULL, on_request, e,
				     MHD_OPTION_EXTERNAL_LOGGER, on_mhd_message, e,	/* first: catches all */
				     MHD_OPTION_LISTEN_SOCKET, fd,
				     MHD_OPTION_CONNECTION_LIMIT, (unsigned)EXPORTER_MAX_CONNECTIONS,
				     MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)EXPORTER_MAX_PER_CLIENT,
				     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)EXPORTER_TIMEOUT_S,
				     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)EXPORTER_CONN_MEMORY,
				     MHD_OPTION_STRICT_FOR_CLIENT, 1,
				     MHD_OPTION_ARRAY, tls_options,
				     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!e->daemon) {
		snprintf(err, errlen, "--listen %s: cannot start the HTTP server%s", addr->text,
			 tls ? " (TLS: is the key the certificate's, both PEM? -v says more)" : "");
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
