use super::*;

fn facts(container: ContainerKind, video: VideoCodec, audio: Option<AudioCodec>) -> MediaFacts {
    MediaFacts {
        container,
        video_codec: Some(video),
        audio_codec: audio,
        bit_depth: Some(8),
        dynamic_range: Some(DynamicRange::Sdr),
        frame_rate: Some(30.0),
    }
}

fn upload(facts: &MediaFacts, width: u32, height: u32) -> Upload<'_> {
    Upload {
        facts: Some(facts),
        width: Some(width),
        height: Some(height),
        size: 1_000_000,
        duration_seconds: Some(10.0),
    }
}

#[test]
fn h264_vp9_and_av1_in_mp4_or_webm_play_everywhere() {
    use ContainerKind::*;
    use VideoCodec::*;
    for (container, video, audio) in [
        (Mp4, H264, Some(AudioCodec::Aac)),
        (Webm, Vp9, Some(AudioCodec::Opus)),
        (Mp4, Av1, None),
        (Webm, Av1, Some(AudioCodec::Opus)),
    ] {
        assert!(plays_everywhere(&facts(container, video, audio), Some(1920), Some(1080)), "{container:?} {video:?}");
    }
}

#[test]
fn what_some_browser_cannot_play_does_not() {
    let hevc = facts(ContainerKind::Quicktime, VideoCodec::Hevc, Some(AudioCodec::Aac));
    assert!(!plays_everywhere(&hevc, Some(1920), Some(1080)), "HEVC");
    let mov = facts(ContainerKind::Quicktime, VideoCodec::H264, Some(AudioCodec::Aac));
    assert!(!plays_everywhere(&mov, Some(640), Some(360)), "QuickTime is not served as is to Firefox");
    let mut ten_bit = facts(ContainerKind::Mp4, VideoCodec::H264, None);
    ten_bit.bit_depth = Some(10);
    assert!(!plays_everywhere(&ten_bit, Some(640), Some(360)), "10-bit");
    let mut hlg = facts(ContainerKind::Mp4, VideoCodec::H264, None);
    hlg.dynamic_range = Some(DynamicRange::Hlg);
    assert!(!plays_everywhere(&hlg, Some(640), Some(360)), "HLG");
    let vorbis = facts(ContainerKind::Webm, VideoCodec::Vp9, Some(AudioCodec::Other));
    assert!(!plays_everywhere(&vorbis, Some(640), Some(360)), "Vorbis");
    let plain = facts(ContainerKind::Mp4, VideoCodec::H264, None);
    assert!(!plays_everywhere(&plain, Some(3840), Some(2160)), "4K");
    assert!(plays_everywhere(&plain, Some(1080), Some(1920)), "portrait 1080p");
    assert!(!plays_everywhere(&plain, None, None), "unknown size");
    let unknown = MediaFacts { video_codec: None, ..plain };
    assert!(!plays_everywhere(&unknown, Some(640), Some(360)), "unknown codec");
}

#[test]
fn publish_first_and_transcode_when_needed() {
    let plays = facts(ContainerKind::Mp4, VideoCodec::H264, Some(AudioCodec::Aac));
    let hevc = facts(ContainerKind::Quicktime, VideoCodec::Hevc, Some(AudioCodec::Aac));
    let cap = 8_000_000;
    use Publication::*;
    use TranscodeMode::*;
    assert_eq!(publication(Needed, cap, &upload(&plays, 1280, 720)), ReadyNow { ladder: false });
    assert_eq!(publication(Needed, cap, &upload(&hevc, 1280, 720)), AfterLadder);
    assert_eq!(publication(Needed, cap, &upload(&plays, 3840, 2160)), AfterLadder, "over 1080p");
    assert_eq!(publication(Always, cap, &upload(&plays, 1280, 720)), ReadyNow { ladder: true });
    assert_eq!(publication(Always, cap, &upload(&hevc, 1280, 720)), AfterLadder);
    assert_eq!(publication(Off, cap, &upload(&hevc, 3840, 2160)), ReadyNow { ladder: false });
    let dense = Upload { size: 100_000_000, ..upload(&plays, 1280, 720) }; // 80 Mb/s
    assert_eq!(publication(Needed, cap, &dense), ReadyNow { ladder: true }, "over the bitrate cap");
    let unprobed = Upload { facts: None, ..upload(&plays, 1280, 720) };
    assert_eq!(publication(Needed, cap, &unprobed), AfterLadder, "what the probe could not read is transcoded");
}

#[test]
fn modes_parse_from_the_setting() {
    assert_eq!(TranscodeMode::parse("needed"), Some(TranscodeMode::Needed));
    assert_eq!(TranscodeMode::parse("always"), Some(TranscodeMode::Always));
    assert_eq!(TranscodeMode::parse("off"), Some(TranscodeMode::Off));
    assert_eq!(TranscodeMode::parse("sometimes"), None);
}
