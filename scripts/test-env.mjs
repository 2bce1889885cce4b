#!/usr/bin/env node
// Makes sure the system tools the test suite drives are present: ffmpeg (MP4/WebM output), Chromium (editor
// end-to-end tests) and redis-server (the distributed queue's tests start their own on a free port). On Debian as root they are installed with apt-get; elsewhere the user is told what to install,
// and the tests that need a missing tool report it by name.
import { execFileSync, spawnSync } from 'node:child_process';

const tools = [
  { bin: 'ffmpeg', pkg: 'ffmpeg', why: 'MP4/WebM video output' },
  { bin: 'chromium', pkg: 'chromium', why: 'editor end-to-end tests in headless Chromium' },
  { bin: 'redis-server', pkg: 'redis-server', why: 'distributed mode tests (BullMQ on a real Redis)' },
];

const onPath = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
const missing = tools.filter((t) => !onPath(t.bin));
if (missing.length === 0) process.exit(0);

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = onPath('apt-get');
if (isRoot && hasApt) {
  const pkgs = missing.map((t) => t.pkg);
  console.log(`[test-env] installing ${pkgs.join(', ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
} else {
  for (const t of missing) {
    console.warn(`[test-env] ${t.bin} is not on PATH (needed for ${t.why}); install the "${t.pkg}" package.`);
  }
}
