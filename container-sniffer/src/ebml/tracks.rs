//! The Segment's Tracks: frame size, codecs, colour and frame rate of the video
//! TrackEntry, the codec of the first audio one; and a Cluster's first video
//! frame, for VP9 tracks that state no bit depth.

use super::{string, uint, vint, Children};
use crate::{config, AudioCodec, MediaInfo, Transfer, VideoCodec};

const TRACK_ENTRY: u32 = 0xAE;
const TRACK_NUMBER: u32 = 0xD7;
const TRACK_TYPE: u32 = 0x83;
const CODEC_ID: u32 = 0x86;
const CODEC_PRIVATE: u32 = 0x63A2;
const DEFAULT_DURATION: u32 = 0x23_E383;
const VIDEO: u32 = 0xE0;
const AUDIO: u32 = 0xE1;
const PIXEL_WIDTH: u32 = 0xB0;
const PIXEL_HEIGHT: u32 = 0xBA;
const COLOUR: u32 = 0x55B0;
const BITS_PER_CHANNEL: u32 = 0x55B2;
const TRANSFER_CHARACTERISTICS: u32 = 0x55BA;
const BLOCK_GROUP: u32 = 0xA0;
const BLOCK: u32 = 0xA1;
const SIMPLE_BLOCK: u32 = 0xA3;

/// TrackType values.
const VIDEO_TRACK: u64 = 1;
const AUDIO_TRACK: u64 = 2;

/// Fills `info` from a Tracks element. Returns the video track's number
/// when it is VP9 and its bit depth is still unknown.
pub(super) fn read(tracks: &[u8], info: &mut MediaInfo) -> Option<u64> {
    let mut sized = None; // the first video entry with a frame size
    let mut first_video = None; // else the first video entry
    let mut audio = None;
    for entry in Children(tracks).filter(|c| c.id == TRACK_ENTRY) {
        let track = Track::parse(entry.data);
        if sized.is_none() && track.size().is_some() {
            sized = Some(track);
        }
        match track.kind {
            Some(VIDEO_TRACK) if first_video.is_none() => first_video = Some(track),
            None if first_video.is_none() && track.video.is_some() => first_video = Some(track),
            Some(AUDIO_TRACK) if audio.is_none() => audio = Some(track),
            None if audio.is_none() && track.audio => audio = Some(track),
            _ => {}
        }
    }
    if let Some(track) = audio {
        info.audio_codec = Some(track.codec_id.map_or(AudioCodec::Other([0; 4]), AudioCodec::from_codec_id));
    }
    let video = sized.or(first_video)?;
    if let Some((w, h)) = video.size() {
        (info.width, info.height) = (Some(w), Some(h));
    }
    let codec = video.codec_id.map_or(VideoCodec::Other([0; 4]), VideoCodec::from_codec_id);
    let (bits, transfer) = video.video.map(colour).unwrap_or_default();
    info.video_codec = Some(codec);
    info.transfer = transfer;
    info.bit_depth = bits.or_else(|| video.private_bit_depth(codec));
    info.frame_rate = video.default_duration.filter(|&ns| ns > 0).map(|ns| 1e9 / ns as f64);
    (codec == VideoCodec::Vp9 && info.bit_depth.is_none()).then_some(video.number?)
}

/// What one TrackEntry says, as far as it is complete.
#[derive(Clone, Copy)]
struct Track<'a> {
    number: Option<u64>,
    /// TrackType: 1 video, 2 audio (0 when unreadable).
    kind: Option<u64>,
    codec_id: Option<&'a [u8]>,
    private: Option<&'a [u8]>,
    /// Nanoseconds per frame.
    default_duration: Option<u64>,
    /// The Video element's data.
    video: Option<&'a [u8]>,
    /// Whether it has an Audio element.
    audio: bool,
}

impl<'a> Track<'a> {
    fn parse(entry: &'a [u8]) -> Track<'a> {
        let mut t = Track {
            number: None,
            kind: None,
            codec_id: None,
            private: None,
            default_duration: None,
            video: None,
            audio: false,
        };
        for c in Children(entry) {
            match c.id {
                VIDEO => t.video = Some(c.data),
                AUDIO => t.audio = true,
                _ if !c.complete => {}
                TRACK_NUMBER => t.number = uint(c.data),
                TRACK_TYPE => t.kind = Some(uint(c.data).unwrap_or(0)),
                CODEC_ID => t.codec_id = Some(string(c.data)),
                CODEC_PRIVATE => t.private = Some(c.data),
                DEFAULT_DURATION => t.default_duration = uint(c.data),
                _ => {}
            }
        }
        t
    }

    /// PixelWidth and PixelHeight of a video track, both non-zero.
    fn size(&self) -> Option<(u32, u32)> {
        if self.kind.is_some_and(|k| k != VIDEO_TRACK) {
            return None;
        }
        let (mut w, mut h) = (0, 0);
        for c in Children(self.video?).filter(|c| c.complete) {
            match c.id {
                PIXEL_WIDTH => w = uint(c.data)?,
                PIXEL_HEIGHT => h = uint(c.data)?,
                _ => {}
            }
        }
        let (w, h) = (u32::try_from(w).ok()?, u32::try_from(h).ok()?);
        (w > 0 && h > 0).then_some((w, h))
    }

    /// The bit depth the CodecPrivate gives (the same records as in MP4).
    fn private_bit_depth(&self, codec: VideoCodec) -> Option<u8> {
        match codec {
            VideoCodec::Other(name) if &name == b"VP8 " => Some(8), // VP8 has no other depth
            VideoCodec::H264 => config::avcc(self.private?),
            VideoCodec::Hevc => config::hvcc(self.private?),
            VideoCodec::Av1 => config::av1c(self.private?),
            VideoCodec::Vp9 => config::vp9_features(self.private?),
            VideoCodec::DolbyVision | VideoCodec::Other(_) => None,
        }
    }
}

/// Colour/BitsPerChannel (0: unspecified) and Colour/TransferCharacteristics of a Video element.
fn colour(video: &[u8]) -> (Option<u8>, Option<Transfer>) {
    let (mut bits, mut transfer) = (None, None);
    for colour in Children(video).filter(|c| c.id == COLOUR) {
        for c in Children(colour.data).filter(|c| c.complete) {
            match c.id {
                BITS_PER_CHANNEL => bits = uint(c.data).and_then(|b| u8::try_from(b).ok()).filter(|&b| b > 0),
                TRANSFER_CHARACTERISTICS => transfer = uint(c.data).map(Transfer::from_code),
                _ => {}
            }
        }
    }
    (bits, transfer)
}

/// The first frame of `track` in a Cluster: a SimpleBlock's or a
/// BlockGroup's Block data after its track number, timecode and flags.
/// `None` if that block is laced.
pub(super) fn first_frame(cluster: &[u8], track: u64) -> Option<&[u8]> {
    let blocks = Children(cluster).filter_map(|c| match c.id {
        SIMPLE_BLOCK => Some(c.data),
        BLOCK_GROUP => Children(c.data).find(|b| b.id == BLOCK).map(|b| b.data),
        _ => None,
    });
    for block in blocks {
        let (number, len) = vint(block, 0).ok()?;
        if number == track {
            let flags = *block.get(len.checked_add(2)?)?; // after the 16-bit timecode
            return if flags & 0x06 == 0 { block.get(len.checked_add(3)?..) } else { None };
        }
    }
    None
}
