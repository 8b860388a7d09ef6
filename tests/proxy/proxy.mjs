// The REST proxy the README suggests putting in front of the bot's processes, made of
// @discordjs/proxy, for the tests: it stands between the bot and the fake Discord.
//
//   [PROXY_HOST=127.0.0.1] [PROXY_PORT=0] [PROXY_RATE_LIMIT=50] \
//     node tests/proxy/proxy.mjs MODULES_DIR UPSTREAM_API
//
// MODULES_DIR holds the node_modules that `npm ci` made from this folder's package-lock.json
// (tests/restproxy.py installs it in .cache/); UPSTREAM_API is Discord's API without the
// version, e.g. http://127.0.0.1:PORT/api (Discord's own is https://discord.com/api). Prints
// `listening PORT` once it takes requests (on 127.0.0.1 and a free port unless PROXY_HOST and
// PROXY_PORT say otherwise), and one JSON line for each 429 it waits out itself. PROXY_RATE_LIMIT
// is its own global limit (requests a second): at least the bot's DISCORD_RATE_LIMIT.
//
// What the proxy does to a request (read in @discordjs/proxy 2.1.1 and @discordjs/rest 2.6.3):
// - it strips `/api/v10` from the path and asks its REST client for the rest of it, so the
//   client's `api` is the upstream without the version, and `version` 10;
// - it forwards only three headers: Content-Type, Authorization and X-Audit-Log-Reason. With
//   no token of its own (`auth: false` on every request) the bot's `Bot <token>` goes through
//   as it is; the User-Agent becomes discord.js's;
// - the body goes through untouched (`passThroughBody`): a message's nonce and enforce_nonce,
//   JSON as JSON, a file upload's multipart body with its boundary;
// - on a 429 or a 5xx the client waits (Retry-After) or retries by itself, up to 3 times, and
//   the bot never sees it. It reads the body again for each attempt: given the incoming
//   request's stream, a retry would go out with an empty body (the stream was read by the
//   first attempt), so the body is read once here and handed over as something that can be
//   read again;
// - from a response it drops the X-RateLimit-* headers (the proxy keeps the buckets now).
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';

const [modules, api] = process.argv.slice(2);
if (!modules || !api) {
  console.error('usage: node proxy.mjs MODULES_DIR UPSTREAM_API');
  process.exit(2);
}
// Both packages through one loader, so the proxy's `instanceof DiscordAPIError` knows the
// errors this client throws (a 403 or a 404 would otherwise end the process).
const require = createRequire(resolve(modules, 'package.json'));
const { proxyRequests } = require('@discordjs/proxy');
const { REST } = require('@discordjs/rest');

const rest = new REST({
  api,
  version: '10',
  globalRequestsPerSecond: Number(process.env.PROXY_RATE_LIMIT || 50),
});
rest.on('rateLimited', (info) => {
  const { method, route, global, retryAfter, timeToReset } = info;
  console.log(JSON.stringify({ event: '429', method, route, global, retryAfter, timeToReset }));
});
const proxy = proxyRequests(rest);

const server = createServer(async (req, res) => {
  try {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const replayable = {
      method: req.method,
      url: req.url,
      headers: req.headers,
      async *[Symbol.asyncIterator]() {
        if (body.length > 0) yield body;
      },
    };
    await proxy(replayable, res);
  } catch (error) {
    console.error(`proxy error on ${req.method} ${req.url}: ${error}`);
    if (!res.headersSent) res.statusCode = 502;
    res.end();
  }
});
const host = process.env.PROXY_HOST || '127.0.0.1';
const port = Number(process.env.PROXY_PORT || 0);
server.listen(port, host, () => console.log(`listening ${server.address().port}`));
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
