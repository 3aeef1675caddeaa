// An emitter written as eventemitter3 writes it (not the package): each
// listener in a record of its own, `{fn, context, once}`, under the event's
// name in `_events` (an object with no prototype), alone or in an array; emit()
// drops a record whose `once` is true before it calls the listener.
function Events() {}
Events.prototype = Object.create(null);

function EE(fn, context, once) {
  this.fn = fn;
  this.context = context;
  this.once = once || false;
}

function EventEmitter() {
  this._events = new Events();
}

EventEmitter.prototype.addListener = function (event, fn, once) {
  var listener = new EE(fn, this, once);
  var listeners = this._events[event];
  if (!listeners) this._events[event] = listener;
  else if (!listeners.fn) listeners.push(listener);
  else this._events[event] = [listeners, listener];
  return this;
};

EventEmitter.prototype.on = function (event, fn) {
  return this.addListener(event, fn, false);
};

EventEmitter.prototype.once = function (event, fn) {
  return this.addListener(event, fn, true);
};

EventEmitter.prototype.emit = function (event, value) {
  var listeners = this._events[event];
  if (!listeners) return false;
  var all = listeners.fn ? [listeners] : listeners.slice();
  var kept = all.filter(function (l) {
    return !l.once;
  });
  if (kept.length === 0) delete this._events[event];
  else this._events[event] = kept.length === 1 ? kept[0] : kept;
  all.forEach(function (l) {
    l.fn.call(l.context, value);
  });
  return true;
};

module.exports = EventEmitter;
