import { FleetError, MasterEvent, onValidated, type Logger } from '@fleetwright/shared';
import type { WorkerSocket } from '../connection/master-connection.js';
import type { AccountRegistry } from '../runner/account-registry.js';
import type { LiveSessions } from './live-sessions.js';

/** Refuses a command for an account this worker does not hold at that epoch. */
function checkHeld(accounts: AccountRegistry, accountId: string, epoch: number): void {
  const account = accounts.get(accountId);
  if (!account) throw new FleetError('NOT_OWNER', `account ${accountId} is not assigned to this worker`, { field: 'accountId' });
  if (account.epoch !== epoch) throw new FleetError('STALE_EPOCH', `epoch ${epoch} differs from the assignment's ${account.epoch}`, { field: 'epoch' });
}

/** The master's live-view and takeover commands: watch, input, claim and release. */
export function bindLiveCommands(socket: WorkerSocket, live: LiveSessions, accounts: AccountRegistry, logger: Logger): void {
  onValidated(
    socket,
    MasterEvent.LiveWatch,
    async (command) => {
      // Stopping is always allowed: an account that moved away must not keep streaming.
      if (command.watching) checkHeld(accounts, command.accountId, command.epoch);
      await live.setWatching(command.accountId, command.watching);
    },
    logger,
  );
  onValidated(
    socket,
    MasterEvent.Takeover,
    (command) => {
      if (command.action === 'release') {
        live.release(command.accountId);
        return;
      }
      checkHeld(accounts, command.accountId, command.epoch);
      live.claim(command.accountId, command.hold);
    },
    logger,
  );
  onValidated(
    socket,
    MasterEvent.LiveInput,
    async (command) => {
      checkHeld(accounts, command.accountId, command.epoch);
      await live.input(command.accountId, command.input);
    },
    logger,
  );
}
