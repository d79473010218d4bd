import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { FleetError } from '../errors/fleet-error.js';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Accepts 64 hex characters or base64 of exactly 32 bytes. */
export function parseSecretKey(text: string): Buffer | undefined {
  const trimmed = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (/^[A-Za-z0-9+/_-]+=*$/.test(trimmed)) {
    const key = Buffer.from(trimmed, 'base64');
    if (key.length === 32) return key;
  }
  return undefined;
}

export function generateSecretKey(): string {
  return randomBytes(32).toString('hex');
}

/**
 * AES-256-GCM. `aad` binds a sealed value to its place (an account id, say), so a value copied
 * into another row does not open.
 */
export function seal(plaintext: string, key: Buffer, aad?: string): string {
  if (key.length !== 32) throw new FleetError('INTERNAL_ERROR', `a secret key must be 32 bytes (got ${key.length})`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  if (aad) cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

export function open(sealed: string, key: Buffer, aad?: string): string {
  const parts = sealed.split(':');
  const [version, iv, tag, body] = parts;
  if (parts.length !== 4 || version !== VERSION || !iv || !tag || body === undefined)
    throw new FleetError('INTERNAL_ERROR', 'sealed value has an unknown format');
  if (Buffer.from(tag, 'base64').length !== TAG_BYTES) throw new FleetError('INTERNAL_ERROR', 'sealed value has a truncated authentication tag');
  try {
    // A fixed tag length: GCM would otherwise accept a truncated tag, which makes forgery far easier.
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), { authTagLength: TAG_BYTES });
    if (aad) decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
  } catch (error) {
    throw new FleetError('INTERNAL_ERROR', 'sealed value does not open with this key (wrong FLEET_SECRET_KEY or tampered data)', { cause: error });
  }
}
