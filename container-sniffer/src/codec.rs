//! Codec and transfer-function names: from MP4 sample-entry fourccs, Matroska
//! CodecIDs and the colour code points of ITU-T H.273.

/// The codec of a file's video track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VideoCodec {
    /// `avc1`, `avc3`; Matroska `V_MPEG4/ISO/AVC`.
    H264,
    /// `hvc1`, `hev1`; Matroska `V_MPEGH/ISO/HEVC`.
    Hevc,
    /// Dolby Vision on HEVC: `dvh1`, `dvhe`.
    DolbyVision,
    /// `vp09`; Matroska `V_VP9`.
    Vp9,
    /// `av01`; Matroska `V_AV1`.
    Av1,
    /// Any other codec: the MP4 sample entry's fourcc (`vp08`, `mp4v`, `encv`…),
    /// or the first four bytes of a Matroska CodecID after its `V_` prefix,
    /// padded with spaces (`V_VP8` → `b"VP8 "`, `V_MPEG4/ISO/ASP` → `b"MPEG"`).
    /// `[0; 4]` when the track's codec could not be read.
    Other([u8; 4]),
}

/// The codec of a file's first audio track.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AudioCodec {
    /// `mp4a` (unless its `esds` names a non-AAC object type); Matroska `A_AAC…`.
    Aac,
    /// `Opus`; Matroska `A_OPUS`.
    Opus,
    /// Any other codec: the MP4 sample entry's fourcc (`mp4a` when its `esds`
    /// names e.g. MP3), or the first four bytes of a Matroska CodecID after its
    /// `A_` prefix, padded with spaces (`A_VORBIS` → `b"VORB"`, `A_AC3` → `b"AC3 "`).
    /// `[0; 4]` when the track's codec could not be read.
    Other([u8; 4]),
}

/// The video's transfer function (opto-electronic transfer characteristics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transfer {
    /// Any code point other than PQ and HLG (BT.709, BT.601, sRGB, unspecified…).
    Sdr,
    /// ARIB STD-B67 hybrid log-gamma (code point 18).
    Hlg,
    /// SMPTE ST 2084 perceptual quantizer (code point 16).
    Pq,
}

impl Transfer {
    /// From an H.273 `transfer_characteristics` code point.
    pub(crate) fn from_code(code: u64) -> Transfer {
        match code {
            16 => Transfer::Pq,
            18 => Transfer::Hlg,
            _ => Transfer::Sdr,
        }
    }
}

impl VideoCodec {
    /// From a visual sample entry's type.
    pub(crate) fn from_fourcc(fourcc: [u8; 4]) -> VideoCodec {
        match &fourcc {
            b"avc1" | b"avc3" => VideoCodec::H264,
            b"hvc1" | b"hev1" => VideoCodec::Hevc,
            b"dvh1" | b"dvhe" => VideoCodec::DolbyVision,
            b"vp09" => VideoCodec::Vp9,
            b"av01" => VideoCodec::Av1,
            _ => VideoCodec::Other(fourcc),
        }
    }

    /// From a Matroska CodecID.
    pub(crate) fn from_codec_id(id: &[u8]) -> VideoCodec {
        match id {
            b"V_MPEG4/ISO/AVC" => VideoCodec::H264,
            b"V_MPEGH/ISO/HEVC" => VideoCodec::Hevc,
            b"V_VP9" => VideoCodec::Vp9,
            b"V_AV1" => VideoCodec::Av1,
            _ => VideoCodec::Other(short_codec_id(id, b"V_")),
        }
    }
}

impl AudioCodec {
    /// From an audio sample entry's type; `mp4a` is refined by its `esds` (see `mp4::sample_entry`).
    pub(crate) fn from_fourcc(fourcc: [u8; 4]) -> AudioCodec {
        match &fourcc {
            b"mp4a" => AudioCodec::Aac,
            b"Opus" => AudioCodec::Opus,
            _ => AudioCodec::Other(fourcc),
        }
    }

    /// From a Matroska CodecID.
    pub(crate) fn from_codec_id(id: &[u8]) -> AudioCodec {
        if id.starts_with(b"A_AAC") {
            AudioCodec::Aac
        } else if id == b"A_OPUS" {
            AudioCodec::Opus
        } else {
            AudioCodec::Other(short_codec_id(id, b"A_"))
        }
    }
}

/// The first four bytes of a CodecID after `prefix`, padded with spaces.
fn short_codec_id(id: &[u8], prefix: &[u8]) -> [u8; 4] {
    let name = id.strip_prefix(prefix).unwrap_or(id);
    let mut short = [b' '; 4];
    for (to, from) in short.iter_mut().zip(name) {
        *to = *from;
    }
    short
}
