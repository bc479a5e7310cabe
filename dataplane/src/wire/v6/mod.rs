//! DHCPv6 wire codec (RFC 8415, 3633).
