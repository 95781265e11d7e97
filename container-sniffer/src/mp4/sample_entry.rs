//! Sample entries (`stsd` children): the codec, and for video the bit depth
//! and transfer function from the entry's child boxes.

use super::Boxes;
use crate::bytes::{be_u16, byte};
use crate::{config, AudioCodec, Transfer, VideoCodec};

/// What a visual sample entry says.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct VisualEntry {
    pub(super) codec: VideoCodec,
    pub(super) bit_depth: Option<u8>,
    pub(super) transfer: Option<Transfer>,
}

impl VisualEntry {
    /// A video track whose sample entry could not be read.
    pub(super) const UNKNOWN: VisualEntry =
        VisualEntry { codec: VideoCodec::Other([0; 4]), bit_depth: None, transfer: None };
}

/// Bytes of a VisualSampleEntry before its child boxes (ISO/IEC 14496-12 12.1.3;
/// QuickTime's video sample description has the same layout).
const VISUAL_FIELDS: usize = 78;

/// A visual sample entry's body (after its box header).
pub(super) fn visual(fourcc: [u8; 4], entry: &[u8]) -> VisualEntry {
    let mut out = VisualEntry { codec: VideoCodec::from_fourcc(fourcc), bit_depth: None, transfer: None };
    for (kind, body) in Boxes(entry.get(VISUAL_FIELDS..).unwrap_or_default()) {
        let depth = match &kind {
            b"avcC" => config::avcc(body),
            b"hvcC" => config::hvcc(body),
            b"vpcC" => config::vpcc(body),
            b"av1C" => config::av1c(body),
            b"colr" => {
                out.transfer = out.transfer.or_else(|| colr_transfer(body));
                None
            }
            _ => None,
        };
        out.bit_depth = out.bit_depth.or(depth);
    }
    out
}

/// `colr` of type `nclx` (ISO) or `nclc` (QuickTime): primaries, transfer,
/// matrix as 16-bit code points. ICC profiles (`prof`, `rICC`) say nothing here.
fn colr_transfer(colr: &[u8]) -> Option<Transfer> {
    match colr.get(..4)? {
        b"nclx" | b"nclc" => Some(Transfer::from_code(u64::from(be_u16(colr, 6)?))),
        _ => None,
    }
}

/// An audio sample entry's body (after its box header).
pub(super) fn audio(fourcc: [u8; 4], entry: &[u8]) -> AudioCodec {
    let codec = AudioCodec::from_fourcc(fourcc);
    if codec != AudioCodec::Aac {
        return codec;
    }
    // `mp4a` also carries MP3 and others: the esds's objectTypeIndication says which.
    match esds(entry).and_then(object_type) {
        None | Some(0x40 | 0x66..=0x68) => AudioCodec::Aac, // MPEG-4 audio, MPEG-2 AAC
        Some(_) => AudioCodec::Other(fourcc),
    }
}

/// The `esds` of an audio sample entry: among its children, or inside
/// QuickTime's `wave` box. Where the children start depends on the entry's
/// version: 28 bytes in ISO files (whose AudioSampleEntryV1 has the same
/// layout), 44 or 64 bytes in QuickTime's sound description versions 1 and 2.
fn esds(entry: &[u8]) -> Option<&[u8]> {
    let quicktime = match be_u16(entry, 8)? {
        1 => 44,
        2 => 64,
        _ => 28,
    };
    [quicktime, 28].into_iter().find_map(|at| {
        Boxes(entry.get(at..)?).find_map(|(kind, body)| match &kind {
            b"esds" => Some(body),
            b"wave" => Boxes(body).find(|(k, _)| k == b"esds").map(|(_, esds)| esds),
            _ => None,
        })
    })
}

/// The objectTypeIndication of an `esds` (a full box holding an
/// ES_Descriptor, ISO/IEC 14496-1 7.2.6.5, whose DecoderConfigDescriptor
/// starts with it).
fn object_type(esds: &[u8]) -> Option<u8> {
    let (tag, mut pos) = descriptor(esds, 4)?;
    if tag != 0x03 {
        return None;
    }
    let flags = byte(esds, pos.checked_add(2)?)?; // after ES_ID
    pos = pos.checked_add(3)?;
    if flags & 0x80 != 0 {
        pos = pos.checked_add(2)?; // dependsOn_ES_ID
    }
    if flags & 0x40 != 0 {
        pos = pos.checked_add(1 + usize::from(byte(esds, pos)?))?; // URL
    }
    if flags & 0x20 != 0 {
        pos = pos.checked_add(2)?; // OCR_ES_Id
    }
    match descriptor(esds, pos)? {
        (0x04, pos) => byte(esds, pos), // DecoderConfigDescriptor
        _ => None,
    }
}

/// A descriptor's tag and where its body starts: its size takes 1 to 4
/// bytes of 7 bits each, the high bit saying another follows.
fn descriptor(buf: &[u8], pos: usize) -> Option<(u8, usize)> {
    let tag = byte(buf, pos)?;
    let mut at = pos.checked_add(1)?;
    for _ in 0..4 {
        let b = byte(buf, at)?;
        at = at.checked_add(1)?;
        if b & 0x80 == 0 {
            return Some((tag, at));
        }
    }
    None
}
