//! The one ffmpeg command that makes every rung of a ladder: a filter graph
//! that splits and scales the video, and one HLS output per rung.

use std::path::Path;

use crate::domain::ladder::{
    rounded_frame_rate, rung_playlist, segment_pattern, AUDIO_BITRATE, AUDIO_SAMPLE_RATE, SEGMENT_SECONDS,
};
use crate::ports::TranscodeJob;

use super::probe::{InputStreams, HDR_TRANSFERS};

/// Encoder and decoder threads: a local machine shares its cores with the rest of the stack.
const THREADS: &str = "2";

/// HDR to SDR BT.709: linear light, BT.709 primaries, Hable's curve, then
/// BT.709 transfer and matrix, limited range, 8-bit 4:2:0. `input` holds the
/// first zscale's extra options: the target size, and the source's colour
/// when the file does not say it.
fn tone_map_chain(input: &str) -> String {
    format!(
        "zscale={input}t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=hable:desat=0,\
         zscale=t=bt709:m=bt709:r=tv,format=yuv420p"
    )
}

/// Whether the renditions need tone mapping: the stream's transfer is HLG or
/// PQ, or it names none and the probe at `/complete` said HDR (Dolby Vision,
/// say). A stream that says SDR is taken at its word.
pub fn needs_tone_map(job: &TranscodeJob, input: &InputStreams) -> bool {
    match input.color_transfer.as_deref() {
        Some(transfer) => HDR_TRANSFERS.contains(&transfer),
        None => job.tone_map,
    }
}

/// `[0:v:0]…split=N[s0]…;[s0]scale=W:H[v0];…`: the `[v{i}]` pads are the rungs.
pub fn filter_graph(job: &TranscodeJob, input: &InputStreams) -> String {
    let mut head = String::from("[0:v:0]");
    if needs_tone_map(job, input) {
        // Tone-mapped once, at the top rung's size (never more pixels than needed).
        // The job's sizes are as shown (the probe applies a phone's quarter turn, and
        // ffmpeg turns the frames the same way before the filters).
        let top = job.rungs.first().map(|rung| (rung.width, rung.height));
        let mut options = top.map(|(w, h)| format!("w={w}:h={h}:")).unwrap_or_default();
        // What the stream does not say is assumed: PQ, BT.2020.
        if input.color_transfer.is_none() {
            options.push_str("tin=smpte2084:");
        }
        if input.color_space.is_none() {
            options.push_str("min=bt2020nc:");
        }
        if input.color_primaries.is_none() {
            options.push_str("pin=bt2020:");
        }
        head.push_str(&tone_map_chain(&options));
        head.push(',');
    }
    let count = job.rungs.len();
    let split: String = (0..count).map(|i| format!("[s{i}]")).collect();
    let scales: Vec<String> = job
        .rungs
        .iter()
        .enumerate()
        .map(|(i, rung)| {
            let (w, h) = (rung.width, rung.height);
            format!("[s{i}]scale={w}:{h}[v{i}]")
        })
        .collect();
    format!("{head}split={count}{split};{}", scales.join(";"))
}

/// The output frame rate as ffmpeg reads it, at most three decimals.
pub fn frame_rate_arg(rate: f64) -> String {
    format!("{}", rounded_frame_rate(rate))
}

/// Frames per GOP: one segment's worth, so that every segment starts with a key frame.
pub fn gop_frames(rate: f64) -> u32 {
    (rate * f64::from(SEGMENT_SECONDS)).round().max(1.0) as u32
}

