/* --web-config: see web_config.h. */
#include "web_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SMCCCTRACE_WEB_CONFIG
#define SMCCCTRACE_WEB_CONFIG 0
#endif

void web_config_free(struct web_config *c)
{
	if (!c)
		return;
	free(c->cert_pem);
	free(c->key_pem);
	for (size_t i = 0; i < c->nr_users; i++) {
		free(c->users[i].name);
		free(c->users[i].hash);
	}
	free(c->users);
	free(c);
}

const char *web_config_tls_priorities(const struct web_config *c)
{
	/* GnuTLS' defaults, TLS 1.2 at least (exporter-toolkit's default min_version) */
	return c && c->tls13_only ? "NORMAL:-VERS-ALL:+VERS-TLS1.3" : "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
}

#if SMCCCTRACE_WEB_CONFIG
#include <crypt.h>
#include <errno.h>
#include <libgen.h>
#include <yaml.h>

#define MAX_FILE_BYTES (1 << 20)	/* a config, a certificate chain or a key */

/* The whole of a file, NUL-terminated; NULL with errno. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	size_t n;

	if (!f)
		return NULL;
	buf = malloc(MAX_FILE_BYTES + 1);
	if (!buf) {
		fclose(f);
		errno = ENOMEM;
		return NULL;
	}
	n = fread(buf, 1, MAX_FILE_BYTES + 1, f);
	if (ferror(f) || n > MAX_FILE_BYTES) {
		int e = ferror(f) ? errno : EFBIG;

		fclose(f);
		free(buf);
		errno = e;
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	return buf;
}

/* A file the config names: relative to the config's directory, as exporter-toolkit does. */
static char *read_named_file(const char *config, const char *key, const char *name, char *err, size_t errlen)
{
	char *dir_copy = strdup(config), *path = NULL, *text = NULL;
	int n = -1;

	if (dir_copy)
		n = name[0] == '/' ? asprintf(&path, "%s", name) : asprintf(&path, "%s/%s", dirname(dir_copy), name);
	if (n < 0) {
		free(dir_copy);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	text = read_file(path);
	if (!text)
		snprintf(err, errlen, "--web-config %s: %s '%s': %s", config, key, path, strerror(errno));
	free(path);
	free(dir_copy);
	return text;
}

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int parse_tls(const char *path, yaml_document_t *doc, yaml_node_t *map, struct web_config *c,
		     char *err, size_t errlen)
{
	const char *cert = NULL, *key = NULL;

	if (map->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "--web-config %s: tls_server_config is not a mapping", path);
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		const char *v = scalar(yaml_document_get_node(doc, p->value));

		if (!k || !v) {
			snprintf(err, errlen, "--web-config %s: tls_server_config: %s is not a string", path,
				 k ? k : "a key");
			return -1;
		}
		if (!strcmp(k, "cert_file")) {
			cert = v;
		} else if (!strcmp(k, "key_file")) {
			key = v;
		} else if (!strcmp(k, "min_version")) {
			if (strcmp(v, "TLS12") && strcmp(v, "TLS13")) {
				snprintf(err, errlen, "--web-config %s: min_version %s: only TLS12 or TLS13 (TLS 1.2 at least)",
					 path, v);
				return -1;
			}
			c->tls13_only = !strcmp(v, "TLS13");
		} else if (!strcmp(k, "client_auth_type") && !strcmp(v, "NoClientCert")) {
			/* the default: nothing to do */
		} else {
			snprintf(err, errlen, "--web-config %s: tls_server_config.%s is not supported "
				 "(cert_file, key_file, min_version)", path, k);
			return -1;
		}
	}
	if (!cert || !key) {
		snprintf(err, errlen, "--web-config %s: tls_server_config needs cert_file and key_file", path);
		return -1;
	}
	c->cert_pem = read_named_file(path, "cert_file", cert, err, errlen);
	if (!c->cert_pem)
		return -1;
	c->key_pem = read_named_file(path, "key_file", key, err, errlen);
	return c->key_pem ? 0 : -1;
}

static bool bcrypt_hash(const char *h)
{
	return (!strncmp(h, "$2y$", 4) || !strncmp(h, "$2b$", 4) || !strncmp(h, "$2a$", 4)) &&
	       crypt_checksalt(h) == CRYPT_SALT_OK;
}

