/* SPDX-License-Identifier: BSD-3-Clause */
/* svadk-fwd: forward packets between port pairs, copying each one by DMA
 * (svadk, shared virtual addressing) or by the CPU into a fresh buffer of
 * plain process memory. See doc/guides/dpdk.md. */
#include <rte_config.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_service.h>

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fwd.h"
#include "sva_iopf.h"

struct fwd fwd;

static const char *const usage_text =
	"usage: svadk-fwd [EAL options] -- [options]\n"
	"Forward packets between port pairs (0<->1, 2<->3, ...; an odd last port forwards\n"
	"to itself). Each received packet is copied into a fresh buffer of plain process\n"
	"memory, by DMA through svadk or by the CPU; the copy is transmitted and the\n"
	"received mbuf freed.\n"
	"  -p, --portmask MASK      ports to use, hexadecimal (default: all)\n"
	"  -q, --queues N           rx/tx queue pairs per port (default 1)\n"
	"  -c, --copy dma|cpu       copy mode (default dma)\n"
	"      --mac-updating       rewrite MACs: dst 02:00:00:00:00:<tx port>, src the tx\n"
	"                           port's address (default)\n"
	"      --no-mac-updating    leave the packets as they are\n"
	"  -i, --stats-interval S   per-port statistics every S seconds (default 1, 0: off)\n"
	"  -d, --dev NAME           svadk device (default dsa_sim0,engines=1; e.g.\n"
	"                           dpdk:dma_skeleton)\n"
	"      --fault-mode block|partial  how the device meets a page that is not present\n"
	"                           (default block; partial gives per-port fault counts)\n"
	"      --handler service|thread  run the fault handler as a DPDK service (default:\n"
	"                           on a service lcore given with -s/-S, else from the\n"
	"                           forwarding lcores between bursts) or as its own thread\n"
	"      --ring N             svadk ring size per lcore (default 1024)\n"
	"  -b, --burst N            rx/tx burst (default 32, at most 64)\n"
	"      --rxd N, --txd N     NIC ring sizes (default 1024)\n"
	"      --buffers N          copy buffers (default 8192)\n"
	"      --buf-size N         bytes per buffer, headroom included (default 2048)\n"
	"  -t, --duration S         stop after S seconds (default: at SIGINT/SIGTERM)\n"
	"      --idle-exit MS       stop MS ms after the last received packet\n"
	"      --gen N:SIZE         inject N packets of SIZE bytes into each port at start\n"
	"                           (benchmarks on loopback ports such as net_ring)\n"
	"  -h, --help\n";

enum {
	OPT_MAC_ON = 256, OPT_MAC_OFF, OPT_FAULT_MODE, OPT_HANDLER, OPT_RING, OPT_RXD, OPT_TXD,
	OPT_BUFFERS, OPT_BUF_SIZE, OPT_IDLE_EXIT, OPT_GEN,
};

static const struct option long_opts[] = {
	{"portmask", required_argument, NULL, 'p'},
	{"queues", required_argument, NULL, 'q'},
	{"copy", required_argument, NULL, 'c'},
	{"mac-updating", no_argument, NULL, OPT_MAC_ON},
	{"no-mac-updating", no_argument, NULL, OPT_MAC_OFF},
	{"stats-interval", required_argument, NULL, 'i'},
	{"dev", required_argument, NULL, 'd'},
	{"fault-mode", required_argument, NULL, OPT_FAULT_MODE},
	{"handler", required_argument, NULL, OPT_HANDLER},
	{"ring", required_argument, NULL, OPT_RING},
	{"burst", required_argument, NULL, 'b'},
	{"rxd", required_argument, NULL, OPT_RXD},
	{"txd", required_argument, NULL, OPT_TXD},
	{"buffers", required_argument, NULL, OPT_BUFFERS},
	{"buf-size", required_argument, NULL, OPT_BUF_SIZE},
	{"duration", required_argument, NULL, 't'},
	{"idle-exit", required_argument, NULL, OPT_IDLE_EXIT},
	{"gen", required_argument, NULL, OPT_GEN},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int bad(const char *opt, const char *val)
{
	fprintf(stderr, "svadk-fwd: bad value '%s' for %s\n%s", val, opt, usage_text);
	return -1;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return false;
	*out = v;
	return true;
}

static bool parse_seconds(const char *s, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || *end || v < 0 || v > 1e7)
		return false;
	*out = v;
	return true;
}

