/* SPDX-License-Identifier: GPL-2.0 */
/*
 * gnutls, absent: the entry points that libmicrohttpd calls, for the static arm64 tool.
 *
 * Why: smccctrace serves /metrics over plain HTTP (src/exporter.c) with Debian's
 * libmicrohttpd. Debian builds libmicrohttpd.a with HTTPS support, so its objects call
 * gnutls. Linking the real libgnutls.a statically drags in nettle, hogweed, gmp,
 * libtasn1, libidn2, libunistring (+3.3 MB) and p11-kit, of which Debian ships no
 * static library. We never pass MHD_USE_TLS, and without it libmicrohttpd calls no
 * gnutls function except gnutls_global_init()/gnutls_global_deinit() from its
 * constructor and destructor. So the static tool links these definitions instead of
 * the library: the two global calls succeed and do nothing, every other call fails
 * (GNUTLS_E_UNIMPLEMENTED_FEATURE, NULL, or nothing) and says so once on stderr.
 * The prototypes come from gnutls' own headers, so a changed signature does not
 * compile, and a libmicrohttpd that needs another gnutls function does not link.
 *
 * The host build links the shared libmicrohttpd (and thus the real gnutls) instead.
 * tests/vm/test-prometheus.sh checks that the arm64 binary defines exactly these gnutls
 * symbols and holds no TLS code, and that the exporter never printed the message below.
 */
#include <stdio.h>
#include <gnutls/gnutls.h>
#include <gnutls/abstract.h>

/* Each entry point is an interface with many parameters; none of them is used. */
#pragma GCC diagnostic ignored "-Wunused-parameter"

static void tls_absent(const char *fn)
{
	static int said;

	if (!said++)
		fprintf(stderr, "smccctrace: internal error: %s() called, but this build has no TLS\n", fn);
}

static void *tls_absent_malloc(size_t size)
{
	tls_absent("gnutls_malloc");
	return NULL;
}

gnutls_alloc_function gnutls_malloc = tls_absent_malloc;

/* called by libmicrohttpd's constructor and destructor in every process */
int gnutls_global_init(void)
{
	return GNUTLS_E_SUCCESS;
}

void gnutls_global_deinit(void)
{
}

const char *gnutls_strerror(int error)
{
	return "TLS is not built into smccctrace";
}

#define FAIL_INT(name, params)				\
	int name params					\
	{						\
		tls_absent(#name);			\
		return GNUTLS_E_UNIMPLEMENTED_FEATURE;	\
	}
#define FAIL_VOID(name, params)				\
	void name params				\
	{						\
		tls_absent(#name);			\
	}

FAIL_INT(gnutls_init, (gnutls_session_t *session, unsigned int flags))
FAIL_VOID(gnutls_deinit, (gnutls_session_t session))
FAIL_INT(gnutls_handshake, (gnutls_session_t session))
FAIL_INT(gnutls_bye, (gnutls_session_t session, gnutls_close_request_t how))
FAIL_INT(gnutls_priority_init, (gnutls_priority_t *priority_cache, const char *priorities, const char **err_pos))
FAIL_VOID(gnutls_priority_deinit, (gnutls_priority_t priority_cache))
FAIL_INT(gnutls_priority_set, (gnutls_session_t session, gnutls_priority_t priority))
FAIL_INT(gnutls_credentials_set, (gnutls_session_t session, gnutls_credentials_type_t type, void *cred))
FAIL_INT(gnutls_alpn_set_protocols, (gnutls_session_t session, const gnutls_datum_t *protocols,
				     unsigned protocols_size, unsigned flags))
FAIL_VOID(gnutls_session_set_ptr, (gnutls_session_t session, void *ptr))
FAIL_VOID(gnutls_transport_set_int2, (gnutls_session_t session, int r, int s))
FAIL_INT(gnutls_record_get_direction, (gnutls_session_t session))
FAIL_INT(gnutls_certificate_allocate_credentials, (gnutls_certificate_credentials_t *res))
FAIL_VOID(gnutls_certificate_free_credentials, (gnutls_certificate_credentials_t sc))
FAIL_VOID(gnutls_certificate_server_set_request, (gnutls_session_t session, gnutls_certificate_request_t req))
FAIL_VOID(gnutls_certificate_set_dh_params, (gnutls_certificate_credentials_t res, gnutls_dh_params_t dh_params))
FAIL_VOID(gnutls_certificate_set_retrieve_function2, (gnutls_certificate_credentials_t cred,
						      gnutls_certificate_retrieve_function2 *func))
FAIL_VOID(gnutls_certificate_set_retrieve_function3, (gnutls_certificate_credentials_t cred,
						      gnutls_certificate_retrieve_function3 *func))
FAIL_INT(gnutls_certificate_set_x509_key_mem, (gnutls_certificate_credentials_t res, const gnutls_datum_t *cert,
					       const gnutls_datum_t *key, gnutls_x509_crt_fmt_t type))
FAIL_INT(gnutls_certificate_set_x509_key_mem2, (gnutls_certificate_credentials_t res, const gnutls_datum_t *cert,
						const gnutls_datum_t *key, gnutls_x509_crt_fmt_t type,
						const char *pass, unsigned int flags))
FAIL_INT(gnutls_certificate_set_x509_trust_mem, (gnutls_certificate_credentials_t res, const gnutls_datum_t *ca,
						 gnutls_x509_crt_fmt_t type))
FAIL_INT(gnutls_dh_params_init, (gnutls_dh_params_t *dh_params))
FAIL_VOID(gnutls_dh_params_deinit, (gnutls_dh_params_t dh_params))
FAIL_INT(gnutls_dh_params_import_pkcs3, (gnutls_dh_params_t params, const gnutls_datum_t *pkcs3_params,
					 gnutls_x509_crt_fmt_t format))
FAIL_INT(gnutls_psk_allocate_server_credentials, (gnutls_psk_server_credentials_t *sc))
FAIL_VOID(gnutls_psk_free_server_credentials, (gnutls_psk_server_credentials_t sc))
FAIL_VOID(gnutls_psk_set_server_credentials_function, (gnutls_psk_server_credentials_t cred,
						       gnutls_psk_server_credentials_function *func))

void *gnutls_session_get_ptr(gnutls_session_t session)
{
	tls_absent(__func__);
	return NULL;
}

ssize_t gnutls_record_recv(gnutls_session_t session, void *data, size_t data_size)
{
	tls_absent(__func__);
	return GNUTLS_E_UNIMPLEMENTED_FEATURE;
}

ssize_t gnutls_record_send(gnutls_session_t session, const void *data, size_t data_size)
{
	tls_absent(__func__);
	return GNUTLS_E_UNIMPLEMENTED_FEATURE;
}

size_t gnutls_record_check_pending(gnutls_session_t session)
{
	tls_absent(__func__);
	return 0;
}

gnutls_cipher_algorithm_t gnutls_cipher_get(gnutls_session_t session)
{
	tls_absent(__func__);
	return GNUTLS_CIPHER_UNKNOWN;
}

gnutls_protocol_t gnutls_protocol_get_version(gnutls_session_t session)
{
	tls_absent(__func__);
	return GNUTLS_VERSION_UNKNOWN;
}
