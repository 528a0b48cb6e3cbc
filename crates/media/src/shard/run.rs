//! A shard's one task: every call of the shard, their sockets in one
//! [`Poller`], their timers in one queue, their commands on one channel.
//!
//! Each turn of the loop fires the timers that are due, then waits for a
//! message (a call opened, a command, a handle dropped), readable sockets
//! or the earliest timer. Readable sockets are taken in rounds: one
//! `epoll_wait` that does not wait, then each socket it names drained
//! (`recvmmsg`, each datagram through its call's session and a relayed
//! packet sent at once); the clock is read once a round. A round that
//! found fewer sockets than it had room for, all drained, leaves nothing
//! behind. A socket still busy after its share of a round is carried to
//! the next, as no new event may come for it.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::future::poll_fn;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Instant;

use rustix::event::epoll;
use tokio::sync::mpsc;
use tracing::{debug, info_span, warn};

use crate::ports::PortPool;

use super::batch::Batch;
use super::call::Call;
use super::poller::{Poller, Token};
use super::{Command, EngineConfig, Message};

/// Sockets reported by one `epoll_wait`.
const EVENTS_PER_ROUND: usize = 256;

/// Rounds taken before the loop looks at its messages and timers again.
const ROUNDS_PER_TURN: usize = 4;

/// What woke the loop.
enum Wake {
    Message(Option<Message>),
    Sockets,
    Timer,
    Failed(std::io::Error),
}

/// A call in its slot, and the earliest timer queued for it.
struct Slot {
    id: u64,
    call: Call,
    queued: Option<Instant>,
}

/// One shard's calls: see the [module docs](self).
pub(super) struct ShardTask {
    config: EngineConfig,
    ports: Arc<Mutex<PortPool>>,
    calls: Arc<AtomicUsize>,
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    /// Call ids (from the handles) to slots; commands only, never packets.
    ids: HashMap<u64, u32>,
    /// Timers by deadline: (deadline, slot, call id). An entry whose call
    /// has gone, or whose call is not due after all, is passed over.
    timers: BinaryHeap<Reverse<(Instant, u32, u64)>>,
    /// Sockets not drained in their round, taken first in the next.
    busy: Vec<Token>,
}

impl ShardTask {
    /// A shard with no calls yet.
    pub fn new(config: EngineConfig, ports: Arc<Mutex<PortPool>>, calls: Arc<AtomicUsize>) -> ShardTask {
        ShardTask {
            config,
            ports,
            calls,
            slots: Vec::new(),
            free: Vec::new(),
            ids: HashMap::new(),
            timers: BinaryHeap::new(),
            busy: Vec::new(),
        }
    }

