//! Errors name file, line, column and JSON path: `file:line:col: path: message`.

use xdhcp_controlplane::load_str;

fn first_error(text: &str) -> String {
    match load_str("kea.conf", text) {
        Ok(_) => panic!("configuration loaded, an error was expected"),
        Err(e) => e[0].to_string(),
    }
}

const POOL_OUTSIDE: &str = r#"{
    // A pool that does not fit its subnet.
    "Dhcp4": {
        "subnet4": [
            {
                "id": 1,
                "subnet": "10.0.0.0/24",
                "pools": [
                    { "pool": "10.0.0.10 - 10.0.0.20" },
                    {
                        "comment": "too wide",
                        "pool": "10.0.0.5-10.0.1.0"
                    }
                ]
            }
        ]
    }
}"#;

#[test]
fn pool_outside_subnet() {
    assert_eq!(
        first_error(POOL_OUTSIDE),
        "kea.conf:12:33: Dhcp4.subnet4[0].pools[1].pool: pool 10.0.0.5-10.0.1.0 is outside subnet 10.0.0.0/24"
    );
}

#[test]
fn unknown_key() {
    let text = "{\n  \"Dhcp6\": {\n    # typo\n    \"valid-lifetme\": 4000\n  }\n}\n";
    assert_eq!(
        first_error(text),
        "kea.conf:4:5: Dhcp6.valid-lifetme: got unexpected keyword \"valid-lifetme\" in Dhcp6 map"
    );
}

#[test]
fn wrong_value_type() {
    let text = "{ \"Dhcp4\": {\n  \"subnet4\": [ { \"id\": 1, \"subnet\": \"192.0.2.0/24\",\n    \"valid-lifetime\": \"7200\" } ] } }";
    assert_eq!(
        first_error(text),
        "kea.conf:3:23: Dhcp4.subnet4[0].valid-lifetime: expected an integer, got a string"
    );
}

#[test]
fn bad_option_data() {
    let text = r#"{ "Dhcp4": {
  "option-data": [
    { "name": "routers", "data": "192.0.2.1" },
    { "name": "domain-name-servers",
      "data": "192.0.2.1, 192.0.2.300" }
  ] } }"#;
    assert_eq!(
        first_error(text),
        "kea.conf:5:15: Dhcp4.option-data[1].data: option 'domain-name-servers': value '192.0.2.300' is not a valid ipv4-address: expected a dotted-quad IPv4 address"
    );
}

#[test]
fn unknown_option_name() {
    let text = "{ \"Dhcp6\": { \"option-data\": [ { \"name\": \"dns-server\", \"data\": \"2001:db8::1\" } ] } }";
    assert_eq!(
        first_error(text),
        "kea.conf:1:41: Dhcp6.option-data[0].name: definition for the option 'dhcp6.dns-server' does not exist"
    );
}

#[test]
fn duplicate_subnet_id() {
    let text = r#"{ "Dhcp4": { "subnet4": [
  { "id": 7, "subnet": "10.0.0.0/24" },
  { "id": 7, "subnet": "10.0.1.0/24" }
] } }"#;
    assert_eq!(
        first_error(text),
        "kea.conf:3:3: Dhcp4.subnet4[1]: ID of the new subnet '7' is already in use (at kea.conf:2:3)"
    );
}

#[test]
fn lifetime_min_above_default() {
    let text = "{ \"Dhcp4\": { \"valid-lifetime\": 4000,\n \"min-valid-lifetime\": 5000 } }";
    assert_eq!(
        first_error(text),
        "kea.conf:2:24: Dhcp4.min-valid-lifetime: the value of min-valid-lifetime (5000) is not less than valid-lifetime (4000)"
    );
}

#[test]
fn syntax_error_in_nested_list() {
    let text = "{ \"Dhcp6\": { \"subnet6\": [ { \"id\": 1, \"subnet\": \"2001:db8::/64\" }\n  { \"id\": 2 } ] } }";
    assert_eq!(
        first_error(text),
        "kea.conf:2:3: Dhcp6.subnet6: syntax error: unexpected '{', expecting ',' or ]"
    );
}

