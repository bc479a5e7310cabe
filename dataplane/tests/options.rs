//! Option definitions and option-data text semantics against Kea's behaviour.

use xdhcp_dataplane::options::{
    decode_to_text, encode_csv, encode_data, encode_hex, split_csv, std_v4, std_v6, DataType,
    DefinitionError, OptionDataError, OptionDef, OptionSpaces, SpaceKind, Universe,
};

use std::collections::HashSet;

/// Hex string (whitespace ignored) to bytes.
fn h(s: &str) -> Vec<u8> {
    let digits: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(digits.len() & 1 == 0, "odd test hex {s}");
    (0..digits.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&digits[i..i + 2], 16).unwrap())
        .collect()
}

fn single(ty: DataType, array: bool) -> OptionDef {
    OptionDef::custom("test-opt", 200, "test", ty, array, vec![], "")
}

fn record(fields: &[DataType], array: bool) -> OptionDef {
    OptionDef::custom(
        "test-rec",
        201,
        "test",
        DataType::Record,
        array,
        fields.to_vec(),
        "",
    )
}

/// text -> exact bytes -> canonical text -> same bytes again.
#[track_caller]
fn round_trip(def: &OptionDef, u: Universe, text: &str, hex: &str, canonical: &str) {
    let bytes = encode_csv(def, text, u).unwrap_or_else(|e| panic!("encode {text:?}: {e}"));
    assert_eq!(bytes, h(hex), "bytes of {text:?}");
    let back = decode_to_text(def, &bytes, u).unwrap_or_else(|e| panic!("decode {text:?}: {e}"));
    assert_eq!(back, canonical, "text of {text:?}");
    assert_eq!(
        encode_csv(def, &back, u).unwrap(),
        bytes,
        "re-encode {back:?}"
    );
}

// ---------------------------------------------------------------------------
// Every data type.

#[test]
fn type_names_round_trip() {
    for ty in DataType::ALL {
        assert_eq!(DataType::from_kea_name(ty.kea_name()), Some(ty));
    }
    assert_eq!(
        DataType::from_kea_name("ipv4-address"),
        Some(DataType::Ipv4Address)
    );
    assert_eq!(DataType::from_kea_name("uint64"), None);
    assert_eq!(DataType::from_kea_name("UINT8"), None);
}

#[test]
fn integers() {
    let v4 = Universe::V4;
    round_trip(&single(DataType::Uint8, false), v4, "255", "ff", "255");
    round_trip(&single(DataType::Uint8, false), v4, "0x1f", "1f", "31");
    round_trip(
        &single(DataType::Uint16, false),
        v4,
        "0xffff",
        "ffff",
        "65535",
    );
    round_trip(&single(DataType::Uint16, false), v4, "8530", "2152", "8530");
    round_trip(
        &single(DataType::Uint32, false),
        v4,
        "4294967295",
        "ffffffff",
        "4294967295",
    );
    round_trip(&single(DataType::Int8, false), v4, "-1", "ff", "-1");
    round_trip(&single(DataType::Int8, false), v4, "0x7f", "7f", "127");
    round_trip(&single(DataType::Int16, false), v4, "-2", "fffe", "-2");
    round_trip(
        &single(DataType::Int32, false),
        v4,
        "-100000",
        "fffe7960",
        "-100000",
    );
    round_trip(&single(DataType::Int32, false), v4, "+7", "00000007", "7");
}

#[test]
fn booleans() {
    let def = single(DataType::Boolean, false);
    round_trip(&def, Universe::V4, "true", "01", "true");
    round_trip(&def, Universe::V4, "FALSE", "00", "false");
    round_trip(&def, Universe::V4, "1", "01", "true");
    round_trip(&def, Universe::V4, "0", "00", "false");
}

#[test]
fn addresses_and_prefixes() {
    round_trip(
        &single(DataType::Ipv4Address, false),
        Universe::V4,
        " 192.0.2.1 ",
        "c0000201",
        "192.0.2.1",
    );
    round_trip(
        &single(DataType::Ipv6Address, false),
        Universe::V6,
        "2001:db8::1",
        "20010db8000000000000000000000001",
        "2001:db8::1",
    );
    let prefix = single(DataType::Ipv6Prefix, false);
    round_trip(
        &prefix,
        Universe::V6,
        "2001:db8::/48",
        "30 20010db8 0000",
        "2001:db8::/48",
    );
    // Bits past the length are cleared; only ceil(len/8) bytes are written.
    round_trip(
        &prefix,
        Universe::V6,
        "2001:db8:ffff::/36",
        "24 20010db8 f0",
        "2001:db8:f000::/36",
    );
    round_trip(&prefix, Universe::V6, "::/0", "00", "::/0");
    round_trip(
        &prefix,
        Universe::V6,
        "2001:db8::1/128",
        "80 20010db8000000000000000000000001",
        "2001:db8::1/128",
    );
}

