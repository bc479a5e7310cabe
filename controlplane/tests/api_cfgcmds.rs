//! The host, subnet and class commands without a network, for DHCPv4 and
//! DHCPv6: Kea 2.2's result codes, texts and answer shapes (Debian ships
//! none of the subnet_cmds, host_cmds or class_cmds hooks, so the shapes
//! and texts are those of the Kea manual's examples and of Kea's hook
//! sources, noted where the two disagree), every change visible in
//! `config-get` and in the snapshot the workers read, and a refused
//! change leaving the running configuration as it was.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde_json::{json, Value};
use xdhcp_controlplane::api::Api;
use xdhcp_controlplane::reload::{self, Running};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};

static STOP: AtomicBool = AtomicBool::new(false);

fn quiet(_: &str, _: &str, _: &str) {}

fn v4_config() -> Value {
    json!({ "Dhcp4": {
        "valid-lifetime": 4000,
        "client-classes": [
            { "name": "base", "test": "option[60].text == 'base'" },
            { "name": "uses-base", "test": "member('base')" },
            { "name": "late", "test": "member('KNOWN')" }
        ],
        "reservations": [ { "hw-address": "0a:0b:0c:0d:0e:0f", "hostname": "Global-Host" } ],
        "subnet4": [
            { "id": 3, "subnet": "192.0.2.0/24",
              "pools": [ { "pool": "192.0.2.10 - 192.0.2.100" } ],
              "reservations": [ { "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.5",
                                  "hostname": "one" } ] },
            { "subnet": "198.51.100.0/24" }
        ],
        "shared-networks": [ { "name": "floor13", "subnet4": [
            { "id": 5, "subnet": "203.0.113.0/24", "pools": [ { "pool": "203.0.113.10 - 203.0.113.20" } ] }
        ] } ]
    } })
}

fn v6_config() -> Value {
    json!({ "Dhcp6": {
        "subnet6": [ { "id": 11, "subnet": "2001:db8:1::/64",
                       "pools": [ { "pool": "2001:db8:1::10 - 2001:db8:1::ff" } ] } ]
    } })
}

fn v4_api() -> (Api, Arc<Running>) {
    let config = v4_config();
    let model = reload::check(&config).unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Arc::new(
        Running::new(model, config, None, quiet)
            .serve(Some(leases), None)
            .unwrap(),
    );
    (Api::new(running.clone(), &STOP), running)
}

fn v6_api() -> (Api, Arc<Running>) {
    let config = v6_config();
    let model = reload::check(&config).unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Arc::new(
        Running::new(model, config, None, quiet)
            .serve(None, Some((leases, vec![0, 1])))
            .unwrap(),
    );
    (Api::new(running.clone(), &STOP), running)
}

/// Sends `command`, with `args` as its arguments when given.
fn send(api: &Api, command: &str, args: Option<Value>) -> Value {
    let mut r = json!({ "command": command });
    if let Some(a) = args {
        r["arguments"] = a;
    }
    api.handle(r.to_string().as_bytes())
}

/// Result code and text of an answer.
fn said(v: &Value) -> (i64, String) {
    (
        v["result"].as_i64().unwrap(),
        v["text"].as_str().unwrap_or("").to_string(),
    )
}

fn hash(api: &Api) -> Value {
    send(api, "config-hash-get", None)["arguments"]["hash"].clone()
}

