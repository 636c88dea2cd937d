// SPDX-License-Identifier: GPL-2.0
/* Diagnostics on stderr, one whole line per write so threads do not mix. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

bool vmm_verbose;

static void vmm_log(const char *fmt, va_list ap)
{
	char line[512];
	int len;

	len = snprintf(line, sizeof(line), "smccc-testvmm: ");
	len += vsnprintf(line + len, sizeof(line) - len, fmt, ap);
	if (len > (int)sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	/* one write(2): lines from different vCPU threads never interleave */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

void vmm_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmm_log(fmt, ap);
	va_end(ap);
}

void vmm_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmm_log(fmt, ap);
	va_end(ap);
}

void vmm_debug(const char *fmt, ...)
{
	va_list ap;

	if (!vmm_verbose)
		return;
	va_start(ap, fmt);
	vmm_log(fmt, ap);
	va_end(ap);
}