#[test]
fn psid() {
    let def = single(DataType::Psid, false);
    // PSID 3 in a 4-bit field is left-aligned: 0x3000 = 12288.
    round_trip(&def, Universe::V6, "3/4", "04 3000", "3/4");
    round_trip(&def, Universe::V6, "65535/16", "10 ffff", "65535/16");
    round_trip(&def, Universe::V6, "0/0", "00 0000", "0/0");
    // Kea ignores the PSID when its length is zero.
    assert_eq!(encode_csv(&def, "5/0", Universe::V6).unwrap(), h("00 0000"));
}

#[test]
fn strings_tuples_binary_fqdn_empty() {
    round_trip(
        &single(DataType::String, false),
        Universe::V4,
        "Hello World",
        "48656c6c6f20576f726c64",
        "Hello World",
    );
    // Escaped commas stay inside the value and come back escaped.
    round_trip(
        &single(DataType::String, false),
        Universe::V6,
        "a\\,b",
        "612c62",
        "a\\,b",
    );
    round_trip(
        &single(DataType::Tuple, false),
        Universe::V4,
        "abc",
        "03 616263",
        "abc",
    );
    round_trip(
        &single(DataType::Tuple, false),
        Universe::V6,
        "abc",
        "0003 616263",
        "abc",
    );
    round_trip(
        &single(DataType::Binary, false),
        Universe::V4,
        "0a0b0C",
        "0a0b0c",
        "0A0B0C",
    );
    round_trip(
        &single(DataType::Fqdn, false),
        Universe::V6,
        "example.com",
        "07 6578616d706c65 03 636f6d 00",
        "example.com.",
    );
    round_trip(
        &single(DataType::Fqdn, false),
        Universe::V6,
        "example.com.",
        "07 6578616d706c65 03 636f6d 00",
        "example.com.",
    );
    round_trip(&single(DataType::Fqdn, false), Universe::V6, ".", "00", ".");
    // Odd label bytes survive the csv escaping and name escaping together.
    let odd = single(DataType::Fqdn, false);
    let bytes = h("05 612e2c5c20 00");
    let text = decode_to_text(&odd, &bytes, Universe::V6).unwrap();
    assert_eq!(text, "a\\.\\,\\092\\032.");
    assert_eq!(encode_csv(&odd, &text, Universe::V6).unwrap(), bytes);
    round_trip(&single(DataType::Empty, false), Universe::V6, "", "", "");
}

#[test]
fn trailing_nuls_of_strings_are_dropped_on_decode() {
    let def = single(DataType::String, false);
    assert_eq!(
        decode_to_text(&def, b"abc\0\0", Universe::V4).unwrap(),
        "abc"
    );
}

#[test]
fn arrays() {
    round_trip(
        &single(DataType::Ipv4Address, true),
        Universe::V4,
        "192.0.2.1,192.0.2.2 , 10.0.0.1",
        "c0000201 c0000202 0a000001",
        "192.0.2.1, 192.0.2.2, 10.0.0.1",
    );
    round_trip(
        &single(DataType::Uint16, true),
        Universe::V6,
        "1, 2, 0x10",
        "0001 0002 0010",
        "1, 2, 16",
    );
    round_trip(
        &single(DataType::Fqdn, true),
        Universe::V6,
        "a.example, b.example.",
        "01 61 07 6578616d706c65 00 01 62 07 6578616d706c65 00",
        "a.example., b.example.",
    );
    round_trip(
        &single(DataType::Tuple, true),
        Universe::V6,
        "ab, c",
        "0002 6162 0001 63",
        "ab, c",
    );
}

#[test]
fn records() {
    round_trip(
        &record(
            &[
                DataType::Ipv4Address,
                DataType::Uint16,
                DataType::Boolean,
                DataType::String,
            ],
            false,
        ),
        Universe::V4,
        "192.0.2.100, 123, true, Hello World",
        "c0000264 007b 01 48656c6c6f20576f726c64",
        "192.0.2.100, 123, true, Hello World",
    );
    // An array record repeats its last field.
    round_trip(
        &record(&[DataType::Boolean, DataType::Ipv4Address], true),
        Universe::V4,
        "true, 192.0.2.1, 192.0.2.2",
        "01 c0000201 c0000202",
        "true, 192.0.2.1, 192.0.2.2",
    );
    round_trip(
        &record(&[DataType::Uint8, DataType::Psid], false),
        Universe::V6,
        "2, 3/4",
        "02 04 3000",
        "2, 3/4",
    );
}

// ---------------------------------------------------------------------------
// Standard definitions.

fn all_std_tables() -> Vec<(Universe, &'static [OptionDef])> {
    vec![
        (Universe::V4, std_v4::STANDARD_V4),
        (Universe::V4, std_v4::DHCP_AGENT_OPTIONS),
        (Universe::V4, std_v4::DOCSIS3_V4),
        (Universe::V6, std_v6::STANDARD_V6),
        (Universe::V6, std_v6::ISC_4O6),
        (Universe::V6, std_v6::S46_CONT_MAPE),
        (Universe::V6, std_v6::S46_CONT_MAPT),
        (Universe::V6, std_v6::S46_CONT_LW),
        (Universe::V6, std_v6::S46_RULE_OPTIONS),
        (Universe::V6, std_v6::S46_V4V6BIND_OPTIONS),
        (Universe::V6, std_v6::DOCSIS3_V6),
    ]
}

