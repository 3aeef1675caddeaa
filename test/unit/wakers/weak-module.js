// Listeners kept as emittery keeps them (not the package): in a module's
// WeakMap whose key is the emitter and whose value a Map from an event's name
// to a Set of listeners.
const eventsMap = new WeakMap();

exports.once = function (emitter, event) {
  return new Promise(resolve => {
    let events = eventsMap.get(emitter);
    if (!events) eventsMap.set(emitter, (events = new Map()));
    let listeners = events.get(event);
    if (!listeners) events.set(event, (listeners = new Set()));
    listeners.add(value => resolve(value));
  });
};

// Calls awaiting their replies, kept as a client's pending calls are: in a
// module's WeakMap whose key is the client and whose value a Map from a
// call's number to its resolve function (no event's name: no listener).
const pendingMap = new WeakMap();
let nextId = 0;

exports.call = function (client) {
  return new Promise(resolve => {
    let pending = pendingMap.get(client);
    if (!pending) pendingMap.set(client, (pending = new Map()));
    pending.set(++nextId, resolve);
  });
};
