//! Hand-built codec records, sample entries and Matroska tracks: the cases
//! ffmpeg does not write.

use super::*;
use crate::config;

fn full_box(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
    let mut b = vec![version, 0, 0, 0];
    b.extend_from_slice(body);
    boxed(kind, &b)
}

fn visual_entry(kind: &[u8; 4], children: &[Vec<u8>]) -> Vec<u8> {
    boxed(kind, &[vec![0; 78], children.concat()].concat())
}

/// An audio sample entry of the given version (QuickTime lays 1 and 2 out longer).
fn audio_entry(kind: &[u8; 4], version: u16, children: &[Vec<u8>]) -> Vec<u8> {
    let mut body = vec![0; [28, 44, 64][usize::from(version)]];
    body[8..10].copy_from_slice(&version.to_be_bytes());
    body.extend(children.concat());
    boxed(kind, &body)
}

/// An `esds` whose ES_Descriptor has `flags` (with their optional fields) and 1-byte sizes.
fn esds(object_type: u8, flags: u8) -> Vec<u8> {
    let mut es = vec![0, 1, flags];
    if flags & 0x80 != 0 {
        es.extend([0, 2]);
    }
    if flags & 0x40 != 0 {
        es.extend([3, b'u', b'r', b'l']);
    }
    if flags & 0x20 != 0 {
        es.extend([0, 3]);
    }
    es.extend([0x04, 13, object_type, 0x15]);
    es.extend([0; 11]);
    full_box(b"esds", 0, &[&[0x03, es.len() as u8][..], &es].concat())
}

/// A trak: tkhd of `size`, mdhd with `timescale`, hdlr, stsd with `entry`, stts `runs`.
fn trak(handler: &[u8; 4], size: (u32, u32), timescale: u32, entry: Option<Vec<u8>>, runs: &[(u32, u32)]) -> Vec<u8> {
    let mut tkhd = vec![0; 84];
    tkhd[72..76].copy_from_slice(&(size.0 << 16).to_be_bytes()); // at 76 after version and flags
    tkhd[76..80].copy_from_slice(&(size.1 << 16).to_be_bytes());
    let mut mdhd = vec![0; 20];
    mdhd[8..12].copy_from_slice(&timescale.to_be_bytes());
    let hdlr = [&[0; 4][..], handler, &[0; 13]].concat();
    let stsd = entry.map(|e| full_box(b"stsd", 0, &[&1u32.to_be_bytes()[..], &e].concat())).unwrap_or_default();
    let mut stts = (runs.len() as u32).to_be_bytes().to_vec();
    for (count, delta) in runs {
        stts.extend(count.to_be_bytes());
        stts.extend(delta.to_be_bytes());
    }
    let stbl = boxed(b"stbl", &[stsd, full_box(b"stts", 0, &stts)].concat());
    let mdia = [full_box(b"mdhd", 0, &mdhd), full_box(b"hdlr", 0, &hdlr), boxed(b"minf", &stbl)].concat();
    boxed(b"trak", &[full_box(b"tkhd", 0, &tkhd), boxed(b"mdia", &mdia)].concat())
}

fn moov_info(traks: &[Vec<u8>]) -> MediaInfo {
    let mut mvhd = vec![0; 96];
    mvhd[8..12].copy_from_slice(&1000u32.to_be_bytes());
    mvhd[12..16].copy_from_slice(&2000u32.to_be_bytes());
    parse_moov(&boxed(b"moov", &[full_box(b"mvhd", 0, &mvhd), traks.concat()].concat())).unwrap()
}

fn video_trak(entry: Vec<u8>) -> Vec<u8> {
    trak(b"vide", (1920, 1080), 90_000, Some(entry), &[(10, 3003)])
}

fn hvcc(version: u8, profile: u8, luma_minus8: u8) -> Vec<u8> {
    let mut r = vec![version, profile, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 93, 0xF0, 0, 0xFC, 0xFD];
    r.extend([0xF8 | luma_minus8, 0xF8 | luma_minus8, 0, 0, 0x0F, 0]);
    r
}