#[test]
fn standard_definitions_are_sane() {
    for u in [Universe::V4, Universe::V6] {
        let mut codes = HashSet::new();
        let mut names = HashSet::new();
        let spaces = OptionSpaces::standard(u);
        for (_, table) in all_std_tables().into_iter().filter(|(tu, _)| *tu == u) {
            for def in table {
                assert!(
                    codes.insert((def.space.to_string(), def.code)),
                    "duplicate code {} in {}",
                    def.code,
                    def.space
                );
                assert!(
                    names.insert((def.space.to_string(), def.name.to_string())),
                    "duplicate name {} in {}",
                    def.name,
                    def.space
                );
                assert!(def.code <= u.max_code(), "{} code too big", def.name);
                if def.data_type == DataType::Record {
                    assert!(def.record_types.len() >= 2, "{} has no fields", def.name);
                } else {
                    assert!(def.record_types.is_empty(), "{} has stray fields", def.name);
                }
                if def.data_type != DataType::Internal {
                    def.validate()
                        .unwrap_or_else(|e| panic!("{} invalid: {e}", def.name));
                }
                if def.encapsulates() {
                    assert!(
                        spaces.has_space(&def.encapsulate),
                        "{} encapsulates unknown space {}",
                        def.name,
                        def.encapsulate
                    );
                }
                let found = spaces.get(&def.space, def.code).expect("registered");
                assert_eq!(found, def);
                assert_eq!(spaces.get_by_name(&def.space, &def.name), Some(def));
                assert!(spaces.is_standard(&def.space, def.code));
            }
        }
    }
}

#[test]
fn standard_tables_have_known_entries() {
    let v4 = OptionSpaces::standard(Universe::V4);
    let v6 = OptionSpaces::standard(Universe::V6);
    let check =
        |s: &OptionSpaces, space: &str, name: &str, code: u16, ty: DataType, array: bool| {
            let d = s
                .get_by_name(space, name)
                .unwrap_or_else(|| panic!("{name}"));
            assert_eq!((d.code, d.data_type, d.array), (code, ty, array), "{name}");
        };
    check(&v4, "dhcp4", "routers", 3, DataType::Ipv4Address, true);
    check(&v4, "dhcp4", "domain-search", 119, DataType::Fqdn, true);
    check(
        &v4,
        "dhcp4",
        "classless-static-route",
        121,
        DataType::Internal,
        false,
    );
    check(
        &v4,
        "dhcp4",
        "v6-only-preferred",
        108,
        DataType::Uint32,
        false,
    );
    check(
        &v4,
        "dhcp4",
        "vivso-suboptions",
        125,
        DataType::Uint32,
        false,
    );
    check(&v4, "dhcp4", "v4-dnr", 162, DataType::Internal, false);
    check(&v4, "dhcp4", "fqdn", 81, DataType::Record, false);
    check(
        &v4,
        "dhcp-agent-options-space",
        "link-selection",
        5,
        DataType::Ipv4Address,
        false,
    );
    check(
        &v4,
        "vendor-4491",
        "tftp-servers",
        2,
        DataType::Ipv4Address,
        true,
    );
    check(&v6, "dhcp6", "dns-servers", 23, DataType::Ipv6Address, true);
    check(&v6, "dhcp6", "client-fqdn", 39, DataType::Record, false);
    check(&v6, "dhcp6", "aftr-name", 64, DataType::Fqdn, false);
    check(&v6, "dhcp6", "pd-exclude", 67, DataType::Ipv6Prefix, false);
    check(&v6, "dhcp6", "v6-dnr", 144, DataType::Internal, false);
    check(&v6, "dhcp6", "vendor-opts", 17, DataType::Uint32, false);
    check(
        &v6,
        "s46-cont-mapt-options",
        "s46-dmr",
        91,
        DataType::Ipv6Prefix,
        false,
    );
    check(
        &v6,
        "vendor-4491",
        "config-file",
        33,
        DataType::String,
        false,
    );
    assert_eq!(
        v4.get("dhcp4", 82).unwrap().encapsulate,
        "dhcp-agent-options-space"
    );
    assert_eq!(
        v6.get("dhcp6", 94).unwrap().encapsulate,
        "s46-cont-mape-options"
    );
    assert_eq!(
        v6.get("s46-cont-mape-options", 89).unwrap().encapsulate,
        "s46-rule-options"
    );
    assert!(v4.get("dhcp4", 120).is_none(), "Kea leaves 120 undefined");
    assert!(v6.has_space("s46-v4v6bind-options"));
    assert!(v4.has_space("vendor-encapsulated-options-space"));
}

/// A sample text value per type, so every standard definition can be pushed
/// through the codec.
fn sample(ty: DataType, u: Universe) -> &'static str {
    match ty {
        DataType::Binary => "0102ab",
        DataType::Boolean => "true",
        DataType::Int8 | DataType::Int16 | DataType::Int32 => "-5",
        DataType::Uint8 | DataType::Uint16 | DataType::Uint32 => "7",
        DataType::Ipv4Address => "192.0.2.1",
        DataType::Ipv6Address => "2001:db8::1",
        DataType::Ipv6Prefix => "2001:db8::/32",
        DataType::Psid => "1/4",
        DataType::String | DataType::Tuple => "abc",
        DataType::Fqdn => "example.com.",
        DataType::Empty => "",
        DataType::Record => unreachable!(),
        DataType::Internal => match u {
            Universe::V4 => "10.0.0.0/8 - 10.0.0.1",
            Universe::V6 => "1, example.com.",
        },
    }
}