static int parse_args(int argc, char **argv, struct fwd_conf *c)
{
	*c = (struct fwd_conf){
		.portmask = UINT64_MAX,
		.nb_queues = 1,
		.copy = FWD_COPY_DMA,
		.mac_update = true,
		.stats_interval = 1,
		.dev = "dsa_sim0,engines=1",
		.fault_mode = SVA_FAULT_BLOCK,
		.ring = 1024,
		.burst = 32,
		.nb_rxd = 1024,
		.nb_txd = 1024,
		.nb_bufs = 8192,
		.buf_size = 2048,
	};
	unsigned long long v;
	int opt;
	while ((opt = getopt_long(argc, argv, "p:q:c:i:d:b:t:h", long_opts, NULL)) != -1) {
		switch (opt) {
		case 'p': {
			char *end;
			errno = 0;
			c->portmask = strtoull(optarg, &end, 16);
			if (errno || end == optarg || *end || c->portmask == 0)
				return bad("--portmask", optarg);
			break;
		}
		case 'q':
			if (!parse_uint(optarg, 64, &v) || v == 0)
				return bad("--queues", optarg);
			c->nb_queues = (uint16_t)v;
			break;
		case 'c':
			if (!strcmp(optarg, "dma"))
				c->copy = FWD_COPY_DMA;
			else if (!strcmp(optarg, "cpu"))
				c->copy = FWD_COPY_CPU;
			else
				return bad("--copy", optarg);
			break;
		case OPT_MAC_ON: c->mac_update = true; break;
		case OPT_MAC_OFF: c->mac_update = false; break;
		case 'i':
			if (!parse_seconds(optarg, &c->stats_interval))
				return bad("--stats-interval", optarg);
			break;
		case 'd': c->dev = optarg; break;
		case OPT_FAULT_MODE:
			if (!strcmp(optarg, "block"))
				c->fault_mode = SVA_FAULT_BLOCK;
			else if (!strcmp(optarg, "partial"))
				c->fault_mode = SVA_FAULT_PARTIAL;
			else
				return bad("--fault-mode", optarg);
			c->fault_mode_set = true;
			break;
		case OPT_HANDLER:
			if (!strcmp(optarg, "service"))
				c->handler_thread = false;
			else if (!strcmp(optarg, "thread"))
				c->handler_thread = true;
			else
				return bad("--handler", optarg);
			break;
		case OPT_RING:
			if (!parse_uint(optarg, 32768, &v) || v < 2 || (v & (v - 1)))
				return bad("--ring (a power of two)", optarg);
			c->ring = (uint16_t)v;
			break;
		case 'b':
			if (!parse_uint(optarg, FWD_MAX_BURST, &v) || v == 0)
				return bad("--burst", optarg);
			c->burst = (uint16_t)v;
			break;
		case OPT_RXD:
		case OPT_TXD:
			if (!parse_uint(optarg, 32768, &v) || v < 32)
				return bad(opt == OPT_RXD ? "--rxd" : "--txd", optarg);
			*(opt == OPT_RXD ? &c->nb_rxd : &c->nb_txd) = (uint16_t)v;
			break;
		case OPT_BUFFERS:
			if (!parse_uint(optarg, 1u << 24, &v) || v < 64)
				return bad("--buffers", optarg);
			c->nb_bufs = (uint32_t)v;
			break;
		case OPT_BUF_SIZE:
			if (!parse_uint(optarg, UINT16_MAX, &v) || v < RTE_PKTMBUF_HEADROOM + 64)
				return bad("--buf-size", optarg);
			c->buf_size = (uint32_t)v;
			break;
		case 't':
			if (!parse_seconds(optarg, &c->duration))
				return bad("--duration", optarg);
			break;
		case OPT_IDLE_EXIT:
			if (!parse_uint(optarg, 3600000, &v))
				return bad("--idle-exit", optarg);
			c->idle_exit_ms = (uint32_t)v;
			break;
		case OPT_GEN: {
			char *colon = strchr(optarg, ':');
			unsigned long long n, sz;
			if (!colon)
				return bad("--gen (N:SIZE)", optarg);
			*colon = '\0';
			bool ok = parse_uint(optarg, 1u << 20, &n) && parse_uint(colon + 1, 9000, &sz);
			*colon = ':';
			if (!ok || n == 0 || sz < 60)
				return bad("--gen (N:SIZE, SIZE >= 60)", optarg);
			c->gen_count = (uint32_t)n;
			c->gen_size = (uint32_t)sz;
			break;
		}
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		default:
			fputs(usage_text, stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "svadk-fwd: unexpected argument '%s'\n%s", argv[optind], usage_text);
		return -1;
	}
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
	fwd.quit = true;
}

/* --- setup ------------------------------------------------------------------------- */

static int port_setup(uint16_t port)
{
	struct rte_eth_dev_info info;
	int rc = rte_eth_dev_info_get(port, &info);
	if (rc < 0)
		return rc;
	if (fwd.c.nb_queues > info.max_rx_queues || fwd.c.nb_queues > info.max_tx_queues) {
		fprintf(stderr, "svadk-fwd: port %u has at most %u rx / %u tx queues\n", port,
			info.max_rx_queues, info.max_tx_queues);
		return -EINVAL;
	}
	struct rte_eth_conf conf;
	memset(&conf, 0, sizeof(conf));
	if (fwd.c.nb_queues > 1) {
		conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
		conf.rx_adv_conf.rss_conf.rss_hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;
	}
	if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MULTI_SEGS)
		conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MULTI_SEGS;
	rc = rte_eth_dev_configure(port, fwd.c.nb_queues, fwd.c.nb_queues, &conf);
	if (rc < 0)
		return rc;
	uint16_t rxd = fwd.c.nb_rxd, txd = fwd.c.nb_txd;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &rxd, &txd);
	if (rc < 0)
		return rc;
	int socket = rte_eth_dev_socket_id(port);
	for (uint16_t q = 0; q < fwd.c.nb_queues; q++) {
		rc = rte_eth_rx_queue_setup(port, q, rxd, socket, NULL, fwd.rx_pool);
		if (rc < 0)
			return rc;
		rc = rte_eth_tx_queue_setup(port, q, txd, socket, NULL);
		if (rc < 0)
			return rc;
	}
	rc = rte_eth_macaddr_get(port, &fwd.mac[port]);
	if (rc < 0)
		return rc;
	rc = rte_eth_dev_start(port);
	if (rc < 0)
		return rc;
	rte_eth_promiscuous_enable(port); /* not every PMD has it */
	char mac[RTE_ETHER_ADDR_FMT_SIZE];
	rte_ether_format_addr(mac, sizeof(mac), &fwd.mac[port]);
	printf("port %u: %s, mac %s, %u queue%s, %u rx / %u tx descriptors\n", port,
	       info.driver_name, mac, fwd.c.nb_queues, fwd.c.nb_queues > 1 ? "s" : "", rxd, txd);
	return 0;
}

