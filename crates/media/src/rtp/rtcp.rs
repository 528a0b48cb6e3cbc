//! RTCP for one leg over `rtcp-types`: the compound report we send (SR or
//! RR, SDES CNAME, BYE when closing) and what we read from the peer's
//! (RFC 3550 §6.4; RTT per §6.4.1).

use std::time::Duration;

use rtcp_types::{
    Bye, Compound, CompoundBuilder, Packet, ReceiverReport, ReportBlock, RtcpPacketWriter, RtcpPacketWriterExt, Sdes,
    SdesChunk, SdesItem, SenderReport,
};

use super::PacketError;

/// The middle 32 bits of a 64-bit NTP timestamp (16.16 seconds), as SR's
/// LSR and RTT arithmetic use them.
pub(crate) fn ntp_middle(ntp: u64) -> u32 {
    (ntp >> 16) as u32
}

/// A duration as 32.32 NTP fixed point.
pub(crate) fn ntp_duration(d: Duration) -> u64 {
    (d.as_secs() << 32).wrapping_add((u64::from(d.subsec_nanos()) << 32) / 1_000_000_000)
}

/// A 16.16 fixed-point count of seconds as a duration.
pub(crate) fn from_q16(units: u32) -> Duration {
    Duration::from_nanos((u64::from(units) * 1_000_000_000) >> 16)
}

/// A duration as 16.16 fixed-point seconds (saturating).
pub(crate) fn to_q16(d: Duration) -> u32 {
    u32::try_from(ntp_duration(d) >> 16).unwrap_or(u32::MAX)
}

/// Our sender information for an SR.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SenderInfo {
    pub(crate) ntp: u64,
    pub(crate) rtp_timestamp: u32,
    pub(crate) packets: u32,
    pub(crate) octets: u32,
}

/// One report block we send about the peer's source.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Block {
    pub(crate) ssrc: u32,
    pub(crate) fraction_lost: u8,
    pub(crate) cumulative_lost: i64,
    pub(crate) highest_sequence: u32,
    pub(crate) jitter: u32,
    pub(crate) last_sr: u32,
    pub(crate) delay_since_last_sr: u32,
}

/// Cumulative lost as RFC 3550's signed 24-bit field (clamped).
fn lost_24(lost: i64) -> u32 {
    (lost.clamp(-0x80_0000, 0x7f_ffff) as i32 as u32) & 0xff_ffff
}

/// Reads the 24-bit field back as a signed count.
fn signed_24(field: u32) -> i32 {
    ((field << 8) as i32) >> 8
}

/// Everything one report we send holds.
#[derive(Debug, Clone)]
pub(crate) struct Report<'a> {
    pub(crate) ssrc: u32,
    pub(crate) sender: Option<SenderInfo>,
    pub(crate) block: Option<Block>,
    pub(crate) cname: &'a str,
    pub(crate) bye: bool,
}

impl Report<'_> {
    /// The compound packet: SR or RR first, then SDES, then BYE.
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let block = self.block.map(|b| {
            ReportBlock::builder(b.ssrc)
                .fraction_lost(b.fraction_lost)
                .cumulative_lost(lost_24(b.cumulative_lost))
                .extended_sequence_number(b.highest_sequence)
                .interarrival_jitter(b.jitter)
                .last_sender_report_timestamp(b.last_sr)
                .delay_since_last_sender_report_timestamp(b.delay_since_last_sr)
        });
        let mut compound: CompoundBuilder<'_> = Compound::builder();
        compound = match self.sender {
            Some(s) => {
                let mut sr = SenderReport::builder(self.ssrc)
                    .ntp_timestamp(s.ntp)
                    .rtp_timestamp(s.rtp_timestamp)
                    .packet_count(s.packets)
                    .octet_count(s.octets);
                if let Some(b) = block {
                    sr = sr.add_report_block(b);
                }
                compound.add_packet(sr)
            }
            None => {
                let mut rr = ReceiverReport::builder(self.ssrc);
                if let Some(b) = block {
                    rr = rr.add_report_block(b);
                }
                compound.add_packet(rr)
            }
        };
        let chunk = SdesChunk::builder(self.ssrc).add_item(SdesItem::builder(SdesItem::CNAME, self.cname));
        compound = compound.add_packet(Sdes::builder().add_chunk(chunk));
        if self.bye {
            compound = compound.add_packet(Bye::builder().add_source(self.ssrc));
        }
        let size = compound.calculate_size().unwrap_or(0);
        let mut out = vec![0; size];
        // Our own packets are always valid (the CNAME is capped at 255 bytes
        // by the caller); an error would leave an empty datagram, not a panic.
        let written = compound.write_into(&mut out).unwrap_or(0);
        out.truncate(written);
        out
    }
}

/// A report block about one of our sources, as the peer sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ReceivedBlock {
    pub(crate) fraction_lost: u8,
    pub(crate) cumulative_lost: i32,
    pub(crate) highest_sequence: u32,
    pub(crate) jitter: u32,
    pub(crate) last_sr: u32,
    pub(crate) delay_since_last_sr: u32,
}

/// One thing found in the peer's compound packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Finding {
    /// An SR from `ssrc` with this NTP timestamp.
    SenderReport { ssrc: u32, ntp: u64 },
    /// A report block about `our_ssrc`.
    Block(ReceivedBlock),
    /// A BYE for the peer's source, with its reason.
    Bye { reason: Option<String> },
}

fn block_of(b: &ReportBlock<'_>) -> ReceivedBlock {
    ReceivedBlock {
        fraction_lost: b.fraction_lost(),
        cumulative_lost: signed_24(b.cumulative_lost()),
        highest_sequence: b.extended_sequence_number(),
        jitter: b.interarrival_jitter(),
        last_sr: b.last_sender_report_timestamp(),
        delay_since_last_sr: b.delay_since_last_sender_report_timestamp(),
    }
}

/// Parses a compound RTCP packet and calls `found` for every SR, report
/// block about `our_ssrc` and BYE of `remote_ssrc` (any BYE while the
/// peer's SSRC is unknown) in it, in order. Packets before a malformed one
/// are reported; the error is returned after them.
pub(crate) fn read_compound(
    bytes: &[u8],
    our_ssrc: u32,
    remote_ssrc: Option<u32>,
    mut found: impl FnMut(Finding),
) -> Result<(), PacketError> {
    let compound = Compound::parse(bytes).map_err(|e| PacketError::Rtcp(e.to_string()))?;
    for packet in compound {
        let packet = packet.map_err(|e| PacketError::Rtcp(e.to_string()))?;
        match &packet {
            Packet::Sr(sr) => {
                found(Finding::SenderReport { ssrc: sr.ssrc(), ntp: sr.ntp_timestamp() });
                sr.report_blocks().filter(|b| b.ssrc() == our_ssrc).for_each(|b| found(Finding::Block(block_of(&b))));
            }
            Packet::Rr(rr) => {
                rr.report_blocks().filter(|b| b.ssrc() == our_ssrc).for_each(|b| found(Finding::Block(block_of(&b))));
            }
            Packet::Bye(bye) if remote_ssrc.is_none_or(|r| bye.ssrcs().any(|s| s == r)) => {
                let reason = bye.reason().map(|r| String::from_utf8_lossy(r).into_owned());
                found(Finding::Bye { reason });
            }
            _ => {}
        }
    }
    Ok(())
}
