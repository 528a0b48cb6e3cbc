//! Reading SIP from any byte stream (a TCP connection, a TLS session):
//! bytes are framed with [`StreamFramer`] and each message or keep-alive
//! ping is handed over a bounded channel; the shells for TCP and TLS (and
//! any later edge) share it.
//!
//! Overload policy: a full channel makes the reader wait, which stops
//! reading the socket (TCP backpressure). A stream that sends nothing for
//! the idle timeout is given up; any bytes count as traffic, RFC 5626
//! CRLF keep-alives included. The idle clock does not run while the reader
//! waits on a full channel.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::mpsc;

use crate::message::{Frame, Message, StreamFramer};

/// What a stream carried, in order.
#[derive(Debug)]
#[non_exhaustive]
pub enum StreamItem {
    /// One SIP message.
    Message(Message),
    /// A CRLFCRLF keep-alive ping (RFC 5626 §3.5.1): answer with a CRLF pong.
    Ping,
}

/// Why [`read_stream`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StreamEnd {
    /// The peer closed the stream.
    Closed,
    /// Reading failed (reset, TLS error).
    Failed,
    /// Nothing was received for the idle timeout.
    Idle,
    /// The bytes could no longer be framed (no head end, bad Content-Length).
    Unframeable,
    /// The receiving side of the channel is gone.
    ReceiverGone,
}

/// Reads `read` until it ends, handing each item to `tx` as `wrap(item)`.
/// A well-delimited invalid message is skipped; once the framer fails the
/// stream is given up. Returns at once when the receiver is dropped, even
/// while waiting for bytes.
pub async fn read_stream<R, T>(
    read: &mut R,
    framer: &mut StreamFramer,
    idle_timeout: Duration,
    tx: &mpsc::Sender<T>,
    wrap: impl Fn(StreamItem) -> T,
) -> StreamEnd
where
    R: AsyncRead + Unpin,
{
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = tokio::select! {
            () = tx.closed() => return StreamEnd::ReceiverGone,
            read = tokio::time::timeout(idle_timeout, read.read(&mut buf)) => match read {
                Err(_) => return StreamEnd::Idle,
                Ok(Ok(0)) => return StreamEnd::Closed,
                Ok(Err(_)) => return StreamEnd::Failed,
                Ok(Ok(n)) => n,
            },
        };
        framer.push(&buf[..n]);
        while let Some(frame) = framer.poll() {
            let item = match frame {
                Ok(Frame::Message(message)) => StreamItem::Message(message),
                Ok(Frame::Ping) => StreamItem::Ping,
                Ok(Frame::Pong) => continue,
                Err(_) if framer.is_failed() => return StreamEnd::Unframeable,
                Err(_) => continue,
            };
            if tx.send(wrap(item)).await.is_err() {
                return StreamEnd::ReceiverGone;
            }
        }
    }
}
