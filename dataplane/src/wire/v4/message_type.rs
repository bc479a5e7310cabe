//! Option 53 values (RFC 2132 §9.6, RFC 4388, 6926, 7724).

/// The DHCPv4 message type carried in option 53.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageType {
    /// DHCPDISCOVER
    Discover,
    /// DHCPOFFER
    Offer,
    /// DHCPREQUEST
    Request,
    /// DHCPDECLINE
    Decline,
    /// DHCPACK
    Ack,
    /// DHCPNAK
    Nak,
    /// DHCPRELEASE
    Release,
    /// DHCPINFORM
    Inform,
    /// DHCPFORCERENEW (RFC 3203)
    ForceRenew,
    /// DHCPLEASEQUERY (RFC 4388)
    LeaseQuery,
    /// DHCPLEASEUNASSIGNED
    LeaseUnassigned,
    /// DHCPLEASEUNKNOWN
    LeaseUnknown,
    /// DHCPLEASEACTIVE
    LeaseActive,
    /// DHCPBULKLEASEQUERY (RFC 6926)
    BulkLeaseQuery,
    /// DHCPLEASEQUERYDONE
    LeaseQueryDone,
    /// DHCPACTIVELEASEQUERY (RFC 7724)
    ActiveLeaseQuery,
    /// DHCPLEASEQUERYSTATUS
    LeaseQueryStatus,
    /// DHCPTLS
    Tls,
    /// Any value without a name.
    Other(u8),
}

impl MessageType {
    /// The value's meaning, from its wire byte.
    pub fn from_u8(v: u8) -> Self {
        use MessageType::*;
        match v {
            1 => Discover,
            2 => Offer,
            3 => Request,
            4 => Decline,
            5 => Ack,
            6 => Nak,
            7 => Release,
            8 => Inform,
            9 => ForceRenew,
            10 => LeaseQuery,
            11 => LeaseUnassigned,
            12 => LeaseUnknown,
            13 => LeaseActive,
            14 => BulkLeaseQuery,
            15 => LeaseQueryDone,
            16 => ActiveLeaseQuery,
            17 => LeaseQueryStatus,
            18 => Tls,
            n => Other(n),
        }
    }

    /// The wire byte of this message type.
    pub fn to_u8(self) -> u8 {
        use MessageType::*;
        match self {
            Discover => 1,
            Offer => 2,
            Request => 3,
            Decline => 4,
            Ack => 5,
            Nak => 6,
            Release => 7,
            Inform => 8,
            ForceRenew => 9,
            LeaseQuery => 10,
            LeaseUnassigned => 11,
            LeaseUnknown => 12,
            LeaseActive => 13,
            BulkLeaseQuery => 14,
            LeaseQueryDone => 15,
            ActiveLeaseQuery => 16,
            LeaseQueryStatus => 17,
            Tls => 18,
            Other(n) => n,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::MessageType;

    #[test]
    fn every_byte_round_trips() {
        for v in 0..=255u8 {
            assert_eq!(MessageType::from_u8(v).to_u8(), v);
        }
    }
}
