//! Container sniffing for `POST /videos/{id}/complete`.
//!
//! The route never downloads a whole video: it HEADs the object, reads the
//! first [`SNIFF_BYTES`] with a ranged GET and calls [`probe`]. An MP4/MOV
//! written without `+faststart` keeps its `moov` box after the media data;
//! then [`probe`] answers [`Probe::NeedMoov`] and the caller reads that range
//! and calls [`parse_moov`].
//!
//! Untrusted input: every read is bounds-checked, all arithmetic is checked,
//! nothing is allocated, and every loop advances through a finite buffer, so
//! no input panics, overflows or loops without end.

/// Bytes the caller reads first with a ranged GET (`bytes=0-{SNIFF_BYTES-1}`).
pub const SNIFF_BYTES: u64 = 64 * 1024;
/// Largest `moov` box the caller will fetch with a second ranged GET.
pub const MAX_MOOV_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Container {
    Mp4,
    QuickTime,
    WebM,
    Matroska,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaInfo {
    pub duration_seconds: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// A video; info holds whatever could be read from the bytes given.
    Video {
        container: Container,
        info: MediaInfo,
    },
    /// An MP4/MOV whose `moov` box lies beyond the bytes given: read `length` bytes at `offset`, then call `parse_moov`.
    ///
    /// When the header of the box at `offset` was itself beyond the bytes
    /// given, its type and size are unknown: `length` is then everything up
    /// to the end of the object (at most [`MAX_MOOV_BYTES`]), and
    /// [`parse_moov`] looks for the `moov` among the boxes that range holds.
    NeedMoov {
        container: Container,
        offset: u64,
        length: u64,
    },
    /// Not a video we accept (or a truncated/corrupt header).
    NotVideo,
}

/// `head` is the first bytes of the object (up to SNIFF_BYTES), `total_size` the object's size from HEAD.
pub fn probe(head: &[u8], total_size: u64) -> Probe {
    // Bytes past the object's size cannot belong to it.
    let head = usize::try_from(total_size)
        .ok()
        .and_then(|n| head.get(..n))
        .unwrap_or(head);
    if head.starts_with(&EBML_MAGIC) {
        probe_ebml(head, total_size)
    } else if head.get(4..8) == Some(b"ftyp") {
        probe_mp4(head, total_size)
    } else {
        Probe::NotVideo
    }
}

/// Parses a complete `moov` box (header included) into MediaInfo; None if it is not a valid moov.
///
/// The buffer may also start with other top-level boxes (they are skipped)
/// and end with trailing bytes, as a [`Probe::NeedMoov`] range can. `None`
/// when it holds no complete `moov`, or one without a readable `mvhd`.
pub fn parse_moov(moov: &[u8]) -> Option<MediaInfo> {
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
    Some(MediaInfo {
        duration_seconds: duration,
        width: size.map(|(w, _)| w),
        height: size.map(|(_, h)| h),
    })
}

// ---------------------------------------------------------------- MP4 / MOV

/// Walks the top-level boxes: `ftyp` first, then up to the `moov`.
fn probe_mp4(head: &[u8], total: u64) -> Probe {
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
                Some(container) if remaining >= 8 => Probe::NeedMoov {
                    container,
                    offset,
                    length: remaining.min(MAX_MOOV_BYTES),
                },
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
                let Some(brand) = usize::try_from(header.len)
                    .ok()
                    .and_then(|at| array::<4>(head, at))
                else {
                    return Probe::NotVideo;
                };
                container = Some(if &brand == b"qt  " {
                    Container::QuickTime
                } else {
                    Container::Mp4
                });
            }
            Some(container) => {
                if !header
                    .kind
                    .iter()
                    .all(|&b| b.is_ascii_graphic() || b == b' ' || b == 0xA9)
                {
                    return Probe::NotVideo; // box types are printable four-character codes
                }
                if &header.kind == b"moov" {
                    if size > MAX_MOOV_BYTES {
                        return Probe::Video {
                            container,
                            info: MediaInfo::default(),
                        };
                    }
                    // offset + size <= total: no overflow.
                    return match slice(head, offset, offset + size) {
                        Some(moov) => match parse_moov(moov) {
                            Some(info) => Probe::Video { container, info },
                            None => Probe::NotVideo,
                        },
                        None => Probe::NeedMoov {
                            container,
                            offset,
                            length: size,
                        },
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
        0 => BoxHeader {
            kind,
            len: 8,
            size: None,
        },
        1 => BoxHeader {
            kind,
            len: 16,
            size: Some(be_u64(buf, pos.checked_add(8)?)?),
        },
        n => BoxHeader {
            kind,
            len: 8,
            size: Some(u64::from(n)),
        },
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
            Some((
                be_u32(b, 12)?,
                if d == u32::MAX {
                    u64::MAX
                } else {
                    u64::from(d)
                },
            ))
        }
        1 => Some((be_u32(b, 20)?, be_u64(b, 24)?)),
        _ => None,
    }
}

fn seconds(duration: u64, timescale: u32) -> Option<f64> {
    (timescale != 0 && duration != 0 && duration != u64::MAX)
        .then(|| duration as f64 / f64::from(timescale))
}

/// Width and height of a video `trak` from its `tkhd`; `None` for other tracks.
fn trak_video_size(trak: &[u8]) -> Option<(u32, u32)> {
    let mut size = None;
    let mut handler = None;
    for (kind, body) in Boxes(trak) {
        match &kind {
            b"tkhd" => size = tkhd_size(body),
            b"mdia" => {
                handler = Boxes(body)
                    .find(|(k, _)| k == b"hdlr")
                    .and_then(|(_, hdlr)| array::<4>(hdlr, 8));
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

// ------------------------------------------------------- WebM / Matroska

const EBML_MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];
const EBML: u32 = 0x1A45_DFA3;
const DOC_TYPE: u32 = 0x4282;
const VOID: u32 = 0xEC;
const CRC32: u32 = 0xBF;
const SEGMENT: u32 = 0x1853_8067;
const INFO: u32 = 0x1549_A966;
const TIMECODE_SCALE: u32 = 0x2A_D7B1;
const DURATION: u32 = 0x4489;
const TRACKS: u32 = 0x1654_AE6B;
const TRACK_ENTRY: u32 = 0xAE;
const TRACK_TYPE: u32 = 0x83;
const VIDEO: u32 = 0xE0;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const CLUSTER: u32 = 0x1F43_B675;

fn probe_ebml(head: &[u8], total: u64) -> Probe {
    // The EBML header must be complete, of known size, and name the DocType.
    let Ok(header) = element(head, 0) else {
        return Probe::NotVideo;
    };
    let header_end = header
        .size
        .and_then(|s| header.data.checked_add(usize::try_from(s).ok()?));
    let (Some(end), EBML) = (header_end, header.id) else {
        return Probe::NotVideo;
    };
    let Some(body) = head.get(header.data..end) else {
        return Probe::NotVideo;
    };
    let doc_type = Children(body)
        .find(|c| c.id == DOC_TYPE && c.complete)
        .and_then(|c| c.data.split(|&b| b == 0).next()); // strings may be 0-padded
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
                return Probe::Video {
                    container,
                    info: segment_info(data),
                };
            }
            Ok(el) if el.id == VOID || el.id == CRC32 => {
                let next = el
                    .size
                    .and_then(|s| el.data.checked_add(usize::try_from(s).ok()?));
                match next {
                    Some(next) => pos = next, // > pos: the ID and size take 2+ bytes
                    None => return Probe::NotVideo,
                }
            }
            // Cut off by the end of `head`: fine unless `head` is the whole object.
            Err(Short) if (head.len() as u64) < total => {
                return Probe::Video {
                    container,
                    info: MediaInfo::default(),
                };
            }
            _ => return Probe::NotVideo,
        }
    }
}

/// Duration and frame size from the Segment's Info and Tracks, as far as `seg` holds them.
fn segment_info(seg: &[u8]) -> MediaInfo {
    let mut info = MediaInfo::default();
    for child in Children(seg) {
        match child.id {
            INFO => info.duration_seconds = ebml_duration(child.data),
            TRACKS => {
                let size = Children(child.data)
                    .filter(|c| c.id == TRACK_ENTRY)
                    .find_map(|entry| ebml_video_size(entry.data));
                if let Some((w, h)) = size {
                    info.width = Some(w);
                    info.height = Some(h);
                }
            }
            CLUSTER => break, // media data: Info and Tracks come before it
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

fn ebml_video_size(entry: &[u8]) -> Option<(u32, u32)> {
    let mut video = None;
    for c in Children(entry) {
        match c.id {
            TRACK_TYPE if c.complete && uint(c.data) != Some(1) => return None, // 1 = video
            VIDEO => video = Some(c.data),
            _ => {}
        }
    }
    let (mut w, mut h) = (0, 0);
    for c in Children(video?).filter(|c| c.complete) {
        match c.id {
            PIXEL_WIDTH => w = uint(c.data)?,
            PIXEL_HEIGHT => h = uint(c.data)?,
            _ => {}
        }
    }
    let (w, h) = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
    (w > 0 && h > 0).then_some((w, h))
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
    let bytes = buf
        .get(pos..pos.checked_add(len).ok_or(Bad)?)
        .ok_or(Short)?;
    let value = bytes
        .iter()
        .skip(1)
        .fold(u64::from(first) & (0xFF >> len), |v, &b| {
            v << 8 | u64::from(b)
        });
    Ok((value, len))
}

/// The element header at `pos`.
fn element(buf: &[u8], pos: usize) -> Result<Element, EbmlError> {
    let (_, id_len) = vint(buf, pos)?;
    if id_len > 4 {
        return Err(Bad);
    }
    let id_end = pos.checked_add(id_len).ok_or(Bad)?;
    let id = buf
        .get(pos..id_end)
        .ok_or(Short)?
        .iter()
        .fold(0, |v, &b| v << 8 | u32::from(b));
    let (size, size_len) = vint(buf, id_end)?;
    let unknown = size == (1u64 << (7 * size_len)) - 1; // all ones
    Ok(Element {
        id,
        data: id_end.checked_add(size_len).ok_or(Bad)?,
        size: (!unknown).then_some(size),
    })
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
                Some(Child {
                    id: el.id,
                    data: rest.get(..size)?,
                    complete: true,
                })
            }
            _ => Some(Child {
                id: el.id,
                data: rest,
                complete: false,
            }),
        }
    }
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

// ------------------------------------------------------------------ bytes

fn array<const N: usize>(buf: &[u8], pos: usize) -> Option<[u8; N]> {
    buf.get(pos..pos.checked_add(N)?)?.try_into().ok()
}

fn be_u32(buf: &[u8], pos: usize) -> Option<u32> {
    array(buf, pos).map(u32::from_be_bytes)
}

fn be_u64(buf: &[u8], pos: usize) -> Option<u64> {
    array(buf, pos).map(u64::from_be_bytes)
}

fn slice(buf: &[u8], start: u64, end: u64) -> Option<&[u8]> {
    buf.get(usize::try_from(start).ok()?..usize::try_from(end).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIP_MP4: &[u8] = include_bytes!("../../../tests/fixtures/clip.mp4");
    const CLIP_MOOV_AT_END: &[u8] = include_bytes!("../../../tests/fixtures/clip-moov-at-end.mp4");
    const CLIP_WEBM: &[u8] = include_bytes!("../../../tests/fixtures/clip.webm");
    const CLIP_MOV: &[u8] = include_bytes!("../../../tests/fixtures/clip.mov");
    const NOT_A_VIDEO: &[u8] = include_bytes!("../../../tests/fixtures/not-a-video.mp4");
    const POSTER: &[u8] = include_bytes!("../../../tests/fixtures/poster.jpg");
    const FIXTURES: [&[u8]; 6] = [
        CLIP_MP4,
        CLIP_MOOV_AT_END,
        CLIP_WEBM,
        CLIP_MOV,
        NOT_A_VIDEO,
        POSTER,
    ];

    /// What the route does: probe the first SNIFF_BYTES of the whole object.
    fn sniff(bytes: &[u8]) -> Probe {
        probe(
            &bytes[..bytes.len().min(SNIFF_BYTES as usize)],
            bytes.len() as u64,
        )
    }

    fn video(p: Probe, want: Container) -> MediaInfo {
        match p {
            Probe::Video { container, info } if container == want => info,
            other => panic!("expected a {want:?} video, got {other:?}"),
        }
    }

    fn assert_clip(info: &MediaInfo) {
        let d = info.duration_seconds.expect("duration");
        assert!((d - 3.0).abs() <= 0.1, "duration {d}");
        assert_eq!((info.width, info.height), (Some(320), Some(240)));
    }

    fn boxed(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut b = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        b.extend_from_slice(kind);
        b.extend_from_slice(body);
        b
    }

    /// An EBML element with a 1-byte size (bodies under 127 bytes).
    fn el(id: &[u8], body: &[u8]) -> Vec<u8> {
        let mut e = id.to_vec();
        e.push(0x80 | u8::try_from(body.len()).unwrap());
        e.extend_from_slice(body);
        e
    }

    fn offset_of(bytes: &[u8], kind: &[u8; 4]) -> usize {
        bytes.windows(4).position(|w| w == kind).unwrap() - 4
    }

    #[test]
    fn faststart_mp4_is_read_from_the_head() {
        assert_clip(&video(sniff(CLIP_MP4), Container::Mp4));
        // The moov is in the first 4 KiB: the rest of the object is not needed.
        assert_clip(&video(probe(&CLIP_MP4[..4096], 10_000_000), Container::Mp4));
    }

    #[test]
    fn moov_at_end_needs_a_second_read() {
        let total = CLIP_MOOV_AT_END.len() as u64;
        // The fixture is smaller than SNIFF_BYTES, so the route's head holds it all.
        let whole = video(sniff(CLIP_MOOV_AT_END), Container::Mp4);
        // With only the first 4 KiB, as for any moov-at-end video over 64 KiB:
        let Probe::NeedMoov {
            container,
            offset,
            length,
        } = probe(&CLIP_MOOV_AT_END[..4096], total)
        else {
            panic!("expected NeedMoov");
        };
        assert_eq!(container, Container::Mp4);
        assert_eq!(offset as usize, offset_of(CLIP_MOOV_AT_END, b"moov"));
        assert_eq!(offset + length, total, "the moov is the last box");
        let info = parse_moov(&CLIP_MOOV_AT_END[offset as usize..][..length as usize]).unwrap();
        assert_clip(&info);
        assert_eq!(info, whole);
        assert_eq!(
            Some(info),
            parse_moov(&CLIP_MP4[32..]),
            "same as the faststart file"
        );
    }

    #[test]
    fn moov_cut_off_by_the_head_is_asked_for_whole() {
        let at = offset_of(CLIP_MP4, b"moov");
        let size = u32::from_be_bytes(CLIP_MP4[at..at + 4].try_into().unwrap()) as u64;
        let p = probe(&CLIP_MP4[..at + 100], CLIP_MP4.len() as u64);
        assert_eq!(
            p,
            Probe::NeedMoov {
                container: Container::Mp4,
                offset: at as u64,
                length: size
            }
        );
        assert_eq!(
            parse_moov(&CLIP_MP4[at..at + size as usize - 1]),
            None,
            "an incomplete moov"
        );
    }

    #[test]
    fn quicktime_and_webm() {
        assert_clip(&video(sniff(CLIP_MOV), Container::QuickTime));
        let info = video(sniff(CLIP_WEBM), Container::WebM);
        assert_clip(&info);
        // Info and Tracks sit in the first few hundred bytes.
        assert_eq!(
            video(probe(&CLIP_WEBM[..1024], 10_000_000), Container::WebM),
            info
        );
    }

    #[test]
    fn not_videos() {
        for bytes in [
            NOT_A_VIDEO,
            POSTER,
            &[],
            &[0],
            &[0x1A],
            &EBML_MAGIC,
            b"\0\0\0\x08ftyp",
        ] {
            assert_eq!(sniff(bytes), Probe::NotVideo, "{bytes:?}");
        }
        // A WebM whose EBML header is cut off.
        assert_eq!(
            probe(&CLIP_WEBM[..20], CLIP_WEBM.len() as u64),
            Probe::NotVideo
        );
        // An MP4 truncated inside its mdat.
        let cut = &CLIP_MOOV_AT_END[..30_000];
        assert_eq!(probe(cut, cut.len() as u64), Probe::NotVideo);
        // An ftyp with no moov anywhere (e.g. a HEIF image's layout).
        let mut heif = boxed(b"ftyp", b"heic\0\0\0\0mif1heic");
        heif.extend(boxed(b"meta", &[0; 20]));
        heif.extend(boxed(b"mdat", &[0; 20]));
        assert_eq!(sniff(&heif), Probe::NotVideo);
    }

    #[test]
    fn matroska_with_unknown_size_segment() {
        let mut file = el(&EBML_MAGIC, &el(&[0x42, 0x82], b"matroska"));
        file.extend(el(&[0xEC], &[0; 3])); // Void
        file.extend([
            0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
        ]);
        let mut info = el(&[0x2A, 0xD7, 0xB1], &[0x0F, 0x42, 0x40]); // 1 ms ticks
        info.extend(el(&[0x44, 0x89], &2500f32.to_be_bytes()));
        file.extend(el(&[0x15, 0x49, 0xA9, 0x66], &info));
        let audio = el(&[0xAE], &el(&[0x83], &[2]));
        let mut pixels = el(&[0xB0], &[0x05, 0x00]);
        pixels.extend(el(&[0xBA], &[0x02, 0xD0]));
        let mut video_track = el(&[0x83], &[1]);
        video_track.extend(el(&[0xE0], &pixels));
        let mut tracks = audio;
        tracks.extend(el(&[0xAE], &video_track));
        file.extend(el(&[0x16, 0x54, 0xAE, 0x6B], &tracks));
        file.extend([
            0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3,
        ]);
        let want = MediaInfo {
            duration_seconds: Some(2.5),
            width: Some(1280),
            height: Some(720),
        };
        assert_eq!(video(sniff(&file), Container::Matroska), want);
    }

    /// ftyp + moov(mvhd v1, an audio trak, a video trak with tkhd v1) + 64-bit mdat + size-0 box.
    fn synthetic_mp4(moov_first: bool) -> (Vec<u8>, Vec<u8>) {
        let mut mvhd = vec![1, 0, 0, 0];
        mvhd.extend([0; 16]);
        mvhd.extend(1000u32.to_be_bytes());
        mvhd.extend(2500u64.to_be_bytes());
        mvhd.extend([0; 80]);
        let audio_tkhd = vec![0; 84]; // version 0, zero width
        let mut tkhd = vec![0; 96];
        tkhd[0] = 1;
        tkhd[88..92].copy_from_slice(&(640u32 << 16 | 0x8000).to_be_bytes());
        tkhd[92..96].copy_from_slice(&(360u32 << 16).to_be_bytes());
        let mut hdlr = vec![0; 24];
        hdlr[8..12].copy_from_slice(b"vide");
        let mut video_trak = boxed(b"tkhd", &tkhd);
        video_trak.extend(boxed(b"mdia", &boxed(b"hdlr", &hdlr)));
        let mut moov = boxed(b"mvhd", &mvhd);
        moov.extend(boxed(b"trak", &boxed(b"tkhd", &audio_tkhd)));
        moov.extend(boxed(b"trak", &video_trak));
        let moov = boxed(b"moov", &moov);
        let mut mdat = vec![0, 0, 0, 1];
        mdat.extend(b"mdat");
        mdat.extend((16u64 + 100).to_be_bytes());
        mdat.extend([0xAB; 100]);
        let mut file = boxed(b"ftyp", b"isom\0\0\x02\0isomavc1");
        if moov_first {
            file.extend(&moov);
            file.extend(&mdat);
            file.extend([0, 0, 0, 0]);
            file.extend(b"free");
            file.extend([0; 10]);
        } else {
            file.extend(&mdat);
            file.extend(&moov);
        }
        (file, moov)
    }

    #[test]
    fn synthetic_mp4_versions_and_sizes() {
        let want = MediaInfo {
            duration_seconds: Some(2.5),
            width: Some(640),
            height: Some(360),
        };
        let (file, moov) = synthetic_mp4(true);
        assert_eq!(video(sniff(&file), Container::Mp4), want);
        // 64-bit mdat skipped by the walk; the moov header beyond the head.
        let (file, moov2) = synthetic_mp4(false);
        assert_eq!(moov, moov2);
        assert_eq!(video(sniff(&file), Container::Mp4), want);
        let p = probe(&file[..40], file.len() as u64);
        let at = file.len() - moov.len();
        assert_eq!(
            p,
            Probe::NeedMoov {
                container: Container::Mp4,
                offset: at as u64,
                length: moov.len() as u64
            }
        );
        assert_eq!(parse_moov(&moov), Some(want.clone()));
        let mut trailing = moov.clone();
        trailing.extend([1, 2, 3]);
        assert_eq!(parse_moov(&trailing), Some(want));
    }

    #[test]
    fn moov_over_the_limit_is_not_fetched() {
        let mut file = boxed(b"ftyp", b"qt  \0\0\0\0");
        file.extend(((MAX_MOOV_BYTES + 1) as u32).to_be_bytes());
        file.extend(b"moov");
        let p = probe(&file, 100 * MAX_MOOV_BYTES);
        assert_eq!(
            p,
            Probe::Video {
                container: Container::QuickTime,
                info: MediaInfo::default()
            }
        );
        // A box running past the end of the object is corrupt.
        assert_eq!(probe(&file, file.len() as u64 + 100), Probe::NotVideo);
        // A header beyond the head with fewer than 8 bytes left cannot be a moov.
        let ftyp = &file[..16];
        assert_eq!(probe(ftyp, 20), Probe::NotVideo);
        assert!(matches!(
            probe(ftyp, 24),
            Probe::NeedMoov {
                offset: 16,
                length: 8,
                ..
            }
        ));
        let far = probe(ftyp, u64::MAX);
        assert_eq!(
            far,
            Probe::NeedMoov {
                container: Container::QuickTime,
                offset: 16,
                length: MAX_MOOV_BYTES
            }
        );
    }

    /// Probes and parses, checks the answers' invariants, and says which answer `probe` gave.
    fn check(head: &[u8], total: u64) -> usize {
        if let Some(info) = parse_moov(head) {
            assert!(info
                .duration_seconds
                .is_none_or(|d| d.is_finite() && d > 0.0));
        }
        match probe(head, total) {
            Probe::NeedMoov { offset, length, .. } => {
                assert!((8..=MAX_MOOV_BYTES).contains(&length), "length {length}");
                assert!(offset.checked_add(length).is_some_and(|end| end <= total));
                0
            }
            Probe::Video { info, .. } => {
                assert!(info
                    .duration_seconds
                    .is_none_or(|d| d.is_finite() && d > 0.0));
                1
            }
            Probe::NotVideo => 2,
        }
    }

    #[test]
    fn truncations_never_panic() {
        let at = offset_of(CLIP_MOOV_AT_END, b"moov");
        let moov = &CLIP_MOOV_AT_END[at..];
        let (synthetic, _) = synthetic_mp4(false);
        for bytes in FIXTURES.into_iter().chain([moov, &synthetic]) {
            let head = &bytes[..bytes.len().min(4096)];
            for n in 0..=head.len() {
                check(&head[..n], bytes.len() as u64);
                check(&head[..n], n as u64);
                check(&head[..n], u64::MAX);
            }
        }
    }

    #[test]
    fn mutations_never_panic() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let at = offset_of(CLIP_MOOV_AT_END, b"moov");
        let inputs: Vec<&[u8]> = FIXTURES
            .into_iter()
            .chain([&CLIP_MOOV_AT_END[at..]])
            .collect();
        let mut answers = [0; 3];
        for _ in 0..1000 {
            for bytes in &inputs {
                let mut head = bytes[..bytes.len().min(4096)].to_vec();
                // Mostly near the start, where the headers are.
                let span = if next() % 2 == 0 {
                    head.len().min(512)
                } else {
                    head.len()
                };
                for _ in 0..1 + next() % 8 {
                    let i = (next() % span as u64) as usize;
                    head[i] = match next() % 4 {
                        0 => 0,
                        1 => 0xFF,
                        2 => head[i] ^ (1 << (next() % 8)),
                        _ => next() as u8,
                    };
                }
                if next() % 8 == 0 {
                    head.truncate((next() % (head.len() as u64 + 1)) as usize);
                }
                let total = match next() % 4 {
                    0 => bytes.len() as u64,
                    1 => head.len() as u64,
                    2 => u64::MAX - next() % 16,
                    _ => next() % (1 << 24),
                };
                answers[check(&head, total)] += 1;
            }
        }
        // The mutations reach every kind of answer, not just an early NotVideo.
        assert!(answers.iter().all(|&n| n > 100), "{answers:?}");
    }
}
