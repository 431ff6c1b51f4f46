// Drives a Herd server with masto's REST client, the way a Mastodon app does,
// and prints one JSON document on stdout: every step with whether it ran
// without error, what it returned (the fields the Go test checks) and the
// requests masto sent (so the test can see the max_id / min_id it used).
//
// Usage: node flow.mjs   (configuration from the environment)
//   HERD_URL          the server's base URL
//   HERD_ALICE_TOKEN  access token of alice (an unlocked account)
//   HERD_BOB_TOKEN    access token of bob (a locked account)
//   HERD_PAGE_SIZE    page size for the home timeline (default 3)
//   HERD_ANNOUNCEMENT_ID  a published announcement
//
// The last step, "streaming", subscribes alice over one WebSocket
// (masto.streaming) to user, public:local and hashtag, has bob post, edit,
// mention alice, delete and react to an announcement through the REST API
// (and the test publishes a new announcement once the hashtag stream
// carries bob's post), and reports the events each subscription received.
//
// A step that fails records its error and the flow goes on; a step that
// needs the result of a failed one fails with "needs <step>". The exit code
// is 0 whenever the JSON was printed: the Go test judges the steps.
import { createRestAPIClient, createStreamingAPIClient } from "masto";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    console.error(`flow.mjs: ${name} is not set`);
    process.exit(2);
  }
  return v;
};
const url = env("HERD_URL");
const pageSize = Number(process.env.HERD_PAGE_SIZE || "3");

// Record every request masto sends.
const requests = [];
const realFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const u = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const method = (init && init.method) || (input && input.method) || "GET";
  const entry = { method, url: u.replace(url, "") };
  requests.push(entry);
  const res = await realFetch(input, init);
  entry.status = res.status;
  return res;
};

const alice = createRestAPIClient({ url, accessToken: env("HERD_ALICE_TOKEN"), timeout: 15000, log: "error" });
const bob = createRestAPIClient({ url, accessToken: env("HERD_BOB_TOKEN"), timeout: 15000, log: "error" });

const steps = [];
const results = {};

async function step(name, needs, fn) {
  const missing = needs.filter((n) => !(n in results));
  if (missing.length > 0) {
    steps.push({ name, ok: false, error: `needs ${missing.join(", ")}` });
    return;
  }
  const first = requests.length;
  try {
    const out = await fn();
    results[name] = out;
    steps.push({ name, ok: true, result: out, requests: requests.slice(first) });
  } catch (err) {
    steps.push({
      name,
      ok: false,
      error: `${err && err.name}: ${err && err.message}`,
      status: err && err.statusCode,
      requests: requests.slice(first),
    });
  }
}

const ids = (list) => list.map((s) => s.id);
const brief = (s) => s && {
  id: s.id,
  content: s.content,
  visibility: s.visibility,
  in_reply_to_id: s.inReplyToId,
  account: s.account && s.account.acct,
  reblog: s.reblog ? s.reblog.id : null,
  favourited: s.favourited,
  reblogged: s.reblogged,
  bookmarked: s.bookmarked,
  favourites_count: s.favouritesCount,
  reblogs_count: s.reblogsCount,
  replies_count: s.repliesCount,
  tags: (s.tags || []).map((t) => t.name),
  mentions: (s.mentions || []).map((m) => m.acct),
};
const rel = (r) => r && {
  id: r.id,
  following: r.following,
  followed_by: r.followedBy,
  requested: r.requested,
  requested_by: r.requestedBy,
};

// first returns the first page of a paginator; pages returns up to n pages.
const pages = async (paginator, n) => {
  const out = [];
  for await (const page of paginator) {
    out.push(page);
    if (out.length >= n) break;
  }
  return out;
};

await step("verify_credentials", [], async () => {
  const [a, b] = await Promise.all([alice.v1.accounts.verifyCredentials(), bob.v1.accounts.verifyCredentials()]);
  return { alice: { id: a.id, username: a.username, acct: a.acct, locked: a.locked, source: !!a.source },
    bob: { id: b.id, username: b.username, locked: b.locked } };
});

await step("post", ["verify_credentials"], async () => {
  const s = await alice.v1.statuses.create({ status: "Hello from masto! #herdtest", visibility: "public" });
  return brief(s);
});

await step("reply", ["post"], async () => {
  const s = await bob.v1.statuses.create({ status: "@alice welcome!", inReplyToId: results.post.id, visibility: "public" });
  return brief(s);
});

await step("context", ["reply"], async () => {
  const c = await alice.v1.statuses.$select(results.post.id).context.fetch();
  return { ancestors: ids(c.ancestors), descendants: ids(c.descendants) };
});

await step("favourite", ["post"], async () => brief(await bob.v1.statuses.$select(results.post.id).favourite()));

await step("boost", ["post"], async () => brief(await bob.v1.statuses.$select(results.post.id).reblog()));

await step("bookmark", ["post"], async () => brief(await bob.v1.statuses.$select(results.post.id).bookmark()));

await step("bookmarks", ["bookmark"], async () => ids(await bob.v1.bookmarks.list({ limit: 20 })));

await step("show", ["favourite", "boost"], async () => brief(await alice.v1.statuses.$select(results.post.id).fetch()));

await step("follow_locked", ["verify_credentials"], async () =>
  rel(await alice.v1.accounts.$select(results.verify_credentials.bob.id).follow()));

await step("follow_requests", ["follow_locked"], async () =>
  (await bob.v1.followRequests.list()).map((a) => a.id));

// The follow request notifies bob before he answers it.
await step("notifications_bob", ["follow_locked"], async () => {
  const list = await bob.v1.notifications.list({ limit: 30 });
  return list.map((n) => ({ id: n.id, type: n.type, account: n.account && n.account.acct }));
});