#[test]
fn subnet_commands_answer_as_kea_and_change_the_running_configuration() {
    let (api, running) = v4_api();
    // Kea's subnet4-list answer (manual): ids and prefixes, by ID; the
    // ID Kea assigned to a subnet without one is shown.
    let list = send(&api, "subnet4-list", None);
    assert_eq!(said(&list), (0, "3 IPv4 subnets found".into()));
    assert_eq!(
        list["arguments"]["subnets"],
        json!([
            { "id": 1, "subnet": "198.51.100.0/24" },
            { "id": 3, "subnet": "192.0.2.0/24" },
            { "id": 5, "subnet": "203.0.113.0/24" }
        ])
    );
    let got = send(
        &api,
        "subnet4-get",
        Some(json!({ "subnet": "203.0.113.0/24" })),
    );
    assert_eq!(
        said(&got),
        (
            0,
            "Info about IPv4 subnet 203.0.113.0/24 (id 5) returned".into()
        )
    );
    assert_eq!(got["arguments"]["subnet4"][0]["id"], 5);
    assert_eq!(
        said(&send(&api, "subnet4-get", Some(json!({ "id": 9 })))),
        (3, "No subnet with id 9 found".into())
    );
    assert_eq!(
        said(&send(&api, "subnet4-get", Some(json!({ "id": 9, "subnet": "x" })))),
        (
            1,
            "invalid number of arguments 2 for the 'subnet4-get' command. Expecting 'id' or 'subnet'"
                .into()
        )
    );

    // subnet4-add: Kea's answer names the subnet under "subnets".
    let added = send(
        &api,
        "subnet4-add",
        Some(json!({ "subnet4": [ { "id": 42, "subnet": "10.42.0.0/24",
                                     "pools": [ { "pool": "10.42.0.10 - 10.42.0.19" } ] } ] })),
    );
    assert_eq!(said(&added), (0, "IPv4 subnet added".into()));
    assert_eq!(
        added["arguments"],
        json!({ "subnets": [ { "id": 42, "subnet": "10.42.0.0/24" } ] })
    );
    let live = running.v4.as_ref().unwrap().config.load();
    assert!(live
        .subnets
        .iter()
        .any(|s| s.id == 42 && s.pools.len() == 1));
    let config = send(&api, "config-get", None);
    assert!(config["arguments"]["Dhcp4"]["subnet4"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == 42));

    // Refusals: Kea's texts, and nothing changes.
    let before = hash(&api);
    for (args, code, text) in [
        (
            json!({ "subnet4": [ { "id": 42, "subnet": "10.43.0.0/24" } ] }),
            1,
            "ID of the new IPv4 subnet '42' is already in use",
        ),
        (
            json!({ "subnet4": [ { "id": 43, "subnet": "10.42.0.0/24" } ] }),
            1,
            "subnet with the prefix of '10.42.0.0/24' already exists",
        ),
        (
            json!({ "subnet4": [ { "id": 44, "subnet": "10.44.0.0/24",
                                   "reservations": [] } ] }),
            1,
            "must not specify host reservations with 'subnet4-add'. Use 'reservation-add' to \
             add a reservation to a subnet",
        ),
        (
            json!({ "subnet4": [] }),
            1,
            "invalid number of subnets specified for the 'subnet4-add' command. Expected one subnet",
        ),
    ] {
        assert_eq!(said(&send(&api, "subnet4-add", Some(args))), (code, text.into()));
    }
    // The validator's text names what is wrong.
    let bad_pool = send(
        &api,
        "subnet4-add",
        Some(json!({ "subnet4": [ { "id": 45, "subnet": "10.45.0.0/24",
                                     "pools": [ { "pool": "10.46.0.1 - 10.46.0.9" } ] } ] })),
    );
    assert_eq!(bad_pool["result"], 1);
    assert!(
        bad_pool["text"].as_str().unwrap().contains("pool"),
        "{bad_pool}"
    );
    assert_eq!(
        said(&send(&api, "subnet4-add", None)),
        (
            1,
            "no arguments specified for the 'subnet4-add' command".into()
        )
    );
    assert_eq!(
        hash(&api),
        before,
        "a refused change leaves the configuration"
    );

    // subnet4-update replaces the subnet and keeps its reservations.
    let updated = send(
        &api,
        "subnet4-update",
        Some(
            json!({ "subnet4": [ { "id": 3, "subnet": "192.0.2.0/24", "valid-lifetime": 77,
                                     "pools": [ { "pool": "192.0.2.20 - 192.0.2.30" } ] } ] }),
        ),
    );
    assert_eq!(said(&updated), (0, "IPv4 subnet updated".into()));
    let one = send(&api, "subnet4-get", Some(json!({ "id": 3 })));
    assert_eq!(one["arguments"]["subnet4"][0]["valid-lifetime"], 77);
    assert_eq!(
        one["arguments"]["subnet4"][0]["reservations"][0]["hostname"],
        "one"
    );
    assert_eq!(
        said(&send(
            &api,
            "subnet4-update",
            Some(json!({ "subnet4": [ { "id": 99, "subnet": "10.99.0.0/24" } ] }))
        )),
        (3, "Can't find subnet '99' to update".into())
    );

    // Shared networks.
    let nets = send(&api, "network4-list", None);
    assert_eq!(said(&nets), (0, "1 IPv4 network found".into()));
    assert_eq!(
        nets["arguments"],
        json!({ "shared-networks": [ { "name": "floor13" } ] })
    );
    let net = send(&api, "network4-get", Some(json!({ "name": "floor13" })));
    assert_eq!(
        said(&net),
        (
            0,
            "Info about IPv4 shared network 'floor13' returned".into()
        )
    );
    assert_eq!(
        net["arguments"]["shared-networks"][0]["subnet4"][0]["id"],
        5
    );
    assert_eq!(
        said(&send(&api, "network4-get", Some(json!({ "name": "nope" })))),
        (3, "No 'nope' shared network found".into())
    );
    assert_eq!(
        said(&send(
            &api,
            "network4-subnet-add",
            Some(json!({ "name": "floor13", "id": 42 }))
        )),
        (
            0,
            "IPv4 subnet 10.42.0.0/24 (id 42) is now part of shared network 'floor13'".into()
        )
    );
    assert_eq!(
        said(&send(
            &api,
            "network4-subnet-add",
            Some(json!({ "name": "floor13", "id": 42 }))
        )),
        (
            1,
            "subnet 42 already belongs to shared network 'floor13'".into()
        )
    );
    assert_eq!(
        said(&send(
            &api,
            "network4-subnet-del",
            Some(json!({ "name": "floor13", "id": 3 }))
        )),
        (
            3,
            "The IPv4 subnet with id 3 is not part of the shared network with name 'floor13' found"
                .into()
        )
    );
    assert_eq!(
        said(&send(
            &api,
            "network4-subnet-del",
            Some(json!({ "name": "floor13", "id": 42 }))
        )),
        (
            0,
            "IPv4 subnet 10.42.0.0/24 (id 42) is now removed from shared network 'floor13'".into()
        )
    );
    let added = send(
        &api,
        "network4-add",
        Some(
            json!({ "shared-networks": [ { "name": "floor14", "subnet4": [
            { "id": 100, "subnet": "10.100.0.0/24" } ] } ] }),
        ),
    );
    assert_eq!(
        said(&added),
        (0, "A new IPv4 shared network 'floor14' added".into())
    );
    assert_eq!(
        added["arguments"],
        json!({ "shared-networks": [ { "name": "floor14" } ] })
    );
    // Kept subnets become plain ones; deleted ones go.
    let gone = send(&api, "network4-del", Some(json!({ "name": "floor14" })));
    assert_eq!(
        said(&gone),
        (0, "IPv4 shared network 'floor14' deleted".into())
    );
    let kept = send(&api, "subnet4-get", Some(json!({ "id": 100 })));
    assert_eq!(kept["result"], 0, "a kept subnet stays: {kept}");
    let gone = send(
        &api,
        "network4-del",
        Some(json!({ "name": "floor13", "subnets-action": "delete" })),
    );
    assert_eq!(gone["result"], 0);
    assert_eq!(
        said(&send(&api, "subnet4-get", Some(json!({ "id": 5 })))).0,
        3,
        "subnets-action delete removes the network's subnets"
    );
    assert_eq!(
        said(&send(
            &api,
            "network4-del",
            Some(json!({ "name": "floor13" }))
        )),
        (3, "no shared network with name 'floor13' found".into())
    );

    // subnet4-del: Kea's answer, and the subnet is gone from the snapshot.
    let del = send(&api, "subnet4-del", Some(json!({ "id": 42 })));
    assert_eq!(
        said(&del),
        (0, "IPv4 subnet 10.42.0.0/24 (id 42) deleted".into())
    );
    assert_eq!(
        del["arguments"],
        json!({ "subnets": [ { "id": 42, "subnet": "10.42.0.0/24" } ] })
    );
    assert_eq!(
        said(&send(&api, "subnet4-del", Some(json!({ "id": 42 })))),
        (3, "no subnet with id 42 found".into())
    );
    let live = running.v4.as_ref().unwrap().config.load();
    assert!(!live.subnets.iter().any(|s| s.id == 42));
    // The subnet without an explicit ID kept the one Kea assigned.
    assert_eq!(
        said(&send(&api, "subnet4-get", Some(json!({ "id": 1 })))).1,
        "Info about IPv4 subnet 198.51.100.0/24 (id 1) returned"
    );
    // The v6 family is the other server's.
    assert_eq!(
        said(&send(&api, "subnet6-list", None)),
        (2, "'subnet6-list' command not supported.".into())
    );
}

