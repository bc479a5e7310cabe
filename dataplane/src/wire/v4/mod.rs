//! DHCPv4 wire codec (RFC 2131, 2132, 3396, 3046).