await step("authorize", ["follow_requests"], async () =>
  rel(await bob.v1.followRequests.$select(results.verify_credentials.alice.id).authorize()));

await step("relationships", ["authorize"], async () => {
  const [a] = await alice.v1.accounts.relationships.fetch({ id: [results.verify_credentials.bob.id] });
  const [b] = await bob.v1.accounts.relationships.fetch({ id: [results.verify_credentials.alice.id] });
  return { alice_to_bob: rel(a), bob_to_alice: rel(b) };
});

// Enough posts for three pages of the home timeline.
await step("post_more", ["post"], async () => {
  const out = [];
  for (let i = 1; i <= 3 * pageSize; i++) {
    out.push((await alice.v1.statuses.create({ status: `Numbered post ${i}`, visibility: "public" })).id);
  }
  return out;
});

// Older pages: masto follows the Link rel="next" header (max_id).
await step("home_next", ["post_more"], async () => {
  const got = await pages(alice.v1.timelines.home.list({ limit: pageSize }), 2);
  return { pages: got.map(ids) };
});

// Newer pages: start below the newest page and follow rel="prev" (min_id).
await step("home_prev", ["home_next"], async () => {
  const [newest] = results.home_next.pages;
  const start = newest[newest.length - 1];
  const got = await pages(alice.v1.timelines.home.list({ limit: pageSize, maxId: start }).setDirection("prev"), 2);
  return { start, pages: got.map(ids) };
});

await step("notifications", ["favourite", "boost", "reply"], async () => {
  const list = await alice.v1.notifications.list({ limit: 30 });
  return list.map((n) => ({ id: n.id, type: n.type, account: n.account && n.account.acct, status: n.status ? n.status.id : null }));
});

await step("search", ["verify_credentials"], async () => {
  const r = await alice.v2.search.list({ q: "bob", type: "accounts", limit: 5 });
  const h = await alice.v2.search.list({ q: "#herdtest", type: "hashtags", limit: 5 });
  return { accounts: r.accounts.map((a) => a.acct), hashtags: h.hashtags.map((t) => t.name) };
});

// Streaming: what alice's subscriptions receive while bob (whom she now
// follows) posts, edits, mentions her and deletes.
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
await step("announcements", ["verify_credentials"], async () => {
  const id = env("HERD_ANNOUNCEMENT_ID");
  const brief = (a) => ({ id: a.id, content: a.content, read: a.read, all_day: a.allDay,
    reactions: (a.reactions || []).map((r) => ({ name: r.name, count: r.count, me: r.me })) });
  const before = (await alice.v1.announcements.list()).map(brief);
  await bob.v1.announcements.$select(id).reactions.$select("👍").update();
  await alice.v1.announcements.$select(id).reactions.$select("👍").update();
  await alice.v1.announcements.$select(id).reactions.$select("👍").remove();
  await alice.v1.announcements.$select(id).dismiss();
  const after = (await alice.v1.announcements.list()).map(brief);
  return { before, after };
});

const briefEvent = (e) => ({
  event: e.event,
  id: typeof e.payload === "string" ? e.payload : e.payload && e.payload.id,
  type: e.payload && typeof e.payload === "object" ? e.payload.type : undefined,
  status: e.payload && e.payload.status ? e.payload.status.id : undefined,
  content: e.payload && typeof e.payload === "object" ? e.payload.content : undefined,
  name: e.payload && typeof e.payload === "object" ? e.payload.name : undefined,
  count: e.payload && typeof e.payload === "object" ? e.payload.count : undefined,
  announcement: e.payload && typeof e.payload === "object" ? e.payload.announcementId : undefined,
});
await step("streaming", ["authorize", "announcements"], async () => {
  const streamingApiUrl = url.replace(/^http/, "ws");
  const ws = createStreamingAPIClient({
    streamingApiUrl, accessToken: env("HERD_ALICE_TOKEN"), implementation: globalThis.WebSocket, retry: false, log: "error",
  });
  const got = { user: [], local: [], tag: [] };
  const collect = async (name, sub) => {
    try {
      for await (const e of sub) got[name].push(briefEvent(e));
    } catch (err) {
      got[name].push({ error: `${err && err.name}: ${err && err.message}` });
    }
  };
  try {
    await ws.prepare();
    const running = [
      collect("user", ws.user.subscribe()),
      collect("local", ws.public.local.subscribe()),
      collect("tag", ws.hashtag.subscribe({ tag: "herdstream" })),
    ];
    await sleep(500); // the server handles the subscribe messages
    const hello = await bob.v1.statuses.create({ status: "Streaming hello #herdstream", visibility: "public" });
    await bob.v1.statuses.$select(hello.id).update({ status: "Streaming hello, edited #herdstream" });
    const ping = await bob.v1.statuses.create({ status: "@alice ping", visibility: "public" });
    await bob.v1.statuses.$select(hello.id).remove();
    await bob.v1.announcements.$select(env("HERD_ANNOUNCEMENT_ID")).reactions.$select("🎉").update();
    const done = () =>
      got.user.some((e) => e.event === "delete") && got.local.some((e) => e.event === "delete") &&
      got.tag.some((e) => e.event === "delete") && got.user.some((e) => e.event === "notification") &&
      got.user.some((e) => e.event === "announcement") && got.user.some((e) => e.event === "announcement.reaction");
    for (let i = 0; i < 100 && !done(); i++) await sleep(100);
    await sleep(200); // anything unexpected that follows
    ws.close();
    await Promise.race([Promise.allSettled(running), sleep(1000)]);
    return { hello: hello.id, ping: ping.id, ...got };
  } finally {
    ws.close();
  }
});

process.stdout.write(JSON.stringify({ steps, requests }) + "\n");
