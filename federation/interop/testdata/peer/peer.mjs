// Herd interoperability peer: a real ActivityPub server built on Fedify,
// with one actor and a JSON control API under /control for Go tests.
//
// Environment:
//   PEER_PORT       TCP port to listen on (0 or unset: any free port)
//   PEER_HOST       address to bind and to use in the origin (127.0.0.1)
//   PEER_USERNAME   the actor's identifier and preferredUsername (peer)
//   PEER_LOG_LEVEL  debug | info | warning | error (info); logs go to stderr
//   PEER_REQUIRE_HTTP_SIGNATURE  1 (default): inbox POSTs must carry a valid
//                   HTTP signature, even when a Linked Data signature or an
//                   object integrity proof would satisfy Fedify on its own
//   PEER_ED25519    1 (default): also give the actor an Ed25519 key (FEP-521a),
//                   which makes Fedify attach FEP-8b32 proofs to activities
//   PEER_RSA_BITS   RSA modulus length (2048)
//   PEER_HTTP_HOSTS comma-separated host names whose https:// URLs are
//                   fetched over plain http (default: loopback names only)
//   PEER_EXIT_ON_STDIN_CLOSE  1: exit when stdin reaches EOF, so that the
//                   peer never outlives the Go test process that started it
//
// When it is ready the peer prints exactly one line on stdout:
//   {"ready":true,"origin":"http://127.0.0.1:PORT","actor":"…","handle":"…"}
// Everything else (logs) goes to stderr.

import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import { randomUUID } from "node:crypto";
import process from "node:process";
import {
  Accept,
  Activity,
  Announce,
  Block,
  Collection,
  Create,
  createFederation,
  Delete,
  Document,
  Endpoints,
  exportJwk,
  Follow,
  generateCryptoKeyPair,
  InProcessMessageQueue,
  isActor,
  Like,
  lookupWebFinger,
  Mention,
  MemoryKvStore,
  Note,
  Person,
  PUBLIC_COLLECTION,
  Question,
  Reject,
  Tombstone,
  Undo,
  Update,
  verifyRequest,
} from "@fedify/fedify";
import { configure, getLogger, getTextFormatter, isLogLevel } from "@logtape/logtape";
import { Temporal } from "@js-temporal/polyfill";

const env = process.env;
const HOST = env.PEER_HOST || "127.0.0.1";
const USERNAME = env.PEER_USERNAME || "peer";
const LOG_LEVEL = env.PEER_LOG_LEVEL || "info";
const REQUIRE_HTTP_SIGNATURE = env.PEER_REQUIRE_HTTP_SIGNATURE !== "0";
const USE_ED25519 = env.PEER_ED25519 !== "0";
const RSA_BITS = Number(env.PEER_RSA_BITS || 2048);
const MAX_BODY = 1 << 20; // bytes, like Mastodon's inbox limit
const PLAIN_HTTP_HOSTS = new Set(
  (env.PEER_HTTP_HOSTS || "127.0.0.1,localhost,[::1],::1")
    .split(",").map((h) => h.trim().toLowerCase()).filter((h) => h !== ""),
);

// ---------------------------------------------------------------------------
// Logging: LogTape (Fedify's logger) to stderr only; stdout is for the ready
// line.

if (!isLogLevel(LOG_LEVEL)) {
  process.stderr.write(`PEER_LOG_LEVEL=${LOG_LEVEL} is not a log level (debug, info, warning, error, fatal)\n`);
  process.exit(2);
}
const textFormatter = getTextFormatter({ timestamp: "date-time" });
await configure({
  contextLocalStorage: new AsyncLocalStorage(),
  sinks: {
    stderr: (record) => process.stderr.write(textFormatter(record)),
  },
  loggers: [
    { category: "fedify", lowestLevel: LOG_LEVEL, sinks: ["stderr"] },
    { category: "peer", lowestLevel: LOG_LEVEL, sinks: ["stderr"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["stderr"] },
  ],
});
const log = getLogger(["peer"]);

// ---------------------------------------------------------------------------
// Plain-HTTP test origins. Fedify resolves an acct: handle with
// https://HOST/.well-known/webfinger and never tries http. Test servers on
// loopback speak plain HTTP, so GET requests for https://<loopback>/… are sent
// as http://<loopback>/… instead. Nothing else is rewritten: actor, inbox and
// object URLs are used exactly as the documents give them.

const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const href = input instanceof Request ? input.url : String(input);
  let url;
  try {
    url = new URL(href);
  } catch {
    return realFetch(input, init);
  }
  const method = (input instanceof Request ? input.method : init?.method) ?? "GET";
  if (
    url.protocol === "https:" && PLAIN_HTTP_HOSTS.has(url.hostname.toLowerCase()) &&
    (method === "GET" || method === "HEAD")
  ) {
    url.protocol = "http:";
    log.debug("Fetching {from} over plain HTTP as {to}.", { from: href, to: url.href });
    input = input instanceof Request ? new Request(url, input) : url.href;
  }
  return realFetch(input, init);
};

// ---------------------------------------------------------------------------
// State (in memory; POST /control/reset clears it).

