import type { PlatformPlugin } from '../plugin.js';
import { acceptInviteJob } from './accept-invite-job.js';
import { crawlJob } from './crawl-job.js';
import { inviteJob } from './invite-job.js';
import { loginJob } from './login-job.js';
import { replyJob } from './reply-job.js';

export interface SandboxPluginOptions {
  /** Where the sandbox site is served. */
  baseUrl: string;
}

/** The reference plugin: automates the sandbox platform. See docs/plugins.md for the walk-through. */
export function createSandboxPlugin(options: SandboxPluginOptions): PlatformPlugin {
  return {
    platform: 'sandbox',
    // The sandbox refuses (and its oracle records) requests with a stale fence: it is fence-aware.
    fenceOrigins: [new URL(options.baseUrl).origin],
    jobs: {
      login: loginJob(options.baseUrl),
      crawl: crawlJob(options.baseUrl),
      reply: replyJob(options.baseUrl),
      invite: inviteJob(options.baseUrl),
      accept_invite: acceptInviteJob(options.baseUrl),
    },
  };
}