static uint16_t peer_of(uint16_t idx)
{
	if (idx % 2 == 0)
		return idx + 1 < fwd.nb_ports ? fwd.ports[idx + 1] : fwd.ports[idx];
	return fwd.ports[idx - 1];
}

/* Spread the (port, queue) rx pairs over the forwarding lcores. */
static int assign_lcores(unsigned int *fwd_lcores, unsigned int n)
{
	unsigned int k = 0;
	for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
		for (uint16_t q = 0; q < fwd.c.nb_queues; q++, k++) {
			struct fwd_lcore *lc = fwd.lc[fwd_lcores[k % n]];
			if (lc->nb_rx == FWD_MAX_RX) {
				fprintf(stderr, "svadk-fwd: more than %d rx queues per lcore\n",
					FWD_MAX_RX);
				return -EINVAL;
			}
			lc->rx[lc->nb_rx++] = (struct fwd_rx){
				.port = fwd.ports[pi], .queue = q, .tx_port = peer_of(pi), .tx_queue = q,
			};
		}
	}
	for (unsigned int i = 0; i < n; i++) {
		struct fwd_lcore *lc = fwd.lc[fwd_lcores[i]];
		printf("lcore %u:", lc->lcore_id);
		for (unsigned int j = 0; j < lc->nb_rx; j++)
			printf(" %u.%u->%u.%u", lc->rx[j].port, lc->rx[j].queue, lc->rx[j].tx_port,
			       lc->rx[j].tx_queue);
		printf("%s\n", lc->nb_rx ? "" : " idle (more lcores than rx queues)");
	}
	return 0;
}

