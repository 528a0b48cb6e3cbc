//! A shard's thread: every call of the shard, their sockets in one
//! [`Poller`], their timers in one queue, their commands on one channel.
//!
//! Each turn of the loop fires the timers that are due, handles the
//! messages waiting (a call opened, a command, a handle dropped), then
//! blocks in the poller until a socket is readable, a message is sent
//! (the poller's wake-up) or the earliest timer is due. Readable sockets
//! are taken in rounds: the first round is that wait, each later one an
//! `epoll_wait` that does not wait; each socket a round names gives one
//! datagram (`recvfrom`, through its call's session, a relayed packet
//! sent at once), and the clock is read once a round. A later round is
//! taken only when a round named as many sockets as it had room for. The
//! sockets are level-triggered, so a socket that holds more is named
//! again at the next wake: a socket gives a datagram a wake (2,500 a
//! second at the default pacing, 50 times a G.711 stream's rate), a burst
//! drains over a few wakes, and a flooding peer gets no more turns than
//! anyone else. A wake that took datagrams is followed by the pause its
//! [`WakePacing`](super::WakePacing) asks for, so that what comes
//! meanwhile is taken at the next wake together: datagrams that arrive
//! while a wake is being handled wait for the next, and its sends go out
//! with theirs (a later round for them would send in smaller groups,
//! which costs more per packet: docs/benchmarks.md, "Paced wakes").
//! No async runtime runs here: a wake is one system call.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rustix::event::epoll;
use tracing::{debug, info_span, warn};

use crate::ports::PortPool;

use super::call::Call;
use super::inbox::Inbox;
use super::poller::{Poller, Token, WAKE};
use super::{Command, EngineConfig, Message};

/// Sockets reported by one `epoll_wait`; more wait for the next round.
const EVENTS_PER_ROUND: usize = 1024;

/// Full rounds (a datagram from each socket named) taken in a row before
/// the loop looks at its messages and timers again.
const ROUNDS_PER_TURN: usize = 4;

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
    /// Wakes that took datagrams, so far.
    wakes: Arc<AtomicU64>,
    slots: Vec<Option<Slot>>,
    free: Vec<u32>,
    /// Call ids (from the handles) to slots; commands only, never packets.
    ids: HashMap<u64, u32>,
    /// Timers by deadline: (deadline, slot, call id). An entry whose call
    /// has gone, or whose call is not due after all, is passed over.
    timers: BinaryHeap<Reverse<(Instant, u32, u64)>>,
}

impl ShardTask {
    /// A shard with no calls yet.
    pub fn new(
        config: EngineConfig,
        ports: Arc<Mutex<PortPool>>,
        calls: Arc<AtomicUsize>,
        wakes: Arc<AtomicU64>,
    ) -> ShardTask {
        ShardTask {
            config,
            ports,
            calls,
            wakes,
            slots: Vec::new(),
            free: Vec::new(),
            ids: HashMap::new(),
            timers: BinaryHeap::new(),
        }
    }

    /// Serves the shard's calls until [`Message::Stop`] comes or every
    /// sender of `messages` is gone.
    pub fn run(mut self, messages: Receiver<Message>, poller: Poller) {
        let mut inbox = Inbox::new();
        let mut events = Vec::with_capacity(EVENTS_PER_ROUND);
        'serve: loop {
            self.fire_timers(Instant::now());
            loop {
                match messages.try_recv() {
                    Ok(Message::Stop) | Err(TryRecvError::Disconnected) => break 'serve,
                    Ok(message) => self.message(message, &poller),
                    Err(TryRecvError::Empty) => break,
                }
            }
            let timeout = self.timers.peek().map(|Reverse((at, _, _))| at.saturating_duration_since(Instant::now()));
            match self.take_datagrams(&poller, &mut events, &mut inbox, timeout) {
                Ok(Some(woke)) => self.pace(woke),
                Ok(None) => {}
                Err(error) => {
                    warn!(%error, "the shard's poller failed; its calls end");
                    break;
                }
            }
        }
        for slot in 0..self.slots.len() {
            self.end(slot as u32, &poller);
        }
    }

    /// Sleeps out the pause [`EngineConfig::pacing`] asks for after a
    /// wake at `woke` that took datagrams.
    fn pace(&self, woke: Instant) {
        let timer = self.timers.peek().map(|Reverse((at, _, _))| *at);
        if let Some(pause) = self.config.pacing.pause(woke, Instant::now(), timer) {
            std::thread::sleep(pause);
        }
    }

    /// Rounds of readable sockets, a datagram from each, the first
    /// waiting up to `timeout`; a later one only after a full round, up to
    /// [`ROUNDS_PER_TURN`]. When the first round found a socket (not only
    /// messages), the time it did.
    fn take_datagrams(
        &mut self,
        poller: &Poller,
        events: &mut Vec<epoll::Event>,
        inbox: &mut Inbox,
        timeout: Option<Duration>,
    ) -> std::io::Result<Option<Instant>> {
        let mut wait = timeout;
        let mut woke = None;
        for _ in 0..ROUNDS_PER_TURN {
            poller.wait(events, wait)?;
            wait = Some(Duration::ZERO);
            if !events.iter().any(|event| event.data.u64() != WAKE) {
                if !events.is_empty() {
                    // The messages are read at the top of the loop.
                    poller.clear_wake();
                }
                break;
            }
            let now = Instant::now();
            if woke.is_none() {
                woke = Some(now);
                // Counted before anything is sent: whoever sees a relayed
                // packet sees its wake counted.
                self.wakes.fetch_add(1, Ordering::Relaxed);
            }
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
            for event in events.iter() {
                let token: Token = event.data.u64();
                if token == WAKE {
                    poller.clear_wake();
                    continue;
                }
                let index = (token >> 32) as u32;
                let Some(Some(slot)) = self.slots.get_mut(index as usize) else { continue };
                slot.call.readable(token, inbox, now);
                rearm(&mut self.timers, index, slot);
            }
            if events.len() < events.capacity() {
                break;
            }
        }
        Ok(woke)
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
            // Taken by the loop before it gets here.
            Message::Stop => {}
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
