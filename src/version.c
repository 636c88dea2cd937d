/* `smccctrace --version`: what a bug report needs to name this build. */
#include "version.h"

#include <bpf/libbpf.h>
#include <microhttpd.h>

/* set by the Makefile for the tool; unit tests and fuzzers build without them */
#ifndef SMCCCTRACE_GIT
#define SMCCCTRACE_GIT ""
#endif
#ifndef SMCCCTRACE_LINK_STATIC
#define SMCCCTRACE_LINK_STATIC 0
#endif
#ifndef SMCCCTRACE_TLS
#define SMCCCTRACE_TLS 0
#endif

int version_text(char *buf, size_t len)
{
	/* TLS needs both: a libmicrohttpd built with it, and a build that links gnutls
	 * (the static one links stand-ins instead, src/compat/gnutls_absent.c) */
	int tls = SMCCCTRACE_TLS && MHD_is_feature_supported(MHD_FEATURE_TLS) == MHD_YES;

	return snprintf(buf, len,
			"smccctrace %s\n"
			"git: %s\n"
			"libbpf: %u.%u\n"
			"libmicrohttpd: %s\n"
			"build: %s, %s\n",
			SMCCCTRACE_VERSION, *SMCCCTRACE_GIT ? SMCCCTRACE_GIT : "release", libbpf_major_version(),
			libbpf_minor_version(),
			MHD_get_version(), SMCCCTRACE_LINK_STATIC ? "static" : "dynamic",
			tls ? "TLS (GnuTLS)" : "no TLS");
}

void print_version(FILE *out)
{
	char buf[512];

	version_text(buf, sizeof(buf));
	fputs(buf, out);
}
