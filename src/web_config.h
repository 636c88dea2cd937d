/* --web-config FILE: the exporter's TLS and basic authentication, in the Prometheus
 * exporter-toolkit's web-config.yml format (docs/prometheus.md):
 *
 *	tls_server_config:
 *	  cert_file: server.crt		# PEM; relative paths are relative to FILE
 *	  key_file: server.key
 *	  min_version: TLS12		# TLS12 (default) or TLS13; nothing older
 *	basic_auth_users:
 *	  alice: $2y$10$...		# bcrypt (htpasswd -B), checked with libcrypt
 *
 * Everything is read when the option is loaded, before the tracer gives up its
 * privileges (a key file is often root's only). Builds without TLS (the static binary:
 * libmicrohttpd without GnuTLS) refuse any web config in one line: basic auth over
 * plain HTTP would send the password in clear. */
#ifndef SMCCCTRACE_WEB_CONFIG_H
#define SMCCCTRACE_WEB_CONFIG_H
#include <stdbool.h>
#include <stddef.h>

struct web_user {
	char *name;
	char *hash;		/* bcrypt: $2y$, $2b$ or $2a$ */
};

struct web_config {
	char *cert_pem;		/* NULL: plain HTTP */
	char *key_pem;
	bool tls13_only;	/* min_version: TLS13 */
	struct web_user *users;	/* none: no authentication */
	size_t nr_users;
};

/* Reads and checks FILE and the files it names. Returns NULL with a one-line reason
 * in err. */
struct web_config *web_config_load(const char *path, char *err, size_t errlen);
void web_config_free(struct web_config *c);
/* GnuTLS priorities for the TLS versions the config allows (1.2 and 1.3, or 1.3). */
const char *web_config_tls_priorities(const struct web_config *c);
/* Whether user and password match a basic_auth_users entry. Not thread-safe: the
 * exporter's server runs on one thread. */
bool web_config_authorized(const struct web_config *c, const char *user, const char *password);
#endif