#[test]
fn include_errors_name_the_included_file() {
    let dir = std::env::temp_dir().join(format!("xdhcp-include-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(
        dir.join("main.json"),
        "{ \"Dhcp4\": {\n  <?include \"sub/subnets.json\"?>\n} }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("sub/subnets.json"),
        "// subnets live here\n\"subnet4\": [ { \"id\": 1, \"subnet\": \"10.0.0.0/24\",\n  \"pools\": [ { \"pool\": \"10.1.0.1-10.1.0.9\" } ] } ]\n",
    )
    .unwrap();
    let e = xdhcp_controlplane::load_file(&dir.join("main.json")).unwrap_err();
    let want = format!(
        "{}:3:24: Dhcp4.subnet4[0].pools[0].pool: pool 10.1.0.1-10.1.0.9 is outside subnet 10.0.0.0/24",
        dir.join("sub/subnets.json").display()
    );
    assert_eq!(e[0].to_string(), want);
    std::fs::write(dir.join("sub/subnets.json"), "\"subnet4\": []\n").unwrap();
    xdhcp_controlplane::load_file(&dir.join("main.json")).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn duplicate_key_names_the_first_one() {
    let text = "{ \"Dhcp4\": {\n  \"valid-lifetime\": 4000,\n  \"valid-lifetime\": 3000 } }";
    assert_eq!(
        first_error(text),
        "kea.conf:3:3: Dhcp4.valid-lifetime: duplicate valid-lifetime entries (previous at kea.conf:2:3)"
    );
}

#[test]
fn unterminated_block_comment() {
    let text = "{ \"Dhcp4\": {\n  /* not closed\n  \"valid-lifetime\": 4000 } }";
    assert_eq!(
        first_error(text),
        "kea.conf:2:3: Dhcp4: unterminated /* comment"
    );
}

#[test]
fn missing_include_is_located_at_the_directive() {
    let text = "{ \"Dhcp4\": {\n    <?include \"/nonexistent/xdhcp-sub.json\"?>\n} }";
    let e = first_error(text);
    assert!(
        e.starts_with("kea.conf:2:5: Dhcp4: cannot include /nonexistent/xdhcp-sub.json:"),
        "{e}"
    );
}

#[test]
fn reservation_outside_subnet() {
    let text = r#"{ "Dhcp6": { "subnet6": [ { "id": 1, "subnet": "2001:db8:1::/64",
    "reservations": [
      { "duid": "01:02:03:04", "ip-addresses": [ "2001:db8:2::1" ] } ] } ] } }"#;
    assert_eq!(
        first_error(text),
        "kea.conf:3:7: Dhcp6.subnet6[0].reservations[0]: specified reservation '2001:db8:2::1' is not within the subnet '2001:db8:1::/64'"
    );
}

#[test]
fn subnet_value_against_inherited_bound_names_the_subnet_key() {
    let text = r#"{ "Dhcp4": { "valid-lifetime": 6000, "min-valid-lifetime": 5000,
  "subnet4": [ { "id": 1, "subnet": "10.0.0.0/24", "valid-lifetime": 3000 } ] } }"#;
    assert_eq!(
        first_error(text),
        "kea.conf:2:70: Dhcp4.subnet4[0].valid-lifetime: the value of min-valid-lifetime (5000) is not less than valid-lifetime (3000)"
    );
}

#[test]
fn bad_class_test_points_into_the_expression() {
    let text = r#"{ "Dhcp4": { "client-classes": [
    { "name": "a", "test": "substring(option[60].hex,0,3) == 'win'" },
    { "name": "b", "test": "option[60].hax == 'x'" } ] } }"#;
    // The string's opening quote is at column 28; "hax" starts 11
    // characters into the expression, at file column 40.
    assert_eq!(
        first_error(text),
        "kea.conf:3:40: Dhcp4.client-classes[1].test: client class 'b': at column 12: expected one of hex, text, exists, found 'hax'"
    );
}

