import { IdSequence } from './id-sequence.js';

/** A team with a fixed number of seats; the owner is a member and takes one. */
export interface SandboxTeam {
  id: string;
  name: string;
  ownerId: string;
  seats: number;
  /** Owner first, then in the order people joined. */
  memberIds: string[];
  createdAt: string;
}

export type InviteStatus = 'pending' | 'accepted';

export interface SandboxInvite {
  id: string;
  teamId: string;
  /** Lower-cased, so an address matches however it was typed. */
  email: string;
  status: InviteStatus;
  createdAt: string;
}

export type InviteOutcome = { ok: true; invited: SandboxInvite[]; skipped: string[] } | { ok: false; reason: 'no-seats' };
export type AcceptOutcome = { ok: true; team: SandboxTeam; alreadyMember: boolean } | { ok: false; reason: 'team-full' | 'in-other-team'; team: SandboxTeam };

/**
 * Teams, seats and invites. A pending invite does not hold a seat: seats are taken on acceptance,
 * so a team may invite more people than it has room for and the first to accept get in.
 */
export class TeamStore {
  readonly teams = new Map<string, SandboxTeam>();
  readonly invites = new Map<string, SandboxInvite>();
  private readonly ids = new IdSequence();

  /** `emailOf` lets the team store recognise members by address without owning the users. */
  constructor(private readonly emailOf: (userId: string) => string | undefined) {}

  /** The caller checks that the owner is not in a team yet: a user is in at most one. */
  createTeam(ownerId: string, name: string, seats: number): SandboxTeam {
    if (this.teamOf(ownerId)) throw new Error(`user ${ownerId} is already in a team`);
    const team: SandboxTeam = { id: this.ids.next('team'), name, ownerId, seats, memberIds: [ownerId], createdAt: new Date().toISOString() };
    this.teams.set(team.id, team);
    return team;
  }

  /** The team the user owns or belongs to. */
  teamOf(userId: string): SandboxTeam | undefined {
    for (const team of this.teams.values()) if (team.memberIds.includes(userId)) return team;
    return undefined;
  }

  freeSeats(team: SandboxTeam): number {
    return Math.max(0, team.seats - team.memberIds.length);
  }

  invitesOf(teamId: string): SandboxInvite[] {
    return [...this.invites.values()].filter((i) => i.teamId === teamId);
  }

  pendingInvitesTo(email: string): SandboxInvite[] {
    const address = email.toLowerCase();
    return [...this.invites.values()].filter((i) => i.email === address && i.status === 'pending');
  }

  /**
   * Invites every address that is neither a member nor already invited; those are skipped, not
   * errors, so resubmitting the same list is harmless. A full team invites nobody.
   */
  invite(team: SandboxTeam, emails: readonly string[]): InviteOutcome {
    if (this.freeSeats(team) === 0) return { ok: false, reason: 'no-seats' };
    const members = new Set(team.memberIds.map((id) => this.emailOf(id)?.toLowerCase()));
    const pending = new Set(
      this.invitesOf(team.id)
        .filter((i) => i.status === 'pending')
        .map((i) => i.email),
    );
    const invited: SandboxInvite[] = [];
    const skipped: string[] = [];
    for (const raw of emails) {
      const email = raw.trim().toLowerCase();
      if (members.has(email) || pending.has(email)) {
        if (!skipped.includes(email)) skipped.push(email);
        continue;
      }
      const invite: SandboxInvite = { id: this.ids.next('inv'), teamId: team.id, email, status: 'pending', createdAt: new Date().toISOString() };
      this.invites.set(invite.id, invite);
      pending.add(email);
      invited.push(invite);
    }
    return { ok: true, invited, skipped };
  }

  /** The caller checks the invite is addressed to this user. Accepting twice is harmless. */
  accept(invite: SandboxInvite, userId: string): AcceptOutcome {
    const team = this.teams.get(invite.teamId);
    if (!team) throw new Error(`invite ${invite.id} names no team`);
    if (team.memberIds.includes(userId)) {
      invite.status = 'accepted';
      return { ok: true, team, alreadyMember: true };
    }
    if (this.teamOf(userId)) return { ok: false, reason: 'in-other-team', team };
    if (this.freeSeats(team) === 0) return { ok: false, reason: 'team-full', team };
    team.memberIds.push(userId);
    invite.status = 'accepted';
    return { ok: true, team, alreadyMember: false };
  }
}