static int parse_users(const char *path, yaml_document_t *doc, yaml_node_t *map, struct web_config *c,
		       char *err, size_t errlen)
{
	size_t n;

	if (map->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "--web-config %s: basic_auth_users is not a mapping of users to bcrypt hashes",
			 path);
		return -1;
	}
	n = (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
	c->users = calloc(n ? n : 1, sizeof(*c->users));
	if (!c->users) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *user = scalar(yaml_document_get_node(doc, p->key));
		const char *hash = scalar(yaml_document_get_node(doc, p->value));

		if (!user || !*user || strchr(user, ':')) {
			snprintf(err, errlen, "--web-config %s: basic_auth_users: a user name is empty, not a string "
				 "or has a ':'", path);
			return -1;
		}
		if (!hash || !bcrypt_hash(hash)) {
			snprintf(err, errlen, "--web-config %s: basic_auth_users.%s: not a bcrypt hash ($2y$...: "
				 "htpasswd -nB %s)", path, user, user);
			return -1;
		}
		c->users[c->nr_users].name = strdup(user);
		c->users[c->nr_users].hash = strdup(hash);
		if (!c->users[c->nr_users].name || !c->users[c->nr_users++].hash) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

static int parse_document(const char *path, yaml_document_t *doc, struct web_config *c, char *err, size_t errlen)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);

	if (!root)
		return 0;	/* an empty file: plain HTTP, as exporter-toolkit takes it */
	if (root->type != YAML_MAPPING_NODE) {
		snprintf(err, errlen, "--web-config %s: not a YAML mapping", path);
		return -1;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(doc, p->key));
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		int rc;

		if (k && !strcmp(k, "tls_server_config"))
			rc = parse_tls(path, doc, v, c, err, errlen);
		else if (k && !strcmp(k, "basic_auth_users"))
			rc = parse_users(path, doc, v, c, err, errlen);
		else {
			snprintf(err, errlen, "--web-config %s: %s is not supported (tls_server_config, basic_auth_users)",
				 path, k ? k : "a non-string key");
			rc = -1;
		}
		if (rc)
			return -1;
	}
	return 0;
}

struct web_config *web_config_load(const char *path, char *err, size_t errlen)
{
	struct web_config *c = calloc(1, sizeof(*c));
	yaml_parser_t parser;
	yaml_document_t doc;
	char *text;
	int rc;

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	text = read_file(path);
	if (!text) {
		snprintf(err, errlen, "--web-config %s: %s", path, strerror(errno));
		free(c);
		return NULL;
	}
	if (!yaml_parser_initialize(&parser)) {
		snprintf(err, errlen, "out of memory");
		free(text);
		free(c);
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "--web-config %s: line %zu: %s", path, parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		free(text);
		free(c);
		return NULL;
	}
	rc = parse_document(path, &doc, c, err, errlen);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	free(text);
	if (rc) {
		web_config_free(c);
		return NULL;
	}
	return c;
}

/* Compares every byte: the time does not tell how much of a hash matched. */
static bool same_string(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char diff = la != lb;

	for (size_t i = 0; i < la && i < lb; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return !diff;
}

bool web_config_authorized(const struct web_config *c, const char *user, const char *password)
{
	static struct crypt_data data;	/* 32 KiB: one, for the server's one thread */
	const struct web_user *u = NULL;
	const char *h;

	for (size_t i = 0; i < c->nr_users && !u; i++)
		if (!strcmp(c->users[i].name, user))
			u = &c->users[i];
	if (!c->nr_users)
		return false;
	/* an unknown user costs a bcrypt too: the time does not tell who exists */
	memset(&data, 0, sizeof(data));
	h = crypt_r(password, u ? u->hash : c->users[0].hash, &data);
	return u && h && h[0] != '*' && same_string(h, u->hash);
}

#else

struct web_config *web_config_load(const char *path, char *err, size_t errlen)
{
	snprintf(err, errlen, "--web-config %s: this build of smccctrace has no TLS (the static binary has no "
		 "GnuTLS, and basic auth without TLS would send passwords in clear): use the dynamic build", path);
	return NULL;
}

bool web_config_authorized(const struct web_config *c, const char *user, const char *password)
{
	(void)c;
	(void)user;
	(void)password;
	return false;
}
#endif
