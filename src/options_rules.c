/*
 * The rules between options: which combinations make sense, checked once the whole
 * command line is read (options.c parses each option alone). Each broken rule is one
 * line naming the option that does not apply.
 */
#include "options_rules.h"

#include "aggregate.h"
#include "diag.h"
#include "top_model.h"

/* top's options: -b, -n, and the summary's -i and --by */
static int top_options(struct trace_opts *o, bool by_set, char *err, size_t len)
{
	if (!o->top)
		return o->batch || o->iterations ? errbuf_printf(err, len, "%s applies to top", o->batch ? "-b" : "-n") : 0;
	if (o->summary || o->psci || o->listen || o->json || o->record || o->perfetto || o->info ||
	    o->interval_count || o->timestamps)
		return errbuf_printf(err, len, "top is a view of its own: no %s",
			    o->summary ? "--summary" : o->psci ? "--psci" : o->listen ? "--listen" : o->json ? "--json" :
			    o->record ? "--record" : o->perfetto ? "--perfetto" : o->info ? "--info" :
			    o->interval_count ? "-c (top's is -n)" : "-T");
	if (o->output && !o->batch)
		return errbuf_printf(err, len, "-o needs -b in top (the interactive view draws on the terminal)");
	if (by_set && (o->summary_by & AGG_BY_DISPOSITION))
		return errbuf_printf(err, len, "--by disposition: top splits dispositions into columns");
	if (!by_set)
		o->summary_by = TOP_BY_DEFAULT;
	return 0;
}

/* The summary's and the PSCI flow view's options, and what they exclude */
static int view_rules(const struct trace_opts *o, const struct opts_seen *seen, char *err, size_t len)
{
	/* symbols name the PCs of calls: the kernel's counts have none, but by site */
	if (o->guest_syms.nr && (o->listen || ((o->top || o->summary) && !o->want_file && !(o->summary_by & AGG_BY_SITE))))
		return errbuf_printf(err, len, "guest symbols name the PCs of calls: %s counts in the kernel, without them%s",
			    o->listen ? "--listen" : o->top ? "top" : "--summary", o->listen ? "" : " (but --by site)");
	if (!o->summary && !o->top && (seen->by || o->interval_s > 0 || o->interval_count || o->timestamps))
		return errbuf_printf(err, len, "%s applies to --summary (-s)",
			    seen->by ? "--by" : o->interval_s > 0 ? "-i" : o->interval_count ? "-c" : "-T");
	if (o->interval_count && !(o->interval_s > 0))
		return errbuf_printf(err, len, "-c needs -i (a number of intervals)");
	if (o->summary && !o->want_file && (o->record || o->perfetto))
		return errbuf_printf(err, len, "--summary counts in the kernel: no calls for %s",
			    o->record ? "--record" : "--perfetto");
	if (seen->psci_threshold && !o->psci)
		return errbuf_printf(err, len, "%s applies to the PSCI flow view ('smccctrace psci', 'report --psci')",
			    seen->psci_threshold);
	if (o->psci && o->summary)
		return errbuf_printf(err, len, "--psci follows every call: it cannot be combined with --summary");
	/* the flow needs every call of the traced VMs: a CPU_ON's target, a vCPU's first call */
	if (o->psci && (o->tid || o->vcpu >= 0 || o->nr_func_ranges || o->conduit_mask != (1u << CONDUIT__COUNT) - 1 ||
			o->disposition_mask != (1u << DISP__COUNT) - 1))
		return errbuf_printf(err, len, "the PSCI flow view follows every call of the traced VMs: no -t, --vcpu, --func, "
			    "--conduit or --disposition");
	if (o->psci && o->plan == PLAN_TRACEPOINT)
		return errbuf_printf(err, len, "the PSCI flow view needs vCPU ids and arguments: the tracepoint plan has neither");
	if (o->plan == PLAN_TRACEPOINT && o->vcpu >= 0)
		return errbuf_printf(err, len, "--vcpu needs a plan that sees vCPUs; the tracepoint plan does not (use -t TID)");
	return 0;
}

/* The exporter's options, and the options of live tracing only */
static int live_rules(const struct trace_opts *o, const struct opts_seen *seen, char *err, size_t len)
{
	if (seen->listen_interval && !o->listen)
		return errbuf_printf(err, len, "--listen-interval applies to --listen");
	if (seen->max_series && !o->listen)
		return errbuf_printf(err, len, "--max-series applies to --listen");
	if (o->web_config && !o->listen)
		return errbuf_printf(err, len, "--web-config applies to --listen");
	if (o->user && o->want_file)
		return errbuf_printf(err, len, "--user applies to live tracing only");
	if (o->max_vcpus && o->want_file)
		return errbuf_printf(err, len, "--max-vcpus applies to live tracing only");
	if (o->buffer_bytes && (o->summary || o->listen || o->want_file))
		return errbuf_printf(err, len, "--buffer sizes the live trace's ring buffer: %s does not use one",
			    o->want_file ? "report" : o->summary ? "--summary" : "--listen");
	/* the exporter counts in the kernel and serves the counts: nothing else to print */
	if (o->listen && (o->summary || o->json || o->output || o->record || o->perfetto || o->psci || o->want_file))
		return errbuf_printf(err, len, "--listen serves metrics only: no %s",
			    o->summary ? "--summary" : o->json ? "--json" : o->output ? "-o" : o->record ? "--record" :
			    o->perfetto ? "--perfetto" : o->psci ? "PSCI flow view" : "report");
	return 0;
}

int trace_opts_check(struct trace_opts *o, const struct opts_seen *seen, char *err, size_t len)
{
	if (top_options(o, seen->by, err, len))
		return -1;
	if (guest_syms_specs_finish(&o->guest_syms, err, len))
		return -1;
	if (view_rules(o, seen, err, len))
		return -1;
	return live_rules(o, seen, err, len);
}
