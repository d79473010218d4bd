import type { Request, Response, NextFunction } from 'express';
import type { SandboxStore } from './store/sandbox-store.js';
import { currentUser } from './routes/session.js';

export const FENCE_HEADER = 'x-fleet-fence';

export interface FenceViolation {
  userId: string;
  handle: string;
  seen: number;
  highest: number;
  path: string;
  at: string;
}

/**
 * The independent judge of profile exclusivity: a request whose fencing token is lower than one
 * already seen for the same account means two holders used the profile at once.
 */
export class FenceOracle {
  private readonly highest = new Map<string, number>();
  readonly violations: FenceViolation[] = [];
  requestsWithFence = 0;

  middleware(store: SandboxStore) {
    return (req: Request, _res: Response, next: NextFunction): void => {
      const raw = req.get(FENCE_HEADER);
      const user = raw === undefined ? undefined : currentUser(store, req);
      if (raw !== undefined && user && /^\d+$/.test(raw)) {
        const token = Number(raw);
        this.requestsWithFence += 1;
        const top = this.highest.get(user.id) ?? 0;
        if (token < top)
          this.violations.push({ userId: user.id, handle: user.handle, seen: token, highest: top, path: req.path, at: new Date().toISOString() });
        else this.highest.set(user.id, token);
      }
      next();
    };
  }
}
