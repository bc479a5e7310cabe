//! The configuration commands and the remaining lease commands without a
//! network: Kea's result codes and texts on good and bad input, and a
//! configuration change reaching the snapshot the workers read while a
//! bad one leaves everything as it was.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use serde_json::{json, Value};
use xdhcp_controlplane::api::{self, Api};
use xdhcp_controlplane::reload::{self, Running};
use xdhcp_dataplane::lease::{LeaseStore, StoreConfig};

static STOP: AtomicBool = AtomicBool::new(false);

fn quiet(_: &str, _: &str, _: &str) {}

fn dhcp4(valid: u32, subnets: Value) -> Value {
    json!({ "Dhcp4": { "valid-lifetime": valid, "subnet4": subnets } })
}

fn subnet(id: u32, net: &str, pool: &str) -> Value {
    json!({ "id": id, "subnet": net, "pools": [ { "pool": pool } ] })
}

fn one_subnet() -> Value {
    dhcp4(
        4000,
        json!([subnet(1, "192.0.2.0/24", "192.0.2.10 - 192.0.2.100")]),
    )
}

/// [`one_subnet`] with a new lifetime and a second subnet.
fn two_subnets() -> Value {
    dhcp4(
        900,
        json!([
            subnet(1, "192.0.2.0/24", "192.0.2.10 - 192.0.2.100"),
            subnet(2, "198.51.100.0/24", "198.51.100.10 - 198.51.100.20"),
        ]),
    )
}

/// An API over `config`, read from `file` if given.
fn api_over(config: Value, file: Option<PathBuf>) -> Api {
    let model = reload::check(&config).unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Running::new(model, config, file, quiet)
        .serve(Some(leases), None)
        .unwrap();
    Api::new(Arc::new(running), &STOP)
}

fn call(api: &Api, request: Value) -> Value {
    api.handle(request.to_string().as_bytes())
}

/// Sends `command`, with `args` as its arguments when given.
fn send(api: &Api, command: &str, args: Option<Value>) -> Value {
    let mut r = json!({ "command": command });
    if let Some(a) = args {
        r["arguments"] = a;
    }
    call(api, r)
}

/// `config-set` with the `Dhcp4` map of `config`.
fn config_set(api: &Api, config: &Value) -> Value {
    call(
        api,
        json!({"command": "config-set", "arguments": {"Dhcp4": config["Dhcp4"]}}),
    )
}