#[test]
fn every_standard_definition_round_trips() {
    for (u, table) in all_std_tables() {
        for def in table {
            let mut values: Vec<&str> = if def.data_type == DataType::Record {
                def.record_types.iter().map(|&t| sample(t, u)).collect()
            } else {
                vec![sample(def.data_type, u)]
            };
            if def.array {
                let last = *values.last().unwrap();
                values.push(last);
            }
            let mut text = values.join(", ");
            if def.data_type == DataType::Internal && def.code == 162 {
                text = "1, example.com.".into();
            }
            let bytes = encode_csv(def, &text, u)
                .unwrap_or_else(|e| panic!("{} ({:?}): encode {text:?}: {e}", def.name, u));
            let back = decode_to_text(def, &bytes, u)
                .unwrap_or_else(|e| panic!("{}: decode: {e}", def.name));
            assert_eq!(
                encode_csv(def, &back, u).unwrap(),
                bytes,
                "{}: {text:?} -> {back:?}",
                def.name
            );
        }
    }
}

// ---------------------------------------------------------------------------
// Examples from Kea's manuals.

struct Example {
    universe: Universe,
    space: &'static str,
    name: &'static str,
    csv: bool,
    data: &'static str,
    bytes: &'static str,
    /// Text decode gives back; `None` means same as `data`.
    text: Option<&'static str>,
}

const fn ex(
    universe: Universe,
    space: &'static str,
    name: &'static str,
    data: &'static str,
    bytes: &'static str,
    text: Option<&'static str>,
) -> Example {
    Example {
        universe,
        space,
        name,
        csv: true,
        data,
        bytes,
        text,
    }
}

const fn hex(
    universe: Universe,
    space: &'static str,
    name: &'static str,
    data: &'static str,
    bytes: &'static str,
    text: &'static str,
) -> Example {
    Example {
        universe,
        space,
        name,
        csv: false,
        data,
        bytes,
        text: Some(text),
    }
}

const V4: Universe = Universe::V4;
const V6: Universe = Universe::V6;

/// Registries with the custom definitions the manual examples use.
fn example_spaces(u: Universe) -> OptionSpaces {
    let mut s = OptionSpaces::standard(u);
    let (top, [foo_code, bar_code, baz_code, container_code], addr) = match u {
        V4 => ("dhcp4", [222, 223, 224, 225], DataType::Ipv4Address),
        V6 => ("dhcp6", [100, 101, 104, 102], DataType::Ipv6Address),
    };
    s.add_custom(OptionDef::custom(
        "foo",
        foo_code,
        top,
        DataType::Uint32,
        false,
        vec![],
        "",
    ))
    .unwrap();
    s.add_custom(OptionDef::custom(
        "bar",
        bar_code,
        top,
        DataType::Record,
        false,
        vec![addr, DataType::Uint16, DataType::Boolean, DataType::String],
        "",
    ))
    .unwrap();
    s.add_custom(OptionDef::custom(
        "baz",
        baz_code,
        top,
        DataType::Record,
        false,
        vec![addr, DataType::Uint16, DataType::String],
        "",
    ))
    .unwrap();
    s.add_custom(OptionDef::custom(
        "container",
        container_code,
        top,
        DataType::Empty,
        false,
        vec![],
        "isc",
    ))
    .unwrap();
    s.add_custom(OptionDef::custom(
        "subopt1",
        1,
        "isc",
        addr,
        false,
        vec![],
        "",
    ))
    .unwrap();
    s.add_custom(OptionDef::custom(
        "subopt2",
        2,
        "isc",
        DataType::String,
        false,
        vec![],
        "",
    ))
    .unwrap();
    s
}

