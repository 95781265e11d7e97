//! Clips made with ffmpeg at test time, once per test process: test patterns
//! of 2 s at 10 fps with a tone, fast to make and to transcode. ffmpeg and
//! ffprobe come from Debian (`make test` installs them when missing).

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// 640x360 H.264 High 8-bit BT.709 + AAC in MP4: every browser plays it.
pub fn h264_mp4() -> &'static [u8] {
    static CLIP: OnceLock<Vec<u8>> = OnceLock::new();
    CLIP.get_or_init(|| {
        make(
            "h264.mp4",
            "640x360",
            &["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p"],
            &["-color_primaries", "bt709", "-color_trc", "bt709", "-colorspace", "bt709", "-movflags", "+faststart"],
        )
    })
}

/// 1280x720 HEVC tagged `hvc1` + AAC in QuickTime, as phones record it.
pub fn hevc_mov() -> &'static [u8] {
    static CLIP: OnceLock<Vec<u8>> = OnceLock::new();
    CLIP.get_or_init(|| make("hevc.mov", "1280x720", X265, &["-movflags", "+faststart", "-f", "mov"]))
}

/// 640x360 HEVC Main 10, HLG BT.2020, + AAC in QuickTime.
pub fn hlg_mov() -> &'static [u8] {
    static CLIP: OnceLock<Vec<u8>> = OnceLock::new();
    CLIP.get_or_init(|| {
        #[rustfmt::skip]
        let hlg = [
            "-pix_fmt", "yuv420p10le",
            "-color_primaries", "bt2020", "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc",
            "-movflags", "+faststart", "-f", "mov",
        ];
        make("hlg.mov", "640x360", X265, &hlg)
    })
}

/// 3840x2160 H.264 + AAC in MP4: a codec every browser plays, at a size to scale down.
pub fn uhd_mp4() -> &'static [u8] {
    static CLIP: OnceLock<Vec<u8>> = OnceLock::new();
    CLIP.get_or_init(|| {
        let h264 = ["-c:v", "libx264", "-profile:v", "high", "-pix_fmt", "yuv420p", "-crf", "40"];
        make("uhd.mp4", "3840x2160", &h264, &["-movflags", "+faststart"])
    })
}

/// `clip` as a phone held upright writes it: its video track's matrix turns
/// the stored landscape frame a quarter for display (tkhd version 0).
pub fn turned_upright(clip: &[u8]) -> Vec<u8> {
    let mut bytes = clip.to_vec();
    let mut from = 0;
    while let Some(at) = bytes[from..].windows(4).position(|w| w == b"tkhd").map(|p| from + p) {
        let (body, width_at) = (at + 4, at + 4 + 76);
        let width = u32::from_be_bytes(bytes[width_at..width_at + 4].try_into().unwrap());
        if width > 0 {
            let matrix = body + 40;
            for (n, value) in [(0, 0u32), (1, 0x0001_0000), (3, 0xFFFF_0000), (4, 0)] {
                bytes[matrix + 4 * n..matrix + 4 * n + 4].copy_from_slice(&value.to_be_bytes());
            }
            return bytes;
        }
        from = at + 4;
    }
    panic!("the clip has no video track header");
}

/// `clip` with every `mdat` box's payload zeroed: the index the sniffer
/// reads is intact, the frames no decoder can read.
pub fn undecodable(clip: &[u8]) -> Vec<u8> {
    let mut bytes = clip.to_vec();
    let mut offset = 0usize;
    while offset + 8 <= bytes.len() {
        let size = u32::from_be_bytes(bytes[offset..offset + 4].try_into().unwrap()) as usize;
        let end = if size == 0 { bytes.len() } else { (offset + size).min(bytes.len()) };
        if &bytes[offset + 4..offset + 8] == b"mdat" {
            bytes[offset + 8..end].fill(0);
        }
        if size < 8 {
            break; // a 64-bit or to-the-end box: the clips here have none
        }
        offset = end;
    }
    assert_ne!(bytes, clip, "the clip has no mdat box");
    bytes
}

const X265: &[&str] = &["-c:v", "libx265", "-x265-params", "log-level=error", "-tag:v", "hvc1"];

/// Makes `name` from a `size` test pattern and a tone with the video codec
/// options `video` and the container options `container`; its bytes.
fn make(name: &str, size: &str, video: &[&str], container: &[&str]) -> Vec<u8> {
    let path = scratch().join(name);
    let pattern = format!("testsrc2=size={size}:rate=10");
    #[rustfmt::skip]
    let mut args = vec![
        "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "lavfi", "-i", &pattern, "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
        "-t", "2", "-preset", "ultrafast", "-threads", "2",
    ];
    args.extend(video);
    args.extend(["-c:a", "aac", "-b:a", "64k"]);
    args.extend(container);
    let status = Command::new("ffmpeg").args(&args).arg(&path).status();
    assert!(
        status.as_ref().is_ok_and(|s| s.success()),
        "ffmpeg could not make {name} ({status:?}); `make test` installs it (infra/tools/install-ffmpeg.sh)"
    );
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let _ = std::fs::remove_file(&path);
    bytes
}

/// This process's folder for making clips (each is read back, then removed).
fn scratch() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("vidlet-test-media-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        dir
    })
}

/// What ffprobe says of the first video stream of `bytes` (a segment, say):
/// its `entries` (e.g. `codec_name,pix_fmt,height`) by name.
pub fn probe_video(bytes: &[u8], entries: &str) -> HashMap<String, String> {
    let mut child = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-of", "default=noprint_wrappers=1"])
        .args(["-show_entries", &format!("stream={entries}"), "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ffprobe runs");
    // ffprobe may stop reading once it knows enough: a broken pipe is no failure.
    let _ = child.stdin.take().expect("stdin").write_all(bytes);
    let output = child.wait_with_output().expect("ffprobe ends");
    assert!(output.status.success(), "ffprobe: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_once('='))
        .map(|(key, value)| (key.to_owned(), value.to_owned()))
        .collect()
}
