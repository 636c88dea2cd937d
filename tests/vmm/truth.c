// SPDX-License-Identifier: GPL-2.0
/* Ground-truth JSON Lines writer; the format is described in truth.h. */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>

#include "kvm.h"
#include "log.h"
#include "truth.h"

int truth_open(struct truth *t, const char *path)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	if (!path || !strcmp(path, "-")) {
		t->f = stdout;
		return 0;
	}
	t->f = fopen(path, "w");
	if (!t->f) {
		vmm_err("cannot create truth file %s: %s", path,
			strerror(errno));
		return -1;
	}
	t->close_f = true;
	return 0;
}

/* JSON string body; our strings are ASCII, but the kernel release is not ours */
static void put_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void put_hex(FILE *f, uint64_t v)
{
	fprintf(f, "\"0x%" PRIx64 "\"", v);
}

static const char *bool_str(bool b)
{
	return b ? "true" : "false";
}

void truth_write_header(struct truth *t, const struct truth_header *h)
{
	pthread_mutex_lock(&t->lock);
	fprintf(t->f, "{\"type\":\"vmm\",\"pid\":%d,\"kernel\":", (int)h->pid);
	put_string(t->f, h->kernel);
	fprintf(t->f, ",\"filter\":%s,\"aarch32\":%s,\"protected\":%s,\"vcpus\":%u,\"scenario\":",
		bool_str(h->filter), bool_str(h->aarch32), bool_str(h->protected_vm), h->vcpus);
	put_string(t->f, h->scenario);
	fprintf(t->f, ",\"iterations\":%u,\"delay_us\":%u,\"psci_version\":", h->iterations,
		h->delay_us);
	put_hex(t->f, h->fw->psci_version);
	fputs(",\"kvm_features\":[", t->f);
	put_hex(t->f, h->fw->vendor_hyp_bmap);
	fputc(',', t->f);
	put_hex(t->f, h->fw->vendor_hyp_bmap_2);
	fputc(']', t->f);
	if (h->name_arg) {
		fputs(",\"name_arg\":", t->f);
		put_string(t->f, h->name_arg);
	}
	fputs("}\n", t->f);
	fflush(t->f);
	pthread_mutex_unlock(&t->lock);
}

uint64_t truth_next_seq(struct truth *t)
{
	uint64_t seq;

	pthread_mutex_lock(&t->lock);
	seq = t->next_seq++;
	pthread_mutex_unlock(&t->lock);
	return seq;
}

void truth_write_call(struct truth *t, const struct truth_call *c)
{
	FILE *f = t->f;
	int i;

	pthread_mutex_lock(&t->lock);
	fprintf(f, "{\"type\":\"call\",\"seq\":%" PRIu64 ",\"vcpu\":%u,\"tid\":%d,"
		"\"func_id\":", c->seq, c->vcpu, (int)c->tid);
	put_hex(f, c->func_id);
	fputs(",\"args\":[", f);
	for (i = 0; i < 7; i++) {
		if (i)
			fputc(',', f);
		put_hex(f, c->args[i]);
	}
	fprintf(f, "],\"conduit\":\"%s\",\"imm\":%u,\"pc\":",
		c->conduit == CONDUIT_HVC ? "hvc" : "smc", c->imm);
	put_hex(f, c->pc);
	fprintf(f, ",\"width\":%u,\"mode\":\"%s\",\"expect\":\"%s\",\"result\":",
		c->width, c->mode, disposition_name(c->expect));
	if (c->returned) {
		fputc('[', f);
		for (i = 0; i < 4; i++) {
			if (i)
				fputc(',', f);
			put_hex(f, c->result[i]);
		}
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	if (c->forwarded)
		fprintf(f, ",\"vmm_delay_ns\":%" PRIu64, c->vmm_delay_ns);
	if (c->counter)
		fprintf(f, ",\"cntvct_before\":%" PRIu64, c->cntvct_before);
	if (c->counter_after)
		fprintf(f, ",\"cntvct_after\":%" PRIu64, c->cntvct_after);
	fputs(",\"label\":", f);
	put_string(f, c->label);
	fputs("}\n", f);
	fflush(f);
	t->calls++;
	pthread_mutex_unlock(&t->lock);
}

void truth_write_fact(struct truth *t, const char *fields_fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&t->lock);
	fputs("{\"type\":\"psci\",", t->f);
	va_start(ap, fields_fmt);
	vfprintf(t->f, fields_fmt, ap);
	va_end(ap);
	fputs("}\n", t->f);
	fflush(t->f);
	pthread_mutex_unlock(&t->lock);
}

void truth_write_end(struct truth *t, const char *exit_reason)
{
	pthread_mutex_lock(&t->lock);
	fprintf(t->f, "{\"type\":\"end\",\"calls\":%lu,\"exit\":", t->calls);
	put_string(t->f, exit_reason);
	fputs("}\n", t->f);
	fflush(t->f);
	pthread_mutex_unlock(&t->lock);
}

int truth_close(struct truth *t)
{
	int ret = 0;

	if (ferror(t->f))
		ret = -1;
	if (t->close_f && fclose(t->f))
		ret = -1;
	if (ret)
		vmm_err("writing the truth file failed");
	return ret;
}
