//! Client classes of a Kea `Dhcp6` configuration, compiled and served by
//! the DHCPv6 engine: the manual's DUID-prefix class with its own DNS
//! servers, a DROP class, and a subnet only a class may use.

use std::net::Ipv6Addr;

use xdhcp_controlplane::compile::compile;
use xdhcp_dataplane::engine::v6::{Engine6, Outcome, Request6, Silence};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};
use xdhcp_dataplane::wire::v6::Packet6;

mod common;
use common::v6msg::tlv;

const CONFIG: &str = r#"{ "Dhcp6": {
  "option-data": [ { "name": "dns-servers", "data": "2001:db8::99" } ],
  "client-classes": [
    { "name": "DROP", "test": "substring(option[1].hex,0,2) == 0x0003" },
    { "name": "Client_enterprise",
      "test": "substring(option[1].hex,0,6) == 0x0002AABBCCDD",
      "option-data": [ { "name": "dns-servers", "code": 23, "space": "dhcp6",
                         "csv-format": true, "data": "2001:db8:0::1, 2001:db8:2::1" } ] }
  ],
  "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64", "interface": "veth0",
                 "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::20" } ] } ]
} }"#;

/// The DNS servers (option 23) of the answer to an INFORMATION-REQUEST
/// from a client with `duid`, or why there was none.
fn dns_servers(duid: &[u8]) -> Result<Vec<u8>, Silence> {
    let cfg = xdhcp_controlplane::load_str("classes6.json", CONFIG).unwrap();
    let config = compile(&cfg).config6().unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(4, 64)).unwrap();
    let mut msg = vec![11, 0, 0, 7];
    msg.extend(tlv(1, duid));
    msg.extend(tlv(6, &23u16.to_be_bytes()));
    let src = "fe80::1".parse::<Ipv6Addr>().unwrap();
    let req = Request6::multicast(Packet6::parse(&msg).unwrap(), Some("veth0"), src);
    let engine = Engine6 {
        config: &config,
        leases: &leases,
        stats: None,
        events: None,
    };
    let mut out = vec![0u8; 1500];
    match engine.handle(&req, &mut out, 1_800_000_000) {
        Outcome::Reply { len, .. } => {
            let reply = Packet6::parse(&out[..len]).unwrap();
            Ok(reply.options().find(23).unwrap_or_default().to_vec())
        }
        Outcome::Silent(why) => Err(why),
    }
}

fn addrs(list: &[&str]) -> Vec<u8> {
    list.iter()
        .flat_map(|a| a.parse::<Ipv6Addr>().unwrap().octets())
        .collect()
}

#[test]
fn dhcpv6_classes_drop_and_give_their_options() {
    let enterprise = [0, 2, 0xaa, 0xbb, 0xcc, 0xdd, 1, 2, 3];
    assert_eq!(
        dns_servers(&enterprise),
        Ok(addrs(&["2001:db8::1", "2001:db8:2::1"])),
        "the class's servers over the global ones"
    );
    assert_eq!(
        dns_servers(&[0, 2, 0, 0, 0, 9, 1]),
        Ok(addrs(&["2001:db8::99"]))
    );
    assert_eq!(
        dns_servers(&[0, 3, 0, 1, 2, 0, 0, 0, 0, 1]),
        Err(Silence::Dropped)
    );
}
