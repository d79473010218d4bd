import { html, type SafeHtml } from '../html.js';
import type { SandboxComment, SandboxStore } from '../store/sandbox-store.js';
import { handleText } from './handle-text.js';

/**
 * The replies under a top-level comment. Appended after the comment's own children so a reader
 * that takes the first `.author` / `.text` / `time` inside `li.comment` still gets the comment's.
 */
export function replyList(store: SandboxStore, comment: SandboxComment): SafeHtml {
  return html`<ul class="replies">${store
    .repliesTo(comment.id)
    .map(
      (r) =>
        html`<li class="reply" data-comment-id="${r.id}" data-parent-id="${r.parentId}"><span class="author">${handleText(store, r.authorId)}</span> <time datetime="${r.createdAt}">${r.createdAt}</time> <p class="text">${r.text}</p></li>`,
    )}</ul>`;
}

export function replyForm(comment: SandboxComment): SafeHtml {
  return html`<form class="reply-form" method="post" action="/comments/${comment.id}/replies">
  <label>Reply <textarea name="text" required maxlength="5000"></textarea></label>
  <button type="submit" class="reply-submit">Reply</button>
</form>`;
}
