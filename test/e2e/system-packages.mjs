#!/usr/bin/env node
// The Debian packages the end-to-end tests run for real (Prometheus, promtool, node_exporter...).
// `npm test` runs this first: as root it installs what is missing with apt-get; otherwise it says what
// to install. The tests themselves fail, loudly, when a program is still missing.
import { execFileSync, spawnSync } from 'node:child_process';

const PACKAGES = {
  prometheus: ['prometheus', 'promtool'],
  'prometheus-node-exporter': ['prometheus-node-exporter'],
  'prometheus-blackbox-exporter': ['prometheus-blackbox-exporter'],
  'prometheus-alertmanager': ['prometheus-alertmanager'],
  // The admin page is tested in a real browser, driven by playwright-core (no browser download).
  chromium: ['chromium'],
};

const onPath = (program) => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;
const missing = Object.entries(PACKAGES)
  .filter(([, programs]) => !programs.every(onPath))
  .map(([pkg]) => pkg);

if (missing.length === 0) process.exit(0);
if (process.getuid?.() !== 0) {
  process.stderr.write(`end-to-end tests need: sudo apt-get install -y ${missing.join(' ')}\n`);
  process.exit(0);
}
process.stderr.write(`installing ${missing.join(', ')} for the end-to-end tests\n`);
const apt = (args) =>
  execFileSync('apt-get', args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
apt(['update', '-qq']);
apt(['install', '-y', '-qq', '--no-install-recommends', ...missing]);
