/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics on stderr. Every message is one line starting with the program
 * name, so a scenario log stays greppable when vCPU threads interleave.
 */
#ifndef SMCCC_TESTVMM_LOG_H
#define SMCCC_TESTVMM_LOG_H

#include <stdbool.h>

extern bool vmm_verbose;

void vmm_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void vmm_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Only with -v */
void vmm_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* SMCCC_TESTVMM_LOG_H */
