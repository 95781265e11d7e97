//! Bit depth from codec configuration records: the same bytes in an MP4 sample
//! entry's child box (`avcC`, `hvcC`, `vpcC`, `av1C`) and in a Matroska
//! CodecPrivate, plus a VP9 key frame's header for WebM files that carry
//! neither.

use crate::bytes::{be_u16, bit, byte};

/// `avcC` (AVCDecoderConfigurationRecord, ISO/IEC 14496-15 5.3.3.1).
///
/// The high-profile extension after the parameter sets gives the depth; without
/// it, the profiles that only allow 8 bits do.
pub(crate) fn avcc(r: &[u8]) -> Option<u8> {
    match byte(r, 1)? {
        66 | 77 | 88 => Some(8), // Baseline, Main, Extended: no extension
        // High and the MVC High profiles are 8-bit; High 10, 4:2:2 and 4:4:4 up to 10 or 14.
        profile => avcc_extension(r).or(matches!(profile, 100 | 118 | 128).then_some(8)),
    }
}

/// `bit_depth_luma_minus8 + 8` from the extension after the SPS and PPS lists.
fn avcc_extension(r: &[u8]) -> Option<u8> {
    let mut pos = 5;
    for count_mask in [0x1F, 0xFF] {
        let count = byte(r, pos)? & count_mask;
        pos += 1;
        for _ in 0..count {
            let len = usize::from(be_u16(r, pos)?);
            pos = pos.checked_add(2)?.checked_add(len)?;
        }
    }
    // chroma_format at `pos`, then 5 reserved bits and bit_depth_luma_minus8.
    Some(8 + (byte(r, pos.checked_add(1)?)? & 0x07))
}

/// `hvcC` (HEVCDecoderConfigurationRecord, ISO/IEC 14496-15 8.3.3.1):
/// bitDepthLumaMinus8, or the profile when the record is of another version.
pub(crate) fn hvcc(r: &[u8]) -> Option<u8> {
    if byte(r, 0)? == 1 {
        if let Some(b) = byte(r, 17) {
            return Some(8 + (b & 0x07));
        }
    }
    match byte(r, 1)? & 0x1F {
        1 | 3 => Some(8), // Main, Main Still Picture
        2 => Some(10),    // Main 10
        _ => None,
    }
}

/// `vpcC` (VPCodecConfigurationBox): a full box whose record holds profile,
/// level, then bitDepth in the high nibble.
pub(crate) fn vpcc(b: &[u8]) -> Option<u8> {
    plausible(byte(b, 6)? >> 4)
}

/// `av1C` (AV1CodecConfigurationRecord): high_bitdepth and twelve_bit.
pub(crate) fn av1c(r: &[u8]) -> Option<u8> {
    if byte(r, 0)? != 0x81 {
        return None; // marker bit and version 1
    }
    let flags = byte(r, 2)?;
    Some(match (flags & 0x40 != 0, flags & 0x20 != 0) {
        (false, _) => 8,
        (true, false) => 10,
        (true, true) => 12,
    })
}

/// A WebM VP9 CodecPrivate: (ID, length, value) features; ID 3 is the bit depth.
pub(crate) fn vp9_features(mut features: &[u8]) -> Option<u8> {
    while let [id, len, rest @ ..] = features {
        let value = rest.get(..usize::from(*len))?;
        if *id == 3 {
            return plausible(*value.first()?);
        }
        features = rest.get(usize::from(*len)..)?;
    }
    None
}

/// The bit depth a VP9 frame's uncompressed header gives: from the profile
/// (0 and 1 are 8-bit), or for profiles 2 and 3 from a key frame's
/// color_config (VP9 bitstream specification 6.2).
pub(crate) fn vp9_frame(frame: &[u8]) -> Option<u8> {
    let first = byte(frame, 0)?;
    if first >> 6 != 0b10 {
        return None; // frame_marker
    }
    let profile = (first >> 4 & 1) << 1 | first >> 5 & 1;
    if profile < 2 {
        return Some(8);
    }
    // Profile 3 has a reserved bit; then show_existing_frame 0 and frame_type 0 (a key frame).
    let mut n = if profile == 3 { 5 } else { 4 };
    if bit(frame, n)? || bit(frame, n + 1)? {
        return None;
    }
    n += 4; // show_frame and error_resilient_mode follow the frame type
    let sync = (n..n + 24).try_fold(0u32, |v, i| Some(v << 1 | u32::from(bit(frame, i)?)))?;
    if sync != 0x49_8342 {
        return None;
    }
    Some(if bit(frame, n + 24)? { 12 } else { 10 })
}

fn plausible(depth: u8) -> Option<u8> {
    matches!(depth, 8 | 10 | 12).then_some(depth)
}