/* Open the device and start the handler's thread from a control thread, so
 * that the threads they create (software-device engines, the handler) run on
 * the control CPUs, not on the main lcore's CPU the main thread is pinned to. */
static int open_device(void *arg)
{
	(void)arg;
	fwd.dev = sva_dev_open(fwd.c.dev, NULL);
	if (!fwd.dev) {
		int e = errno;
		fprintf(stderr, "svadk-fwd: cannot open svadk device '%s': %s\n", fwd.c.dev,
			strerror(e));
		return -e;
	}
	fwd.pf = sva_iopf_create(&(struct sva_iopf_conf){.name = "svadk-fwd", .fault_ahead = -1});
	if (!fwd.pf)
		return -ENOMEM;
	if (sva_dev_attach_iopf(fwd.dev, fwd.pf) < 0) {
		/* The device resolves its faults itself (e.g. a DPDK dmadev). */
		sva_iopf_destroy(fwd.pf);
		fwd.pf = NULL;
	} else if (fwd.c.handler_thread) {
		int rc = sva_iopf_start(fwd.pf, -1);
		if (rc < 0)
			return rc;
	}
	return 0;
}

static int dma_setup(unsigned int *fwd_lcores, unsigned int n)
{
	if (sva_dpdk_call_on_ctrl_cpus(open_device, NULL) < 0)
		return -1;
	struct sva_dev_info info;
	sva_dev_info_get(fwd.dev, &info);
	if (fwd.c.fault_mode == SVA_FAULT_PARTIAL && !(info.capa & SVA_CAPA_PARTIAL)) {
		fprintf(stderr, "svadk-fwd: %s has no partial completions\n", fwd.c.dev);
		return -1;
	}
	if (fwd.c.fault_mode == SVA_FAULT_BLOCK && !(info.capa & SVA_CAPA_BLOCK_ON_FAULT)) {
		if (fwd.c.fault_mode_set || !(info.capa & SVA_CAPA_PARTIAL)) {
			fprintf(stderr, "svadk-fwd: %s cannot block on faults\n", fwd.c.dev);
			return -1;
		}
		fwd.c.fault_mode = SVA_FAULT_PARTIAL;
	}
	if (!fwd.pf) {
		printf("fault handler: none (the device resolves its faults)\n");
	} else if (fwd.c.handler_thread) {
		printf("fault handler: its own thread\n");
	} else {
		fwd.svc = sva_dpdk_iopf_service_create(fwd.pf, &(struct sva_dpdk_iopf_service_conf){
							       .name = "svadk_fwd_iopf"});
		if (!fwd.svc)
			return -1;
		uint32_t slcores[RTE_MAX_LCORE];
		int ns = rte_service_lcore_list(slcores, RTE_MAX_LCORE);
		if (ns > 0) {
			if (sva_dpdk_iopf_service_map_lcore(fwd.svc, slcores[0]) < 0)
				return -1;
			printf("fault handler: DPDK service on service lcore %u\n", slcores[0]);
		} else {
			for (unsigned int i = 0; i < n; i++)
				fwd.lc[fwd_lcores[i]]->run_service = true;
			printf("fault handler: DPDK service, run by the forwarding lcores\n");
		}
	}
	struct sva_queue_conf qc = {.nb_desc = fwd.c.ring, .fault_mode = fwd.c.fault_mode};
	fwd.lq = sva_dpdk_lcore_queues_create(fwd.dev, &qc, 0);
	if (!fwd.lq)
		return -1;
	for (unsigned int i = 0; i < n; i++) {
		struct fwd_lcore *lc = fwd.lc[fwd_lcores[i]];
		if (sva_dpdk_lcore_queues_add(fwd.lq, lc->lcore_id) < 0) {
			fprintf(stderr, "svadk-fwd: no svadk queue for lcore %u (device %s has %u); "
				"use fewer lcores or a device with more queues\n", lc->lcore_id,
				fwd.c.dev, info.max_queues);
			return -1;
		}
		lc->q = sva_dpdk_lcore_queue_of(fwd.lq, lc->lcore_id);
		lc->count_faults = fwd.c.fault_mode == SVA_FAULT_PARTIAL;
		lc->fifo = calloc(fwd.c.ring, sizeof(*lc->fifo));
		if (!lc->fifo)
			return -1;
		lc->fifo_mask = fwd.c.ring - 1u;
	}
	printf("copies: DMA on %s (%s), one queue per lcore, %s\n", fwd.c.dev, info.driver,
	       fwd.c.fault_mode == SVA_FAULT_PARTIAL ? "partial completion on faults"
						     : "block on fault");
	return 0;
}

