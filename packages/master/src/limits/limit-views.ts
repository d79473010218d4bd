import type { LimitPauseView, LimitView } from '@fleetwright/shared';
import type { LimitRecord, PauseRecord } from '../store/backend/limits-backend.js';

export function limitView(limit: LimitRecord): LimitView {
  return {
    id: limit.id,
    scope: limit.scope,
    target: limit.target,
    jobType: limit.jobType,
    rule: limit.rule,
    createdAt: new Date(limit.createdAt).toISOString(),
    updatedAt: new Date(limit.updatedAt).toISOString(),
  };
}

export function pauseView(pause: PauseRecord): LimitPauseView {
  return { scope: pause.scope, target: pause.target, until: new Date(pause.until).toISOString(), reason: pause.reason };
}
