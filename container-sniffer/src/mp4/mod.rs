//! ISO BMFF (MP4, QuickTime) boxes: the top-level walk, `moov`, `mvhd`, `mvex`.

mod sample_entry;
mod trak;

use crate::bytes::{array, be_u32, be_u64, slice};
use crate::{AudioCodec, Container, MediaInfo, Probe, MAX_MOOV_BYTES};
use sample_entry::VisualEntry;
use trak::Trak;

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

/// [`crate::parse_moov`]: the first complete `moov` among the buffer's boxes.
pub(crate) fn parse_moov(moov: &[u8]) -> Option<MediaInfo> {
    let (_, moov) = Boxes(moov).find(|(kind, _)| kind == b"moov")?;
    let mut mvhd = None;
    let mut fragment_duration = None;
    let mut sized = None; // the first trak with a frame size: the video
    let mut first_video = None; // else the first `vide` one
    let mut audio = None;
    for (kind, body) in Boxes(moov) {
        match &kind {
            b"mvhd" if mvhd.is_none() => mvhd = Some(parse_mvhd(body)?),
            b"trak" => {
                let trak = Trak::parse(body);
                if sized.is_none() && trak.video_size().is_some() {
                    sized = Some(trak);
                }
                match trak.handler.as_ref() {
                    Some(b"vide") if first_video.is_none() => first_video = Some(trak),
                    Some(b"soun") if audio.is_none() => audio = Some(trak),
                    _ => {}
                }
            }
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
    let mut info = MediaInfo { duration_seconds: duration, ..MediaInfo::default() };
    if let Some(video) = sized.or(first_video) {
        let size = video.video_size();
        (info.width, info.height) = (size.map(|(w, _)| w), size.map(|(_, h)| h));
        let entry = video.entry.map_or(VisualEntry::UNKNOWN, |(fourcc, body)| sample_entry::visual(fourcc, body));
        info.video_codec = Some(entry.codec);
        info.bit_depth = entry.bit_depth;
        info.transfer = entry.transfer;
        info.frame_rate = video.frame_rate;
    }
    info.audio_codec =
        audio.map(|a| a.entry.map_or(AudioCodec::Other([0; 4]), |(fourcc, body)| sample_entry::audio(fourcc, body)));
    Some(info)
}