/* --- statistics --------------------------------------------------------------------- */

static void sum_stats(struct fwd_port_stats *out)
{
	memset(out, 0, sizeof(*out) * RTE_MAX_ETHPORTS);
	for (unsigned int l = 0; l < RTE_MAX_LCORE; l++) {
		struct fwd_lcore *lc = fwd.lc[l];
		if (!lc)
			continue;
		for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
			uint16_t p = fwd.ports[pi];
			out[p].rx += __atomic_load_n(&lc->st[p].rx, __ATOMIC_RELAXED);
			out[p].tx += __atomic_load_n(&lc->st[p].tx, __ATOMIC_RELAXED);
			out[p].dropped += __atomic_load_n(&lc->st[p].dropped, __ATOMIC_RELAXED);
			out[p].dma_errors += __atomic_load_n(&lc->st[p].dma_errors, __ATOMIC_RELAXED);
			out[p].faults += __atomic_load_n(&lc->st[p].faults, __ATOMIC_RELAXED);
		}
	}
}

/* Per-port fault counts exist with partial completions only: in block mode
 * the device waits for the handler and only the handler's totals exist. */
static const char *faults_str(char *buf, size_t len, uint64_t v)
{
	if (fwd.c.copy != FWD_COPY_DMA || fwd.c.fault_mode != SVA_FAULT_PARTIAL)
		return "-";
	snprintf(buf, len, "%llu", (unsigned long long)v);
	return buf;
}

static void print_handler(void)
{
	struct sva_iopf_stats s;
	if (!fwd.pf || sva_iopf_stats_get(fwd.pf, &s) < 0)
		return;
	printf("  fault handler: %llu requests, %llu pages resolved (+%llu ahead), %llu invalid, "
	       "latency p50 %.1f us p99 %.1f us\n", (unsigned long long)s.requests,
	       (unsigned long long)s.pages_resolved, (unsigned long long)s.fault_ahead_pages,
	       (unsigned long long)s.invalid, s.lat_p50_ns / 1e3, s.lat_p99_ns / 1e3);
}