#[test]
fn host_commands_answer_as_kea_over_the_configured_reservations() {
    let (api, running) = v4_api();
    let host = send(
        &api,
        "reservation-get",
        Some(json!({ "subnet-id": 3, "ip-address": "192.0.2.5" })),
    );
    assert_eq!(said(&host), (0, "Host found.".into()));
    // Kea's host shape: defaults filled in, and the subnet ID.
    assert_eq!(
        host["arguments"],
        json!({ "boot-file-name": "", "client-classes": [], "hostname": "one",
                "hw-address": "01:02:03:04:05:06", "ip-address": "192.0.2.5",
                "next-server": "0.0.0.0", "option-data": [], "server-hostname": "",
                "subnet-id": 3 })
    );
    assert_eq!(
        said(&send(
            &api,
            "reservation-get",
            Some(json!({ "subnet-id": 3, "identifier-type": "hw-address",
                         "identifier": "010203040506" }))
        ))
        .0,
        0
    );
    assert_eq!(
        said(&send(
            &api,
            "reservation-get",
            Some(json!({ "subnet-id": 3, "ip-address": "192.0.2.6" }))
        )),
        (3, "Host not found.".into())
    );
    assert_eq!(
        said(&send(
            &api,
            "reservation-get",
            Some(json!({ "subnet-id": 3, "identifier-type": "mac",
                                                         "identifier": "01:02" }))
        )),
        (1, "Value of 'identifier-type' was not recognized.".into())
    );
    assert_eq!(
        said(&send(&api, "reservation-get", None)),
        (1, "Parameters missing or are not a map.".into())
    );

    // reservation-add: xdhcp keeps it in the running configuration.
    let add = |r: Value| send(&api, "reservation-add", Some(json!({ "reservation": r })));
    assert_eq!(
        said(&add(
            json!({ "subnet-id": 3, "hw-address": "aa:bb:cc:dd:ee:ff",
                          "ip-address": "192.0.2.50", "hostname": "Added" })
        )),
        (0, "Host added.".into())
    );
    assert_eq!(
        said(&add(json!({ "hw-address": "aa:bb:cc:dd:ee:01" }))),
        (
            0,
            "Host added. subnet-id not specified, assumed global (subnet-id 0).".into()
        )
    );
    let before = hash(&api);
    assert_eq!(
        said(&add(json!({ "subnet-id": 3, "hw-address": "aa:bb:cc:dd:ee:02",
                          "ip-address": "10.0.0.1" }))),
        (
            1,
            "specified reservation '10.0.0.1' is not matching the IPv4 subnet prefix '192.0.2.0/24'"
                .into()
        )
    );
    assert_eq!(
        said(&add(
            json!({ "subnet-id": 77, "hw-address": "aa:bb:cc:dd:ee:02" })
        )),
        (1, "IPv4 subnet with ID of '77' is not configured".into())
    );
    assert_eq!(
        said(&add(
            json!({ "hw-address": "aa:bb:cc:dd:ee:02", "ip-address": "192.0.2.60" })
        )),
        (
            1,
            "Mandatory 'subnet-id' parameter missing. The address '192.0.2.60' belongs to \
             subnet '192.0.2.0/24' id 3."
                .into()
        )
    );
    // A duplicate is the validator's refusal.
    let dup = add(json!({ "subnet-id": 3, "hw-address": "aa:bb:cc:dd:ee:ff" }));
    assert_eq!(dup["result"], 1);
    assert!(
        dup["text"].as_str().unwrap().contains("already exists"),
        "{dup}"
    );
    assert_eq!(hash(&api), before);
    let live = running.v4.as_ref().unwrap().config.load();
    let reserved = |live: &xdhcp_dataplane::config::Config4| {
        live.subnets
            .iter()
            .find(|s| s.id == 3)
            .unwrap()
            .reservations
            .reserves("192.0.2.50".parse().unwrap())
    };
    assert!(reserved(&live), "the engine serves the added reservation");

    let all = send(&api, "reservation-get-all", Some(json!({ "subnet-id": 3 })));
    assert_eq!(said(&all), (0, "2 IPv4 host(s) found.".into()));
    let global = send(&api, "reservation-get-all", Some(json!({ "subnet-id": 0 })));
    assert_eq!(global["arguments"]["hosts"].as_array().unwrap().len(), 2);
    assert_eq!(
        said(&send(
            &api,
            "reservation-get-all",
            Some(json!({ "subnet-id": 8 }))
        )),
        (1, "IPv4 subnet with ID of '8' is not configured".into())
    );
    let by_name = send(
        &api,
        "reservation-get-by-hostname",
        Some(json!({ "hostname": "added" })),
    );
    assert_eq!(said(&by_name), (0, "1 IPv4 host(s) found.".into()));
    assert_eq!(by_name["arguments"]["hosts"][0]["subnet-id"], 3);
    let by_id = send(
        &api,
        "reservation-get-by-id",
        Some(json!({ "identifier-type": "hw-address", "identifier": "0a:0b:0c:0d:0e:0f" })),
    );
    assert_eq!(by_id["arguments"]["hosts"][0]["subnet-id"], 0);
    assert_eq!(
        said(&send(
            &api,
            "reservation-get-by-id",
            Some(json!({ "identifier-type": "hw-address", "identifier": "0a", "subnet-id": 3 }))
        )),
        (
            1,
            "'subnet-id' is forbidden in reservation-get-by-id".into()
        )
    );
    // Pages: Kea's "count" and "next".
    let page = send(&api, "reservation-get-page", Some(json!({ "limit": 3 })));
    assert_eq!(said(&page), (0, "3 IPv4 host(s) found.".into()));
    assert_eq!(page["arguments"]["count"], 3);
    let next = page["arguments"]["next"].clone();
    assert_eq!(next["source-index"], 0);
    let rest = send(
        &api,
        "reservation-get-page",
        Some(json!({ "limit": 3, "from": next["from"] })),
    );
    assert_eq!(said(&rest), (0, "1 IPv4 host(s) found.".into()));
    let end = send(
        &api,
        "reservation-get-page",
        Some(json!({ "limit": 3, "from": rest["arguments"]["next"]["from"] })),
    );
    assert_eq!(said(&end), (3, "0 IPv4 host(s) found.".into()));
    assert_eq!(end["arguments"], json!({ "count": 0, "hosts": [] }));

    // reservation-del undoes the add.
    let del = |a: Value| send(&api, "reservation-del", Some(a));
    assert_eq!(
        said(&del(json!({ "subnet-id": 3, "ip-address": "192.0.2.50" }))),
        (0, "Host deleted.".into())
    );
    assert_eq!(
        said(&del(json!({ "subnet-id": 3, "ip-address": "192.0.2.50" }))),
        (3, "Host not deleted (not found).".into())
    );
    assert_eq!(
        said(&del(
            json!({ "subnet-id": 0, "identifier-type": "hw-address",
                          "identifier": "aa:bb:cc:dd:ee:01" })
        )),
        (0, "Host deleted.".into())
    );
    let live = running.v4.as_ref().unwrap().config.load();
    assert!(!reserved(&live));
}

