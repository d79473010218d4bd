/** Every URL and selector the sandbox plugin uses, in one place. */
export const SandboxUrls = {
  login: '/login',
  home: '/home',
  comments: '/comments',
} as const;

export const SandboxSelectors = {
  loginForm: '#login-form',
  username: '#login-form input[name="username"]',
  password: '#login-form input[name="password"]',
  submit: '#login-submit',
  loginError: '.error[role="alert"]',
  whoami: '[data-testid="whoami"]',
  comment: 'li.comment',
  commentAuthor: '.author',
  commentText: '.text',
  commentTime: 'time',
} as const;
