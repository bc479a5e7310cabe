#!/usr/bin/env python3
"""Turn tshark's decoding of a DHCP fixture pcap into a compact JSON oracle.

Usage: tools/fixture-oracle.py FILE.pcap > FILE.expect.json

Every value comes from tshark's own dissectors (tshark -T json --no-duplicate-keys);
nothing is parsed from raw bytes here, so the file is an independent oracle for
xdhcp's parsers. Fields tshark does not decode are left out rather than guessed.

Output: {"source": ..., "tshark": ..., "packets": [ ... ]}, one packet entry per
DHCPv4/DHCPv6 datagram, in capture order. See dataplane/tests/fixtures/README.md
for the schema.
"""
import json
import subprocess
import sys


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


def first(v):
    return v[0] if isinstance(v, list) else v


def num(v):
    """tshark renders integers as decimal or 0x-hex strings."""
    v = first(v)
    if v is None:
        return None
    return int(v, 0) if isinstance(v, str) else int(v)


def hexstr(v):
    """'02:00:0f' -> '02000f' (lower-case, no separators)."""
    v = first(v)
    if v is None:
        return None
    return v.replace(":", "").lower()


def put(d, key, value):
    if value is not None:
        d[key] = value


# ------------------------------------------------------------------ DHCPv4
def dhcp4(layer):
    out = {
        "op": num(layer.get("dhcp.type")),
        "htype": num(layer.get("dhcp.hw.type")),
        "hlen": num(layer.get("dhcp.hw.len")),
        "hops": num(layer.get("dhcp.hops")),
        "xid": num(layer.get("dhcp.id")),
        "secs": num(layer.get("dhcp.secs")),
        "flags": num(layer.get("dhcp.flags")),
        "ciaddr": first(layer.get("dhcp.ip.client")),
        "yiaddr": first(layer.get("dhcp.ip.your")),
        "siaddr": first(layer.get("dhcp.ip.server")),
        "giaddr": first(layer.get("dhcp.ip.relay")),
    }
    mac = layer.get("dhcp.hw.mac_addr")
    pad = layer.get("dhcp.hw.addr_padding")
    if mac is not None:
        out["chaddr"] = hexstr(mac)  # the hlen meaningful bytes
        if pad is not None:
            out["chaddr_full"] = hexstr(mac) + hexstr(pad)  # all 16 bytes
    put(out, "sname", first(layer.get("dhcp.server")))
    put(out, "file", first(layer.get("dhcp.file")))

    codes = as_list(layer.get("dhcp.option.type"))
    trees = as_list(layer.get("dhcp.option.type_tree"))
    if len(codes) != len(trees):
        raise SystemExit(f"option list/tree mismatch: {codes} vs {len(trees)} trees")
    options = []
    for code, tree in zip(codes, trees):
        if "dhcp.option.end" in tree:  # tshark 4.0 lists End as type "0"; skip it
            continue
        code = int(code)
        if code == 0:  # Pad
            continue
        opt = {"code": code, "len": num(tree.get("dhcp.option.length"))}
        put(opt, "value", hexstr(tree.get("dhcp.option.value")))
        options.append((opt, tree))
    out["option_codes"] = [o["code"] for o, _ in options]
    out["options"] = [o for o, _ in options]

    for opt, tree in options:
        c = opt["code"]
        if c == 53:
            out["msg_type"] = num(tree.get("dhcp.option.dhcp"))
        elif c == 50:
            put(out, "requested_ip", first(tree.get("dhcp.option.requested_ip_address")))
        elif c == 51:
            put(out, "lease_time", num(tree.get("dhcp.option.ip_address_lease_time")))
        elif c == 54:
            put(out, "server_id", first(tree.get("dhcp.option.dhcp_server_id")))
        elif c == 55:
            out["parameter_request_list"] = [
                int(x) for x in as_list(tree.get("dhcp.option.request_list_item"))
            ]
        elif c == 57:
            put(out, "max_message_size", num(tree.get("dhcp.option.dhcp_max_message_size")))
        elif c == 61:
            put(out, "client_id", opt.get("value"))
        elif c == 12:
            put(out, "hostname", first(tree.get("dhcp.option.hostname")))
        elif c == 60:
            put(out, "vendor_class_id", first(tree.get("dhcp.option.vendor_class_id")))
    return {k: v for k, v in out.items() if v is not None}


