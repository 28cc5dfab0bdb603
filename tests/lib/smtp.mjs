// smtp.mjs — a real SMTP server for the tests: Debian's aiosmtpd (python3-aiosmtpd) on a free
// port, writing every message it accepts to a Maildir in a temporary directory; messages() reads
// them back decoded (tests/lib/maildir.py). Never a mock: the daemon speaks SMTP to it.
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './daemon.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's, where python3-aiosmtpd is installed

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

export class SmtpSink {
  constructor(port) {
    this.port = port;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sanzhi-mail-'));
    for (const sub of ['new', 'cur', 'tmp']) fs.mkdirSync(path.join(this.dir, sub));
    this.proc = null;
  }

  get url() { return `smtp://127.0.0.1:${this.port}`; }

  async start() {
    this.log = '';
    this.proc = spawn(PYTHON, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${this.port}`,
      '-c', 'aiosmtpd.handlers.Mailbox', this.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.on('data', (b) => { this.log += b; });
    this.proc.stderr.on('data', (b) => { this.log += b; });
    this.exited = once(this.proc, 'exit');
    const deadline = Date.now() + 10000;
    while (!(await canConnect(this.port))) {
      if (this.proc.exitCode !== null) throw new Error(`aiosmtpd exited: ${this.log}`);
      if (Date.now() > deadline) throw new Error(`aiosmtpd did not listen: ${this.log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop() {
    if (!this.proc || this.proc.exitCode !== null) return;
    this.proc.kill('SIGTERM');
    await this.exited;
    this.proc = null;
  }

  remove() { fs.rmSync(this.dir, { recursive: true, force: true }); }

  // Every message received so far, decoded.
  messages() {
    if (!fs.existsSync(path.join(this.dir, 'new'))) return [];
    return JSON.parse(execFileSync(PYTHON, [path.join(HERE, 'maildir.py'), this.dir], { encoding: 'utf8' }));
  }

  // Waits until pred holds for the messages received (default 15 s); returns them.
  async waitFor(pred, { timeoutMs = 15000, what = 'mail' } = {}) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages();
      if (pred(m)) return m;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(m.map((x) => [x.rcpt_to, x.subject]))}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startSmtp({ port } = {}) {
  const s = new SmtpSink(port || await freePort());
  await s.start();
  return s;
}

// The SMTP settings for startDaemon({env}) that send to sink (quick retries for tests).
export function mailEnv(url, extra = {}) {
  return {
    SANZHI_SMTP_URL: url,
    SANZHI_MAIL_FROM: '海盐县民政局 <noreply@minzheng.example>',
    SANZHI_MAIL_POLL_MS: '200',
    SANZHI_MAIL_RETRY_SECONDS: '1',
    ...extra,
  };
}
