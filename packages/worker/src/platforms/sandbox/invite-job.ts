import { z } from 'zod';
import { FleetError } from '@fleetwright/shared';
import { defineJob } from '../plugin.js';
import { step } from './job-step.js';
import { SandboxSelectors as S, SandboxUrls } from './sandbox-site.js';
import { openSignedIn, pageAlert } from './signed-in-page.js';

export const InvitePayloadSchema = z.strictObject({
  /** Who to invite to the account's team. */
  emails: z.array(z.email()).min(1).max(100),
});

export interface InviteResult {
  team: string;
  /** Invites sent by this run. */
  invited: string[];
  /** Already members or already invited: nothing to send. */
  skipped: string[];
}

/**
 * The team owner invites people by email. Safe to repeat: pending invites are skipped before
 * submitting, and the site itself skips members (the team page shows them by handle, not email).
 */
export function inviteJob(baseUrl: string) {
  return defineJob({
    schema: InvitePayloadSchema,
    accountStep: 'invite',
    async run(ctx, payload): Promise<InviteResult> {
      const page = await ctx.page();
      step(ctx, 10, 'open_team', 'opening my team');
      const me = await openSignedIn(page, baseUrl, SandboxUrls.team);
      if (await page.locator(S.noTeam).count())
        throw new FleetError('PLATFORM_ERROR', `@${me} is not in a team, so cannot invite anyone`, { retryable: false });
      const team = (await page.locator(S.teamName).innerText()).trim();
      if ((await page.locator(S.inviteSubmit).count()) === 0)
        throw new FleetError('PLATFORM_ERROR', `@${me} is not the owner of team ${team}, so cannot invite anyone`, { retryable: false });

      step(ctx, 30, 'read_invites', `reading the pending invites of team ${team}`);
      const pending = new Set(
        await page.locator(S.pendingInvite).evaluateAll((items) => items.map((li) => (li.getAttribute('data-email') ?? '').toLowerCase())),
      );
      const wanted = [...new Set(payload.emails.map((e) => e.trim().toLowerCase()))];
      const alreadyInvited = wanted.filter((e) => pending.has(e));
      const toSend = wanted.filter((e) => !pending.has(e));
      if (toSend.length === 0) {
        step(ctx, 100, 'done', `all ${wanted.length} already invited; nothing sent`);
        return { team, invited: [], skipped: alreadyInvited };
      }

      step(ctx, 50, 'send_invites', `inviting ${toSend.length} (${alreadyInvited.length} already invited)`);
      await page.fill(S.inviteEmails, toSend.join('\n'));
      await Promise.all([page.waitForEvent('load'), page.click(S.inviteSubmit)]);
      const alert = await pageAlert(page);
      if (alert) throw new FleetError('PLATFORM_ERROR', `team ${team} refused the invites: ${alert}`, { retryable: false });

      step(ctx, 80, 'read_result', 'reading who was invited and who was skipped');
      const emailsIn = (selector: string) => page.locator(selector).evaluateAll((items) => items.map((li) => li.getAttribute('data-email') ?? ''));
      await page.locator(S.inviteResult).waitFor({ timeout: 10_000 });
      const invited = await emailsIn(S.invitedEmail);
      const skipped = [...alreadyInvited, ...(await emailsIn(S.skippedEmail))];
      step(ctx, 100, 'done', `invited ${invited.length}, skipped ${skipped.length}${skipped.length ? `: ${skipped.join(', ')}` : ''}`);
      return { team, invited, skipped };
    },
  });
}