#[test]
fn visual_sample_entries() {
    let hvcc10 = boxed(b"hvcC", &hvcc(1, 2, 2));
    let nclx_pq = boxed(b"colr", &[&b"nclx"[..], &[0, 9, 0, 16, 0, 9, 0]].concat());
    let icc = boxed(b"colr", b"prof\0\0\0\0");
    let info = moov_info(&[video_trak(visual_entry(b"dvh1", &[hvcc10.clone(), icc.clone(), nclx_pq]))]);
    assert_eq!(info.video_codec, Some(VideoCodec::DolbyVision));
    assert_eq!((info.bit_depth, info.transfer), (Some(10), Some(Transfer::Pq)), "the nclx after the ICC profile");
    let fps = info.frame_rate.unwrap();
    assert!((fps - 30_000.0 / 1001.0).abs() < 1e-9, "{fps}");
    assert_eq!((info.width, info.height, info.audio_codec), (Some(1920), Some(1080), None));

    let info = moov_info(&[video_trak(visual_entry(b"dvhe", &[hvcc10, icc]))]);
    assert_eq!((info.video_codec, info.transfer), (Some(VideoCodec::DolbyVision), None), "an ICC profile only");
    let nclc_709 = boxed(b"colr", &[&b"nclc"[..], &[0, 1, 0, 1, 0, 1]].concat());
    let info = moov_info(&[video_trak(visual_entry(b"hev1", &[nclc_709]))]);
    assert_eq!((info.video_codec, info.bit_depth, info.transfer), (Some(VideoCodec::Hevc), None, Some(Transfer::Sdr)));
    let info = moov_info(&[video_trak(visual_entry(b"avc3", &[]))]);
    assert_eq!(info.video_codec, Some(VideoCodec::H264));
    let info = moov_info(&[video_trak(visual_entry(b"mp4v", &[]))]);
    assert_eq!(info.video_codec, Some(VideoCodec::Other(*b"mp4v")));
    let short = boxed(b"colr", b"nclx\0\x09"); // cut before the transfer
    let info = moov_info(&[video_trak(visual_entry(b"vp09", &[short, full_box(b"vpcC", 1, &[2, 10, 0xA2])]))]);
    assert_eq!((info.video_codec, info.bit_depth, info.transfer), (Some(VideoCodec::Vp9), Some(10), None));
    let info = moov_info(&[video_trak(visual_entry(b"av01", &[boxed(b"av1C", &[0x81, 0x40, 0x60, 0])]))]);
    assert_eq!((info.video_codec, info.bit_depth), (Some(VideoCodec::Av1), Some(12)));
}

#[test]
fn audio_sample_entries() {
    let audio = |entry: Option<Vec<u8>>| {
        let info = moov_info(&[trak(b"soun", (0, 0), 48_000, entry, &[(10, 1024)])]);
        assert_eq!((info.video_codec, info.width, info.frame_rate), (None, None, None), "no video track");
        info.audio_codec
    };
    let mp4a = |version, oti, flags| audio(Some(audio_entry(b"mp4a", version, &[esds(oti, flags)])));
    assert_eq!(mp4a(0, 0x40, 0), Some(AudioCodec::Aac));
    assert_eq!(mp4a(0, 0x67, 0xE0), Some(AudioCodec::Aac), "MPEG-2 AAC LC, every optional ES field");
    assert_eq!(mp4a(0, 0x6B, 0), Some(AudioCodec::Other(*b"mp4a")), "MP3");
    assert_eq!(mp4a(1, 0x40, 0x40), Some(AudioCodec::Aac));
    assert_eq!(mp4a(2, 0x69, 0), Some(AudioCodec::Other(*b"mp4a")), "QuickTime version 2");
    let in_wave = audio_entry(b"mp4a", 1, &[boxed(b"wave", &[boxed(b"frma", b"mp4a"), esds(0x6B, 0)].concat())]);
    assert_eq!(audio(Some(in_wave)), Some(AudioCodec::Other(*b"mp4a")));
    // No esds, or one that is not an ES_Descriptor: taken for AAC.
    assert_eq!(audio(Some(audio_entry(b"mp4a", 0, &[]))), Some(AudioCodec::Aac));
    assert_eq!(audio(Some(audio_entry(b"mp4a", 0, &[full_box(b"esds", 0, &[0x05, 1, 0])]))), Some(AudioCodec::Aac));
    assert_eq!(
        audio(Some(audio_entry(b"mp4a", 0, &[full_box(b"esds", 0, &[0x03, 0x80, 0x80])]))),
        Some(AudioCodec::Aac)
    );
    assert_eq!(audio(Some(audio_entry(b"Opus", 0, &[]))), Some(AudioCodec::Opus));
    assert_eq!(audio(Some(audio_entry(b"ac-3", 0, &[]))), Some(AudioCodec::Other(*b"ac-3")));
    assert_eq!(audio(None), Some(AudioCodec::Other([0; 4])), "an audio track of unreadable codec");
}