/** A KvStore whose contents can be dropped: a MemoryKvStore behind a handle. */
class ResettableKvStore {
  constructor() {
    this.inner = new MemoryKvStore();
  }
  get(key) {
    return this.inner.get(key);
  }
  set(key, value, options) {
    return this.inner.set(key, value, options);
  }
  delete(key) {
    return this.inner.delete(key);
  }
  reset() {
    this.inner = new MemoryKvStore();
  }
}

function newState() {
  return {
    inbox: [], // recorded, verified inbound activities
    rejected: [], // inbound deliveries answered with an error status
    errors: [], // failures while reacting to inbound activities
    sent: [], // outbound activities and where they went
    followers: new Map(), // actor id -> { id, inbox, sharedInbox, followId }
    following: new Map(), // actor id -> { actor, followId, state }
    inboundMeta: new Map(), // activity id -> { raw, httpSignature }
    followPolicy: "accept", // or "reject"
  };
}
let state = newState();
// Objects and activities this peer created, by id, so that they can be
// dereferenced (survive /control/reset so earlier ids stay resolvable).
const localObjects = new Map(); // id -> { object, recipients }
let seq = 0;

const kv = new ResettableKvStore();

// ---------------------------------------------------------------------------
// Keys: generated at start, never stored.

async function generateRsaKeyPair(bits) {
  // generateCryptoKeyPair() makes 4096-bit keys, slow to generate in tests.
  return await crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: bits,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
}
const keyPairs = [await generateRsaKeyPair(RSA_BITS)];
if (USE_ED25519) keyPairs.push(await generateCryptoKeyPair("Ed25519"));
// exportJwk validates that the keys are extractable, as Fedify needs.
await exportJwk(keyPairs[0].privateKey);

// ---------------------------------------------------------------------------
// The HTTP server is bound first so that PEER_PORT=0 works: the origin, and
// so the federation, is only known once the port is.

const server = http.createServer((req, res) => {
  handleNodeRequest(req, res).catch((error) => {
    log.error("Unhandled error for {method} {url}: {error}", {
      method: req.method,
      url: req.url,
      error,
    });
    if (!res.headersSent) {
      res.writeHead(500, { "Content-Type": "application/json" });
    }
    res.end(JSON.stringify({ error: String(error?.message ?? error) }));
  });
});
await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(Number(env.PEER_PORT || 0), HOST, resolve);
});
const PORT = server.address().port;
const ORIGIN = `http://${HOST.includes(":") ? `[${HOST}]` : HOST}:${PORT}`;
const HANDLE_HOST = new URL(ORIGIN).host;

// ---------------------------------------------------------------------------
// Federation.

const federation = createFederation({
  kv,
  // Inbound activities go through an in-process queue (as in production);
  // outbound ones are sent in-line so that a control call returns only after
  // the remote inbox answered, and reports its error if it did not accept.
  queue: { inbox: new InProcessMessageQueue() },
  origin: ORIGIN,
  allowPrivateAddress: true, // loopback peers; never in production
  skipSignatureVerification: false,
  userAgent: { software: "herd-interop-peer/0.1" },
  // No retries: a failure must show up in the test that caused it.
  inboxRetryPolicy: () => null,
  outboxRetryPolicy: () => null,
});

const ACTIVITY_CLASSES = {
  Follow,
  Accept,
  Reject,
  Create,
  Update,
  Delete,
  Like,
  Announce,
  Undo,
  Block,
};

// The actor's profile; POST /control/update-profile changes it.
const profile = {
  name: "Interop Peer",
  summary: "<p>Fedify peer for Herd's interoperability tests.</p>",
};

async function buildActor(ctx, identifier) {
    const keys = await ctx.getActorKeyPairs(identifier);
    return new Person({
      id: ctx.getActorUri(identifier),
      preferredUsername: identifier,
      name: profile.name,
      summary: profile.summary,
      inbox: ctx.getInboxUri(identifier),
      outbox: ctx.getOutboxUri(identifier),
      followers: ctx.getFollowersUri(identifier),
      following: ctx.getFollowingUri(identifier),
      endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
      publicKey: keys[0].cryptographicKey,
      assertionMethods: keys.map((k) => k.multikey),
      manuallyApprovesFollowers: false,
      discoverable: true,
    });
}

federation
  .setActorDispatcher("/users/{identifier}", async (ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    return await buildActor(ctx, identifier);
  })
  .setKeyPairsDispatcher((_ctx, identifier) => identifier === USERNAME ? keyPairs : []);

federation
  .setFollowersDispatcher("/users/{identifier}/followers", (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    return { items: followerRecipients() };
  })
  .setCounter((_ctx, identifier) => identifier === USERNAME ? state.followers.size : null);

federation
  .setFollowingDispatcher("/users/{identifier}/following", (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    const items = [...state.following.values()]
      .filter((f) => f.state === "accepted")
      .map((f) => new URL(f.actor));
    return { items };
  });

federation
  .setOutboxDispatcher("/users/{identifier}/outbox", (_ctx, identifier) => {
    if (identifier !== USERNAME) return null;
    const items = state.sent
      .filter((s) => s.type === "Create" || s.type === "Announce")
      .map((s) => localObjects.get(s.id)?.object)
      .filter((a) => a != null)
      .reverse();
    return { items };
  });

