import express, { type Router } from 'express';
import { z } from 'zod';
import type { SandboxStore } from '../../store/sandbox-store.js';
import type { SandboxTeam } from '../../store/team-store.js';
import { notFound, parseJson, sendAdminError, userOr404 } from './admin-json.js';

const TeamBody = z.strictObject({
  /** Handle or email of the owner, who becomes the first member. */
  owner: z.string().min(1),
  name: z.string().trim().min(1).max(100),
  seats: z.int().min(1).max(1000),
});
const TeamInvitesBody = z.strictObject({ emails: z.array(z.email()).min(1).max(100) });

/** A team as the admin JSON shows it: people by handle, invites with their state. */
export function teamView(store: SandboxStore, team: SandboxTeam) {
  const handleOf = (id: string): string => store.users.get(id)?.handle ?? 'unknown';
  return {
    id: team.id,
    name: team.name,
    owner: handleOf(team.ownerId),
    seats: team.seats,
    members: team.memberIds.map(handleOf),
    invites: store.teams.invitesOf(team.id).map((i) => ({ id: i.id, email: i.email, status: i.status })),
  };
}

/** Seeds and inspects teams for tests and the demo. */
export function teamAdminRoutes(store: SandboxStore): Router {
  const router = express.Router();

  router.post('/teams', (req, res) => {
    const body = parseJson(TeamBody, req, res);
    if (!body) return;
    const owner = userOr404(store, res, body.owner, 'owner');
    if (!owner) return;
    const current = store.teams.teamOf(owner.id);
    if (current) return sendAdminError(res, 'CONFLICT', `owner: ${owner.handle} is already in team ${current.id}`, 'owner');
    const team = store.teams.createTeam(owner.id, body.name, body.seats);
    res.status(201).json(teamView(store, team));
  });

  router.get('/teams/:id', (req, res) => {
    const team = store.teams.teams.get(req.params.id);
    if (!team) return notFound(res, 'id', `no team ${req.params.id}`);
    res.json(teamView(store, team));
  });

  /** The owner's invite form, as JSON: same skipping and seat rule. */
  router.post('/teams/:id/invites', (req, res) => {
    const team = store.teams.teams.get(req.params.id);
    if (!team) return notFound(res, 'id', `no team ${req.params.id}`);
    const body = parseJson(TeamInvitesBody, req, res);
    if (!body) return;
    const outcome = store.teams.invite(team, body.emails);
    if (!outcome.ok) return sendAdminError(res, 'TEAM_FULL', `team ${team.id} has no free seat`, 'emails');
    res.status(201).json({ invited: outcome.invited.map((i) => ({ id: i.id, email: i.email, status: i.status })), skipped: outcome.skipped });
  });
  return router;
}
