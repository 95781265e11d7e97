//! What the container sniffer read, in the domain's terms.

use container_sniffer::{AudioCodec as A, Container, MediaInfo, Transfer, VideoCodec as V};

use crate::domain::playback::{AudioCodec, ContainerKind, DynamicRange, MediaFacts, VideoCodec};

pub fn media_facts(container: Container, info: &MediaInfo) -> MediaFacts {
    MediaFacts {
        container: match container {
            Container::Mp4 => ContainerKind::Mp4,
            Container::QuickTime => ContainerKind::Quicktime,
            Container::WebM => ContainerKind::Webm,
            Container::Matroska => ContainerKind::Matroska,
        },
        video_codec: info.video_codec.map(|codec| match codec {
            V::H264 => VideoCodec::H264,
            V::Hevc => VideoCodec::Hevc,
            V::DolbyVision => VideoCodec::DolbyVision,
            V::Vp9 => VideoCodec::Vp9,
            V::Av1 => VideoCodec::Av1,
            V::Other(_) => VideoCodec::Other,
        }),
        audio_codec: info.audio_codec.map(|codec| match codec {
            A::Aac => AudioCodec::Aac,
            A::Opus => AudioCodec::Opus,
            A::Other(_) => AudioCodec::Other,
        }),
        bit_depth: info.bit_depth,
        dynamic_range: info.transfer.map(|transfer| match transfer {
            Transfer::Sdr => DynamicRange::Sdr,
            Transfer::Hlg => DynamicRange::Hlg,
            Transfer::Pq => DynamicRange::Pq,
        }),
        frame_rate: info.frame_rate.filter(|rate| rate.is_finite() && *rate > 0.0),
    }
}
