// Drives a Herd server with masto's REST client, the way a Mastodon app does,
// and prints one JSON document on stdout: every step with whether it ran
// without error, what it returned (the fields the Go test checks) and the
// requests masto sent (so the test can see the max_id / min_id it used).
//
// Usage: node flow.mjs   (configuration from the environment)
//   HERD_URL          the server's base URL
//   HERD_ALICE_TOKEN  access token of alice (an unlocked account)
//   HERD_BOB_TOKEN    access token of bob (a locked account)
//   HERD_CAROL_TOKEN  access token of carol (an unlocked account)
//   HERD_PAGE_SIZE    page size for the home timeline (default 3)
//   HERD_ANNOUNCEMENT_ID  a published announcement
//   HERD_REMOTE_ACCOUNT_ID, HERD_REMOTE_STATUS_ID  an account of far.example
//                     and its public status
//
// The step "streaming" subscribes alice over one WebSocket
// (masto.streaming) to user, public:local and hashtag, has bob post, edit,
// mention alice, delete and react to an announcement through the REST API
// (and the test publishes a new announcement once the hashtag stream
// carries bob's post), and reports the events each subscription received.
//
// The steps after it (block … push) use the safety tools and the rest of
// the API: blocks, mutes, user domain blocks, filters, reports, polls,
// scheduled statuses, lists, followed hashtags, conversations, markers and
// the Web Push subscription. They come last because they post to alice's
// home timeline, which home_next and home_prev page through.
//
// A step that fails records its error and the flow goes on; a step that
// needs the result of a failed one fails with "needs <step>". The exit code
// is 0 whenever the JSON was printed: the Go test judges the steps.
import { createECDH, randomBytes } from "node:crypto";
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
const carol = createRestAPIClient({ url, accessToken: env("HERD_CAROL_TOKEN"), timeout: 15000, log: "error" });

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
  blocking: r.blocking,
  blocked_by: r.blockedBy,
  muting: r.muting,
  muting_notifications: r.mutingNotifications,
  domain_blocking: r.domainBlocking,
};
// statusCodeOf runs fn and returns the HTTP status of its error (200 when
// it succeeds).
const statusCodeOf = async (fn) => {
  try {
    await fn();
    return 200;
  } catch (err) {
    if (!err || !err.statusCode) throw err;
    return err.statusCode;
  }
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

// Blocks: what carol, whom alice blocks, sees of alice meanwhile.
await step("block", ["verify_credentials"], async () => {
  const aliceId = results.verify_credentials.alice.id;
  const carolId = (await carol.v1.accounts.verifyCredentials()).id;
  await carol.v1.accounts.$select(aliceId).follow();
  const root = await carol.v1.statuses.create({ status: "carol asks", visibility: "public" });
  const hello = await alice.v1.statuses.create({ status: "alice to her followers", visibility: "public" });
  const reply = await alice.v1.statuses.create({ status: "@carol an answer", inReplyToId: root.id, visibility: "public" });
  await alice.v1.statuses.$select(root.id).favourite();
  const seen = async () => ({
    home: ids(await carol.v1.timelines.home.list({ limit: 40 })),
    notifications: (await carol.v1.notifications.list({ limit: 30 })).map((n) => `${n.type}:${n.account.acct}`),
    descendants: ids((await carol.v1.statuses.$select(root.id).context.fetch()).descendants),
    profile: ids(await carol.v1.accounts.$select(aliceId).statuses.list({ limit: 40 })),
  });
  const before = await seen();
  const blocked = rel(await alice.v1.accounts.$select(carolId).block());
  const [carolToAlice] = await carol.v1.accounts.relationships.fetch({ id: [aliceId] });
  const blocks = ids(await alice.v1.blocks.list());
  const after = await seen();
  const fetchHello = await statusCodeOf(() => carol.v1.statuses.$select(hello.id).fetch());
  const unblocked = rel(await alice.v1.accounts.$select(carolId).unblock());
  const blocksAfter = ids(await alice.v1.blocks.list());
  return { carol: carolId, root: root.id, hello: hello.id, reply: reply.id, before, after, blocked,
    carol_to_alice: rel(carolToAlice), blocks, fetch_hello: fetchHello, unblocked, blocks_after: blocksAfter };
});

// Mutes with a duration, notifications left on; the muted account's posts
// leave alice's threads, above and below.
await step("mute", ["block"], async () => {
  const carolId = results.block.carol;
  const muted = rel(await alice.v1.accounts.$select(carolId).mute({ duration: 3600, notifications: false }));
  const mutes = (await alice.v1.mutes.list()).map((a) => ({ id: a.id, mute_expires_at: a.muteExpiresAt }));
  const root = await bob.v1.statuses.create({ status: "bob asks the thread", visibility: "public" });
  const carolReply = await carol.v1.statuses.create({ status: "carol answers", inReplyToId: root.id, visibility: "public" });
  const bobReply = await bob.v1.statuses.create({ status: "bob answers carol", inReplyToId: carolReply.id, visibility: "public" });
  const thread = async () => ({
    ancestors: ids((await alice.v1.statuses.$select(bobReply.id).context.fetch()).ancestors),
    descendants: ids((await alice.v1.statuses.$select(root.id).context.fetch()).descendants),
  });
  const whileMuted = await thread();
  const unmuted = rel(await alice.v1.accounts.$select(carolId).unmute());
  const afterUnmute = await thread();
  return { muted, mutes, root: root.id, carol_reply: carolReply.id, bob_reply: bobReply.id,
    while_muted: whileMuted, unmuted, after_unmute: afterUnmute };
});

// A user domain block hides far.example from alice's public timeline.
await step("domain_block", ["verify_credentials"], async () => {
  const accountId = env("HERD_REMOTE_ACCOUNT_ID");
  const pub = async () => ids(await alice.v1.timelines.public.list({ limit: 40 }));
  const before = await pub();
  await alice.v1.domainBlocks.create({ domain: "far.example" });
  const list = await alice.v1.domainBlocks.list();
  const after = await pub();
  const [r] = await alice.v1.accounts.relationships.fetch({ id: [accountId] });
  await alice.v1.domainBlocks.remove({ domain: "far.example" });
  const left = await alice.v1.domainBlocks.list();
  return { before, list, after, relationship: rel(r), left, again: await pub() };
});

// v2 filters: a warning and a hiding one on alice's home timeline.
await step("filters", ["authorize"], async () => {
  const warn = await alice.v2.filters.create({ title: "Fruit", context: ["home"], filterAction: "warn",
    keywordsAttributes: [{ keyword: "pineapple" }] });
  const hide = await alice.v2.filters.create({ title: "Spoilers", context: ["home"], filterAction: "hide",
    keywordsAttributes: [{ keyword: "spoilers", wholeWord: true }] });
  const warned = await bob.v1.statuses.create({ status: "pineapple pizza", visibility: "public" });
  const hidden = await bob.v1.statuses.create({ status: "big spoilers ahead", visibility: "public" });
  const plain = await bob.v1.statuses.create({ status: "nothing to see", visibility: "public" });
  const home = await alice.v1.timelines.home.list({ limit: 10 });
  const filtered = {};
  for (const s of home) {
    filtered[s.id] = (s.filtered || []).map((r) => ({ title: r.filter.title, action: r.filter.filterAction, keywords: r.keywordMatches }));
  }
  const list = (await alice.v2.filters.list()).map((f) => ({ title: f.title, action: f.filterAction,
    context: f.context, keywords: (f.keywords || []).map((k) => k.keyword) }));
  await alice.v2.filters.$select(warn.id).remove();
  await alice.v2.filters.$select(hide.id).remove();
  const left = (await alice.v2.filters.list()).length;
  return { warned: warned.id, hidden: hidden.id, plain: plain.id, home: ids(home), filtered, list, left };
});

await step("report", ["mute"], async () => {
  const r = await alice.v1.reports.create({ accountId: results.block.carol, statusIds: [results.mute.carol_reply],
    comment: "off-topic", category: "other" });
  return { id: r.id, category: r.category, comment: r.comment, action_taken: r.actionTaken,
    target: r.targetAccount ? r.targetAccount.id : null, statuses: r.statusIds };
});

await step("poll", ["verify_credentials"], async () => {
  const s = await alice.v1.statuses.create({ status: "Which one?", visibility: "public",
    poll: { options: ["Go", "Rust", "Zig"], expiresIn: 3600 } });
  const brief = (p) => ({ id: p.id, voted: p.voted, own_votes: p.ownVotes, votes_count: p.votesCount,
    voters_count: p.votersCount, expires_at: p.expiresAt, options: p.options.map((o) => o.title),
    counts: p.options.map((o) => o.votesCount) });
  const voted = await bob.v1.polls.$select(s.poll.id).votes.create({ choices: [1] });
  const again = await statusCodeOf(() => bob.v1.polls.$select(s.poll.id).votes.create({ choices: [2] }));
  const author = await alice.v1.polls.$select(s.poll.id).fetch();
  return { created: brief(s.poll), voted: brief(voted), again, author: brief(author) };
});

await step("scheduled", ["verify_credentials"], async () => {
  const at = new Date(Date.now() + 3600e3);
  at.setMilliseconds(0);
  const s = await alice.v1.statuses.create({ status: "later, maybe", visibility: "public", scheduledAt: at.toISOString() });
  const list = (await alice.v1.scheduledStatuses.list()).map((x) => ({ id: x.id, scheduled_at: x.scheduledAt, text: x.params.text }));
  const later = new Date(at.getTime() + 3600e3).toISOString();
  const moved = await alice.v1.scheduledStatuses.$select(s.id).update({ scheduledAt: later });
  await alice.v1.scheduledStatuses.$select(s.id).remove();
  const left = (await alice.v1.scheduledStatuses.list()).length;
  return { id: s.id, at: at.toISOString(), scheduled_at: s.scheduledAt, list, later, moved: moved.scheduledAt, left };
});

await step("lists", ["authorize"], async () => {
  const l = await alice.v1.lists.create({ title: "Friends" });
  await alice.v1.lists.$select(l.id).accounts.create({ accountIds: [results.verify_credentials.bob.id] });
  const members = ids(await alice.v1.lists.$select(l.id).accounts.list());
  const s = await bob.v1.statuses.create({ status: "for my friends", visibility: "public" });
  const feed = ids(await alice.v1.timelines.list.$select(l.id).list({ limit: 5 }));
  const renamed = await alice.v1.lists.$select(l.id).update({ title: "Close friends" });
  await alice.v1.lists.$select(l.id).remove();
  const left = (await alice.v1.lists.list()).length;
  return { title: l.title, members, status: s.id, feed, renamed: renamed.title, left };
});

// A followed hashtag brings carol's post (alice does not follow her) home.
await step("followed_tags", ["mute"], async () => {
  const t = await alice.v1.tags.$select("gophers").follow();
  const followed = (await alice.v1.followedTags.list()).map((x) => x.name);
  const s = await carol.v1.statuses.create({ status: "hello #gophers", visibility: "public" });
  const home = ids(await alice.v1.timelines.home.list({ limit: 5 }));
  const un = await alice.v1.tags.$select("gophers").unfollow();
  const left = (await alice.v1.followedTags.list()).length;
  return { following: t.following, followed, status: s.id, home, unfollowed: un.following, left };
});

await step("conversations", ["verify_credentials"], async () => {
  const dm = await alice.v1.statuses.create({ status: "@bob just between us", visibility: "direct" });
  const list = async () => (await bob.v1.conversations.list()).map((c) => ({ id: c.id, unread: c.unread,
    accounts: c.accounts.map((a) => a.acct), last_status: c.lastStatus ? c.lastStatus.id : null }));
  const before = await list();
  const read = await bob.v1.conversations.$select(before[0].id).read();
  await bob.v1.conversations.$select(before[0].id).remove();
  return { dm: dm.id, before, read: read.unread, after: await list() };
});

await step("markers", ["post"], async () => {
  const [n] = await alice.v1.notifications.list({ limit: 1 });
  const brief = (m) => m && { last_read_id: m.lastReadId, version: m.version, updated_at: m.updatedAt };
  const set = await alice.v1.markers.create({ home: { lastReadId: results.post.id }, notifications: { lastReadId: n.id } });
  const got = await alice.v1.markers.fetch({ timeline: ["home", "notifications"] });
  return { home: results.post.id, notification: n.id, set: { home: brief(set.home), notifications: brief(set.notifications) },
    got: { home: brief(got.home), notifications: brief(got.notifications) } };
});

// Web Push: a subscription with a P-256 key made here, as a browser would.
await step("push", ["verify_credentials"], async () => {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const keys = { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") };
  const brief = (s) => ({ id: s.id, endpoint: s.endpoint, server_key: s.serverKey, policy: s.policy,
    mention: s.alerts.mention, follow: s.alerts.follow, favourite: s.alerts.favourite });
  const created = await alice.v1.push.subscription.create({ subscription: { endpoint: "https://push.example/masto/alice", keys },
    data: { alerts: { mention: true, follow: false } }, policy: "all" });
  const fetched = await alice.v1.push.subscription.fetch();
  const updated = await alice.v1.push.subscription.update({ data: { alerts: { favourite: true } } });
  await alice.v1.push.subscription.remove();
  const gone = await statusCodeOf(() => alice.v1.push.subscription.fetch());
  return { created: brief(created), fetched: brief(fetched), updated: brief(updated), gone };
});

process.stdout.write(JSON.stringify({ steps, requests }) + "\n");