federation.setObjectDispatcher(Note, "/notes/{id}", (ctx, values) => {
  const entry = localObjects.get(ctx.getObjectUri(Note, values).href);
  return entry?.object instanceof Note ? entry.object : null;
});
federation.setObjectDispatcher(Question, "/questions/{id}", (ctx, values) => {
  const entry = localObjects.get(ctx.getObjectUri(Question, values).href);
  return entry?.object instanceof Question ? entry.object : null;
});
for (const [name, cls] of Object.entries(ACTIVITY_CLASSES)) {
  federation.setObjectDispatcher(cls, `/activities/${name.toLowerCase()}/{id}`, (ctx, values) => {
    const entry = localObjects.get(ctx.getObjectUri(cls, values).href);
    return entry?.object instanceof cls ? entry.object : null;
  });
}

federation
  .setInboxListeners("/users/{identifier}/inbox", "/inbox")
  // Key fetches for the shared inbox are signed GETs too (authorized fetch).
  .setSharedKeyDispatcher(() => ({ identifier: USERNAME }))
  .on(Follow, async (ctx, follow) => {
    const entry = record(ctx, follow);
    if (follow.objectId?.href !== ctx.getActorUri(USERNAME).href) return;
    const follower = await follow.getActor(ctx);
    if (follower == null || follower.id == null || follower.inboxId == null) {
      noteError("Follow", follow, "could not fetch the follower actor or its inbox");
      return;
    }
    const me = ctx.getActorUri(USERNAME);
    const accepting = state.followPolicy !== "reject";
    if (accepting) {
      state.followers.set(follower.id.href, {
        id: follower.id.href,
        inbox: follower.inboxId.href,
        sharedInbox: follower.endpoints?.sharedInbox?.href ?? null,
        followId: follow.id?.href ?? null,
      });
    }
    const cls = accepting ? Accept : Reject;
    const reply = new cls({
      id: newActivityId(ctx, cls),
      actor: me,
      object: follow,
      to: follower.id,
    });
    entry.response = reply.id.href;
    await sendTracked(ctx, [follower], reply, "reply to Follow");
  })
  .on(Accept, (ctx, accept) => {
    record(ctx, accept);
    settleFollow(accept, "accepted");
  })
  .on(Reject, (ctx, reject) => {
    record(ctx, reject);
    settleFollow(reject, "rejected");
  })
  .on(Undo, (ctx, undo) => {
    const entry = record(ctx, undo);
    if (entry.objectType === "Follow" || entry.objectType == null) {
      const follower = state.followers.get(undo.actorId?.href);
      if (
        follower != null &&
        (entry.objectType === "Follow" || entry.object === follower.followId)
      ) {
        state.followers.delete(undo.actorId.href);
      }
    }
  })
  .on(Create, (ctx, a) => void record(ctx, a))
  .on(Update, (ctx, a) => void record(ctx, a))
  .on(Delete, (ctx, del) => {
    const entry = record(ctx, del);
    // An actor deleting itself stops following us.
    if (entry.object != null && entry.object === entry.actor) {
      state.followers.delete(entry.actor);
      state.following.delete(entry.actor);
    }
  })
  .on(Like, (ctx, a) => void record(ctx, a))
  .on(Announce, (ctx, a) => void record(ctx, a))
  .on(Block, (ctx, block) => {
    const entry = record(ctx, block);
    if (entry.object === ctx.getActorUri(USERNAME).href) {
      state.followers.delete(entry.actor);
      state.following.delete(entry.actor);
    }
  })
  // Anything else (Flag, Move, Add, Remove, EmojiReact …) is recorded too.
  .on(Activity, (ctx, a) => void record(ctx, a))
  .onError((_ctx, error) => {
    log.error("Inbox listener error: {error}", { error });
    state.errors.push({ where: "inbox", error: String(error?.stack ?? error), at: now() });
  });

// ---------------------------------------------------------------------------
// Recording.

function now() {
  return new Date().toISOString();
}

function idOf(value) {
  if (value == null) return null;
  if (typeof value === "string") return value;
  if (typeof value === "object" && typeof value.id === "string") return value.id;
  return null;
}

function typeOf(value) {
  if (value == null || typeof value !== "object") return null;
  const t = Array.isArray(value.type) ? value.type[0] : value.type;
  return typeof t === "string" ? t : null;
}

function record(ctx, activity) {
  const id = activity.id?.href ?? null;
  const meta = id == null ? undefined : state.inboundMeta.get(id);
  const raw = meta?.raw ?? null;
  const rawObject = raw != null && typeof raw === "object"
    ? (Array.isArray(raw.object) ? raw.object[0] : raw.object)
    : undefined;
  const entry = {
    type: typeOf(raw) ?? activity.constructor.name,
    id,
    actor: activity.actorId?.href ?? idOf(raw?.actor),
    object: activity.objectId?.href ?? idOf(rawObject),
    objectType: typeOf(rawObject),
    recipient: ctx.recipient ?? null,
    receivedAt: now(),
    httpSignature: meta?.httpSignature ?? null,
    ldSignature: raw?.signature != null,
    proof: raw?.proof != null,
    raw,
  };
  state.inbox.push(entry);
  if (id != null) state.inboundMeta.delete(id);
  log.info("Recorded {type} {id} from {actor}.", entry);
  return entry;
}

