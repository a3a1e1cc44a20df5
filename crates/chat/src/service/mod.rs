//! The chat's rules, over the database; each change returns the events to
//! send once it is committed ([`Fanout`]).

pub mod conversations;
pub mod messages;
pub mod missed;
pub mod reads;
pub mod summary;

use kernel::UserId;

use crate::realtime::events::Event;

/// Events for sockets, sent after the change that made them committed.
#[derive(Debug, Default)]
pub struct Fanout {
    /// Each event with the users who receive it.
    pub events: Vec<(Vec<UserId>, Event)>,
}

impl Fanout {
    /// One event for `audience`.
    pub fn one(audience: Vec<UserId>, event: Event) -> Self {
        Self { events: vec![(audience, event)] }
    }

    /// Adds one event for `audience`.
    pub fn push(&mut self, audience: Vec<UserId>, event: Event) {
        self.events.push((audience, event));
    }
}
