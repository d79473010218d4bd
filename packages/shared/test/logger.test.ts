import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, registerSecret, type Logger } from '@fleetwright/shared';

let dir: string;
let logger: Logger | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fleet-logger-'));
});

afterEach(async () => {
  if (logger) await endLogger(logger);
  logger = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

const ending = new WeakMap<Logger, Promise<unknown>>();

/** Ends `target` once and waits for 'finish'; winston's stream does not expose `writableEnded`, so we remember. */
function endLogger(target: Logger): Promise<unknown> {
  let done = ending.get(target);
  if (!done) {
    done = once(target, 'finish');
    target.end();
    ending.set(target, done);
  }
  return done;
}

/** Ends the logger, then waits until the file transport has written `count` lines (its flush lags 'finish'). */
async function readLogLines(file: string, count: number): Promise<Array<Record<string, unknown>>> {
  await endLogger(logger!);
  const deadline = Date.now() + 5_000;
  for (;;) {
    const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    if (lines.length >= count) return lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    if (Date.now() > deadline) throw new Error(`log file ${file} has ${lines.length} of ${count} lines: ${text}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('createLogger', () => {
  it('writes JSON lines with no secret from a field, the message or a proxy URL', async () => {
    logger = createLogger({ name: 'worker:w1', dir, console: false });
    registerSecret('registered-secret-xyz');
    logger.info('logging in via http://bob:proxy-pass-111@proxy.local:8080 with registered-secret-xyz', {
      password: 'field-pass-222',
      accountId: 'acct-1',
      account: { credentials: { username: 'alice', password: 'nested-pass-333' }, proxy: 'http://u:proxy-pass-444@h:1' },
      target: 'https://carol:url-pass-555@platform.example/login',
      headers: { authorization: 'Bearer bearer-token-666' },
    });
    logger.warn('second line with token fw_not_a_secret_word');

    // The name's ':' is not safe in a file name, so the file is worker_w1.log.
    const file = path.join(dir, 'worker_w1.log');
    const [first, second] = await readLogLines(file, 2);
    const raw = fs.readFileSync(file, 'utf8');

    for (const secret of [
      'proxy-pass-111',
      'registered-secret-xyz',
      'field-pass-222',
      'nested-pass-333',
      'proxy-pass-444',
      'url-pass-555',
      'bearer-token-666',
    ]) {
      expect(raw).not.toContain(secret);
    }
    expect(first).toMatchObject({
      level: 'info',
      component: 'worker:w1',
      accountId: 'acct-1',
      password: '[redacted]',
      account: { credentials: '[redacted]', proxy: '[redacted]' },
      target: 'https://carol:****@platform.example/login',
      headers: { authorization: '[redacted]' },
    });
    expect(first?.message).toBe('logging in via http://bob:****@proxy.local:8080 with [redacted]');
    expect(typeof first?.timestamp).toBe('string');
    expect(second).toMatchObject({ level: 'warn', message: 'second line with token fw_not_a_secret_word' });
  });

  it('drops records below its level', async () => {
    logger = createLogger({ name: 'quiet', level: 'warn', dir, console: false });
    logger.info('not written');
    logger.error('written');
    const lines = await readLogLines(path.join(dir, 'quiet.log'), 1);
    expect(lines.map((line) => line.message)).toEqual(['written']);
  });

  it('writes nothing anywhere when it has neither console nor directory', () => {
    logger = createLogger({ name: 'silent', console: false });
    expect(logger.silent).toBe(true);
    expect(() => logger!.info('nothing')).not.toThrow();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
