import { open, seal } from '@fleetwright/shared';

/** Seals secrets at rest with the master's key; `aad` binds each value to its row and column. */
export class SecretBox {
  constructor(private readonly key: Buffer) {}

  seal(value: string, aad: string): string {
    return seal(value, this.key, aad);
  }

  open(sealed: string, aad: string): string {
    return open(sealed, this.key, aad);
  }
}