#[test]
fn stts_frame_rates() {
    let rate = |timescale, runs: &[(u32, u32)]| {
        moov_info(&[trak(b"vide", (64, 64), timescale, Some(visual_entry(b"avc1", &[])), runs)]).frame_rate
    };
    assert_eq!(rate(600, &[(49, 12), (1, 10)]), Some(50.0 * 600.0 / 598.0));
    assert_eq!(rate(0, &[(10, 1)]), None, "no timescale");
    assert_eq!(rate(1000, &[]), None);
    assert_eq!(rate(1000, &[(10, 0)]), None, "no duration");
    assert_eq!(rate(u32::MAX, &[(u32::MAX, u32::MAX), (u32::MAX, u32::MAX)]), None, "overflow");
    assert_eq!(rate(1, &[(u32::MAX, 1)]), Some(1.0));
    // An entry count beyond the runs present: the runs present.
    let mut trak = trak(b"vide", (64, 64), 1000, Some(visual_entry(b"avc1", &[])), &[(25, 40)]);
    let count = trak.windows(4).position(|w| w == b"stts").unwrap() + 8;
    trak[count..count + 4].copy_from_slice(&1000u32.to_be_bytes());
    assert_eq!(moov_info(&[trak]).frame_rate, Some(25.0));
}

#[test]
fn codec_configuration_records() {
    // avcC: header, one SPS, one PPS, then the high-profile extension.
    let avcc = |profile, extension: &[u8]| {
        [&[1, profile, 0, 30, 0xFF, 0xE1, 0, 2, 0x67, profile, 1, 0, 1, 0x68][..], extension].concat()
    };
    assert_eq!(config::avcc(&avcc(66, &[])), Some(8));
    assert_eq!(config::avcc(&avcc(77, &[0xFD, 0xFA])), Some(8), "no extension below High");
    assert_eq!(config::avcc(&avcc(100, &[])), Some(8));
    assert_eq!(config::avcc(&avcc(100, &[0xFD, 0xF8, 0xF8, 0])), Some(8));
    assert_eq!(config::avcc(&avcc(110, &[0xFD, 0xFA, 0xFA, 0])), Some(10));
    assert_eq!(config::avcc(&avcc(110, &[])), None, "High 10 without the extension");
    assert_eq!(config::avcc(&avcc(244, &[0xFE, 0xFC])), Some(12));
    assert_eq!(config::avcc(&[1, 110, 0, 30, 0xFF, 0xE1, 0xFF, 0xFF, 0]), None, "an SPS longer than the record");
    assert_eq!(config::avcc(&[1]), None);

    assert_eq!(config::hvcc(&hvcc(1, 2, 2)), Some(10));
    assert_eq!(config::hvcc(&hvcc(1, 1, 0)), Some(8));
    assert_eq!(config::hvcc(&hvcc(0, 2, 0)), Some(10), "another version: by profile");
    assert_eq!(config::hvcc(&hvcc(1, 0x22, 4)[..10]), Some(10), "cut short: by profile (Main 10, tier bit set)");
    assert_eq!(config::hvcc(&hvcc(1, 4, 4)[..10]), None, "range extensions: any depth");

    assert_eq!(config::vpcc(&[1, 0, 0, 0, 2, 10, 0xC2]), Some(12));
    assert_eq!(config::vpcc(&[1, 0, 0, 0, 2, 10, 0x92]), None, "9 bits is no VP9 depth");
    assert_eq!(config::av1c(&[0x81, 0, 0x4C, 0]), Some(10));
    assert_eq!(config::av1c(&[0x81, 0, 0x0C, 0]), Some(8));
    assert_eq!(config::av1c(&[0x01, 0, 0x4C, 0]), None, "no marker bit");

    assert_eq!(config::vp9_features(&[1, 1, 2, 2, 1, 10, 3, 1, 10, 4, 1, 1]), Some(10));
    assert_eq!(config::vp9_features(&[1, 1, 0]), None);
    assert_eq!(config::vp9_features(&[1, 5, 0]), None, "a feature longer than the data");
}

