import path from 'node:path';
import winston from 'winston';
import DailyRotateFile from 'winston-daily-rotate-file';
import type { LogLevel } from '../config/fleet-config.js';
import { redactText, redactValue } from './redact.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  /** Component name shown on each line (`master`, `worker:w1`). */
  name: string;
  /** @defaultValue `info` */
  level?: LogLevel;
  /**
   * When set, JSON lines also go to `<dir>/<name>-<date>.log`, rotated daily and by size, with
   * `<dir>/<name>.log` a symlink to the current file (see {@link logFileName}).
   */
  dir?: string;
  /** @defaultValue true; tests turn the console off. */
  console?: boolean;
  /** ANSI colours on the console. @defaultValue whether stdout is a terminal (PM2's log files stay plain) */
  colors?: boolean;
  /** A log file is rotated when it reaches this size (`10m`, `500k`). @defaultValue `20m` */
  maxFileSize?: string;
  /** Files kept per component, oldest removed first. @defaultValue 14 */
  maxFiles?: number;
}

export const DEFAULT_LOG_FILE_SIZE = '20m';
export const DEFAULT_LOG_FILES = 14;

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

/** The component's name made safe for a file name (`worker:w1` → `worker_w1`). */
function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** `<stem>.log`: the symlink that always points at the component's current log file. */
export function logFileName(name: string): string {
  return `${fileStem(name)}.log`;
}

export function createLogger(options: LoggerOptions): Logger {
  const transports: winston.transport[] = [];
  if (options.console !== false) {
    const colors = options.colors ?? process.stdout.isTTY === true;
    transports.push(new winston.transports.Console({ format: colors ? winston.format.combine(winston.format.colorize(), consoleLine) : consoleLine }));
  }
  if (options.dir) {
    const stem = fileStem(options.name);
    // winston's own File transport drops lines when it rotates during a burst; this one does not.
    transports.push(
      new DailyRotateFile({
        dirname: options.dir,
        filename: `${stem}-%DATE%.log`,
        datePattern: 'YYYY-MM-DD',
        maxSize: options.maxFileSize ?? DEFAULT_LOG_FILE_SIZE,
        maxFiles: options.maxFiles ?? DEFAULT_LOG_FILES,
        auditFile: path.join(options.dir, `.${stem}-audit.json`),
        createSymlink: true,
        symlinkName: logFileName(options.name),
        format: winston.format.json(),
      }),
    );
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
