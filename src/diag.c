#include "diag.h"

#include <stdarg.h>
#include <stdio.h>

int errorf(const char *fmt, ...)
{
	va_list ap;

	fputs("smccctrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

int errbuf_printf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}