# ------------------------------------------------------------------ DHCPv6
def v6_options(layer):
    """(code, tree) pairs of one option level, wire order."""
    return [(num(t.get("dhcpv6.option.type")), t) for t in as_list(layer.get("dhcpv6.option.type_str_tree"))]


def status(tree):
    s = {"code": num(tree.get("dhcpv6.status_code"))}
    put(s, "message", first(tree.get("dhcpv6.status_msg")))
    return s


def ia(tree, code):
    out = {
        "iaid": int(first(tree["dhcpv6.iaid"]), 16),
        "t1": num(tree.get("dhcpv6.iaid.t1")),
        "t2": num(tree.get("dhcpv6.iaid.t2")),
    }
    subs = v6_options(tree)
    out["option_codes"] = [c for c, _ in subs]
    key = "addresses" if code == 3 else "prefixes"
    out[key] = []
    for c, t in subs:
        if c == 5:
            out[key].append({
                "address": first(t.get("dhcpv6.iaaddr.ip")),
                "preferred": num(t.get("dhcpv6.iaaddr.pref_lifetime")),
                "valid": num(t.get("dhcpv6.iaaddr.valid_lifetime")),
            })
        elif c == 26:
            out[key].append({
                "prefix": first(t.get("dhcpv6.iaprefix.pref_addr")),
                "prefix_len": num(t.get("dhcpv6.iaprefix.pref_len")),
                "preferred": num(t.get("dhcpv6.iaprefix.pref_lifetime")),
                "valid": num(t.get("dhcpv6.iaprefix.valid_lifetime")),
            })
        elif c == 13:
            out["status"] = status(t)
    return out


def dhcp6(layer):
    out = {
        "msg_type": num(layer.get("dhcpv6.msgtype")),
        "xid": num(layer.get("dhcpv6.xid")),
    }
    opts = v6_options(layer)
    out["option_codes"] = [c for c, _ in opts]
    out["options"] = [{"code": c, "len": num(t.get("dhcpv6.option.length"))} for c, t in opts]
    for c, t in opts:
        if c == 1:
            out["client_duid"] = hexstr(t.get("dhcpv6.duid.bytes"))
        elif c == 2:
            out["server_duid"] = hexstr(t.get("dhcpv6.duid.bytes"))
        elif c == 8:
            out["elapsed_time"] = num(t.get("dhcpv6.elapsed_time"))
        elif c == 6:
            out["oro"] = [int(x) for x in as_list(t.get("dhcpv6.requested_option_code"))]
        elif c == 3:
            out.setdefault("ia_na", []).append(ia(t, 3))
        elif c == 25:
            out.setdefault("ia_pd", []).append(ia(t, 25))
        elif c == 13:
            out["status"] = status(t)
    return {k: v for k, v in out.items() if v is not None}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    path = sys.argv[1]
    raw = subprocess.run(
        ["tshark", "-r", path, "-T", "json", "--no-duplicate-keys", "-Y", "dhcp or dhcpv6"],
        check=True, capture_output=True, text=True,
    ).stdout
    version = subprocess.run(["tshark", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    packets = []
    for pkt in json.loads(raw):
        layers = pkt["_source"]["layers"]
        udp = layers["udp"]
        entry = {
            "frame": num(layers["frame"]["frame.number"]),
            "ip_version": 6 if "ipv6" in layers else 4,
            "src_port": num(udp["udp.srcport"]),
            "dst_port": num(udp["udp.dstport"]),
            "udp_payload_len": num(udp["udp.length"]) - 8,
        }
        if "dhcp" in layers:
            entry["dhcp4"] = dhcp4(layers["dhcp"])
        elif "dhcpv6" in layers:
            entry["dhcp6"] = dhcp6(layers["dhcpv6"])
        packets.append(entry)
    doc = {
        "source": path.rsplit("/", 1)[-1],
        "generator": "tools/fixture-oracle.py",
        "tshark": version,
        "packets": packets,
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
