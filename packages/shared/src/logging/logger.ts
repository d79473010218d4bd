import path from 'node:path';
import winston from 'winston';
import type { LogLevel } from '../config/fleet-config.js';
import { redactText, redactValue } from './redact.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  /** Component name shown on each line (`master`, `worker:w1`). */
  name: string;
  /** @defaultValue `info` */
  level?: LogLevel;
  /** When set, JSON lines also go to `<dir>/<name>.log`. */
  dir?: string;
  /** @defaultValue true; tests turn the console off. */
  console?: boolean;
}

/** Redacts every record before any transport sees it, so no transport can leak a secret. */
const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (key === 'level') continue;
    const redacted = key === 'message' && typeof info[key] === 'string' ? redactText(info[key]) : redactValue({ [key]: info[key] });
    info[key] = key === 'message' && typeof info[key] === 'string' ? redacted : (redacted as Record<string, unknown>)[key];
  }
  return info;
});

const consoleLine = winston.format.printf((info) => {
  const { level, message, timestamp, component, ...rest } = info as Record<string, unknown>;
  const meta = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
  return `${String(timestamp)} ${String(level)} [${String(component)}] ${String(message)}${meta}`;
});

export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [];
  if (options.console !== false) {
    transports.push(new winston.transports.Console({ format: winston.format.combine(winston.format.colorize(), consoleLine) }));
  }
  if (options.dir) {
    transports.push(new winston.transports.File({ filename: path.join(options.dir, `${options.name.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`), format: winston.format.json() }));
  }
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { component: options.name },
    format: winston.format.combine(redactFormat(), winston.format.timestamp()),
    transports,
    // A logger with no transport warns on every write; a silent one keeps tests quiet.
    silent: transports.length === 0,
  });
}