#[test]
fn class_commands_follow_kea_rules() {
    let (api, running) = v4_api();
    let list = send(&api, "class-list", None);
    assert_eq!(said(&list), (0, "3 classes found".into()));
    assert_eq!(
        list["arguments"]["client-classes"][0],
        json!({ "name": "base" })
    );
    let add = send(
        &api,
        "class-add",
        Some(
            json!({ "client-classes": [ { "name": "pxe", "test": "member('base')",
                                           "next-server": "192.0.2.254",
                                           "option-data": [ { "name": "domain-name",
                                                              "data": "pxe.example" } ] } ] }),
        ),
    );
    assert_eq!(said(&add), (0, "Class 'pxe' added".into()));
    let live = running.v4.as_ref().unwrap().config.load();
    assert!(live.classes.index("pxe").is_some());
    let got = send(&api, "class-get", Some(json!({ "name": "pxe" })));
    assert_eq!(said(&got), (0, "Class 'pxe' definition returned".into()));
    assert_eq!(got["arguments"]["client-classes"][0]["server-hostname"], "");
    assert_eq!(
        said(&send(&api, "class-get", Some(json!({ "name": "nope" })))),
        (3, "Class 'nope' not found".into())
    );
    let before = hash(&api);
    // A class may only use classes defined before it.
    let bad = send(
        &api,
        "class-add",
        Some(json!({ "client-classes": [ { "name": "x", "test": "member('later')" } ] })),
    );
    assert_eq!(bad["result"], 1);
    assert!(bad["text"].as_str().unwrap().contains("later"), "{bad}");
    assert_eq!(
        said(&send(
            &api,
            "class-add",
            Some(json!({ "client-classes": [ {}, {} ] }))
        )),
        (
            1,
            "invalid number of classes specified for the 'class-add' command. Expected one class"
                .into()
        )
    );
    // class-del refuses a class another class uses.
    assert_eq!(
        said(&send(&api, "class-del", Some(json!({ "name": "base" })))),
        (1, "Class 'base' is used by class 'uses-base'".into())
    );
    // class-update may not change whether a class depends on KNOWN.
    let known = send(
        &api,
        "class-update",
        Some(json!({ "client-classes": [ { "name": "late", "test": "'a' == 'a'" } ] })),
    );
    assert_eq!(known["result"], 1);
    assert!(known["text"]
        .as_str()
        .unwrap()
        .starts_with("modification of the class 'late' would affect its dependency on the KNOWN"));
    assert_eq!(
        said(&send(
            &api,
            "class-update",
            Some(json!({ "client-classes": [ { "name": "nope" } ] }))
        )),
        (3, "Class 'nope' is not found".into())
    );
    assert_eq!(hash(&api), before);
    assert_eq!(
        said(&send(
            &api,
            "class-update",
            Some(json!({ "client-classes": [ { "name": "pxe", "next-server": "192.0.2.253" } ] }))
        )),
        (0, "Class 'pxe' updated".into())
    );
    let got = send(&api, "class-get", Some(json!({ "name": "pxe" })));
    assert_eq!(
        got["arguments"]["client-classes"][0]["next-server"],
        "192.0.2.253"
    );
    assert_eq!(
        said(&send(&api, "class-del", Some(json!({ "name": "pxe" })))),
        (0, "Class 'pxe' deleted".into())
    );
    assert_eq!(
        said(&send(&api, "class-del", Some(json!({ "name": "pxe" })))),
        (3, "Class 'pxe' not found".into())
    );
}

