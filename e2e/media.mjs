// The videos the scenario makes at run time (never committed), in target/e2e/.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { FIXTURE } from './config.mjs';
import { AssertionError } from './harness.mjs';

/** An MP4 stays valid with an extra top-level `free` box after its moov and mdat. */
export function writePaddedVideo(target, bytes) {
  const clip = readFileSync(FIXTURE);
  const padding = Buffer.alloc(bytes - clip.length);
  padding.writeUInt32BE(padding.length, 0);
  padding.write('free', 4, 'latin1');
  writeFileSync(target, Buffer.concat([clip, padding]));
}

/** The HEVC clip, made with ffmpeg: testsrc2 and a 440 Hz tone, libx265 tagged hvc1, AAC. */
export function writeHevcVideo(target) {
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '4', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error',
      '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-shortest',
      '-movflags', '+faststart', target], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'ffmpeg is not installed (infra/tools/install-ffmpeg.sh)' : String(err.stderr || err.message).trim();
    throw new AssertionError(`could not make the HEVC clip: ${why.split('\n')[0]}`);
  }
}
