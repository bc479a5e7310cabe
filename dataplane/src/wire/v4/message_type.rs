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

/// The message type of a DHCPv4 message, read from the options field
/// without validating the rest: the cheap look a worker takes to shed load.
/// `None` when option 53 is not in the options field proper (overloaded
/// into `sname`/`file`, or missing) or the message is cut short.
pub fn peek_message_type(msg: &[u8]) -> Option<MessageType> {
    use super::{code, HEADER_LEN, MAGIC_COOKIE, OPTIONS_OFFSET};
    if msg.get(HEADER_LEN..OPTIONS_OFFSET)? != MAGIC_COOKIE {
        return None;
    }
    let options = &msg[OPTIONS_OFFSET..];
    let mut i = 0;
    loop {
        match *options.get(i)? {
            code::PAD => i += 1,
            code::END => return None,
            c => {
                let len = usize::from(*options.get(i + 1)?);
                if c == code::MESSAGE_TYPE && len == 1 {
                    return options.get(i + 2).map(|&t| MessageType::from_u8(t));
                }
                i += 2 + len;
            }
        }
    }
}

#[cfg(test)]
mod peek_tests {
    use super::*;

    #[test]
    fn peeks_the_type_past_padding_and_other_options() {
        let mut m = vec![0u8; 236];
        m.extend_from_slice(&[99, 130, 83, 99, 0, 0, 61, 2, 1, 2, 53, 1, 3, 255]);
        assert_eq!(peek_message_type(&m), Some(MessageType::Request));
        m.truncate(m.len() - 3);
        assert_eq!(peek_message_type(&m), None, "cut short");
        let mut bad = m.clone();
        bad[236] = 0;
        assert_eq!(peek_message_type(&bad), None, "no magic cookie");
        assert_eq!(peek_message_type(&[1; 10]), None);
    }
}
