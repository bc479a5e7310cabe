// Kea 2.2's own DHCPv4 codec (libkea-dhcp++) on the packet our Rust codec
// benchmark (dataplane/benches/codec.rs) uses: parse the relayed DISCOVER in
// perf/fixtures/discover-10-options.bin and read what an engine needs, then
// build the OFFER the way kea-dhcp4 does (Pkt4 + option objects + pack()).
//
// Build and run with perf/kea-codec/run.sh.
//
// Usage: bench FIXTURE [ITERATIONS]

#include <asiolink/io_address.h>
#include <dhcp/dhcp4.h>
#include <dhcp/hwaddr.h>
#include <dhcp/option.h>
#include <dhcp/option4_addrlst.h>
#include <dhcp/option_custom.h>
#include <dhcp/option_int.h>
#include <dhcp/option_int_array.h>
#include <dhcp/option_string.h>
#include <dhcp/pkt4.h>
#include <exceptions/exceptions.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace isc::dhcp;
using isc::asiolink::IOAddress;

namespace {

// Make the optimizer believe `v` is read (and memory may have changed).
template <typename T>
inline void keep(T const& v) {
    asm volatile("" : : "r,m"(v) : "memory");
}
// Make the optimizer forget what it knows about `p`.
template <typename T>
inline void launder(T*& p) {
    asm volatile("" : "+r"(p) : : "memory");
}

[[noreturn]] void die(const std::string& msg) {
    std::fprintf(stderr, "kea-codec bench: %s\n", msg.c_str());
    std::exit(1);
}

template <typename O>
boost::shared_ptr<O> typed(const Pkt4& pkt, uint16_t code) {
    // getOption is not const in Kea 2.2.
    OptionPtr o = const_cast<Pkt4&>(pkt).getOption(code);
    return boost::dynamic_pointer_cast<O>(o);
}

// (a) What an engine reads from a DISCOVER before it can allocate; mirrors
// parse() in dataplane/benches/codec.rs, through Kea's API, with the typed
// option classes Kea's own definitions produce (and kea-dhcp4 casts to).
size_t parse(const uint8_t* data, size_t len) {
    Pkt4 p(data, len);
    p.unpack();
    size_t sum = p.getTransid();
    HWAddrPtr hw = p.getHWAddr();
    sum += hw ? hw->hwaddr_.size() : 0;
    sum += p.getType();
    if (OptionPtr cid = p.getOption(DHO_DHCP_CLIENT_IDENTIFIER)) {
        sum += cid->getData().size();
    }
    if (OptionCustomPtr req = typed<OptionCustom>(p, DHO_DHCP_REQUESTED_ADDRESS)) {
        sum += req->readAddress().toUint32() & 0xff;
    }
    if (OptionUint16Ptr mms = typed<OptionUint16>(p, DHO_DHCP_MAX_MESSAGE_SIZE)) {
        sum += mms->getValue();
    } else {
        sum += 576;
    }
    if (OptionUint8ArrayPtr prl = typed<OptionUint8Array>(p, DHO_DHCP_PARAMETER_REQUEST_LIST)) {
        sum += prl->getValues().size();
    }
    if (OptionStringPtr vc = typed<OptionString>(p, DHO_VENDOR_CLASS_IDENTIFIER)) {
        sum += vc->getValue().size();
    }
    if (OptionPtr rai = p.getOption(DHO_DHCP_AGENT_OPTIONS)) {
        if (OptionPtr circuit = rai->getOption(RAI_OPTION_AGENT_CIRCUIT_ID)) {
            sum += circuit->getData().size();
        }
    }
    return sum;
}

// Options a kea-dhcp4 config would hold (routers, DNS, domain name). Kea
// keeps these in its configuration and adds the same OptionPtr to every
// response; the "prebuilt" variant below uses this set.
struct ConfigOptions {
    OptionPtr routers;
    OptionPtr dns;
    OptionPtr domain;
};

ConfigOptions make_config_options() {
    Option4AddrLst::AddressContainer dns{IOAddress("10.0.0.53"), IOAddress("10.0.1.53")};
    return ConfigOptions{
        OptionPtr(new Option4AddrLst(DHO_ROUTERS, IOAddress("10.0.0.1"))),
        OptionPtr(new Option4AddrLst(DHO_DOMAIN_NAME_SERVERS, dns)),
        OptionPtr(new OptionString(Option::V4, DHO_DOMAIN_NAME, "example.org")),
    };
}

// (b) The OFFER, built as kea-dhcp4 builds it: a fresh Pkt4 (which adds
// option 53 itself), fixed fields copied from the query
// (Dhcpv4Exchange::copyDefaultFields), option 82 echoed by adding the
// query's own OptionPtr (copyDefaultOptions), per-lease options created as
// new objects, then pack(). If `cfg` is null, every option is created here,
// as the brief for this benchmark asks; otherwise routers/DNS/domain come
// from the prebuilt config set, as in the real server.
Pkt4Ptr build_offer(Pkt4& query, const ConfigOptions* cfg) {
    Pkt4Ptr resp(new Pkt4(DHCPOFFER, query.getTransid()));
    resp->setCiaddr(query.getCiaddr());
    resp->setGiaddr(query.getGiaddr());
    resp->setHops(query.getHops());
    resp->setHWAddr(query.getHWAddr());
    resp->setFlags(query.getFlags());
    resp->setYiaddr(IOAddress(0x0a000032));  // 10.0.0.50

    resp->addOption(OptionPtr(new Option4AddrLst(DHO_DHCP_SERVER_IDENTIFIER,
                                                 IOAddress(0x0a000002))));
    resp->addOption(OptionPtr(new OptionUint32(Option::V4, DHO_DHCP_LEASE_TIME, 4000)));
    resp->addOption(OptionPtr(new OptionUint32(Option::V4, DHO_DHCP_RENEWAL_TIME, 1000)));
    resp->addOption(OptionPtr(new OptionUint32(Option::V4, DHO_DHCP_REBINDING_TIME, 2000)));
    resp->addOption(OptionPtr(new Option4AddrLst(DHO_SUBNET_MASK, IOAddress(0xffffff00))));
    if (cfg) {
        resp->addOption(cfg->routers);
        resp->addOption(cfg->dns);
        resp->addOption(cfg->domain);
    } else {
        resp->addOption(OptionPtr(new Option4AddrLst(DHO_ROUTERS, IOAddress(0x0a000001))));
        Option4AddrLst::AddressContainer dns{IOAddress(0x0a000035), IOAddress(0x0a000135)};
        resp->addOption(OptionPtr(new Option4AddrLst(DHO_DOMAIN_NAME_SERVERS, dns)));
        resp->addOption(OptionPtr(new OptionString(Option::V4, DHO_DOMAIN_NAME, "example.org")));
    }
    if (OptionPtr rai = query.getOption(DHO_DHCP_AGENT_OPTIONS)) {
        resp->addOption(rai);
    }
    resp->pack();
    return resp;
}

size_t offer(Pkt4& query, const ConfigOptions* cfg) {
    Pkt4Ptr resp = build_offer(query, cfg);
    const isc::util::OutputBuffer& out = resp->getBuffer();
    keep(*static_cast<const uint8_t*>(out.getData()));
    return out.getLength();
}

struct Timing {
    double median, min, max;  // ns/op over the 5 timed runs
};

void report(const char* name, const Timing& t) {
    std::printf("%s: %.0f ns/op  (5 runs: min %.0f, max %.0f)\n", name, t.median, t.min, t.max);
    std::fflush(stdout);
}

template <typename F>
Timing time_ns_per_op(F&& f, long iterations) {
    // Warm-up: caches, branch predictors, allocator free lists.
    for (long i = 0; i < iterations / 10; ++i) {
        keep(f());
    }
    std::vector<double> runs;
    for (int r = 0; r < 5; ++r) {
        auto t0 = std::chrono::steady_clock::now();
        for (long i = 0; i < iterations; ++i) {
            keep(f());
        }
        auto t1 = std::chrono::steady_clock::now();
        runs.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() /
                       static_cast<double>(iterations));
    }
    std::sort(runs.begin(), runs.end());
    return Timing{runs[2], runs.front(), runs.back()};
}

