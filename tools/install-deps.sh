#!/usr/bin/env bash
# Installs every system package xdhcp's build and test suite use, from Debian's archive.
# Idempotent: apt-get skips what is already installed. Needs root.
set -euo pipefail

packages=(
  # build: the XDP program is C compiled by clang against libbpf's headers
  clang llvm libbpf-dev linux-libc-dev pkg-config
  # network lab for integration tests and fixture captures
  iproute2 iputils-ping ethtool tcpdump tshark socat curl
  # certificates for the HTTPS control socket tests
  openssl
  # real DHCP clients
  isc-dhcp-client isc-dhcp-relay udhcpc dhcpcd5
  # real Kea 2.2 as reference server, HA partner and perfdhcp/kea-shell
  kea-dhcp4-server kea-dhcp6-server kea-ctrl-agent kea-admin kea-common
  # Kea 2.2's API reference (api/*.json): the documented answers of the
  # subnet, host and class commands, whose hooks Debian does not ship
  kea-doc
  # Kea's own codec measured beside ours (perf/kea-codec): its headers, header-only boost, g++
  kea-dev libboost-dev g++
  # monitoring: a real Prometheus scrapes xdhcp, promtool checks deploy/prometheus;
  # python3-venv holds the community kea-exporter the metrics tests compare with
  prometheus python3-venv
)

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  # tshark asks whether non-root users may capture; answer for it.
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian starts the packaged Kea and dhcpcd services on install; the tests run their own.
for s in kea-dhcp4-server kea-dhcp6-server kea-ctrl-agent kea-dhcp-ddns-server dhcpcd isc-dhcp-relay prometheus; do
  systemctl disable --now "$s" >/dev/null 2>&1 || true
done
mkdir -p /run/kea
# The community kea-exporter (PyPI), in a venv of its own: the metrics tests
# check that xdhcp's /metrics carries every series it derives from xdhcp's API.
KEA_EXPORTER_VENV=/opt/xdhcp/kea-exporter
if [ ! -x "$KEA_EXPORTER_VENV/bin/kea-exporter" ]; then
  python3 -m venv "$KEA_EXPORTER_VENV"
  "$KEA_EXPORTER_VENV/bin/pip" install -q kea-exporter==0.7.1
fi
