import type { ResolvedBrowserManagerOptions } from './browser-manager-options.js';
import type { ContextLauncher } from './context-launcher.js';
import { PersistentChromiumLauncher } from './persistent-launcher.js';
import { RemoteContextLauncher } from './remote-launcher.js';
import { SharedChromiumLauncher } from './shared-launcher.js';

/** The launcher the options ask for: remote browsers when given, else local Chromium in the chosen mode. */
export function createContextLauncher(options: ResolvedBrowserManagerOptions): ContextLauncher {
  if (options.remote) return new RemoteContextLauncher(options.remote);
  const local = {
    dataDir: options.dataDir,
    chromiumPath: options.chromiumPath,
    headless: options.headless,
    sandbox: options.chromiumSandbox,
    logger: options.logger,
  };
  if (options.browserMode === 'shared') return new SharedChromiumLauncher({ ...local, contextsPerBrowser: options.contextsPerBrowser });
  return new PersistentChromiumLauncher(local);
}
