//! A lease-event sink like the server's: bounded queues filled with
//! `try_send` (their slots are allocated up front, so recording allocates
//! nothing), drained by the test.

use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use xdhcp_dataplane::events::{Family, LeaseEvent4, LeaseEvent6, LeaseEventKind, LeaseEvents};

/// The engines' side.
pub struct QueueSink {
    v4: SyncSender<LeaseEvent4>,
    v6: SyncSender<LeaseEvent6>,
}

/// The test's side.
pub struct Received {
    v4: Receiver<LeaseEvent4>,
    v6: Receiver<LeaseEvent6>,
}

/// A sink listening to every event, holding up to `capacity` of each family.
pub fn queue(capacity: usize) -> (QueueSink, Received) {
    let (t4, r4) = sync_channel(capacity);
    let (t6, r6) = sync_channel(capacity);
    (QueueSink { v4: t4, v6: t6 }, Received { v4: r4, v6: r6 })
}

impl LeaseEvents for QueueSink {
    fn wants(&self, _: Family, _: LeaseEventKind) -> bool {
        true
    }
    fn record(&self, event: &LeaseEvent4) {
        let _ = self.v4.try_send(*event);
    }
    fn record6(&self, event: &LeaseEvent6) {
        let _ = self.v6.try_send(*event);
    }
}

impl Received {
    /// The DHCPv4 events so far.
    pub fn v4(&self) -> Vec<LeaseEvent4> {
        self.v4.try_iter().collect()
    }

    /// The DHCPv6 events so far.
    pub fn v6(&self) -> Vec<LeaseEvent6> {
        self.v6.try_iter().collect()
    }
}
