// Residents for end-to-end tests: a web-chat visitor that keeps its session cookie like a
// browser, and an SMS resident whose webhooks are signed with Twilio's own SDK.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import twilio from 'twilio';

/** The Twilio account the tests configure (see smsSettings). */
export const twilioAccount = {
  authToken: 'e2e-auth-token-0123456789',
  accountSid: 'AC11111111111111111111111111111111',
  cityNumber: '+15550000311',
};

/** Config overrides for SMS: Twilio (and Vonage) pointed at `fakeUrl` ('' keeps sends queued). */
export function smsSettings(publicBase, fakeUrl = '', extra = {}) {
  return {
    server: { public_base_url: publicBase },
    sms: {
      twilio: { account_sid: twilioAccount.accountSid, auth_token: twilioAccount.authToken,
        from: twilioAccount.cityNumber, api_base_url: fakeUrl },
      vonage: { api_key: 'vkey', api_secret: 'vsecret', from: '15550000311', webhook_secret: 'vonage-secret-0123456789',
        api_base_url: fakeUrl },
      poll_interval_ms: 50, retry_initial_seconds: 1, retry_max_seconds: 1, ...extra,
    },
  };
}

/**
 * Runs SQL on the server's database file with the sqlite3 CLI; the output, trimmed. It waits up
 * to 5 s for the server's writer (which may be committing a moment after an answer, e.g. a
 * key's last use) instead of failing at once with "database is locked".
 */
export function sql(server, query) {
  return execFileSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dir, 'civicline.db'), query]).toString().trim();
}

let sidCounter = 0;

/**
 * Posts a Twilio webhook to `route`, signed by the SDK for `publicBase` + route unless
 * `signature` is given (null sends none); resolves to {status, type, body}.
 */
export async function postTwilio(server, publicBase, route, params,
  { signature, token = twilioAccount.authToken } = {}) {
  const sig = signature !== undefined ? signature
    : twilio.getExpectedTwilioSignature(token, `${publicBase}${route}`, params);
  const headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
  if (sig !== null) headers['X-Twilio-Signature'] = sig;
  const res = await fetch(`${server.url}${route}`, { method: 'POST', headers, body: new URLSearchParams(params).toString() });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

/** A resident texting from `from`; say() resolves to the reply texts. `server` is a function. */
export function smsResident(server, publicBase, from) {
  return {
    params(body, extra = {}) {
      return { MessageSid: `SM${String(++sidCounter).padStart(32, '0')}`, AccountSid: twilioAccount.accountSid,
        From: from, To: twilioAccount.cityNumber, Body: body, NumMedia: '0', ...extra };
    },
    async send(params) {
      const res = await postTwilio(server(), publicBase, '/sms/twilio', params);
      assert.equal(res.status, 200, res.body);
      assert.match(res.type, /^text\/xml/);
      return { xml: res.body, texts: [...res.body.matchAll(/<Message>([\s\S]*?)<\/Message>/g)].map((m) => m[1]) };
    },
    async say(body, extra) { return (await this.send(this.params(body, extra))).texts; },
  };
}

/** A web-chat visitor that keeps the session cookie the server sets; `server` is a function. */
export function chatVisitor(server) {
  let cookie;
  return {
    get cookie() { return cookie; },
    async say(text, extra = {}) {
      const res = await fetch(`${server().url}/chat/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) },
        body: JSON.stringify({ text, ...extra }),
      });
      const setCookie = res.headers.get('set-cookie');
      if (setCookie) cookie = setCookie.split(';')[0];
      assert.equal(res.status, 200, `for ${JSON.stringify(text).slice(0, 60)}`);
      const body = await res.json();
      return { ...body, texts: body.replies.map((r) => r.text), setCookie };
    },
  };
}

/**
 * Reports one problem through a new web-chat visitor: `text`, then answers to the category's
 * question if it asks one, until the bot asks to confirm; "yes". Resolves to the tracking id.
 */
export async function chatReport(server, text) {
  const visitor = chatVisitor(() => server);
  let reply = await visitor.say(text);
  for (const answer of ['no', 'large']) {
    if (reply.texts.join(' ').includes('YES')) break;
    reply = await visitor.say(answer);
  }
  assert.match(reply.texts.join(' '), /YES/, JSON.stringify(reply));
  const done = await visitor.say('yes');
  assert.match(done.tracking_id, /^311-\d{6}$/);
  return done.tracking_id;
}
