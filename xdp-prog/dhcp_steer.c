// SPDX-License-Identifier: GPL-2.0 OR MPL-2.0
//
// dhcp_steer: the XDP program in front of xdhcp's AF_XDP workers.
//
// DHCP frames (UDP to the server ports, over Ethernet with up to two VLAN
// tags, IPv4 with options or IPv6 with extension headers) are redirected to
// the AF_XDP socket bound to the receiving queue. Every other frame is
// passed to the kernel untouched, so ARP, ping, SSH and anything else on the
// interface keep working. Per-CPU counters tell the metrics code what
// happened to each frame.
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

// Counter slots; the Rust side (dataplane/src/io/xdp/counters.rs) uses the same order.
enum counter {
	SEEN,        // every frame the program ran on
	REDIRECTED,  // DHCP frames handed to an AF_XDP socket
	PASSED,      // frames passed to the kernel
	MALFORMED,   // frames whose headers end early or are inconsistent
	NO_SOCKET,   // DHCP frames on a queue without a bound socket (passed)
	COUNTER_MAX,
};

// Server ports; the loader may set others (e.g. the client ports for the load generator).
volatile const __u16 port_v4 = 67;
volatile const __u16 port_v6 = 547;

// Enough for any NIC's queue count on the machines we target.
#define MAX_QUEUES 256
// Extension headers walked before giving up on an IPv6 frame.
#define MAX_EXT_HEADERS 4

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct ipv6_ext {
	__u8 next;
	__u8 len; // in 8-byte units, not counting the first 8 bytes
};

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static __always_inline void count(__u32 slot)
{
	__u64 *v = bpf_map_lookup_elem(&counters, &slot);
	if (v)
		*v += 1;
}

static __always_inline int pass(__u32 slot)
{
	if (slot != PASSED)
		count(slot);
	count(PASSED);
	return XDP_PASS;
}

// Returns the UDP header, NULL for "not DHCP", or (void *)1 for malformed.
#define MALFORMED_FRAME ((void *)1)

static __always_inline struct udphdr *udp_of_ipv4(void *l3, void *end)
{
	struct iphdr *ip = l3;
	if ((void *)(ip + 1) > end)
		return MALFORMED_FRAME;
	if (ip->ihl < 5)
		return MALFORMED_FRAME;
	if (ip->protocol != IPPROTO_UDP)
		return NULL;
	// A later fragment carries no UDP header; the kernel reassembles.
	if (ip->frag_off & bpf_htons(0x1fff))
		return NULL;
	return (void *)ip + ip->ihl * 4;
}

static __always_inline struct udphdr *udp_of_ipv6(void *l3, void *end)
{
	struct ipv6hdr *ip = l3;
	if ((void *)(ip + 1) > end)
		return MALFORMED_FRAME;
	__u8 next = ip->nexthdr;
	void *cursor = ip + 1;
#pragma unroll
	for (int i = 0; i < MAX_EXT_HEADERS; i++) {
		if (next == IPPROTO_UDP)
			return cursor;
		struct ipv6_ext *ext = cursor;
		if ((void *)(ext + 1) > end)
			return MALFORMED_FRAME;
		switch (next) {
		case IPPROTO_HOPOPTS:
		case IPPROTO_ROUTING:
		case IPPROTO_DSTOPTS:
			next = ext->next;
			cursor += (ext->len + 1) * 8;
			break;
		case IPPROTO_FRAGMENT: {
			// Only a first fragment holds the UDP header.
			__be16 *off = cursor + 2;
			if ((void *)(off + 1) > end)
				return MALFORMED_FRAME;
			if (*off & bpf_htons(0xfff8))
				return NULL;
			next = ext->next;
			cursor += 8;
			break;
		}
		default:
			return NULL;
		}
	}
	return next == IPPROTO_UDP ? cursor : NULL;
}

SEC("xdp")
int dhcp_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	count(SEEN);

	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return pass(MALFORMED);
	__be16 proto = eth->h_proto;
	void *l3 = eth + 1;

	// Up to two tags: 802.1Q, or QinQ (802.1ad outer, 802.1Q inner).
#pragma unroll
	for (int i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) && proto != bpf_htons(ETH_P_8021AD))
			break;
		struct vlan_hdr *vlan = l3;
		if ((void *)(vlan + 1) > end)
			return pass(MALFORMED);
		proto = vlan->proto;
		l3 = vlan + 1;
	}

	struct udphdr *udp;
	__u16 port;
	if (proto == bpf_htons(ETH_P_IP)) {
		udp = udp_of_ipv4(l3, end);
		port = port_v4;
	} else if (proto == bpf_htons(ETH_P_IPV6)) {
		udp = udp_of_ipv6(l3, end);
		port = port_v6;
	} else {
		return pass(PASSED);
	}
	if (udp == MALFORMED_FRAME)
		return pass(MALFORMED);
	if (!udp)
		return pass(PASSED);
	if ((void *)(udp + 1) > end)
		return pass(MALFORMED);
	if (udp->dest != bpf_htons(port))
		return pass(PASSED);

	__u32 queue = ctx->rx_queue_index;
	if (!bpf_map_lookup_elem(&xsks, &queue))
		return pass(NO_SOCKET);
	count(REDIRECTED);
	return bpf_redirect_map(&xsks, queue, XDP_PASS);
}

char LICENSE[] SEC("license") = "Dual MPL/GPL";
