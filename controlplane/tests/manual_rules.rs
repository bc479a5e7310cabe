//! The table of "liberties and limits" for subnets and pools in the modern
//! DHCPv6 manual (seed 004, end of §9.2.10), row by row.

use xdhcp_controlplane::load_str;

fn v6(subnets: &str) -> Result<(), String> {
    let text = format!("{{ \"Dhcp6\": {{ \"subnet6\": [ {subnets} ] }} }}");
    load_str("t.json", &text)
        .map(|_| ())
        .map_err(|e| e[0].to_string())
}

#[test]
fn overlapping_subnets_are_allowed() {
    v6(r#"{ "id": 1, "subnet": "2001:db8::/48" }, { "id": 2, "subnet": "2001:db8::/64" }"#)
        .unwrap();
}

#[test]
fn overlapping_pools_in_one_subnet_are_not() {
    let e = v6(r#"{ "id": 1, "subnet": "2001:db8::/64",
        "pools": [ { "pool": "2001:db8::1-2001:db8::ff" }, { "pool": "2001:db8::80/121" } ] }"#)
    .unwrap_err();
    assert!(e.contains("overlaps with pool"), "{e}");
}

#[test]
fn overlapping_pools_in_different_subnets_are_allowed() {
    v6(
        r#"{ "id": 1, "subnet": "2001:db8::/48", "pools": [ { "pool": "2001:db8::/120" } ] },
          { "id": 2, "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8::/120" } ] }"#,
    )
    .unwrap();
}

#[test]
fn pools_outside_their_subnet_are_not() {
    let e = v6(
        r#"{ "id": 1, "subnet": "2001:db8::/64", "pools": [ { "pool": "2001:db8:1::/120" } ] }"#,
    )
    .unwrap_err();
    assert!(e.contains("is outside subnet"), "{e}");
}

#[test]
fn overlapping_pd_pools_in_one_subnet_are_not() {
    let e = v6(r#"{ "id": 1, "subnet": "2001:db8::/64", "pd-pools": [
        { "prefix": "3000::", "prefix-len": 48, "delegated-len": 64 },
        { "prefix": "3000::", "prefix-len": 56, "delegated-len": 64 } ] }"#)
    .unwrap_err();
    assert!(e.contains("overlaps with pd-pool"), "{e}");
}

#[test]
fn overlapping_pd_pools_in_different_subnets_are_allowed() {
    v6(r#"{ "id": 1, "subnet": "2001:db8:1::/64", "pd-pools": [ { "prefix": "3000::", "prefix-len": 48, "delegated-len": 64 } ] },
          { "id": 2, "subnet": "2001:db8:2::/64", "pd-pools": [ { "prefix": "3000::", "prefix-len": 48, "delegated-len": 64 } ] }"#)
    .unwrap();
}

#[test]
fn pd_pools_need_not_match_the_subnet() {
    v6(r#"{ "id": 1, "subnet": "2001:db8::/64", "pd-pools": [ { "prefix": "3000::", "prefix-len": 96, "delegated-len": 112 } ] }"#)
        .unwrap();
}