static void print_stats(const struct fwd_port_stats *now, const struct fwd_port_stats *prev,
			double dt, double elapsed)
{
	printf("svadk-fwd: %.1f s, copy %s%s, mac update %s\n", elapsed,
	       fwd.c.copy == FWD_COPY_DMA ? "dma on " : "cpu",
	       fwd.c.copy == FWD_COPY_DMA ? fwd.c.dev : "", fwd.c.mac_update ? "on" : "off");
	printf("  %4s %12s %12s %14s %14s %10s %10s %10s\n", "port", "rx pps", "tx pps", "rx",
	       "tx", "dropped", "dma errors", "faults");
	for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
		uint16_t p = fwd.ports[pi];
		char fb[24];
		printf("  %4u %12.0f %12.0f %14llu %14llu %10llu %10llu %10s\n", p,
		       dt > 0 ? (now[p].rx - prev[p].rx) / dt : 0,
		       dt > 0 ? (now[p].tx - prev[p].tx) / dt : 0, (unsigned long long)now[p].rx,
		       (unsigned long long)now[p].tx, (unsigned long long)now[p].dropped,
		       (unsigned long long)now[p].dma_errors, faults_str(fb, sizeof(fb), now[p].faults));
	}
	print_handler();
	fflush(stdout);
}

static void print_summary(const struct fwd_port_stats *s, double elapsed)
{
	struct fwd_port_stats t = {0};
	for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
		uint16_t p = fwd.ports[pi];
		t.rx += s[p].rx;
		t.tx += s[p].tx;
		t.dropped += s[p].dropped;
		t.dma_errors += s[p].dma_errors;
		t.faults += s[p].faults;
	}
	printf("\n=== svadk-fwd summary ===\n");
	printf("copy %s%s, mac update %s, %u port%s, %u forwarding lcore%s, %.2f s\n",
	       fwd.c.copy == FWD_COPY_DMA ? "dma on " : "cpu",
	       fwd.c.copy == FWD_COPY_DMA ? fwd.c.dev : "", fwd.c.mac_update ? "on" : "off",
	       fwd.nb_ports, fwd.nb_ports > 1 ? "s" : "", fwd.nb_fwd_lcores,
	       fwd.nb_fwd_lcores > 1 ? "s" : "", elapsed);
	printf("  %4s %14s %14s %10s %10s %10s\n", "port", "rx", "tx", "dropped", "dma errors",
	       "faults");
	for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
		uint16_t p = fwd.ports[pi];
		char fb[24];
		printf("  %4u %14llu %14llu %10llu %10llu %10s\n", p, (unsigned long long)s[p].rx,
		       (unsigned long long)s[p].tx, (unsigned long long)s[p].dropped,
		       (unsigned long long)s[p].dma_errors, faults_str(fb, sizeof(fb), s[p].faults));
	}
	char fb[24];
	printf("  %4s %14llu %14llu %10llu %10llu %10s\n", "all", (unsigned long long)t.rx,
	       (unsigned long long)t.tx, (unsigned long long)t.dropped,
	       (unsigned long long)t.dma_errors, faults_str(fb, sizeof(fb), t.faults));
	printf("  rate: rx %.3f Mpps, tx %.3f Mpps\n", elapsed > 0 ? t.rx / elapsed / 1e6 : 0,
	       elapsed > 0 ? t.tx / elapsed / 1e6 : 0);
	print_handler();
	if (fwd.c.copy == FWD_COPY_DMA && fwd.lq) {
		for (unsigned int l = 0; l < RTE_MAX_LCORE; l++) {
			struct sva_queue *q = sva_dpdk_lcore_queue_of(fwd.lq, l);
			struct sva_queue_stats qs;
			if (!q || sva_queue_stats_get(q, &qs) < 0)
				continue;
			printf("  lcore %u queue (PASID %u): %llu copies, %llu errors, %llu faults, "
			       "%llu resubmits, %llu doorbells\n", l, sva_queue_pasid(q),
			       (unsigned long long)qs.completed, (unsigned long long)qs.errors,
			       (unsigned long long)qs.faults, (unsigned long long)qs.resubmits,
			       (unsigned long long)qs.doorbells);
		}
	}
	fflush(stdout);
}

