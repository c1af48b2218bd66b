// pusher-js clients for SoketiFleetEndToEndTest. argv[2] is a JSON config:
//   {"key","secret","clients":[{"name","port","user","channels":[...]}]}
// Each client connects to its soketi node, signs in as its user, subscribes to its channels (presence channels
// are authorised locally with the pusher SDK) and prints one JSON line per thing that happens:
//   {"client","type":"state","current"}                      connection state changes (connected, unavailable...)
//   {"client","type":"socket","socket_id"}                   once connected
//   {"client","type":"message","event","channel","data"}    every protocol message (data as received: a string
//                                                            stays a string, parsed JSON is re-serialised)
//   {"type":"ready"}                                         once every client is connected, signed in, subscribed
// Exits when stdin closes (so the test's process teardown ends it).
const Pusher = require('pusher-js');
const PusherServer = require('pusher');

const config = JSON.parse(process.argv[2]);
const print = (line) => process.stdout.write(JSON.stringify(line) + '\n');
const signer = new PusherServer({ appId: 'unused', key: config.key, secret: config.secret });
let pending = 0;
const done = () => { if (--pending === 0) print({ type: 'ready' }); };

for (const c of config.clients) {
  pending += 1 + 1 + c.channels.length; // connected, signed in, each subscription
  const user = { id: c.user, user_info: { name: c.user } };
  const pusher = new Pusher(config.key, {
    cluster: 'local', wsHost: '127.0.0.1', wsPort: c.port, forceTLS: false,
    enabledTransports: ['ws'], disableStats: true,
    userAuthentication: {
      customHandler: ({ socketId }, cb) => cb(null, signer.authenticateUser(socketId, user)),
    },
    channelAuthorization: {
      customHandler: ({ socketId, channelName }, cb) => cb(null, channelName.startsWith('presence-')
        ? signer.authorizeChannel(socketId, channelName, { user_id: c.user, user_info: user.user_info })
        : signer.authorizeChannel(socketId, channelName)),
    },
  });
  let connectedOnce = false;
  pusher.connection.bind('state_change', (s) => {
    print({ client: c.name, type: 'state', current: s.current });
    if (s.current === 'connected' && !connectedOnce) {
      connectedOnce = true;
      print({ client: c.name, type: 'socket', socket_id: pusher.connection.socket_id });
      done();
      pusher.signin();
      for (const name of c.channels) pusher.subscribe(name);
    }
  });
  pusher.connection.bind('message', (m) => {
    print({ client: c.name, type: 'message', event: m.event, channel: m.channel ?? null,
            data: typeof m.data === 'string' ? m.data : JSON.stringify(m.data ?? null) });
    if (m.event === 'pusher:signin_success'
        || (m.event === 'pusher_internal:subscription_succeeded' && c.channels.includes(m.channel))) done();
  });
  pusher.connect();
}
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