fn manual_examples() -> Vec<Example> {
    vec![
        ex(V4, "dhcp4", "domain-name-servers", "192.0.2.1, 192.0.2.2", "c0000201 c0000202", None),
        ex(V4, "dhcp4", "domain-name-servers", "192.0.2.200,192.0.2.201", "c00002c8 c00002c9",
            Some("192.0.2.200, 192.0.2.201")),
        ex(V4, "dhcp4", "domain-name-servers", "8.8.8.8, 8.8.4.4", "08080808 08080404", None),
        hex(V4, "dhcp4", "domain-name-servers", "C0 00 03 01 C0 00 03 02", "c0000301 c0000302",
            "192.0.3.1, 192.0.3.2"),
        ex(V4, "dhcp4", "routers", "10.0.0.1", "0a000001", None),
        ex(V4, "dhcp4", "domain-name", "other.example.com", "6f746865722e6578616d706c652e636f6d", None),
        ex(V4, "dhcp4", "boot-file-name", "ipxe.efi", "697078652e656669", None),
        ex(V4, "dhcp4", "vendor-class-identifier", "PXEClient", "505845436c69656e74", None),
        ex(V4, "dhcp4", "vivso-suboptions", "4491", "0000118b", None),
        ex(V4, "dhcp4", "foo", "12345", "00003039", None),
        ex(V4, "dhcp4", "bar", "192.0.2.100, 123, true, Hello World",
            "c0000264 007b 01 48656c6c6f20576f726c64", None),
        ex(V4, "dhcp4", "baz", "192.0.2.3, 123, Hello World", "c0000203 007b 48656c6c6f20576f726c64", None),
        ex(V4, "dhcp4", "container", "", "", None),
        ex(V4, "isc", "subopt1", "192.0.2.3", "c0000203", None),
        ex(V4, "isc", "subopt2", "Hello world", "48656c6c6f20776f726c64", None),
        ex(V4, "dhcp4", "client-ndi", "0,0,0", "000000", Some("0, 0, 0")),
        ex(V4, "dhcp4", "classless-static-route",
            "10.229.0.128/25 - 10.229.0.1, 10.27.129.0/24 - 10.229.0.2, 0.0.0.0/0 - 10.229.0.1",
            "19 0ae50080 0ae50001  18 0a1b81 0ae50002  00 0ae50001", None),
        ex(V6, "dhcp6", "dns-servers", "2001:db8::cafe, 2001:db8::babe",
            "20010db800000000000000000000cafe 20010db800000000000000000000babe", None),
        ex(V6, "dhcp6", "dns-servers", "2001:db8:1::3", "20010db8000100000000000000000003", None),
        hex(V6, "dhcp6", "dns-servers",
            "20 01 0D B8 00 01 00 00 00 00 00 00 00 00 CA FE 20 01 0D B8 00 01 00 00 00 00 00 00 00 00 BA BE",
            "20010db80001000000000000 0000cafe 20010db80001000000000000 0000babe",
            "2001:db8:1::cafe, 2001:db8:1::babe"),
        // Kea 0.9's manual wrote groups of four digits.
        hex(V6, "dhcp6", "dns-servers",
            "2001 0DB8 0001 0000 0000 0000 0000 CAFE 2001 0DB8 0001 0000 0000 0000 0000 BABE",
            "20010db80001000000000000 0000cafe 20010db80001000000000000 0000babe",
            "2001:db8:1::cafe, 2001:db8:1::babe"),
        hex(V6, "dhcp6", "subscriber-id", "'convert this text to binary'",
            "636f6e766572742074686973207465787420746f2062696e617279",
            "636F6E766572742074686973207465787420746F2062696E617279"),
        // JSON "EST5EDT4\\,M3.2.0/02:00\\,M11.1.0/02:00" after JSON unescaping.
        ex(V6, "dhcp6", "new-posix-timezone", "EST5EDT4\\,M3.2.0/02:00\\,M11.1.0/02:00",
            "45535435454454342c4d332e322e302f30323a30302c4d31312e312e302f30323a3030", None),
        ex(V6, "s46-cont-mape-options", "s46-rule", "128, 0, 24, 192.0.2.0, 2001:db8:1::/64",
            "80 00 18 c0000200 40 20010db800010000", None),
        ex(V6, "s46-cont-mapt-options", "s46-dmr", "2001:db8:cafe::/64", "40 20010db8cafe0000", None),
        ex(V6, "s46-rule-options", "s46-portparams", "2, 3/4", "02 04 3000", None),
        ex(V6, "s46-cont-lw-options", "s46-v4v6bind", "192.0.2.3, 2001:db8:1:cafe::/64",
            "c0000203 40 20010db80001cafe", None),
        ex(V6, "dhcp6", "v6-dnr", "100, dot1.example.org., 2001:db8::1 2001:db8::2, alpn=dot port=8530",
            "0064 0012 04646f7431076578616d706c65036f726700 0020 \
             20010db8000000000000000000000001 20010db8000000000000000000000002 \
             0001 0004 03646f74 0003 0002 2152", None),
        ex(V6, "dhcp6", "v6-dnr",
            "150, resolver.example., 2001:db8::1 2001:db8::2, alpn=dot\\,doq\\,h2\\,h3 dohpath=/q{?dns}",
            "0096 0012 087265736f6c766572076578616d706c6500 0020 \
             20010db8000000000000000000000001 20010db8000000000000000000000002 \
             0001 000e 03646f74 03646f71 026832 026833 0007 0008 2f717b3f646e737d", None),
        ex(V6, "dhcp6", "foo", "12345", "00003039", None),
        ex(V6, "dhcp6", "bar", "2001:db8:1::10, 123, false, Hello World",
            "20010db8000100000000000000000010 007b 00 48656c6c6f20576f726c64", None),
        ex(V6, "dhcp6", "baz", "2001:db8:1::10, 123, Hello World",
            "20010db8000100000000000000000010 007b 48656c6c6f20576f726c64", None),
        ex(V6, "isc", "subopt1", "2001:db8::abcd", "20010db800000000000000000000abcd", None),
        ex(V6, "vendor-4491", "tftp-servers", "3000:1::234", "30000001000000000000000000000234", None),
        ex(V6, "dhcp6", "vendor-opts", "4491", "0000118b", None),
        ex(V6, "dhcp6", "domain-search", "a.example.com", "01 61 07 6578616d706c65 03 636f6d 00",
            Some("a.example.com.")),
        ex(V6, "dhcp6", "bootfile-url", "https://example.com:1234/path",
            "68747470733a2f2f6578616d706c652e636f6d3a313233342f70617468", None),
    ]
}

