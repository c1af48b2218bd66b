// Publishes one event through the official Node server SDK (pusher) and prints {"status","body"} as one line.
// argv[2]: {"host","port","appId","key","secret","channels":[...],"event","data","socket_id"?}
const Pusher = require('pusher');
const a = JSON.parse(process.argv[2]);
const pusher = new Pusher({ appId: a.appId, key: a.key, secret: a.secret, host: a.host, port: String(a.port),
                            useTLS: false, timeout: 5000 });
const params = a.socket_id ? { socket_id: a.socket_id } : undefined;
pusher.trigger(a.channels, a.event, a.data, params)
  .then(async (res) => console.log(JSON.stringify({ status: res.status, body: await res.text() })))
  .catch((e) => console.log(JSON.stringify({ status: e.status ?? 0, body: e.body ?? String(e) })));