function noteError(where, activity, message) {
  log.error("{where}: {message} ({id})", { where, message, id: activity?.id?.href });
  state.errors.push({ where, activity: activity?.id?.href ?? null, error: message, at: now() });
}

function settleFollow(response, newState) {
  const followId = response.objectId?.href;
  for (const f of state.following.values()) {
    if (f.followId === followId || (followId == null && f.actor === response.actorId?.href)) {
      f.state = newState;
      f.settledBy = response.id?.href ?? null;
      if (newState === "rejected") state.following.delete(f.actor);
      return;
    }
  }
}

function followerRecipients() {
  return [...state.followers.values()].map((f) => ({
    id: new URL(f.id),
    inboxId: new URL(f.inbox),
    endpoints: f.sharedInbox == null ? null : { sharedInbox: new URL(f.sharedInbox) },
  }));
}

// ---------------------------------------------------------------------------
// Sending.

function newActivityId(ctx, cls) {
  return ctx.getObjectUri(cls, { id: `${Date.now().toString(36)}-${++seq}-${randomUUID()}` });
}

function recipientOf(actor) {
  return {
    id: actor.id,
    inboxId: actor.inboxId,
    endpoints: actor.endpoints?.sharedInbox == null
      ? null
      : { sharedInbox: actor.endpoints.sharedInbox },
  };
}

/** Sends activity to recipients (deduplicated by inbox) and remembers it. */
async function send(ctx, recipients, activity) {
  const byInbox = new Map();
  for (const r of recipients) {
    if (r?.inboxId != null && !byInbox.has(r.inboxId.href)) byInbox.set(r.inboxId.href, r);
  }
  const list = [...byInbox.values()];
  const type = activity.constructor.name;
  const entry = {
    type,
    id: activity.id.href,
    object: activity.objectId?.href ?? null,
    inboxes: [...byInbox.keys()],
    at: now(),
    error: null,
  };
  state.sent.push(entry);
  localObjects.set(activity.id.href, { object: activity, recipients: list });
  if (list.length === 0) {
    log.info("{type} {id} has no recipients; nothing sent.", entry);
    return entry;
  }
  try {
    await ctx.sendActivity({ identifier: USERNAME }, list, activity, { preferSharedInbox: false });
  } catch (error) {
    entry.error = String(error?.message ?? error);
    throw new ControlError(502, `delivering ${type} ${entry.id}: ${entry.error}`);
  }
  log.info("Sent {type} {id} to {inboxes}.", entry);
  return entry;
}

async function sendTracked(ctx, recipients, activity, where) {
  try {
    await send(ctx, recipients, activity);
  } catch (error) {
    noteError(where, activity, String(error?.message ?? error));
  }
}

// ---------------------------------------------------------------------------
// Node http <-> Fetch API.

class ControlError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new ControlError(413, "request body too large"));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

function toRequest(req, url, body) {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    headers.append(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  const hasBody = req.method !== "GET" && req.method !== "HEAD";
  return new Request(url, {
    method: req.method,
    headers,
    body: hasBody ? body : undefined,
  });
}

async function writeResponse(res, response) {
  const headers = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  const body = Buffer.from(await response.arrayBuffer());
  res.writeHead(response.status, headers);
  res.end(body);
}

function json(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(body),
  });
  res.end(body);
}

async function handleNodeRequest(req, res) {
  const url = new URL(req.url, ORIGIN);
  let body;
  try {
    body = await readBody(req);
  } catch (error) {
    json(res, error.status ?? 400, { error: String(error.message ?? error) });
    return;
  }
  if (url.pathname === "/control" || url.pathname.startsWith("/control/")) {
    await handleControl(req, res, url, body);
    return;
  }
  const request = toRequest(req, url, body);
  let response;
  if (req.method === "POST" && isInboxPath(url.pathname)) {
    response = await handleInboxPost(request, body);
  } else {
    response = await federation.fetch(request, { contextData: undefined });
  }
  log.debug("{method} {path} -> {status}", {
    method: req.method,
    path: url.pathname + url.search,
    status: response.status,
  });
  await writeResponse(res, response);
}

function isInboxPath(pathname) {
  return pathname === "/inbox" || pathname === `/users/${USERNAME}/inbox`;
}

/** Describes the HTTP signature headers of a request, without verifying. */
function describeSignature(request) {
  const sig = request.headers.get("signature");
  const sigInput = request.headers.get("signature-input");
  if (sigInput != null) {
    return { scheme: "rfc9421", signatureInput: sigInput, keyId: null };
  }
  if (sig == null) return { scheme: null, keyId: null };
  const fields = {};
  for (const m of sig.matchAll(/([A-Za-z]+)="([^"]*)"/g)) fields[m[1]] = m[2];
  return {
    scheme: "draft-cavage",
    keyId: fields.keyId ?? null,
    algorithm: fields.algorithm ?? null,
    headers: fields.headers?.split(/\s+/) ?? null,
  };
}