#[test]
fn manual_option_data_examples() {
    let v4 = example_spaces(V4);
    let v6 = example_spaces(V6);
    let examples = manual_examples();
    assert!(examples.len() >= 25);
    for e in &examples {
        let spaces = if e.universe == V4 { &v4 } else { &v6 };
        let def = spaces
            .get_by_name(e.space, e.name)
            .unwrap_or_else(|| panic!("no definition for {}/{}", e.space, e.name));
        let bytes = encode_data(def, e.data, e.csv, e.universe)
            .unwrap_or_else(|err| panic!("{}: {:?}: {err}", e.name, e.data));
        assert_eq!(bytes, h(e.bytes), "{}: {:?}", e.name, e.data);
        let text = decode_to_text(def, &bytes, e.universe)
            .unwrap_or_else(|err| panic!("{}: decode: {err}", e.name));
        assert_eq!(text, e.text.unwrap_or(e.data), "{}", e.name);
        assert_eq!(
            encode_csv(def, &text, e.universe).unwrap(),
            bytes,
            "{}",
            e.name
        );
    }
}

#[test]
fn v4_dnr_instances() {
    let spaces = OptionSpaces::standard(V4);
    let def = spaces.get_by_name("dhcp4", "v4-dnr").unwrap();
    let text =
        "100, dot1.example.org., 192.0.2.1 192.0.2.2, alpn=dot port=8530 | 200, resolver.example.";
    let bytes = encode_csv(def, text, V4).unwrap();
    let expected = h(
        "002c 0064 12 04646f7431076578616d706c65036f726700 08 c0000201 c0000202 \
                      0001 0004 03646f74 0003 0002 2152 \
                      0015 00c8 12 087265736f6c766572076578616d706c6500",
    );
    assert_eq!(bytes, expected);
    assert_eq!(decode_to_text(def, &bytes, V4).unwrap(), text);
}

// ---------------------------------------------------------------------------
// Hex and csv splitting.

#[test]
fn hex_formats() {
    let want = h("abcdef");
    for text in [
        "abcdef",
        "0xabcdef",
        "ab:cd:ef",
        "ab cd ef",
        "AB:CD:EF",
        "  abcdef  ",
    ] {
        assert_eq!(encode_hex(text).unwrap(), want, "{text}");
    }
    assert_eq!(encode_hex("a:b:c").unwrap(), h("0a0b0c"));
    assert_eq!(encode_hex("abc").unwrap(), h("0abc"));
    assert_eq!(encode_hex("").unwrap(), Vec::<u8>::new());
    assert_eq!(encode_hex("'a,b'").unwrap(), b"a,b".to_vec());
}

#[test]
fn csv_splitting_follows_kea() {
    assert_eq!(split_csv("a, b ,c"), ["a", "b", "c"]);
    assert_eq!(split_csv("a,,b"), ["a", "b"]);
    assert_eq!(split_csv("a\\,b, c"), ["a,b", "c"]);
    assert_eq!(split_csv("a\\\\b"), ["a\\b"]);
    assert_eq!(split_csv("a\\nb"), ["a\\nb"]);
    assert!(split_csv("").is_empty());
}

// ---------------------------------------------------------------------------
// Bad input: typed errors, no panics.

#[test]
fn bad_values_give_typed_errors() {
    let u = Universe::V4;
    let cases: &[(OptionDef, &str)] = &[
        (single(DataType::Uint8, false), "256"),
        (single(DataType::Uint8, false), "-1"),
        (single(DataType::Uint16, false), "0x10000"),
        (single(DataType::Int8, false), "128"),
        (single(DataType::Int8, false), "0xff"),
        (single(DataType::Int32, false), "2147483648"),
        (single(DataType::Uint32, false), "12abc"),
        (single(DataType::Boolean, false), "yes"),
        (single(DataType::Ipv4Address, false), "192.0.2.256"),
        (single(DataType::Ipv4Address, false), "2001:db8::1"),
        (single(DataType::Ipv6Address, false), "192.0.2.1"),
        (single(DataType::Ipv6Prefix, false), "2001:db8::"),
        (single(DataType::Ipv6Prefix, false), "2001:db8::/129"),
        (single(DataType::Psid, false), "16/4"),
        (single(DataType::Psid, false), "1/17"),
        (single(DataType::Binary, false), "xyz"),
        (single(DataType::Fqdn, false), "a..b"),
        (single(DataType::Fqdn, false), &"a".repeat(64)),
    ];
    for (def, text) in cases {
        match encode_csv(def, text, u) {
            Err(OptionDataError::InvalidValue {
                data_type, value, ..
            }) => {
                assert_eq!(data_type, def.data_type, "{text}");
                assert_eq!(value, *text);
            }
            other => panic!("{text:?} as {}: {other:?}", def.data_type),
        }
    }
    let err = encode_csv(&single(DataType::Uint8, false), "300", u).unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("300") && msg.contains("uint8") && msg.contains("test-opt"),
        "{msg}"
    );
}

