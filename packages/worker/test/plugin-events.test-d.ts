/**
 * A plugin's `ctx.emit` is typed from the contract: each plugin event's payload is its worker
 * event's schema without the fields the worker fills in. `vitest run` type-checks this file.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { DetectedMessage } from '@fleetwright/shared';
import type { JobContext, PluginEvents } from '@fleetwright/worker';

declare const ctx: JobContext;

describe('plugin events', () => {
  it('carry what a plugin knows, and nothing the worker fills in', () => {
    expectTypeOf<PluginEvents['qrcode']>().toEqualTypeOf<{ dataUrl: string }>();
    expectTypeOf<PluginEvents['login_status']>().toEqualTypeOf<{ status: 'waiting_scan' | 'success' | 'failed' | 'expired'; message?: string | undefined }>();
    expectTypeOf<PluginEvents['messages']>().toEqualTypeOf<{ messages: DetectedMessage[] }>();
    expectTypeOf<PluginEvents['reply']>().toEqualTypeOf<{ replyId: string; alreadyPosted: boolean }>();
  });

  it('refuse an unknown event or a wrong payload', () => {
    void ctx.emit('reply', { replyId: 'r', alreadyPosted: false });
    // @ts-expect-error not a plugin event
    void ctx.emit('replied', { replyId: 'r', alreadyPosted: false });
    // @ts-expect-error status is one of the login states
    void ctx.emit('login_status', { status: 'done' });
    // @ts-expect-error the worker fills in the job id
    void ctx.emit('qrcode', { dataUrl: 'data:image/png;base64,', jobId: 'j' });
  });
});