/// Result code and text of an answer.
fn said(v: &Value) -> (i64, &str) {
    (
        v["result"].as_i64().unwrap(),
        v["text"].as_str().unwrap_or(""),
    )
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("xdhcp-api-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[test]
fn list_commands_names_every_new_command() {
    let api = api_over(one_subnet(), None);
    let listed = call(&api, json!({"command": "list-commands"}));
    for c in [
        "config-test",
        "config-set",
        "config-reload",
        "config-write",
        "config-hash-get",
        "server-tag-get",
        "leases-reclaim",
        "lease4-get-page",
        "lease4-update",
    ] {
        assert!(
            listed["arguments"].as_array().unwrap().contains(&json!(c)),
            "{c}"
        );
    }
}

#[test]
fn config_test_checks_without_applying() {
    let api = api_over(one_subnet(), None);
    let test = |args: Option<Value>| send(&api, "config-test", args);
    assert_eq!(
        said(&test(None)),
        (1, "Missing mandatory 'arguments' parameter.")
    );
    assert_eq!(
        said(&test(Some(json!({})))),
        (1, "Missing mandatory 'Dhcp4' parameter.")
    );
    assert_eq!(
        said(&test(Some(json!({"Dhcp4": 5})))),
        (1, "'Dhcp4' parameter expected to be a map.")
    );
    assert_eq!(
        said(&test(Some(json!({"Dhcp4": {}, "Dhcp6": {}})))),
        (1, "Unsupported 'Dhcp6' parameter.")
    );
    let bad = test(Some(json!({"Dhcp4": {"valid-lifetime": "long"}})));
    assert_eq!(bad["result"], 1);
    assert!(
        said(&bad).1.contains("Dhcp4.valid-lifetime"),
        "the text names the key: {bad}"
    );
    let outside = test(Some(dhcp4(
        60,
        json!([subnet(1, "10.0.0.0/8", "11.0.0.1 - 11.0.0.5")]),
    )));
    assert_eq!(outside["result"], 1);
    assert!(said(&outside).1.contains("pools[0]"), "{outside}");
    let good = test(Some(dhcp4(60, json!([]))));
    assert_eq!(
        said(&good),
        (
            0,
            "Configuration seems sane. Control-socket, hook-libraries, and D2 configuration \
             were sanity checked, but not applied."
        )
    );
    let running = call(&api, json!({"command": "config-get"}));
    assert_eq!(
        running["arguments"],
        one_subnet(),
        "config-test changes nothing"
    );
}

#[test]
fn config_set_swaps_the_snapshot_and_keeps_unchanged_pools() {
    let api = api_over(one_subnet(), None);
    let v4 = api.running.as_ref().unwrap().v4.as_ref().unwrap();
    let before = v4.config.load_full();
    let hash_before = call(&api, json!({"command": "config-hash-get"}));
    let added = call(
        &api,
        json!({"command": "lease4-add", "arguments": {"ip-address": "192.0.2.50", "hw-address": "02:00:00:00:00:50"}}),
    );
    assert_eq!(added["result"], 0, "{added}");

    // Malformed: result 1 with the key named, and nothing changes.
    let bad = call(
        &api,
        json!({"command": "config-set", "arguments": {"Dhcp4": {"subnet4": [{"id": 1, "subnet": "192.0.2.0/33"}]}}}),
    );
    assert_eq!(bad["result"], 1);
    assert!(said(&bad).1.contains("Dhcp4.subnet4[0].subnet"), "{bad}");
    assert!(Arc::ptr_eq(&before, &v4.config.load_full()));
    assert_eq!(
        call(&api, json!({"command": "config-get"}))["arguments"],
        one_subnet()
    );

    // Valid for Kea, but a lease backend xdhcp cannot serve: refused, so
    // the next start does not fail on it.
    let mut pg = one_subnet();
    pg["Dhcp4"]["lease-database"] = json!({"type": "postgresql", "name": "kea"});
    let refused = config_set(&api, &pg);
    assert_eq!(refused["result"], 1, "{refused}");
    assert!(
        said(&refused)
            .1
            .contains("lease-database type 'postgresql' is not available"),
        "{refused}"
    );
    assert!(Arc::ptr_eq(&before, &v4.config.load_full()));

    // Good: a new lifetime and a second subnet.
    let next = two_subnets();
    let set = config_set(&api, &next);
    assert_eq!(said(&set), (0, "Configuration successful."));
    let after = v4.config.load_full();
    assert_eq!(after.subnets.len(), 2);
    assert_eq!(after.subnets[0].valid.default, 900);
    assert!(
        Arc::ptr_eq(&before.subnets[0].pools[0], &after.subnets[0].pools[0]),
        "an unchanged pool keeps its allocator"
    );
    assert_eq!(
        call(&api, json!({"command": "config-get"}))["arguments"],
        next
    );
    let hash_after = call(&api, json!({"command": "config-hash-get"}));
    assert_ne!(
        hash_before["arguments"]["hash"],
        hash_after["arguments"]["hash"]
    );
    // The lease commands see the new subnet at once.
    let in_new = call(
        &api,
        json!({"command": "lease4-add", "arguments": {"ip-address": "198.51.100.15", "hw-address": "02:00:00:00:00:15"}}),
    );
    assert_eq!(
        said(&in_new),
        (0, "Lease for address 198.51.100.15, subnet-id 2 added.")
    );

    // Dropping subnet 1 keeps its leases, as Kea does.
    let only2 = dhcp4(
        900,
        json!([subnet(
            2,
            "198.51.100.0/24",
            "198.51.100.10 - 198.51.100.20"
        )]),
    );
    let set = config_set(&api, &only2);
    assert_eq!(set["result"], 0);
    let kept = call(
        &api,
        json!({"command": "lease4-get", "arguments": {"ip-address": "192.0.2.50"}}),
    );
    assert_eq!(kept["result"], 0, "{kept}");
    assert_eq!(
        said(&call(
            &api,
            json!({"command": "config-set", "arguments": {"Dhcp4": {}, "Logging": {}}})
        )),
        (1, "Unsupported 'Logging' parameter.")
    );
}

#[test]
fn config_hash_is_sha256_of_keas_one_line_text() {
    // SHA-256 of `{ "Dhcp4": { "subnet4": [  ], "valid-lifetime": 4000 } }`.
    assert_eq!(
        api::config::hash(&dhcp4(4000, json!([]))),
        "73B93B020854807B9514EB12029CE59FF9801B9F1A49950E78D006E65F744106"
    );
    let api = api_over(one_subnet(), None);
    let a = call(&api, json!({"command": "config-hash-get"}));
    let b = call(&api, json!({"command": "config-hash-get"}));
    assert_eq!(a["result"], 0);
    assert_eq!(a, b, "same configuration, same hash");
    assert_eq!(a["arguments"]["hash"].as_str().unwrap().len(), 64);
}

#[test]
fn server_tag_get_reads_the_running_tag() {
    let api = api_over(one_subnet(), None);
    assert_eq!(
        call(&api, json!({"command": "server-tag-get"})),
        json!({"result": 0, "arguments": {"server-tag": ""}})
    );
    let tagged = json!({"Dhcp4": {"server-tag": "edge-1"}});
    assert_eq!(
        call(&api, json!({"command": "config-set", "arguments": tagged}))["result"],
        0
    );
    assert_eq!(
        call(&api, json!({"command": "server-tag-get"}))["arguments"]["server-tag"],
        "edge-1"
    );
}

#[test]
fn config_reload_rereads_the_file_and_keeps_running_on_error() {
    let file = temp("reload.json");
    std::fs::write(&file, one_subnet().to_string()).unwrap();
    let api = api_over(one_subnet(), Some(file.clone()));
    let v4 = api.running.as_ref().unwrap().v4.as_ref().unwrap();

    std::fs::write(
        &file,
        "{ \"Dhcp4\": {\n  \"valid-lifetime\": 4000,\n  \"subnet4\": [ { \"id\": 1,\n    \"subnet\": \"192.0.2.0/24\",\n    \"pools\": [ { \"pool\": \"10.0.0.1 - 10.0.0.9\" } ] } ] } }",
    )
    .unwrap();
    let bad = call(&api, json!({"command": "config-reload"}));
    let (code, text) = said(&bad);
    assert_eq!(code, 1);
    let name = file.display().to_string();
    assert!(
        text.starts_with(&format!(
            "Config reload failed: configuration error using file '{name}': {name}:5:"
        )),
        "file and line: {text}"
    );
    assert!(
        text.contains("Dhcp4.subnet4[0].pools[0].pool"),
        "the key: {text}"
    );
    assert_eq!(
        v4.config.load().subnets[0].valid.default,
        4000,
        "the running configuration stays"
    );

    std::fs::write(&file, "{ \"Dhcp4\": { \"valid-lifetime\": 3").unwrap();
    let syntax = call(&api, json!({"command": "config-reload"}));
    assert_eq!(syntax["result"], 1);
    assert!(said(&syntax).1.contains(&format!("{name}:1:")), "{syntax}");

    std::fs::write(&file, r#"{ "Dhcp6": { } }"#).unwrap();
    let dropped = call(&api, json!({"command": "config-reload"}));
    assert_eq!(dropped["result"], 1);
    assert!(
        said(&dropped).1.contains("stopping it needs a restart"),
        "{dropped}"
    );
    assert_eq!(
        call(&api, json!({"command": "config-get"}))["arguments"],
        one_subnet()
    );

    let changed = dhcp4(
        1234,
        json!([subnet(1, "192.0.2.0/24", "192.0.2.10 - 192.0.2.100")]),
    );
    std::fs::write(&file, serde_json::to_string_pretty(&changed).unwrap()).unwrap();
    let good = call(&api, json!({"command": "config-reload", "arguments": {}}));
    assert_eq!(said(&good), (0, "Configuration successful."));
    assert_eq!(v4.config.load().subnets[0].valid.default, 1234);
    assert_eq!(
        call(&api, json!({"command": "config-get"}))["arguments"],
        changed
    );

    let without_file = api_over(one_subnet(), None);
    assert_eq!(
        call(&without_file, json!({"command": "config-reload"}))["result"],
        1
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn config_write_writes_the_running_configuration() {
    let main = temp("main.json");
    let api = api_over(one_subnet(), Some(main.clone()));
    let other = temp("copy.json");
    let name = other.display().to_string();
    let wrote = call(
        &api,
        json!({"command": "config-write", "arguments": {"filename": name}}),
    );
    assert_eq!(
        said(&wrote),
        (
            0,
            format!("Configuration written to {name} successful").as_str()
        )
    );
    let on_disk = std::fs::read(&other).unwrap();
    assert_eq!(wrote["arguments"]["filename"], name);
    assert_eq!(wrote["arguments"]["size"], on_disk.len());
    assert_eq!(
        serde_json::from_slice::<Value>(&on_disk).unwrap(),
        one_subnet()
    );
    let default = call(&api, json!({"command": "config-write"}));
    assert_eq!(default["result"], 0, "{default}");
    assert_eq!(default["arguments"]["filename"], main.display().to_string());
    assert!(main.exists());
    assert_eq!(
        said(&call(
            &api,
            json!({"command": "config-write", "arguments": {"filename": 5}})
        )),
        (1, "passed parameter 'filename' is not a string")
    );
    let nowhere = call(
        &api,
        json!({"command": "config-write", "arguments": {"filename": "/nonexistent/dir/x.json"}}),
    );
    assert_eq!(nowhere["result"], 1);
    assert!(said(&nowhere)
        .1
        .starts_with("Error during write-config:Unable to open file /nonexistent/dir/x.json"));
    let _ = std::fs::remove_file(&main);
    let _ = std::fs::remove_file(&other);
}

#[test]
fn lease4_get_page_walks_the_leases_in_address_order() {
    let api = api_over(one_subnet(), None);
    let page = |args: Option<Value>| send(&api, "lease4-get-page", args);
    let empty = page(Some(json!({"from": "start", "limit": 2})));
    assert_eq!(
        empty,
        json!({"result": 3, "text": "0 IPv4 lease(s) found.", "arguments": {"count": 0, "leases": []}})
    );
    for last in [40, 12, 33, 20, 15] {
        let add = json!({"command": "lease4-add", "arguments": {
            "ip-address": format!("192.0.2.{last}"), "hw-address": format!("02:00:00:00:00:{last:02x}")}});
        assert_eq!(call(&api, add)["result"], 0);
    }
    let mut from = "start".to_string();
    let mut seen = Vec::new();
    loop {
        let p = page(Some(json!({"from": from, "limit": 2})));
        if p["result"] == 3 {
            assert_eq!(p["arguments"]["count"], 0);
            break;
        }
        assert_eq!(p["result"], 0);
        let leases = p["arguments"]["leases"].as_array().unwrap();
        assert_eq!(p["arguments"]["count"], leases.len());
        assert_eq!(said(&p).1, format!("{} IPv4 lease(s) found.", leases.len()));
        for l in leases {
            seen.push(l["ip-address"].as_str().unwrap().to_string());
        }
        from = seen.last().unwrap().clone();
    }
    assert_eq!(
        seen,
        [
            "192.0.2.12",
            "192.0.2.15",
            "192.0.2.20",
            "192.0.2.33",
            "192.0.2.40"
        ]
    );
    for (args, text) in [
        (
            None,
            "no parameters specified for the lease4-get-page command",
        ),
        (Some(json!({})), "'from' parameter not specified"),
        (
            Some(json!({"from": "start"})),
            "'limit' parameter not specified",
        ),
        (
            Some(json!({"from": 5, "limit": 2})),
            "'from' parameter must be a string",
        ),
        (
            Some(json!({"from": "bad", "limit": 2})),
            "'from' parameter value is neither 'start' keyword nor a valid IPv4 address",
        ),
        (
            Some(json!({"from": "2001:db8::1", "limit": 2})),
            "'from' parameter value 2001:db8::1 is not an IPv4 address",
        ),
        (
            Some(json!({"from": "start", "limit": "x"})),
            "'limit' parameter must be a number",
        ),
        (
            Some(json!({"from": "start", "limit": 0})),
            "page size of retrieved leases must not be 0",
        ),
        (
            Some(json!({"from": "start", "limit": -1})),
            "page size of retrieved leases must not be greater than 4294967295",
        ),
    ] {
        assert_eq!(said(&page(args.clone())), (1, text), "{args:?}");
    }
}

#[test]
fn lease4_update_changes_or_creates_leases() {
    let api = api_over(one_subnet(), None);
    let update = |args: Value| call(&api, json!({"command": "lease4-update", "arguments": args}));
    let add = json!({"command": "lease4-add", "arguments": {"ip-address": "192.0.2.20", "hw-address": "02:00:00:00:00:20"}});
    assert_eq!(call(&api, add)["result"], 0);
    let changed = update(
        json!({"ip-address": "192.0.2.20", "hw-address": "02:00:00:00:00:99",
        "hostname": "New.Example.org", "valid-lft": 1000}),
    );
    assert_eq!(said(&changed), (0, "IPv4 lease updated."));
    let got = call(
        &api,
        json!({"command": "lease4-get", "arguments": {"ip-address": "192.0.2.20"}}),
    );
    assert_eq!(got["arguments"]["hw-address"], "02:00:00:00:00:99");
    assert_eq!(got["arguments"]["hostname"], "new.example.org");
    assert_eq!(got["arguments"]["valid-lft"], 1000);
    let by_hw = call(
        &api,
        json!({"command": "lease4-get-by-hw-address", "arguments": {"hw-address": "02:00:00:00:00:99"}}),
    );
    assert_eq!(by_hw["result"], 0, "the indexes follow the update");

    let missing = update(json!({"ip-address": "192.0.2.21", "hw-address": "02:00:00:00:00:21"}));
    assert_eq!(
        said(&missing),
        (1, "failed to update the lease with address 192.0.2.21 either because the lease has been deleted or it has changed in the database, in both cases a retry might succeed")
    );
    let forced = update(
        json!({"ip-address": "192.0.2.21", "hw-address": "02:00:00:00:00:21", "force-create": true}),
    );
    assert_eq!(said(&forced), (0, "IPv4 lease added."));
    let forced_again = update(
        json!({"ip-address": "192.0.2.21", "hw-address": "02:00:00:00:00:22", "force-create": true}),
    );
    assert_eq!(said(&forced_again), (0, "IPv4 lease updated."));

    for (args, text) in [
        (
            json!({"ip-address": "192.0.2.21", "hw-address": "02:00:00:00:00:21", "force-create": "x"}),
            "invalid type specified for parameter 'force-create'",
        ),
        (
            json!({"ip-address": "192.0.2.21", "hw-address": "02:00:00:00:00:21", "subnet-id": 77}),
            "Invalid subnet-id: No IPv4 subnet with subnet-id=77 currently configured.",
        ),
        (
            json!({"ip-address": "10.1.1.1", "hw-address": "02:00:00:00:00:21", "subnet-id": 1}),
            "The address 10.1.1.1 does not belong to subnet 192.0.2.0/24, subnet-id=1",
        ),
        (
            json!({"ip-address": "10.1.1.1", "hw-address": "02:00:00:00:00:21"}),
            "subnet-id not specified and failed to find a subnet for address 10.1.1.1",
        ),
    ] {
        assert_eq!(said(&update(args.clone())), (1, text), "{args}");
    }
    assert_eq!(
        said(&call(&api, json!({"command": "lease4-update"}))),
        (1, "no parameters specified for lease4-update command")
    );
    assert_eq!(update(json!({}))["result"], 1);
}

#[test]
fn leases_reclaim_removes_or_keeps_expired_leases() {
    let api = api_over(one_subnet(), None);
    let reclaim = |args: Option<Value>| send(&api, "leases-reclaim", args);
    assert_eq!(
        said(&reclaim(None)),
        (1, "Missing mandatory 'remove' parameter.")
    );
    assert_eq!(
        said(&reclaim(Some(json!({"remove": "yes"})))),
        (1, "'remove' parameter expected to be a boolean.")
    );
    // Two leases that expired long ago.
    for last in [30, 31] {
        let add = json!({"command": "lease4-add", "arguments": {
            "ip-address": format!("192.0.2.{last}"), "hw-address": "02:00:00:00:00:30",
            "valid-lft": 100, "expire": 1_000_000}});
        assert_eq!(call(&api, add)["result"], 0);
    }
    let get = |a: &str| {
        call(
            &api,
            json!({"command": "lease4-get", "arguments": {"ip-address": a}}),
        )
    };
    assert_eq!(
        said(&reclaim(Some(json!({"remove": false})))),
        (0, "Reclamation of expired leases is complete.")
    );
    let held = get("192.0.2.30");
    assert_eq!(held["result"], 0, "kept for hold-reclaimed-time: {held}");
    assert_eq!(
        held["arguments"]["state"], 2,
        "Kea's expired-reclaimed state"
    );
    assert_eq!(reclaim(Some(json!({"remove": true})))["result"], 0);
    assert_eq!(get("192.0.2.30")["result"], 3, "removed");
    assert_eq!(get("192.0.2.31")["result"], 3, "removed");
}

#[test]
fn config_reload_swaps_dhcp6_too_and_keeps_its_duid() {
    let v6 = |valid: u32| {
        json!({ "valid-lifetime": valid, "subnet6": [
            { "id": 7, "subnet": "2001:db8:7::/64",
              "pools": [ { "pool": "2001:db8:7::100 - 2001:db8:7::1ff" } ],
              "pd-pools": [ { "prefix": "2001:db8:8::", "prefix-len": 48, "delegated-len": 56 } ] } ] })
    };
    let both = |valid6: u32| {
        let mut c = one_subnet();
        c["Dhcp6"] = v6(valid6);
        c
    };
    let file = temp("both.json");
    std::fs::write(&file, both(5000).to_string()).unwrap();
    let model = reload::check(&both(5000)).unwrap();
    let (leases4, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let (leases6, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Running::new(model, both(5000), Some(file.clone()), quiet)
        .serve(
            Some(leases4),
            Some((leases6, vec![0, 3, 0, 1, 2, 0, 0, 0, 0, 7])),
        )
        .unwrap();
    let api = Api::new(Arc::new(running), &STOP);
    let family = api.running.as_ref().unwrap().v6.as_ref().unwrap();
    let before = family.config.load_full();
    assert_eq!(before.subnets[0].valid.default, 5000);

    std::fs::write(&file, both(6000).to_string()).unwrap();
    let reloaded = call(&api, json!({"command": "config-reload"}));
    assert_eq!(reloaded["result"], 0, "{reloaded}");
    let after = family.config.load_full();
    assert_eq!(after.subnets[0].valid.default, 6000);
    assert_eq!(after.server_duid, before.server_duid, "the DUID stays");
    assert!(Arc::ptr_eq(
        &before.subnets[0].pools[0],
        &after.subnets[0].pools[0]
    ));
    assert!(Arc::ptr_eq(
        &before.subnets[0].pd_pools[0].alloc,
        &after.subnets[0].pd_pools[0].alloc
    ));
    // config-set replaces Dhcp4 only; Dhcp6 stays as loaded.
    let set = config_set(&api, &one_subnet());
    assert_eq!(set["result"], 0, "{set}");
    assert_eq!(
        call(&api, json!({"command": "config-get"}))["arguments"]["Dhcp6"],
        v6(6000)
    );
    let _ = std::fs::remove_file(&file);
}

#[test]
fn statistics_follow_a_reload() {
    use xdhcp_controlplane::stats::{Counters, Stats};
    use xdhcp_dataplane::server::statistics::{Counting, Sources};

    let api = api_over(one_subnet(), None);
    let running = api.running.clone().unwrap();
    let v4 = running.v4.as_ref().unwrap();
    let sources = Sources {
        config: v4.config.clone(),
        workers: Vec::new(),
        leases: v4.leases.clone(),
    };
    let counting = Counting::from_sources(Some(sources), None);
    let stats = Arc::new(Stats::new(4, Arc::new(Counters::Here(Arc::new(counting)))));
    stats.configure(&one_subnet());
    let watched = stats.clone();
    running.watch(Box::new(move |file| watched.configure(file)));
    let mut two = two_subnets();
    two["Dhcp4"]["statistic-default-sample-count"] = json!(1);
    let set = config_set(&api, &two);
    assert_eq!(set["result"], 0, "{set}");
    // The new sample limit holds for every statistic, old and new.
    let mut registry = stats.registry.lock().unwrap();
    for v in 1..4 {
        registry.observe(vec![("pkt4-received".to_string(), v)]);
    }
    assert_eq!(registry.samples("pkt4-received").count(), 1);
    drop(registry);
    let label = stats.layout();
    assert_eq!(label.subnet(2).unwrap().prefix, "198.51.100.0/24");
    let read = stats.read().unwrap();
    let total = read
        .iter()
        .find(|(n, _)| n == "subnet[2].total-addresses")
        .map(|(_, v)| *v);
    assert_eq!(total, Some(11), "the new subnet is counted: {read:?}");
}

/// What the recording logger was told.
static TOLD: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

fn record(severity: &str, id: &str, text: &str) {
    let mut told = TOLD.lock().unwrap_or_else(|e| e.into_inner());
    told.push(format!("{severity} {id} {text}"));
}

/// The lines logged since the last call.
fn told() -> Vec<String> {
    std::mem::take(&mut *TOLD.lock().unwrap_or_else(|e| e.into_inner()))
}

/// `config-set` warns, once per key, about every key it sets that xdhcp
/// accepts without acting on, each time; a change of one part (a subnet
/// command) warns only about what it adds, not about keys whose paths
/// moved.
#[test]
fn keys_without_effect_are_warned_about_on_each_change() {
    let mut config = one_subnet();
    config["Dhcp4"]["multi-threading"] =
        json!({ "enable-multi-threading": true, "thread-pool-size": 8 });
    let model = reload::check(&config).unwrap();
    let (leases, _) = LeaseStore::open(StoreConfig::memory(2, 64)).unwrap();
    let running = Running::new(model, one_subnet(), None, record)
        .serve(Some(leases), None)
        .unwrap();
    let pool = "Dhcp4.multi-threading.thread-pool-size: has no effect: xdhcp sizes its workers";
    for _ in 0..2 {
        running.set(&config["Dhcp4"]).unwrap();
        let warned: Vec<String> = told()
            .into_iter()
            .filter(|l| l.starts_with("WARN"))
            .collect();
        assert_eq!(warned.len(), 1, "{warned:?}");
        assert!(
            warned[0].starts_with(&format!("WARN DHCP4_CONFIG_KEY_NO_EFFECT {pool}")),
            "{warned:?}"
        );
    }
    running
        .edit(|json, _| {
            let mut added = subnet(2, "198.51.100.0/24", "198.51.100.10 - 198.51.100.20");
            added["store-extended-info"] = json!(true);
            json["Dhcp4"]["subnet4"].as_array_mut().unwrap().push(added);
            Ok::<_, String>(())
        })
        .unwrap();
    assert_eq!(
        told(),
        [
            "WARN DHCP4_CONFIG_KEY_NO_EFFECT Dhcp4.subnet4[1].store-extended-info: has no \
          effect: leases do not keep the relay information (no extended info in their user \
          context)"
        ]
    );
    // Removing the first subnet moves the key to subnet4[0]: nothing new.
    running
        .edit(|json, _| {
            json["Dhcp4"]["subnet4"].as_array_mut().unwrap().remove(0);
            Ok::<_, String>(())
        })
        .unwrap();
    assert_eq!(told(), Vec::<String>::new());
}
