// Shared helpers for the cross-client tests: start a sluice-broker process on a free port with a
// fresh data directory, wait until it is ready, and stop it.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

export async function startBroker(bin, extraArgs = []) {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-compat-'));
  const port = await freePort();
  const child = spawn(bin, ['--listen', `127.0.0.1:${port}`, '--data-dir', join(dir, 'data'), ...extraArgs],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d.toString();
      if (out.includes('sluice-broker ready')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`sluice-broker exited early with ${code}`)));
  });
  return {
    bootstrap: `127.0.0.1:${port}`,
    async stop() {
      const exited = new Promise((resolve) => child.on('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs `fn(admin)` with a connected admin client of `kafka`, disconnecting it afterwards. */
export async function adminSession(kafka, fn) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