#[test]
fn wrong_value_counts() {
    let u = Universe::V4;
    let rec = record(&[DataType::Uint8, DataType::Ipv4Address], false);
    assert!(matches!(
        encode_csv(&rec, "1", u),
        Err(OptionDataError::TooFewValues {
            expected: 2,
            got: 1,
            ..
        })
    ));
    assert!(matches!(
        encode_csv(&rec, "1, 192.0.2.1, 192.0.2.2", u),
        Err(OptionDataError::TooManyValues {
            expected: 2,
            got: 3,
            ..
        })
    ));
    assert!(matches!(
        encode_csv(&single(DataType::String, false), "Hello, World", u),
        Err(OptionDataError::TooManyValues { .. })
    ));
    assert!(matches!(
        encode_csv(&single(DataType::Ipv4Address, true), "", u),
        Err(OptionDataError::TooFewValues { .. })
    ));
    assert!(matches!(
        encode_csv(&single(DataType::Empty, false), "1", u),
        Err(OptionDataError::TooManyValues { .. })
    ));
}

#[test]
fn bad_hex() {
    for text in ["0xzz", "abc:12345", "ab::cd", "ab cde", "g"] {
        assert!(
            matches!(encode_hex(text), Err(OptionDataError::InvalidHex { .. })),
            "{text}"
        );
    }
}

#[test]
fn bad_wire_data() {
    let u = Universe::V6;
    assert!(matches!(
        decode_to_text(&single(DataType::Ipv4Address, true), &[1, 2, 3], u),
        Err(OptionDataError::Truncated { .. })
    ));
    assert!(matches!(
        decode_to_text(&single(DataType::Uint16, false), &[1, 2, 3], u),
        Err(OptionDataError::TrailingData { extra: 1, .. })
    ));
    assert!(matches!(
        decode_to_text(&single(DataType::Boolean, false), &[2], u),
        Err(OptionDataError::InvalidWire { .. })
    ));
    assert!(matches!(
        decode_to_text(&single(DataType::Ipv6Prefix, false), &[129], u),
        Err(OptionDataError::InvalidWire { .. })
    ));
    assert!(decode_to_text(&single(DataType::Fqdn, false), &[3, b'a'], u).is_err());
    assert!(decode_to_text(&single(DataType::Fqdn, false), &[0xc0, 0x0c], u).is_err());
    assert!(decode_to_text(&single(DataType::Tuple, false), &[0, 5, b'a'], u).is_err());
    assert!(decode_to_text(&single(DataType::Psid, false), &[4, 0x30, 0x01], u).is_err());
    let spaces = OptionSpaces::standard(Universe::V4);
    let routes = spaces.get("dhcp4", 121).unwrap();
    assert!(decode_to_text(routes, &[33, 1, 2, 3, 4, 5, 6, 7, 8], Universe::V4).is_err());
    assert!(decode_to_text(routes, &[24, 10, 0], Universe::V4).is_err());
    assert!(encode_csv(routes, "10.0.0.0/8", Universe::V4).is_err());
    assert!(encode_csv(routes, "10.0.0.0/33 - 10.0.0.1", Universe::V4).is_err());
    let dnr = OptionSpaces::standard(Universe::V6);
    let dnr = dnr.get("dhcp6", 144).unwrap();
    assert!(encode_csv(dnr, "100", Universe::V6).is_err());
    assert!(encode_csv(
        dnr,
        "100, a.example., 2001:db8::1, ipv6hint=::1",
        Universe::V6
    )
    .is_err());
    assert!(decode_to_text(dnr, &[0, 1, 0, 9], Universe::V6).is_err());
}

/// Arbitrary bytes never panic the decoder, whatever the definition.
#[test]
fn decoder_does_not_panic_on_garbage() {
    let mut seed = 0x1234_5678u32;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed
    };
    for (u, table) in all_std_tables() {
        for def in table {
            for _ in 0..50 {
                let len = (next() % 40) as usize;
                let data: Vec<u8> = (0..len).map(|_| next() as u8).collect();
                let _ = decode_to_text(def, &data, u);
            }
        }
    }
}

// ---------------------------------------------------------------------------
// The registry.

