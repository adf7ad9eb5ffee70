#!/usr/bin/env node
// Starts the telegram-test-api emulator (pinned in package-lock.json) on 127.0.0.1 and corrects,
// on the emulator's side, where it differs from the real Bot API, so that libao's bot runs against
// it unchanged but for its base_url. Measured with telegram-test-api 4.2.1 and python-telegram-bot 22.8:
//
//   getMe                lacks is_bot (PTB refuses the User)                 -> full bot user
//   sendMessage          `date` in milliseconds, no `from`                   -> seconds, bot as `from`
//   callback updates     lack chat_instance (required by PTB)                -> added
//   editMessageText      answers result: null                                -> the edited Message
//   answerCallbackQuery  answers result: null                                -> true
//   setMyCommands, answerInlineQuery, getChatMember, … answer HTTP 500       -> stubbed (and recorded)
//   getUpdates           ignores offset and timeout                          -> honoured (long polling)
//
// Test-only extras under /_libao/: every Bot API call the bot made (/_libao/calls), bot messages
// of a chat with long polling (/_libao/botMessages), and a timeline of user messages and bot
// replies with sub-millisecond timestamps for the benchmark (/_libao/timeline).
//
// Several bot instances: a base URL of /i/NAME/bot<token>/… is the Bot API as instance NAME sees it
// (its calls are recorded with `instance`). getUpdates behaves as Telegram's with two consumers: a
// second request while another is waiting ends the earlier one with 409 Conflict; every
// getUpdates is recorded with its start and end (`t`, `end`) and whether it was cut short.
//
// Usage: node launcher.js [--port N] ; prints {"port": N} on stdout once listening.
'use strict';

const express = require('express');
const TelegramServer = require('telegram-test-api');

const args = process.argv.slice(2);
const portArg = args.indexOf('--port');
const port = portArg >= 0 ? Number(args[portArg + 1]) : 0;
const HOST = '127.0.0.1';

const BOT_USER = {
  id: 666, is_bot: true, first_name: 'Test First name', username: 'TestNameBot',
  can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: true,
};
const STUBBED = {
  setMyCommands: true, deleteMyCommands: true, getMyCommands: [], setChatMenuButton: true,
  answerInlineQuery: true, sendChatAction: true, close: true, logOut: true,
  getChatMember: { status: 'left', user: { id: 0, is_bot: false, first_name: '?' } },
};

const server = new TelegramServer({ port, host: HOST, storeTimeout: 120 });
const calls = [];
const timeline = [];
const now = () => Number(process.hrtime.bigint()) / 1e6;

const app = express();
app.use(express.json({ limit: '5mb' }));
app.use(express.urlencoded({ extended: true, limit: '5mb' }));

// Which instance is calling (see the header): the prefix is taken off before routing.
app.use((req, res, next) => {
  const m = req.url.match(/^\/i\/([A-Za-z0-9_-]+)(\/bot.*)$/);
  if (m) {
    req.instance = m[1];
    req.url = m[2];
  }
  next();
});

function params(req) {
  const p = { ...req.query, ...req.body };
  for (const key of ['reply_markup', 'entities', 'commands', 'results', 'reply_parameters']) {
    if (typeof p[key] === 'string') {
      try { p[key] = JSON.parse(p[key]); } catch (e) { /* leave as sent */ }
    }
  }
  return p;
}

let caller;  // the instance of the request being recorded (set by the route before `record`)
function record(method, p, instance = caller) {
  calls.push({ method, params: p, t: now(), instance });
}
app.use((req, res, next) => { caller = req.instance; next(); });

function asMessage(stored) {
  const m = stored.message;
  const chatId = Number(m.chat_id);
  const msg = {
    message_id: stored.messageId,
    date: Math.floor(stored.time / 1000),
    from: BOT_USER,
    chat: chatId > 0 ? { id: chatId, type: 'private', first_name: 'User' } : { id: chatId, type: 'supergroup', title: 'Group' },
    text: m.text,
  };
  if (m.reply_markup && m.reply_markup.inline_keyboard) msg.reply_markup = m.reply_markup;
  return msg;
}

