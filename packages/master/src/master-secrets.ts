import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { generateSecretKey, generateToken, parseSecretKey, registerSecret, type FleetConfig } from '@fleetwright/shared';

export interface MasterSecrets {
  secretKey: Buffer;
  workerToken: string;
  apiToken: string;
  /** Which of them were made now (and so should be printed once). */
  generated: ('secretKey' | 'workerToken' | 'apiToken')[];
}

interface SecretsFile {
  secretKey?: string;
  workerToken?: string;
  apiToken?: string;
}

/**
 * The env wins; what it leaves out is read from `<dataDir>/secrets.json`, or made and written
 * there (mode 0600), so the embedded default works on first start and survives restarts: a new
 * key each start would make every stored secret unreadable.
 */
export function loadOrCreateSecrets(config: Pick<FleetConfig, 'dataDir' | 'secretKey' | 'workerToken' | 'apiToken'>): MasterSecrets {
  const file = path.join(config.dataDir, 'secrets.json');
  const stored: SecretsFile = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SecretsFile) : {};
  const generated: MasterSecrets['generated'] = [];
  let changed = false;
  const storedKey = stored.secretKey ? parseSecretKey(stored.secretKey) : undefined;
  if (!config.secretKey && !storedKey) {
    stored.secretKey = generateSecretKey();
    generated.push('secretKey');
    changed = true;
  }
  if (!config.workerToken && !stored.workerToken) {
    stored.workerToken = generateToken('fww');
    generated.push('workerToken');
    changed = true;
  }
  if (!config.apiToken && !stored.apiToken) {
    stored.apiToken = generateToken('fwa');
    generated.push('apiToken');
    changed = true;
  }
  if (changed) {
    mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  const secrets: MasterSecrets = {
    secretKey: config.secretKey ?? parseSecretKey(stored.secretKey!)!,
    workerToken: config.workerToken ?? stored.workerToken!,
    apiToken: config.apiToken ?? stored.apiToken!,
    generated,
  };
  registerSecret(secrets.workerToken);
  registerSecret(secrets.apiToken);
  return secrets;
}