    /// Serves the shard's calls until every sender of `messages` is gone.
    pub async fn run(mut self, mut messages: mpsc::UnboundedReceiver<Message>) {
        let poller = match Poller::new() {
            Ok(poller) => poller,
            Err(error) => {
                warn!(%error, "the shard's poller could not be made; its calls get no media");
                return;
            }
        };
        let mut batch = Batch::new();
        let mut events = Vec::with_capacity(EVENTS_PER_ROUND);
        let mut sleep = Box::pin(tokio::time::sleep_until(tokio::time::Instant::now()));
        // The deadline the timer is set for: resetting it moves it in the
        // timer wheel, so only a changed deadline does.
        let mut armed = None;
        loop {
            self.fire_timers(Instant::now());
            let next = self.timers.peek().map(|Reverse((at, _, _))| *at);
            if let Some(at) = next
                && armed != Some(at)
            {
                sleep.as_mut().reset(tokio::time::Instant::from_std(at));
                armed = Some(at);
            }
            let wake = poll_fn(|cx| {
                if let Poll::Ready(message) = messages.poll_recv(cx) {
                    return Poll::Ready(Wake::Message(message));
                }
                match poller.poll_ready(cx) {
                    Poll::Ready(Ok(mut guard)) => {
                        return Poll::Ready(match self.take_datagrams(&poller, &mut events, &mut batch) {
                            // Found empty: tokio's readiness is cleared,
                            // unless the set became readable again since.
                            Ok(true) => {
                                guard.clear_ready();
                                Wake::Sockets
                            }
                            Ok(false) => Wake::Sockets,
                            Err(error) => Wake::Failed(error),
                        });
                    }
                    Poll::Ready(Err(error)) => return Poll::Ready(Wake::Failed(error)),
                    Poll::Pending => {}
                }
                if next.is_some() && sleep.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Wake::Timer);
                }
                Poll::Pending
            })
            .await;
            match wake {
                Wake::Message(Some(message)) => self.message(message, &poller),
                Wake::Message(None) => break,
                Wake::Sockets => {}
                Wake::Timer => armed = None,
                Wake::Failed(error) => {
                    warn!(%error, "the shard's poller failed; its calls end");
                    break;
                }
            }
        }
        for slot in 0..self.slots.len() {
            self.end(slot as u32, &poller);
        }
    }

    /// Rounds of readable sockets, each drained; `true` once a round
    /// leaves nothing behind, `false` after [`ROUNDS_PER_TURN`] busy
    /// rounds.
    fn take_datagrams(
        &mut self,
        poller: &Poller,
        events: &mut Vec<epoll::Event>,
        batch: &mut Batch,
    ) -> std::io::Result<bool> {
        let mut busy = std::mem::take(&mut self.busy);
        for _ in 0..ROUNDS_PER_TURN {
            poller.ready(events)?;
            let now = Instant::now();
            // Every call named is read before any is handled, a stage at a
            // time: their state is rarely in cache, and the misses of a
            // stage overlap across calls in these loops, where one call
            // after another (each datagram's handling going through the
            // kernel) they would not.
            let mut warm = 0u64;
            for stage in 0..3 {
                for event in events.iter() {
                    let token: Token = event.data.u64();
                    if let Some(Some(slot)) = self.slots.get((token >> 32) as usize) {
                        warm ^= slot.call.warm(token, stage);
                    }
                }
            }
            std::hint::black_box(warm);
            let carried = std::mem::take(&mut busy);
            let tokens = carried.iter().copied().chain(events.iter().map(|event| event.data.u64()));
            for token in tokens {
                let index = (token >> 32) as u32;
                let Some(Some(slot)) = self.slots.get_mut(index as usize) else { continue };
                if !slot.call.readable(token, batch, now) && !busy.contains(&token) {
                    busy.push(token);
                }
                rearm(&mut self.timers, index, slot);
            }
            if events.len() < events.capacity() && busy.is_empty() {
                return Ok(true);
            }
        }
        self.busy = busy;
        Ok(false)
    }

    /// Fires every timer due at `now`.
    fn fire_timers(&mut self, now: Instant) {
        while let Some(&Reverse((at, index, id))) = self.timers.peek() {
            if at > now {
                break;
            }
            self.timers.pop();
            let Some(Some(slot)) = self.slots.get_mut(index as usize) else { continue };
            if slot.id != id {
                continue;
            }
            if slot.queued == Some(at) {
                slot.queued = None;
            }
            if slot.call.media.poll_timeout().is_some_and(|due| due <= now) {
                slot.call.timeout(now);
            }
            rearm(&mut self.timers, index, slot);
        }
    }

    fn message(&mut self, message: Message, poller: &Poller) {
        match message {
            Message::Open { id, label, seed, events } => {
                let index = match self.free.pop() {
                    Some(index) => index,
                    None => {
                        self.slots.push(None);
                        (self.slots.len() - 1) as u32
                    }
                };
                let span = info_span!("call_media", call = %label);
                let call = Call::new(span, self.config.clone(), Arc::clone(&self.ports), seed, events, index);
                self.slots[index as usize] = Some(Slot { id, call, queued: None });
                self.ids.insert(id, index);
            }
            Message::Call(id, command) => {
                let Some(&index) = self.ids.get(&id) else { return };
                if let Command::Close(reply) = command {
                    self.end(index, poller);
                    let _ = reply.send(());
                    return;
                }
                let Some(Some(slot)) = self.slots.get_mut(index as usize) else { return };
                let span = slot.call.span.clone();
                let _entered = span.enter();
                slot.call.command(command, poller);
                slot.call.flush();
                rearm(&mut self.timers, index, slot);
            }
            Message::Dropped(id) => {
                if let Some(&index) = self.ids.get(&id) {
                    self.end(index, poller);
                }
            }
        }
    }

    /// Ends the call in `index`: legs closed, ports given back, its slot
    /// free for the next call.
    fn end(&mut self, index: u32, poller: &Poller) {
        let Some(Slot { id, mut call, .. }) = self.slots.get_mut(index as usize).and_then(Option::take) else {
            return;
        };
        let span = call.span.clone();
        let _entered = span.enter();
        call.close_all(poller);
        debug!(send_failures = call.send_failures, "call media ended");
        self.ids.remove(&id);
        self.free.push(index);
        self.calls.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Queues the call's next deadline if it is earlier than the one queued.
fn rearm(timers: &mut BinaryHeap<Reverse<(Instant, u32, u64)>>, index: u32, slot: &mut Slot) {
    if let Some(at) = slot.call.media.poll_timeout()
        && slot.queued.is_none_or(|queued| at < queued)
    {
        timers.push(Reverse((at, index, slot.id)));
        slot.queued = Some(at);
    }
}
