/**
 * A flow is a parent job with two stages: a lead job on one account, then, once the lead has
 * succeeded, one follower job for each member. A failed lead fails the flow. A member whose account
 * already finished the step the follower moves (as its platform's plugin declares it) is skipped.
 */
export interface FlowDefinition {
  /** The parent job's type. */
  type: string;
  /** The first stage's job type. */
  leadType: string;
  /** The job type each member gets once the lead succeeded. */
  followerType: string;
}

/** An owner invites members to its team; each member then accepts. */
export const INVITE_FLOW: FlowDefinition = { type: 'invite_flow', leadType: 'invite', followerType: 'accept_invite' };

const FLOWS = new Map<string, FlowDefinition>([[INVITE_FLOW.type, INVITE_FLOW]]);

/** The flow a parent job of `type` runs, if it is a flow. */
export function flowOfType(type: string): FlowDefinition | undefined {
  return FLOWS.get(type);
}
