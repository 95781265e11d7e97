//! The container fixtures, synthetic boxes and elements, and inputs that must not panic.
//! Codecs: `fixtures` (ffmpeg's files) and `synthetic` (hand-built records).

mod fixtures;
mod synthetic;

use super::*;
use crate::ebml::EBML_MAGIC;

const CLIP_MP4: &[u8] = include_bytes!("../../../tests/fixtures/clip.mp4");
const CLIP_MOOV_AT_END: &[u8] = include_bytes!("../../../tests/fixtures/clip-moov-at-end.mp4");
const CLIP_WEBM: &[u8] = include_bytes!("../../../tests/fixtures/clip.webm");
const CLIP_MOV: &[u8] = include_bytes!("../../../tests/fixtures/clip.mov");
const NOT_A_VIDEO: &[u8] = include_bytes!("../../../tests/fixtures/not-a-video.mp4");
const POSTER: &[u8] = include_bytes!("../../../tests/fixtures/poster.jpg");
const FIXTURES: [&[u8]; 6] = [CLIP_MP4, CLIP_MOOV_AT_END, CLIP_WEBM, CLIP_MOV, NOT_A_VIDEO, POSTER];

/// What the route does: probe the first SNIFF_BYTES of the whole object.
fn sniff(bytes: &[u8]) -> Probe {
    probe(&bytes[..bytes.len().min(SNIFF_BYTES as usize)], bytes.len() as u64)
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

/// An EBML element: a 1-byte size for bodies under 127 bytes, else 8 bytes.
fn el(id: &[u8], body: &[u8]) -> Vec<u8> {
    let mut e = id.to_vec();
    match u8::try_from(body.len()) {
        Ok(n) if n < 127 => e.push(0x80 | n),
        _ => e.extend((1u64 << 56 | body.len() as u64).to_be_bytes()),
    }
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
    let Probe::NeedMoov { container, offset, length } = probe(&CLIP_MOOV_AT_END[..4096], total) else {
        panic!("expected NeedMoov");
    };
    assert_eq!(container, Container::Mp4);
    assert_eq!(offset as usize, offset_of(CLIP_MOOV_AT_END, b"moov"));
    assert_eq!(offset + length, total, "the moov is the last box");
    let info = parse_moov(&CLIP_MOOV_AT_END[offset as usize..][..length as usize]).unwrap();
    assert_clip(&info);
    assert_eq!(info, whole);
    assert_eq!(Some(info), parse_moov(&CLIP_MP4[32..]), "same as the faststart file");
}

#[test]
fn moov_cut_off_by_the_head_is_asked_for_whole() {
    let at = offset_of(CLIP_MP4, b"moov");
    let size = u32::from_be_bytes(CLIP_MP4[at..at + 4].try_into().unwrap()) as u64;
    let p = probe(&CLIP_MP4[..at + 100], CLIP_MP4.len() as u64);
    assert_eq!(p, Probe::NeedMoov { container: Container::Mp4, offset: at as u64, length: size });
    assert_eq!(parse_moov(&CLIP_MP4[at..at + size as usize - 1]), None, "an incomplete moov");
}

#[test]
fn quicktime_and_webm() {
    assert_clip(&video(sniff(CLIP_MOV), Container::QuickTime));
    let info = video(sniff(CLIP_WEBM), Container::WebM);
    assert_clip(&info);
    // Info and Tracks sit in the first few hundred bytes.
    assert_eq!(video(probe(&CLIP_WEBM[..1024], 10_000_000), Container::WebM), info);
}

#[test]
fn not_videos() {
    for bytes in [NOT_A_VIDEO, POSTER, &[], &[0], &[0x1A], &EBML_MAGIC, b"\0\0\0\x08ftyp"] {
        assert_eq!(sniff(bytes), Probe::NotVideo, "{bytes:?}");
    }
    // A WebM whose EBML header is cut off.
    assert_eq!(probe(&CLIP_WEBM[..20], CLIP_WEBM.len() as u64), Probe::NotVideo);
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
    file.extend([0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]);
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
    file.extend([0x1F, 0x43, 0xB6, 0x75, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2, 3]);
    let want = MediaInfo {
        duration_seconds: Some(2.5),
        width: Some(1280),
        height: Some(720),
        // Tracks with no CodecID.
        video_codec: Some(VideoCodec::Other([0; 4])),
        audio_codec: Some(AudioCodec::Other([0; 4])),
        ..MediaInfo::default()
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
        video_codec: Some(VideoCodec::Other([0; 4])), // a `vide` trak without stsd
        ..MediaInfo::default()
    };
    let (file, moov) = synthetic_mp4(true);
    assert_eq!(video(sniff(&file), Container::Mp4), want);
    // 64-bit mdat skipped by the walk; the moov header beyond the head.
    let (file, moov2) = synthetic_mp4(false);
    assert_eq!(moov, moov2);
    assert_eq!(video(sniff(&file), Container::Mp4), want);
    let p = probe(&file[..40], file.len() as u64);
    let at = file.len() - moov.len();
    assert_eq!(p, Probe::NeedMoov { container: Container::Mp4, offset: at as u64, length: moov.len() as u64 });
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
    assert_eq!(p, Probe::Video { container: Container::QuickTime, info: MediaInfo::default() });
    // A box running past the end of the object is corrupt.
    assert_eq!(probe(&file, file.len() as u64 + 100), Probe::NotVideo);
    // A header beyond the head with fewer than 8 bytes left cannot be a moov.
    let ftyp = &file[..16];
    assert_eq!(probe(ftyp, 20), Probe::NotVideo);
    assert!(matches!(probe(ftyp, 24), Probe::NeedMoov { offset: 16, length: 8, .. }));
    let far = probe(ftyp, u64::MAX);
    assert_eq!(far, Probe::NeedMoov { container: Container::QuickTime, offset: 16, length: MAX_MOOV_BYTES });
}

fn check_info(info: &MediaInfo) {
    assert!(info.duration_seconds.is_none_or(|d| d.is_finite() && d > 0.0));
    assert!(info.frame_rate.is_none_or(|r| r.is_finite() && r > 0.0));
    assert!(info.bit_depth.is_none_or(|b| b > 0));
}

/// Probes and parses, checks the answers' invariants, and says which answer `probe` gave.
fn check(head: &[u8], total: u64) -> usize {
    if let Some(info) = parse_moov(head) {
        check_info(&info);
    }
    match probe(head, total) {
        Probe::NeedMoov { offset, length, .. } => {
            assert!((8..=MAX_MOOV_BYTES).contains(&length), "length {length}");
            assert!(offset.checked_add(length).is_some_and(|end| end <= total));
            0
        }
        Probe::Video { info, .. } => {
            check_info(&info);
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
    let codecs = fixtures::CODEC_FIXTURES.map(|(_, bytes)| bytes);
    for bytes in FIXTURES.into_iter().chain(codecs).chain([moov, &synthetic]) {
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
    let codecs = fixtures::CODEC_FIXTURES.map(|(_, bytes)| bytes);
    let inputs: Vec<&[u8]> = FIXTURES.into_iter().chain(codecs).chain([&CLIP_MOOV_AT_END[at..]]).collect();
    let mut answers = [0; 3];
    for _ in 0..1000 {
        for bytes in &inputs {
            let mut head = bytes[..bytes.len().min(4096)].to_vec();
            // Mostly near the start, where the headers are.
            let span = if next() % 2 == 0 { head.len().min(512) } else { head.len() };
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