/// Bits written as '0' and '1' (spaces ignored), zero-padded to whole bytes.
fn from_bits(bits: &str) -> Vec<u8> {
    let bits: Vec<u8> = bits.bytes().filter(|b| *b != b' ').map(|b| b - b'0').collect();
    bits.chunks(8).map(|c| c.iter().enumerate().fold(0, |v, (i, b)| v | b << (7 - i))).collect()
}

const VP9_SYNC: &str = "01001001 10000011 01000010";

#[test]
fn vp9_frame_headers() {
    // frame_marker, profile_low_bit, profile_high_bit[, reserved], show_existing_frame, frame_type, show_frame, error_resilient_mode
    assert_eq!(config::vp9_frame(&from_bits("10 0 0 0 1 1 0")), Some(8), "profile 0, any frame");
    assert_eq!(config::vp9_frame(&from_bits("10 1 0 0 0 1 0")), Some(8), "profile 1");
    assert_eq!(config::vp9_frame(&from_bits(&format!("10 0 1 0 0 1 0 {VP9_SYNC} 0"))), Some(10));
    assert_eq!(config::vp9_frame(&from_bits(&format!("10 0 1 0 0 1 0 {VP9_SYNC} 1"))), Some(12));
    assert_eq!(config::vp9_frame(&from_bits(&format!("10 1 1 0 0 0 1 0 {VP9_SYNC} 1"))), Some(12), "profile 3");
    assert_eq!(config::vp9_frame(&from_bits(&format!("10 0 1 0 1 1 0 {VP9_SYNC} 0"))), None, "not a key frame");
    assert_eq!(config::vp9_frame(&from_bits("10 0 1 1 000")), None, "show_existing_frame");
    assert_eq!(config::vp9_frame(&from_bits("10 0 1 0 0 1 0 01001001 10000011 01000011 0")), None, "bad sync code");
    assert_eq!(config::vp9_frame(&from_bits(&format!("10 0 1 0 0 1 0 {VP9_SYNC}"))[..4]), None, "cut short");
    assert_eq!(config::vp9_frame(&from_bits("01 0 0 0 1 1 0")), None, "no frame marker");
    assert_eq!(config::vp9_frame(&[]), None);
}

/// A WebM with these TrackEntry bodies, then an unknown-size Cluster with `blocks`.
fn webm(entries: &[Vec<u8>], blocks: &[Vec<u8>]) -> MediaInfo {
    let mut file = el(&EBML_MAGIC, &el(&[0x42, 0x82], b"webm"));
    let tracks: Vec<u8> = entries.iter().flat_map(|e| el(&[0xAE], e)).collect();
    let mut segment = el(&[0x16, 0x54, 0xAE, 0x6B], &tracks);
    segment.extend([0x1F, 0x43, 0xB6, 0x75, 0xFF]); // Cluster of unknown size (1-byte size)
    segment.extend(el(&[0xE7], &[0]));
    segment.extend(blocks.concat());
    file.extend(el(&[0x18, 0x53, 0x80, 0x67], &segment));
    video(sniff(&file), Container::WebM)
}

fn entry(number: u8, kind: u8, codec_id: &[u8], more: &[Vec<u8>]) -> Vec<u8> {
    [el(&[0xD7], &[number]), el(&[0x83], &[kind]), el(&[0x86], codec_id), more.concat()].concat()
}

fn video_el(colour: &[Vec<u8>]) -> Vec<u8> {
    let pixels = [el(&[0xB0], &[0x07, 0x80]), el(&[0xBA], &[0x04, 0x38])].concat();
    el(&[0xE0], &[pixels, el(&[0x55, 0xB0], &colour.concat())].concat())
}

fn simple_block(track: u8, flags: u8, frame: &[u8]) -> Vec<u8> {
    el(&[0xA3], &[&[0x80 | track, 0, 0, flags][..], frame].concat())
}

