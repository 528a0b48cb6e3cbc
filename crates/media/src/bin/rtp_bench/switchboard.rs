//! Our relay as a backend: `media::shard` in this process, its shard
//! threads (`media-shard-N`) pinned to the relay's core, their CPU time
//! the relay's. A call is two PCMU legs bridged (the session relays them
//! on the fast path) or, for the mixer, the same plus a third leg with no
//! peer and everyone hearing everyone (the session mixes).

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use media::session::{Hearing, MediaPath, RtpLegSpec};
use media::shard::{CallHandle, EngineConfig, MediaEngine};

use super::backend::Backend;
use super::cpu;

/// The shard's thread names start so.
const SHARD_THREADS: &str = "media-shard-";

/// A running engine and the calls it carries.
#[derive(Debug)]
pub struct Switchboard {
    engine: MediaEngine,
    calls: Vec<Option<CallHandle>>,
    mixer: bool,
}

impl Switchboard {
    /// Starts the engine with `shards` threads on `ip`, ports `ports`,
    /// pinned to `cpu` if given, its wakes paced by `pacing` (the engine's
    /// default if `None`).
    pub fn start(
        ip: IpAddr,
        ports: (u16, u16),
        shards: usize,
        cpu: Option<usize>,
        pacing: Option<Duration>,
        mixer: bool,
    ) -> io::Result<Self> {
        // Each shard thread pins itself before it takes a call; pinning
        // it from here would race its naming (an unpinned shard shares
        // the generator's core, and costs a third as much per packet).
        let mut config =
            EngineConfig::new(ip, ports.0, ports.1).with_shards(shards).with_cores(cpu.into_iter().collect());
        if let Some(interval) = pacing {
            config = config.with_pacing(interval);
        }
        let engine = MediaEngine::start(config).map_err(io::Error::other)?;
        Ok(Self { engine, calls: Vec::new(), mixer })
    }
}

impl Backend for Switchboard {
    fn name(&self) -> &'static str {
        "switchboard"
    }

    async fn open(&mut self, call: usize, caller: SocketAddr, callee: SocketAddr) -> io::Result<[SocketAddr; 2]> {
        let mut handle = self.engine.open_call(&format!("bench-{call}"));
        let a = handle.add_rtp_leg(RtpLegSpec::pcmu(Some(caller))).await.map_err(io::Error::other)?;
        let b = handle.add_rtp_leg(RtpLegSpec::pcmu(Some(callee))).await.map_err(io::Error::other)?;
        let (hearing, want) = if self.mixer {
            let c = handle.add_rtp_leg(RtpLegSpec::pcmu(None)).await.map_err(io::Error::other)?;
            (Hearing::Barge { caller: a.id, agent: b.id, supervisor: c.id }, MediaPath::Mix)
        } else {
            (Hearing::Bridge { caller: a.id, agent: b.id }, MediaPath::Relay)
        };
        let path = handle.set_hearing(hearing).await.map_err(io::Error::other)?;
        if path != want {
            return Err(io::Error::other(format!("call {call} took the {path:?} path, not {want:?}")));
        }
        while handle.try_event().is_some() {}
        if self.calls.len() <= call {
            self.calls.resize_with(call + 1, || None);
        }
        self.calls[call] = Some(handle);
        Ok([a.local, b.local])
    }

    async fn close(&mut self, call: usize) -> io::Result<()> {
        match self.calls.get_mut(call).and_then(Option::take) {
            Some(handle) => handle.close().await.map_err(io::Error::other),
            None => Ok(()),
        }
    }

    fn cpu_ns(&self) -> io::Result<u64> {
        cpu::cpu_ns("self", SHARD_THREADS)
    }

    fn wakes(&self) -> Option<u64> {
        Some(self.engine.wakes().iter().sum())
    }
}