/// The whole argument list: `input` is the downloaded original, `dir` where
/// the playlists and segments go; with sound when `audio`.
pub fn ffmpeg_args(
    job: &TranscodeJob,
    input: &InputStreams,
    input_path: &Path,
    dir: &Path,
    audio: bool,
) -> Vec<String> {
    let mut args: Vec<String> =
        ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-y", "-threads", THREADS]
            .map(String::from)
            .to_vec();
    args.extend(["-i".into(), input_path.display().to_string()]);
    args.extend(["-filter_complex".into(), filter_graph(job, input)]);
    let gop = gop_frames(job.frame_rate).to_string();
    let rate = frame_rate_arg(job.frame_rate);
    for (i, rung) in job.rungs.iter().enumerate() {
        let maxrate = rung.video_bitrate.to_string();
        let bufsize = (u64::from(rung.video_bitrate) * 2).to_string();
        args.extend(["-map".into(), format!("[v{i}]")]);
        if audio {
            args.extend(["-map", "0:a:0"].map(String::from));
        }
        #[rustfmt::skip]
        let video = [
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p",
            "-crf", "23", "-maxrate", &maxrate, "-bufsize", &bufsize,
            "-g", &gop, "-keyint_min", &gop, "-sc_threshold", "0", "-r", &rate,
            "-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-color_range", "tv",
            "-threads", THREADS,
        ];
        args.extend(video.map(String::from));
        if audio {
            let (bitrate, sample_rate) = (AUDIO_BITRATE.to_string(), AUDIO_SAMPLE_RATE.to_string());
            args.extend(["-c:a", "aac", "-b:a", &bitrate, "-ar", &sample_rate, "-ac", "2"].map(String::from));
        }
        let segments = dir.join(segment_pattern(&rung.name));
        let seconds = SEGMENT_SECONDS.to_string();
        #[rustfmt::skip]
        let hls = [
            "-f", "hls", "-hls_time", &seconds, "-hls_playlist_type", "vod", "-hls_segment_type", "mpegts",
            "-hls_flags", "independent_segments", "-start_number", "1",
        ];
        args.extend(hls.map(String::from));
        args.extend(["-hls_segment_filename".into(), segments.display().to_string()]);
        args.push(dir.join(rung_playlist(&rung.name)).display().to_string());
    }
    args
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ladder::rungs_for;

    fn job(tone_map: bool) -> TranscodeJob {
        TranscodeJob {
            video_id: "v".into(),
            input_key: "videos/v".into(),
            output_prefix: "hls/v/".into(),
            rungs: rungs_for(1280, 720),
            audio: true,
            tone_map,
            frame_rate: 30.0,
        }
    }

    fn sdr() -> InputStreams {
        InputStreams { has_audio: true, ..InputStreams::default() }
    }

    #[test]
    fn the_graph_splits_once_and_scales_each_rung_to_its_size() {
        assert_eq!(
            filter_graph(&job(false), &sdr()),
            "[0:v:0]split=3[s0][s1][s2];[s0]scale=1280:720[v0];[s1]scale=960:540[v1];[s2]scale=640:360[v2]"
        );
    }

    #[test]
    fn hdr_is_tone_mapped_once_at_the_top_rungs_size() {
        let hlg = InputStreams {
            color_transfer: Some("arib-std-b67".into()),
            color_space: Some("bt2020nc".into()),
            color_primaries: Some("bt2020".into()),
            ..sdr()
        };
        let graph = filter_graph(&job(false), &hlg);
        assert!(graph.starts_with("[0:v:0]zscale=w=1280:h=720:t=linear:npl=100,format=gbrpf32le,"), "{graph}");
        assert!(graph.contains("tonemap=hable:desat=0,zscale=t=bt709:m=bt709:r=tv,format=yuv420p,split=3"), "{graph}");
        // Untagged but known to be HDR: the source's colour is assumed.
        let untagged = filter_graph(&job(true), &sdr());
        assert!(
            untagged.starts_with("[0:v:0]zscale=w=1280:h=720:tin=smpte2084:min=bt2020nc:pin=bt2020:"),
            "{untagged}"
        );
    }

    #[test]
    fn each_rung_is_an_hls_output_with_its_names_and_rates() {
        let args = ffmpeg_args(&job(false), &sdr(), Path::new("/in/original"), Path::new("/out"), true);
        let line = args.join(" ");
        assert!(line.contains("-i /in/original"));
        for (name, maxrate, bufsize) in [("720p", 3_000_000, 6_000_000), ("360p", 800_000, 1_600_000)] {
            let segments = format!("-hls_segment_filename /out/master_{name}_%05d.ts /out/master_{name}.m3u8");
            assert!(line.contains(&segments), "{line}");
            assert!(line.contains(&format!("-maxrate {maxrate} -bufsize {bufsize}")), "{line}");
        }
        assert_eq!(line.matches("-map 0:a:0").count(), 3);
        assert_eq!(line.matches("-g 180 -keyint_min 180 -sc_threshold 0 -r 30").count(), 3);
        assert_eq!(line.matches("-start_number 1").count(), 3);
        let silent = ffmpeg_args(&job(false), &sdr(), Path::new("/in/original"), Path::new("/out"), false).join(" ");
        assert!(!silent.contains("0:a:0") && !silent.contains("-c:a"), "{silent}");
    }

    #[test]
    fn frame_rates_and_gops_follow_the_source() {
        assert_eq!(frame_rate_arg(30.0), "30");
        assert_eq!(frame_rate_arg(30000.0 / 1001.0), "29.97");
        assert_eq!(gop_frames(30000.0 / 1001.0), 180);
        assert_eq!(gop_frames(25.0), 150);
        assert_eq!(gop_frames(10.0), 60);
    }
}
