// Subscribes with the `graphql-ws` npm client (what Apollo's GraphQLWsLink uses) and prints
// the first result as one JSON line, then exits.
//   cd tests/js && npm install && node subscribe.mjs ws://127.0.0.1:8000/graphql <token> '<query>'
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, query] = process.argv.slice(2);
const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
});
console.error("subscribing");
const stop = client.subscribe({ query }, {
  next: (result) => {
    console.log(JSON.stringify(result));
    stop();
    client.dispose();
    process.exit(0);
  },
  error: (error) => {
    console.log(JSON.stringify({ clientError: String(error?.reason ?? error?.message ?? error) }));
    process.exit(1);
  },
  complete: () => {},
});
setTimeout(() => { console.log(JSON.stringify({ clientError: "timeout" })); process.exit(2); }, 15000);