// The packed OFFER must read back as an OFFER for 10.0.0.50 with the options
// we put in, at the length kea-dhcp4 would send.
void check_offer(Pkt4& query) {
    ConfigOptions cfg = make_config_options();
    Pkt4Ptr fresh = build_offer(query, nullptr);
    Pkt4Ptr shared = build_offer(query, &cfg);
    const isc::util::OutputBuffer& out = fresh->getBuffer();
    const isc::util::OutputBuffer& out2 = shared->getBuffer();
    const uint8_t* bytes = static_cast<const uint8_t*>(out.getData());
    const size_t len = out.getLength();
    if (len != out2.getLength() || std::memcmp(bytes, out2.getData(), len) != 0) {
        die("the two OFFER variants pack to different bytes");
    }

    Pkt4 back(bytes, out.getLength());
    back.unpack();
    if (back.getType() != DHCPOFFER) die("packed OFFER does not read back as DHCPOFFER");
    if (back.getYiaddr().toText() != "10.0.0.50") die("packed OFFER yiaddr is " + back.getYiaddr().toText());
    if (back.getTransid() != query.getTransid()) die("packed OFFER xid differs");
    if (back.getGiaddr() != query.getGiaddr()) die("packed OFFER giaddr differs");
    if (!back.getHWAddr() || back.getHWAddr()->hwaddr_ != query.getHWAddr()->hwaddr_) {
        die("packed OFFER chaddr differs");
    }
    const uint16_t want[] = {DHO_DHCP_MESSAGE_TYPE, DHO_DHCP_SERVER_IDENTIFIER, DHO_DHCP_LEASE_TIME,
                             DHO_DHCP_RENEWAL_TIME, DHO_DHCP_REBINDING_TIME, DHO_SUBNET_MASK,
                             DHO_ROUTERS, DHO_DOMAIN_NAME_SERVERS, DHO_DOMAIN_NAME,
                             DHO_DHCP_AGENT_OPTIONS};
    for (uint16_t code : want) {
        if (!back.getOption(code)) die("packed OFFER lacks option " + std::to_string(code));
    }
    OptionPtr rai = back.getOption(DHO_DHCP_AGENT_OPTIONS);
    if (rai->toBinary() != query.getOption(DHO_DHCP_AGENT_OPTIONS)->toBinary()) {
        die("packed OFFER option 82 differs from the request's");
    }
    std::printf("check: packed OFFER is %zu bytes, reads back as DHCPOFFER yiaddr %s with %zu options\n",
                len, back.getYiaddr().toText().c_str(), back.options_.size());
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) die("usage: bench FIXTURE [ITERATIONS]");
    long iterations = argc > 2 ? std::atol(argv[2]) : 1000000;
    if (iterations <= 0) die("ITERATIONS must be positive");

    std::ifstream f(argv[1], std::ios::binary);
    if (!f) die(std::string("cannot open ") + argv[1]);
    std::vector<uint8_t> frame((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());

    try {
        Pkt4 query(frame.data(), frame.size());
        query.unpack();
        if (query.getType() != DHCPDISCOVER) die("fixture is not a DHCPDISCOVER");
        if (query.options_.size() != 10) {
            die("fixture has " + std::to_string(query.options_.size()) + " options, expected 10");
        }
        check_offer(query);

        const uint8_t* data = frame.data();
        const size_t len = frame.size();
        Timing parse_ns = time_ns_per_op([&] {
            const uint8_t* d = data;
            launder(d);
            return parse(d, len);
        }, iterations);
        report("kea parse DISCOVER (10 options)", parse_ns);

        Pkt4* q = &query;
        Timing build_ns = time_ns_per_op([&] {
            Pkt4* qq = q;
            launder(qq);
            return offer(*qq, nullptr);
        }, iterations);
        report("kea build OFFER (9 options)", build_ns);

        ConfigOptions cfg = make_config_options();
        const ConfigOptions* c = &cfg;
        Timing build_cfg_ns = time_ns_per_op([&] {
            Pkt4* qq = q;
            launder(qq);
            return offer(*qq, c);
        }, iterations);
        report("kea build OFFER (9 options, routers/DNS/domain shared from config)", build_cfg_ns);
    } catch (const isc::Exception& e) {
        die(std::string("Kea exception: ") + e.what());
    } catch (const std::exception& e) {
        die(std::string("exception: ") + e.what());
    }
    return 0;
}