#[test]
fn matroska_tracks() {
    let bits10 = el(&[0x55, 0xB2], &[10]);
    let pq = el(&[0x55, 0xBA], &[16]);
    let ntsc = el(&[0x23, 0xE3, 0x83], &16_683_350u32.to_be_bytes());
    let avc = entry(1, 1, b"V_MPEG4/ISO/AVC\0\0", &[video_el(&[bits10.clone(), pq]), ntsc]);
    let info = webm(&[entry(2, 2, b"A_VORBIS", &[]), avc], &[]);
    assert_eq!((info.width, info.height), (Some(1920), Some(1080)));
    assert_eq!(
        (info.video_codec, info.bit_depth, info.transfer),
        (Some(VideoCodec::H264), Some(10), Some(Transfer::Pq))
    );
    assert_eq!(info.audio_codec, Some(AudioCodec::Other(*b"VORB")));
    assert!((info.frame_rate.unwrap() - 59.94).abs() < 0.001);

    let info = webm(&[entry(1, 1, b"V_VP8", &[video_el(&[])]), entry(2, 2, b"A_AAC/MPEG4/LC", &[])], &[]);
    assert_eq!((info.video_codec, info.bit_depth), (Some(VideoCodec::Other(*b"VP8 ")), Some(8)));
    assert_eq!((info.audio_codec, info.transfer, info.frame_rate), (Some(AudioCodec::Aac), None, None));
    let info = webm(&[entry(1, 1, b"V_MPEG4/ISO/ASP", &[video_el(&[el(&[0x55, 0xB2], &[0])])])], &[]);
    assert_eq!((info.video_codec, info.bit_depth), (Some(VideoCodec::Other(*b"MPEG")), None), "0 bits: unspecified");
    assert_eq!(webm(&[entry(1, 2, b"A_AC3", &[])], &[]).audio_codec, Some(AudioCodec::Other(*b"AC3 ")));

    // HEVC and AV1 depths from the CodecPrivate; BitsPerChannel first.
    let private = |codec: &[u8], record: &[u8], colour: &[Vec<u8>]| {
        webm(&[entry(1, 1, codec, &[video_el(colour), el(&[0x63, 0xA2], record)])], &[]).bit_depth
    };
    assert_eq!(private(b"V_MPEGH/ISO/HEVC", &hvcc(1, 2, 2), &[]), Some(10));
    assert_eq!(private(b"V_MPEGH/ISO/HEVC", &hvcc(1, 1, 0), &[bits10]), Some(10));
    assert_eq!(private(b"V_AV1", &[0x81, 0, 0x4C, 0], &[]), Some(10));
    assert_eq!(private(b"V_VP9", &[3, 1, 12], &[]), Some(12));
}

#[test]
fn vp9_depth_from_the_first_key_frame() {
    let key12 = from_bits(&format!("10 0 1 0 0 1 0 {VP9_SYNC} 1"));
    let vp9 = || entry(1, 1, b"V_VP9", &[video_el(&[])]);
    let opus = || entry(2, 2, b"A_OPUS", &[]);
    let depth = |blocks: &[Vec<u8>]| webm(&[vp9(), opus()], blocks).bit_depth;
    assert_eq!(
        depth(&[simple_block(2, 0x80, &[0xFC]), simple_block(1, 0x80, &key12)]),
        Some(12),
        "after an audio block"
    );
    let block_group = el(&[0xA0], &el(&[0xA1], &[&[0x81, 0, 0, 0][..], &key12].concat()));
    assert_eq!(depth(&[block_group]), Some(12));
    assert_eq!(depth(&[simple_block(1, 0x82, &key12)]), None, "laced");
    assert_eq!(depth(&[]), None, "no block");
    // A depth given elsewhere wins, and a track of another codec is not read.
    assert_eq!(
        webm(&[entry(1, 1, b"V_VP9", &[el(&[0x63, 0xA2], &[3, 1, 10])])], &[simple_block(1, 0x80, &key12)]).bit_depth,
        Some(10)
    );
    let av1 = webm(&[entry(1, 1, b"V_AV1", &[video_el(&[])])], &[simple_block(1, 0x80, &key12)]);
    assert_eq!((av1.video_codec, av1.bit_depth), (Some(VideoCodec::Av1), None));
}
