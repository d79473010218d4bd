import express, { type Router } from 'express';
import { html, layout } from '../html.js';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';
import { errorPage } from '../views/error-page.js';
import { requireUser } from './session.js';

/** Team invites addressed to my email, and accepting one. */
export function inboxRoutes(store: SandboxStore): Router {
  const router = express.Router();

  router.get('/inbox', requireUser(store), (_req, res) => {
    const user = res.locals.user as SandboxUser;
    const invites = store.teams.pendingInvitesTo(user.email);
    const items = invites.map((invite) => {
      const team = store.teams.teams.get(invite.teamId);
      return html`<li class="invite" data-invite-id="${invite.id}" data-team-id="${invite.teamId}">
  <span class="team-name">${team?.name ?? 'unknown team'}</span> invited you.
  <form class="accept-form" method="post" action="/invites/${invite.id}/accept"><button type="submit" class="accept-submit">Accept</button></form>
</li>`;
    });
    res.type('html').send(
      layout(
        'Inbox',
        html`<h1>Inbox</h1>
${invites.length === 0 ? html`<p id="inbox-empty">No invites.</p>` : ''}
<ul id="inbox-invites">${items}</ul>`,
        user.handle,
      ),
    );
  });

  router.post('/invites/:id/accept', requireUser(store), (req, res) => {
    const user = res.locals.user as SandboxUser;
    const invite = store.teams.invites.get(String(req.params.id));
    // Someone else's invite is answered like a missing one: its existence is not mine to learn.
    if (!invite || invite.email !== user.email.toLowerCase()) {
      res
        .status(404)
        .type('html')
        .send(errorPage('No such invite', 'This invite does not exist.', user.handle));
      return;
    }
    const outcome = store.teams.accept(invite, user.id);
    if (!outcome.ok) {
      const { team } = outcome;
      const message =
        outcome.reason === 'team-full'
          ? `${team.name} is full (${team.memberIds.length} of ${team.seats} seats used).`
          : `You are already in another team; a user can be in one team only.`;
      res
        .status(409)
        .type('html')
        .send(errorPage('Cannot join team', message, user.handle));
      return;
    }
    if (outcome.alreadyMember) {
      res
        .type('html')
        .send(
          layout(
            'Team',
            html`<h1>Team</h1><p id="accept-result">You are already a member of <span class="team-name">${outcome.team.name}</span>. <a href="/team">Go to the team</a></p>`,
            user.handle,
          ),
        );
      return;
    }
    res.redirect(303, '/team');
  });
  return router;
}
