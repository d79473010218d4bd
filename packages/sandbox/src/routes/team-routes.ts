import express, { type Router } from 'express';
import { z } from 'zod';
import { html, layout } from '../html.js';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';
import type { SandboxInvite, SandboxTeam } from '../store/team-store.js';
import { errorAlert, errorPage } from '../views/error-page.js';
import { requireUser } from './session.js';
import { formBody, parseForm } from './validation.js';

/** The invite box takes addresses separated by commas or new lines, as people paste them. */
const InviteForm = z.object({
  emails: z
    .string({ error: 'is required' })
    .transform((raw) =>
      raw
        .split(/[,\r\n]+/)
        .map((part) => part.trim())
        .filter((part) => part.length > 0),
    )
    .pipe(
      z
        .array(z.email({ error: (issue) => `${String(issue.input)} is not an email address` }))
        .min(1, 'list at least one email address')
        .max(100, 'invite at most 100 people at once'),
    ),
});

interface InviteResult {
  invited: SandboxInvite[];
  skipped: string[];
}

/** My team: members, seats, pending invites, and for the owner the invite form. */
export function teamRoutes(store: SandboxStore): Router {
  const router = express.Router();

  router.get('/team', requireUser(store), (_req, res) => {
    const user = res.locals.user as SandboxUser;
    const team = store.teams.teamOf(user.id);
    res.type('html').send(team ? teamPage(store, user, team) : noTeamPage(user));
  });

  router.post('/team/invites', requireUser(store), formBody, (req, res) => {
    const user = res.locals.user as SandboxUser;
    const team = store.teams.teamOf(user.id);
    if (!team) {
      res
        .status(404)
        .type('html')
        .send(errorPage('No team', 'You are not in a team, so you cannot invite anyone.', user.handle));
      return;
    }
    if (team.ownerId !== user.id) {
      res
        .status(403)
        .type('html')
        .send(teamPage(store, user, team, { error: 'Only the team owner can invite people.' }));
      return;
    }
    const form = parseForm(InviteForm, req);
    if (!form.ok) {
      res
        .status(400)
        .type('html')
        .send(teamPage(store, user, team, { error: `Nobody was invited: ${form.message}.` }));
      return;
    }
    const outcome = store.teams.invite(team, form.data.emails);
    if (!outcome.ok) {
      const error = `No seats left (${seatsText(team)}), so nobody was invited.`;
      res
        .status(409)
        .type('html')
        .send(teamPage(store, user, team, { error }));
      return;
    }
    // Rendered rather than redirected so the page can say who was skipped; resubmitting is harmless.
    res.type('html').send(teamPage(store, user, team, { result: outcome }));
  });
  return router;
}

function seatsText(team: SandboxTeam): string {
  return `${team.memberIds.length} of ${team.seats} seats used`;
}

function noTeamPage(user: SandboxUser): string {
  return layout('Team', html`<h1>Team</h1><p id="no-team">You are not in a team. Invites you receive are in your <a href="/inbox">inbox</a>.</p>`, user.handle);
}

function teamPage(store: SandboxStore, user: SandboxUser, team: SandboxTeam, notes: { result?: InviteResult; error?: string } = {}): string {
  const isOwner = team.ownerId === user.id;
  const pending = store.teams.invitesOf(team.id).filter((i) => i.status === 'pending');
  const members = team.memberIds.map((id) => store.users.get(id)).filter((m) => m !== undefined);
  return layout(
    'Team',
    html`<h1 id="team-name">${team.name}</h1>
<p id="team-seats" data-used="${team.memberIds.length}" data-seats="${team.seats}">${seatsText(team)}</p>
<h2>Members</h2>
<ul id="members">${members.map((m) => html`<li class="member" data-handle="${m.handle}">@${m.handle}${m.id === team.ownerId ? ' (owner)' : ''}</li>`)}</ul>
<h2>Pending invites</h2>
<ul id="invites">${pending.map((i) => html`<li class="invite" data-invite-id="${i.id}" data-email="${i.email}">${i.email}</li>`)}</ul>
${errorAlert(notes.error)}
${notes.result ? inviteResult(notes.result) : ''}
${isOwner ? inviteForm() : ''}`,
    user.handle,
  );
}

function inviteResult(result: InviteResult) {
  return html`<div id="invite-result" role="status">
  <p>Invited ${result.invited.length}, skipped ${result.skipped.length}.</p>
  <ul class="invited">${result.invited.map((i) => html`<li data-email="${i.email}">Invited ${i.email}</li>`)}</ul>
  <ul class="skipped">${result.skipped.map((email) => html`<li data-email="${email}">Skipped ${email}: already a member or already invited</li>`)}</ul>
</div>`;
}

function inviteForm() {
  return html`<h2>Invite people</h2>
<p>Seats are taken when an invite is accepted.</p>
<form id="invite-form" method="post" action="/team/invites">
  <label>Email addresses, separated by commas or new lines <textarea name="emails" required></textarea></label>
  <button type="submit" id="invite-submit">Send invites</button>
</form>`;
}
