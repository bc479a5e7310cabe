//! Subnets and pools as the operator wrote them: IDs, prefixes, pool
//! ranges and pool IDs, read from the configuration's JSON, for the labels
//! of the metrics.

use std::collections::HashMap;

use serde_json::Value;

/// One pool as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolLabel {
    /// The pool as written (`"192.0.2.10 - 192.0.2.20"`, or a pd-pool's
    /// `prefix/prefix-len`).
    pub text: String,
    /// `pool-id` (0 when not configured, as Kea).
    pub id: u32,
}

/// One subnet as configured.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SubnetLabel {
    /// `id`.
    pub id: u32,
    /// `subnet`, as written.
    pub prefix: String,
    /// `pools`, in order.
    pub pools: Vec<PoolLabel>,
    /// `pd-pools`, in order (DHCPv6).
    pub pd_pools: Vec<PoolLabel>,
}

/// Every subnet of one DHCP version.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Layout {
    /// Subnets in the configuration's order.
    pub subnets: Vec<SubnetLabel>,
    /// Position of each subnet ID in `subnets`: a scrape looks one up per
    /// statistic, hundreds of thousands of times at ISP scale.
    by_id: HashMap<u32, usize>,
}

impl Layout {
    /// The subnets of `server` (a `Dhcp4` or `Dhcp6` object): top-level
    /// ones, then those of shared networks.
    pub fn from_json(server: &Value, family: u8) -> Layout {
        let key = if family == 6 { "subnet6" } else { "subnet4" };
        let top = server.get(key).and_then(Value::as_array);
        let shared = server
            .get("shared-networks")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|n| n.get(key).and_then(Value::as_array));
        let str_of =
            |p: &Value, k: &str| p.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let label = |s: &Value| {
            let pools = |k: &str, text: &dyn Fn(&Value) -> String| -> Vec<PoolLabel> {
                s.get(k)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| PoolLabel {
                        text: text(p),
                        id: p.get("pool-id").and_then(Value::as_u64).unwrap_or(0) as u32,
                    })
                    .collect()
            };
            SubnetLabel {
                id: s.get("id").and_then(Value::as_u64).unwrap_or(0) as u32,
                prefix: str_of(s, "subnet"),
                pools: pools("pools", &|p| str_of(p, "pool")),
                pd_pools: pools("pd-pools", &|p| {
                    let len = p.get("prefix-len").and_then(Value::as_u64).unwrap_or(0);
                    format!("{}/{len}", str_of(p, "prefix"))
                }),
            }
        };
        Layout::new(top.into_iter().chain(shared).flatten().map(label).collect())
    }

    /// The layout of `subnets`.
    pub fn new(subnets: Vec<SubnetLabel>) -> Layout {
        let by_id = subnets.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        Layout { subnets, by_id }
    }

    /// The subnet with ID `id`.
    pub fn subnet(&self, id: u32) -> Option<&SubnetLabel> {
        self.subnets.get(*self.by_id.get(&id)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_come_with_their_pools() {
        let conf: Value = serde_json::json!({
            "subnet4": [ { "id": 2, "subnet": "192.0.2.0/24",
                           "pools": [ { "pool": "192.0.2.10 - 192.0.2.20" },
                                      { "pool": "192.0.2.30/31", "pool-id": 5 } ] } ],
            "shared-networks": [ { "subnet4": [ { "id": 1, "subnet": "198.51.100.0/24" } ] } ]
        });
        let l = Layout::from_json(&conf, 4);
        assert_eq!(l.subnet(1).unwrap().prefix, "198.51.100.0/24");
        assert_eq!(l.subnets[0].pools[1].text, "192.0.2.30/31");
        assert_eq!(l.subnets[0].pools[1].id, 5);
        assert_eq!(l.subnet(2).unwrap().pools[0].id, 0);
    }
}
