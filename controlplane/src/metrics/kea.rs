//! Kea statistic names to the Prometheus names and labels of the
//! community `kea-exporter` (and Stork's agent), so dashboards built for
//! them read xdhcp unchanged. Labels: `subnet` (the prefix as configured),
//! `subnet_id`, `pool` (the pool as configured; empty for subnet totals),
//! `operation` for packets, `context` for allocation failures; xdhcp adds
//! `pd_pool` series for prefix delegation pools.

use crate::stats::layout::{PoolLabel, SubnetLabel};
use crate::stats::Layout;

/// A Prometheus series: metric name, help text, labels.
pub struct Series {
    /// Full metric name (`kea_dhcp4_addresses_total`).
    pub name: String,
    /// `# HELP` text.
    pub help: &'static str,
    /// Label pairs, in order.
    pub labels: Vec<(&'static str, String)>,
}

/// Packet statistics: Kea's name, metric suffix, `operation` label.
const PACKETS: &[(&str, &str, &str)] = &[
    ("pkt4-ack-sent", "packets_sent_total", "ack"),
    ("pkt4-nak-sent", "packets_sent_total", "nak"),
    ("pkt4-offer-sent", "packets_sent_total", "offer"),
    (
        "pkt4-discover-received",
        "packets_received_total",
        "discover",
    ),
    ("pkt4-offer-received", "packets_received_total", "offer"),
    ("pkt4-request-received", "packets_received_total", "request"),
    ("pkt4-ack-received", "packets_received_total", "ack"),
    ("pkt4-nak-received", "packets_received_total", "nak"),
    ("pkt4-release-received", "packets_received_total", "release"),
    ("pkt4-decline-received", "packets_received_total", "decline"),
    ("pkt4-inform-received", "packets_received_total", "inform"),
    ("pkt4-unknown-received", "packets_received_total", "unknown"),
    (
        "pkt4-parse-failed",
        "packets_received_total",
        "parse-failed",
    ),
    ("pkt4-receive-drop", "packets_received_total", "drop"),
    ("pkt6-advertise-sent", "packets_sent_total", "advertise"),
    ("pkt6-reply-sent", "packets_sent_total", "reply"),
    ("pkt6-receive-drop", "packets_received_total", "drop"),
    (
        "pkt6-parse-failed",
        "packets_received_total",
        "parse-failed",
    ),
    ("pkt6-solicit-received", "packets_received_total", "solicit"),
    (
        "pkt6-advertise-received",
        "packets_received_total",
        "advertise",
    ),
    ("pkt6-request-received", "packets_received_total", "request"),
    ("pkt6-reply-received", "packets_received_total", "reply"),
    ("pkt6-renew-received", "packets_received_total", "renew"),
    ("pkt6-rebind-received", "packets_received_total", "rebind"),
    ("pkt6-release-received", "packets_received_total", "release"),
    ("pkt6-decline-received", "packets_received_total", "decline"),
    (
        "pkt6-infrequest-received",
        "packets_received_total",
        "infrequest",
    ),
    ("pkt6-unknown-received", "packets_received_total", "unknown"),
    (
        "pkt6-dhcpv4-response-sent",
        "packets_sent_dhcp4_total",
        "response",
    ),
    (
        "pkt6-dhcpv4-query-received",
        "packets_received_dhcp4_total",
        "query",
    ),
    (
        "pkt6-dhcpv4-response-received",
        "packets_received_dhcp4_total",
        "response",
    ),
];

/// Which labels a scoped metric carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Labels {
    /// `subnet`, `subnet_id`, `pool`.
    Pool,
    /// `subnet`, `subnet_id`.
    Subnet,
    /// `subnet`, `subnet_id`, `context`.
    Context(&'static str),
}

/// Per-subnet and per-pool statistics: family, Kea's name, metric suffix,
/// labels, help.
const SCOPED: &[(u8, &str, &str, Labels, &str)] = &[
    (
        4,
        "total-addresses",
        "addresses_total",
        Labels::Pool,
        "Size of subnet address pool",
    ),
    (
        4,
        "assigned-addresses",
        "addresses_assigned_total",
        Labels::Pool,
        "Assigned addresses",
    ),
    (
        4,
        "declined-addresses",
        "addresses_declined_total",
        Labels::Pool,
        "Declined counts",
    ),
    (
        4,
        "reclaimed-declined-addresses",
        "addresses_declined_reclaimed_total",
        Labels::Pool,
        "Declined addresses that were reclaimed",
    ),
    (
        4,
        "reclaimed-leases",
        "addresses_reclaimed_total",
        Labels::Pool,
        "Expired addresses that were reclaimed",
    ),
    (
        4,
        "cumulative-assigned-addresses",
        "cumulative_addresses_assigned_total",
        Labels::Pool,
        "Cumulative number of assigned addresses since server startup",
    ),
    (
        4,
        "v4-reservation-conflicts",
        "reservation_conflicts_total",
        Labels::Subnet,
        "Reservation conflict count",
    ),
    (
        4,
        "v4-lease-reuses",
        "leases_reused_total",
        Labels::Subnet,
        "Number of times an IPv4 lease has been renewed in memory",
    ),
    (
        4,
        "v4-allocation-fail-subnet",
        "allocations_failed_total",
        Labels::Context("subnet"),
        "Allocation fail count",
    ),
    (
        4,
        "v4-allocation-fail-shared-network",
        "allocations_failed_total",
        Labels::Context("shared-network"),
        "Allocation fail count",
    ),
    (
        4,
        "v4-allocation-fail-no-pools",
        "allocations_failed_total",
        Labels::Context("no-pools"),
        "Allocation fail count",
    ),
    (
        4,
        "v4-allocation-fail-classes",
        "allocations_failed_total",
        Labels::Context("classes"),
        "Allocation fail count",
    ),
    (
        6,
        "total-nas",
        "na_total",
        Labels::Pool,
        "Size of non-temporary address pool",
    ),
    (
        6,
        "assigned-nas",
        "na_assigned_total",
        Labels::Pool,
        "Assigned non-temporary addresses (IA_NA)",
    ),
    (
        6,
        "total-pds",
        "pd_total",
        Labels::Subnet,
        "Size of prefix delegation pool",
    ),
    (
        6,
        "assigned-pds",
        "pd_assigned_total",
        Labels::Subnet,
        "Assigned prefix delegations (IA_PD)",
    ),
    (
        6,
        "declined-addresses",
        "addresses_declined_total",
        Labels::Pool,
        "Declined addresses",
    ),
    (
        6,
        "reclaimed-declined-addresses",
        "addresses_declined_reclaimed_total",
        Labels::Pool,
        "Declined addresses that were reclaimed",
    ),
    (
        6,
        "reclaimed-leases",
        "addresses_reclaimed_total",
        Labels::Pool,
        "Expired addresses that were reclaimed",
    ),
    (
        6,
        "cumulative-assigned-nas",
        "cumulative_nas_assigned_total",
        Labels::Pool,
        "Cumulative number of assigned NA addresses since server startup",
    ),
    (
        6,
        "cumulative-assigned-pds",
        "cumulative_pds_assigned_total",
        Labels::Subnet,
        "Cumulative number of assigned PD prefixes since server startup",
    ),
    (
        6,
        "v6-ia-na-lease-reuses",
        "na_reuses_total",
        Labels::Pool,
        "Number of IA_NA lease reuses",
    ),
    (
        6,
        "v6-ia-pd-lease-reuses",
        "pd_reuses_total",
        Labels::Pool,
        "Number of IA_PD lease reuses",
    ),
    (
        6,
        "v6-allocation-fail-subnet",
        "allocations_failed_total",
        Labels::Context("subnet"),
        "Allocation fail count",
    ),
    (
        6,
        "v6-allocation-fail-shared-network",
        "allocations_failed_total",
        Labels::Context("shared-network"),
        "Allocation fail count",
    ),
    (
        6,
        "v6-allocation-fail-no-pools",
        "allocations_failed_total",
        Labels::Context("no-pools"),
        "Allocation fail count",
    ),
    (
        6,
        "v6-allocation-fail-classes",
        "allocations_failed_total",
        Labels::Context("classes"),
        "Allocation fail count",
    ),
];

/// A pool named in a statistic: prefix delegation or not, and its ID.
type PoolRef = (bool, u32);

/// Splits `subnet[ID].rest`, `subnet[ID].pool[PID].rest` and
/// `subnet[ID].pd-pool[PID].rest`.
fn split(name: &str) -> Option<(u32, Option<PoolRef>, &str)> {
    let rest = name.strip_prefix("subnet[")?;
    let (id, rest) = rest.split_once("].")?;
    let id = id.parse().ok()?;
    for (pd, tag) in [(false, "pool["), (true, "pd-pool[")] {
        if let Some(r) = rest.strip_prefix(tag) {
            let (pid, metric) = r.split_once("].")?;
            return Some((id, Some((pd, pid.parse().ok()?)), metric));
        }
    }
    Some((id, None, rest))
}

/// The series a Kea statistic of DHCP version `family` is exported as, if
/// the exporters export it.
pub fn series(family: u8, name: &str, layout: &Layout) -> Option<Series> {
    let prefix = format!("kea_dhcp{family}_");
    if let Some((_, metric, op)) = PACKETS.iter().find(|p| p.0 == name) {
        let help = if metric.starts_with("packets_sent") {
            "Packets sent"
        } else {
            "Packets received"
        };
        return Some(Series {
            name: format!("{prefix}{metric}"),
            help,
            labels: vec![("operation", op.to_string())],
        });
    }
    // Global totals are left to the subnets, as the exporters do.
    let (id, pool, stat) = split(name)?;
    let &(_, _, metric, labels, help) = SCOPED.iter().find(|s| s.0 == family && s.1 == stat)?;
    // A subnet written without an `id` (numbered when loaded) has no
    // label of its own: it is exported without its prefix.
    let unlabelled = SubnetLabel::default();
    let subnet: &SubnetLabel = layout.subnet(id).unwrap_or(&unlabelled);
    let mut out = vec![
        ("subnet", subnet.prefix.clone()),
        ("subnet_id", id.to_string()),
    ];
    // `pool[ID]` sums the pools with that `pool-id`: labelled with the
    // first of them.
    let text =
        |pools: &[PoolLabel], pid: u32| Some(pools.iter().find(|p| p.id == pid)?.text.clone());
    match (labels, pool) {
        (Labels::Pool, None) => out.push(("pool", String::new())),
        (Labels::Pool, Some((false, pid))) => out.push(("pool", text(&subnet.pools, pid)?)),
        (Labels::Subnet, None) => {}
        (Labels::Subnet, Some((true, pid))) => out.push(("pd_pool", text(&subnet.pd_pools, pid)?)),
        (Labels::Context(c), None) => out.push(("context", c.to_string())),
        _ => return None,
    }
    Some(Series {
        name: format!("{prefix}{metric}"),
        help,
        labels: out,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_labels_are_kea_exporters() {
        let layout = Layout::new(vec![SubnetLabel {
            id: 7,
            prefix: "192.0.2.0/24".into(),
            pools: vec![
                PoolLabel {
                    text: "192.0.2.10 - 192.0.2.20".into(),
                    id: 0,
                },
                PoolLabel {
                    text: "192.0.2.30 - 192.0.2.40".into(),
                    id: 5,
                },
            ],
            pd_pools: vec![],
        }]);
        let s = series(4, "pkt4-discover-received", &layout).unwrap();
        assert_eq!(s.name, "kea_dhcp4_packets_received_total");
        assert_eq!(s.labels, vec![("operation", "discover".to_string())]);
        let s = series(4, "subnet[7].pool[0].assigned-addresses", &layout).unwrap();
        assert_eq!(s.name, "kea_dhcp4_addresses_assigned_total");
        assert_eq!(s.labels[2], ("pool", "192.0.2.10 - 192.0.2.20".to_string()));
        let s = series(4, "subnet[7].pool[5].assigned-addresses", &layout).unwrap();
        assert_eq!(s.labels[2], ("pool", "192.0.2.30 - 192.0.2.40".to_string()));
        assert!(series(4, "subnet[7].pool[1].assigned-addresses", &layout).is_none());
        let s = series(4, "subnet[7].v4-allocation-fail-subnet", &layout).unwrap();
        assert_eq!(s.labels[2], ("context", "subnet".to_string()));
        assert!(series(4, "pkt4-received", &layout).is_none());
        assert!(series(4, "subnet[7].v4-allocation-fail", &layout).is_none());
        let unlabelled = series(4, "subnet[9].total-addresses", &layout).unwrap();
        assert_eq!(unlabelled.labels[0], ("subnet", String::new()));
    }
}