#[test]
fn custom_definitions_follow_kea_rules() {
    let mut s = OptionSpaces::standard(Universe::V4);
    // Redefining a standard dhcp4 option, by code or by name, is refused.
    let err = s
        .add_custom(OptionDef::custom(
            "my-routers",
            3,
            "dhcp4",
            DataType::Ipv4Address,
            true,
            vec![],
            "",
        ))
        .unwrap_err();
    assert!(
        matches!(err, DefinitionError::RedefinesStandard { code: 3, .. }),
        "{err}"
    );
    let err = s
        .add_custom(OptionDef::custom(
            "routers",
            250,
            "dhcp4",
            DataType::Ipv4Address,
            true,
            vec![],
            "",
        ))
        .unwrap_err();
    assert!(
        matches!(err, DefinitionError::RedefinesStandard { .. }),
        "{err}"
    );
    // Codes Kea leaves undefined in dhcp4 are allowed.
    s.add_custom(OptionDef::custom(
        "sip-servers",
        120,
        "dhcp4",
        DataType::Binary,
        false,
        vec![],
        "",
    ))
    .unwrap();
    let err = s
        .add_custom(OptionDef::custom(
            "sip-again",
            120,
            "dhcp4",
            DataType::Binary,
            false,
            vec![],
            "",
        ))
        .unwrap_err();
    assert!(matches!(err, DefinitionError::Duplicate { .. }), "{err}");
    // Codes out of range or reserved.
    for code in [0, 255, 256] {
        let err = s
            .add_custom(OptionDef::custom(
                "x",
                code,
                "dhcp4",
                DataType::Uint8,
                false,
                vec![],
                "",
            ))
            .unwrap_err();
        assert!(
            matches!(err, DefinitionError::BadCode { .. }),
            "{code}: {err}"
        );
    }
    // Malformed definitions.
    let invalid = [
        OptionDef::custom("-bad", 1, "custom", DataType::Uint8, false, vec![], ""),
        OptionDef::custom(
            "ok",
            1,
            "custom",
            DataType::Record,
            false,
            vec![DataType::Uint8],
            "",
        ),
        OptionDef::custom(
            "ok",
            1,
            "custom",
            DataType::Record,
            false,
            vec![DataType::String, DataType::Uint8],
            "",
        ),
        OptionDef::custom("ok", 1, "custom", DataType::String, true, vec![], ""),
        OptionDef::custom("ok", 1, "custom", DataType::Internal, false, vec![], ""),
    ];
    for def in invalid {
        assert!(
            matches!(
                s.add_custom(def.clone()),
                Err(DefinitionError::Invalid { .. })
            ),
            "{def:?}"
        );
    }
    // Custom and vendor spaces are created on demand, with their encapsulated space.
    s.add_custom(OptionDef::custom(
        "opt",
        1,
        "vendor-2495",
        DataType::Uint8,
        false,
        vec![],
        "sub",
    ))
    .unwrap();
    assert!(s.has_space("sub"));
    assert_eq!(s.space_kind("vendor-2495"), SpaceKind::Vendor(2495));
    assert_eq!(s.space_kind("dhcp4"), SpaceKind::TopLevel);
    assert_eq!(s.space_kind("vendor-x"), SpaceKind::Other);
    assert_eq!(OptionSpaces::vendor_space_name(2495), "vendor-2495");
    assert_eq!(s.get_vendor(2495, 1).unwrap().name, "opt");
    assert!(!s.is_standard("vendor-2495", 1));
    assert!(s.is_standard("vendor-4491", 2));
    // A space other than dhcp4 may reuse a standard option's code.
    s.add_custom(OptionDef::custom(
        "routers",
        3,
        "custom",
        DataType::Uint8,
        false,
        vec![],
        "",
    ))
    .unwrap();
}

#[test]
fn dhcp6_codes_above_255_are_fine() {
    let mut s = OptionSpaces::standard(Universe::V6);
    s.add_custom(OptionDef::custom(
        "big",
        1000,
        "dhcp6",
        DataType::Uint16,
        false,
        vec![],
        "",
    ))
    .unwrap();
    assert_eq!(s.get("dhcp6", 1000).unwrap().name, "big");
    assert!(matches!(
        s.add_custom(OptionDef::custom(
            "dns",
            23,
            "dhcp6",
            DataType::Uint16,
            false,
            vec![],
            ""
        )),
        Err(DefinitionError::RedefinesStandard { .. })
    ));
}

/// Cases the fuzzer found where text and wire forms disagreed: each side now
/// accepts exactly what the other can express.
#[test]
fn empty_values_mean_the_same_both_ways() {
    let u = Universe::V4;
    // An array holds at least one value on the wire as in text.
    let servers = single(DataType::Ipv4Address, true);
    assert!(decode_to_text(&servers, &[], u).is_err());
    assert!(encode_csv(&servers, "", u).is_err());
    // An empty binary option is a valid option with no bytes.
    let blob = single(DataType::Binary, false);
    assert_eq!(encode_csv(&blob, "", u).unwrap(), Vec::<u8>::new());
    assert_eq!(decode_to_text(&blob, &[], u).unwrap(), "");
    // A string is never empty, nor only NULs.
    let text = single(DataType::String, false);
    assert!(encode_csv(&text, "", u).is_err());
    assert!(decode_to_text(&text, &[0, 0], u).is_err());
    // Routes (121) need at least one route.
    let spaces = OptionSpaces::standard(u);
    let routes = spaces.get("dhcp4", 121).unwrap();
    assert!(decode_to_text(routes, &[], u).is_err());
}

#[test]
fn prefix_host_bits_show_cleared() {
    let def = single(DataType::Ipv6Prefix, false);
    let u = Universe::V6;
    // A /9 keeps the top bit of its second byte; the other seven are host bits.
    assert_eq!(decode_to_text(&def, &h("09 20 ff"), u).unwrap(), "2080::/9");
    assert_eq!(encode_csv(&def, "2080::/9", u).unwrap(), h("09 20 80"));
}
