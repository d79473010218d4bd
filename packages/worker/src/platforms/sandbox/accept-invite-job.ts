import { z } from 'zod';
import { FleetError } from '@fleetwright/shared';
import { defineJob } from '../plugin.js';
import { step } from './job-step.js';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';
import { openSignedIn, pageAlert } from './signed-in-page.js';

export const AcceptInvitePayloadSchema = z.strictObject({
  /** The address the invite was sent to; for the log (the inbox shows only the account's own invites). */
  email: z.email().optional(),
});

export type AcceptInviteResult = { joined: true; team: string; skipped: false } | { joined: true; team: string; skipped: true; reason: string };

/**
 * A member accepts a team invite from the inbox. Already in a team: skipped, with the reason (a
 * sandbox user is in one team at most, so there is nothing left to accept).
 */
export function acceptInviteJob(baseUrl: string) {
  return defineJob({
    schema: AcceptInvitePayloadSchema,
    accountStep: 'team_join',
    async run(ctx, payload): Promise<AcceptInviteResult> {
      const page = await ctx.page();
      step(ctx, 10, 'check_team', 'checking whether I am in a team already');
      const me = await openSignedIn(page, baseUrl, SandboxUrls.team);
      if ((await page.locator(S.noTeam).count()) === 0) {
        const team = (await page.locator(S.teamName).innerText()).trim();
        const reason = `@${me} is already a member of team ${team}`;
        step(ctx, 100, 'already_joined', `${reason}; nothing to accept`);
        return { joined: true, team, skipped: true, reason };
      }

      step(ctx, 30, 'open_inbox', `looking for the invite${payload.email ? ` sent to ${payload.email}` : ''} in the inbox`);
      await openSignedIn(page, baseUrl, SandboxUrls.inbox);
      const invite = page.locator(S.inboxInvite).first();
      // Retryable: an accept sent right behind its invite may look before the invite lands.
      if ((await invite.count()) === 0)
        throw new FleetError('PLATFORM_ERROR', `no pending invite in @${me}'s inbox${payload.email ? ` (sent to ${payload.email})` : ''}`);
      const invitedTo = (await invite.locator(S.inviteTeamName).innerText()).trim();

      step(ctx, 60, 'accept_invite', `accepting the invite to team ${invitedTo}`);
      await Promise.all([page.waitForEvent('load'), invite.locator(S.acceptSubmit).click()]);
      const alert = await pageAlert(page);
      if (alert) throw new FleetError('PLATFORM_ERROR', `could not join team ${invitedTo}: ${alert}`, { retryable: false });
      if (await page.locator(S.acceptResult).count()) {
        const reason = `@${me} was already a member of team ${invitedTo}`;
        step(ctx, 100, 'already_joined', reason);
        return { joined: true, team: invitedTo, skipped: true, reason };
      }

      step(ctx, 90, 'verify_team', 'checking the team page lists me');
      const team = (await page.locator(S.teamName).innerText({ timeout: 10_000 })).trim();
      const isMember = await page.locator(S.member).evaluateAll((items, handle) => items.some((li) => li.getAttribute('data-handle') === handle), me);
      if (!isMember) throw new FleetError('PLATFORM_ERROR', `accepted the invite to ${team}, but its team page does not list @${me}`);
      step(ctx, 100, 'joined', `joined team ${team}`);
      return { joined: true, team, skipped: false };
    },
  });
}
