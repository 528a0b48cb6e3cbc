//! The receiving half of a WebRTC leg: Opus packets in RTP time, decoded
//! into 20 ms frames at 16 kHz with lost packets concealed, and RFC 4733
//! telephone events reduced to one start and one end per key press.

use std::collections::VecDeque;
use std::time::Duration;

use crate::FRAME_SAMPLES;
use crate::opus::{Concealment, MAX_PACKET_SAMPLES, OpusDecoder, OpusError};

/// RTP ticks of Opus's 48 kHz clock (RFC 7587 §4.1) per 16 kHz sample.
pub(crate) const TICKS_PER_SAMPLE: u64 = 3;

/// RTP ticks in one 20 ms frame.
pub(crate) const TICKS_PER_FRAME: u64 = FRAME_SAMPLES as u64 * TICKS_PER_SAMPLE;

/// Decoded frames held for the caller at most (500 ms); when full, the
/// oldest is dropped: a caller that stopped reading must not grow memory.
pub const MAX_QUEUED_FRAMES: usize = 25;

/// Lost frames concealed at most for one gap (200 ms). A longer gap is a
/// pause of the sender (hold, muted tab), not loss: it is skipped.
const MAX_CONCEALED_GAP: u64 = 10;

/// How a received frame came to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FrameSource {
    /// Decoded from a packet that arrived.
    Decoded,
    /// Filled in for a packet that did not.
    Concealed(Concealment),
}

/// One 20 ms frame of the remote party's audio, 16 kHz mono.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedFrame {
    /// The samples.
    pub pcm: [i16; FRAME_SAMPLES],
    /// Whether they were decoded or concealed.
    pub source: FrameSource,
}

/// Counters of the receiving side.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceiveStats {
    /// Opus packets decoded.
    pub packets_decoded: u64,
    /// Frames concealed by PLC.
    pub frames_concealed_plc: u64,
    /// Frames recovered from the next packet's FEC.
    pub frames_concealed_fec: u64,
    /// Packets that came after a later one had been played (dropped).
    pub packets_late: u64,
    /// Packets that were not valid Opus (concealed as lost).
    pub packets_invalid: u64,
    /// Frames dropped because the caller did not take them in time.
    pub frames_overflowed: u64,
}

/// A telephone event's start or end, as the leg reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DtmfEdge {
    /// A new event began.
    Started {
        /// Its RFC 4733 code (0-9, `*` 10, `#` 11, A-D 12-15, …).
        event: u8,
    },
    /// The event ended.
    Ended {
        /// Its RFC 4733 code.
        event: u8,
        /// How long it lasted.
        duration: Duration,
    },
}

/// Where the telephone event in progress stands, by its RTP timestamp (all
/// packets of one event share it, RFC 4733 §2.5.1.2).
#[derive(Debug, Clone, Copy)]
enum DtmfState {
    /// No event seen yet.
    Idle,
    /// An event with this timestamp is going on.
    Active { time: u64 },
    /// The event with this timestamp has ended; its repeated end packets
    /// are ignored.
    Ended { time: u64 },
}

/// The receiving half of a leg.
pub(crate) struct Receiver {
    decoder: OpusDecoder,
    /// RTP time (48 kHz) the next packet should carry.
    expected: Option<u64>,
    scratch: [i16; MAX_PACKET_SAMPLES],
    /// Samples waiting to complete a frame (packets shorter than 20 ms).
    partial: [i16; FRAME_SAMPLES],
    partial_len: usize,
    frames: VecDeque<ReceivedFrame>,
    dtmf: DtmfState,
    stats: ReceiveStats,
}

impl Receiver {
    /// A receiver with its Opus decoder.
    pub(crate) fn new() -> Result<Self, OpusError> {
        Ok(Receiver {
            decoder: OpusDecoder::new()?,
            expected: None,
            scratch: [0; MAX_PACKET_SAMPLES],
            partial: [0; FRAME_SAMPLES],
            partial_len: 0,
            frames: VecDeque::with_capacity(MAX_QUEUED_FRAMES),
            dtmf: DtmfState::Idle,
            stats: ReceiveStats::default(),
        })
    }

    /// The counters so far.
    pub(crate) fn stats(&self) -> ReceiveStats {
        self.stats
    }

