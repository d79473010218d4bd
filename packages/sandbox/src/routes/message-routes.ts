import express, { type Response, type Router } from 'express';
import { z } from 'zod';
import { html, layout } from '../html.js';
import { isParticipant, otherParticipant, type SandboxConversation } from '../store/message-store.js';
import type { SandboxStore, SandboxUser } from '../store/sandbox-store.js';
import { errorAlert, errorPage } from '../views/error-page.js';
import { handleText } from '../views/handle-text.js';
import { throttleReplies } from './reply-throttle.js';
import { requireUser } from './session.js';
import { formBody, parseForm, PostedText } from './validation.js';

const MessageForm = z.object({ text: PostedText() });

/** Direct messages: my conversations, one conversation, and replying in it. */
export function messageRoutes(store: SandboxStore): Router {
  const router = express.Router();

  /** A conversation I am not in is answered exactly like one that does not exist: it is not mine to know about. */
  function myConversation(id: string, user: SandboxUser, res: Response): SandboxConversation | undefined {
    const conversation = store.messages.conversations.get(id);
    if (conversation && isParticipant(conversation, user.id)) return conversation;
    res
      .status(404)
      .type('html')
      .send(errorPage('No such conversation', 'This conversation does not exist.', user.handle));
    return undefined;
  }

  router.get('/messages', requireUser(store), (_req, res) => {
    const user = res.locals.user as SandboxUser;
    const conversations = store.messages.conversationsOf(user.id);
    const items = conversations.map((c) => {
      const other = store.users.get(otherParticipant(c, user.id));
      const last = store.messages.lastMessageIn(c.id);
      return html`<li class="conversation" data-conversation-id="${c.id}" data-with="${other?.handle}">
  <a href="/messages/${c.id}"><span class="with">@${other?.handle ?? 'unknown'}</span></a>
  <span class="last-message">${last?.text ?? ''}</span>
  ${last ? html`<time datetime="${last.createdAt}">${last.createdAt}</time>` : ''}
</li>`;
    });
    res.type('html').send(
      layout(
        'Messages',
        html`<h1>Messages</h1>
${conversations.length === 0 ? html`<p id="no-conversations">No conversations yet.</p>` : ''}
<ul id="conversations">${items}</ul>`,
        user.handle,
      ),
    );
  });

  router.get('/messages/:id', requireUser(store), (req, res) => {
    const user = res.locals.user as SandboxUser;
    const conversation = myConversation(String(req.params.id), user, res);
    if (!conversation) return;
    res.type('html').send(conversationPage(store, conversation, user));
  });

  router.post('/messages/:id', requireUser(store), formBody, throttleReplies(store), (req, res) => {
    const user = res.locals.user as SandboxUser;
    const conversation = myConversation(String(req.params.id), user, res);
    if (!conversation) return;
    const form = parseForm(MessageForm, req);
    if (!form.ok) {
      res
        .status(400)
        .type('html')
        .send(conversationPage(store, conversation, user, `Message ${form.message}.`));
      return;
    }
    store.messages.addMessage(conversation.id, user.id, form.data.text);
    store.replyPacing.recordAccepted(user.id);
    // Post/redirect/get: reloading the conversation must not send the message again.
    res.redirect(303, `/messages/${encodeURIComponent(conversation.id)}`);
  });
  return router;
}

function conversationPage(store: SandboxStore, conversation: SandboxConversation, user: SandboxUser, error?: string): string {
  const other = handleText(store, otherParticipant(conversation, user.id));
  const messages = store.messages.messagesIn(conversation.id);
  return layout(
    `Messages with ${other}`,
    html`<h1>Messages with <span id="conversation-with">${other}</span></h1>
<ul id="messages">${messages.map(
      (m) => html`<li class="message" data-message-id="${m.id}">
  <span class="author">${handleText(store, m.authorId)}</span>
  <time datetime="${m.createdAt}">${m.createdAt}</time>
  <p class="text">${m.text}</p>
</li>`,
    )}</ul>
${errorAlert(error)}
<form id="dm-reply-form" method="post" action="/messages/${conversation.id}">
  <label>Message <textarea name="text" required maxlength="5000"></textarea></label>
  <button type="submit" id="dm-reply-submit">Send</button>
</form>`,
    user.handle,
  );
}