/* Main lcore without forwarding work: statistics and the stop conditions. */
static void supervise(uint64_t t0)
{
	uint64_t hz = rte_get_timer_hz();
	static struct fwd_port_stats prev[RTE_MAX_ETHPORTS], now[RTE_MAX_ETHPORTS];
	uint64_t last_print = t0, last_rx_change = t0, rx_seen = 0;
	while (!fwd.quit) {
		rte_delay_us_sleep(10000);
		uint64_t t = rte_get_timer_cycles();
		sum_stats(now);
		uint64_t rx = 0;
		for (uint16_t pi = 0; pi < fwd.nb_ports; pi++)
			rx += now[fwd.ports[pi]].rx;
		if (rx != rx_seen) {
			rx_seen = rx;
			last_rx_change = t;
		}
		if (fwd.c.stats_interval > 0 && t - last_print >= fwd.c.stats_interval * hz) {
			print_stats(now, prev, (double)(t - last_print) / hz, (double)(t - t0) / hz);
			memcpy(prev, now, sizeof(prev));
			last_print = t;
		}
		if (fwd.c.duration > 0 && t - t0 >= fwd.c.duration * hz)
			fwd.quit = true;
		if (fwd.c.idle_exit_ms && rx_seen && t - last_rx_change >= fwd.c.idle_exit_ms * hz / 1000)
			fwd.quit = true;
	}
}

struct supervise_arg {
	uint64_t t0;
};

static void *supervise_thread(void *arg)
{
	supervise(((struct supervise_arg *)arg)->t0);
	return NULL;
}

/* --- main ---------------------------------------------------------------------------- */

