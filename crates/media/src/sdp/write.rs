//! The writer: RFC 4566 §5's line order, CRLF line ends.

use std::fmt::{self, Display, Formatter, Write};

use super::{Bandwidth, Connection, Line, MediaDescription, SessionDescription};

impl Display for SessionDescription {
    /// The description as sent: `v=0`, `o=`, `s=`, `i=`/`u=`/`e=`/`p=`,
    /// `c=`, `b=`, `t=`/`r=`/`z=`, `k=`, `a=`, then each media section.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let o = &self.origin;
        f.write_str("v=0\r\n")?;
        write!(
            f,
            "o={} {} {} {} {} {}\r\n",
            o.username, o.session_id, o.session_version, o.net_type, o.addr_type, o.address
        )?;
        write!(f, "s={}\r\n", self.session_name)?;
        lines(f, &self.info)?;
        if let Some(c) = &self.connection {
            connection(f, c)?;
        }
        bandwidths(f, &self.bandwidths)?;
        lines(f, &self.timing)?;
        lines(f, &self.other)?;
        for a in &self.attributes {
            write!(f, "a={a}\r\n")?;
        }
        for m in &self.media {
            media(f, m)?;
        }
        Ok(())
    }
}

fn media(f: &mut Formatter<'_>, m: &MediaDescription) -> fmt::Result {
    write!(f, "m={} {}", m.kind, m.port)?;
    if let Some(count) = m.port_count {
        write!(f, "/{count}")?;
    }
    write!(f, " {}", m.proto)?;
    for format in &m.formats {
        f.write_char(' ')?;
        f.write_str(format)?;
    }
    f.write_str("\r\n")?;
    lines(f, &m.info)?;
    if let Some(c) = &m.connection {
        connection(f, c)?;
    }
    bandwidths(f, &m.bandwidths)?;
    lines(f, &m.other)?;
    for a in &m.attributes {
        write!(f, "a={a}\r\n")?;
    }
    Ok(())
}

fn lines(f: &mut Formatter<'_>, lines: &[Line]) -> fmt::Result {
    for line in lines {
        write!(f, "{}={}\r\n", line.kind, line.value)?;
    }
    Ok(())
}

fn connection(f: &mut Formatter<'_>, c: &Connection) -> fmt::Result {
    write!(f, "c={} {} {}\r\n", c.net_type, c.addr_type, c.address)
}

fn bandwidths(f: &mut Formatter<'_>, bandwidths: &[Bandwidth]) -> fmt::Result {
    for b in bandwidths {
        write!(f, "b={}:{}\r\n", b.kind, b.value)?;
    }
    Ok(())
}
