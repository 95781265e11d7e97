//! Container sniffing for uploaded videos.
//!
//! Besides the container, it reads what deciding whether every browser can
//! play the file needs: duration, frame size, the video and audio codecs,
//! bit depth, transfer function and frame rate (see [`MediaInfo`]), from the
//! MP4/MOV `moov` box or the WebM/Matroska Segment's Tracks.
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

mod bytes;
mod codec;
mod config;
mod ebml;
mod mp4;
#[cfg(test)]
mod tests;

pub use codec::{AudioCodec, Transfer, VideoCodec};
use ebml::{probe_ebml, EBML_MAGIC};
use mp4::probe_mp4;

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

/// What the header says about the media; `None` where it does not say.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MediaInfo {
    pub duration_seconds: Option<f64>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// The video track's codec; `None` when no video track was found.
    pub video_codec: Option<VideoCodec>,
    /// The first audio track's codec; `None` when there is no audio track.
    pub audio_codec: Option<AudioCodec>,
    /// Bits per luma sample of the video: from `avcC`, `hvcC`, `vpcC`, `av1C`;
    /// in Matroska from Colour/BitsPerChannel, else the CodecPrivate, else
    /// (VP9) the first key frame's header.
    pub bit_depth: Option<u8>,
    /// The video's transfer function from `colr` (`nclx`, `nclc`) or Matroska
    /// Colour/TransferCharacteristics; `None` when there is no colour information.
    pub transfer: Option<Transfer>,
    /// Frames per second of the video track: its sample count × `mdhd`
    /// timescale / `stts` duration, or 1 s / Matroska DefaultDuration. Finite and > 0.
    pub frame_rate: Option<f64>,
}

impl MediaInfo {
    /// Whether the file has an audio track.
    pub fn has_audio(&self) -> bool {
        self.audio_codec.is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Probe {
    /// A video; info holds whatever could be read from the bytes given.
    Video { container: Container, info: MediaInfo },
    /// An MP4/MOV whose `moov` box lies beyond the bytes given: read `length` bytes at `offset`, then call `parse_moov`.
    ///
    /// When the header of the box at `offset` was itself beyond the bytes
    /// given, its type and size are unknown: `length` is then everything up
    /// to the end of the object (at most [`MAX_MOOV_BYTES`]), and
    /// [`parse_moov`] looks for the `moov` among the boxes that range holds.
    NeedMoov { container: Container, offset: u64, length: u64 },
    /// Not a video we accept (or a truncated/corrupt header).
    NotVideo,
}

/// `head` is the first bytes of the object (up to SNIFF_BYTES), `total_size` the object's size from HEAD.
pub fn probe(head: &[u8], total_size: u64) -> Probe {
    // Bytes past the object's size cannot belong to it.
    let head = usize::try_from(total_size).ok().and_then(|n| head.get(..n)).unwrap_or(head);
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
    mp4::parse_moov(moov)
}