/**
 * Inbox deliveries: check the HTTP signature ourselves (Fedify skips it when
 * a Linked Data signature or a FEP-8b32 proof verifies), remember the raw
 * body, then let Fedify verify and route the activity.
 */
async function handleInboxPost(request, body) {
  let raw = null;
  try {
    raw = JSON.parse(body.toString("utf8"));
  } catch {
    // Fedify answers 400 itself.
  }
  const described = describeSignature(request);
  const ctx = federation.createContext(request, undefined);
  let key = null;
  let verifyError = null;
  try {
    key = await verifyRequest(request.clone(), {
      documentLoader: await ctx.getDocumentLoader({ identifier: USERNAME }),
      contextLoader: ctx.contextLoader,
    });
  } catch (error) {
    verifyError = String(error?.message ?? error);
  }
  const httpSignature = {
    ...described,
    verified: key != null,
    keyOwner: key?.ownerId?.href ?? null,
    signerIsActor: key?.ownerId != null && key.ownerId.href === idOf(raw?.actor),
  };
  const headers = Object.fromEntries(request.headers.entries());
  if (key == null && REQUIRE_HTTP_SIGNATURE) {
    const reason = described.scheme == null
      ? "no HTTP signature"
      : described.scheme === "rfc9421"
      ? "RFC 9421 signatures are not supported by Fedify 1.5; use draft-cavage"
      : `HTTP signature did not verify${verifyError ? `: ${verifyError}` : ""}`;
    state.rejected.push({
      status: 401,
      reason,
      path: new URL(request.url).pathname,
      id: idOf(raw),
      type: typeOf(raw),
      httpSignature,
      headers,
      raw,
      at: now(),
    });
    log.warn("Rejected inbox delivery {id}: {reason}", { id: idOf(raw), reason });
    return new Response(`Failed to verify the request signature: ${reason}.`, {
      status: 401,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const id = idOf(raw);
  if (id != null) state.inboundMeta.set(id, { raw, httpSignature });
  const response = await federation.fetch(request, { contextData: undefined });
  if (response.status >= 400) {
    const text = await response.clone().text();
    state.rejected.push({
      status: response.status,
      reason: text,
      path: new URL(request.url).pathname,
      id,
      type: typeOf(raw),
      httpSignature,
      headers,
      raw,
      at: now(),
    });
    if (id != null) state.inboundMeta.delete(id);
  }
  return response;
}

// ---------------------------------------------------------------------------
// Control API.

function controlContext() {
  return federation.createContext(new URL(ORIGIN), undefined);
}

async function lookup(ctx, ref) {
  if (typeof ref !== "string" || ref === "") {
    throw new ControlError(400, "an actor handle or URL is required");
  }
  const documentLoader = await ctx.getDocumentLoader({ identifier: USERNAME });
  const object = await ctx.lookupObject(ref, { documentLoader });
  if (object == null) throw new ControlError(404, `could not resolve ${ref}`);
  return object;
}

async function resolveActor(ctx, ref) {
  const object = await lookup(ctx, ref);
  if (!isActor(object)) {
    throw new ControlError(422, `${ref} is a ${object.constructor.name}, not an actor`);
  }
  if (object.id == null || object.inboxId == null) {
    throw new ControlError(422, `${ref} has no id or no inbox`);
  }
  return object;
}

function asHandleResource(ref) {
  // "@user@host", "user@host" or "acct:user@host" -> "acct:user@host"
  if (/^https?:\/\//i.test(ref)) return null;
  const m = /^(?:acct:)?@?([^@\s]+)@([^@\s]+)$/.exec(ref);
  return m == null ? null : `acct:${m[1]}@${m[2]}`;
}

async function actorSummary(ctx, ref) {
  const resource = asHandleResource(ref);
  let webfinger = null;
  if (resource != null) {
    webfinger = await lookupWebFinger(resource, {
      allowPrivateAddress: true,
      userAgent: "herd-interop-peer/0.1",
    });
    if (webfinger == null) throw new ControlError(404, `WebFinger found nothing for ${resource}`);
  }
  const actor = await resolveActor(ctx, ref);
  const documentLoader = await ctx.getDocumentLoader({ identifier: USERNAME });
  const key = await actor.getPublicKey({ documentLoader, contextLoader: ctx.contextLoader });
  return {
    id: actor.id.href,
    type: actor.constructor.name,
    inbox: actor.inboxId.href,
    sharedInbox: actor.endpoints?.sharedInbox?.href ?? null,
    outbox: actor.outboxId?.href ?? null,
    followers: actor.followersId?.href ?? null,
    following: actor.followingId?.href ?? null,
    preferredUsername: actor.preferredUsername?.toString() ?? null,
    name: actor.name?.toString() ?? null,
    summary: actor.summary?.toString() ?? null,
    manuallyApprovesFollowers: actor.manuallyApprovesFollowers ?? null,
    publicKeyId: key?.id?.href ?? actor.publicKeyId?.href ?? null,
    publicKeyOwner: key?.ownerId?.href ?? null,
    webfinger,
  };
}

function requireString(body, name) {
  const v = body?.[name];
  if (typeof v !== "string" || v === "") {
    throw new ControlError(400, `"${name}" must be a non-empty string`);
  }
  return v;
}

function parseUrl(value, name) {
  try {
    return new URL(value);
  } catch {
    throw new ControlError(400, `"${name}" must be an absolute URL`);
  }
}

function ownEntry(id, cls, what) {
  const entry = localObjects.get(id);
  if (entry == null || (cls != null && !(entry.object instanceof cls))) {
    throw new ControlError(404, `${id} is not a ${what} sent by this peer`);
  }
  return entry;
}

const controlRoutes = {
  "GET /control/health": () => ({ ok: true }),

  "GET /control/actor": (ctx) => ({
    id: ctx.getActorUri(USERNAME).href,
    handle: `${USERNAME}@${HANDLE_HOST}`,
    origin: ORIGIN,
    inbox: ctx.getInboxUri(USERNAME).href,
    sharedInbox: ctx.getInboxUri().href,
    followers: ctx.getFollowersUri(USERNAME).href,
    publicKeyId: new URL("#main-key", ctx.getActorUri(USERNAME)).href,
  }),

  "GET /control/inbox": (_ctx, _body, url) => {
    const type = url.searchParams.get("type");
    return type ? state.inbox.filter((e) => e.type === type) : state.inbox;
  },
  "GET /control/rejected": () => state.rejected,
  "GET /control/errors": () => state.errors,
  "GET /control/sent": () => state.sent,
  "GET /control/followers": () => [...state.followers.values()],
  "GET /control/following": () => [...state.following.values()],

  "POST /control/reset": () => {
    const policy = state.followPolicy;
    state = newState();
    state.followPolicy = policy;
    kv.reset(); // remote document, key and idempotence caches
    return { ok: true };
  },

  "POST /control/config": (_ctx, body) => {
    if (body?.followPolicy != null) {
      if (body.followPolicy !== "accept" && body.followPolicy !== "reject") {
        throw new ControlError(400, `"followPolicy" must be "accept" or "reject"`);
      }
      state.followPolicy = body.followPolicy;
    }
    return { followPolicy: state.followPolicy };
  },

  "POST /control/lookup": async (ctx, body) => {
    const ref = body?.handle ?? body?.actor;
    if (typeof ref !== "string" || ref === "") {
      throw new ControlError(400, `"handle" must be a non-empty string`);
    }
    return await actorSummary(ctx, ref);
  },

  "POST /control/object": async (ctx, body) => {
    const ref = requireString(body, "id");
    const object = await lookup(ctx, ref);
    return await object.toJsonLd({ format: "compact", contextLoader: ctx.contextLoader });
  },

  "POST /control/follow": async (ctx, body) => {
    const target = await resolveActor(ctx, requireString(body, "actor"));
    const follow = new Follow({
      id: newActivityId(ctx, Follow),
      actor: ctx.getActorUri(USERNAME),
      object: target.id,
      to: target.id,
    });
    state.following.set(target.id.href, {
      actor: target.id.href,
      followId: follow.id.href,
      state: "pending",
    });
    await send(ctx, [recipientOf(target)], follow);
    return { id: follow.id.href, actor: target.id.href };
  },

  "POST /control/unfollow": async (ctx, body) => {
    const target = await resolveActor(ctx, requireString(body, "actor"));
    const f = state.following.get(target.id.href);
    if (f == null) throw new ControlError(404, `not following ${target.id.href}`);
    const follow = localObjects.get(f.followId)?.object ??
      new Follow({ id: new URL(f.followId), actor: ctx.getActorUri(USERNAME), object: target.id });
    const undo = new Undo({
      id: newActivityId(ctx, Undo),
      actor: ctx.getActorUri(USERNAME),
      object: follow,
      to: target.id,
    });
    state.following.delete(target.id.href);
    await send(ctx, [recipientOf(target)], undo);
    return { id: undo.id.href, follow: f.followId };
  },

  "POST /control/note": async (ctx, body) => {
    const content = requireString(body, "content");
    const me = ctx.getActorUri(USERNAME);
    const followersUri = ctx.getFollowersUri(USERNAME);
    const visibility = typeof body.to === "string" ? body.to : "direct";
    if (!["public", "unlisted", "followers", "direct"].includes(visibility)) {
      throw new ControlError(400, `"to" must be "public", "unlisted", "followers" or a list of actors`);
    }
    const mentionRefs = [
      ...(Array.isArray(body.to) ? body.to : []),
      ...(Array.isArray(body.mention) ? body.mention : []),
    ];
    if (visibility === "direct" && mentionRefs.length === 0) {
      throw new ControlError(400, `"to" must name at least one actor`);
    }
    const mentioned = [];
    for (const ref of mentionRefs) mentioned.push(await resolveActor(ctx, ref));
    const mentionIds = mentioned.map((a) => a.id);
    let tos;
    let ccs;
    switch (visibility) {
      case "public":
        tos = [PUBLIC_COLLECTION];
        ccs = [followersUri, ...mentionIds];
        break;
      case "unlisted":
        tos = [followersUri];
        ccs = [PUBLIC_COLLECTION, ...mentionIds];
        break;
      case "followers":
        tos = [followersUri, ...mentionIds];
        ccs = [];
        break;
      default:
        tos = mentionIds;
        ccs = [];
    }
    const published = Temporal.Now.instant();
    const noteId = ctx.getObjectUri(Note, { id: `${Date.now().toString(36)}-${++seq}` });
    const tags = mentioned.map((a) =>
      new Mention({
        href: a.id,
        name: `@${a.preferredUsername ?? "unknown"}@${a.id.host}`,
      })
    );
    const note = new Note({
      id: noteId,
      attribution: me,
      content,
      summary: typeof body.summary === "string" ? body.summary : null,
      sensitive: body.sensitive === true,
      replyTarget: typeof body.inReplyTo === "string" ? parseUrl(body.inReplyTo, "inReplyTo") : null,
      url: noteId,
      published,
      tos,
      ccs,
      tags,
      attachments: Array.isArray(body.attachments)
        ? body.attachments.map((a) => new Document({
          url: parseUrl(a.url, "attachments[].url"),
          mediaType: typeof a.mediaType === "string" ? a.mediaType : null,
          name: typeof a.name === "string" ? a.name : null,
          width: Number.isInteger(a.width) ? a.width : null,
          height: Number.isInteger(a.height) ? a.height : null,
        }))
        : [],
    });
    const create = new Create({
      id: newActivityId(ctx, Create),
      actor: me,
      object: note,
      tos,
      ccs,
      published,
    });
    const recipients = [
      ...(visibility === "direct" ? [] : followerRecipients()),
      ...mentioned.map(recipientOf),
    ];
    localObjects.set(noteId.href, { object: note, recipients, create });
    const sent = await send(ctx, recipients, create);
    return { id: noteId.href, activity: create.id.href, inboxes: sent.inboxes };
  },

  // A public poll (Question) to the followers: options with vote counts
  // (replies.totalItems) under oneOf, or anyOf when multiple; endTime and
  // votersCount.
  "POST /control/question": async (ctx, body) => {
    const content = requireString(body, "content");
    if (!Array.isArray(body.options) || body.options.length < 1 || body.options.some((o) => typeof o !== "string")) {
      throw new ControlError(400, `"options" must be a list of strings`);
    }
    const counts = Array.isArray(body.votes) ? body.votes : [];
    const me = ctx.getActorUri(USERNAME);
    const tos = [PUBLIC_COLLECTION];
    const ccs = [ctx.getFollowersUri(USERNAME)];
    const options = body.options.map((name, i) =>
      new Note({ name, replies: new Collection({ totalItems: Number.isInteger(counts[i]) ? counts[i] : 0 }) })
    );
    const published = Temporal.Now.instant();
    const id = ctx.getObjectUri(Question, { id: `${Date.now().toString(36)}-${++seq}` });
    const question = new Question({
      id,
      attribution: me,
      content,
      url: id,
      published,
      tos,
      ccs,
      endTime: typeof body.endTime === "string" ? Temporal.Instant.from(body.endTime) : null,
      voters: Number.isInteger(body.voters) ? body.voters : 0,
      ...(body.multiple === true ? { inclusiveOptions: options } : { exclusiveOptions: options }),
    });
    const create = new Create({ id: newActivityId(ctx, Create), actor: me, object: question, tos, ccs, published });
    const recipients = followerRecipients();
    localObjects.set(id.href, { object: question, recipients, create });
    const sent = await send(ctx, recipients, create);
    return { id: id.href, activity: create.id.href, inboxes: sent.inboxes };
  },

  "POST /control/like": async (ctx, body) => {
    const object = parseUrl(requireString(body, "object"), "object");
    const owner = await resolveActor(ctx, requireString(body, "actor"));
    const like = new Like({
      id: newActivityId(ctx, Like),
      actor: ctx.getActorUri(USERNAME),
      object,
      to: owner.id,
    });
    const sent = await send(ctx, [recipientOf(owner)], like);
    return { id: like.id.href, inboxes: sent.inboxes };
  },

  "POST /control/announce": async (ctx, body) => {
    const object = parseUrl(requireString(body, "object"), "object");
    const owner = await resolveActor(ctx, requireString(body, "actor"));
    const announce = new Announce({
      id: newActivityId(ctx, Announce),
      actor: ctx.getActorUri(USERNAME),
      object,
      to: PUBLIC_COLLECTION,
      ccs: [owner.id, ctx.getFollowersUri(USERNAME)],
      published: Temporal.Now.instant(),
    });
    const sent = await send(ctx, [recipientOf(owner), ...followerRecipients()], announce);
    return { id: announce.id.href, inboxes: sent.inboxes };
  },

  "POST /control/block": async (ctx, body) => {
    const target = await resolveActor(ctx, requireString(body, "actor"));
    const block = new Block({
      id: newActivityId(ctx, Block),
      actor: ctx.getActorUri(USERNAME),
      object: target.id,
      to: target.id,
    });
    state.followers.delete(target.id.href);
    state.following.delete(target.id.href);
    const sent = await send(ctx, [recipientOf(target)], block);
    return { id: block.id.href, inboxes: sent.inboxes };
  },

  "POST /control/undo": async (ctx, body) => {
    const id = requireString(body, "activity");
    const entry = ownEntry(id, null, "Like, Announce, Follow or Block");
    const original = entry.object;
    if (![Like, Announce, Follow, Block].some((cls) => original instanceof cls)) {
      throw new ControlError(422, `${id} is a ${original.constructor.name}; only Like, Announce, Follow and Block can be undone`);
    }
    const undo = new Undo({
      id: newActivityId(ctx, Undo),
      actor: ctx.getActorUri(USERNAME),
      object: original,
      tos: original.toIds,
      ccs: original.ccIds,
    });
    if (original instanceof Follow) state.following.delete(original.objectId?.href);
    const sent = await send(ctx, entry.recipients, undo);
    return { id: undo.id.href, inboxes: sent.inboxes };
  },

  "POST /control/update-note": async (ctx, body) => {
    const id = requireString(body, "note");
    const content = requireString(body, "content");
    const entry = ownEntry(id, Note, "Note");
    const updated = entry.object.clone({ content, updated: Temporal.Now.instant() });
    entry.object = updated;
    const update = new Update({
      id: newActivityId(ctx, Update),
      actor: ctx.getActorUri(USERNAME),
      object: updated,
      tos: updated.toIds,
      ccs: updated.ccIds,
    });
    const sent = await send(ctx, entry.recipients, update);
    return { id: update.id.href, inboxes: sent.inboxes };
  },

  "POST /control/update-profile": async (ctx, body) => {
    if (body?.name != null) profile.name = requireString(body, "name");
    if (body?.summary != null) profile.summary = requireString(body, "summary");
    const actor = await buildActor(ctx, USERNAME);
    const update = new Update({
      id: newActivityId(ctx, Update),
      actor: ctx.getActorUri(USERNAME),
      object: actor,
      to: PUBLIC_COLLECTION,
      ccs: [ctx.getFollowersUri(USERNAME)],
    });
    const sent = await send(ctx, followerRecipients(), update);
    return { id: update.id.href, inboxes: sent.inboxes };
  },

  "POST /control/delete-actor": async (ctx) => {
    // Sends Delete(actor) to the followers, as a server deleting the
    // account does; the actor document keeps answering (it carries the key
    // the recipients verify the Delete with).
    const me = ctx.getActorUri(USERNAME);
    const del = new Delete({
      id: newActivityId(ctx, Delete),
      actor: me,
      object: me,
      to: PUBLIC_COLLECTION,
    });
    const sent = await send(ctx, followerRecipients(), del);
    return { id: del.id.href, inboxes: sent.inboxes };
  },

  "POST /control/delete": async (ctx, body) => {
    const id = requireString(body, "note");
    const entry = ownEntry(id, Note, "Note");
    const note = entry.object;
    const del = new Delete({
      id: newActivityId(ctx, Delete),
      actor: ctx.getActorUri(USERNAME),
      object: new Tombstone({ id: note.id }),
      tos: note.toIds,
      ccs: note.ccIds,
    });
    localObjects.delete(id); // the note now answers 404
    const sent = await send(ctx, entry.recipients, del);
    return { id: del.id.href, inboxes: sent.inboxes };
  },
};

async function handleControl(req, res, url, body) {
  const route = controlRoutes[`${req.method} ${url.pathname}`];
  if (route == null) {
    json(res, 404, { error: `no control route ${req.method} ${url.pathname}` });
    return;
  }
  let input = {};
  if (req.method === "POST" && body.length > 0) {
    try {
      input = JSON.parse(body.toString("utf8"));
    } catch {
      json(res, 400, { error: "request body is not valid JSON" });
      return;
    }
    if (input == null || typeof input !== "object" || Array.isArray(input)) {
      json(res, 400, { error: "request body must be a JSON object" });
      return;
    }
  }
  try {
    const result = await route(controlContext(), input, url);
    json(res, 200, result);
  } catch (error) {
    const status = error instanceof ControlError ? error.status : 500;
    if (status >= 500) log.error("Control {path} failed: {error}", { path: url.pathname, error });
    json(res, status, { error: String(error?.message ?? error) });
  }
  log.debug("{method} {path} -> {status}", {
    method: req.method,
    path: url.pathname,
    status: res.statusCode,
  });
}

// ---------------------------------------------------------------------------
// Ready.

function shutdown(signal) {
  log.info("Received {signal}; shutting down.", { signal });
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
if (env.PEER_EXIT_ON_STDIN_CLOSE === "1") {
  process.stdin.on("end", () => shutdown("stdin EOF"));
  process.stdin.on("error", () => shutdown("stdin error"));
  process.stdin.resume();
}

const readyCtx = controlContext();
process.stdout.write(JSON.stringify({
  ready: true,
  origin: ORIGIN,
  actor: readyCtx.getActorUri(USERNAME).href,
  handle: `${USERNAME}@${HANDLE_HOST}`,
}) + "\n");
log.info("Peer {handle} listening on {origin}.", {
  handle: `${USERNAME}@${HANDLE_HOST}`,
  origin: ORIGIN,
});
