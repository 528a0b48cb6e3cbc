//! A shard's own epoll set over every socket of its calls, itself one
//! file descriptor in tokio's reactor.
//!
//! tokio would otherwise track each socket's readiness and wake a task
//! per datagram; here tokio wakes the shard's one task when any socket is
//! readable, and the task asks the set which (`epoll_wait` with no wait),
//! a batch at a time. The sockets are edge-triggered in the set: a socket
//! is reported when a datagram arrives, and the task takes what it holds
//! until a receive comes back short (see `batch`).

use std::io;
use std::os::fd::{AsFd, OwnedFd};
use std::task::{Context, Poll};

use rustix::buffer::spare_capacity;
use rustix::event::{Timespec, epoll};
use tokio::io::Interest;
use tokio::io::unix::{AsyncFd, AsyncFdReadyGuard};

/// Names a socket in the set: its call's slot on the shard (high 32 bits)
/// and the socket's number in that call (low 32 bits).
pub(super) type Token = u64;

/// A shard's epoll set.
#[derive(Debug)]
pub(super) struct Poller {
    set: AsyncFd<OwnedFd>,
}

impl Poller {
    /// A new, empty set registered with the current tokio runtime.
    #[allow(
        deprecated,
        reason = "tokio 1.54 deprecated the safe constructor for file descriptors the AsyncFd may not own; \
                  this one owns its OwnedFd for its whole life and never hands it out, the I/O safety \
                  `register_with_interest` asks for, and the crate forbids unsafe code"
    )]
    pub fn new() -> io::Result<Poller> {
        let set = epoll::create(epoll::CreateFlags::CLOEXEC)?;
        Ok(Poller { set: AsyncFd::with_interest(set, Interest::READABLE)? })
    }

    /// Reports `socket` under `token` each time a datagram arrives on it.
    pub fn register(&self, socket: &impl AsFd, token: Token) -> io::Result<()> {
        epoll::add(
            self.set.get_ref(),
            socket,
            epoll::EventData::new_u64(token),
            epoll::EventFlags::IN | epoll::EventFlags::ET,
        )?;
        Ok(())
    }

    /// Stops reporting `socket` (closing it would too).
    pub fn deregister(&self, socket: &impl AsFd) {
        // Not registered (a failed registration): nothing to undo.
        let _ = epoll::delete(self.set.get_ref(), socket);
    }

    /// Ready when tokio saw the set readable since it was last found empty.
    pub fn poll_ready<'a>(&'a self, cx: &mut Context<'_>) -> Poll<io::Result<AsyncFdReadyGuard<'a, OwnedFd>>> {
        self.set.poll_read_ready(cx)
    }

    /// The sockets readable now, up to the capacity of `events` (cleared
    /// first), without waiting; an event's `data` is the socket's token.
    pub fn ready(&self, events: &mut Vec<epoll::Event>) -> io::Result<()> {
        events.clear();
        let none = Timespec { tv_sec: 0, tv_nsec: 0 };
        loop {
            match epoll::wait(self.set.get_ref(), spare_capacity(events), Some(&none)) {
                Ok(_) => return Ok(()),
                Err(rustix::io::Errno::INTR) => {}
                Err(error) => return Err(error.into()),
            }
        }
    }
}