#[test]
fn dhcp6_sections_answer_the_v6_family() {
    let (api, running) = v6_api();
    let list = send(&api, "subnet6-list", None);
    assert_eq!(said(&list), (0, "1 IPv6 subnet found".into()));
    assert_eq!(
        said(&send(&api, "subnet4-list", None)),
        (2, "'subnet4-list' command not supported.".into())
    );
    let added = send(
        &api,
        "subnet6-add",
        Some(
            json!({ "subnet6": [ { "id": 234, "subnet": "2001:db8:2::/64",
                                     "pools": [ { "pool": "2001:db8:2::10 - 2001:db8:2::ff" } ],
                                     "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48,
                                                     "delegated-len": 64 } ] } ] }),
        ),
    );
    assert_eq!(said(&added), (0, "IPv6 subnet added".into()));
    assert!(running
        .v6
        .as_ref()
        .unwrap()
        .config
        .load()
        .subnets
        .iter()
        .any(|s| s.id == 234));
    assert_eq!(
        said(&send(
            &api,
            "reservation-add",
            Some(
                json!({ "reservation": { "subnet-id": 234, "duid": "01:02:03:04",
                                          "ip-addresses": [ "2001:db8:2::5" ],
                                          "prefixes": [ "2001:db8:9::/64" ] } })
            )
        )),
        (0, "Host added.".into())
    );
    let host = send(
        &api,
        "reservation-get",
        Some(json!({ "subnet-id": 234, "identifier-type": "duid", "identifier": "01:02:03:04" })),
    );
    assert_eq!(
        host["arguments"],
        json!({ "client-classes": [], "duid": "01:02:03:04", "hostname": "",
                "ip-addresses": [ "2001:db8:2::5" ], "option-data": [],
                "prefixes": [ "2001:db8:9::/64" ], "subnet-id": 234 })
    );
    assert_eq!(
        said(&send(
            &api,
            "reservation-add",
            Some(
                json!({ "reservation": { "subnet-id": 234, "duid": "01:02:03:05",
                                          "ip-addresses": [ "2001:db8:3::5" ] } })
            )
        )),
        (
            1,
            "specified reservation '2001:db8:3::5' is not matching the IPv6 subnet prefix \
             '2001:db8:2::/64'"
                .into()
        )
    );
    assert_eq!(
        said(&send(
            &api,
            "reservation-get-all",
            Some(json!({ "subnet-id": 234 }))
        )),
        (0, "1 IPv6 host(s) found.".into())
    );
    assert_eq!(
        said(&send(
            &api,
            "network6-add",
            Some(json!({ "shared-networks": [ { "name": "six" } ] }))
        )),
        (0, "A new IPv6 shared network 'six' added".into())
    );
    assert_eq!(
        said(&send(
            &api,
            "network6-subnet-add",
            Some(json!({ "name": "six", "id": 234 }))
        )),
        (
            0,
            "IPv6 subnet 2001:db8:2::/64 (id 234) is now part of shared network 'six'".into()
        )
    );
    let class = send(
        &api,
        "class-add",
        Some(json!({ "client-classes": [ { "name": "v6class",
                                           "option-data": [ { "name": "dns-servers",
                                                              "data": "2001:db8::53" } ] } ] })),
    );
    assert_eq!(said(&class), (0, "Class 'v6class' added".into()));
    let got = send(&api, "class-get", Some(json!({ "name": "v6class" })));
    assert!(got["arguments"]["client-classes"][0]
        .get("next-server")
        .is_none());
    assert_eq!(
        said(&send(&api, "subnet6-del", Some(json!({ "id": 234 })))),
        (0, "IPv6 subnet 2001:db8:2::/64 (id 234) deleted".into())
    );
    assert_eq!(
        said(&send(
            &api,
            "reservation-get-all",
            Some(json!({ "subnet-id": 234 }))
        )),
        (1, "IPv6 subnet with ID of '234' is not configured".into())
    );
}

#[test]
fn list_commands_names_the_new_commands() {
    let (api, _) = v4_api();
    let all = send(&api, "list-commands", None);
    let names: Vec<&str> = all["arguments"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for c in [
        "reservation-add",
        "reservation-get-page",
        "subnet4-add",
        "subnet6-del",
        "network4-subnet-add",
        "network6-subnet-del",
        "class-update",
    ] {
        assert!(names.contains(&c), "{c}");
    }
}