int main(int argc, char **argv)
{
	int ret = rte_eal_init(argc, argv);
	if (ret < 0) {
		fprintf(stderr, "svadk-fwd: EAL initialisation failed: %s\n", rte_strerror(rte_errno));
		return 1;
	}
	argc -= ret;
	argv += ret;
	if (parse_args(argc, argv, &fwd.c) < 0) {
		rte_eal_cleanup();
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int rc = 1;

	uint16_t p;
	RTE_ETH_FOREACH_DEV(p) {
		if (p < 64 && (fwd.c.portmask & (1ull << p)))
			fwd.ports[fwd.nb_ports++] = p;
	}
	if (fwd.nb_ports == 0) {
		fprintf(stderr, "svadk-fwd: no port (add one with --vdev, e.g. --vdev=net_ring0)\n");
		goto out;
	}
	/* Forwarding lcores: the workers, or the main lcore when there is none. */
	unsigned int fwd_lcores[RTE_MAX_LCORE], n = 0, l;
	RTE_LCORE_FOREACH_WORKER(l)
		fwd_lcores[n++] = l;
	bool main_forwards = n == 0;
	if (main_forwards)
		fwd_lcores[n++] = rte_get_main_lcore();
	fwd.nb_fwd_lcores = n;
	for (unsigned int i = 0; i < n; i++) {
		fwd.lc[fwd_lcores[i]] = rte_zmalloc_socket(NULL, sizeof(struct fwd_lcore),
							    RTE_CACHE_LINE_SIZE, SOCKET_ID_ANY);
		if (!fwd.lc[fwd_lcores[i]]) {
			fprintf(stderr, "svadk-fwd: out of memory\n");
			goto out;
		}
		fwd.lc[fwd_lcores[i]]->lcore_id = fwd_lcores[i];
	}

	unsigned int nb_mbufs = RTE_MAX(8191u, fwd.nb_ports * fwd.c.nb_queues *
					       (fwd.c.nb_rxd + fwd.c.nb_txd + 2u * FWD_MAX_BURST) +
					       fwd.nb_ports * fwd.c.gen_count + n * 512u);
	fwd.rx_pool = rte_pktmbuf_pool_create("fwd_rx", nb_mbufs, 256, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					      rte_socket_id());
	/* Headers of the transmitted copies: no data room, the data is a buffer. */
	fwd.ext_pool = rte_pktmbuf_pool_create("fwd_copies", fwd.c.nb_bufs + n * 512u, 256, 0, 0,
					       rte_socket_id());
	if (!fwd.rx_pool || !fwd.ext_pool) {
		fprintf(stderr, "svadk-fwd: cannot create mbuf pools: %s (more memory: -m)\n",
			rte_strerror(rte_errno));
		goto out;
	}
	int e = fwd_bufs_init(&fwd.bufs, fwd.c.nb_bufs, fwd.c.buf_size);
	if (e < 0) {
		fprintf(stderr, "svadk-fwd: cannot map %u buffers of %u bytes: %s\n", fwd.c.nb_bufs,
			fwd.c.buf_size, strerror(-e));
		goto out;
	}
	printf("buffers: %u x %u bytes of plain process memory at %p, not touched before first use\n",
	       fwd.c.nb_bufs, fwd.c.buf_size, (void *)fwd.bufs.base);
	for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
		e = port_setup(fwd.ports[pi]);
		if (e < 0) {
			fprintf(stderr, "svadk-fwd: port %u: setup failed: %s\n", fwd.ports[pi],
				strerror(-e));
			goto out;
		}
	}
	if (assign_lcores(fwd_lcores, n) < 0)
		goto out;
	if (fwd.c.copy == FWD_COPY_DMA) {
		if (dma_setup(fwd_lcores, n) < 0)
			goto out;
	} else {
		printf("copies: CPU (rte_memcpy)\n");
	}
	if (fwd.c.gen_count) {
		e = fwd_generate(fwd.c.gen_count, fwd.c.gen_size);
		if (e < 0) {
			fprintf(stderr, "svadk-fwd: --gen: %s\n", strerror(-e));
			goto out;
		}
		printf("injected %u packets of %u bytes into each port\n", fwd.c.gen_count,
		       fwd.c.gen_size);
	}
	printf("forwarding (Ctrl-C to stop)\n");
	fflush(stdout);

	uint64_t t0 = rte_get_timer_cycles();
	if (main_forwards) {
		/* One lcore: it forwards; statistics and stop conditions run in a
		 * control thread (placed by the EAL off the lcores' CPUs). */
		pthread_t th;
		struct supervise_arg sa = {.t0 = t0};
		if (rte_ctrl_thread_create(&th, "fwd-stats", NULL, supervise_thread, &sa) != 0) {
			fprintf(stderr, "svadk-fwd: cannot start the statistics thread\n");
			goto out;
		}
		fwd_lcore_main(fwd.lc[rte_get_main_lcore()]);
		fwd.quit = true;
		pthread_join(th, NULL);
	} else {
		for (unsigned int i = 0; i < n; i++)
			rte_eal_remote_launch(fwd_lcore_main, fwd.lc[fwd_lcores[i]], fwd_lcores[i]);
		supervise(t0);
		rte_eal_mp_wait_lcore();
	}
	double elapsed = (double)(rte_get_timer_cycles() - t0) / rte_get_timer_hz();
	static struct fwd_port_stats fin[RTE_MAX_ETHPORTS];
	sum_stats(fin);
	print_summary(fin, elapsed);
	rc = 0;
out:
	for (uint16_t pi = 0; pi < fwd.nb_ports; pi++) {
		rte_eth_dev_stop(fwd.ports[pi]);
		rte_eth_dev_close(fwd.ports[pi]);
	}
	sva_dpdk_iopf_service_destroy(fwd.svc);
	sva_dpdk_lcore_queues_free(fwd.lq);
	if (fwd.dev)
		sva_dev_close(fwd.dev);
	sva_iopf_destroy(fwd.pf);
	for (unsigned int i = 0; i < RTE_MAX_LCORE; i++) {
		if (fwd.lc[i]) {
			free(fwd.lc[i]->fifo);
			rte_free(fwd.lc[i]);
		}
	}
	/* The ports are closed: no mbuf refers to a buffer any more. */
	fwd_bufs_fini(&fwd.bufs);
	rte_mempool_free(fwd.ext_pool);
	rte_mempool_free(fwd.rx_pool);
	rte_eal_cleanup();
	return rc;
}