    /// The oldest decoded frame not yet taken.
    pub(crate) fn poll_frame(&mut self) -> Option<ReceivedFrame> {
        self.frames.pop_front()
    }

    /// Takes one Opus packet with RTP time `time` (48 kHz, extended to 64
    /// bits by str0m).
    pub(crate) fn on_audio(&mut self, time: u64, packet: &[u8]) {
        match self.expected {
            // Late by less than a concealable gap: already played around.
            Some(expected) if time < expected && expected - time <= MAX_CONCEALED_GAP * TICKS_PER_FRAME => {
                self.stats.packets_late += 1;
                return;
            }
            Some(expected) if time > expected => {
                let missing = (time - expected) / TICKS_PER_FRAME;
                if (1..=MAX_CONCEALED_GAP).contains(&missing) {
                    self.conceal_gap(missing, packet);
                }
            }
            // The first packet, one on time, or a jump back further than a
            // gap (the sender restarted its clock): play from here.
            _ => {}
        }
        match self.decoder.decode(packet, &mut self.scratch) {
            Ok(samples) => {
                self.stats.packets_decoded += 1;
                self.expected = Some(time + samples as u64 * TICKS_PER_SAMPLE);
                self.push_samples(samples, FrameSource::Decoded);
            }
            Err(_) => {
                self.stats.packets_invalid += 1;
                self.expected = Some(time + TICKS_PER_FRAME);
                self.conceal_one(None);
            }
        }
    }

    /// Conceals `missing` lost frames before `next`: by PLC, the last one
    /// from `next`'s FEC when it has some.
    fn conceal_gap(&mut self, missing: u64, next: &[u8]) {
        for k in 1..=missing {
            self.conceal_one((k == missing).then_some(next));
        }
    }

    fn conceal_one(&mut self, next: Option<&[u8]>) {
        let mut frame = [0i16; FRAME_SAMPLES];
        // A bad `next` cannot give FEC; fall back to PLC.
        let how = match self.decoder.conceal(next, &mut frame) {
            Ok(how) => how,
            Err(_) => match self.decoder.conceal(None, &mut frame) {
                Ok(how) => how,
                Err(_) => return,
            },
        };
        match how {
            Concealment::Fec => self.stats.frames_concealed_fec += 1,
            _ => self.stats.frames_concealed_plc += 1,
        }
        self.scratch[..FRAME_SAMPLES].copy_from_slice(&frame);
        self.push_samples(FRAME_SAMPLES, FrameSource::Concealed(how));
    }

    /// Cuts the first `samples` of `scratch` into frames, carrying a partial
    /// frame over to the next packet.
    fn push_samples(&mut self, samples: usize, source: FrameSource) {
        let mut taken = 0;
        while taken < samples {
            let n = (FRAME_SAMPLES - self.partial_len).min(samples - taken);
            self.partial[self.partial_len..self.partial_len + n].copy_from_slice(&self.scratch[taken..taken + n]);
            self.partial_len += n;
            taken += n;
            if self.partial_len == FRAME_SAMPLES {
                self.partial_len = 0;
                if self.frames.len() == MAX_QUEUED_FRAMES {
                    self.frames.pop_front();
                    self.stats.frames_overflowed += 1;
                }
                self.frames.push_back(ReceivedFrame { pcm: self.partial, source });
            }
        }
    }

    /// Takes one telephone-event report with RTP time `time`; gives the
    /// edges it makes (none for a repeated report).
    pub(crate) fn on_telephone_event(
        &mut self,
        time: u64,
        event: u8,
        end: bool,
        duration: Duration,
    ) -> [Option<DtmfEdge>; 2] {
        let new = match self.dtmf {
            DtmfState::Idle => true,
            // A report of an event older than the current one is late.
            DtmfState::Active { time: t } | DtmfState::Ended { time: t } if time < t => return [None, None],
            DtmfState::Active { time: t } | DtmfState::Ended { time: t } => t != time,
        };
        if !new && matches!(self.dtmf, DtmfState::Ended { .. }) {
            return [None, None];
        }
        let started = new.then_some(DtmfEdge::Started { event });
        if end {
            self.dtmf = DtmfState::Ended { time };
            [started, Some(DtmfEdge::Ended { event, duration })]
        } else {
            self.dtmf = DtmfState::Active { time };
            [started, None]
        }
    }
}
