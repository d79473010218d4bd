import type { PlatformPlugin } from '../plugin.js';
import { crawlJob } from './crawl-job.js';
import { loginJob } from './login-job.js';

export interface SandboxPluginOptions {
  /** Where the sandbox site is served. */
  baseUrl: string;
}

/** The reference plugin: automates the sandbox platform. */
export function createSandboxPlugin(options: SandboxPluginOptions): PlatformPlugin {
  return {
    platform: 'sandbox',
    jobs: {
      login: loginJob(options.baseUrl),
      crawl: crawlJob(options.baseUrl),
    },
  };
}
