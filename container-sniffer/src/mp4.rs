//! ISO BMFF (MP4, QuickTime) boxes: the top-level walk, `moov`, `mvhd`, `trak`/`tkhd`.

use crate::bytes::{array, be_u32, be_u64, slice};
use crate::{Container, MediaInfo, Probe, MAX_MOOV_BYTES};

/// Walks the top-level boxes: `ftyp` first, then up to the `moov`.
pub(crate) fn probe_mp4(head: &[u8], total: u64) -> Probe {
    let mut container = None;
    let mut offset: u64 = 0;
    loop {
        // Invariant: offset <= total.
        let remaining = total.saturating_sub(offset);
        if remaining == 0 {
            return Probe::NotVideo; // the whole object, and no moov
        }
        let Some(header) = box_header(head, offset) else {
            // The next header lies beyond `head`: most likely the moov of a
            // file written without faststart, after its mdat.
            return match container {
                Some(container) if remaining >= 8 => {
                    Probe::NeedMoov { container, offset, length: remaining.min(MAX_MOOV_BYTES) }
                }
                _ => Probe::NotVideo,
            };
        };
        let size = header.size.unwrap_or(remaining);
        if size < header.len || size > remaining {
            return Probe::NotVideo; // malformed, or runs past the end of the object
        }
        match container {
            None => {
                // The first box: `ftyp` with at least its major brand and minor version.
                if &header.kind != b"ftyp" || size < header.len + 8 {
                    return Probe::NotVideo;
                }
                let Some(brand) = usize::try_from(header.len).ok().and_then(|at| array::<4>(head, at)) else {
                    return Probe::NotVideo;
                };
                container = Some(if &brand == b"qt  " { Container::QuickTime } else { Container::Mp4 });
            }
            Some(container) => {
                if !header.kind.iter().all(|&b| b.is_ascii_graphic() || b == b' ' || b == 0xA9) {
                    return Probe::NotVideo; // box types are printable four-character codes
                }
                if &header.kind == b"moov" {
                    if size > MAX_MOOV_BYTES {
                        return Probe::Video { container, info: MediaInfo::default() };
                    }
                    // offset + size <= total: no overflow.
                    return match slice(head, offset, offset + size) {
                        Some(moov) => match parse_moov(moov) {
                            Some(info) => Probe::Video { container, info },
                            None => Probe::NotVideo,
                        },
                        None => Probe::NeedMoov { container, offset, length: size },
                    };
                }
            }
        }
        offset += size; // <= total, as size <= remaining
    }
}

/// A box header: type, header length, and total size (`None`: to the end).
struct BoxHeader {
    kind: [u8; 4],
    len: u64,
    size: Option<u64>,
}

/// The box header at `pos`, or `None` when it is not entirely inside `buf`.
fn box_header(buf: &[u8], pos: u64) -> Option<BoxHeader> {
    let pos = usize::try_from(pos).ok()?;
    let kind = array::<4>(buf, pos.checked_add(4)?)?;
    Some(match be_u32(buf, pos)? {
        0 => BoxHeader { kind, len: 8, size: None },
        1 => BoxHeader { kind, len: 16, size: Some(be_u64(buf, pos.checked_add(8)?)?) },
        n => BoxHeader { kind, len: 8, size: Some(u64::from(n)) },
    })
}

/// The complete boxes of a buffer as (type, body); stops at the first one
/// that is malformed or cut off.
struct Boxes<'a>(&'a [u8]);

impl<'a> Iterator for Boxes<'a> {
    type Item = ([u8; 4], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        let buf = std::mem::take(&mut self.0); // left empty unless a box is read
        let header = box_header(buf, 0)?;
        let size = header.size.unwrap_or(buf.len() as u64);
        if size < header.len {
            return None;
        }
        let body = slice(buf, header.len, size)?;
        self.0 = buf.get(usize::try_from(size).ok()?..)?;
        Some((header.kind, body))
    }
}

/// `mvhd` → (timescale, duration); `u64::MAX` stands for "unknown".
fn parse_mvhd(b: &[u8]) -> Option<(u32, u64)> {
    match *b.first()? {
        0 => {
            let d = be_u32(b, 16)?;
            Some((be_u32(b, 12)?, if d == u32::MAX { u64::MAX } else { u64::from(d) }))
        }
        1 => Some((be_u32(b, 20)?, be_u64(b, 24)?)),
        _ => None,
    }
}

fn seconds(duration: u64, timescale: u32) -> Option<f64> {
    (timescale != 0 && duration != 0 && duration != u64::MAX).then(|| duration as f64 / f64::from(timescale))
}

/// Width and height of a video `trak` from its `tkhd`; `None` for other tracks.
fn trak_video_size(trak: &[u8]) -> Option<(u32, u32)> {
    let mut size = None;
    let mut handler = None;
    for (kind, body) in Boxes(trak) {
        match &kind {
            b"tkhd" => size = tkhd_size(body),
            b"mdia" => {
                handler = Boxes(body).find(|(k, _)| k == b"hdlr").and_then(|(_, hdlr)| array::<4>(hdlr, 8));
            }
            _ => {}
        }
    }
    // Audio tracks have zero width; subtitle tracks may not, hence the handler.
    match handler {
        Some(h) if &h != b"vide" => None,
        _ => size,
    }
}

/// `tkhd` width and height (16.16 fixed point, integer part); `None` if zero.
fn tkhd_size(b: &[u8]) -> Option<(u32, u32)> {
    let at = match *b.first()? {
        0 => 76,
        1 => 88,
        _ => return None,
    };
    let (w, h) = (be_u32(b, at)? >> 16, be_u32(b, at + 4)? >> 16);
    (w > 0 && h > 0).then_some((w, h))
}

/// [`crate::parse_moov`]: the first complete `moov` among the buffer's boxes.
pub(crate) fn parse_moov(moov: &[u8]) -> Option<MediaInfo> {
    let (_, moov) = Boxes(moov).find(|(kind, _)| kind == b"moov")?;
    let mut mvhd = None;
    let mut fragment_duration = None;
    let mut size = None;
    for (kind, body) in Boxes(moov) {
        match &kind {
            b"mvhd" if mvhd.is_none() => mvhd = Some(parse_mvhd(body)?),
            b"trak" if size.is_none() => size = trak_video_size(body),
            b"mvex" => {
                // Fragmented files leave mvhd's duration at 0 and put it in mvex/mehd.
                if let Some((_, mehd)) = Boxes(body).find(|(k, _)| k == b"mehd") {
                    fragment_duration = match mehd.first() {
                        Some(0) => be_u32(mehd, 4).map(u64::from),
                        Some(1) => be_u64(mehd, 4),
                        _ => None,
                    };
                }
            }
            _ => {}
        }
    }
    let (timescale, duration) = mvhd?;
    let duration = seconds(duration, timescale).or_else(|| seconds(fragment_duration?, timescale));
    Some(MediaInfo { duration_seconds: duration, width: size.map(|(w, _)| w), height: size.map(|(_, h)| h) })
}