function fixUpdate(update) {
  if (update.raw) return { update_id: update.updateId, ...update.raw };
  const u = TelegramServer.formatUpdate(update);
  if (u.callback_query) {
    const q = u.callback_query;
    const chat = q.message && q.message.chat ? q.message.chat.id : q.from.id;
    q.chat_instance = String(chat);
  }
  return u;
}

function waitFor(events, ms) {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const e of events) server.off(e, done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const e of events) server.on(e, done);
  });
}
const USER_EVENTS = ['AddedUserMessage', 'AddedUserCommand', 'AddedUserCallbackQuery'];
server.setMaxListeners(0);

// --- injected faults (test-only): POST /_libao/faults {method, fault, times, chatId?} -------------
// fault: "500" | "429" | "403" | "400" (Telegram's error answers) or "lost" (the call takes effect,
// then the connection is dropped before any answer: "delivered but no response").
const faults = [];
const FAULT_ANSWERS = {
  500: { ok: false, error_code: 500, description: 'Internal Server Error' },
  429: { ok: false, error_code: 429, description: 'Too Many Requests: retry after 1', parameters: { retry_after: 1 } },
  403: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
  400: { ok: false, error_code: 400, description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' },
};
app.all('/bot:token/:method', (req, res, next) => {
  const p = params(req);
  const i = faults.findIndex((f) => f.method === req.params.method
    && (f.chatId === undefined || String(f.chatId) === String(p.chat_id)));
  if (i < 0) { next(); return; }
  const fault = faults[i];
  fault.times -= 1;
  if (fault.times <= 0) faults.splice(i, 1);
  calls.push({ method: req.params.method, params: p, t: now(), fault: fault.fault, instance: req.instance });
  if (fault.fault === 'lost') {
    res.json = () => { req.socket.destroy(); return res; };
    next();
    return;
  }
  res.status(Number(fault.fault)).json(FAULT_ANSWERS[fault.fault]);
});

// --- Bot API side -------------------------------------------------------------------------------
const polling = new Map();  // token -> the waiting getUpdates: {entry, cut}
const CONFLICT = { ok: false, error_code: 409, description: 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running' };
app.all('/bot:token/getUpdates', async (req, res) => {
  const { token } = req.params;
  const p = params(req);
  const entry = { method: 'getUpdates', params: p, t: now(), instance: req.instance };
  calls.push(entry);
  const earlier = polling.get(token);
  if (earlier) earlier.cut();
  let cut = false;
  let wake = () => {};
  const mine = { entry, cut: () => { cut = true; entry.conflict = true; wake(); } };
  polling.set(token, mine);
  const finish = () => {
    if (polling.get(token) === mine) polling.delete(token);
    if (entry.end === undefined) entry.end = now();
  };
  res.on('close', finish);  // a consumer that went away (killed) waits no more
  const offset = Number(p.offset || 0);
  const limit = Math.min(Number(p.limit || 100), 100);
  const timeout = Math.min(Number(p.timeout || 0), 50);
  if (offset) {
    server.storage.userMessages = server.storage.userMessages.filter(
      (u) => !(u.botToken === token && u.updateId < offset));
  }
  const pending = () => server.storage.userMessages
    .filter((u) => u.botToken === token && u.updateId >= offset).slice(0, limit);
  let updates = pending();
  if (!updates.length && timeout > 0) {
    await Promise.race([waitFor(USER_EVENTS, timeout * 1000), new Promise((resolve) => { wake = resolve; })]);
    updates = cut ? [] : pending();
  }
  finish();
  if (cut) {
    res.status(409).json(CONFLICT);
    return;
  }
  res.json({ ok: true, result: updates.map(fixUpdate) });
});

app.all('/bot:token/getMe', (req, res) => {
  record('getMe', {});
  res.json({ ok: true, result: BOT_USER });
});

app.all('/bot:token/sendMessage', (req, res) => {
  const p = params(req);
  record('sendMessage', p);
  const result = server.addBotMessage({ ...p }, req.params.token);
  timeline.push({ kind: 'bot', chat: Number(p.chat_id), t: now() });
  const stored = server.storage.botMessages[server.storage.botMessages.length - 1];
  res.json({ ok: true, result: { ...asMessage(stored), message_id: result.message_id } });
});

function editRoute(method, apply) {
  app.all(`/bot:token/${method}`, (req, res) => {
    const p = params(req);
    record(method, p);
    apply(p);
    const stored = server.storage.botMessages.find(
      (u) => String(u.messageId) === String(p.message_id) && String(u.message.chat_id) === String(p.chat_id));
    if (!stored) {
      res.status(400).json({ ok: false, error_code: 400, description: 'Bad Request: message to edit not found' });
      return;
    }
    stored.edited = (stored.edited || 0) + 1;
    res.json({ ok: true, result: asMessage(stored) });
  });
}
editRoute('editMessageText', (p) => server.editMessageText({ ...p }));
editRoute('editMessageReplyMarkup', (p) => server.editMessageReplyMarkup({ ...p }));

app.all('/bot:token/answerCallbackQuery', (req, res) => {
  record('answerCallbackQuery', params(req));
  res.json({ ok: true, result: true });
});

for (const [method, result] of Object.entries(STUBBED)) {
  app.all(`/bot:token/${method}`, (req, res) => {
    record(method, params(req));
    res.json({ ok: true, result });
  });
}

// --- client side: note when a user message arrives, then let the emulator store it ---------------
for (const route of ['/sendMessage', '/sendCommand', '/sendCallback']) {
  app.post(route, (req, res, next) => {
    const chat = req.body.message && req.body.message.chat ? req.body.message.chat.id
      : (req.body.chat ? req.body.chat.id : undefined);
    timeline.push({ kind: 'user', chat: Number(chat), t: now() });
    next();
  });
}

// --- test-only extras ----------------------------------------------------------------------------
app.get('/_libao/calls', (req, res) => res.json({ ok: true, result: calls }));
app.get('/_libao/timeline', (req, res) => res.json({ ok: true, result: timeline }));
// An update the emulator has no client route for (inline queries), queued as Telegram would send it.
app.post('/_libao/sendRaw', (req, res) => {
  const { botToken, update } = req.body;
  server.storage.userMessages.push({ ...server.getCommonFields(botToken), raw: update });
  server.updateId += 1;
  server.emit('AddedUserMessage');
  res.json({ ok: true, result: true });
});
app.post('/_libao/faults', (req, res) => {
  faults.push({ times: 1, ...req.body });
  res.json({ ok: true, result: faults.length });
});
app.post('/_libao/reset', (req, res) => {
  faults.length = 0;
  calls.length = 0;
  timeline.length = 0;
  res.json({ ok: true, result: true });
});
// Bot messages to chatId with message_id > after, waiting up to `timeout` seconds for the first.
app.post('/_libao/botMessages', async (req, res) => {
  const chatId = String(req.body.chatId);
  const after = Number(req.body.after || 0);
  const timeout = Math.min(Number(req.body.timeout || 0), 60);
  const found = () => server.storage.botMessages
    .filter((u) => String(u.message.chat_id) === chatId && u.messageId > after).map(asMessage);
  const deadline = Date.now() + timeout * 1000;
  let result = found();
  while (!result.length && Date.now() < deadline) {
    await waitFor(['AddedBotMessage'], deadline - Date.now());
    result = found();
  }
  res.json({ ok: true, result });
});
app.post('/_libao/message', (req, res) => {
  const stored = server.storage.botMessages.find(
    (u) => String(u.messageId) === String(req.body.messageId) && String(u.message.chat_id) === String(req.body.chatId));
  res.json({ ok: true, result: stored ? { ...asMessage(stored), edited: stored.edited || 0 } : null });
});

// Everything else: the emulator itself.
app.use(server.webServer);

const http = app.listen(port, HOST, () => {
  server.started = true;
  server.cleanUpDaemon();
  process.stdout.write(`${JSON.stringify({ port: http.address().port })}\n`);
});
const stop = () => {
  if (server.cleanUpDaemonInterval) clearInterval(server.cleanUpDaemonInterval);
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The test runner owns us: exit when it goes away (stdin closes).
process.stdin.on('end', stop);
process.stdin.resume();
