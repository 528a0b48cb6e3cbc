//! A shard's own epoll set over every socket of its calls, and the wake-up
//! of its thread.
//!
//! The shard thread blocks in this set's `epoll_wait` (until a socket is
//! readable, a message is sent to it, or its next timer is due) and reads
//! which sockets are ready in the same call: no runtime's reactor sits in
//! between, so a wake costs one `epoll_wait`. The sockets are
//! level-triggered in the set: a socket is reported by every wait while
//! it holds a datagram, and the shard takes one datagram a report (see
//! `inbox`). Messages to the shard are woken through an eventfd in the
//! set ([`Waker`], reported as [`WAKE`]).

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::sync::Arc;
use std::time::Duration;

use rustix::buffer::spare_capacity;
use rustix::event::{EventfdFlags, Timespec, epoll, eventfd};

/// Names a socket in the set: its call's slot on the shard (high 32 bits)
/// and the socket's number in that call (low 32 bits).
pub(super) type Token = u64;

/// The token of the shard's wake-up: a message is waiting.
pub(super) const WAKE: Token = u64::MAX;

/// A shard's epoll set.
#[derive(Debug)]
pub(super) struct Poller {
    set: OwnedFd,
    wake: Arc<OwnedFd>,
}

/// Wakes a shard's thread from its wait (after a message was queued).
#[derive(Debug, Clone)]
pub(super) struct Waker(Arc<OwnedFd>);

impl Waker {
    /// Makes the shard's set report [`WAKE`] until the shard clears it.
    pub fn wake(&self) {
        // Fails only when the counter would overflow: the shard is awake.
        let _ = rustix::io::write(&*self.0, &1u64.to_ne_bytes());
    }
}

impl Poller {
    /// A new set holding only its wake-up.
    pub fn new() -> io::Result<Poller> {
        let set = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        let wake = eventfd(0, EventfdFlags::CLOEXEC | EventfdFlags::NONBLOCK)?;
        epoll::add(&set, &wake, epoll::EventData::new_u64(WAKE), epoll::EventFlags::IN)?;
        Ok(Poller { set, wake: Arc::new(wake) })
    }

    /// What wakes this set's thread.
    pub fn waker(&self) -> Waker {
        Waker(Arc::clone(&self.wake))
    }

    /// Clears the wake-up (the shard is about to read its messages).
    pub fn clear_wake(&self) {
        let mut count = [0u8; 8];
        // Nothing to clear (EAGAIN) is fine too.
        let _ = rustix::io::read(&*self.wake, &mut count);
    }

    /// Reports `socket` under `token` while it holds a datagram.
    pub fn register(&self, socket: &impl AsFd, token: Token) -> io::Result<()> {
        epoll::add(&self.set, socket, epoll::EventData::new_u64(token), epoll::EventFlags::IN)?;
        Ok(())
    }

    /// Stops reporting `socket` (closing it would too).
    pub fn deregister(&self, socket: &impl AsFd) {
        // Not registered (a failed registration): nothing to undo.
        let _ = epoll::delete(&self.set, socket);
    }

    /// The sockets readable now (and [`WAKE`] if woken), up to the
    /// capacity of `events` (cleared first); waits up to `timeout` for
    /// one (`None`: until there is one, zero: not at all). An event's
    /// `data` is its token.
    pub fn wait(&self, events: &mut Vec<epoll::Event>, timeout: Option<Duration>) -> io::Result<()> {
        events.clear();
        let timeout = timeout.map(|t| Timespec {
            tv_sec: i64::try_from(t.as_secs()).unwrap_or(i64::MAX),
            tv_nsec: i64::from(t.subsec_nanos()),
        });
        loop {
            match epoll::wait(&self.set, spare_capacity(events), timeout.as_ref()) {
                Ok(_) => return Ok(()),
                Err(rustix::io::Errno::INTR) => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
}
