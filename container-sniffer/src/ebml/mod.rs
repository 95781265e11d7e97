//! EBML (WebM, Matroska): the EBML header, the Segment and its Info.

mod tracks;

use crate::bytes::array;
use crate::{config, Container, MediaInfo, Probe};

pub(crate) const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];
const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const VOID: u32 = 0xEC;
const CRC32: u32 = 0xBF;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const CLUSTER: u32 = 0x1F43_B675;

pub(crate) fn probe_ebml(head: &[u8], total: u64) -> Probe {
    // The EBML header must be complete, of known size, and name the DocType.
    let Ok(header) = element(head, 0) else {
        return Probe::NotVideo;
    };
    let header_end = header.size.and_then(|s| header.data.checked_add(usize::try_from(s).ok()?));
    let (Some(end), EBML) = (header_end, header.id) else {
        return Probe::NotVideo;
    };
    let Some(body) = head.get(header.data..end) else {
        return Probe::NotVideo;
    };
    let doc_type = Children(body).find(|c| c.id == DOC_TYPE && c.complete).map(|c| string(c.data));
    let container = match doc_type {
        Some(b"webm") => Container::WebM,
        Some(b"matroska") => Container::Matroska,
        _ => return Probe::NotVideo,
    };

    // Then the Segment, perhaps after Void or CRC-32 elements.
    let mut pos = end;
    loop {
        match element(head, pos) {
            Ok(el) if el.id == SEGMENT => {
                let data = head.get(el.data..).unwrap_or_default();
                let data = match el.size.and_then(|s| usize::try_from(s).ok()) {
                    Some(s) => data.get(..s).unwrap_or(data),
                    None => data, // unknown size: to the end of what we have
                };
                return Probe::Video { container, info: segment_info(data) };
            }
            Ok(el) if el.id == VOID || el.id == CRC32 => {
                let next = el.size.and_then(|s| el.data.checked_add(usize::try_from(s).ok()?));
                match next {
                    Some(next) => pos = next, // > pos: the ID and size take 2+ bytes
                    None => return Probe::NotVideo,
                }
            }
            // Cut off by the end of `head`: fine unless `head` is the whole object.
            Err(Short) if (head.len() as u64) < total => {
                return Probe::Video { container, info: MediaInfo::default() };
            }
            _ => return Probe::NotVideo,
        }
    }
}

/// What the Segment's Info and Tracks say, as far as `seg` holds them.
fn segment_info(seg: &[u8]) -> MediaInfo {
    let mut info = MediaInfo::default();
    let mut vp9_track = None; // a VP9 track of unknown bit depth
    for child in Children(seg) {
        match child.id {
            INFO => info.duration_seconds = ebml_duration(child.data),
            TRACKS => vp9_track = tracks::read(child.data, &mut info),
            CLUSTER => {
                // Media data: Info and Tracks come before it. Its first VP9
                // frame, a key frame, gives the bit depth.
                if let Some(track) = vp9_track {
                    info.bit_depth = tracks::first_frame(child.data, track).and_then(config::vp9_frame);
                }
                break;
            }
            _ => {}
        }
    }
    info
}

fn ebml_duration(info: &[u8]) -> Option<f64> {
    let mut scale = 1_000_000; // nanoseconds per tick, the default
    let mut duration = None;
    for c in Children(info).filter(|c| c.complete) {
        match c.id {
            TIMECODE_SCALE => scale = uint(c.data).unwrap_or(scale),
            DURATION => duration = float(c.data),
            _ => {}
        }
    }
    let secs = duration? * scale as f64 / 1e9;
    (secs.is_finite() && secs > 0.0).then_some(secs)
}

/// Why an EBML element could not be read.
#[derive(Debug, PartialEq)]
enum EbmlError {
    /// The buffer ends inside the element's ID or size.
    Short,
    /// Not a valid ID or size.
    Bad,
}
use EbmlError::{Bad, Short};

/// An element's ID, where its data starts, and its data size (`None`: unknown).
struct Element {
    id: u32,
    data: usize,
    size: Option<u64>,
}

/// A variable-length integer at `pos`: (value without its length marker, length).
fn vint(buf: &[u8], pos: usize) -> Result<(u64, usize), EbmlError> {
    let first = *buf.get(pos).ok_or(Short)?;
    if first == 0 {
        return Err(Bad); // longer than 8 bytes
    }
    let len = first.leading_zeros() as usize + 1;
    let bytes = buf.get(pos..pos.checked_add(len).ok_or(Bad)?).ok_or(Short)?;
    let value = bytes.iter().skip(1).fold(u64::from(first) & (0xFF >> len), |v, &b| v << 8 | u64::from(b));
    Ok((value, len))
}

/// The element header at `pos`.
fn element(buf: &[u8], pos: usize) -> Result<Element, EbmlError> {
    let (_, id_len) = vint(buf, pos)?;
    if id_len > 4 {
        return Err(Bad);
    }
    let id_end = pos.checked_add(id_len).ok_or(Bad)?;
    let id = buf.get(pos..id_end).ok_or(Short)?.iter().fold(0, |v, &b| v << 8 | u32::from(b));
    let (size, size_len) = vint(buf, id_end)?;
    let unknown = size == (1u64 << (7 * size_len)) - 1; // all ones
    Ok(Element { id, data: id_end.checked_add(size_len).ok_or(Bad)?, size: (!unknown).then_some(size) })
}

/// A child element: its data is clipped to the parent's; `complete` says it was not clipped.
struct Child<'a> {
    id: u32,
    data: &'a [u8],
    complete: bool,
}

/// The child elements in a buffer; stops after one that is invalid, of
/// unknown size or cut off (the next one's position is then unknown).
struct Children<'a>(&'a [u8]);

impl<'a> Iterator for Children<'a> {
    type Item = Child<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        let buf = std::mem::take(&mut self.0); // left empty unless the element is complete
        let el = element(buf, 0).ok()?;
        let rest = buf.get(el.data..)?;
        match el.size.and_then(|s| usize::try_from(s).ok()) {
            Some(size) if size <= rest.len() => {
                self.0 = rest.get(size..)?;
                Some(Child { id: el.id, data: rest.get(..size)?, complete: true })
            }
            _ => Some(Child { id: el.id, data: rest, complete: false }),
        }
    }
}

/// A string element's value: strings may be padded with zeros.
fn string(data: &[u8]) -> &[u8] {
    data.split(|&b| b == 0).next().unwrap_or_default()
}

fn uint(data: &[u8]) -> Option<u64> {
    (data.len() <= 8).then(|| data.iter().fold(0, |v, &b| v << 8 | u64::from(b)))
}

fn float(data: &[u8]) -> Option<f64> {
    match data.len() {
        4 => Some(f64::from(f32::from_be_bytes(array(data, 0)?))),
        8 => Some(f64::from_be_bytes(array(data, 0)?)),
        _ => None,
    }
}