#[test]
fn class_test_may_only_name_classes_defined_before() {
    let text = r#"{ "Dhcp4": { "client-classes": [
    { "name": "early", "test": "member('late')" },
    { "name": "late", "test": "member('ALL')" } ] } }"#;
    assert_eq!(
        first_error(text),
        "kea.conf:2:40: Dhcp4.client-classes[0].test: client class 'early': at column 8: not defined client class 'late'"
    );
}

fn all_errors(text: &str) -> Vec<String> {
    match load_str("kea.conf", text) {
        Ok(_) => panic!("configuration loaded, errors were expected"),
        Err(e) => e.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn duplicate_reservations_are_reported_at_the_later_one() {
    // The third host repeats the first's MAC: refused for that alone, its
    // address (the second's) is not reported; the fourth takes the address
    // the refused third holds.
    let text = r#"{ "Dhcp4": { "subnet4": [ { "id": 1, "subnet": "10.0.0.0/24",
    "reservations": [
      { "hw-address": "02:00:00:00:00:01", "ip-address": "10.0.0.1" },
      { "hw-address": "02:00:00:00:00:02", "ip-address": "10.0.0.2" },
      { "hw-address": "02-00-00-00-00-01", "ip-address": "10.0.0.2" },
      { "client-id": "01:02", "ip-address": "10.0.0.2" },
      { "hw-address": "02:00:00:00:00:03", "ip-address": "10.0.0.1" } ] } ] } }"#;
    assert_eq!(
        all_errors(text),
        [
            "kea.conf:5:7: Dhcp4.subnet4[0].reservations[2]: a reservation for this hw-address already exists in the same scope",
            "kea.conf:6:7: Dhcp4.subnet4[0].reservations[3]: there's already a reservation for the address 10.0.0.2",
            "kea.conf:7:7: Dhcp4.subnet4[0].reservations[4]: there's already a reservation for the address 10.0.0.1",
        ]
    );
    // Without ip-reservations-unique only identifiers must differ.
    let shared = text.replace(
        r#""Dhcp4": {"#,
        r#""Dhcp4": { "ip-reservations-unique": false,"#,
    );
    assert_eq!(
        all_errors(&shared),
        ["kea.conf:5:7: Dhcp4.subnet4[0].reservations[2]: a reservation for this hw-address already exists in the same scope"]
    );
}

#[test]
fn duplicate_v6_addresses_and_prefixes() {
    // An address listed twice in one host is not a clash with itself.
    let text = r#"{ "Dhcp6": { "subnet6": [ { "id": 1, "subnet": "2001:db8::/64",
    "reservations": [
      { "duid": "01:01", "ip-addresses": [ "2001:db8::1", "2001:db8::1" ], "prefixes": [ "3000::/64" ] },
      { "duid": "01:02", "ip-addresses": [ "2001:db8::2", "2001:db8::1" ], "prefixes": [ "3000::/64", "3000::/60" ] } ] } ] } }"#;
    assert_eq!(
        all_errors(text),
        [
            "kea.conf:4:7: Dhcp6.subnet6[0].reservations[1]: there's already a reservation for the address 2001:db8::1",
            "kea.conf:4:7: Dhcp6.subnet6[0].reservations[1]: there's already a reservation for the prefix 3000::/64",
        ]
    );
}

#[test]
fn duplicate_subnets_name_the_first_holder() {
    let text = r#"{ "Dhcp4": { "subnet4": [
  { "id": 1, "subnet": "10.0.0.0/24" },
  { "id": 2, "subnet": "10.0.0.0/24" },
  { "id": 1, "subnet": "10.0.0.0/24" } ] } }"#;
    assert_eq!(
        all_errors(text),
        [
            "kea.conf:3:3: Dhcp4.subnet4[1]: subnet with the prefix of '10.0.0.0/24' already exists (at kea.conf:2:3)",
            "kea.conf:4:3: Dhcp4.subnet4[2]: subnet with the prefix of '10.0.0.0/24' already exists (at kea.conf:2:3)",
            "kea.conf:4:3: Dhcp4.subnet4[2]: ID of the new subnet '1' is already in use (at kea.conf:2:3)",
        ]
    );
}
