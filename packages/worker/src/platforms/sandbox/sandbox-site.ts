/**
 * Every URL and selector the sandbox plugin uses, in one place: when the site changes, this is the
 * only file to touch.
 */
export const SandboxUrls = {
  login: '/login',
  qrLogin: '/login/qr',
  home: '/home',
  comments: '/comments',
  post: (postId: string) => `/posts/${encodeURIComponent(postId)}`,
  messages: '/messages',
  conversation: (conversationId: string) => `/messages/${encodeURIComponent(conversationId)}`,
  team: '/team',
  inbox: '/inbox',
} as const;

export const SandboxSelectors = {
  // Sign-in
  loginForm: '#login-form',
  username: '#login-form input[name="username"]',
  password: '#login-form input[name="password"]',
  submit: '#login-submit',
  /** Every page of the site says what went wrong here: the login form, error pages, other forms. */
  errorAlert: '.error[role="alert"]',
  whoami: '[data-testid="whoami"]',
  /** The second factor's form: the site waits for the code its user's phone shows. */
  secondFactorForm: '#second-factor-form',
  qrImage: 'img#qr-image',
  qrExpires: '#qr-expires',

  // Comments on my posts (/comments) and a post's page (/posts/:id)
  comment: 'li.comment',
  commentById: (id: string) => `li.comment[data-comment-id="${cssString(id)}"]`,
  commentAuthor: '.author',
  commentText: '.text',
  commentTime: 'time',
  reply: 'li.reply',
  replyById: (id: string) => `li.reply[data-comment-id="${cssString(id)}"]`,
  replyText: 'textarea[name="text"]',
  replySubmit: 'button.reply-submit',

  // Direct messages (/messages, /messages/:id)
  conversation: 'li.conversation',
  message: 'li.message',
  messageAuthor: '.author',
  messageText: '.text',
  messageTime: 'time',
  dmText: '#dm-reply-form textarea[name="text"]',
  dmSubmit: '#dm-reply-submit',

  // Teams (/team) and the inbox (/inbox)
  noTeam: '#no-team',
  teamName: '#team-name',
  teamSeats: '#team-seats',
  member: 'li.member',
  pendingInvite: '#invites li.invite',
  inviteEmails: '#invite-form textarea[name="emails"]',
  inviteSubmit: '#invite-submit',
  inviteResult: '#invite-result',
  invitedEmail: '#invite-result ul.invited li',
  skippedEmail: '#invite-result ul.skipped li',
  inboxInvite: '#inbox-invites li.invite',
  inviteTeamName: '.team-name',
  acceptSubmit: 'button.accept-submit',
  acceptResult: '#accept-result',
} as const;

/** Ids go into attribute selectors; quotes and backslashes must not end the string early. */
function cssString(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}
