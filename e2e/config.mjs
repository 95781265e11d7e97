// Where the scenario runs and what it uploads: the site's address, the files, the time limits.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:9000').replace(/\/+$/, '');
export const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'clip.mp4');
export const OUT = path.join(ROOT, 'target', 'e2e');
// Made at run time (never committed): clip.mp4 padded with a trailing `free` box to 11.5 MiB,
// three parts at the 5 MiB part size of `make test` (MIN_PART_BYTES), still a valid MP4.
export const BIG_VIDEO = path.join(OUT, 'multipart.mp4');
export const BIG_VIDEO_BYTES = 11.5 * 1024 * 1024;
// Made at run time with ffmpeg (never committed): 4 s of HEVC tagged hvc1 with AAC in a QuickTime
// .mov at 640x360, as a phone records it. This Chromium cannot decode HEVC: the server converts it.
export const HEVC_VIDEO = path.join(OUT, 'hevc.mov');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery';
export const XSS_COMMENT = '<script>window.__xss=1</script> hello';

export const ACTION_TIMEOUT_MS = 15_000; // one click, fill or wait
export const UPLOAD_TIMEOUT_MS = 60_000; // create + PUT + complete + poster
export const STEP_TIMEOUT_MS = 120_000; // a whole step
export const CONVERT_TIMEOUT_MS = 90_000; // the local ffmpeg transcoder's ladder of a 4-second clip
export const CONVERT_STEP_TIMEOUT_MS = 180_000; // the step that waits for it
export const TOTAL_TIMEOUT_MS = 12 * 60_000; // the whole run
